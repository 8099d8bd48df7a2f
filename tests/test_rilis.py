"""Releases: one version (pyproject, the package, the changelog, ``versi``), and an upper tier of this release
collecting the previous release's packages while refusing a newer format with both versions named.

The mixed chain runs the previous release (tag ``v0.1.0``, commit e32b6bd) for real: its files taken from git, its own
command line (``generate``, ``upload``, ``keygen``) and stages (``tests/rilis_lama.py``) as the kabupaten/kota child in
a process of its own, sending its signed package to the S3 bucket of a province running this release on PostgreSQL.
"""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
import tarfile
import tomllib
from pathlib import Path

import pandas as pd
import pytest

import desa_cantik
from desa_cantik.bags import FORMAT, RELEASE, BagRelease, make_bag
from desa_cantik.cli import main
from desa_cantik.cycle.coordinate import coordinate
from desa_cantik.cycle.runtime import Runtime
from desa_cantik.cycle.summary import format_summary, summary
from desa_cantik.kosakata import DITERIMA, DITOLAK
from desa_cantik.pantau import halaman_paket
from desa_cantik.regions import desa_table
from desa_cantik.storage import layout

from . import stages
from .conftest import ROOT, TAHUN

PREVIOUS = ("v0.1.0", "e32b6bd")  # the previous release's tag, and its commit for a clone without tags
CHILD = "35.72"  # Kota Blitar: 21 kelurahan
CLOSE = "2026-03-31T23:59:00+07:00"  # the Daftar Data's deadline: the child's yearly run


def test_the_release_is_one_version_everywhere(capsys: pytest.CaptureFixture[str]) -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["version"] == desa_cantik.__version__ == RELEASE == "0.2.0"
    compose = (ROOT / "docker" / "docker-compose.yml").read_text()
    assert set(re.findall(r"image: desa-cantik:\$\{DESA_CANTIK_VERSI:-([^}]+)\}", compose)) == {RELEASE}
    assert re.search(rf"^DESA_CANTIK_VERSI={re.escape(RELEASE)}\s", (ROOT / "docker" / ".env.example").read_text(), re.M)
    changelog = (ROOT / "CHANGELOG.md").read_text()
    sections = re.findall(r"^## \[([^\]]+)\]", changelog, flags=re.M)
    assert sections[:2] == ["Unreleased", RELEASE], "the newest release has its section under Unreleased"
    assert "0.1.0" in sections
    assert main(["versi"]) == 0
    said = capsys.readouterr().out
    assert said.splitlines()[:2] == [f"Desa Cantik rilis {RELEASE}",
                                     f"Format paket yang ditulis: {FORMAT} (diterima dari tingkat bawah: format 1 dan 2)"]
    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0 and capsys.readouterr().out == said


# --- the previous release as a child tier ---------------------------------------------------------------


def _previous_release(into: Path) -> Path:
    """The previous release's code, config and suites as git holds them (``git archive``), extracted under ``into``."""
    if not (ROOT / ".git").exists():
        pytest.skip("bukan checkout git: rilis sebelumnya diambil dari riwayat git")
    for rev in PREVIOUS:
        found = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}"],
                               capture_output=True, text=True)
        if found.returncode == 0:
            break
    else:
        pytest.fail(f"rilis sebelumnya tidak ada di riwayat git ({' / '.join(PREVIOUS)}): klon dengan riwayat penuh")
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", found.stdout.strip(), "include", "config", "expectations"],
                             capture_output=True, check=True).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    return into


def _old(code: Path, env: dict[str, str], *args: str) -> str:
    """A command of the previous release, in a process of its own (the same venv, its own package first)."""
    done = subprocess.run([sys.executable, *args], cwd=code, env={**env, "PYTHONPATH": str(code / "include")},
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, f"{args}: {done.stderr[-3000:]}"
    return done.stdout


@pytest.mark.integration
def test_a_province_of_this_release_collects_the_previous_release_and_refuses_a_newer_format(
        tmp_path: Path, pg_gudang: str, s3_url: str) -> None:
    code = _previous_release(tmp_path / "rilis-lama")
    child_home = tmp_path / "kab"
    child_env = {k: v for k, v in os.environ.items() if not k.startswith("DESA_CANTIK_")} | {
        "DESA_CANTIK_HOME": str(child_home), "DESA_CANTIK_TINGKAT": "kabupaten", "DESA_CANTIK_WILAYAH": CHILD,
        "DESA_CANTIK_GUDANG": f"sqlite:///{child_home / 'gudang.sqlite'}", "DESA_CANTIK_OBJEK": f"file://{child_home / 'objek'}",
        "DESA_CANTIK_KUNCI": str(child_home / "kunci"), "DESA_CANTIK_RETRIES": "0"}
    prov = Runtime.from_env({"DESA_CANTIK_HOME": str(tmp_path / "prov"), "DESA_CANTIK_TINGKAT": "provinsi",
                             "DESA_CANTIK_WILAYAH": "35", "DESA_CANTIK_GUDANG": pg_gudang, "DESA_CANTIK_OBJEK": s3_url,
                             "DESA_CANTIK_KUNCI": str(tmp_path / "prov" / "kunci")})

    # the child, all of it the previous release: data, upload, its key (registered at the province), the cycle
    kiriman = tmp_path / "kiriman"
    _old(code, child_env, "-m", "desa_cantik", "generate", "--region", CHILD, "--tahun", str(TAHUN), "--out",
         str(kiriman), "--seed", "20", "--error-rate", "0.1")
    _old(code, child_env, "-m", "desa_cantik", "upload", str(kiriman), "--tahun", str(TAHUN))
    _old(code, child_env, "-m", "desa_cantik", "keygen")
    registry = prov.settings.kunci / "kunci_publik"
    registry.mkdir(parents=True)
    (registry / f"{CHILD}.pub").write_bytes((child_home / "kunci" / f"{CHILD}.pub").read_bytes())
    ran = json.loads(_old(code, child_env, str(ROOT / "tests" / "rilis_lama.py"), s3_url, CLOSE).splitlines()[-1])
    assert ran["rilis"] == "0.1.0" and Path(ran["modul"]).is_relative_to(code), "the child ran the previous release"
    versi = ran["versi"]
    inbox = layout.package_inbox(TAHUN, CHILD, versi)
    sent = {o.key.removeprefix(inbox + "/"): prov.store.get(o.key) for o in prov.store.list(inbox + "/")}
    assert "Versi-Format-Paket" not in sent["bag-info.txt"].decode(), "format 1: no format field at all"

    # this release's province collects it: accepted whole, its components stored, the indicators right
    stages.gate_and_store(prov, "scheduled__2026-04-01")
    got = prov.warehouse.deliveries(TAHUN).set_index("versi")
    components = pd.read_csv(io.BytesIO(sent["data/komponen_desa.csv"]), dtype={"kode_desa": str})
    assert got.loc[versi, "status"] == DITERIMA and pd.isna(got.loc[versi, "alasan"])
    assert got.loc[versi, "baris_komponen"] == len(components) > 0
    stored = prov.warehouse.components(TAHUN, CHILD)
    assert len(stored) == len(components) and set(stored["versi"]) == {versi}
    assert stored["pembilang"].sum() == pytest.approx(components["pembilang"].sum())
    coordinate(prov)
    truth = pd.read_csv(kiriman / "_kebenaran" / "kependudukan.csv", dtype={"kode_desa": str})
    ind = prov.warehouse.table_frame("indikator").set_index(["tingkat", "kode_wilayah", "indikator"])
    assert ind.loc[("kabupaten", CHILD, "jumlah_penduduk"), "nilai"] == truth["jumlah_penduduk"].sum()
    assert ind.loc[("kabupaten", CHILD, "jumlah_penduduk"), "desa_kontribusi"] == len(truth)
    assert ind.loc[("kabupaten", CHILD, "jumlah_penduduk"), "desa_total"] == len(desa_table(CHILD))

    # a bag of a newer format, signed with the child's own key (only the format is wrong), is refused naming both
    newer = "20260402T010000Z"
    info = dict(line.split(": ", 1) for line in sent["bag-info.txt"].decode().splitlines())
    info |= {"Dibuat-Pada": "2026-04-02T08:00:00+07:00", "Versi-Format-Paket": "3", "Versi-Rilis": "0.4.0"}
    bag = make_bag({k.removeprefix("data/"): v for k, v in sent.items() if k.startswith("data/")}, info,
                   child_home / "kunci" / f"{CHILD}.key")
    for name, data in sorted(bag.items(), key=lambda kv: kv[0] == "tanda-tangan-ed25519.txt"):  # signature last
        prov.store.put(f"{layout.package_inbox(TAHUN, CHILD, newer)}/{name}", data)
    [validated] = stages.gate_and_store(prov, "scheduled__2026-04-02")
    reason = ("Paket berformat versi 3 (rilis 0.4.0) lebih baru dari yang dapat dibaca tingkat ini (format 2, rilis "
              "0.2.0): perbarui deployment tingkat ini.")
    assert validated["alasan"] == {f"{CHILD}-{newer}": reason}, "tinjau_penolakan's list"
    got = prov.warehouse.deliveries(TAHUN).set_index("versi")
    assert got.loc[newer, "status"] == DITOLAK and got.loc[newer, "alasan"] == reason
    assert set(prov.warehouse.components(TAHUN, CHILD)["versi"]) == {versi}, "the accepted version is still used"

    # where the province's staff look: the Paket page (the release each child runs, the refusal) and the summary
    page = halaman_paket(prov.warehouse, prov.store, TAHUN, "provinsi", "35", "35", len(CHILD))
    [blitar] = [a for a in page.anak if a.kode == CHILD]
    assert blitar.rilis == BagRelease(1, "0.1.0")
    assert {v.versi: (v.status, v.alasan, v.dipakai) for v in blitar.versi} == {
        versi: (DITERIMA, None, True), newer: (DITOLAK, reason, False)}
    assert f"pengiriman {CHILD} Kota Blitar: versi {versi} (1 versi), 1 ditolak" in format_summary(summary(prov))
