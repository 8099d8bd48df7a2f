"""The upper tiers' side of stages 1-2: collect and verify the signed packages their children send.

A package is accepted only if every path in it stays inside the bag, it is complete and untampered
(BagIt sha256), signed by a registered child, for this cycle, its version is its signed creation time
(not in the future, newer than what was accepted from that child), and its components pass their own
suite (``expectations/paket/komponen_desa.json``: columns, keys, region, indicator codes, ranges).
Otherwise it is refused with its reason in ``pengiriman_paket`` and stays archived, never merged; a
malformed package is a refusal, never a crashed batch.
"""

from __future__ import annotations

import hashlib
import io
import logging
import re
from collections import Counter
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import pandas as pd
from sqlalchemy.exc import SQLAlchemyError

from ..bags import SENDER_CODE, SIGNATURE, check_bag, path_problem
from ..coordination import COMPONENT_COLUMNS, master_for
from ..datasets import all_indicators
from ..isolation import judge_isolated
from ..kosakata import DITERIMA, DITOLAK, level_of, within
from ..regions import desa_table, region_name
from ..storage import NotFound, ObjectStore, RestoredTimes, layout, put_many
from . import bundle as b
from .handoff import (
    ARSIP,
    PACKAGE,
    RENCANA,
    VALIDASI,
    ArchivedPackage,
    CollectedPackages,
    PackageBatch,
    PackageObject,
    PackageRef,
    Validated,
)
from .versions import CLOCK_SKEW, VERSION, newest_accepted, plausible_version

if TYPE_CHECKING:
    from .runtime import Runtime

log = logging.getLogger(__name__)

COMPONENTS_FILE = "komponen_desa.csv"
SUITE = "paket/komponen_desa"  # expectations/paket/komponen_desa.json: a package's suite, not a dataset's
UNSAFE_NAMES = "_nama_tidak_sah"  # archive folder for files whose path cannot be a key
# an outage (disk, network, warehouse, memory) fails the task, which Airflow retries: a package is judged only on
# what it holds, and a package refused for an outage would never be checked again
SERVER_ERRORS: tuple[type[BaseException], ...] = (OSError, MemoryError, SQLAlchemyError)
MAX_PACKAGES_PER_BATCH = 64  # the centre's 38 provinces: one batch, one GX run instead of 38 tasks and runs
MAX_PACKAGE_BYTES_PER_BATCH = 384 * 1024 * 1024  # the country's 38 packages are ~190 MB


# --- plan and collect ----------------------------------------------------------------------------------


def _safe_name(name: str, pattern: re.Pattern[str], width: int) -> str:
    """An inbox folder name as keys and the warehouse may hold it; any other name becomes a stand-in."""
    if pattern.fullmatch(name):
        return name
    return "x" + hashlib.sha256(name.encode("utf-8", "surrogateescape")).hexdigest()[:width]


UPLOAD_GRACE = timedelta(minutes=30)


def plan_package_batches(rt: Runtime) -> Iterator[PackageBatch]:
    """The package versions not yet judged (a malformed folder name is judged, refused, too), several to a batch.

    A GX run costs the same for 10 rows or a million and every gate task pays the GX import, so versions share a
    batch up to a bound of packages and bytes; each still gets its own verdict and reason (``validate_packages``).
    """
    prefix = layout.package_inbox_prefix(rt.tahun)
    judged = rt.warehouse.deliveries(rt.tahun)
    seen = set(zip(judged["kode_pengirim"], judged["versi"], strict=True))
    bags: dict[tuple[str, str], list[PackageObject]] = {}
    restored = RestoredTimes.read(rt.store, rt.tahun)  # a restored inbox keeps the times its packages arrived
    for obj in rt.store.list(prefix):
        parts = obj.key[len(prefix):].split("/", 2)
        if len(parts) != 3:
            continue
        group = (_safe_name(parts[0], SENDER_CODE, 12), _safe_name(parts[1], VERSION, 16))
        if group not in seen:
            bags.setdefault(group, []).append(
                {"kunci": obj.key, "ukuran": obj.size, "diterima_pada": layout.iso(restored.received(obj)),
                 "relatif": parts[2]})
    now = datetime.now(UTC)
    ready: list[PackageRef] = [{"pengirim": sender, "versi": versi, "objek": objs}
                               for (sender, versi), objs in sorted(bags.items())
                               if not in_transit(objs, now)]  # the signature is written last: wait, not refuse
    yield from pack_packages(ready, MAX_PACKAGES_PER_BATCH, MAX_PACKAGE_BYTES_PER_BATCH)


def pack_packages(ready: list[PackageRef], max_packages: int, max_bytes: int) -> Iterator[PackageBatch]:
    """Package versions in order, in batches of bounded count and bytes (a larger package is a batch alone)."""
    batch: list[PackageRef] = []
    size = 0
    for ref in ready:
        more = sum(o["ukuran"] for o in ref["objek"])
        if batch and (len(batch) >= max_packages or size + more > max_bytes):
            yield _package_batch(batch)
            batch, size = [], 0
        batch.append(ref)
        size += more
    if batch:
        yield _package_batch(batch)


def package_label(pengirim: str, versi: str) -> str:
    return f"{pengirim}-{versi}"


def _package_batch(refs: list[PackageRef]) -> PackageBatch:
    first, last = (package_label(r["pengirim"], r["versi"]) for r in (refs[0], refs[-1]))
    kelompok = f"paket-{first}" if len(refs) == 1 else f"paket-{first}_{last}"
    return {"versi_serah": RENCANA.tulis, "jenis": PACKAGE, "kelompok": kelompok, "paket": refs}


def in_transit(objs: list[PackageObject], now: datetime, grace: timedelta = UPLOAD_GRACE) -> bool:
    """Unsigned and still being written to within the grace period; after it, an unsigned package is refused."""
    if any(o["relatif"] == SIGNATURE for o in objs):
        return False
    newest = max(datetime.fromisoformat(o["diterima_pada"]) for o in objs)
    return now - newest < grace


def archive_key(base: str, relatif: str) -> str:
    """Where a package file is archived; a path that is not plainly inside the bag gets a stand-in name."""
    if path_problem(relatif) is None:
        return layout.package_archive_file(base, relatif)
    digest = hashlib.sha256(relatif.encode("utf-8", "surrogateescape")).hexdigest()
    return layout.package_archive_file(base, f"{UNSAFE_NAMES}/{digest}")


def _read(store: ObjectStore, keys: list[str]) -> list[bytes | str]:
    """Each object's bytes, or why it cannot be read (e.g. a link out of a folder store)."""
    def one(key: str) -> bytes | str:
        try:
            return store.get(key)
        except NotFound:
            return "berkas hilang dari penyimpanan objek"
        except (ValueError, OSError) as exc:
            return str(exc)[:200]

    with ThreadPoolExecutor(max_workers=8) as pool:
        return list(pool.map(one, keys))


def collect_packages(rt: Runtime, batch: PackageBatch) -> CollectedPackages:
    """Archive every readable file of each received package version as it arrived, one package in memory at a
    time."""
    archived: list[ArchivedPackage] = []
    for ref in batch["paket"]:
        objs = ref["objek"]
        base = layout.package_archive(rt.tahun, ref["pengirim"], ref["versi"])
        datas = _read(rt.store, [o["kunci"] for o in objs])
        put_many(rt.store, [(archive_key(base, o["relatif"]), d) for o, d in zip(objs, datas, strict=True)
                            if isinstance(d, bytes)])
        archived.append({"pengirim": ref["pengirim"], "versi": ref["versi"], "arsip": base,
                         "isi": [o["relatif"] for o in objs], "diterima_pada": max(o["diterima_pada"] for o in objs)})
    return {"versi_serah": ARSIP.tulis, "jenis": PACKAGE, "kelompok": batch["kelompok"], "paket": archived}


# --- versions ------------------------------------------------------------------------------------------


def _version_problem(rt: Runtime, sender: str, versi: str, info: dict[str, str], now: datetime) -> str | None:
    """The version is the signed creation time, not in the future, and not older than what was accepted."""
    raw = info.get("Dibuat-Pada", "")
    try:
        signed = datetime.fromisoformat(raw)
    except ValueError:
        return f"Dibuat-Pada di bag-info.txt tidak terbaca: {raw[:40]!r}"
    if signed.tzinfo is None:
        return f"Dibuat-Pada {raw[:40]!r} tanpa zona waktu"
    if layout.stamp(signed) != versi:
        return f"versi {versi} tidak sama dengan waktu tanda tangan (Dibuat-Pada {layout.stamp(signed)})"
    if signed > now + CLOCK_SKEW:
        return (f"versi {versi} dari masa depan (jam penerima {layout.stamp(now)}, "
                f"toleransi {CLOCK_SKEW.seconds // 60} menit)")
    newest = newest_accepted(rt, sender, now)
    if newest is not None and versi < newest:
        return f"versi {versi} lebih lama dari versi {newest} yang sudah diterima"
    return None


# --- content -------------------------------------------------------------------------------------------


def _suite_reason(result: Any, sender: str) -> str | None:
    """The failed rules of the components' suite, each with its row count (missing columns alone first)."""
    failed = [er for er in result.results if not er.success]
    missing = [er for er in failed if er.expectation_config.type == "expect_column_to_exist"]
    notes = []
    for er in missing or failed:
        meta = er.expectation_config.meta
        count = (er.result or {}).get("unexpected_count")
        rows = f"{count} baris " if count else ""
        notes.append(f"{meta['aturan']}: {rows}{meta['pesan'].replace('{pengirim}', sender)}")
    if not notes:
        return None
    return "komponen tidak sah: " + "; ".join(sorted(set(notes)))


def _checked(frame: pd.DataFrame, sender: str) -> pd.DataFrame:
    """The components with the suite's derived columns; membership in the sender's master list is one of them
    (``di_daftar``), not a GX parameter, so a run costs the same for a kota and for East Java."""
    from ..quality import GateContext, derive_columns, load_suite

    checked = frame.copy()
    ratios = {kode for kode, ind in all_indicators().items() if ind.penyebut}
    checked["_punya_penyebut"] = checked["indikator"].isin(ratios) if "indikator" in checked else False
    return derive_columns(checked, load_suite(SUITE), GateContext(0, desa_table(sender)["kode_desa"].tolist()))


def _suite_problem(checked: pd.DataFrame, sender: str) -> str | None:
    from ..quality import load_suite, run_suite

    return _suite_reason(run_suite(checked, load_suite(SUITE), {"kode_indikator": sorted(all_indicators())},
                                   counts_only=True), sender)


def content_problem(frame: pd.DataFrame, sender: str) -> str | None:
    """Run the components' GX suite (ranges, keys, region of the sender, indicator codes). The reason names each
    failed rule with its row count, so GX counts the failing rows without listing them (``counts_only``)."""
    return _suite_problem(_checked(frame, sender), sender)


def content_problems(frames: dict[str, tuple[pd.DataFrame, str]]) -> dict[str, str | None]:
    """``content_problem`` of several packages (label -> (components, sender)) in one GX run where it can.

    Every rule of the suite holds for the rows together only if it holds for each package's rows (each is a rule
    per row, or keys unique, and membership is derived per sender), so one run that passes accepts them all; if it
    fails, each package is run alone for its own reason, word for word what it would get alone. Two versions of one
    sender share their keys, so they go in different joined runs (the k-th version of each sender in the k-th).
    """
    from ..quality import load_suite

    suite = load_suite(SUITE)
    needed = {e["kwargs"]["column"] for e in suite["expectations"] if e["type"] == "expect_column_to_exist"}
    rounds: dict[int, list[str]] = {}
    versions: Counter[str] = Counter()
    for label, (frame, sender) in sorted(frames.items()):
        if needed <= set(frame.columns):
            rounds.setdefault(versions[sender], []).append(label)
            versions[sender] += 1
    grouped = {label for group in rounds.values() for label in group}
    groups = [*rounds.values(), *([label] for label in frames if label not in grouped)]
    found: dict[str, str | None] = {}
    for group in groups:
        found.update(zip(group, judge_isolated(group, lambda label: _suite_problem(_checked(*frames[label]), frames[label][1]),
                                               lambda _, message: message, together=lambda g: _together(g, frames),
                                               what="paket", name=lambda label: frames[label][1], outages=SERVER_ERRORS),
                         strict=True))
    return {label: found[label] for label in frames}


def _together(labels: Sequence[str], frames: dict[str, tuple[pd.DataFrame, str]]) -> list[str | None] | None:
    """Every package passes (None each) if their joined components pass; otherwise no joined answer (None)."""
    if len(labels) < 2:
        return None
    joined = pd.concat([_checked(*frames[label]) for label in labels], ignore_index=True)
    return [None] * len(labels) if _suite_problem(joined, "") is None else None


def _components(payload: dict[str, bytes]) -> tuple[pd.DataFrame, str | None]:
    """The package's components, typed (their suite runs for the whole batch, ``content_problems``), or why not."""
    if COMPONENTS_FILE not in payload:
        return pd.DataFrame(), f"paket tidak berisi data/{COMPONENTS_FILE}"
    try:
        frame = pd.read_csv(io.BytesIO(payload[COMPONENTS_FILE]), dtype={"kode_desa": str, "indikator": str},
                            encoding="utf-8")
    except UnicodeDecodeError:
        return pd.DataFrame(), f"{COMPONENTS_FILE} tidak terbaca: bukan teks UTF-8"
    except pd.errors.EmptyDataError:
        return pd.DataFrame(), f"{COMPONENTS_FILE} tidak terbaca: berkas kosong, tanpa baris judul"
    except Exception as exc:  # a package is data: whatever its bytes do to the reader is a refusal
        return pd.DataFrame(), f"{COMPONENTS_FILE} tidak terbaca sebagai CSV: {type(exc).__name__}: {str(exc)[:150]}"
    frame = frame[[c for c in COMPONENT_COLUMNS if c in frame.columns]].copy()  # extra columns are not loaded
    for col in ("pembilang", "penyebut"):
        if col in frame:
            frame[col] = pd.to_numeric(frame[col], errors="coerce").astype("float64")  # not a number: empty
    return frame, None


# --- the gate ------------------------------------------------------------------------------------------


def _refusal(rt: Runtime, sender: str, info: dict[str, str]) -> str | None:
    """Why a verified bag is still refused: not a child of this tier, or another cycle."""
    if level_of(sender) != rt.tier.child_level or not within(sender, rt.wilayah):
        return f"{sender} bukan wilayah bawahan {rt.settings.tingkat} {rt.settings.kode_paket}"
    if info.get("Siklus", "").split("/")[1:2] != [str(rt.tahun)]:
        return f"paket untuk siklus {info.get('Siklus')}, bukan tahun {rt.tahun}"
    return None


def _name_problem(collected: ArchivedPackage) -> str | None:
    """Folder names and file paths as received, before anything is read."""
    if not SENDER_CODE.fullmatch(collected["pengirim"]) or not VERSION.fullmatch(collected["versi"]):
        return "nama folder kiriman tidak sah: masuk/{tahun}/paket/{kode_wilayah}/{versi seperti 20260331T165900Z}/"
    for rel in sorted(collected["isi"]):
        if (problem := path_problem(rel)) is not None:
            return f"nama berkas tidak sah di paket: {rel[:80]!r} ({problem})"
    return None


def _files(rt: Runtime, collected: ArchivedPackage) -> tuple[dict[str, bytes], str | None]:
    """The archived files of the package; one that could not be archived is read where it arrived, to say why."""
    rels = collected["isi"]
    inbox = layout.package_inbox(rt.tahun, collected["pengirim"], collected["versi"])
    files: dict[str, bytes] = {}
    for rel, data in zip(rels, _read(rt.store, [archive_key(collected["arsip"], r) for r in rels]), strict=True):
        if isinstance(data, str):
            [data] = _read(rt.store, [f"{inbox}/{rel}"])
            if isinstance(data, str):
                return {}, f"berkas {rel} di paket tidak dapat dibaca: {data}"
            rt.store.put(archive_key(collected["arsip"], rel), data)
        files[rel] = data
    return files, None


def _judge(rt: Runtime, collected: ArchivedPackage, now: datetime) -> tuple[pd.DataFrame, str | None]:
    """Names, then bag (signature, checksums), sender and cycle, version, then the components' file: the first
    problem (the content's suite runs after, for the batch)."""
    sender, versi = collected["pengirim"], collected["versi"]
    if reason := _name_problem(collected):
        return pd.DataFrame(), reason
    files, reason = _files(rt, collected)
    if reason:
        return pd.DataFrame(), reason
    check = check_bag(files, sender, rt.settings.kunci / "kunci_publik")
    if not check.ok:
        return pd.DataFrame(), check.reason
    if reason := _refusal(rt, sender, check.info) or _version_problem(rt, sender, versi, check.info, now):
        return pd.DataFrame(), reason
    return _components(check.payload)


def validate_packages(rt: Runtime, collected: CollectedPackages, run_id: str) -> Validated:
    """The upper tier's gate on a batch of package versions: each accepted whole, or refused with its reason."""
    now = datetime.now(UTC)
    desa_table(rt.wilayah)  # the tier's own list first: each child's (``_checked``) is then cut from it
    packages = collected["paket"]
    # a failure of the check itself (a bug a package's bytes trigger) refuses that package alone, with the reason why;
    # an outage is raised (``SERVER_ERRORS``)
    verdicts = judge_isolated(packages, lambda p: _judge(rt, p, now), lambda _, message: (pd.DataFrame(), message),
                              what="paket", name=lambda p: f"{p['pengirim']} versi {p['versi']}", outages=SERVER_ERRORS)
    judged = {package_label(p["pengirim"], p["versi"]): (p, *v) for p, v in zip(packages, verdicts, strict=True)}
    content = content_problems({label: (frame, p["pengirim"]) for label, (p, frame, reason) in judged.items()
                                if reason is None})
    deliveries, accepted, refused = [], [], {}
    for label, (p, frame, reason) in judged.items():
        reason = reason or content.get(label)
        deliveries.append({"tahun": rt.tahun, "kode_pengirim": p["pengirim"], "versi": p["versi"],
                           "diterima_pada": p["diterima_pada"], "status": DITERIMA if reason is None else DITOLAK,
                           "alasan": reason, "kunci_arsip": p["arsip"],
                           "baris_komponen": len(frame) if reason is None else 0, "run_id": run_id})
        if reason is None:
            accepted.append(frame.assign(tahun=rt.tahun, sumber=p["pengirim"], versi=p["versi"]))
        else:
            refused[label] = reason
    staged = b.Staging.for_batch(rt.store, rt.tahun, run_id, collected["kelompok"])
    staged.write(b.DeliveryBundle(pd.DataFrame(deliveries), pd.concat(accepted, ignore_index=True) if accepted else None))
    status = Counter(str(d["status"]) for d in deliveries)
    return {"versi_serah": VALIDASI.tulis, "kelompok": collected["kelompok"], "bundel": staged.prefix, "status": dict(status),
            "alasan": refused}


def deliveries(rt: Runtime, child_code_length: int) -> pd.DataFrame:
    """Per child region: which delivered this cycle, when, which version is used, how many were refused."""
    children = sorted(set(master_for(rt.wilayah)["kode_desa"].str[:child_code_length]))
    got = rt.warehouse.deliveries(rt.tahun)
    now = datetime.now(UTC)
    rows = []
    for kode in children:
        mine = got[got["kode_pengirim"] == kode]
        ok = mine[mine["status"] == DITERIMA].sort_values("versi")
        used = ok[ok["versi"].map(lambda v: plausible_version(v, now)).astype(bool)]  # a future-dated one is not used
        used = used if len(used) else ok
        rows.append({"kode_wilayah": kode, "nama_wilayah": region_name(kode), "terkirim": bool(len(ok)),
                     "versi_dipakai": used["versi"].iloc[-1] if len(used) else None,
                     "diterima_pada": used["diterima_pada"].iloc[-1] if len(used) else None,
                     "jumlah_versi": len(ok), "ditolak": int((mine["status"] == DITOLAK).sum())})
    return pd.DataFrame(rows)
