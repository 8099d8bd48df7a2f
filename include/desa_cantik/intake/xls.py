"""XLS (Excel 97-2003): the OLE2 container walked and the workbook's records scanned before calamine reads it.

An XLS is a compound file (OLE2/CFB): sectors chained by a table, a directory, a "Workbook" stream of BIFF
records. calamine (in Rust) reads every sheet when it opens the file and trusts the container: a chain that
loops grows without end, a declared table length or a sheet's DIMENSIONS record sizes an allocation, and a
cell record may place a cell anywhere in 65,536 x 65,536. In Rust an allocation failure aborts the process.
So, on the bytes, as calamine reads them: every chain it follows must end within the file without a loop,
the lengths it allocates by are bounded, each sheet's records are walked for the cells they place (and the
DIMENSIONS they declare), and the sheets together stay within the limits. Then ``workbook.read_book``.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator

from ..config import BatasBerkas
from ..datasets import Dataset
from .cells import Sheet, check_area
from .messages import RESEND, TOO_BIG_SHEET, XLS_DAMAGED, Unreadable, angka
from .workbook import read_book

CFB = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # OLE2 container: .xls, or an XLSX protected by a password
_ENCRYPTED = "EncryptedPackage".encode("utf-16-le")
_END_OF_CHAIN, _DIFAT_SECTOR, _RESERVED = 0xFFFFFFFE, 0xFFFFFFFC, 0xFFFFFFFA
_MAX_DIFAT_CAPACITY = 1 << 26  # calamine reserves this many u32 by a header field (bytes 62-66)
_STREAMS = ("Workbook", "Book", "WORKBOOK", "BOOK")  # the names calamine looks for, in order
_CELLS = {0x0203, 0x0204, 0x00D6, 0x0205, 0x027E, 0x00FD, 0x0006}  # Number, Label, RString, BoolErr, Rk, LabelSst, Formula
_MULRK, _DIMENSIONS, _BOF, _EOF, _BOUNDSHEET, _FILEPASS = 0x00BD, 0x0200, 0x0809, 0x000A, 0x0085, 0x002F


def read_xls(data: bytes, dataset: Dataset, batas: BatasBerkas) -> list[Sheet]:
    if _ENCRYPTED in data:
        raise Unreadable("Berkas Excel dilindungi kata sandi sehingga tidak dapat dibaca. Buka di Excel, hapus kata "
                         f"sandinya (File > Info > Protect Workbook), simpan sebagai .xlsx, {RESEND}.")
    scan_workbook(_Container(data).workbook_stream(), batas)
    return read_book(data, dataset, batas, XLS_DAMAGED)


def _u32s(chunk: bytes) -> list[int]:
    return list(struct.unpack_from(f"<{len(chunk) // 4}I", chunk))


class _Container:
    """The compound file as calamine walks it (``cfb.rs``): header, DIFAT, FAT, directory, mini stream."""

    def __init__(self, data: bytes) -> None:
        if len(data) < 512 or struct.unpack_from("<H", data, 32)[0] != 6:
            raise Unreadable(XLS_DAMAGED)
        shift = struct.unpack_from("<H", data, 30)[0]
        if shift not in (9, 12):
            raise Unreadable(XLS_DAMAGED)
        self.data, self.size = data, 1 << shift
        self.large = shift == 12
        self.maxid = len(data) // self.size
        fat_len, self.dir_start, mini_start, mini_len, difat_start = struct.unpack_from("<II8xIII", data, 44)
        if fat_len > self.maxid + 1 or struct.unpack_from("<I", data, 62)[0] > _MAX_DIFAT_CAPACITY:
            raise Unreadable(XLS_DAMAGED)
        self.fats = self._fats(_u32s(data[76:512]), difat_start)
        self.dirs = list(self._directory())
        if not self.dirs or (struct.unpack_from("<H", data, 26)[0] != 3 and self.dirs[0][1] == _END_OF_CHAIN):
            raise Unreadable(XLS_DAMAGED)
        self.ministream = self.minifats = b""
        if mini_len > 0:
            self.ministream = self.chain(self.dirs[0][1], self.dirs[0][2])
            self.minifats = self.chain(mini_start, mini_len * self.size)

    def sector(self, sid: int) -> bytes:
        if sid > self.maxid:
            raise Unreadable(XLS_DAMAGED)
        start = self.size + sid * self.size
        return self.data[start:start + self.size]

    def _fats(self, difat: list[int], sid: int) -> list[int]:
        seen: set[int] = set()
        while sid < _RESERVED:  # the DIFAT's own chain: its last entry names the next DIFAT sector
            if sid in seen:
                raise Unreadable(XLS_DAMAGED)
            seen.add(sid)
            difat += _u32s(self.sector(sid))
            if not difat:
                raise Unreadable(XLS_DAMAGED)
            sid = difat.pop()
        ids = [i for i in difat if i < _DIFAT_SECTOR]
        if len(set(ids)) != len(ids) or len(ids) > self.maxid + 1:
            raise Unreadable(XLS_DAMAGED)  # one sector read as the table many times: the table grows without end
        return [n for i in ids for n in _u32s(self.sector(i))]

    def chain(self, sid: int, length: int) -> bytes:
        """A stream of sectors, as calamine follows it: to the end of the chain or the length, never a loop."""
        out: list[bytes] = []
        got, seen = 0, set()
        while sid != _END_OF_CHAIN:
            if sid in seen:
                raise Unreadable(XLS_DAMAGED)
            seen.add(sid)
            piece = self.sector(sid)[: length - got]
            out.append(piece)
            got += len(piece)
            if got >= length:
                break
            if sid >= len(self.fats):
                raise Unreadable(XLS_DAMAGED)
            sid = self.fats[sid]
        return b"".join(out)

    def _directory(self) -> Iterator[tuple[str, int, int]]:
        entries = self.chain(self.dir_start, 1 << 62)
        if len(entries) % 128:
            raise Unreadable(XLS_DAMAGED)
        for at in range(0, len(entries), 128):
            name = entries[at:at + 64].decode("utf-16-le", errors="replace").split("\x00", 1)[0]
            start = struct.unpack_from("<I", entries, at + 116)[0]
            length = struct.unpack_from("<Q" if self.large else "<I", entries, at + 120)[0]
            yield name, start, length

    def workbook_stream(self) -> bytes:
        found = next((d for n in _STREAMS for d in self.dirs if d[0] == n), None)
        if found is None:
            raise Unreadable(XLS_DAMAGED)
        _, sid, length = found
        if length >= 4096:
            return self.chain(sid, length)
        minifats = _u32s(self.minifats)
        out: list[bytes] = []
        got, seen = 0, set()
        while sid != _END_OF_CHAIN and got < length:
            if sid in seen or sid >= len(minifats) or sid * 64 >= len(self.ministream):
                raise Unreadable(XLS_DAMAGED)
            seen.add(sid)
            out.append(self.ministream[sid * 64:sid * 64 + 64][: length - got])
            got += len(out[-1])
            sid = minifats[sid]
        return b"".join(out)


def _records(stream: bytes, at: int) -> Iterator[tuple[int, bytes]]:
    """BIFF records from ``at``: type and data (a Continue record is read as a record of its own: not a cell)."""
    while at + 4 <= len(stream):
        kind, length = struct.unpack_from("<HH", stream, at)
        if at + 4 + length > len(stream):
            raise Unreadable(XLS_DAMAGED)
        yield kind, stream[at + 4:at + 4 + length]
        at += 4 + length


def scan_workbook(stream: bytes, batas: BatasBerkas) -> None:
    """The sheets' areas, as calamine fills them, within the limits; a password named; the sheet count bounded."""
    positions = []
    for kind, rec in _records(stream, 0):
        if kind == _FILEPASS and rec[:2] != b"\x00\x00":
            raise Unreadable("Berkas Excel (.xls) dilindungi kata sandi sehingga tidak dapat dibaca. Buka di Excel, "
                             f"hapus kata sandinya, simpan sebagai .xlsx, {RESEND}.")
        if kind == _BOUNDSHEET:
            if len(rec) < 6:
                raise Unreadable(XLS_DAMAGED)
            positions.append(struct.unpack_from("<I", rec)[0])
        if kind == _EOF:
            break
    if len(positions) > batas.lembar:
        raise Unreadable(f"Berkas berisi {angka(len(positions))} lembar; batas {angka(batas.lembar)} lembar. Hapus "
                         f"lembar yang tidak perlu, {RESEND}.")
    ordered = sorted(positions)
    if len(set(ordered)) != len(ordered) or any(p >= len(stream) for p in ordered):
        raise Unreadable(XLS_DAMAGED)
    cells = 0
    for p, nxt in zip(ordered, [*ordered[1:], len(stream)], strict=True):
        rows, cols = _sheet_extent(stream, p, nxt, batas)
        check_area(rows, cols, batas)
        cells += rows * cols
    if cells > batas.sel:
        raise Unreadable(f"Lembar berkas ini bersama-sama memakai {angka(cells)} sel; batas {angka(batas.sel)} sel. "
                         f"{TOO_BIG_SHEET}")


def _sheet_extent(stream: bytes, at: int, end: int, batas: BatasBerkas) -> tuple[int, int]:
    """Rows and columns from A1 to the furthest cell a sheet's records place. A sheet's records end (EOF) before
    the next sheet's begin, as every writer lays them out: so every record is walked once."""
    rows = cols = depth = 0
    seen_bof = False
    for kind, rec in _records(stream[:end], at):
        if depth:
            depth += (kind == _BOF) - (kind == _EOF)
            continue
        if kind == _EOF:
            return rows, cols
        if kind == _BOF:
            depth, seen_bof = (1, True) if seen_bof else (0, True)
        elif (kind in _CELLS and len(rec) >= 4) or (kind == _MULRK and len(rec) >= 6):
            row, col = _place(kind, rec)
            rows, cols = max(rows, row + 1), max(cols, col + 1)
        elif kind == _DIMENSIONS:
            _check_dimensions(rec, batas)
    if end < len(stream):
        raise Unreadable(XLS_DAMAGED)  # ran into the next sheet: calamine would read on, into it
    return rows, cols  # the stream ended: calamine stops there too


def _place(kind: int, rec: bytes) -> tuple[int, int]:
    """The furthest cell a record places (a MulRk places a run of cells in one row)."""
    row, col = struct.unpack_from("<HH", rec)
    if kind == _MULRK:
        col = max(col + (len(rec) - 6) // 6 - 1, struct.unpack_from("<H", rec, len(rec) - 2)[0])
    return row, col


def _check_dimensions(rec: bytes, batas: BatasBerkas) -> None:
    """calamine reserves room for the area a DIMENSIONS record declares: beyond what a sheet can hold, refused."""
    if len(rec) == 14:
        first, last, cf, cl = struct.unpack_from("<IIHH", rec)
    elif len(rec) == 10:
        first, last, cf, cl = struct.unpack_from("<HHHH", rec)
    else:
        raise Unreadable(XLS_DAMAGED)
    cf = 0 if cf > 0xFF or cl < cf else cf
    if last < 1 or cl < 1:
        return  # calamine reserves one cell
    rows, cols = (last - first) % (1 << 32), (cl - cf) % (1 << 32)
    if rows > 65_536 or cols > 256:
        raise Unreadable(XLS_DAMAGED)  # beyond any XLS sheet
    check_area(rows, cols, batas)
