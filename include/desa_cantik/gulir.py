"""The second cycle: the Daftar Data rolled over to the next year (``python -m desa_cantik gulir-tahun``).

A year's cycle reads its year and its dates from the Daftar Data, so a new year starts when Diskominfo moves
``tahun``, ``pengumpulan.mulai`` and ``pengumpulan.batas_akhir`` on. The file is edited line by line, so its
comments, order and quoting stay as the tier wrote them; dates keep their day, month and time (29 February
becomes 28 February in a year without it); the datasets, producers and limits are kept. The result is read
back as a Daftar Data and compared with what was meant before anything is written, and nothing is written
without ``--tulis``: the review (what changes, whether the old year was closed, what operators will see) is
printed first.
"""

from __future__ import annotations

import argparse
import difflib
import os
import re
import sys
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from .config import DaftarData, Settings

if TYPE_CHECKING:
    from .cycle.persetujuan import Keputusan
    from .cycle.runtime import Runtime

EXIT_OK, EXIT_BELUM_DITUTUP, EXIT_GAGAL = 0, 1, 2
_SECTION = re.compile(r"^(?P<key>[A-Za-z_][\w-]*)\s*:")
_YEAR = re.compile(r"^(?P<head>tahun\s*:\s*)(?P<q>[\"']?)(?P<v>\d{4})(?P=q)(?P<tail>\s*(#.*)?)$")
_DATE = re.compile(r"^(?P<head>\s+(?P<key>mulai|batas_akhir)\s*:\s*)(?P<q>[\"']?)(?P<v>\d{4}-\d{2}-\d{2})"
                   r"(?P<rest>[^\"'#\s]*)(?P=q)(?P<tail>\s*(#.*)?)$")
DATES = ("mulai", "batas_akhir")  # under ``pengumpulan:``; each moves with the year
P = TypeVar("P", bound=argparse.ArgumentParser)


class GulirGagal(ValueError):
    """The Daftar Data cannot be rolled over as asked; the Indonesian message says why and what to do."""


def geser_tahun(when: date, selisih: int) -> date:
    """The same day and month ``selisih`` years on; 29 February becomes 28 February in a year without it."""
    try:
        return when.replace(year=when.year + selisih)
    except ValueError:  # only 29 February has no twin
        return when.replace(year=when.year + selisih, day=28)


@dataclass(frozen=True)
class Perubahan:
    """One value the roll changes, as the file writes it."""

    kunci: str  # tahun | pengumpulan.mulai | pengumpulan.batas_akhir
    lama: str
    baru: str


@dataclass(frozen=True)
class Gulir:
    """A Daftar Data rolled from one year to another: both texts, what changed, and the new Daftar Data as read."""

    lama: DaftarData
    baru: DaftarData
    teks_lama: str
    teks_baru: str
    perubahan: tuple[Perubahan, ...]

    @property
    def dari(self) -> int:
        return self.lama.tahun

    @property
    def ke(self) -> int:
        return self.baru.tahun


def _moved(line: str, section: str | None, selisih: int, found: list[Perubahan]) -> str:
    """A line of the file with its year or date moved on (other lines as they are)."""
    body, end = (line[:-1], "\n") if line.endswith("\n") else (line, "")
    if section == "tahun" and (m := _YEAR.match(body)):
        new = str(int(m["v"]) + selisih)
        found.append(Perubahan("tahun", m["v"], new))
        return f"{m['head']}{m['q']}{new}{m['q']}{m['tail']}{end}"
    if section == "pengumpulan" and (m := _DATE.match(body)):
        new = geser_tahun(date.fromisoformat(m["v"]), selisih).isoformat()
        found.append(Perubahan(f"pengumpulan.{m['key']}", m["v"] + m["rest"], new + m["rest"]))
        return f"{m['head']}{m['q']}{new}{m['rest']}{m['q']}{m['tail']}{end}"
    return line


def gulir(teks: str, ke: int | None = None) -> Gulir:
    """The Daftar Data's text rolled over to ``ke`` (default: the next year), checked by reading it back."""
    try:
        lama = DaftarData.from_text(teks)
    except Exception as exc:  # a YAML or content error of the current file: said, not a traceback
        raise GulirGagal(f"Daftar Data saat ini tidak dapat dibaca: {exc}") from None
    ke = lama.tahun + 1 if ke is None else ke
    if ke <= lama.tahun:
        raise GulirGagal(f"Tahun tujuan {ke} tidak setelah tahun Daftar Data {lama.tahun}. gulir-tahun hanya maju; "
                         "untuk kembali ke tahun sebelumnya, ubah tahun dan tanggal pengumpulan dengan tangan.")
    selisih = ke - lama.tahun
    found: list[Perubahan] = []
    section: str | None = None
    lines = []
    for line in teks.splitlines(keepends=True):
        if m := _SECTION.match(line):
            section = m["key"]
        lines.append(_moved(line, section, selisih, found))
    baru_teks = "".join(lines)
    keys = sorted(p.kunci for p in found)
    if keys != sorted(["tahun", *(f"pengumpulan.{d}" for d in DATES)]):
        raise GulirGagal("Daftar Data tidak dapat digulir otomatis: baris 'tahun:' dan 'mulai:' serta 'batas_akhir:' di "
                         "bawah 'pengumpulan:' harus masing-masing tepat satu, tiap nilai di barisnya sendiri (mis. "
                         f"batas_akhir: \"2026-03-31T23:59:00+07:00\"); ditemukan: {', '.join(keys) or 'tidak ada'}. "
                         "Ubah tahun dan tanggal pengumpulan dengan tangan.")
    baru = DaftarData.from_text(baru_teks)
    _check(lama, baru, selisih)
    return Gulir(lama, baru, teks, baru_teks, tuple(found))


def _check(lama: DaftarData, baru: DaftarData, selisih: int) -> None:
    """The new text says what was meant: the year and both dates moved, everything else as it was."""
    def moved(when: datetime) -> datetime:
        return datetime.combine(geser_tahun(when.date(), selisih), when.timetz())

    meant = (lama.tahun + selisih, moved(lama.mulai), moved(lama.batas_akhir))
    if (baru.tahun, baru.mulai, baru.batas_akhir) != meant or (baru.datasets, baru.produsen, baru.opd) != \
            (lama.datasets, lama.produsen, lama.opd):
        raise GulirGagal("Daftar Data hasil gulir tidak sesuai maksudnya (tahun atau tanggal lain ikut berubah); "
                         "tidak ada yang ditulis. Ubah tahun dan tanggal pengumpulan dengan tangan.")


# --- the review ----------------------------------------------------------------------------------------------


def aturan_tahun_lalu() -> list[str]:
    """The rules that compare with an earlier year's stored data (level 2, e.g. KEP-08), as ``KEP-08 (dataset)``."""
    from .suites import load_suite, reference_specs

    out = []
    for ds in sorted(_datasets_with_suites()):
        earlier = {s.kolom_rujukan for s in reference_specs(ds) if s.selisih_tahun < 0}
        rules = sorted({e["meta"]["aturan"] for e in load_suite(ds)["expectations"]
                        if earlier & set(e["meta"].get("butuh_rujukan", []))})
        out += [f"{r} ({ds})" for r in rules]
    return out


def _datasets_with_suites() -> list[str]:
    from .datasets import all_datasets
    from .suites import expectations_dir

    return [ds for ds in all_datasets() if (expectations_dir() / f"{ds}.json").is_file()]


def penutupan(rt: Runtime, tahun: int) -> Keputusan | None:
    """Bappeda's last decision on the year (what makes it closed), or None when it never was closed."""
    import json

    from .cycle.persetujuan import decisions_prefix

    keys = sorted(o.key for o in rt.store.list(decisions_prefix(tahun, rt.settings.kode_paket)) if o.key.endswith(".json"))
    last: Keputusan | None = json.loads(rt.store.get(keys[-1])) if keys else None
    return last


def keadaan(rt: Runtime, g: Gulir) -> tuple[list[str], bool]:
    """What the warehouse and the store say about the old year: notes for the review, and whether it was closed."""
    from .cycle.persetujuan import DISETUJUI, decision_text

    last = penutupan(rt, g.dari)
    if last is None:
        closed = (f"BELUM DITUTUP: tidak ada keputusan Bappeda tercatat untuk {g.dari}. Setelah digulir, DAG siklus "
                  f"tahunan menutup tahun {g.ke}; tahun {g.dari} tidak tertutup dan tidak terbit. Tutup {g.dari} dulu "
                  "(siklus tahunan sampai keputusan Bappeda), atau tulis dengan --paksa bila memang disengaja.")
    elif last["keputusan"] != DISETUJUI or last["batas_waktu_habis"]:
        closed = (f"{decision_text(last)} Paket {g.dari} tidak terbit; setelah digulir, run koreksi siklus tahunan "
                  f"menutup {g.ke}, bukan {g.dari}: terbitkan {g.dari} dulu (run koreksi) bila masih perlu.")
    else:
        closed = decision_text(last)
    notes = [f"Penutupan {g.dari}: {closed}"]
    stored = [(ds, rt.warehouse.count_rows(ds, g.dari)) for ds in g.baru.datasets]
    filled = ", ".join(f"{ds} {n} desa" for ds, n in stored if n)
    notes.append(f"Yang dilihat operator: Kirim data menerima berkas tahun {g.ke}; templat yang diunduh terisi nilai {g.dari} "
                 f"yang diterima gudang ({filled or 'belum ada nilai tersimpan: templat kosong'}), ditandai sebagai nilai "
                 f"{g.dari} sampai diubah. Halaman Pantau, Temuan, Indikator, Paket dan Berkas saya membuka tahun {g.ke}; "
                 f"tahun {g.dari} tetap bisa dipilih (?tahun={g.dari}).")
    return notes, last is not None


def ulasan(g: Gulir, path: Path, notes: list[str], ditulis: bool) -> str:
    """The review printed before (or after) writing: what changes, what stays, the notes, and the file's diff."""
    width = max(len(p.kunci) for p in g.perubahan)
    cron_lama, cron_baru = g.lama.closing_cron(), g.baru.closing_cron()
    rules = aturan_tahun_lalu()
    out = [f"Gulir Daftar Data {path}: tahun {g.dari} → {g.ke}",
           "Sudah ditulis." if ditulis else "Belum ditulis (uji coba): jalankan lagi dengan --tulis untuk menyimpannya.",
           "", "Yang berubah:"]
    out += [f"  {p.kunci.ljust(width)}  {p.lama} → {p.baru}" for p in g.perubahan]
    out.append(f"  jadwal siklus tahunan (cron, {g.baru.zona_waktu}): "
               + (f"{cron_lama} (tetap)" if cron_lama == cron_baru else f"{cron_lama} → {cron_baru}"))
    out += ["", "Yang tetap: " + ", ".join(f"{ds} ({g.baru.produsen[ds]})" for ds in g.baru.datasets)
            + f"; OPD {', '.join(g.baru.opd) or '-'}; interval gerbang, zona waktu, batas berkas dan persetujuan.",
            "Aturan yang membandingkan dengan tahun sebelumnya (nilai " + f"{g.dari} yang tersimpan di gudang): "
            + (", ".join(rules) or "tidak ada") + "."]
    out += ["", *notes, "", "Beda berkas:"]
    out += [line.rstrip("\n") for line in difflib.unified_diff(
        g.teks_lama.splitlines(keepends=True), g.teks_baru.splitlines(keepends=True),
        f"{path} ({g.dari})", f"{path} ({g.ke})")]
    return "\n".join(out) + "\n"


def tulis(path: Path, g: Gulir) -> Path:
    """Write the new year's file in one step (a temporary file renamed over it), the old one kept beside it."""
    backup = path.with_name(f"{path.name}.{g.dari}.bak")
    backup.write_text(g.teks_lama, encoding="utf-8")
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(g.teks_baru, encoding="utf-8")
    os.replace(tmp, path)
    return backup


def jalankan(ke: int | None, simpan: bool, paksa: bool, env: dict[str, str] | None = None) -> tuple[int, str]:
    """``gulir-tahun``: the exit code and what to print (the review; with ``simpan``, after writing)."""
    path = Settings.daftar_data_path(env)
    try:
        g = gulir(path.read_text(encoding="utf-8"), ke)
    except OSError as exc:
        return EXIT_GAGAL, f"galat: Daftar Data tidak dapat dibaca: {path} ({exc.strerror or exc})\n"
    except GulirGagal as exc:
        return EXIT_GAGAL, f"galat: {exc}\n"
    try:
        from .cycle.runtime import Runtime

        notes, closed = keadaan(Runtime.from_env(env), g)
    except Exception as exc:  # no warehouse or store reachable: the roll itself does not need them
        notes, closed = [f"Catatan: gudang atau penyimpanan objek tidak dapat dibaca ({type(exc).__name__}), jadi "
                         f"penutupan {g.dari} tidak diperiksa. Tulis dengan --paksa bila tahun {g.dari} sudah ditutup."], False
    if simpan and not closed and not paksa:
        return EXIT_BELUM_DITUTUP, ulasan(g, path, notes, False) + \
            f"\nTidak ditulis: tahun {g.dari} belum ditutup (lihat di atas). Tambahkan --paksa untuk tetap menulis.\n"
    if simpan:
        backup = tulis(path, g)
        notes.append(f"Berkas lama disimpan di {backup}. DAG dan halaman membaca Daftar Data baru pada pemakaian berikutnya.")
    return EXIT_OK, ulasan(g, path, notes, simpan)


def daftarkan(sub: argparse._SubParsersAction[P]) -> None:
    """``gulir-tahun``'s arguments on the command line's parser (``cli``)."""
    y = sub.add_parser("gulir-tahun", help="gulirkan Daftar Data ke tahun berikutnya (tanggal maju satu tahun); "
                                           "tanpa --tulis hanya menampilkan perubahannya")
    y.add_argument("--ke", type=int, help="tahun tujuan (bawaan: tahun Daftar Data + 1)")
    y.add_argument("--tulis", action="store_true", help="simpan Daftar Data baru (bawaan: uji coba, tidak ditulis)")
    y.add_argument("--paksa", action="store_true", help="tulis walau tahun lama belum ditutup Bappeda")


def perintah(args: argparse.Namespace) -> int:
    """``python -m desa_cantik gulir-tahun``: the review on stdout (a refusal to roll on stderr), its exit code."""
    code, text = jalankan(args.ke, args.tulis, args.paksa)
    print(text, end="", file=sys.stderr if code == EXIT_GAGAL else sys.stdout)
    return code
