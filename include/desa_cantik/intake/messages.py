"""What the reader tells an operator: the refusal, numbers written the Indonesian way, shared texts."""

from __future__ import annotations

MB = 1024 * 1024


class Unreadable(Exception):
    """The file cannot be read at all; the message is for the operator, in Indonesian."""


def angka(n: float) -> str:
    """A number as Indonesians write it: 1.048.576; 2,5."""
    if float(n).is_integer():
        return f"{int(n):,}".replace(",", ".")
    return f"{n:,.1f}".replace(",", "_").replace(".", ",").replace("_", ".")


def mb(nbytes: float) -> str:
    return f"{angka(round(nbytes / MB, 1))} MB"


def short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[:limit] + f"… ({angka(len(text))} karakter)"


RESEND = "lalu kirim ulang"
XLSX_DAMAGED = ("Berkas XLSX rusak atau tidak dapat dibuka. Buka berkas di Excel atau LibreOffice, simpan ulang "
                f"sebagai Excel Workbook (.xlsx), {RESEND}.")
ODS_DAMAGED = ("Berkas OpenDocument (.ods) rusak atau tidak dapat dibuka. Buka berkas di LibreOffice, simpan ulang "
               f"sebagai .ods atau Excel 2007-365 (.xlsx), {RESEND}.")
XLS_DAMAGED = ("Berkas Excel lama (.xls) rusak atau tidak dapat dibuka. Buka berkas di Excel atau LibreOffice, simpan "
               f"ulang sebagai Excel Workbook (.xlsx), {RESEND}.")
TOO_BIG_SHEET = ("Hapus isi yang tidak perlu di luar tabel (sel jauh di bawah atau di kanan tabel) atau bagi data "
                 f"menjadi beberapa berkas, {RESEND}.")
