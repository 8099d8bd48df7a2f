"""Uploads checked together (issue 20.6): ``kirim.terima_banyak`` judges the uploads of one dataset in one GX run,
each file on its own rows with its own record, report and inbox copy, a file that breaks the joined run alone;
``web.hangat.Collector`` gathers the uploads waiting for the run and hands them over per dataset. The crowd on a
real api-server is tests/test_kirim_ramai.py."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from concurrent.futures import Future
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from desa_cantik import kirim, precheck
from desa_cantik.cycle.runtime import Runtime
from desa_cantik.findings import DITOLAK
from desa_cantik.isolation import internal_error
from desa_cantik.storage import layout
from desa_cantik.web.hangat import Collector

from .conftest import SMALL_REGION, TAHUN

T0 = datetime(2026, 2, 1, 8, 0, tzinfo=UTC)


@pytest.fixture
def rt(tmp_path: Path) -> Runtime:
    return Runtime.from_env({"DESA_CANTIK_HOME": str(tmp_path), "DESA_CANTIK_WILAYAH": "35.07",
                             "DESA_CANTIK_GUDANG": f"sqlite:///{tmp_path / 'gudang.sqlite'}"})


def _uploads(folder: Path, n: int) -> list[kirim.Unggahan]:
    out = []
    for i, d in enumerate(sorted((folder / "kependudukan").iterdir())[:n]):
        [p] = list(d.iterdir())
        out.append(kirim.Unggahan(kirim.Operator(f"op-{d.name}", "desa", d.name), "kependudukan", d.name,
                                  p.read_bytes(), p.name, T0 + timedelta(seconds=i)))
    return out


def _counting(monkeypatch: pytest.MonkeyPatch, breaks: str = "") -> list[int]:
    """Count the GX runs (``validate_batch`` calls) and their sizes; a run holding the file ``breaks`` raises."""
    real, runs = precheck.validate_batch, []  # type: ignore[attr-defined]

    def counted(subs: list[Any], *args: Any, **kwargs: Any) -> Any:
        runs.append(len(subs))
        if any(s.readable and s.provenance.nama_berkas == breaks for s in subs):
            raise RuntimeError("GX broke on this file")
        return real(subs, *args, **kwargs)

    monkeypatch.setattr(precheck, "validate_batch", counted)
    return runs


def test_uploads_of_one_dataset_are_one_gx_run_each_with_its_own_verdict_record_and_inbox_copy(
        rt: Runtime, clean: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    uploads = _uploads(clean, 6)
    alone = [kirim.terima(rt, u.op, u.dataset, u.pengirim, u.data, u.nama_berkas, now=u.when - timedelta(days=1))[1]
             for u in uploads]
    runs = _counting(monkeypatch)
    done = kirim.terima_banyak(rt, uploads)
    assert runs == [6], "six uploads, one GX run"
    for u, (k, v), v1 in zip(uploads, done, alone, strict=True):
        assert (k.pengirim, k.username, k.dikirim_pada) == (u.pengirim, u.op.username, u.when.isoformat())
        assert (v.status, v.rows_read, v.rows_accepted, [i.aturan for i in v.issues]) == (
            v1.status, v1.rows_read, v1.rows_accepted, [i.aturan for i in v1.issues]), "the same verdict as alone"
        assert rt.store.get(layout.submitted_record(TAHUN, k.pengirim, k.id))
        assert rt.store.exists(layout.submitted_report(TAHUN, k.pengirim, k.id, "json"))
        assert (k.kunci_masuk is None) == (v.status == DITOLAK)
        if k.kunci_masuk:
            assert rt.store.get(k.kunci_masuk) == u.data


def test_a_file_that_breaks_the_joined_run_is_judged_alone(rt: Runtime, clean: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    uploads = _uploads(clean, 4)
    runs = _counting(monkeypatch, breaks=uploads[1].nama_berkas)
    done = kirim.terima_banyak(rt, uploads)
    assert runs == [4, 1, 1, 1, 1, 1], "the joined run broke: each file alone, the broken one refused unread"
    broken, _ = done[1]
    assert broken.status == DITOLAK and broken.kunci_masuk is None
    report = rt.store.get(layout.submitted_report(TAHUN, broken.pengirim, broken.id, "txt")).decode()
    assert internal_error(RuntimeError()).split("(")[0] in report
    assert all(k.status != DITOLAK or k.galat for k, _ in done[::2]), "the others are judged on their rows"
    assert {k.pengirim for k, _ in done} == {u.pengirim for u in uploads}


def test_terima_banyak_takes_one_dataset(rt: Runtime, clean: Path) -> None:
    a, b = _uploads(clean, 2)
    other = kirim.Unggahan(b.op, "fasilitas", b.pengirim, b.data, b.nama_berkas, b.when)
    with pytest.raises(ValueError, match="satu dataset"):
        kirim.terima_banyak(rt, [a, other])


def _k(u: kirim.Unggahan) -> kirim.Kiriman:
    return kirim.Kiriman(u.nama_berkas, u.op.username, u.pengirim, u.dataset, u.nama_berkas, "", len(u.data),
                         u.when.isoformat(), "diterima", 1, 1, 0, 0, "", None)


def _upload(dataset: str, i: int) -> kirim.Unggahan:
    desa = f"{SMALL_REGION}.20{i:02d}"
    return kirim.Unggahan(kirim.Operator(f"op{i}", "desa", desa), dataset, desa, b"x", f"berkas-{i}.csv", T0)


def test_the_collector_checks_the_uploads_waiting_per_dataset_in_one_run_each() -> None:
    calls: list[list[str]] = []
    first_in, go_on = threading.Event(), threading.Event()

    def judge(group: Sequence[kirim.Unggahan]) -> list[kirim.Kiriman]:
        calls.append([u.nama_berkas for u in group])
        first_in.set()
        assert go_on.wait(30)
        if group[0].dataset == "fasilitas":
            raise OSError("penyimpanan tidak menjawab")
        return [_k(u) for u in group]

    c = Collector(judge, most=2)
    first = c.submit(_upload("kependudukan", 1))
    assert first_in.wait(30), "an upload to an idle collector is checked at once"
    waiting: list[tuple[kirim.Unggahan, Future[kirim.Kiriman]]] = []
    for i, dataset in enumerate(["kependudukan", "fasilitas", "kependudukan", "kependudukan", "fasilitas"], 2):
        u = _upload(dataset, i)
        waiting.append((u, c.submit(u)))
    go_on.set()
    assert first.result(30).id == "berkas-1.csv"
    for u, answer in waiting:
        if u.dataset == "fasilitas":
            with pytest.raises(OSError, match="tidak menjawab"):
                answer.result(30)
        else:
            assert answer.result(30).id == u.nama_berkas, "each upload gets its own submission"
    assert calls == [["berkas-1.csv"], ["berkas-2.csv", "berkas-4.csv"], ["berkas-5.csv"],
                     ["berkas-3.csv", "berkas-6.csv"]], "the waiting ones per dataset, at most 2 a run"


def test_an_upload_whose_request_went_away_is_still_checked_and_the_collector_goes_on() -> None:
    judged: list[str] = []
    busy, go_on = threading.Event(), threading.Event()

    def judge(group: Sequence[kirim.Unggahan]) -> list[kirim.Kiriman]:
        judged.extend(u.nama_berkas for u in group)
        busy.set()
        assert go_on.wait(30)
        return [_k(u) for u in group]

    c = Collector(judge)
    c.submit(_upload("kependudukan", 1))
    assert busy.wait(30)
    gone, kept = c.submit(_upload("kependudukan", 2)), c.submit(_upload("kependudukan", 3))
    assert gone.cancel(), "the operator closed the page while the file waited"
    go_on.set()
    assert kept.result(30).id == "berkas-3.csv"
    assert c.submit(_upload("kependudukan", 4)).result(30).id == "berkas-4.csv", "the collector still answers"
    assert judged == ["berkas-1.csv", "berkas-2.csv", "berkas-3.csv", "berkas-4.csv"], "the file received is kept"
