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
export AIRFLOW__LOGGING__LOGGING_LEVEL=${AIRFLOW__LOGGING__LOGGING_LEVEL:-WARNING}
export GX_ANALYTICS_ENABLED=False
export PATH=$ROOT/.venv/bin:$PATH
mkdir -p "$AIRFLOW_HOME"
