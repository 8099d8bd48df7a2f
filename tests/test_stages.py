"""The cycle's stages called directly, on the embedded deployment (SQLite + a folder): fast, no Airflow.

One kecamatan (Donomulyo, 10 desa) with every kind of injected error; each test asserts numbers the
stages must produce, so a stage that silently stops doing its job (blank quarantine reasons, warnings
missing from the auditor's summary, the close's cross-dataset check skipped, empty desa rows in the
indicators, a retried package load that does not restore its components) fails here in seconds.
"""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest

from desa_cantik.bags import BagIdentity, bag_info, generate_key, make_bag
from desa_cantik.cycle.bundle import DeliveryBundle, Staging
from desa_cantik.cycle.coordinate import coordinate
from desa_cantik.cycle.cross_check import cross_check
from desa_cantik.cycle.gate import validate_collected
from desa_cantik.cycle.handoff import Validated
from desa_cantik.cycle.inbox import collect_batch, plan_batches, window_open
from desa_cantik.cycle.publish import latest_package, publish
from desa_cantik.cycle.runtime import Runtime
from desa_cantik.cycle.store import store_bundle
from desa_cantik.cycle.summary import format_summary, summary
from desa_cantik.findings import DITERIMA, DITOLAK, WARNING
from desa_cantik.storage import layout

from . import stages
from .conftest import SMALL_REGION, TAHUN

RUN = "uji__2026-03-31"


def gate_and_store(rt: Runtime, run_id: str = RUN) -> list[Validated]:
    return stages.gate_and_store(rt, run_id)


@pytest.fixture(scope="module")
def cycle(tmp_path_factory: pytest.TempPathFactory, small_generated: Path) -> Runtime:
    rt = stages.embedded_with_uploads(tmp_path_factory.mktemp("siklus"), small_generated)
    gate_and_store(rt)
    cross_check(rt, RUN)
    coordinate(rt)
    generate_key(rt.settings.kunci, rt.settings.kode_paket)  # a tier publishes only signed
    publish(rt, "2026-03-31T23:59:00+07:00")
    return rt


def _galat(root: Path) -> pd.DataFrame:
    return pd.read_csv(root / "_kebenaran" / "galat.csv", dtype={"kode_desa": str})


def test_every_file_gets_a_registry_entry_and_rows_add_up(cycle: Runtime, small_generated: Path) -> None:
    subs = cycle.warehouse.submissions(TAHUN)
    assert len(subs) == 22
    assert set(subs["status"]) <= {DITERIMA, "diterima_dengan_catatan", DITOLAK}
    for ds in cycle.daftar.datasets:
        read = int(subs.loc[subs["dataset"] == ds, "baris_dibaca"].sum())
        answer = pd.read_csv(small_generated / "_kebenaran" / f"{ds}.csv")
        assert cycle.warehouse.count_rows(ds, TAHUN) == len(answer), ds
        assert read == len(answer) + cycle.warehouse.count_quarantined_rows(ds, TAHUN), ds


def test_quarantine_keeps_every_rejected_row_with_its_reasons(cycle: Runtime) -> None:
    q = cycle.warehouse.table_frame("karantina_baris")
    assert len(q) > 0
    assert q["alasan"].str.len().gt(0).all(), "every quarantined row says why"
    assert q["alasan"].str.match(r"^[A-Z]{3}-\d{2}: ").all(), "reasons name the rule first"
    files = cycle.store.list("karantina/")
    assert len(files) == q["sha256_berkas"].nunique()
    for obj in files:
        rows = pd.read_csv(io.BytesIO(cycle.store.get(obj.key)))
        assert rows["alasan"].notna().all() and len(rows) >= 1, obj.key


def test_summary_counts_errors_and_warnings_per_rule(cycle: Runtime, small_generated: Path) -> None:
    summ = cycle.warehouse.validation_summary(TAHUN)
    issues = cycle.warehouse.issues(TAHUN)
    for severity in ("error", "warning"):
        got = summ[summ["keparahan"] == severity].groupby("aturan")["jumlah"].sum().to_dict()
        want = issues[issues["keparahan"] == severity].groupby("aturan").size().to_dict()
        assert got == want, severity
    for g in _galat(small_generated).itertuples():
        assert g.aturan in set(summ["aturan"]), (g.jenis, g.aturan)


def test_close_cross_check_finds_what_the_gate_could_not_see(cycle: Runtime, small_generated: Path) -> None:
    """FAS-03 needs the desa's population, stored in the same batch: only the close can judge it."""
    issues = cycle.warehouse.issues(TAHUN)
    galat = _galat(small_generated)
    cross = galat[galat["aturan"].isin(["FAS-03", "KES-05"])]
    assert len(cross) == 2
    for g in cross.itertuples():
        hit = issues[(issues["aturan"] == g.aturan) & (issues["keparahan"] == WARNING)]
        assert len(hit) == 1, g.aturan
    again = cross_check(cycle, RUN + "-ulang")
    assert again == {"kependudukan": 0, "fasilitas": 1, "kesehatan_anak": 1}
    assert len(cycle.warehouse.issues(TAHUN)) == len(issues), "findings of the same rules are replaced"


def test_indicators_list_only_desa_that_contributed(cycle: Runtime) -> None:
    ind = cycle.warehouse.indicators(TAHUN)
    desa = ind[ind["tingkat"] == "desa"]
    assert (desa["desa_kontribusi"] > 0).all()
    stored = set(cycle.warehouse.dataset_rows("kependudukan", TAHUN)["kode_desa"])
    assert set(desa.loc[desa["indikator"] == "jumlah_penduduk", "kode_wilayah"]) == stored
    kec = ind[(ind["tingkat"] == "kecamatan") & (ind["indikator"] == "jumlah_penduduk")].iloc[0]
    assert kec["desa_total"] == 10 and kec["desa_kontribusi"] == len(stored)


def test_rerun_changes_nothing(cycle: Runtime) -> None:
    before = cycle.warehouse.fingerprint()
    assert gate_and_store(cycle, "uji__ulang") == []
    cross_check(cycle, RUN)
    coordinate(cycle)
    assert cycle.warehouse.fingerprint() == before


def test_summary_for_people_matches_the_warehouse_and_hides_secrets(cycle: Runtime) -> None:
    s = summary(cycle)
    kep = s["dataset"]["kependudukan"]
    assert kep["berkas_diterima_server"] == 10 and kep["berkas_lolos"] + kep["berkas_ditolak"] == 10
    assert kep["baris_disimpan"] == cycle.warehouse.count_rows("kependudukan", TAHUN)
    text = format_summary(s)
    assert "kependudukan" in text and "Indikator dihitung" in text
    import dataclasses

    with_password = dataclasses.replace(cycle.settings, gudang_url="postgresql+psycopg2://dc:rahasia@db:5432/gudang")
    shown = format_summary(summary(dataclasses.replace(cycle, settings=with_password)))
    assert "rahasia" not in shown and "dc:***@db:5432/gudang" in shown
    from desa_cantik.storage import mask_url

    assert mask_url("postgresql+psycopg2://dc:rahasia@db:5432/gudang") == "postgresql+psycopg2://dc:***@db:5432/gudang"
    assert "rahasia" not in mask_url("s3://AKSES:rahasia@minio:9000/desa?secure=false")


def test_package_carries_components_and_validation_summary(cycle: Runtime) -> None:
    files = latest_package(cycle)
    comps = pd.read_csv(io.BytesIO(files["komponen_desa.csv"]), dtype={"kode_desa": str})
    assert len(comps) == len(cycle.warehouse.components(TAHUN))
    assert "ringkasan_validasi.csv" in files and "pengiriman.csv" not in files


def test_bundle_reads_back_exactly_what_was_written(tmp_path: Path) -> None:
    from desa_cantik.storage import LocalFolderStore

    store = LocalFolderStore(tmp_path)
    b = Staging.for_batch(store, TAHUN, "manual__2026/03/31 x", "35.07.01")
    assert b.prefix == "staging/2025/manual__2026_03_31_x/35.07.01"
    store.put(f"{b.prefix}/sisa_percobaan_lama.parquet", b"bukan parquet")  # a stale object of an earlier try
    b.write_frames({"a": pd.DataFrame({"x": [1, 2]})})
    assert list(b.read_frames()) == ["a"] and b.read_frames()["a"]["x"].tolist() == [1, 2]
    delivery = DeliveryBundle(pd.DataFrame({"versi": ["v1"]}), None)
    b.write(delivery)
    back = b.read()
    assert isinstance(back, DeliveryBundle) and back.components is None and back.deliveries["versi"].tolist() == ["v1"]


def test_layout_parses_only_keys_of_the_layout() -> None:
    assert layout.parse_inbox_key("masuk/2025/kependudukan/35.07.01.2001/a.csv") == (
        "kependudukan", "35.07.01.2001", "a.csv")
    for bad in ("masuk/2025/kependudukan/a.csv", "arsip/2025/x/y/z", "masuk/2025/a/b/c/d"):
        assert layout.parse_inbox_key(bad) is None


def test_window_is_the_daftar_data_s_at_a_kabupaten_and_always_open_above(tmp_path: Path) -> None:

    kab = Runtime.from_env({"DESA_CANTIK_HOME": str(tmp_path / "kab"), "DESA_CANTIK_WILAYAH": SMALL_REGION})
    prov = Runtime.from_env({"DESA_CANTIK_HOME": str(tmp_path / "prov"), "DESA_CANTIK_TINGKAT": "provinsi",
                             "DESA_CANTIK_WILAYAH": "35"})
    outside = datetime.fromisoformat("2026-06-01T10:00:00+07:00")
    inside = datetime.fromisoformat("2026-02-01T10:00:00+07:00")
    assert window_open(kab, inside) and not window_open(kab, outside)
    assert window_open(prov, outside)


# --- upper tier: packages ------------------------------------------------------------------------------


def _send(child: Runtime, parent: Runtime, kode: str, versi: str, rows: pd.DataFrame) -> None:
    files = {"data/komponen_desa.csv": rows.to_csv(index=False).encode()}
    identity: BagIdentity = {"siklus": f"desa-cantik/{TAHUN}/kabupaten/{kode}", "tingkat": "kabupaten", "kode_wilayah": kode,
                "dibuat_pada": datetime.strptime(versi, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC).isoformat(),
                "versi_standar": "1"}  # a version is the signed creation time
    bag = make_bag({k.removeprefix("data/"): v for k, v in files.items()}, bag_info(identity, {}),
                   child.settings.kunci / f"{kode}.key")
    for name, data in bag.items():
        parent.store.put(f"{layout.package_inbox(TAHUN, kode, versi)}/{name}", data)


@pytest.fixture
def kab_and_prov(tmp_path: Path) -> tuple[Runtime, Runtime]:
    """Kabupaten Malang and its province, the province holding Malang's public key."""
    child = Runtime.from_env({"DESA_CANTIK_HOME": str(tmp_path / "kab"), "DESA_CANTIK_WILAYAH": "35.07"})
    prov = Runtime.from_env({"DESA_CANTIK_HOME": str(tmp_path / "prov"), "DESA_CANTIK_TINGKAT": "provinsi",
                             "DESA_CANTIK_WILAYAH": "35"})
    _, pub = generate_key(child.settings.kunci, "35.07")
    (prov.settings.kunci / "kunci_publik").mkdir(parents=True)
    (prov.settings.kunci / "kunci_publik" / "35.07.pub").write_bytes(pub.read_bytes())
    return child, prov


def test_two_versions_in_one_batch_keep_the_newest(kab_and_prov: tuple[Runtime, Runtime]) -> None:
    """Both versions share a batch (one GX run): each recorded, the newer one's components used."""
    child, prov = kab_and_prov
    v1 = pd.DataFrame({"kode_desa": ["35.07.01.2001", "35.07.01.2002"], "indikator": ["jumlah_penduduk"] * 2,
                       "pembilang": [100.0, 50.0], "penyebut": [1.0, 1.0]})
    _send(child, prov, "35.07", "20260401T000000Z", v1)
    _send(child, prov, "35.07", "20260402T000000Z", v1.iloc[:1].assign(pembilang=200.0))
    [batch] = plan_batches(prov)
    validated = validate_collected(prov, collect_batch(prov, batch), RUN)
    assert store_bundle(prov, validated)["baris_disimpan"] == {"komponen": 1}, "only the newest version is loaded"
    assert validated["kelompok"] == "paket-35.07-20260401T000000Z_35.07-20260402T000000Z"
    assert validated["status"] == {DITERIMA: 2} and validated["alasan"] == {}
    assert prov.warehouse.components(TAHUN)["pembilang"].tolist() == [200.0]
    assert prov.warehouse.deliveries(TAHUN).sort_values("versi")["baris_komponen"].tolist() == [2, 1]


def test_province_uses_the_newest_version_and_a_retried_load_restores_it(kab_and_prov: tuple[Runtime, Runtime],
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """Versions in separate batches (mapped tasks store them in any order)."""
    from desa_cantik.cycle import packages

    monkeypatch.setattr(packages, "MAX_PACKAGES_PER_BATCH", 1)
    child, prov = kab_and_prov
    v1 = pd.DataFrame({"kode_desa": ["35.07.01.2001"], "indikator": ["jumlah_penduduk"], "pembilang": [100.0],
                       "penyebut": [1.0]})
    _send(child, prov, "35.07", "20260401T000000Z", v1)
    _send(child, prov, "35.07", "20260402T000000Z", v1.assign(pembilang=200.0))
    validated = gate_and_store(prov)
    assert [v["status"] for v in validated] == [{DITERIMA: 1}, {DITERIMA: 1}]
    assert prov.warehouse.components(TAHUN)["pembilang"].tolist() == [200.0]
    # a retry of the newest version's load (the task ran again) converges on the same components
    prov.warehouse.replace_components(TAHUN, "35.07", v1.iloc[0:0].assign(tahun=TAHUN, sumber="x", versi="x"))
    store_bundle(prov, validated[1])
    assert prov.warehouse.components(TAHUN)["pembilang"].tolist() == [200.0]
    # an older version stored late does not replace the newer one
    store_bundle(prov, validated[0])
    assert prov.warehouse.components(TAHUN)["pembilang"].tolist() == [200.0]
    sent = prov.warehouse.deliveries(TAHUN)
    assert sorted(sent["status"]) == [DITERIMA, DITERIMA]
    s = summary(prov)  # travels as XCom: plain JSON, no NaN for the 37 kabupaten/kota that sent nothing
    json.dumps(s, allow_nan=False)
    assert [(d["kode_wilayah"], d["jumlah_versi"]) for d in s["pengiriman"] if d["terkirim"]] == [("35.07", 2)]


def test_package_outside_the_senders_area_is_refused_with_its_reason(kab_and_prov: tuple[Runtime, Runtime]) -> None:
    child, prov = kab_and_prov
    rows = pd.DataFrame({"kode_desa": ["35.08.01.2001"], "indikator": ["jumlah_penduduk"], "pembilang": [1.0],
                         "penyebut": [1.0]})
    _send(child, prov, "35.07", "20260401T000000Z", rows)
    [validated] = gate_and_store(prov)
    assert validated["status"] == {DITOLAK: 1}
    sent = prov.warehouse.deliveries(TAHUN).iloc[0]
    assert sent["status"] == DITOLAK and "di luar wilayah 35.07" in sent["alasan"]
    assert prov.warehouse.components(TAHUN).empty
    assert json.loads(json.dumps(validated))["alasan"] == {"35.07-20260401T000000Z": sent["alasan"]}, \
        "the hand-off is plain JSON"


def test_bad_packages_in_a_batch_get_their_own_reasons_and_cost_the_good_one_nothing(
        kab_and_prov: tuple[Runtime, Runtime]) -> None:
    """One GX run fails for the batch: each package is then judged alone, with the reason it gets alone."""
    from desa_cantik.cycle.packages import content_problem

    child, prov = kab_and_prov
    good = pd.DataFrame({"kode_desa": ["35.07.01.2001"], "indikator": ["jumlah_penduduk"], "pembilang": [7.0],
                         "penyebut": [1.0]})
    outside = good.assign(kode_desa="35.08.01.2001")
    _send(child, prov, "35.07", "20260401T000000Z", good)
    _send(child, prov, "35.07", "20260402T000000Z", outside)
    _send(child, prov, "35.07", "20260403T000000Z", good.drop(columns="penyebut"))
    [validated] = gate_and_store(prov)
    assert validated["status"] == {DITERIMA: 1, DITOLAK: 2}
    assert validated["alasan"] == {"35.07-20260402T000000Z": content_problem(outside, "35.07"),
                                   "35.07-20260403T000000Z": content_problem(good.drop(columns="penyebut"), "35.07")}
    assert "di luar wilayah 35.07" in validated["alasan"]["35.07-20260402T000000Z"]
    assert "penyebut" in validated["alasan"]["35.07-20260403T000000Z"]
    assert prov.warehouse.components(TAHUN)["pembilang"].tolist() == [7.0]
    sent = prov.warehouse.deliveries(TAHUN).set_index("versi")
    assert sent["status"].to_dict() == {"20260401T000000Z": DITERIMA, "20260402T000000Z": DITOLAK,
                                        "20260403T000000Z": DITOLAK}


def test_a_check_that_breaks_costs_only_its_own_package(kab_and_prov: tuple[Runtime, Runtime],
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """A bug or outage while one package is checked refuses that package alone, saying so; if the shared GX run
    breaks, each package is run alone."""
    from desa_cantik.cycle import packages
    from desa_cantik.cycle.handoff import ArchivedPackage

    child, prov = kab_and_prov
    rows = pd.DataFrame({"kode_desa": ["35.07.01.2001"], "indikator": ["jumlah_penduduk"], "pembilang": [7.0],
                         "penyebut": [1.0]})
    for versi in ("20260401T000000Z", "20260402T000000Z", "20260403T000000Z"):
        _send(child, prov, "35.07", versi, rows.assign(pembilang=float(versi[7])))
    judge, suite = packages._judge, packages._suite_problem

    def broken_judge(rt: Runtime, collected: ArchivedPackage, now: datetime) -> tuple[pd.DataFrame, str | None]:
        if collected["versi"] == "20260402T000000Z":
            raise KeyError("a bug this package's bytes trigger")
        return judge(rt, collected, now)

    def broken_shared_run(checked: pd.DataFrame, sender: str) -> str | None:
        if not sender:
            raise RuntimeError("GX")
        return suite(checked, sender)

    monkeypatch.setattr(packages, "_judge", broken_judge)
    monkeypatch.setattr(packages, "_suite_problem", broken_shared_run)
    [validated] = gate_and_store(prov)
    assert validated["status"] == {DITERIMA: 2, DITOLAK: 1}
    assert list(validated["alasan"]) == ["35.07-20260402T000000Z"]
    assert "galat internal (KeyError)" in validated["alasan"]["35.07-20260402T000000Z"]
    assert prov.warehouse.components(TAHUN)["pembilang"].tolist() == [3.0], "the newest accepted version is used"


def test_an_outage_fails_the_batch_for_a_retry_instead_of_refusing_packages(kab_and_prov: tuple[Runtime, Runtime],
                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """A disk or warehouse outage is not the package's fault: the task fails (Airflow retries it) and nothing is
    recorded, so the next run judges the same packages."""
    from desa_cantik.cycle import packages

    child, prov = kab_and_prov
    rows = pd.DataFrame({"kode_desa": ["35.07.01.2001"], "indikator": ["jumlah_penduduk"], "pembilang": [7.0],
                         "penyebut": [1.0]})
    _send(child, prov, "35.07", "20260401T000000Z", rows)

    def outage(*_: object) -> None:
        raise OSError("disk penuh")

    with monkeypatch.context() as m:
        m.setattr(packages, "_judge", outage)
        with pytest.raises(OSError):
            gate_and_store(prov)
    assert prov.warehouse.deliveries(TAHUN).empty
    [validated] = gate_and_store(prov)
    assert validated["status"] == {DITERIMA: 1}


def test_an_unsigned_package_still_arriving_is_waited_for_then_refused() -> None:
    from datetime import timedelta

    from desa_cantik.cycle.handoff import PackageObject
    from desa_cantik.cycle.packages import in_transit

    now = datetime(2026, 4, 1, 12, 0, tzinfo=UTC)
    objs: list[PackageObject] = [{"kunci": "k", "ukuran": 1, "diterima_pada": (now - timedelta(minutes=5)).isoformat(),
                                  "relatif": "data/komponen_desa.csv"}]
    assert in_transit(objs, now), "the signature (written last) may still come"
    assert not in_transit(objs, now + timedelta(minutes=40)), "after the grace period it is judged, and refused"
    signed: list[PackageObject] = [*objs, {**objs[0], "relatif": "tanda-tangan-ed25519.txt"}]
    assert not in_transit(signed, now)


def test_package_versions_share_a_batch_up_to_a_count_and_a_size() -> None:
    from desa_cantik.cycle.handoff import PackageRef
    from desa_cantik.cycle.packages import pack_packages

    def ref(kode: str, size: int) -> PackageRef:
        return {"pengirim": kode, "versi": "20260401T000000Z",
                "objek": [{"kunci": f"k/{kode}", "ukuran": size, "diterima_pada": "", "relatif": "bagit.txt"}]}

    refs = [ref(f"35.{i:02d}", 10) for i in range(1, 6)]
    assert [len(b["paket"]) for b in pack_packages(refs, 2, 1000)] == [2, 2, 1]
    assert [len(b["paket"]) for b in pack_packages(refs, 10, 25)] == [2, 2, 1]
    big = [ref("35.01", 10), ref("35.02", 500), ref("35.03", 10)]
    batches = list(pack_packages(big, 10, 100))
    assert [[r["pengirim"] for r in b["paket"]] for b in batches] == [["35.01"], ["35.02"], ["35.03"]]
    assert batches[0]["kelompok"] == "paket-35.01-20260401T000000Z"
    assert next(pack_packages(refs, 10, 1000))["kelompok"] == "paket-35.01-20260401T000000Z_35.05-20260401T000000Z"
