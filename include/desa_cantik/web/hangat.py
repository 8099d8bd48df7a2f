"""The pre-check's warm-up and what it shares with Kirim data: one GX run at a time, the warehouse's references.

The first upload to a cold api-server would wait for GX's import and first run; ``hangatkan`` does both once
in the background (on the first Kirim data page), on a plausible file of the tier's first dataset.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from .cache import Segar
from .deps import runtime

if TYPE_CHECKING:
    import pandas as pd

PERIKSA_LOCK = threading.Lock()  # one GX run at a time in this process
RUJUKAN_TTL_S = 300.0  # the warehouse's references (previous year, BPS projection) change once a gate run


def _read_rujukan() -> dict[str, pd.DataFrame]:
    """The references the gate's level 2-4 rules compare against, from the warehouse."""
    from desa_cantik.cycle.checks import load_references

    return load_references(runtime())


RUJUKAN: Segar[dict[str, pd.DataFrame]] = Segar(RUJUKAN_TTL_S, _read_rujukan)


def rujukan() -> dict[str, pd.DataFrame]:
    return RUJUKAN.get()


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
