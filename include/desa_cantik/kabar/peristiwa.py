"""The events, each written as the notifications it makes (``Kabar``, one per recipient), ready to queue.

A builder only writes: it reads nothing and sends nothing. Who queues them decides the transaction (a verdict's
with the verdict, ``cycle.store``); the sender (``pengantar``) delivers them later. Keys are the event's identity,
so the same event built twice is queued once.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from ..kosakata import DITOLAK, STATUS_LABEL
from ..storage.kotak import Kabar
from . import alamat
from .aturan import PENGIRIM, AturanKabar, JenisKabar
from .templat import singkat, tulis

MAX_PERBAIKAN = 5  # rules listed in a verdict message; the report has them all
MAX_KECAMATAN = 15  # kecamatan in BPS's daily digest; the Pantau page has them all
HALAMAN_BERKAS_SAYA = "/desa-cantik/kirim/berkas"
HALAMAN_BERHENTI = "/desa-cantik/kabar/berhenti"  # an account's own opt-out (non-essential kinds)
HALAMAN_PANTAU = "/desa-cantik/pantau"
HALAMAN_PAKET = "/desa-cantik/paket"


def _penerima(jenis: JenisKabar, kode_pengirim: str = "") -> list[str]:
    """The recipient words of an event: the sender's accounts and/or roles."""
    out = []
    for p in jenis.penerima:
        if p == PENGIRIM:
            if kode_pengirim:
                out.append(alamat.pengirim(kode_pengirim))
        else:
            out.append(alamat.peran(p))
    return out


def _kabar(aturan: AturanKabar, nama: str, kunci: str, penerima: Iterable[str], tautan: str, ringkas: str,
           **konteks: object) -> list[Kabar]:
    jenis = aturan.jenis(nama)
    subjek, isi = tulis(jenis.templat, tautan=tautan, **konteks)
    return [Kabar(kunci, p, nama, subjek, isi, tautan, singkat(ringkas), jenis.penting, jenis.jam_tenang)
            for p in penerima]


@dataclass(frozen=True)
class BerkasDiputus:
    """A file's verdict as the message needs it (a row of the gate's registry, ``berkas_masuk``)."""

    kunci_masuk: str
    sha256: str
    dataset: str
    pengirim: str
    nama_berkas: str
    diterima_pada: str
    status: str
    baris_dibaca: int
    baris_diterima: int
    baris_ditolak: int


def tautan_berkas(aturan: AturanKabar, f: BerkasDiputus) -> str:
    """The submission's own page when it came through Kirim data (its inbox name starts with the record's id:
    ``{stamp}-{sha256[:12]}-``), else the sender's Berkas saya, which lists it."""
    from ..storage import layout

    parsed = layout.parse_inbox_key(f.kunci_masuk)
    base = aturan.alamat_web + HALAMAN_BERKAS_SAYA
    if parsed is not None:
        stamp, _, rest = parsed.berkas.partition("-")
        if rest.startswith(f.sha256[:12] + "-"):
            return f"{base}/{f.pengirim}/{stamp}-{f.sha256[:12]}"
    return base


def putusan(aturan: AturanKabar, zona: str, berkas: Sequence[BerkasDiputus],
            aturan_dilanggar: Mapping[str, list[str]]) -> list[Kabar]:
    """Each file's verdict for its sender: the verdict, the counts, what to fix, the page link first.

    ``aturan_dilanggar``: per file (sha256), its findings as lines ``ATURAN: pesan (N baris)``, errors first.
    """
    from ..pantau.format import angka, waktu
    from ..regions import region_name

    if "putusan" not in aturan.peristiwa:
        return []
    jenis = aturan.peristiwa["putusan"]
    out: list[Kabar] = []
    for f in berkas:
        hits = aturan_dilanggar.get(f.sha256, [])
        label = STATUS_LABEL.get(f.status, f.status)
        key = f"putusan/{f.sha256}/{hashlib.sha256(f.kunci_masuk.encode()).hexdigest()[:16]}"
        nama = region_name(f.pengirim)
        out += _kabar(aturan, "putusan", key, _penerima(jenis, f.pengirim), tautan_berkas(aturan, f),
                      f"{f.dataset} {nama}: {singkat(f.nama_berkas, 80)} {label.upper()}",
                      dataset=f.dataset, berkas=singkat(f.nama_berkas, 120), putusan=label, ditolak=f.status == DITOLAK,
                      nama_pengirim=f"{nama} ({f.pengirim})" if nama != f.pengirim else f.pengirim,
                      diterima_pada=waktu(f.diterima_pada, zona), baris_dibaca=angka(f.baris_dibaca),
                      baris_diterima=angka(f.baris_diterima), baris_ditolak=angka(f.baris_ditolak),
                      perbaikan=[singkat(h, 220) for h in hits[:MAX_PERBAIKAN]], lebih=max(len(hits) - MAX_PERBAIKAN, 0))
    return out


def persetujuan_menunggu(aturan: AturanKabar, zona: str, run_id: str, tahun: int, nama_wilayah: str, batas: datetime,
                         ringkasan: Sequence[str], tautan: str, koreksi: str = "") -> list[Kabar]:
    """Bappeda's approval is waiting: what to decide, by when, where."""
    from ..pantau.format import waktu

    if "persetujuan_menunggu" not in aturan.peristiwa:
        return []
    return _kabar(aturan, "persetujuan_menunggu", f"persetujuan_menunggu/{tahun}/{run_id}",
                  _penerima(aturan.peristiwa["persetujuan_menunggu"]), tautan,
                  f"persetujuan paket {tahun} {nama_wilayah} menunggu, batas {waktu(batas.isoformat(), zona)}",
                  tahun=tahun, nama_wilayah=nama_wilayah, batas=waktu(batas.isoformat(), zona),
                  ringkasan=[singkat(r, 200) for r in ringkasan], koreksi=singkat(koreksi, 200))


def tugas_gagal(aturan: AturanKabar, zona: str, dag: str, tugas: str, run_id: str, percobaan: int, sebab: str,
                now: datetime, tautan: str, map_index: int = -1) -> list[Kabar]:
    """A task failed after its last retry: which, where, a one-line reason (never a stack trace), the log link."""
    from ..pantau.format import waktu

    if "tugas_gagal" not in aturan.peristiwa:
        return []
    nama_tugas = tugas if map_index < 0 else f"{tugas}[{map_index}]"
    return _kabar(aturan, "tugas_gagal", f"tugas_gagal/{dag}/{run_id}/{nama_tugas}/{percobaan}",
                  _penerima(aturan.peristiwa["tugas_gagal"]), tautan, f"tugas {nama_tugas} ({dag}) gagal",
                  tugas=nama_tugas, dag=dag, run=run_id, percobaan=percobaan, sebab=singkat(sebab, 200) or "-",
                  waktu=waktu(now.isoformat(), zona))


def pengingat(aturan: AturanKabar, zona: str, tahun: int, batas_akhir: datetime, now: datetime,
              belum: Mapping[str, Sequence[str]]) -> list[Kabar]:
    """Reminders for the senders who have not sent (``belum``: sender code -> its missing datasets), on the days
    ``hari_sebelum`` the deadline; one per sender and day (the key names the day)."""
    from ..pantau.format import waktu
    from ..regions import region_name

    if "pengingat" not in aturan.peristiwa:
        return []
    jenis = aturan.peristiwa["pengingat"]
    sisa = (batas_akhir.date() - now.astimezone(batas_akhir.tzinfo).date()).days if batas_akhir.tzinfo else \
        (batas_akhir.date() - now.date()).days
    if sisa not in jenis.hari_sebelum:
        return []
    out: list[Kabar] = []
    for kode, datasets in sorted(belum.items()):
        nama = region_name(kode)
        out += _kabar(aturan, "pengingat", f"pengingat/{tahun}/{kode}/H-{sisa}", _penerima(jenis, kode),
                      aturan.alamat_web + "/desa-cantik/kirim", f"{nama}: {', '.join(datasets)} belum dikirim (H-{sisa})",
                      nama_pengirim=f"{nama} ({kode})" if nama != kode else kode, tahun=tahun, sisa_hari=sisa,
                      batas=waktu(batas_akhir.isoformat(), zona), belum=list(datasets), dataset_list=", ".join(datasets),
                      tautan_berhenti=aturan.alamat_web + HALAMAN_BERHENTI)
    return out


def persetujuan_terakhir(aturan: AturanKabar, zona: str, run_id: str, tahun: int, nama_wilayah: str, mulai: datetime,
                         batas: datetime, now: datetime, tautan: str) -> list[Kabar]:
    """Bappeda's last call before the approval times out (the default then: not published). One per request: a
    rejection without its reason opens the request again (``mulai`` anew), which gets its own last call."""
    import math

    from ..pantau.format import waktu

    if "persetujuan_terakhir" not in aturan.peristiwa:
        return []
    sisa_jam = max(1, math.ceil((batas - now).total_seconds() / 3600))
    return _kabar(aturan, "persetujuan_terakhir", f"persetujuan_terakhir/{tahun}/{run_id}/{mulai:%Y%m%dT%H%M%S}",
                  _penerima(aturan.peristiwa["persetujuan_terakhir"]), tautan,
                  f"persetujuan paket {tahun} {nama_wilayah}: tinggal {sisa_jam} jam",
                  tahun=tahun, nama_wilayah=nama_wilayah, batas=waktu(batas.isoformat(), zona), sisa_jam=sisa_jam)


def paket_ditolak(aturan: AturanKabar, zona: str, tahun: int, kode: str, versi: str, diterima_pada: str,
                  alasan: str) -> list[Kabar]:
    """A child's package version was refused (provinsi/pusat): which, why, where its history is. Once per version."""
    from ..pantau.format import waktu
    from ..regions import region_name

    if "paket_ditolak" not in aturan.peristiwa:
        return []
    nama = region_name(kode)
    nama = f"{nama} ({kode})" if nama != kode else singkat(kode, 40)
    return _kabar(aturan, "paket_ditolak", f"paket_ditolak/{tahun}/{kode}/{versi}",
                  _penerima(aturan.peristiwa["paket_ditolak"]), aturan.alamat_web + HALAMAN_PAKET,
                  f"paket {nama} versi {singkat(versi, 40)} ditolak", tahun=tahun, nama_pengirim=nama,
                  versi=singkat(versi, 40), diterima_pada=waktu(diterima_pada, zona), alasan=singkat(alasan, 300) or "-")


def paket_terlambat(aturan: AturanKabar, zona: str, tahun: int, batas_akhir: datetime, belum: Sequence[str],
                    tunggu_semua: bool) -> list[Kabar]:
    """At the close, the children with no accepted package (provinsi/pusat); once per year and list of children."""
    from ..pantau.format import waktu

    if "paket_terlambat" not in aturan.peristiwa or not belum:
        return []
    tanda = hashlib.sha256("\n".join(sorted(belum)).encode()).hexdigest()[:12]
    return _kabar(aturan, "paket_terlambat", f"paket_terlambat/{tahun}/{tanda}",
                  _penerima(aturan.peristiwa["paket_terlambat"]), aturan.alamat_web + HALAMAN_PAKET,
                  f"{len(belum)} wilayah belum mengirim paket {tahun}", tahun=tahun, jumlah=len(belum),
                  batas=waktu(batas_akhir.isoformat(), zona), wilayah=list(belum), tunggu_semua=tunggu_semua)


def cakupan_rendah(aturan: AturanKabar, tahun: int, nama_wilayah: str, run_id: str,
                   rendah: Sequence[tuple[str, int, int]], ambang: float) -> list[Kabar]:
    """A close whose datasets (``rendah``: source, desa with data, desa in all) are under the coverage threshold."""
    from ..pantau.format import angka

    if "cakupan_rendah" not in aturan.peristiwa or not rendah:
        return []
    baris = [f"{s}: {angka(100 * n / total if total else 0, 1)} % ({angka(n)} dari {angka(total)} desa)"
             for s, n, total in rendah]
    ambang_teks = f"{angka(100 * ambang, 0)} %"
    return _kabar(aturan, "cakupan_rendah", f"cakupan_rendah/{tahun}/{run_id}",
                  _penerima(aturan.peristiwa["cakupan_rendah"]), aturan.alamat_web + HALAMAN_PANTAU,
                  f"penutupan {tahun}: {len(rendah)} dataset di bawah {ambang_teks} desa", tahun=tahun,
                  nama_wilayah=nama_wilayah, run=run_id, cakupan=baris, ambang=ambang_teks)


@dataclass(frozen=True)
class KecamatanDitolak:
    """A kecamatan's rejected files in BPS's daily digest (or the agencies' and BPS's, ``kode`` ``opd-bps``)."""

    kode: str
    nama: str
    berkas: int
    pengirim: tuple[str, ...]  # names, each with the datasets rejected
    aturan: tuple[tuple[str, int], ...]  # (rule, files that broke it), most first


def penolakan_harian(aturan: AturanKabar, zona: str, tahun: int, tanggal: date, mulai: datetime, selesai: datetime,
                     batas_akhir: datetime, kecamatan: Sequence[KecamatanDitolak]) -> list[Kabar]:
    """BPS's daily digest: the day's rejected files per kecamatan (most first) and the rules behind them."""
    from ..pantau.format import BULAN, waktu

    if "penolakan_harian" not in aturan.peristiwa or not kecamatan:
        return []
    base = aturan.alamat_web + HALAMAN_PANTAU
    shown = [{"nama": k.nama, "berkas": k.berkas, "tautan": f"{base}/wilayah/{k.kode}" if "." in k.kode else base,
              "pengirim": singkat(", ".join(k.pengirim), 300),
              "aturan": ", ".join(f"{r} ({n} berkas)" for r, n in k.aturan) or "-"} for k in kecamatan[:MAX_KECAMATAN]]
    jumlah = sum(k.berkas for k in kecamatan)
    hari = f"{tanggal.day} {BULAN[tanggal.month - 1]} {tanggal.year}"
    return _kabar(aturan, "penolakan_harian", f"penolakan_harian/{tahun}/{tanggal.isoformat()}",
                  _penerima(aturan.peristiwa["penolakan_harian"]), base,
                  f"{jumlah} berkas ditolak di {len(kecamatan)} kecamatan ({hari})", tahun=tahun, tanggal=hari,
                  jumlah=jumlah, kecamatan=shown, lebih=max(len(kecamatan) - MAX_KECAMATAN, 0),
                  mulai=waktu(mulai.isoformat(), zona), selesai=waktu(selesai.isoformat(), zona),
                  batas=waktu(batas_akhir.isoformat(), zona), tautan_berhenti=aturan.alamat_web + HALAMAN_BERHENTI)


def batas_persetujuan(mulai: datetime, jam: float) -> datetime:
    return mulai + timedelta(hours=jam)


def garis_aturan(issues: object) -> dict[str, list[str]]:
    """Per file (sha256), its broken rules as lines ``ATURAN: pesan (N baris)``: errors first, then warnings, the
    most rows first (``issues``: the gate's findings frame, ``isu_validasi``'s columns)."""
    import pandas as pd

    from ..findings import ERROR, WARNING

    assert isinstance(issues, pd.DataFrame)
    if issues.empty:
        return {}
    found = issues[issues["keparahan"].isin([ERROR, WARNING])]
    out: dict[str, list[str]] = {}
    for sha, rows in found.groupby("sha256_berkas", sort=False):
        per_rule = (rows.groupby(["keparahan", "aturan"], sort=False)
                    .agg(pesan=("pesan", "first"), n=("pesan", "size")).reset_index())
        per_rule["urut"] = (per_rule["keparahan"] != ERROR).astype(int)
        per_rule = per_rule.sort_values(["urut", "n"], ascending=[True, False])
        out[str(sha)] = [f"{r.aturan}: {r.pesan}" + (f" ({r.n} baris)" if r.n > 1 else "")
                         for r in per_rule.itertuples()]
    return out


def putusan_bundel(aturan: AturanKabar, zona: str, submissions: object, issues: object) -> list[Kabar]:
    """The verdict notifications of a gated batch (``FileBundle``'s registry and findings frames)."""
    import pandas as pd

    assert isinstance(submissions, pd.DataFrame)
    if submissions.empty:
        return []
    berkas = [BerkasDiputus(str(r.kunci_masuk), str(r.sha256), str(r.dataset), str(r.pengirim), str(r.nama_berkas),
                            str(r.diterima_pada), str(r.status), int(r.baris_dibaca), int(r.baris_diterima),
                            int(r.baris_ditolak)) for r in submissions.itertuples(index=False)]
    return putusan(aturan, zona, berkas, garis_aturan(issues))
