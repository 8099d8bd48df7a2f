"""The events, each written as the notifications it makes (``Kabar``, one per recipient), ready to queue.

A builder only writes: it reads nothing and sends nothing. Who queues them decides the transaction (a verdict's
with the verdict, ``cycle.store``); the sender (``pengantar``) delivers them later. Keys are the event's identity,
so the same event built twice is queued once.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from ..kosakata import DITOLAK, STATUS_LABEL
from ..storage.kotak import Kabar
from . import alamat
from .aturan import PENGIRIM, AturanKabar, JenisKabar
from .templat import singkat, tulis

MAX_PERBAIKAN = 5  # rules listed in a verdict message; the report has them all
HALAMAN_BERKAS_SAYA = "/desa-cantik/kirim/berkas"


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
                      batas=waktu(batas_akhir.isoformat(), zona), belum=list(datasets), dataset_list=", ".join(datasets))
    return out


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
