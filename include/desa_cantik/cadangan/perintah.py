"""``python -m desa_cantik cadangan buat|periksa|pulihkan|banding|simpan-objek|muat-objek FOLDER``.

Exit 0 done, 1 refused or a check found differences (the Indonesian message says what and what to do; nothing of a
restore is written before its checks pass). Imports only the standard library until a command runs.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .langkah import Tujuan


def add_parser(sub: argparse._SubParsersAction[Any]) -> None:
    c = sub.add_parser("cadangan", help="cadangan dan pemulihan tingkat ini: gudang, metadata Airflow, objek, kunci")
    steps = c.add_subparsers(dest="langkah", required=True, parser_class=type(c))
    for name, text in (("buat", "buat cadangan baru di FOLDER (folder baru; cadangan lama tidak ditimpa)"),
                       ("periksa", "periksa sha256 setiap berkas dan objek cadangan"),
                       ("pulihkan", "pulihkan cadangan ke deployment baru (basis data kosong, bucket kosong)"),
                       ("banding", "sesudah pembaruan: pastikan tidak ada baris gudang atau objek yang hilang sejak cadangan"),
                       ("simpan-objek", "salin semua objek ke FOLDER (make stack-down)"),
                       ("muat-objek", "kembalikan objek dari FOLDER (make stack)")):
        p = steps.add_parser(name, help=text)
        p.add_argument("folder", type=Path, metavar="FOLDER")
        if name in ("buat", "pulihkan"):
            p.add_argument("--basis-data-luar", action="store_true",
                           help="dump basis data dibuat/dipulihkan di luar (docker: di kontainer postgres); di sini hanya "
                                "dibaca dan dibandingkan")
        if name == "muat-objek":
            p.add_argument("--bila-kosong", action="store_true", help="hanya bila penyimpanan objek masih kosong")


def _size(n: int) -> str:
    return f"{n / 1e6:,.1f} MB" if n >= 100_000 else f"{n:,} byte"


def _buat(args: argparse.Namespace, tujuan: Tujuan) -> int:
    from .langkah import buat

    f = buat(args.folder, tujuan, args.basis_data_luar)
    o, t = f["objek"], f["detik"]
    rows = sum(f["gudang"]["baris"].values())
    print(f"Cadangan dibuat di {args.folder} (rilis {f['rilis']}, {f['dibuat']}, tingkat {f['tingkat']} {f['wilayah']}):")
    for name, size in sorted(f["berkas"].items()):
        print(f"  {name}: {_size(size)}")
    print(f"  gudang: {len(f['gudang']['baris'])} tabel, {rows:,} baris, revisi {', '.join(f['gudang']['revisi']) or '-'}"
          + (f"; metadata Airflow: {sum(f['airflow']['baris'].values()):,} baris" if f["airflow"] else ""))
    print(f"  objek: {o['jumlah']:,} ({_size(o['ukuran'])}), disimpan sebagai {o['isi_unik']:,} isi unik "
          f"({_size(o['ukuran_isi'])}); kunci: {len(f['kunci'])} berkas")
    print("  waktu: " + ", ".join(f"{k} {v:.1f} s" for k, v in t.items()))
    print(f"Periksa kapan saja: python -m desa_cantik cadangan periksa {args.folder}  (atau: cd {args.folder} && "
          "sha256sum -c --quiet SHA256SUMS)")
    return 0


def _periksa(args: argparse.Namespace, _: Tujuan) -> int:
    from .langkah import periksa

    problems = periksa(args.folder)
    print("\n".join([f"Cadangan {args.folder}: {len(problems)} masalah:", *problems]) if problems
          else f"Cadangan {args.folder} utuh: setiap berkas dan objek cocok dengan sha256-nya.")
    return 1 if problems else 0


def _pulihkan(args: argparse.Namespace, tujuan: Tujuan) -> int:
    from .langkah import pulihkan

    print("\n".join(pulihkan(args.folder, tujuan, args.basis_data_luar)))
    print("Berikutnya: python -m desa_cantik migrasi, lalu airflow db migrate, lalu jalankan layanannya.")
    return 0


def _banding(args: argparse.Namespace, tujuan: Tujuan) -> int:
    from .langkah import banding

    wrong = banding(args.folder, tujuan)
    print("\n".join([f"Ada yang hilang sejak cadangan {args.folder}:", *wrong]) if wrong
          else f"Tidak ada yang hilang sejak cadangan {args.folder}: baris gudang dan objek lengkap.")
    return 1 if wrong else 0


def _simpan_objek(args: argparse.Namespace, tujuan: Tujuan) -> int:
    from ..storage import open_store
    from .objek import save

    args.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    s = save(open_store(tujuan.settings.objek_url), args.folder)
    print(f"{s['jumlah']:,} objek ({_size(s['ukuran'])}) disimpan di {args.folder}")
    return 0


def _muat_objek(args: argparse.Namespace, tujuan: Tujuan) -> int:
    from ..storage import open_store
    from .objek import load

    store = open_store(tujuan.settings.objek_url)
    if args.bila_kosong and store.list(""):
        print("penyimpanan objek tidak kosong: objek tersimpan tidak dimuat")
        return 0
    done = load(store, args.folder)
    print(f"{done.ditulis:,} objek dimuat dari {args.folder} ({_size(done.ukuran)}), sha256 tiap objek cocok")
    return 0


def main(args: argparse.Namespace) -> int:
    from .langkah import Tujuan
    from .objek import CadanganRusak

    steps = {"buat": _buat, "periksa": _periksa, "pulihkan": _pulihkan, "banding": _banding,
             "simpan-objek": _simpan_objek, "muat-objek": _muat_objek}
    try:
        return steps[args.langkah](args, Tujuan.from_env(dict(os.environ)))
    except CadanganRusak as exc:
        print(f"galat: {exc}", file=sys.stderr)
        return 1
