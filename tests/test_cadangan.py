"""Backup and restore (``python -m desa_cantik cadangan``), run for real.

Fast (PostgreSQL + the S3 server, the stages called directly): a tier's year backed up, the deployment destroyed
(databases dropped, bucket emptied, keys deleted), restored into a fresh one; every table's fingerprint, every
object's sha256 and the keys are the original's, and the restored inbox is not taken for new files. A damaged
backup is refused before anything is written. docker/README.md's steps call commands this release has. The drill
through Airflow is ``test_cadangan_drill.py``.
"""

from __future__ import annotations

import hashlib
import os
import re
import shlex
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa

from desa_cantik.bags import generate_key
from desa_cantik.cadangan import manifes, objek
from desa_cantik.cadangan.langkah import Tujuan, buat, periksa, pulihkan
from desa_cantik.cadangan.objek import CadanganRusak
from desa_cantik.cycle.coordinate import coordinate
from desa_cantik.cycle.cross_check import cross_check
from desa_cantik.cycle.inbox import plan_batches, upload_folder
from desa_cantik.cycle.publish import publish
from desa_cantik.cycle.runtime import Runtime
from desa_cantik.storage import MinioStore, migrasi

from . import stages
from .conftest import ROOT, SMALL_REGION, TAHUN

RUN = "uji__2026-03-31"


@dataclass
class Tier:
    env: dict[str, str]
    dbs: tuple[str, str]  # warehouse, "Airflow" metadata

    def runtime(self) -> Runtime:
        return Runtime.from_env(self.env)

    def tujuan(self) -> Tujuan:
        return Tujuan.from_env(self.env)


def _objects(rt: Runtime) -> dict[str, str]:
    return {o.key: hashlib.sha256(rt.store.get(o.key)).hexdigest() for o in rt.store.list("")}


def _create(admin: sa.Engine, *names: str) -> None:
    with admin.connect() as conn:
        for name in names:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))


@pytest.fixture
def tier(tmp_path: Path, pg_admin: sa.Engine, s3_server: str, small_generated: Path) -> Iterator[Tier]:
    """A kecamatan's closed year on PostgreSQL + S3, with a signing key and an 'Airflow' database beside it."""
    dbs = (f"dc_cad_{uuid.uuid4().hex[:8]}", f"dc_cad_af_{uuid.uuid4().hex[:8]}")
    _create(pg_admin, *dbs)
    url = pg_admin.url.set(drivername="postgresql+psycopg2")
    env = {"DESA_CANTIK_HOME": str(tmp_path / "tingkat"), "DESA_CANTIK_WILAYAH": SMALL_REGION,
           "DESA_CANTIK_GUDANG": url.set(database=dbs[0]).render_as_string(hide_password=False),
           "DESA_CANTIK_OBJEK": f"s3://uji:rahasia-uji@{s3_server}/dc-{uuid.uuid4().hex[:8]}?region=us-east-1",
           "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": url.set(database=dbs[1]).render_as_string(hide_password=False)}
    t = Tier(env, dbs)
    migrasi.upgrade(env["DESA_CANTIK_GUDANG"])
    with sa.create_engine(env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"]).begin() as conn:  # a stand-in metadata table
        conn.execute(sa.text("CREATE TABLE dag_run (id serial primary key, run_id text)"))
        conn.execute(sa.text("INSERT INTO dag_run (run_id) VALUES ('a'), ('b'), ('c')"))
    rt = t.runtime()
    upload_folder(rt.store, small_generated, TAHUN)
    stages.gate_and_store(rt, RUN)
    cross_check(rt, RUN)
    coordinate(rt)
    generate_key(rt.settings.kunci, rt.settings.kode_paket)
    (rt.settings.kunci / "kunci_publik").mkdir()
    (rt.settings.kunci / "kunci_publik" / "35.08.pub").write_bytes(b"-----BEGIN PUBLIC KEY-----\nanak\n")
    publish(rt, "2026-03-31T23:59:00+07:00")
    yield t
    with pg_admin.connect() as conn:
        for name in dbs:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def _destroy(t: Tier, admin: sa.Engine) -> None:
    """What a lost server leaves: empty databases, an empty bucket (then none), no keys."""
    rt = t.runtime()
    store = rt.store
    assert isinstance(store, MinioStore)
    for o in list(store.client.list_objects(store.bucket, recursive=True)):
        store.client.remove_object(store.bucket, str(o.object_name))
    store.client.remove_bucket(store.bucket)
    shutil.rmtree(rt.settings.kunci)
    _create(admin, *t.dbs)


@pytest.mark.integration
def test_a_restored_tier_is_the_original_table_by_table_and_object_by_object(tier: Tier, tmp_path: Path,
                                                                              pg_admin: sa.Engine) -> None:
    rt = tier.runtime()
    before, objects = rt.warehouse.fingerprint(ignore=(), activity=True), _objects(rt)
    keys = {p.relative_to(rt.settings.kunci): p.read_bytes() for p in rt.settings.kunci.rglob("*") if p.is_file()}
    folder = tmp_path / "cadangan"
    fakta = buat(folder, tier.tujuan())
    assert fakta["gudang"]["sidik"] == before and fakta["airflow"] is not None
    assert fakta["airflow"]["baris"] == {"dag_run": 3}
    assert fakta["objek"]["jumlah"] == len(objects) and fakta["objek"]["isi_unik"] < len(objects)  # archive = inbox bytes
    assert sorted(fakta["kunci"]) == ["35.07.01.key", "35.07.01.pub", "kunci_publik/35.08.pub"]
    assert oct(folder.stat().st_mode & 0o777) == "0o700" and periksa(folder) == []
    check = subprocess.run(["sha256sum", "-c", "--quiet", manifes.SUMS], cwd=folder, capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr  # checkable without this project

    _destroy(tier, pg_admin)
    done = pulihkan(folder, tier.tujuan())
    assert any("semua sha256 cocok" in line for line in done), done
    rt = tier.runtime()
    assert rt.warehouse.fingerprint(ignore=(), activity=True) == before
    assert {k: v for k, v in _objects(rt).items() if not k.startswith("pemulihan/")} == objects
    assert {p.relative_to(rt.settings.kunci): p.read_bytes() for p in rt.settings.kunci.rglob("*") if p.is_file()} == keys
    assert oct((rt.settings.kunci / "35.07.01.key").stat().st_mode & 0o777) == "0o600"
    with sa.create_engine(tier.env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"]).connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM dag_run")).scalar_one() == 3

    # the restored inbox is not new to the gate; a file sent after the restore is
    assert plan_batches(rt) == []
    desa = f"{SMALL_REGION}.2001"
    rt.store.put(f"masuk/{TAHUN}/kependudukan/{desa}/perbaikan.csv", b"kode_desa\n")
    [batch] = plan_batches(rt)
    assert batch["jenis"] == "berkas" and [o["kunci"] for o in batch["objek"]] == [
        f"masuk/{TAHUN}/kependudukan/{desa}/perbaikan.csv"]

    # restoring again into a deployment that is no longer fresh is refused, nothing written
    with pytest.raises(CadanganRusak, match="tidak kosong"):
        pulihkan(folder, tier.tujuan())


@pytest.mark.integration
def test_a_damaged_backup_is_refused_before_anything_is_written(tier: Tier, tmp_path: Path, pg_admin: sa.Engine) -> None:
    folder = tmp_path / "cadangan"
    buat(folder, tier.tujuan())
    digest = objek.entries(folder)[0]["sha256"]
    damaged = objek.blob(folder, digest)
    damaged.write_bytes(damaged.read_bytes() + b"x")
    (folder / "catatan.txt").write_text("tambahan")
    problems = periksa(folder)
    assert f"objek/{digest[:2]}/{digest}: isinya berubah (sha256 tidak cocok)" in problems
    assert f"isi objek {digest} rusak (sha256 tidak cocok)" in problems
    assert "catatan.txt: tidak tercatat di SHA256SUMS" in problems
    _destroy(tier, pg_admin)
    with pytest.raises(CadanganRusak, match="Cadangan tidak utuh, tidak ada yang dipulihkan"):
        pulihkan(folder, tier.tujuan())
    with sa.create_engine(tier.env["DESA_CANTIK_GUDANG"]).connect() as conn:
        assert sa.inspect(conn).get_table_names() == []
    # the command line says the same in Indonesian, exit 1, no traceback
    out = subprocess.run([sys.executable, "-m", "desa_cantik", "cadangan", "periksa", str(folder)],
                         env={**os.environ, **tier.env}, capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 1 and "3 masalah" in out.stdout and "Traceback" not in out.stderr, out.stdout + out.stderr


def test_the_docker_readme_calls_what_this_release_has() -> None:
    """docker/README.md's backup, restore and upgrade run ``python -m desa_cantik cadangan`` inside the image (no
    Docker engine here): every such call parses with this release's command line, and each step is there."""
    from desa_cantik.cli import _parser

    text = (ROOT / "docker" / "README.md").read_text(encoding="utf-8")
    calls = re.findall(r"python -m desa_cantik (cadangan [^'\n]*?)\s*(?:'|>&2|&&|$)", text, re.M)
    steps = set()
    for call in calls:
        args = _parser().parse_args(shlex.split(call))
        steps.add(args.langkah)
        assert args.folder == Path("/tmp/c"), call
    assert steps == {"buat", "pulihkan", "banding"}, calls
    for part in ("pg_dump -U airflow -Fc gudang", "pg_dump -U airflow -Fc airflow", "--role=walidata",
                 "sha256sum -c --quiet SHA256SUMS", "cp .env \"$d/rahasia.env\""):
        assert part in text, part
