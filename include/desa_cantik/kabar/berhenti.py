"""An account's own opt-out of non-essential notifications (``penting: false`` in config/kabar.yaml: reminders, BPS's
daily digest), for the page any logged-in user opens (``/desa-cantik/kabar/berhenti``) and for the command line
(``python -m desa_cantik kabar-berhenti``). An essential kind (a verdict, an approval, a failure) is never silenced:
asking to stop one is refused, in Indonesian, naming it."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..storage.kotak import SEMUA_JENIS
from .aturan import PENGIRIM, AturanKabar, KabarError

if TYPE_CHECKING:
    from ..peran import DaftarPeran
    from ..storage.kotak import Outbox


@dataclass(frozen=True)
class PilihanKabar:
    """One kind as an account's settings show it."""

    jenis: str
    uraian: str
    penting: bool  # essential: always sent, not offered to stop
    berhenti: bool  # this account asked not to receive it


def untuk_peran(aturan: AturanKabar, daftar: DaftarPeran, peran: Collection[str]) -> list[str]:
    """The kinds an account with these FAB roles may receive: a sender's kinds for an operator, a role's for staff
    (no roles given: every kind, as the command line shows an account it knows by name only)."""
    if not peran:
        return list(aturan.peristiwa)
    operator = bool(daftar.cakupan(list(peran)))
    names = {p.kunci for p in daftar.peran.values() if p.nama in peran}
    return [k for k, j in aturan.peristiwa.items() if any((p == PENGIRIM and operator) or p in names for p in j.penerima)]


def pilihan(wh: Outbox, aturan: AturanKabar, akun: str, jenis: Iterable[str] | None = None) -> list[PilihanKabar]:
    """The account's settings: each kind (of ``jenis``, default all), whether it is essential, whether it stopped."""
    opted = {j for a, j in wh.opted_out() if a == akun}
    wanted = list(jenis) if jenis is not None else list(aturan.peristiwa)
    return [PilihanKabar(k, aturan.peristiwa[k].uraian, aturan.peristiwa[k].penting,
                         not aturan.peristiwa[k].penting and (k in opted or SEMUA_JENIS in opted)) for k in wanted]


def atur(wh: Outbox, aturan: AturanKabar, akun: str, berhenti: Collection[str], now: str,
         jenis: Collection[str] | None = None) -> list[PilihanKabar]:
    """Set the account's choice for each non-essential kind of ``jenis`` (default all): stop those in ``berhenti``,
    receive the others again. A kind that is unknown or essential is refused before anything changes."""
    if not akun.strip():
        raise KabarError("akun kosong: sebutkan nama pengguna")
    unknown = sorted((set(berhenti) | set(jenis or ())) - set(aturan.peristiwa))
    if unknown:
        raise KabarError(f"jenis kabar tidak dikenal: {', '.join(unknown)} "
                         f"(yang dapat dihentikan: {', '.join(dapat_dihentikan(aturan)) or 'tidak ada'})")
    penting = sorted(k for k in berhenti if aturan.peristiwa[k].penting)
    if penting:
        raise KabarError(f"kabar penting tidak dapat dihentikan: {', '.join(penting)} "
                         f"(yang dapat dihentikan: {', '.join(dapat_dihentikan(aturan)) or 'tidak ada'})")
    scope = [k for k in (list(jenis) if jenis is not None else aturan.peristiwa) if not aturan.peristiwa[k].penting]
    if SEMUA_JENIS in {j for a, j in wh.opted_out() if a == akun}:  # an earlier "everything": now said per kind
        wh.set_opt_out(akun, SEMUA_JENIS, False, now)
        for k in dapat_dihentikan(aturan):
            if k not in scope:
                wh.set_opt_out(akun, k, True, now)
    for k in scope:
        wh.set_opt_out(akun, k, k in berhenti, now)
    return pilihan(wh, aturan, akun, jenis)


def dapat_dihentikan(aturan: AturanKabar) -> list[str]:
    return [k for k, j in aturan.peristiwa.items() if not j.penting]


def teks(akun: str, found: list[PilihanKabar]) -> str:
    """The settings as the command line prints them."""
    lines = [f"Kabar untuk akun {akun}:"]
    for p in found:
        state = "selalu dikirim (penting)" if p.penting else ("DIHENTIKAN" if p.berhenti else "dikirim")
        lines.append(f"  {p.jenis:<22} {state:<26} {p.uraian}")
    return "\n".join(lines)
