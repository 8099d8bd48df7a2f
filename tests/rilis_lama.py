"""A kabupaten/kota tier's yearly cycle run by whatever release ``desa_cantik`` is imported from: its own stages in the
order its yearly DAG runs them (gate groups, cross-check, indicators, the signed package sent upward).

``tests/test_rilis.py`` runs it in a child process with ``PYTHONPATH=<previous release>/include``, so the tier is
the previous release's code and its package is what that release really sends. It imports only names both releases
have (e32b6bd and this one). Usage::

    python tests/rilis_lama.py HULU_URL DIBUAT_PADA    # the tier from DESA_CANTIK_*; prints the result as JSON
"""

from __future__ import annotations

import json
import sys


def main(upstream_url: str, dibuat_pada: str) -> None:
    import desa_cantik
    from desa_cantik.cycle.coordinate import coordinate
    from desa_cantik.cycle.cross_check import cross_check
    from desa_cantik.cycle.gate import validate_collected
    from desa_cantik.cycle.inbox import collect_batch, plan_batches
    from desa_cantik.cycle.publish import publish
    from desa_cantik.cycle.runtime import Runtime
    from desa_cantik.cycle.store import store_bundle
    from desa_cantik.storage import open_store

    rt = Runtime.from_env()
    run_id = f"scheduled__{dibuat_pada}"
    for batch in plan_batches(rt):  # rencana_batch -> arsipkan -> gerbang_mutu -> simpan_ke_gudang
        store_bundle(rt, validate_collected(rt, collect_batch(rt, batch), run_id))
    cross_check(rt, run_id)
    coordinate(rt)
    published = publish(rt, dibuat_pada, open_store(upstream_url))  # susun_paket, after Bappeda's approval
    print(json.dumps({"rilis": desa_cantik.__version__, "modul": desa_cantik.__file__,
                      "versi": published.get("versi"), "hulu": published.get("hulu")}))


if __name__ == "__main__":
    main(*sys.argv[1:3])
