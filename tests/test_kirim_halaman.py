"""Kirim data and Berkas saya (``desa_cantik.web.routes.kirim``) on an embedded tier, through FastAPI's TestClient.

The logged-in user is set by overriding the ``akses`` dependency and the Variable that binds users to
an area (``auth.wilayah_pengguna``); everything else is the real code: the pre-check with GX, the store, the
warehouse, the gate (``gate_and_store``) picking the queued file up. A real api-server with FAB users and a real
browser are in test_kirim_api.py and test_kirim_browser.py.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import httpx
import pytest
from fastapi.testclient import TestClient

from desa_cantik.cli import main
from desa_cantik.cycle.runtime import Runtime
from desa_cantik.peran import HALAMAN
from desa_cantik.storage import layout
from desa_cantik.web import auth, deps, hangat

from .conftest import ROOT, SMALL_REGION, TAHUN
from .stages import gate_and_store
from .test_halaman import load_plugin
from .test_kirim import _file

DESA = "35.07.01.2001"
TETANGGA = "35.07.01.2002"
PENGGUNA = {"op-desa": DESA, "op-kec": SMALL_REGION, "op-dinkes": "35.07-DINKES", "tanpa-kode": ""}
PERAN = {"op-desa": "Operator Desa", "op-kec": "Operator Kecamatan", "op-dinkes": "Operator OPD",
         "tanpa-kode": "Operator Desa", "bps": "BPS"}
HOST = "testserver"
CORPUS = ROOT / "tests" / "corpus"


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path


@pytest.fixture
def plugin(home: Path) -> Iterator[ModuleType]:
    with pytest.MonkeyPatch.context() as mp:
        for key, value in {"DESA_CANTIK_HOME": str(home), "DESA_CANTIK_WILAYAH": "35.07",
                           "DESA_CANTIK_GUDANG": f"sqlite:///{home / 'gudang.sqlite'}"}.items():
            mp.setenv(key, value)
        mod = load_plugin()
        deps.forget()
        mp.setattr(auth, "wilayah_pengguna", lambda: PENGGUNA)
        hangat.RUJUKAN.clear()
        yield mod
        mod.app.dependency_overrides.clear()
        deps.forget()


def as_user(plugin: ModuleType, username: str, token: bool = False) -> TestClient:
    pages = frozenset({"kirim"}) if PERAN[username].startswith("Operator") else frozenset(HALAMAN) - {"kirim"}
    plugin.app.dependency_overrides[auth.akses] = lambda: auth.Akses(username, pages, (PERAN[username],), token)
    return TestClient(plugin.app, root_path="/desa-cantik", headers={"Origin": f"http://{HOST}"})


def send(c: TestClient, pengirim: str, dataset: str, data: bytes, name: str,
         headers: dict[str, str] | None = None) -> httpx.Response:
    r: httpx.Response = c.post("/kirim", data={"pengirim": pengirim, "dataset": dataset},
                               files={"berkas": (name, data)}, follow_redirects=False, headers=headers)
    return r


def test_a_desa_operator_submits_reads_what_to_fix_resubmits_and_sees_the_data(plugin: ModuleType, clean: Path) -> None:
    c = as_user(plugin, "op-desa")
    page = c.get("/kirim")
    assert page.status_code == 200 and "Tulungrejo" in page.text and ("hari lagi" in page.text or "lewat" in page.text)
    assert f'value="{TETANGGA}"' not in page.text, "only my own desa is offered"

    bad, _ = _file(clean, "kependudukan", TETANGGA)  # the neighbour's rows under my name: WIL-02
    r = send(c, DESA, "kependudukan", bad, "kependudukan.csv")
    assert r.status_code == 303
    report = c.get(r.headers["location"].removeprefix("/desa-cantik"))
    assert "DITOLAK" in report.text and "WIL-02" in report.text and "tidak dikirim" in report.text
    rt = Runtime.from_env()
    assert rt.store.list(layout.inbox_prefix(TAHUN)) == [], "a rejected file is kept, not queued"

    good, name = _file(clean, "kependudukan", DESA)
    r = send(c, DESA, "kependudukan", good, name)
    report = c.get(r.headers["location"].removeprefix("/desa-cantik"))
    assert "DITERIMA" in report.text and "menunggu gerbang" in report.text
    [queued] = rt.store.list(layout.inbox_prefix(TAHUN))
    assert queued.key.startswith(f"masuk/{TAHUN}/kependudukan/{DESA}/")

    gate_and_store(rt, "scheduled__2026-02-01T04:00:00+00:00")  # the hourly gate's next run
    mine = c.get("/kirim/berkas")
    assert mine.status_code == 200
    assert "Laporan gerbang" in c.get(r.headers["location"].removeprefix("/desa-cantik")).text
    assert "1 baris tersimpan" in c.get(r.headers["location"].removeprefix("/desa-cantik")).text
    assert "Data yang tersimpan" in mine.text and DESA in mine.text
    assert "fasilitas" in mine.text.split("Yang belum lengkap")[1].split("</ul>")[0], "what my desa still owes"


def test_forged_sender_and_foreign_dataset_are_refused(plugin: ModuleType, clean: Path) -> None:
    c = as_user(plugin, "op-desa")
    good, name = _file(clean, "kependudukan", TETANGGA)
    r = send(c, TETANGGA, "kependudukan", good, name)
    assert r.status_code == 403 and "atas nama" in r.text
    r = send(c, DESA, "kesehatan_anak", good, name)
    assert r.status_code == 403 and "Dataset" in r.text
    assert Runtime.from_env().store.list("") == [], "nothing written for a refused request"
    assert c.get(f"/kirim/templat/kependudukan?pengirim={TETANGGA}").status_code == 403


def test_cross_site_form_is_refused_unless_bearer(plugin: ModuleType, clean: Path) -> None:
    good, name = _file(clean, "kependudukan", DESA)
    c = as_user(plugin, "op-desa")
    evil = send(c, DESA, "kependudukan", good, name, {"Origin": "https://jahat.example"})
    assert evil.status_code == 403 and "Formulir tidak dikirim dari halaman ini" in evil.text
    api = as_user(plugin, "op-desa", token=True)
    assert send(api, DESA, "kependudukan", good, name, {"Origin": ""}).status_code == 303


def test_kecamatan_operator_sends_for_its_desa_only_and_sees_them_all(plugin: ModuleType, clean: Path) -> None:
    kec = as_user(plugin, "op-kec")
    page = kec.get("/kirim")
    assert page.text.count('<option value="35.07.01.') == 10
    for desa in (DESA, TETANGGA):
        data, name = _file(clean, "fasilitas", desa)
        assert send(kec, desa, "fasilitas", data, name).status_code == 303
    assert send(kec, "35.07.02.2001", "fasilitas", data, name).status_code == 403
    mine = kec.get("/kirim/berkas").text
    assert mine.count("menunggu gerbang") >= 2
    first = next(o.key for o in Runtime.from_env().store.list(layout.submitted_prefix(TAHUN, TETANGGA + "/"))
                 if o.key.count("/") == 3)
    ident = first.rsplit("/", 1)[1].removesuffix(".json")
    assert kec.get(f"/kirim/berkas/{TETANGGA}/{ident}").status_code == 200
    desa = as_user(plugin, "op-desa")
    assert desa.get(f"/kirim/berkas/{TETANGGA}/{ident}").status_code == 404, "another desa's file is not mine"
    assert desa.get(f"/kirim/berkas/{TETANGGA}/{ident}/laporan.txt").status_code == 404


def test_opd_operator_gets_its_dataset_and_a_kabupaten_template(plugin: ModuleType) -> None:
    c = as_user(plugin, "op-dinkes")
    page = c.get("/kirim")
    assert page.status_code == 200 and "kesehatan_anak" in page.text and "kependudukan" not in page.text
    xlsx = c.get("/kirim/templat/kesehatan_anak")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    assert c.get("/kirim/langsung?dataset=kesehatan_anak").status_code == 404, "folder store: no presigned upload"


def test_who_is_not_an_operator(plugin: ModuleType) -> None:
    assert as_user(plugin, "tanpa-kode").get("/kirim").status_code == 403
    bps = as_user(plugin, "bps").get("/kirim")
    assert bps.status_code == 403 and "Kirim data" in bps.text
    plugin.app.dependency_overrides.clear()
    assert TestClient(plugin.app, root_path="/desa-cantik").get("/kirim").status_code == 401


def test_empty_and_missing_file_get_a_plain_message(plugin: ModuleType) -> None:
    c = as_user(plugin, "op-desa")
    r = send(c, DESA, "kependudukan", b"", "kosong.csv")
    assert r.status_code == 400 and "kosong" in r.text
    r = c.post("/kirim", data={"pengirim": DESA, "dataset": "kependudukan"}, follow_redirects=False)
    assert r.status_code == 400 and "Pilih berkas" in r.text
    huge = send(c, DESA, "kependudukan", b"0" * (21 * 1024 * 1024), "besar.csv")
    assert huge.status_code == 413 and "lebih besar dari batas 20 MB" in huge.text
    # the same body without a length (chunked): counted as it arrives, refused past the limit, not spooled whole
    built = c.build_request("POST", "/kirim", data={"pengirim": DESA, "dataset": "kependudukan"},
                            files={"berkas": ("besar.csv", b"0" * (21 * 1024 * 1024))})
    body = built.read()
    chunks = (body[i:i + 1024 * 1024] for i in range(0, len(body), 1024 * 1024))
    chunked = c.post("/kirim", content=chunks, headers={"content-type": built.headers["content-type"]},
                     follow_redirects=False)
    assert chunked.status_code == 413 and "lebih besar dari batas 20 MB" in chunked.text
    assert Runtime.from_env().store.list("") == [], "nothing kept of a refused upload"


@pytest.mark.parametrize("name", sorted(json.loads((CORPUS / "expected.json").read_text(encoding="utf-8"))))
def test_page_and_cli_give_the_same_report(plugin: ModuleType, name: str, capsys: pytest.CaptureFixture[str]) -> None:
    """The messy-file corpus through the page and through ``python -m desa_cantik validate``: the same text."""
    dataset = json.loads((CORPUS / "expected.json").read_text(encoding="utf-8"))[name]["dataset"]
    user, sender = ("op-dinkes", "35.07-DINKES") if dataset == "kesehatan_anak" else ("op-desa", DESA)
    if dataset not in ("kesehatan_anak", "kependudukan", "fasilitas"):
        pytest.skip(f"{dataset} is not sent by an operator")
    c = as_user(plugin, user)
    r = send(c, sender, dataset, (CORPUS / name).read_bytes(), name)
    assert r.status_code == 303, r.text
    page = c.get(r.headers["location"].removeprefix("/desa-cantik") + "/laporan.txt").text
    region = DESA if sender == DESA else "35.07"
    capsys.readouterr()
    code = main(["validate", str(CORPUS / name), "--dataset", dataset, "--tahun", str(TAHUN), "--region", region])
    assert code in (0, 1, 2)
    assert page == capsys.readouterr().out

