"""Each DAG's ``access_control``, from config/peran.yaml: which role may act on which DAG.

The roles are data (``desa_cantik.peran``); ``scripts/peran.py sync`` writes the same grants into FAB, so
a DAG file and the sync can never disagree. Cheap at parse time: one small YAML file, read once.
"""

from __future__ import annotations

import warnings
from functools import cache

from desa_cantik.peran import DaftarPeran

# Airflow 3 warns on every DAG with access_control that it goes away in Airflow 4; on 3.x it is how the FAB
# auth manager grants per-DAG rights, so the notice would only clutter every parse log. (Airflow 4: move
# these grants to the auth manager's own configuration, still from config/peran.yaml.)
warnings.filterwarnings("ignore", message="The airflow.security.permissions module is deprecated")


@cache
def _roles() -> DaftarPeran:
    return DaftarPeran.load()


def access_control(dag_id: str) -> dict[str, dict[str, set[str]]]:
    """Per FAB role, the DAG-level actions (``{"DAGs": {...}, "DAG Runs": {...}}``) peran.yaml grants."""
    return _roles().access_control(dag_id)
