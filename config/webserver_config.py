"""FAB's web config for every Desa Cantik deployment (Airflow's ``[fab] config_file``).

Read by the api-server and the FAB CLI commands (Flask's ``config.from_pyfile``: only UPPERCASE names count).
Every deployment points at this file, none writes its own into ``AIRFLOW_HOME``: ``scripts/env.sh`` (``make demo``,
``make ui``), ``scripts/stack.sh`` (``make stack``), ``docker/docker-compose.yml`` (mounted with ``config/``)
and the tests' api-servers (``tests/airflow_server.py``) set ``AIRFLOW__FAB__CONFIG_FILE`` to it.

Login limits (``desa_cantik.web.login_limits``): failed attempts per account, every attempt per address (a
kecamatan hall of operators shares one public address), the client address from ``X-Forwarded-For`` only
through the proxies in ``DESA_CANTIK_PROXY_TEPERCAYA``, and an Indonesian 429. Settings from the environment:
``DESA_CANTIK_BATAS_MASUK_AKUN``, ``DESA_CANTIK_BATAS_MASUK_ALAMAT``, ``DESA_CANTIK_BATAS_MASUK_PENYIMPANAN``.
"""

import os

from flask_appbuilder.const import AUTH_DB

from desa_cantik.web import login_limits

AUTH_TYPE = AUTH_DB  # users and passwords in Airflow's database (scripts/peran.py sync writes them)
WTF_CSRF_ENABLED = True

# AUTH_RATE_LIMITED, AUTH_RATE_LIMIT (per address), AUTH_RATE_LIMIT_PER_ACCOUNT, RATELIMIT_KEY_FUNC (the client
# address), RATELIMIT_ON_BREACH_CALLBACK (the Indonesian 429), RATELIMIT_STORAGE_URI, RATELIMIT_KEY_PREFIX,
# RATELIMIT_IN_MEMORY_FALLBACK_ENABLED and SECURITY_MANAGER_CLASS (the per-account limit on the login view)
globals().update(login_limits.settings(os.environ))
