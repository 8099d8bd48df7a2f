"""``python -m desa_cantik``: generate data, pre-check a file, upload to the inbox, print the cycle summary.

Exit codes of ``validate``: 0 accepted (with or without warnings), 1 rejected, 2 unreadable file or bad usage,
3 internal error of the checker (never the file's fault). Once the arguments parse, ``--json`` always prints a
JSON report (``status`` null when there is no verdict).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

if TYPE_CHECKING:
    from .quality import Verdict

EXIT_ACCEPTED, EXIT_REJECTED, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # bad usage exits 2 with an Indonesian hint
        self.print_usage(sys.stderr)
        print(f"galat: {message}", file=sys.stderr)
        raise SystemExit(EXIT_USAGE)


def _parser() -> argparse.ArgumentParser:
    p = _Parser(prog="python -m desa_cantik", description="Siklus data Desa Cantik / Satu Data")
    sub = p.add_subparsers(dest="cmd", required=True, parser_class=_Parser)

    g = sub.add_parser("generate", help="buat berkas kiriman sintetis untuk semua desa suatu wilayah")
    g.add_argument("--region", required=True, help="kode wilayah, mis. 35.07 atau 35.07.01")
    g.add_argument("--tahun", type=int, required=True)
    g.add_argument("--out", required=True, type=Path)
    g.add_argument("--seed", type=int, default=1)
    g.add_argument("--error-rate", type=float, default=0.05)

    v = sub.add_parser("validate", help="periksa satu berkas seperti gerbang BPS (tanpa server)")
    v.add_argument("file", type=Path)
    v.add_argument("--dataset", required=True)
    v.add_argument("--tahun", type=int)
    v.add_argument("--region", help="wilayah pengirim (kode desa/kabupaten); bawaan: dari kode_desa di berkas")
    v.add_argument("--json", action="store_true", help="cetak hasil sebagai JSON (juga saat galat)")
    v.add_argument("--output", type=Path, help="tulis baris yang diterima dalam bentuk baku (CSV)")

    u = sub.add_parser("upload", help="unggah folder {dataset}/{pengirim}/{berkas} ke kotak masuk")
    u.add_argument("folder", type=Path)
    u.add_argument("--tahun", type=int)

    k = sub.add_parser("kebijakan", help="kebijakan tulis kotak masuk per pengirim (MinIO/S3), untuk init server")
    k.add_argument("--bucket", required=True)
    k.add_argument("--out", required=True, type=Path)

    sub.add_parser("summary", help="ringkasan siklus dari gudang data")
    sub.add_parser("keygen", help="buat kunci tanda tangan Ed25519 tingkat ini (di DESA_CANTIK_KUNCI)")

    t = sub.add_parser("template", help="templat XLSX berisi kode dan nama desa suatu wilayah")
    t.add_argument("--region", required=True)
    t.add_argument("--dataset", required=True)
    t.add_argument("--tahun", type=int)
    t.add_argument("--out", required=True, type=Path)

    r = sub.add_parser("rules", help="katalog aturan validasi (dibuat dari suite di expectations/)")
    r.add_argument("--out", type=Path, help="tulis ke berkas Markdown (bawaan: layar)")
    return p


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    commands = {"generate": _generate, "validate": _validate, "upload": _upload, "keygen": _keygen,
                "template": _template, "rules": _rules, "summary": _summary, "kebijakan": _policies}
    return commands[args.cmd](args)


def _upload(args: argparse.Namespace) -> int:
    from .cycle.inbox import upload_folder
    from .cycle.layout import inbox_prefix
    from .cycle.runtime import Runtime

    rt = Runtime.from_env()
    n = upload_folder(rt.store, args.folder, args.tahun or rt.tahun)
    print(f"{n} berkas diunggah ke {rt.store.location(inbox_prefix(args.tahun or rt.tahun))}")
    return 0


def _keygen(_: argparse.Namespace) -> int:
    from .config import Settings
    from .tiers import generate_key

    settings = Settings.from_env()
    if (settings.kunci / f"{settings.kode_paket}.key").exists():
        print(f"kunci sudah ada: {settings.kunci / settings.kode_paket}.key (tidak ditimpa)")
        return 0
    priv, pub = generate_key(settings.kunci, settings.kode_paket)
    print(f"kunci privat: {priv}\nkunci publik (kirim ke tingkat di atas untuk registrinya): {pub}")
    return 0


def _template(args: argparse.Namespace) -> int:
    from .config import DaftarData, Settings
    from .datasets import all_datasets
    from .regions import get_region
    from .template import build_template

    if args.dataset not in all_datasets() or get_region(args.region) is None:
        print(f"galat: dataset atau wilayah tidak dikenal: {args.dataset} / {args.region}", file=sys.stderr)
        return EXIT_USAGE
    tahun = args.tahun or DaftarData.load(Settings.daftar_data_path()).tahun
    args.out.write_bytes(build_template(args.region, args.dataset, tahun))
    print(f"templat {args.dataset} untuk {args.region} tahun {tahun}: {args.out}")
    return 0


def _rules(args: argparse.Namespace) -> int:
    from .rules import catalogue_markdown

    text = catalogue_markdown()
    if args.out:
        args.out.write_text(text, encoding="utf-8")
    else:
        print(text, end="")
    return 0


def _policies(args: argparse.Namespace) -> int:
    from .config import DaftarData, Settings
    from .pengirim import write_policies

    settings = Settings.from_env()
    n = write_policies(DaftarData.load(settings.daftar_data), settings.kode_wilayah, args.bucket, args.out)
    print(f"{n} kebijakan pengirim ditulis ke {args.out} (daftar: {args.out / 'pengirim.csv'})")
    return 0


def _summary(_: argparse.Namespace) -> int:
    from .cycle.runtime import Runtime
    from .cycle.summary import format_summary, summary

    print(format_summary(summary(Runtime.from_env())))
    return 0


def _generate(args: argparse.Namespace) -> int:
    from .regions import get_region
    from .synthetic import generate

    if get_region(args.region) is None:
        print(f"galat: kode wilayah tidak dikenal: {args.region}", file=sys.stderr)
        return EXIT_USAGE
    g = generate(args.region, args.tahun, args.out, seed=args.seed, error_rate=args.error_rate)
    print(f"{g.files} berkas untuk {g.desa} desa di {g.kode_wilayah} tahun {g.tahun} ditulis ke {g.out} "
          f"({g.errors} galat disisipkan; kunci jawaban di {g.out / '_kebenaran'})")
    return 0


def _validate(args: argparse.Namespace) -> int:
    """Pre-check one file. Exit 0/1 is the verdict, 2 a file that cannot be read or bad usage, 3 a bug."""
    problem = _validate_usage(args)
    if problem:
        return _no_verdict(args, EXIT_USAGE, "PEMAKAIAN", problem)
    try:
        verdict, shown = _precheck_file(args)
    except OSError as exc:
        return _no_verdict(args, EXIT_USAGE, "PEMAKAIAN", f"berkas tidak dapat dibaca: {args.file} ({exc.strerror or exc})")
    except Exception as exc:  # a bug or a broken installation, never the operator's file
        detail = f"{type(exc).__name__}: {str(exc)[:200]}"
        return _no_verdict(args, EXIT_INTERNAL, "GALAT-INTERNAL",
                           "Pemeriksa mengalami galat internal; ini bukan kesalahan berkas Anda dan berkas belum "
                           "diperiksa. Laporkan ke petugas BPS kabupaten/kota dengan melampirkan berkas dan pesan ini "
                           f"({detail}).")
    print(shown, end="")
    if args.output is not None and verdict.rows_accepted:
        try:
            verdict.accepted.to_csv(args.output, index=False, float_format="%.0f")
        except OSError as exc:
            print(f"galat: --output tidak dapat ditulis: {args.output} ({exc.strerror or exc})", file=sys.stderr)
            return EXIT_USAGE
    if not verdict.submission.readable:
        return EXIT_USAGE
    from .findings import DITOLAK

    return EXIT_REJECTED if verdict.status == DITOLAK else EXIT_ACCEPTED


def _validate_usage(args: argparse.Namespace) -> str | None:
    from .datasets import all_datasets
    from .regions import get_region, normalise_code

    if args.dataset not in all_datasets():
        return f"dataset tidak dikenal: {args.dataset} (pilihan: {', '.join(all_datasets())})"
    if not args.file.is_file():
        return f"berkas tidak ditemukan: {args.file}"
    if args.region and get_region(normalise_code(args.region) or "") is None:
        return f"kode wilayah tidak dikenal: {args.region} (mis. 35.07 atau 35.07.01.2001)"
    return None


def _precheck_file(args: argparse.Namespace) -> tuple[Verdict, str]:
    """The verdict and its report, rendered before anything is printed (so a failure prints one report)."""
    from . import feedback
    from .precheck import precheck, read_limited

    data = read_limited(args.file)
    verdict = precheck(data, args.file.name, args.dataset, args.tahun, args.region)
    if args.json:
        return verdict, json.dumps(verdict.to_json(), ensure_ascii=False, indent=2) + "\n"
    return verdict, feedback.report_text(verdict)


def _no_verdict(args: argparse.Namespace, code: int, rule: str, message: str) -> int:
    """No verdict: the reason on stderr and, with --json, the same report shape with ``status`` null."""
    print(f"galat: {message}", file=sys.stderr)
    if args.json:
        issue = {"row": None, "column": None, "rule": rule, "severity": "error", "message": message,
                 "value": None, "expected": None, "level": None}
        report = {"status": None, "rows_read": 0, "rows_accepted": 0, "issues": [issue], "exit_code": code}
        print(json.dumps(report, ensure_ascii=False, indent=2))
    return code


if __name__ == "__main__":
    raise SystemExit(main())
