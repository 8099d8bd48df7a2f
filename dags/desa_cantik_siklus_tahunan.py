"""Yearly Desa Cantik cycle: closes collection at the Daftar Data deadline and runs every pillar's stage."""

from __future__ import annotations

from airflow.sdk import DAG, get_current_context, task
from airflow.sdk.exceptions import AirflowSkipException
from airflow.timetables.trigger import CronTriggerTimetable

from common.pillars import (
    BAPPEDA,
    BPS,
    CYCLE_DAG_ARGS,
    KOMINFO,
    TAGS,
    gate_submissions,
    run_time,
    runtime,
    upstream_store,
)
from desa_cantik.config import DaftarData, Settings
from desa_cantik.cycle.handoff import CycleSummary, Published

DAFTAR = DaftarData.load(Settings.daftar_data_path())
WAIT_FOR_ALL = DAFTAR.tunggu_semua_paket  # above kabupaten: wait for every child, or publish with coverage

DOC = f"""
# Siklus tahunan Desa Cantik {DAFTAR.tahun}

Ditutup pada **batas akhir pengumpulan** Daftar Data (`{DAFTAR.batas_akhir.isoformat()}`), lalu tiap pilar
menjalankan tahapnya atas data yang **sudah diterima**:

| grup / tugas | pilar | apa |
|---|---|---|
| `pengumpulan_kominfo` | Diskominfo (walidata) | sapuan terakhir kotak masuk; berkas diarsipkan utuh sebelum dibaca |
| `validasi_bps` | BPS (pembina data) | gerbang mutu (suite Great Expectations di `expectations/`), laporan per berkas |
| `penyimpanan_kominfo` | Diskominfo (walidata) | baris diterima dimuat ke gudang (COPY), baris ditolak ke karantina |
| `periksa_lintas_dataset` | BPS | aturan tingkat 2–4 (tahun lalu, proyeksi BPS, antar-dataset) atas seluruh data tersimpan |
| `hitung_indikator` | Bappeda (koordinator data) | indikator desa → kecamatan → kabupaten dengan cakupan |
| `susun_paket` | Diskominfo (walidata) | paket BagIt bertanda tangan, dikirim ke atas (koneksi `desa_cantik_hulu`) |

Tingkat (`DESA_CANTIK_TINGKAT`): di kabupaten/kota yang dikumpulkan berkas desa dan OPD; di provinsi dan pusat,
paket dari tingkat di bawahnya (diperiksa tanda tangan dan checksum-nya oleh `validasi_bps`).
"""

TRIAGE = """
## Triase
- **`gerbang_mutu` gagal**: lihat log; berkas yang buruk *tidak* membuat tugas gagal (ditolak + laporan),
  jadi kegagalan berarti gudang/penyimpanan tidak terjangkau. Jalankan ulang tugasnya: aman (idempoten).
- **Banyak berkas ditolak**: `SELECT aturan, SUM(jumlah) FROM ringkasan_validasi GROUP BY 1 ORDER BY 2 DESC`.
- **Indikator kosong untuk suatu kecamatan**: lihat `cakupan.csv` di paket; desa tanpa data diterima tidak dihitung.
- Menjalankan ulang seluruh siklus tidak mengubah gudang (berkas yang sudah diperiksa dilewati).
- **`susun_paket` dilewati (skipped)**: Daftar Data meminta menunggu semua wilayah bawahan; lihat log untuk yang belum.
- **Paket ditolak** (provinsi/pusat): `SELECT * FROM pengiriman_paket WHERE status = 'ditolak'`: alasannya di kolom `alasan`.
"""


@task(owner=BPS, trigger_rule="none_failed")
def periksa_lintas_dataset() -> dict[str, int]:
    from desa_cantik.cycle.cross_check import cross_check

    return cross_check(runtime(), get_current_context()["run_id"])


@task(owner=BAPPEDA, trigger_rule="none_failed")
def hitung_indikator() -> dict[str, int]:
    from desa_cantik.cycle.coordinate import coordinate

    counts = coordinate(runtime())
    print(f"indikator per tingkat: {counts}")
    return counts


@task(owner=KOMINFO, trigger_rule="none_failed", multiple_outputs=False)
def susun_paket() -> Published:
    """Signed BagIt package into this tier's store and, through connection desa_cantik_hulu, upward."""
    from desa_cantik.cycle.publish import publish

    result = publish(runtime(), run_time().isoformat(), upstream_store(), wait_for_all=WAIT_FOR_ALL)
    if result["status"] == "menunggu":
        raise AirflowSkipException(f"menunggu paket dari: {', '.join(result['belum'])}")
    return result


@task(owner=KOMINFO, trigger_rule="none_failed", multiple_outputs=False)
def ringkasan() -> CycleSummary:
    from desa_cantik.cycle.summary import format_summary, summary

    s = summary(runtime())
    print(format_summary(s))
    return s


with DAG(
    dag_id="desa_cantik_siklus_tahunan",
    description="Siklus tahunan: kumpul → validasi BPS → simpan Kominfo → koordinasi Bappeda → publikasi",
    schedule=CronTriggerTimetable(DAFTAR.closing_cron(), timezone=DAFTAR.zona_waktu),
    **CYCLE_DAG_ARGS,
    tags=[*TAGS, "tahunan"],
    doc_md=DOC + TRIAGE,
):
    gate_submissions() >> periksa_lintas_dataset() >> hitung_indikator() >> susun_paket() >> ringkasan()
