"""The stages of the cycle, as plain functions the DAGs call (and tests call directly).

collect (walidata receives and archives) -> validate (pembina's gate) -> store (walidata loads) ->
cross_check (pembina, levels 2-4 on stored data) -> coordinate (koordinator's indicators) -> publish.

Object layout in the store (one bucket or folder per tier):
- ``masuk/{tahun}/{dataset}/{pengirim}/{berkas}``   inbox; pengirim = kode desa, kode OPD or ``BPS``
- ``arsip/{tahun}/{dataset}/{pengirim}/{waktu}-{sha}-{berkas}``   raw files, archived before parsing,
  with ``.laporan.json|.html|.txt`` beside each (the operator's feedback)
- ``karantina/{tahun}/{dataset}/{pengirim}/...csv``   rejected rows with their reasons
- ``staging/{tahun}/{run}/{kelompok}/``   what one stage hands the next (parquet)
- ``publikasi/{tahun}/{kode_wilayah}/``   the delivery package for the next tier
Work is batched per kecamatan (desa files) plus one batch for agency and BPS files.
"""

from __future__ import annotations

import io
import json
import re
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pandas as pd

from . import feedback
from .config import DaftarData, Settings
from .coordination import LEVELS as LEVEL_CODE_LENGTH
from .coordination import aggregate, desa_frame, indicator_components, levels_for, master_for
from .datasets import get_dataset
from .findings import DITOLAK, ERROR, INFO, WARNING
from .intake import ROW, Provenance, Submission, read_submission
from .publishing import MANIFEST, CycleIdentity, build_package
from .quality import GateContext, Verdict, load_suite, validate_batch
from .regions import desa_table, is_within, normalise_code, region_name
from .storage import (
    COMPONENTS,
    DELIVERIES,
    INDICATORS,
    ISSUES,
    SUMMARY,
    ObjectStore,
    Warehouse,
    data_table,
    get_many,
    open_store,
    put_many,
    to_json_text,
)
from .tiers import PACKAGE_INBOX, SIGNATURE, bag_info, check_bag, child_code_length, make_bag

INBOX = "masuk"
ARCHIVE = "arsip"
AGENCY_BATCH = "opd-bps"


@dataclass
class Runtime:
    """Everything a stage needs, built once per task from the environment."""

    settings: Settings
    daftar: DaftarData
    store: ObjectStore
    warehouse: Warehouse

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Runtime:
        settings = Settings.from_env(env)
        warehouse = Warehouse(settings.gudang_url)
        warehouse.create()
        return cls(settings, DaftarData.load(settings.daftar_data), open_store(settings.objek_url), warehouse)

    @property
    def tahun(self) -> int:
        return self.daftar.tahun


def _stamp(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _iso(when: datetime) -> str:
    return when.astimezone(UTC).replace(microsecond=0).isoformat()


def parse_inbox_key(key: str) -> tuple[str, str, str] | None:
    """``masuk/{tahun}/{dataset}/{pengirim}/{berkas}`` -> (dataset, pengirim, berkas)."""
    parts = key.split("/")
    if len(parts) != 5 or parts[0] != INBOX:
        return None
    return parts[2], parts[3], parts[4]


def batch_of(pengirim: str) -> str:
    kode = normalise_code(pengirim)
    return kode[:8] if kode and kode.count(".") == 3 else AGENCY_BATCH


# --- upload (operators / portals put files in the inbox) -------------------------------------------


def upload_folder(store: ObjectStore, folder: str, tahun: int) -> int:
    """Put a folder laid out ``{dataset}/{pengirim}/{berkas}`` (as ``generate`` writes it) in the inbox."""
    from pathlib import Path

    root = Path(folder)
    items = [
        (f"{INBOX}/{tahun}/{p.relative_to(root).as_posix()}", p.read_bytes())
        for p in sorted(root.rglob("*"))
        if p.is_file() and not p.relative_to(root).as_posix().startswith("_") and len(p.relative_to(root).parts) == 3
    ]
    return put_many(store, items)


# --- stage 1: collect (walidata) -------------------------------------------------------------------


def plan_batches(rt: Runtime) -> list[dict[str, Any]]:
    """New inbox objects since the last run, grouped per kecamatan (never one task per desa).

    At a province or the centre, the inbox holds its children's packages instead: one batch per package.
    """
    if rt.settings.tingkat != "kabupaten":
        return _plan_packages(rt)
    pending: dict[str, list[dict[str, Any]]] = {}
    seen: dict[str, set[tuple[str, str]]] = {}
    for obj in rt.store.list(f"{INBOX}/{rt.tahun}/"):
        parsed = parse_inbox_key(obj.key)
        dataset = parsed[0] if parsed else "tidak_dikenal"
        if dataset not in seen:
            seen[dataset] = rt.warehouse.seen(dataset, rt.tahun)
        if (obj.key, _iso(obj.last_modified)) in seen[dataset]:
            continue
        group = batch_of(parsed[1]) if parsed else AGENCY_BATCH
        pending.setdefault(group, []).append({"kunci": obj.key, "ukuran": obj.size, "diterima": _iso(obj.last_modified)})
    return [{"kelompok": k, "objek": v} for k, v in sorted(pending.items())]


def _plan_packages(rt: Runtime) -> list[dict[str, Any]]:
    prefix = f"{INBOX}/{rt.tahun}/{PACKAGE_INBOX}/"
    seen = set(map(tuple, rt.warehouse.read(DELIVERIES, "WHERE tahun = :t", {"t": rt.tahun})[
        ["kode_pengirim", "versi"]].itertuples(index=False)))
    bags: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for obj in rt.store.list(prefix):
        parts = obj.key[len(prefix):].split("/", 2)
        if len(parts) == 3 and (parts[0], parts[1]) not in seen:
            bags.setdefault((parts[0], parts[1]), []).append(
                {"kunci": obj.key, "ukuran": obj.size, "diterima": _iso(obj.last_modified), "relatif": parts[2]})
    return [{"kelompok": f"paket-{s}-{v}", "jenis": "paket", "pengirim": s, "versi": v, "objek": objs}
            for (s, v), objs in sorted(bags.items())]


def collect_batch(rt: Runtime, batch: dict[str, Any]) -> dict[str, Any]:
    """Archive every new file of the batch, byte for byte, before anything parses it."""
    objs = batch["objek"]
    if batch.get("jenis") == "paket":
        base = f"{ARCHIVE}/{rt.tahun}/{PACKAGE_INBOX}/{batch['pengirim']}/{batch['versi']}"
        datas = get_many(rt.store, [o["kunci"] for o in objs])
        put_many(rt.store, [(f"{base}/{o['relatif']}", d) for o, d in zip(objs, datas, strict=True)])
        return {**{k: batch[k] for k in ("kelompok", "jenis", "pengirim", "versi")}, "arsip": base,
                "berkas": [o["relatif"] for o in objs], "diterima": max(o["diterima"] for o in objs)}
    datas = get_many(rt.store, [o["kunci"] for o in objs])
    archived, writes = [], []
    for o, data in zip(objs, datas, strict=True):
        received = datetime.fromisoformat(o["diterima"])
        prov = Provenance.of(data, o["kunci"], received)
        parsed = parse_inbox_key(o["kunci"]) or ("tidak_dikenal", "tidak_dikenal", prov.nama_berkas)
        dataset, pengirim, name = parsed
        key = f"{ARCHIVE}/{rt.tahun}/{dataset}/{pengirim}/{_stamp(received)}-{prov.sha256[:16]}-{name}"
        writes.append((key, data))
        archived.append({"kunci_masuk": o["kunci"], "kunci_arsip": key, "sha256": prov.sha256, "ukuran": prov.ukuran,
                         "diterima_pada": _iso(received), "dataset": dataset, "pengirim": pengirim, "nama_berkas": name})
    put_many(rt.store, writes)
    return {"kelompok": batch["kelompok"], "berkas": archived}


# --- stage 2: validate (pembina) -------------------------------------------------------------------


def gate_context(rt: Runtime, with_references: bool = True) -> GateContext:
    desa = desa_table(rt.settings.kode_wilayah)["kode_desa"].tolist()
    kab = rt.settings.kode_wilayah[:5]
    refs = load_references(rt) if with_references else None
    return GateContext(rt.tahun, desa, rt.daftar.kode_opd(kab), refs)


def load_references(rt: Runtime) -> dict[str, pd.DataFrame]:
    """Reference columns the suites ask for, from what the warehouse holds now (absent -> rule skipped)."""
    refs: dict[str, pd.DataFrame] = {}
    for ds in rt.daftar.datasets:
        for col, spec in load_suite(ds)["meta"].get("rujukan", {}).items():
            frame = rt.warehouse.reference(spec["dataset"], spec["kolom"], rt.tahun + int(spec.get("selisih_tahun", 0)))
            if len(frame):
                refs[col] = frame
    return refs


def sender_problem(rt: Runtime, dataset: str, pengirim: str) -> str | None:
    """Why this sender may not submit this dataset here (None: allowed)."""
    if dataset not in rt.daftar.datasets:
        return (f"Dataset '{dataset}' tidak ada di Daftar Data tahun {rt.tahun}. Kirim ke folder dataset yang benar: "
                + ", ".join(rt.daftar.datasets) + ".")
    producer = get_dataset(dataset).produsen
    if producer == "pemerintah_desa":
        kode = normalise_code(pengirim)
        if not kode or kode.count(".") != 3 or not is_within(kode, rt.settings.kode_wilayah):
            return f"Pengirim '{pengirim}' bukan desa/kelurahan di wilayah {rt.settings.kode_wilayah}."
    elif producer == "opd" and pengirim.upper() not in rt.daftar.kode_opd(rt.settings.kode_wilayah[:5]):
        return f"Pengirim '{pengirim}' bukan OPD terdaftar untuk dataset {dataset}."
    elif producer == "bps" and pengirim.upper() != "BPS":
        return f"Dataset {dataset} hanya dikirim oleh BPS, bukan '{pengirim}'."
    return None


def _sender_region(rt: Runtime, dataset: str, pengirim: str) -> str:
    return normalise_code(pengirim) or pengirim if get_dataset(dataset).produsen == "pemerintah_desa" \
        else rt.settings.kode_wilayah


def validate_package(rt: Runtime, collected: dict[str, Any], run_id: str) -> dict[str, Any]:
    """The upper tier's gate: signature, checksums, sender, cycle, and that every row lies in the sender's area."""
    sender, versi = collected["pengirim"], collected["versi"]
    keys = [f"{collected['arsip']}/{rel}" for rel in collected["berkas"]]
    files = dict(zip(collected["berkas"], get_many(rt.store, keys), strict=True))
    check = check_bag(files, sender, rt.settings.kunci / "kunci_publik")
    reason = check.reason
    components = pd.DataFrame()
    expected_len = child_code_length(rt.settings.tingkat)
    if check.ok and (len(sender) != expected_len or not is_within(sender, rt.settings.kode_wilayah)):
        reason = f"{sender} bukan wilayah bawahan {rt.settings.tingkat} {rt.settings.kode_paket}"
    elif check.ok and check.info.get("Siklus", "").split("/")[1:2] != [str(rt.tahun)]:
        reason = f"paket untuk siklus {check.info.get('Siklus')}, bukan tahun {rt.tahun}"
    elif check.ok:
        components = pd.read_csv(io.BytesIO(check.payload["komponen_desa.csv"]), dtype={"kode_desa": str})
        outside = ~components["kode_desa"].map(lambda k: is_within(k, sender))
        if outside.any():
            reason = f"{int(outside.sum())} baris komponen di luar wilayah {sender}"
    status = "diterima" if reason is None else "ditolak"
    delivery = {"tahun": rt.tahun, "kode_pengirim": sender, "versi": versi, "diterima_pada": collected["diterima"],
                "status": status, "alasan": reason, "kunci_arsip": collected["arsip"],
                "baris_komponen": len(components) if reason is None else 0, "run_id": run_id}
    bundle = f"staging/{rt.tahun}/{re.sub(r'[^A-Za-z0-9_.-]+', '_', run_id)}/{collected['kelompok']}"
    frames = {"pengiriman": pd.DataFrame([delivery])}
    if reason is None:
        frames["komponen"] = components.assign(tahun=rt.tahun, sumber=sender, versi=versi)
    put_many(rt.store, [(f"{bundle}/{n}.parquet", _parquet(f)) for n, f in frames.items()])
    return {"kelompok": collected["kelompok"], "bundel": bundle, "status": {status: 1}, "alasan": reason}


def validate_collected(rt: Runtime, collected: dict[str, Any], run_id: str) -> dict[str, Any]:
    """Run the gate on a collected batch; write reports beside the archived files and a bundle for storage."""
    if collected.get("jenis") == "paket":
        return validate_package(rt, collected, run_id)
    files = collected["berkas"]
    datas = dict(zip([f["kunci_arsip"] for f in files], get_many(rt.store, [f["kunci_arsip"] for f in files]),
                     strict=True))
    ctx = gate_context(rt)
    verdicts: list[tuple[dict[str, Any], Verdict]] = []
    by_dataset: dict[str, list[dict[str, Any]]] = {}
    docs: dict[str, str] = {}
    for f in files:
        by_dataset.setdefault(f["dataset"], []).append(f)
    for dataset, group in by_dataset.items():
        known = dataset in rt.daftar.datasets
        spec = get_dataset(dataset if known else rt.daftar.datasets[0])
        subs: list[Submission] = []
        for f in group:
            prov = Provenance(f["kunci_masuk"], f["nama_berkas"], f["ukuran"], f["sha256"],
                              datetime.fromisoformat(f["diterima_pada"]))
            problem = sender_problem(rt, dataset, f["pengirim"])
            if problem:
                empty = pd.DataFrame(columns=[*spec.columns, ROW])
                subs.append(Submission(spec, prov, empty, empty.copy(), unreadable_reason=problem))
            else:
                subs.append(read_submission(datas[f["kunci_arsip"]], spec, prov, rt.tahun))
        senders = [_sender_region(rt, dataset, f["pengirim"]) if known else rt.settings.kode_wilayah for f in group]
        verdicts += list(zip(group, validate_batch(subs, ctx, senders, data_docs=docs), strict=True))
    reports = []
    for f, v in verdicts:
        reports.append((f["kunci_arsip"] + ".laporan.json", feedback.dumps(feedback.report_json(v)).encode()))
        reports.append((f["kunci_arsip"] + ".laporan.html", feedback.report_html(v).encode()))
        reports.append((f["kunci_arsip"] + ".laporan.txt", feedback.report_text(v).encode()))
    put_many(rt.store, reports)
    run = re.sub(r"[^A-Za-z0-9_.-]+", "_", run_id)
    put_many(rt.store, [(f"data_docs/{rt.tahun}/{run}/{collected['kelompok']}/{ds}.html", html.encode())
                        for ds, html in docs.items()])
    bundle = f"staging/{rt.tahun}/{run}/{collected['kelompok']}"
    _write_bundle(rt, bundle, verdicts, run_id)
    return {"kelompok": collected["kelompok"], "bundel": bundle,
            "status": dict(Counter(v.status for _, v in verdicts))}


def _issue_rows(f: dict[str, Any], v: Verdict) -> list[dict[str, Any]]:
    return [{"sha256_berkas": f["sha256"], "dataset": f["dataset"], "tahun": 0, "pengirim": f["pengirim"],
             "baris": i.baris, "kolom": i.kolom, "aturan": i.aturan, "keparahan": i.keparahan, "tingkat": i.tingkat,
             "pesan": i.pesan, "nilai": i.nilai, "diharapkan": i.diharapkan} for i in v.issues]


def _write_bundle(rt: Runtime, bundle: str, verdicts: list[tuple[dict[str, Any], Verdict]], run_id: str) -> None:
    accepted: dict[str, list[pd.DataFrame]] = {}
    subs, issues, quarantine = [], [], []
    for f, v in verdicts:
        subs.append({**{k: f[k] for k in ("kunci_masuk", "sha256", "dataset", "pengirim", "kunci_arsip",
                                           "nama_berkas", "ukuran", "diterima_pada")},
                     "tahun": rt.tahun, "status": v.status, "baris_dibaca": v.rows_read,
                     "baris_diterima": v.rows_accepted, "baris_ditolak": v.rows_read - v.rows_accepted,
                     "kunci_laporan": f["kunci_arsip"] + ".laporan.json", "run_id": run_id})
        issues += _issue_rows(f, v)
        if v.rows_accepted:
            rows = v.accepted.copy()
            rows["baris_berkas"] = v.submission.table.loc[~v.submission.table[ROW].isin(v.rejected[ROW]), ROW].to_numpy()
            rows["sha256_berkas"] = f["sha256"]
            rows["diterima_pada"] = f["diterima_pada"]
            accepted.setdefault(f["dataset"], []).append(rows)
        reasons: dict[int, list[str]] = {}
        for i in v.issues:
            if i.keparahan == ERROR and i.baris is not None:
                reasons.setdefault(i.baris, []).append(f"{i.aturan}: {i.pesan}")
        file_reasons = [f"{i.aturan}: {i.pesan}" for i in v.issues if i.keparahan == ERROR and i.baris is None]
        raw = v.submission.raw.set_index(ROW) if len(v.submission.raw) else None
        for _, row in v.rejected.iterrows():
            n = int(row[ROW])
            raw_row = raw.loc[n].to_dict() if raw is not None and n in raw.index else {}
            quarantine.append({"sha256_berkas": f["sha256"], "baris": n, "dataset": f["dataset"], "tahun": rt.tahun,
                               "kode_desa": row.get("kode_desa") if isinstance(row.get("kode_desa"), str) else None,
                               "isi": to_json_text(raw_row), "alasan": " | ".join(reasons.get(n, []) + file_reasons)})
        if not v.submission.readable:  # a file that cannot be read is kept whole, as one quarantined entry
            quarantine.append({"sha256_berkas": f["sha256"], "baris": 0, "dataset": f["dataset"], "tahun": rt.tahun,
                               "kode_desa": None, "isi": to_json_text({"kunci_arsip": f["kunci_arsip"]}),
                               "alasan": " | ".join(file_reasons)})
    frames = {
        "berkas": pd.DataFrame(subs),
        "isu": pd.DataFrame(issues).assign(tahun=rt.tahun) if issues else pd.DataFrame(),
        "karantina": pd.DataFrame(quarantine),
    }
    frames["ringkasan"] = summarise(frames["isu"], run_id, verdicts)
    for ds, parts in accepted.items():
        frames[f"diterima_{ds}"] = pd.concat(parts, ignore_index=True)
    put_many(rt.store, [(f"{bundle}/{name}.parquet", _parquet(frame)) for name, frame in frames.items()])


def summarise(issues: pd.DataFrame, run_id: str, verdicts: list[tuple[dict[str, Any], Verdict]]) -> pd.DataFrame:
    """Rule counts per (file, desa, rule): the auditor's one-query table."""
    cols = ["run_id", "dataset", "tahun", "kode_desa", "aturan", "keparahan", "tingkat", "jumlah", "sha256_berkas"]
    if issues.empty:
        return pd.DataFrame(columns=cols)
    issues = issues[issues["keparahan"].isin([ERROR, WARNING])]
    desa_of: dict[tuple[str, int], str] = {}
    sender_of: dict[str, str] = {}
    for f, v in verdicts:
        sender_of[f["sha256"]] = f["pengirim"]
        t = v.submission.table
        if "kode_desa" in t:
            desa_of.update({(f["sha256"], int(r)): k for r, k in zip(t[ROW], t["kode_desa"], strict=True)
                            if isinstance(k, str)})
    kode = [desa_of.get((s, int(b))) if pd.notna(b) else (normalise_code(sender_of.get(s, "")) or None)
            for s, b in zip(issues["sha256_berkas"], issues["baris"], strict=True)]
    issues = issues.assign(kode_desa=kode, tingkat=issues["tingkat"].fillna(-1))
    out = (issues.groupby(["dataset", "tahun", "kode_desa", "aturan", "keparahan", "tingkat", "sha256_berkas"],
                          dropna=False).size().rename("jumlah").reset_index())
    out["tingkat"] = out["tingkat"].astype(int).replace(-1, pd.NA)
    out["run_id"] = run_id
    return out[cols]


def _parquet(frame: pd.DataFrame) -> bytes:
    buf = io.BytesIO()
    frame.to_parquet(buf, index=False)
    return buf.getvalue()


def _read_parquet(rt: Runtime, key: str) -> pd.DataFrame:
    return pd.read_parquet(io.BytesIO(rt.store.get(key)))


# --- stage 3: store (walidata) ---------------------------------------------------------------------


def store_bundle(rt: Runtime, validated: dict[str, Any]) -> dict[str, Any]:
    """Load a validated bundle: accepted rows (COPY), registry, issues, quarantine, summary."""
    bundle = validated["bundel"]
    names = {o.key.rsplit("/", 1)[-1].removesuffix(".parquet"): o.key for o in rt.store.list(bundle + "/")}
    frames = dict(zip(names, get_many(rt.store, names.values()), strict=True))
    tables = {n: pd.read_parquet(io.BytesIO(b)) for n, b in frames.items()}
    stored = {}
    for name, frame in sorted(tables.items()):
        if name.startswith("diterima_"):
            ds = name.removeprefix("diterima_")
            stored[ds] = rt.warehouse.replace_rows(ds, frame)
    for delivery in tables.get("pengiriman", pd.DataFrame()).to_dict("records"):
        latest = rt.warehouse.latest_delivery(rt.tahun, delivery["kode_pengirim"])
        if delivery["status"] == "diterima" and (latest is None or delivery["versi"] >= latest):
            # a resend replaces the sender's earlier contribution; every version stays archived
            stored["komponen"] = rt.warehouse.replace_components(rt.tahun, delivery["kode_pengirim"], tables["komponen"])
        rt.warehouse.record_delivery({k: (None if pd.isna(v) else v) for k, v in delivery.items()})
    if "berkas" not in tables:
        return {"kelompok": validated["kelompok"], "baris_disimpan": stored, "baris_karantina": 0}
    rt.warehouse.record_verdicts(tables["berkas"], tables["isu"], tables["karantina"], tables["ringkasan"])
    karantina = tables["karantina"]
    if len(karantina):
        berkas = tables["berkas"].set_index("sha256")
        writes = []
        for sha, rows in karantina.groupby("sha256_berkas"):
            b = berkas.loc[sha]
            key = f"karantina/{rt.tahun}/{b['dataset']}/{b['pengirim']}/{b['kunci_arsip'].rsplit('/', 1)[-1]}.csv"
            writes.append((key, rows.to_csv(index=False).encode()))
        put_many(rt.store, writes)
    return {"kelompok": validated["kelompok"], "baris_disimpan": stored, "baris_karantina": len(karantina)}


# --- stage 4: cross-dataset check (pembina) ---------------------------------------------------------


def cross_check(rt: Runtime, run_id: str) -> dict[str, int]:
    """Re-check levels 2-4 (previous year, BPS reference, other datasets) on everything stored.

    At the gate these rules see only what the warehouse held when a file arrived; at the close every
    source is in, so the warnings become complete. Replaces earlier findings of the same rules.
    """
    ctx = gate_context(rt)
    found: dict[str, int] = {}
    for ds in rt.daftar.datasets:
        suite = load_suite(ds)
        rules = sorted({e["meta"]["aturan"] for e in suite["expectations"] if e["meta"].get("butuh_rujukan")})
        stored = rt.warehouse.dataset_rows(ds, rt.tahun)
        if not rules or stored.empty:
            continue
        spec = get_dataset(ds)
        subs, meta = [], []
        for sha, rows in stored.groupby("sha256_berkas", sort=True):
            table = rows[spec.columns].assign(**{ROW: rows["baris_berkas"].to_numpy()}).reset_index(drop=True)
            for c in spec.count_columns:
                table[c] = table[c].astype("float64")
            raw = table.astype("object").map(lambda v: None if v is None or v != v else str(v))
            raw[ROW] = table[ROW]
            prov = Provenance(sha, sha, 0, sha, datetime.fromisoformat(rows["diterima_pada"].iloc[0]))
            subs.append(Submission(spec, prov, table, raw))
            meta.append({"sha256": sha, "dataset": ds, "pengirim": rt.settings.kode_wilayah})
        verdicts = validate_batch(subs, ctx, [rt.settings.kode_wilayah] * len(subs), only_referenced=True)
        pairs = list(zip(meta, verdicts, strict=True))
        issues = pd.DataFrame([r for f, v in pairs for r in _issue_rows(f, v) if r["keparahan"] == WARNING])
        issues = issues.assign(tahun=rt.tahun) if len(issues) else pd.DataFrame(columns=["sha256_berkas"])
        summary = summarise(issues, run_id, pairs) if len(issues) else pd.DataFrame()
        rt.warehouse.replace_findings(ds, rt.tahun, rules, issues, summary)
        found[ds] = len(issues)
    return found


# --- stage 5: coordinate (koordinator) --------------------------------------------------------------


def coordinate(rt: Runtime) -> dict[str, int]:
    """Indicators per area from accepted rows (kabupaten) or from children's components (above), with coverage."""
    kode = rt.settings.kode_wilayah
    master = master_for(kode)
    if rt.settings.tingkat == "kabupaten":
        sources = {ds: rt.warehouse.dataset_rows(ds, rt.tahun) for ds in ("kependudukan", "fasilitas", "kesehatan_anak")}
        comps = indicator_components(desa_frame(master, sources), rt.tahun).assign(sumber=rt.settings.kode_paket,
                                                                                    versi="gerbang")
        rt.warehouse.replace_components(rt.tahun, kode, comps)
    comps = rt.warehouse.read(COMPONENTS, "WHERE tahun = :t AND kode_desa LIKE :k", {"t": rt.tahun, "k": f"{kode}%"})
    result = aggregate(comps, master, rt.tahun, levels_for(kode))
    result = result[(result["tingkat"] != "desa") | (result["desa_kontribusi"] > 0)]
    rt.warehouse.replace_indicators(rt.tahun, rt.settings.kode_wilayah, result)
    return {k: int(v) for k, v in result.groupby("tingkat").size().items()}


# --- stage 6: publish -------------------------------------------------------------------------------


def coverage(rt: Runtime) -> pd.DataFrame:
    """Per source and area: desa with accepted data / desa in the master list.

    At a kabupaten the sources are its datasets; above, the indicator components its children delivered.
    """
    master = master_for(rt.settings.kode_wilayah)
    if rt.settings.tingkat == "kabupaten":
        have = {ds: set(rt.warehouse.dataset_rows(ds, rt.tahun)["kode_desa"]) for ds in rt.daftar.datasets}
    else:
        comps = rt.warehouse.read(COMPONENTS, "WHERE tahun = :t", {"t": rt.tahun})
        have = {"komponen_indikator": set(comps["kode_desa"])}
    out = []
    levels = [lv for lv in levels_for(rt.settings.kode_wilayah) if lv != "desa"]
    for source, codes in have.items():
        got = master["kode_desa"].isin(codes)
        for level in levels:
            n = LEVEL_CODE_LENGTH[level]
            g = pd.DataFrame({"kode": master["kode_desa"].str[:n], "ada": got}).groupby("kode")["ada"]
            out.append(pd.DataFrame({"sumber": source, "tingkat": level, "kode_wilayah": g.sum().index,
                                     "desa_kontribusi": g.sum().to_numpy().astype(int),
                                     "desa_total": g.size().to_numpy()}))
    return pd.concat(out, ignore_index=True)


def deliveries(rt: Runtime) -> pd.DataFrame:
    """Per child region: which delivered this cycle, when, which version is used, how many were refused."""
    if rt.settings.tingkat == "kabupaten":
        return pd.DataFrame()
    n = child_code_length(rt.settings.tingkat)
    children = sorted(set(master_for(rt.settings.kode_wilayah)["kode_desa"].str[:n]))
    got = rt.warehouse.read(DELIVERIES, "WHERE tahun = :t", {"t": rt.tahun})
    rows = []
    for kode in children:
        mine = got[got["kode_pengirim"] == kode]
        ok = mine[mine["status"] == "diterima"].sort_values("versi")
        rows.append({"kode_wilayah": kode, "nama_wilayah": region_name(kode), "terkirim": bool(len(ok)),
                     "versi_dipakai": ok["versi"].iloc[-1] if len(ok) else None,
                     "diterima_pada": ok["diterima_pada"].iloc[-1] if len(ok) else None,
                     "jumlah_versi": len(ok), "ditolak": int((mine["status"] == "ditolak").sum())})
    return pd.DataFrame(rows)


def publish(rt: Runtime, dibuat_pada: str, upstream: ObjectStore | None = None, wait_for_all: bool = False
            ) -> dict[str, Any]:
    """Build the signed BagIt package, keep it under ``publikasi/{tahun}/{kode}/{versi}/`` and send it up.

    Above kabupaten, with ``wait_for_all`` the tier waits while a child has not delivered; otherwise it
    publishes with the coverage stated (``cakupan.csv``, ``pengiriman.csv``).
    """
    sent = deliveries(rt)
    if wait_for_all and len(sent) and not sent["terkirim"].all():
        return {"status": "menunggu", "belum": sent.loc[~sent["terkirim"], "kode_wilayah"].tolist()}
    indicators = rt.warehouse.read(INDICATORS, "WHERE tahun = :t", {"t": rt.tahun})
    identity = CycleIdentity(rt.tahun, rt.settings.tingkat, rt.settings.kode_wilayah, dibuat_pada)
    comps = rt.warehouse.read(COMPONENTS, "WHERE tahun = :t ORDER BY kode_desa, indikator", {"t": rt.tahun})
    extra = {"komponen_desa": comps[["kode_desa", "indikator", "pembilang", "penyebut"]]}
    if len(sent):
        extra["pengiriman"] = sent  # above kabupaten, the deliveries are what the gate judged
    else:
        findings = rt.warehouse.read(SUMMARY, "WHERE tahun = :t", {"t": rt.tahun})
        extra["ringkasan_validasi"] = (
            findings.groupby(["dataset", "aturan", "keparahan"], as_index=False)["jumlah"].sum()
            .sort_values(["dataset", "aturan", "keparahan"], ignore_index=True))
    files = build_package(identity, indicators, coverage(rt), extra)
    rows = {entry["nama"]: int(entry["baris"]) for entry in json.loads(files[MANIFEST])["berkas"]}
    key = rt.settings.kunci / f"{rt.settings.kode_paket}.key"
    bag = make_bag(files, bag_info({**identity.to_json(), "kode_wilayah": rt.settings.kode_paket}, rows),
                   key if key.is_file() else None)
    versi = _stamp(datetime.fromisoformat(dibuat_pada))
    own = f"publikasi/{rt.tahun}/{rt.settings.kode_paket}/{versi}"
    put_many(rt.store, [(f"{own}/{name}", data) for name, data in bag.items()])
    rt.store.put(f"publikasi/{rt.tahun}/{rt.settings.kode_paket}/terbaru.json", feedback.dumps(
        {"versi": versi, "dibuat_pada": dibuat_pada, "dipublikasi_pada": _iso(datetime.now(UTC))}).encode())
    result = {"status": "terbit", "paket": rt.store.location(own), "versi": versi, "berkas": sorted(bag),
              "siklus": identity.name, "ditandatangani": key.is_file()}
    if upstream is not None:
        up = f"{INBOX}/{rt.tahun}/{PACKAGE_INBOX}/{rt.settings.kode_paket}/{versi}"
        put_many(upstream, [(f"{up}/{n}", d) for n, d in bag.items() if n != SIGNATURE])
        if SIGNATURE in bag:
            upstream.put(f"{up}/{SIGNATURE}", bag[SIGNATURE])  # last: a package is complete once signed
        result["hulu"] = upstream.location(up)
    return result


def latest_package(rt: Runtime) -> dict[str, bytes]:
    """The payload files of this tier's newest publication (what auditors and tests read)."""
    pointer = json.loads(rt.store.get(f"publikasi/{rt.tahun}/{rt.settings.kode_paket}/terbaru.json"))
    prefix = f"publikasi/{rt.tahun}/{rt.settings.kode_paket}/{pointer['versi']}/data/"
    keys = [o.key for o in rt.store.list(prefix)]
    return dict(zip([k.removeprefix(prefix) for k in keys], get_many(rt.store, keys), strict=True))


def needs_correction(rt: Runtime) -> bool:
    """A child's package accepted after this tier published: the publication must be redone."""
    key = f"publikasi/{rt.tahun}/{rt.settings.kode_paket}/terbaru.json"
    if rt.settings.tingkat == "kabupaten" or not rt.store.exists(key):
        return False
    published = json.loads(rt.store.get(key))["dipublikasi_pada"]
    got = rt.warehouse.read(DELIVERIES, "WHERE tahun = :t AND status = 'diterima'", {"t": rt.tahun})
    return bool((got["diterima_pada"] > published).any())


# --- summary for people ----------------------------------------------------------------------------


def summary(rt: Runtime) -> dict[str, Any]:
    w = rt.warehouse
    subs = w.read("berkas_masuk", "WHERE tahun = :t", {"t": rt.tahun})
    per_dataset = {}
    for ds in rt.daftar.datasets:
        s = subs[subs["dataset"] == ds]
        per_dataset[ds] = {
            "berkas_diterima_server": len(s),
            "berkas_lolos": int((s["status"] != DITOLAK).sum()),
            "berkas_ditolak": int((s["status"] == DITOLAK).sum()),
            "baris_dibaca": int(s["baris_dibaca"].sum()),
            "baris_disimpan": int(w.scalar(f'SELECT COUNT(*) FROM "{data_table(ds)}" WHERE tahun = :t', t=rt.tahun)),
            "baris_karantina": int(w.scalar("SELECT COUNT(*) FROM karantina_baris WHERE dataset = :d AND tahun = :t "
                                            "AND baris > 0", d=ds, t=rt.tahun)),
        }
    ind = w.read(INDICATORS, "WHERE tahun = :t", {"t": rt.tahun})
    issues = w.read(ISSUES, "WHERE tahun = :t", {"t": rt.tahun})
    return {
        "tahun": rt.tahun,
        "wilayah": rt.settings.kode_wilayah,
        "dataset": per_dataset,
        "isu": {f"{k[0]}:{k[1]}": int(v) for k, v in issues.groupby(["keparahan", "aturan"]).size().items()}
        if len(issues) else {},
        "indikator_per_tingkat": {k: int(v) for k, v in ind.groupby("tingkat").size().items()},
        "laporan": rt.store.location(f"{ARCHIVE}/{rt.tahun}/"),
        "paket": rt.store.location(f"publikasi/{rt.tahun}/{rt.settings.kode_paket}/"),
        "pengiriman": deliveries(rt).to_dict("records"),
        "gudang": rt.settings.gudang_url,
    }


def format_summary(s: dict[str, Any]) -> str:
    lines = [f"Ringkasan siklus Desa Cantik {s['tahun']} — wilayah {s['wilayah']}", ""]
    lines.append(f"{'dataset':<20}{'berkas':>8}{'lolos':>8}{'ditolak':>9}{'baris':>8}{'disimpan':>10}{'karantina':>11}")
    for ds, d in s["dataset"].items():
        lines.append(f"{ds:<20}{d['berkas_diterima_server']:>8}{d['berkas_lolos']:>8}{d['berkas_ditolak']:>9}"
                     f"{d['baris_dibaca']:>8}{d['baris_disimpan']:>10}{d['baris_karantina']:>11}")
    lines.append("")
    lines.append("Indikator dihitung: " + ", ".join(f"{k} {v}" for k, v in s["indikator_per_tingkat"].items()))
    top = sorted(s["isu"].items(), key=lambda kv: -kv[1])
    if top:
        lines.append("Temuan validasi: " + ", ".join(f"{k} ×{v}" for k, v in top if not k.startswith(INFO)))
    for d in s.get("pengiriman", []):
        lines.append(f"  pengiriman {d['kode_wilayah']} {d['nama_wilayah']}: "
                     + (f"versi {d['versi_dipakai']} ({d['jumlah_versi']} versi)" if d["terkirim"] else "BELUM")
                     + (f", {d['ditolak']} ditolak" if d["ditolak"] else ""))
    lines += [f"Laporan per berkas : {s['laporan']}", f"Paket publikasi    : {s['paket']}", f"Gudang data        : {s['gudang']}"]
    return "\n".join(lines)
