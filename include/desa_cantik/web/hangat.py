"""The pre-check's warm-up and what it shares with Kirim data: one GX run at a time, the warehouse's references,
and the collector that checks the uploads waiting for that run together.

The first upload to a cold api-server would wait for GX's import and first run; ``hangatkan`` does both once
in the background (on the first Kirim data page), on a plausible file of the tier's first dataset.

A GX run costs about the same for one file as for twenty (0.2-0.5 s), and one process runs one at a time. So the
uploads are not checked one by one: ``PENGUMPUL`` takes every upload waiting when the previous run ends and checks
them per dataset in one run (``kirim.terima_banyak``: each file still judged on its own rows, with its own
report; a file that breaks the joined run is judged alone). An upload to an idle server is checked at once.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from typing import TYPE_CHECKING

from .cache import Segar
from .deps import runtime

if TYPE_CHECKING:
    import pandas as pd

    from desa_cantik.kirim import Kiriman, Unggahan

PERIKSA_LOCK = threading.Lock()  # one GX run at a time in this process
RUJUKAN_TTL_S = 300.0  # the warehouse's references (previous year, BPS projection) change once a gate run


def _read_rujukan() -> tuple[int, dict[str, pd.DataFrame]]:
    """The references the gate's level 2-4 rules compare against, from the warehouse, for the year they are of
    (the previous year's stored values for KEP-08, this year's BPS projection, ...)."""
    from desa_cantik.cycle.checks import load_references

    rt = runtime()
    return rt.tahun, load_references(rt)


RUJUKAN: Segar[tuple[int, dict[str, pd.DataFrame]]] = Segar(RUJUKAN_TTL_S, _read_rujukan)


def rujukan() -> dict[str, pd.DataFrame]:
    """This year's references; read again at once when the Daftar Data has moved to another year."""
    tahun, refs = RUJUKAN.get()
    if tahun != runtime().tahun:
        RUJUKAN.clear()
        tahun, refs = RUJUKAN.get()
    return refs


_hangat = threading.Event()


def hangatkan() -> None:
    """Import GX and run one tiny check in the background, so the operator's first upload is answered warm."""
    if _hangat.is_set():
        return
    _hangat.set()

    def run() -> None:
        from desa_cantik.precheck import Berkas, precheck_many
        from desa_cantik.template import contoh_csv

        rt = runtime()
        dataset = rt.daftar.datasets[0]
        data, kode = contoh_csv(rt.wilayah, dataset, rt.tahun)
        with PERIKSA_LOCK:
            precheck_many([Berkas(data, "hangat.csv")], dataset, rt.tahun, kode, None, rt.daftar)
            rujukan()

    threading.Thread(target=run, name="hangatkan-gx", daemon=True).start()


Judge = Callable[[Sequence["Unggahan"]], Sequence["Kiriman"]]


class Collector:
    """Uploads waiting for the check; one thread takes all that wait and judges them per dataset, one run each.

    ``judge`` gets the uploads of one dataset (at most ``most`` at a time) and returns their submissions in order;
    what it raises is each of that group's answer (an outage of the store or the warehouse), never another group's.
    """

    def __init__(self, judge: Judge, most: int = 50) -> None:
        self._judge, self._most = judge, most
        self._waiting: list[tuple[Unggahan, Future[Kiriman]]] = []
        self._ready = threading.Condition()
        self._thread: threading.Thread | None = None

    def submit(self, unggahan: Unggahan) -> Future[Kiriman]:
        """The upload's submission, once its group's run is over (``await asyncio.wrap_future(...)``)."""
        answer: Future[Kiriman] = Future()
        with self._ready:
            self._waiting.append((unggahan, answer))
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="periksa-kirim", daemon=True)
                self._thread.start()
            self._ready.notify()
        return answer

    def _run(self) -> None:
        while True:
            with self._ready:
                while not self._waiting:
                    self._ready.wait()
                taken, self._waiting = self._waiting, []
            groups: dict[str, list[tuple[Unggahan, Future[Kiriman]]]] = {}
            for item in taken:
                groups.setdefault(item[0].dataset, []).append(item)
            for group in groups.values():
                for at in range(0, len(group), self._most):
                    self._answer(group[at:at + self._most])

    def _answer(self, group: list[tuple[Unggahan, Future[Kiriman]]]) -> None:
        """Judge a group and answer each upload; one whose request has gone (cancelled) is still checked and kept,
        as a file received is, its answer simply not given."""
        answers = [a for _, a in group if a.set_running_or_notify_cancel()]
        try:
            with PERIKSA_LOCK:
                done = dict(zip([id(a) for _, a in group], self._judge([u for u, _ in group]), strict=True))
        except BaseException as exc:
            for answer in answers:
                answer.set_exception(exc)
            return
        for answer in answers:
            answer.set_result(done[id(answer)])


def _judge(unggahan: Sequence[Unggahan]) -> list[Kiriman]:
    from desa_cantik import kirim

    return [k for k, _ in kirim.terima_banyak(runtime(), unggahan, rujukan())]


PENGUMPUL = Collector(_judge)
