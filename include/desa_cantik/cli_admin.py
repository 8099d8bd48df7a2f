"""The tier administrator's commands of ``python -m desa_cantik`` (``cli`` parses them): migrate the warehouse
(``migrasi``), say the release (``versi``, ``--version``), and an account's non-essential notifications
(``kabar-berhenti``). Each imports what it needs when it runs: ``cli`` stays light for the operators' ``validate``."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime


def migrasi(args: argparse.Namespace) -> int:
    from .config import Settings
    from .storage import mask_url, migrasi

    if args.revisi:
        print(f"Revisi baru (periksa, lalu ubah HEAD di storage/migrasi/__init__.py): {migrasi.new_revision(args.revisi)}")
        return 0
    url = Settings.from_env().gudang_url
    print(f"Gudang: {mask_url(url)}")
    if args.cek:
        st = migrasi.status(url)
        print(migrasi.describe_status(st))
        return 0 if st.up_to_date else 1
    try:
        print(migrasi.describe(migrasi.upgrade(url)))
    except migrasi.SchemaNotMigrated as exc:
        print(f"galat: {exc}", file=sys.stderr)
        return 1
    return 0


def versi(_: argparse.Namespace) -> int:
    from .bags import FORMAT, READABLE_FORMATS, RELEASE
    from .storage.migrasi import HEAD

    print(f"Desa Cantik rilis {RELEASE}\nFormat paket yang ditulis: {FORMAT} (diterima dari tingkat bawah: format "
          f"{' dan '.join(map(str, READABLE_FORMATS))})\nRevisi skema gudang: {HEAD}")
    return 0


def kabar_berhenti(args: argparse.Namespace) -> int:
    """Stop (default), receive again (``--terima-lagi``) or show (``--lihat``) an account's non-essential kinds
    (``--jenis``, default all of them), in the warehouse of ``DESA_CANTIK_GUDANG``, as the account's own page does."""
    from .config import Settings
    from .kabar import AturanKabar, KabarError
    from .kabar.berhenti import atur, dapat_dihentikan, pilihan, teks
    from .storage import Warehouse
    from .storage.migrasi import SchemaNotMigrated

    try:
        aturan = AturanKabar.load()
        wh = Warehouse(Settings.from_env().gudang_url)
        wh.ensure()
        if args.lihat:
            print(teks(args.akun, pilihan(wh, aturan, args.akun)))
            return 0
        jenis = args.jenis or dapat_dihentikan(aturan)
        stop = [] if args.terima_lagi else jenis
        atur(wh, aturan, args.akun, stop, datetime.now(UTC).replace(microsecond=0).isoformat(), jenis)
    except (KabarError, SchemaNotMigrated, ValueError) as exc:
        print(f"galat: {exc}", file=sys.stderr)
        return 2
    print(teks(args.akun, pilihan(wh, aturan, args.akun)))
    return 0
