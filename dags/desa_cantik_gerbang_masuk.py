"""Hourly gate during the collection window: new submissions are checked as they arrive."""

from __future__ import annotations

from airflow.sdk import DAG
from airflow.timetables.trigger import CronTriggerTimetable

from common.akses import access_control
from common.pillars import (
    CYCLE_DAG_ARGS,
    READING_A_RUN,
    TAGS,
    gate_groups,
    jendela_terbuka,
    kirim_kabar,
    koreksi_publikasi,
    ringkasan,
)
from desa_cantik.config import DaftarData, Settings
from desa_cantik.cycle.policy import tier_for

DAFTAR = DaftarData.load(Settings.daftar_data_path())
TIER = tier_for(Settings.from_env().tingkat)  # light: no pandas, no region table (tests/test_gerbang_jam.py)

DOC = f"""
# Gerbang masuk Desa Cantik {DAFTAR.tahun} (tiap jam selama pengumpulan)

Selama jendela pengumpulan (`{DAFTAR.mulai.isoformat()}` s.d. `{DAFTAR.batas_akhir.isoformat()}`) berkas baru di
`masuk/{DAFTAR.tahun}/{{dataset}}/{{pengirim}}/` diarsipkan, diperiksa gerbang BPS, dan yang diterima dimuat ke gudang,
sehingga operator desa mendapat laporan (di samping berkas arsipnya) dan sempat memperbaiki lalu mengirim ulang.
Kiriman ulang menggantikan data desa itu; kedua berkas tetap diarsipkan.

## Triase
- **Hanya `jendela_terbuka` hijau, semua tugas lain dilewati (skipped)**: normal. Log-nya menyebut sebabnya:
  **kotak masuk kosong** (tidak ada berkas baru sejak run terakhir) atau **jendela pengumpulan tertutup** (di luar
  jendela Daftar Data). Run selesai di tugas pertama itu: tidak ada yang diarsipkan, diperiksa, atau disimpan.
  Tugas itu juga merencanakan **kabar terjadwal** (pengingat batas akhir untuk pengirim yang belum mengirim, ringkasan
  harian berkas ditolak untuk BPS, peringatan terakhir sebelum persetujuan Bappeda habis waktunya) dan mengirim kabar
  yang menunggu; log-nya menyebut berapa (`kabar terjadwal: ...`, `kabar: N pesan terkirim ...`).
- **`ringkasan` dilewati**: run ini tidak memeriksa berkas baru (hanya koreksi publikasi); ringkasan terakhir ada di
  run sebelumnya.
- **`kirim_kabar`**: mengirim kabar putusan ke pengirim (surel dan kanal lain, `config/kabar.yaml`); selalu hijau. Kanal
  mati: kabar menunggu di kotak keluar dan dikirim run berikutnya, juga bila run itu selesai di `jendela_terbuka`
  (halaman *Kabar*, `/desa-cantik/kabar`).
- **Tugas gagal (merah)**: masalah server (gudang/penyimpanan), bukan berkas buruk. Jalankan ulang: aman.
- **`koreksi_publikasi` berjalan** (hanya ada di server provinsi/pusat): paket wilayah bawahan tiba setelah publikasi;
  indikator dihitung ulang dan paket versi baru dikirim ke atas. Dilewati bila tidak ada paket terlambat. Server
  kabupaten/kota tidak punya tugas ini (koreksi di sana lewat kiriman ulang desa).
""" + READING_A_RUN


with DAG(
    dag_id="desa_cantik_gerbang_masuk",
    description="Gerbang masuk tiap jam: arsip → validasi BPS → simpan Kominfo, selama jendela pengumpulan",
    schedule=CronTriggerTimetable(DAFTAR.interval_gerbang, timezone=DAFTAR.zona_waktu),
    **CYCLE_DAG_ARGS,
    access_control=access_control("desa_cantik_gerbang_masuk"),
    tags=[*TAGS, "pengumpulan"],
    doc_md=DOC,
):
    # the first task guards every task: window closed or kotak masuk kosong, and the run ends there (short circuit)
    gate = gate_groups(after=jendela_terbuka())
    # ringkasan: skipped when nothing was gated. A kabupaten/kota never republishes from its inbox (its children are
    # desa files, gated as they come), so it has no correction task: one process less in every hourly run.
    # the verdicts stored by this run (and anything still waiting) go out at the end, whatever the stages' states
    gate.disimpan >> kirim_kabar()
    if TIER.corrects_late_packages:
        gate.disimpan >> koreksi_publikasi() >> ringkasan(gate.rencana)
    else:
        gate.disimpan >> ringkasan(gate.rencana)
