"""The name a worker reports to Airflow (``[core] hostname_callable``).

Where several Celery workers share one machine (``make stack``), the machine's name alone cannot tell
which worker ran a task; ``DESA_CANTIK_PEKERJA`` adds the worker's own name. On separate machines
(docker/, one container per worker) it is unset and the machine's name is kept as Airflow would.
"""

from __future__ import annotations

import os
import socket


def hostname() -> str:
    host = socket.getfqdn()
    name = os.environ.get("DESA_CANTIK_PEKERJA", "")
    return f"{name}.{host}" if name else host
