"""A crowd on Kirim data (issue 20.6): 20 village operators uploading at once while BPS, Bappeda and the auditor
read pages, on a real ``airflow api-server`` (FAB, the plugin; tests/airflow_server.py).

Used by ``benchmarks/bench_kirim_ramai.py`` (the table) and ``tests/test_kirim_ramai.py`` (the targets):

- ``deployment(home)``: an embedded Kabupaten Malang tier whose warehouse holds the generated, gated files of
  Donomulyo (35.07.01) and Pagak (35.07.03), 20 desa, so the page's level 2-4 rules have references; the
  operators' files (the desa's generated kependudukan file, DITERIMA; a one-row CSV with a negative birth count,
  DITOLAK) and the environment for the server.
- ``operators(server, desa)``: one ``operator_desa`` account per desa (``scripts/peran.py sync --pengguna``).
- ``crowd(server, ...)``: for ``durasi`` seconds each operator thinks 0.5-1.5 s and uploads (good and bad in turn),
  timed from the ``POST /desa-cantik/kirim`` to its report page received (303 followed) and checked for its verdict;
  each reader loads a page every 2 s; the api-server's RSS (its process and children) is sampled each second.
- ``lost(server, rt, result)``: what the crowd sent that is not where it should be: in the operator's *Berkas
  saya*, its record kept, and (when not rejected) its inbox copy with the sha256 sent.
- ``ungated(rt, result)``: the gate run over the inbox afterwards (plan, collect, validate, store, as the hourly
  DAG's tasks call them): every queued upload must be in ``berkas_masuk`` under its inbox key with its sha256.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import random
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import httpx

from .airflow_server import ROOT, AirflowServer

if TYPE_CHECKING:
    from desa_cantik.cycle.runtime import Runtime

TAHUN = 2025
WILAYAH = "35.07"
KECAMATAN = ("35.07.01", "35.07.03")  # Donomulyo and Pagak: 10 desa each
DATASET = "kependudukan"
SANDI = "ramai-demo"
PEMBACA = ("bps", "bappeda", "auditor")
HALAMAN = ("/desa-cantik/pantau", "/desa-cantik/temuan", "/desa-cantik/pantau/wilayah/35.07.01",
           "/desa-cantik/indikator")
BACA_S = 2.0  # a reader loads a page this often
PIKIR_S = (0.5, 1.5)  # an operator's think time between uploads


@dataclass(frozen=True)
class Berkas:
    nama: str
    data: bytes
    verdict: str  # what its report must say: DITERIMA | DITOLAK


@dataclass(frozen=True)
class Deployment:
    rt: Runtime
    env: dict[str, str]
    berkas: dict[str, tuple[Berkas, Berkas]]  # desa -> (good, bad)


@dataclass(frozen=True)
class Kirim:
    username: str
    pengirim: str
    ident: str
    sha256: str
    verdict: str
    detik: float


@dataclass
class Hasil:
    kiriman: list[Kirim] = field(default_factory=list)
    halaman: list[float] = field(default_factory=list)
    galat: list[str] = field(default_factory=list)
    rss_mb: list[float] = field(default_factory=list)
    durasi: float = 0.0

    def ringkas(self) -> dict[str, float]:
        up = sorted(k.detik for k in self.kiriman) or [float("nan")]
        pg = sorted(self.halaman) or [float("nan")]
        return {"uploads": len(self.kiriman), "per_min": round(len(self.kiriman) / self.durasi * 60, 1),
                "p50_s": round(statistics.median(up), 2), "p95_s": round(pct(up, 95), 2),
                "max_s": round(up[-1], 2), "pages": len(self.halaman), "pages_p50_s": round(statistics.median(pg), 2),
                "pages_p95_s": round(pct(pg, 95), 2), "rss_max_mb": round(max(self.rss_mb, default=0.0)),
                "errors": len(self.galat)}


def pct(sorted_values: list[float], p: float) -> float:
    """The p-th percentile (nearest rank) of sorted values."""
    rank = max(1, round(p / 100 * len(sorted_values) + 0.4999))
    return sorted_values[min(rank, len(sorted_values)) - 1]


def deployment(home: Path) -> Deployment:
    """The tier with 20 desa gated (references for levels 2-4) and each desa's good and bad file."""
    from desa_cantik.synthetic import generate
    from desa_cantik.template import contoh_csv

    from .stages import embedded_with_uploads, gate_and_store

    for kec in KECAMATAN:
        generate(kec, TAHUN, home / "kiriman", seed=11, error_rate=0.0)
    rt = embedded_with_uploads(home / "desa", home / "kiriman", WILAYAH)
    gate_and_store(rt, "manual__2026-03-01T08:00:00+00:00")
    berkas = {}
    for folder in sorted((home / "kiriman" / DATASET).iterdir()):
        [good] = list(folder.iterdir())
        csv, _ = contoh_csv(folder.name, DATASET, TAHUN)
        header, row = csv.decode().splitlines()
        bad = ",".join("-5" if h == "kelahiran" else v for h, v in zip(header.split(","), row.split(","), strict=True))
        berkas[folder.name] = (Berkas(good.name, good.read_bytes(), "DITERIMA"),
                               Berkas(f"{DATASET}_salah.csv", f"{header}\n{bad}\n".encode(), "DITOLAK"))
    env = {"DESA_CANTIK_HOME": str(home / "desa"), "DESA_CANTIK_WILAYAH": WILAYAH,
           "DESA_CANTIK_GUDANG": f"sqlite:///{home / 'desa' / 'gudang.sqlite'}",
           "AIRFLOW__FAB__AUTH_RATE_LIMIT": "1000 per 40 second"}  # 23 logins at once
    return Deployment(rt, env, berkas)


def operators(server: AirflowServer, desa: list[str], home: Path) -> dict[str, str]:
    """An operator_desa account per desa (``scripts/peran.py sync --pengguna``): username -> desa."""
    names = {f"ramai-{d.replace('.', '')}": d for d in desa}
    csv = home / "pengguna_ramai.csv"
    csv.write_text("username,nama_depan,nama_belakang,email,peran,kode_wilayah,kata_sandi\n" + "".join(
        f"{u},Operator,{d},{u}@demo.desacantik.invalid,operator_desa,{d},{SANDI}\n" for u, d in names.items()),
        encoding="utf-8")
    subprocess.run([sys.executable, str(ROOT / "scripts" / "peran.py"), "sync", "--pengguna", str(csv)],
                   env=server.env, check=True, capture_output=True, cwd=ROOT, timeout=300)
    server.passwords.update(dict.fromkeys(names, SANDI))
    return names


def _rss_mb(port: int) -> float:
    """RSS of the api-server listening on ``port``: its process and every child (uvicorn workers, pools), from /proc."""
    procs: dict[int, tuple[int, str, int]] = {}  # pid -> (parent, command line, resident pages)
    for d in Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        try:
            stat = (d / "stat").read_text()
            cmd = (d / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            pages = int((d / "statm").read_text().split()[1])
        except OSError:
            continue
        procs[int(d.name)] = (int(stat.rsplit(")", 1)[1].split()[1]), cmd, pages)
    # "airflow api_server -- host:… port:N" once it has set its title, "… api-server … -p N" before
    roots = [p for p, (_, cmd, _) in procs.items() if ("api_server" in cmd and f"port:{port}" in cmd)
             or ("api-server" in cmd and f" {port}" in cmd)]
    tree, grew = set(roots), True
    while grew:
        more = {p for p, (parent, _, _) in procs.items() if parent in tree} - tree
        tree |= more
        grew = bool(more)
    return sum(procs[p][2] for p in tree) * os.sysconf("SC_PAGE_SIZE") / 2**20


async def _operator(client: httpx.AsyncClient, user: str, desa: str, files: tuple[Berkas, Berkas], until: float,
                    hasil: Hasil, rng: random.Random) -> None:
    turn = rng.randrange(2)
    await asyncio.sleep(rng.uniform(0, PIKIR_S[1]))
    while time.perf_counter() < until:
        f = files[turn % 2]
        turn += 1
        start = time.perf_counter()
        try:
            r = await client.post("/desa-cantik/kirim", data={"pengirim": desa, "dataset": DATASET},
                                  files={"berkas": (f.nama, f.data)})
        except httpx.HTTPError as exc:
            hasil.galat.append(f"{user}: {type(exc).__name__} {exc}")
            continue
        took = time.perf_counter() - start
        parts = str(r.url).rsplit("/kirim/berkas/", 1)
        if r.status_code != 200 or len(parts) != 2 or f"<b>{f.verdict}" not in r.text:
            hasil.galat.append(f"{user}: {r.status_code} {r.url} {r.text[:300]!r}")
        else:
            pengirim, ident = parts[1].split("/", 1)
            hasil.kiriman.append(Kirim(user, pengirim, ident, hashlib.sha256(f.data).hexdigest(), f.verdict, took))
        await asyncio.sleep(rng.uniform(*PIKIR_S))


async def _reader(client: httpx.AsyncClient, user: str, until: float, hasil: Hasil, rng: random.Random) -> None:
    await asyncio.sleep(rng.uniform(0, BACA_S))
    i = rng.randrange(len(HALAMAN))
    while time.perf_counter() < until:
        tick = time.perf_counter()
        path = HALAMAN[i % len(HALAMAN)]
        i += 1
        try:
            r = await client.get(path)
        except httpx.HTTPError as exc:
            hasil.galat.append(f"{user} {path}: {type(exc).__name__} {exc}")
            continue
        if r.status_code != 200:
            hasil.galat.append(f"{user} {path}: {r.status_code} {r.text[:200]!r}")
        hasil.halaman.append(time.perf_counter() - tick)
        await asyncio.sleep(max(0.0, BACA_S - (time.perf_counter() - tick)))


def crowd(server: AirflowServer, names: dict[str, str], berkas: dict[str, tuple[Berkas, Berkas]], durasi: float,
          seed: int = 20) -> Hasil:
    """The operators and the readers for ``durasi`` seconds (each upload under way is finished), RSS sampled."""
    port = int(server.url.rsplit(":", 1)[1])
    hasil = Hasil()
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            hasil.rss_mb.append(_rss_mb(port))
            stop.wait(1.0)

    tokens = {u: server.token(u) for u in [*names, *PEMBACA]}

    async def run() -> None:
        limits = httpx.Limits(max_connections=None, max_keepalive_connections=None)
        clients = {u: httpx.AsyncClient(base_url=server.url, timeout=120, follow_redirects=True, limits=limits,
                                        headers={"Authorization": f"Bearer {t}"}) for u, t in tokens.items()}
        for u, c in clients.items():  # each operator opens the form once (the first starts the plugin's GX warm-up)
            if u in names:
                (await c.get("/desa-cantik/kirim")).raise_for_status()
        user, desa = next(iter(names.items()))  # one upload answered: the warm-up (GX, references) is over
        f = berkas[desa][0]
        (await clients[user].post("/desa-cantik/kirim", data={"pengirim": desa, "dataset": DATASET},
                                  files={"berkas": (f.nama, f.data)})).raise_for_status()
        until = time.perf_counter() + durasi
        rng = random.Random(seed)
        start = time.perf_counter()
        await asyncio.gather(
            *(_operator(clients[u], u, d, berkas[d], until, hasil, random.Random(rng.random())) for u, d in names.items()),
            *(_reader(clients[u], u, until, hasil, random.Random(rng.random())) for u in PEMBACA))
        hasil.durasi = time.perf_counter() - start
        for c in clients.values():
            await c.aclose()

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        asyncio.run(run())
    finally:
        stop.set()
        sampler.join()
    return hasil


def lost(server: AirflowServer, rt: Runtime, hasil: Hasil) -> list[str]:
    """Every upload of the crowd that is missing from Berkas saya, its kept record, or the inbox with its sha256."""
    from desa_cantik.storage import NotFound, layout

    out: list[str] = []
    if len({(k.pengirim, k.ident) for k in hasil.kiriman}) != len(hasil.kiriman):
        out.append("two uploads answered with one report")
    for user in sorted({k.username for k in hasil.kiriman}):
        page = server.get("/desa-cantik/kirim/berkas", user, timeout=120).text
        out += [f"{user}: {k.ident} not in Berkas saya" for k in hasil.kiriman if k.username == user
                and f"{k.pengirim}/{k.ident}" not in page]
    for k in hasil.kiriman:
        try:
            record = json.loads(rt.store.get(layout.submitted_record(TAHUN, k.pengirim, k.ident)))
        except NotFound:
            out.append(f"{k.pengirim}/{k.ident}: no record")
            continue
        if record["sha256"] != k.sha256:
            out.append(f"{k.pengirim}/{k.ident}: record sha256 {record['sha256'][:12]} != sent {k.sha256[:12]}")
        inbox = record["kunci_masuk"]
        if (inbox is None) != (k.verdict == "DITOLAK"):
            out.append(f"{k.pengirim}/{k.ident}: verdict {k.verdict} but inbox {inbox}")
        elif inbox and hashlib.sha256(rt.store.get(inbox)).hexdigest() != k.sha256:
            out.append(f"{k.pengirim}/{k.ident}: inbox copy {inbox} is not the file sent")
    return out


def ungated(rt: Runtime, hasil: Hasil) -> list[str]:
    """Every queued upload the gate did not record (its inbox key and sha256 in ``berkas_masuk``) after one gate run."""
    from desa_cantik.storage import get_many, layout

    from .stages import gate_and_store

    gate_and_store(rt, "ramai__gerbang")
    judged = rt.warehouse.table_frame("berkas_masuk")
    seen = set(zip(judged["kunci_masuk"], judged["sha256"], strict=True))
    records = get_many(rt.store, [layout.submitted_record(TAHUN, k.pengirim, k.ident) for k in hasil.kiriman])
    out = []
    for k, raw in zip(hasil.kiriman, records, strict=True):
        inbox = json.loads(raw)["kunci_masuk"]
        if inbox and (inbox, k.sha256) not in seen:
            out.append(f"{k.pengirim}/{k.ident}: {inbox} not gated")
    return out
