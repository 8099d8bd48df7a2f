"""Yearly Desa Cantik cycle: closes collection at the Daftar Data deadline and runs every pillar's stage."""

from __future__ import annotations

from airflow.sdk import DAG, get_current_context, task
from airflow.sdk.exceptions import AirflowSkipException
from airflow.timetables.trigger import CronTriggerTimetable

from common.akses import access_control
from common.persetujuan import PARAMS_KOREKSI, catat_penolakan, periksa_penutupan, persetujuan_bappeda, wajib_disetujui
from common.pillars import (
    BAPPEDA,
    BPS,
    CYCLE_DAG_ARGS,
    KOMINFO,
    READING_A_RUN,
    TAGS,
    gate_submissions,
    kirim_kabar,
    ringkasan,
    run_time,
    runtime,
    upstream_store,
)
from desa_cantik.config import DaftarData, Settings
from desa_cantik.cycle.handoff import Published

DAFTAR = DaftarData.load(Settings.daftar_data_path())
WAIT_FOR_ALL = DAFTAR.tunggu_semua_paket  # above kabupaten: wait for every child, or publish with coverage

DOC = f"""
# Siklus tahunan Desa Cantik {DAFTAR.tahun}

Ditutup pada **batas akhir pengumpulan** Daftar Data (`{DAFTAR.batas_akhir.isoformat()}`), lalu tiap pilar
menjalankan tahapnya atas data yang **sudah diterima**:

| grup / tugas | pilar | apa |
|---|---|---|
| `periksa_penutupan` | Diskominfo (walidata) | tahun ditutup **sekali**: run berikutnya berhenti di sini, kecuali run koreksi |
| `pengumpulan_kominfo` | Diskominfo (walidata) | sapuan terakhir kotak masuk; berkas diarsipkan utuh sebelum dibaca |
| `validasi_bps` | BPS (pembina data) | gerbang mutu, laporan per berkas; `tinjau_penolakan`: yang harus diperbaiki |
| `penyimpanan_kominfo` | Diskominfo (walidata) | baris diterima dimuat ke gudang (COPY), baris ditolak ke karantina |
| `periksa_lintas_dataset` | BPS | aturan tingkat 2–4 (tahun lalu, proyeksi BPS, antar-dataset) atas seluruh data tersimpan |
| `hitung_indikator` | Bappeda (koordinator data) | indikator desa → kecamatan → kabupaten dengan cakupan |
| `kirim_kabar` | Diskominfo (walidata) | kabar putusan sapuan terakhir ke pengirim (`config/kabar.yaml`); selalu hijau |
| `persetujuan_bappeda` | Bappeda | menyetujui atau menolak publikasi paket (Browse → Required Actions); kabar ke Bappeda |
| `susun_paket` | Diskominfo (walidata) | paket BagIt bertanda tangan, dikirim ke atas (koneksi `desa_cantik_hulu`) |
| `ringkasan` | Diskominfo (walidata) | ringkasan siklus dan langkah berikut tiap pilar (di log-nya) |

Tingkat (`DESA_CANTIK_TINGKAT`): di kabupaten/kota yang dikumpulkan berkas desa dan OPD; di provinsi dan pusat,
paket dari tingkat di bawahnya (diperiksa tanda tangan dan checksum-nya oleh `validasi_bps`).
"""

TRIAGE = """
## Triase
- **`periksa_penutupan` gagal (merah), semua tugas lain `upstream_failed`** (kecuali `kirim_kabar`, yang selalu berjalan
  dan hijau): tahun ini sudah ditutup oleh run lain
  (Bappeda sudah memutuskan) atau sedang ditutup oleh run lain yang lebih dulu lolos tugas ini; log-nya menyebut run itu
  dan keputusannya. Bila run yang lebih dulu itu gagal, **jalankan ulang (clear)** tugas yang gagal di run itu.
  Run ini tidak mengubah apa pun, dan Bappeda tidak ditanya dua kali. Biasanya terjadi bila DAG dipicu (▶) lalu
  diaktifkan setelah batas akhir: penjadwal
  membuat run untuk batas akhir, dan run yang berjalan kedua ditolak; **tidak ada yang perlu dibereskan**. Bila
  tahun ini memang perlu ditutup ulang (data diperbaiki setelah penolakan, kiriman terlambat): picu (▶) dengan
  **Koreksi** dicentang dan **Alasan koreksi** diisi; alasannya ditampilkan kepada Bappeda dan dicatat.
- **Tugas lain gagal (merah)**, mis. `gerbang_mutu`: berkas yang buruk *tidak* membuat tugas gagal (ditolak + laporan),
  jadi kegagalan berarti gudang/penyimpanan tidak terjangkau. Jalankan ulang tugasnya: aman.
- **Banyak berkas ditolak**: halaman *Temuan* (aturan terbanyak) dan log `ringkasan` (kecamatan yang perlu dibina).
- **Indikator kosong atau cakupan rendah**: halaman *Indikator*; desa tanpa data diterima tidak dihitung.
- Menjalankan ulang seluruh siklus tidak mengubah gudang (berkas yang sudah diperiksa dilewati).
- **`persetujuan_bappeda` menunggu jawaban**: Bappeda menjawab di menu Browse → Required Actions. **Tolak**:
  `susun_paket` dilewati dan alasannya dicatat (`catat_penolakan`).
- **`susun_paket` dilewati (skipped)**: Bappeda menolak (lihat `catat_penolakan`), atau Daftar Data meminta menunggu
  semua wilayah bawahan (log-nya menyebut yang belum).
- **Paket ditolak** (provinsi/pusat): halaman *Paket*: tiap versi dengan alasan penolakannya.
""" + READING_A_RUN


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

    wajib_disetujui()  # Bappeda approved this run (persetujuan_bappeda), or nothing is published
    result = publish(runtime(), run_time().isoformat(), upstream_store(), wait_for_all=WAIT_FOR_ALL)
    if result["status"] == "menunggu":
        raise AirflowSkipException(f"menunggu paket dari: {', '.join(result['belum'])}")
    return result


with DAG(
    dag_id="desa_cantik_siklus_tahunan",
    description="Siklus tahunan: kumpul → validasi BPS → simpan Kominfo → koordinasi Bappeda → publikasi",
    schedule=CronTriggerTimetable(DAFTAR.closing_cron(), timezone=DAFTAR.zona_waktu),
    **CYCLE_DAG_ARGS,
    access_control=access_control("desa_cantik_siklus_tahunan"),
    tags=[*TAGS, "tahunan"],
    params=PARAMS_KOREKSI,
    doc_md=DOC + TRIAGE,
):
    keputusan = persetujuan_bappeda(DAFTAR.batas_persetujuan_jam, WAIT_FOR_ALL)  # Setujui -> paket, Tolak -> catat
    paket, penolakan = susun_paket(), catat_penolakan()
    # first: a year is closed once (a later run of the same year fails here, unless it is a correction run)
    tersimpan = gate_submissions(after=periksa_penutupan())
    tersimpan >> kirim_kabar()  # the final sweep's verdicts, heard at once
    tersimpan >> periksa_lintas_dataset() >> hitung_indikator() >> keputusan >> [paket, penolakan]
    [paket, penolakan] >> ringkasan()
