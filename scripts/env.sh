# Source me: the embedded deployment's environment (Airflow metadata in SQLite, warehouse in SQLite,
# object store in a local folder), all under $DESA_CANTIK_HOME (default: .demo/ in the project).
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export DESA_CANTIK_HOME=${DESA_CANTIK_HOME:-$ROOT/.demo}
export DESA_CANTIK_WILAYAH=${DESA_CANTIK_WILAYAH:-35.07}
export AIRFLOW_HOME=${AIRFLOW_HOME:-$DESA_CANTIK_HOME/airflow}
export AIRFLOW__CORE__DAGS_FOLDER=$ROOT/dags
export AIRFLOW__CORE__PLUGINS_FOLDER=$ROOT/plugins
export AIRFLOW__CORE__LOAD_EXAMPLES=False
export AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION=True
export AIRFLOW__DATABASE__SQL_ALCHEMY_CONN=${AIRFLOW__DATABASE__SQL_ALCHEMY_CONN:-sqlite:///$AIRFLOW_HOME/airflow.db}
export AIRFLOW__LOGGING__LOGGING_LEVEL=${AIRFLOW__LOGGING__LOGGING_LEVEL:-INFO}  # task logs (gate tables, summary) are read in the UI
# Roles per pillar (config/peran.yaml, synced by scripts/peran.py): Airflow's FAB auth manager.
export AIRFLOW__CORE__AUTH_MANAGER=airflow.providers.fab.auth_manager.fab_auth_manager.FabAuthManager
# FAB's web config (login limits per account and per address): the repo's one file, never AIRFLOW_HOME's.
export AIRFLOW__FAB__CONFIG_FILE=$ROOT/config/webserver_config.py
# DEMO ONLY: fixed, public secrets so the embedded deployment's processes (api-server, scheduler, dags test)
# agree on session and token signing. A real server sets its own (docker/: generated into .env).
export AIRFLOW__API__SECRET_KEY=${AIRFLOW__API__SECRET_KEY:-desa-cantik-demo-saja-bukan-rahasia}
export AIRFLOW__API_AUTH__JWT_SECRET=${AIRFLOW__API_AUTH__JWT_SECRET:-desa-cantik-demo-saja-bukan-rahasia-jwt}
export AIRFLOW__API__PORT=${AIRFLOW__API__PORT:-8080}
export AIRFLOW__API__BASE_URL=${AIRFLOW__API__BASE_URL:-http://localhost:$AIRFLOW__API__PORT}
# A task's supervisor waits up to this long in select() for its task process to exit; the default 5 s holds the
# next task back that long after many tasks (the hourly gate with one new file: 22.6 s -> 18.3 s).
export AIRFLOW__WORKERS__MIN_HEARTBEAT_INTERVAL=${AIRFLOW__WORKERS__MIN_HEARTBEAT_INTERVAL:-1}
# An idle scheduler looks again after 0.25 s, not 1 s: each of the hourly gate's task hand-overs waited up to a
# loop (one new file: 9.0 s -> 6.2 s trigger to end); it costs an idle scheduler 4.4 % of a core instead of 1.5 %.
export AIRFLOW__SCHEDULER__SCHEDULER_IDLE_SLEEP_TIME=${AIRFLOW__SCHEDULER__SCHEDULER_IDLE_SLEEP_TIME:-0.25}
# Kabar (notifications): the embedded deployment's e-mails are .eml files in this folder (config/kabar.yaml, way "berkas");
# a server sets DESA_CANTIK_KABAR_SUREL (an Apprise URL) and/or DESA_CANTIK_KABAR_SMTP instead
export DESA_CANTIK_KABAR_FOLDER=${DESA_CANTIK_KABAR_FOLDER:-$DESA_CANTIK_HOME/kabar}
export GX_ANALYTICS_ENABLED=False
export PATH=$ROOT/.venv/bin:$PATH
mkdir -p "$AIRFLOW_HOME"
