"""``airflow dags test``, with each task's log also written where the Airflow UI reads it.

Usage: ``python scripts/dags_test.py DAG_ID [LOGICAL_DATE] [any other option of airflow dags test]``.

``airflow dags test`` runs every task inside its own process and prints the task logs to its console only,
so the UI shows "Log file not found on worker" for a demo run. ``--use-executor`` would write the files, but
it needs an api-server and starts a process per task that imports pandas and Great Expectations again: the
demo's cycle went from 25 s to 140 s on two cores. So this runs the same ``dags test`` in process and, while
each task runs, copies the process's output (stdout and stderr at the file-descriptor level: Airflow's task
logs, the tasks' ``logging`` and prints) into the file an executor would have written for that try,
``{base_log_folder}/dag_id=…/run_id=…/task_id=…/[map_index=…/]attempt=N.log`` (the same renderer as the
executors'), while the console still gets everything. A log server or remote logging is not involved: the
UI reads local files on the same ``AIRFLOW_HOME``.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

CHECKED_AIRFLOW = ("3.3.",)  # ``_run_task`` is dag.test()'s own per-task step; checked again on an upgrade


@contextmanager
def tee_output(path: Path) -> Iterator[None]:
    """Everything written to fd 1 and 2 inside the block also goes to ``path`` (appended: a resumed try keeps its start)."""
    sys.stdout.flush()
    sys.stderr.flush()
    saved = os.dup(1), os.dup(2)
    read_end, write_end = os.pipe()

    def pump() -> None:
        with path.open("ab") as log_file:
            while chunk := os.read(read_end, 65536):
                log_file.write(chunk)
                log_file.flush()
                os.write(saved[0], chunk)

    thread = threading.Thread(target=pump, name="task-log-tee", daemon=True)
    thread.start()
    os.dup2(write_end, 1)
    os.dup2(write_end, 2)
    try:
        yield
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os.dup2(saved[0], 1)
        os.dup2(saved[1], 2)
        os.close(write_end)  # the pump sees the end of the pipe once fd 1 and 2 are restored
        thread.join()
        for fd in (read_end, *saved):
            os.close(fd)


def log_file_of(ti: Any) -> Path:
    """The try's log file as an executor names it (the UI reads the same path under ``base_log_folder``)."""
    from airflow.sdk.log import init_log_file
    from airflow.utils.helpers import log_filename_template_renderer

    return init_log_file(log_filename_template_renderer()(ti=ti))


def with_task_logs(run_task: Callable[..., Any]) -> Callable[..., Any]:
    def run_task_logged(*, ti: Any, task: Any, run_triggerer: bool = False) -> Any:
        with tee_output(log_file_of(ti)):
            return run_task(ti=ti, task=task, run_triggerer=run_triggerer)

    return run_task_logged


def main(argv: list[str]) -> None:
    import airflow
    import airflow.sdk.definitions.dag as sdk_dag
    from airflow.__main__ import main as airflow_main

    if not airflow.__version__.startswith(CHECKED_AIRFLOW):
        raise SystemExit(f"scripts/dags_test.py diperiksa untuk Airflow {CHECKED_AIRFLOW}, bukan {airflow.__version__}: "
                         "periksa airflow.sdk.definitions.dag._run_task lalu perbarui CHECKED_AIRFLOW")
    sdk_dag._run_task = with_task_logs(sdk_dag._run_task)
    sys.argv = ["airflow", "dags", "test", *argv]
    airflow_main()  # type: ignore[no-untyped-call]


if __name__ == "__main__":
    main(sys.argv[1:])
