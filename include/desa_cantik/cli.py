"""``python -m desa_cantik``: generate data, pre-check files, upload to the inbox, print the cycle summary, roll the
Daftar Data to the next year (``gulir-tahun``), back up and restore the tier (``cadangan``); the tier administrator's
commands (migrate the warehouse, say the release, an account's notifications) are ``cli_admin``.

Exit codes of ``validate``: 0 accepted (with or without warnings), 1 rejected, 2 unreadable file or bad usage,
3 internal error of the checker (never the file's fault); over several files, the worst (3 > 2 > 1 > 0).
Once the arguments parse, ``--json`` always prints JSON: one file's report (``status`` null when there is no
verdict, as for bad usage), or for several files an array of those reports, each with its ``berkas_path``.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn, TypedDict

from .cadangan import perintah as cadangan
from .cli_admin import kabar_berhenti, migrasi, versi

if TYPE_CHECKING:
    from .config import DaftarData
    from .findings import IssueJson
    from .precheck import Wilayah
    from .quality import Verdict

EXIT_ACCEPTED, EXIT_REJECTED, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # bad usage exits 2 with an Indonesian hint
        self.print_usage(sys.stderr)
        print(f"galat: {message}", file=sys.stderr)
        raise SystemExit(EXIT_USAGE)


class _Versi(argparse.Action):  # ``--version`` before any command: what ``versi`` prints, then exit 0
    def __call__(self, parser: argparse.ArgumentParser, *_: object) -> None:
        versi(argparse.Namespace())
        parser.exit()


def _parser() -> argparse.ArgumentParser:
    p = _Parser(prog="python -m desa_cantik", description="Siklus data Desa Cantik / Satu Data")
    p.add_argument("--version", action=_Versi, nargs=0, help="rilis, format paket, dan revisi skema gudang")
    sub = p.add_subparsers(dest="cmd", required=True, parser_class=_Parser)
    sub.add_parser("versi", help="rilis ini, format paket yang ditulis dan diterima, dan revisi skema gudang")

    g = sub.add_parser("generate", help="buat berkas kiriman sintetis untuk semua desa suatu wilayah")
    g.add_argument("--region", required=True, help="kode wilayah, mis. 35.07 atau 35.07.01")
    g.add_argument("--tahun", type=int, required=True)
    g.add_argument("--out", required=True, type=Path)
    g.add_argument("--seed", type=int, default=1)
    g.add_argument("--error-rate", type=float, default=0.05)

    v = sub.add_parser("validate", help="periksa berkas seperti gerbang BPS (tanpa server): satu, beberapa, atau folder")
    v.add_argument("paths", nargs="+", type=Path, metavar="BERKAS_ATAU_FOLDER",
                   help="berkas atau folder (semua berkas di dalamnya, kecuali nama yang diawali _ atau .)")
    v.add_argument("--dataset", help="bawaan: dari folder {dataset}/ di jalur berkas (susunan keluaran generate)")
    v.add_argument("--tahun", type=int)
    v.add_argument("--region", help="wilayah pengirim: kode desa Anda (mis. 35.07.01.2001), kabupaten untuk OPD; "
                                    "bawaan: folder {dataset}/{KODE_DESA}/, lalu kabupaten dari kode_desa di berkas")
    v.add_argument("--json", action="store_true", help="cetak hasil sebagai JSON (juga saat galat)")
    v.add_argument("--output", type=Path, help="tulis baris yang diterima dalam bentuk baku (CSV); hanya satu berkas")

    u = sub.add_parser("upload", help="unggah folder {dataset}/{pengirim}/{berkas} ke kotak masuk")
    u.add_argument("folder", type=Path)
    u.add_argument("--tahun", type=int)

    k = sub.add_parser("kebijakan", help="kebijakan tulis kotak masuk per pengirim (MinIO/S3), untuk init server")
    k.add_argument("--bucket", required=True)
    k.add_argument("--out", required=True, type=Path)

    m = sub.add_parser("migrasi", help="mutakhirkan skema gudang data ke revisi rilis ini (sebelum layanan dimulai)")
    m.add_argument("--cek", action="store_true", help="hanya laporkan revisi gudang dan revisi rilis ini (0: mutakhir)")
    m.add_argument("--revisi", metavar="PESAN", help="pengembang: tulis revisi baru dari beda model dan revisi terakhir")

    sub.add_parser("summary", help="ringkasan siklus dari gudang data")
    sub.add_parser("keygen", help="buat kunci tanda tangan Ed25519 tingkat ini (di DESA_CANTIK_KUNCI)")

    t = sub.add_parser("template", help="templat XLSX (atau CSV: --out F.csv) berisi kode dan nama desa suatu wilayah, "
                                        "terisi nilai tahun lalu yang diterima gudang")
    t.add_argument("--region", required=True)
    t.add_argument("--dataset", required=True)
    t.add_argument("--tahun", type=int)
    t.add_argument("--out", required=True, type=Path)
    t.add_argument("--kosong", action="store_true", help="tanpa nilai tahun lalu")

    r = sub.add_parser("rules", help="katalog aturan validasi (dibuat dari suite di expectations/)")
    r.add_argument("--out", type=Path, help="tulis ke berkas Markdown (bawaan: layar)")
    from .gulir import daftarkan
    daftarkan(sub)  # gulir-tahun: its arguments beside its code
    cadangan.add_parser(sub)

    b = sub.add_parser("kabar-berhenti", help="kabar tidak penting (pengingat, ringkasan harian) untuk satu akun: "
                                              "hentikan, terima lagi (--terima-lagi) atau lihat (--lihat)")
    b.add_argument("akun", help="nama pengguna (username) akun itu")
    b.add_argument("--jenis", action="append", help="hanya jenis ini (boleh berulang; bawaan: semua yang tidak penting)")
    b.add_argument("--terima-lagi", action="store_true", help="terima lagi jenis itu, bukan menghentikannya")
    b.add_argument("--lihat", action="store_true", help="hanya tampilkan pengaturan akun, tanpa mengubah")
    return p


def main(argv: list[str] | None = None) -> int:
    from .gulir import perintah
    args = _parser().parse_args(argv)
    commands = {"generate": _generate, "validate": _validate, "upload": _upload, "keygen": _keygen,
                "template": _template, "rules": _rules, "summary": _summary, "kebijakan": _policies,
                "migrasi": migrasi, "versi": versi, "gulir-tahun": perintah, "cadangan": cadangan.main,
                "kabar-berhenti": kabar_berhenti}
    return commands[args.cmd](args)


def _upload(args: argparse.Namespace) -> int:
    from .cycle.inbox import upload_folder
    from .cycle.runtime import Runtime
    from .storage.layout import inbox_prefix

    rt = Runtime.from_env()
    n = upload_folder(rt.store, args.folder, args.tahun or rt.tahun)
    print(f"{n} berkas diunggah ke {rt.store.location(inbox_prefix(args.tahun or rt.tahun))}")
    return 0


def _keygen(_: argparse.Namespace) -> int:
    from .bags import generate_key
    from .config import Settings

    settings = Settings.from_env()
    if (settings.kunci / f"{settings.kode_paket}.key").exists():
        print(f"kunci sudah ada: {settings.kunci / settings.kode_paket}.key (tidak ditimpa)")
        return 0
    priv, pub = generate_key(settings.kunci, settings.kode_paket)
    print(f"kunci privat: {priv}\nkunci publik (kirim ke tingkat di atas untuk registrinya): {pub}")
    return 0


def _template(args: argparse.Namespace) -> int:
    from .template import tulis_templat

    code, text = tulis_templat(args.region, args.dataset, args.tahun, args.out, args.kosong)
    print(text, file=sys.stderr if code else sys.stdout)
    return code


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


class _Usage(Exception):
    """Bad usage of ``validate``: the call is refused before any file is checked (exit 2)."""


@dataclass
class _Berkas:
    """One file of a ``validate`` call: where it is, how it is checked, and what came of it."""

    path: Path
    dataset: str
    region: str | None  # --region, else the desa of its {dataset}/{pengirim}/ folder, else None (guessed)
    dari_folder: bool = False  # region taken from the pengirim folder
    verdict: Verdict | None = None
    area: Wilayah | None = None
    shown: str = ""  # the report as printed (text, or one JSON object)
    code: int = EXIT_INTERNAL
    rule: str = ""  # no verdict: why (PEMAKAIAN, GALAT-INTERNAL)
    message: str = ""
    pengirim: str | None = None  # the {dataset}/{pengirim}/ folder the file sits in, when it names the sender
    refusal: str | None = None  # why that sender may not send this dataset (the gate's reason), None: it may


def _validate(args: argparse.Namespace) -> int:
    """Pre-check files: one GX start per call, one GX run per dataset (and kabupaten), a report per file."""
    try:
        files = _validate_files(args)
    except _Usage as exc:
        return _no_verdict(args, EXIT_USAGE, "PEMAKAIAN", str(exc))
    _check_all(files, args)
    for f in files:
        note = _region_note(f)
        if note:
            print(note, file=sys.stderr)
    if len(files) == 1:
        return _report_one(args, files[0])
    return _report_many(args, files)


def _report_one(args: argparse.Namespace, f: _Berkas) -> int:
    """One file: its report exactly as before (text, or one JSON object), and ``--output``."""
    if f.verdict is None:
        return _no_verdict(args, f.code, f.rule, f.message)
    print(f.shown, end="")
    if args.output is not None and f.verdict.rows_accepted:
        try:
            f.verdict.accepted.to_csv(args.output, index=False, float_format="%.0f")
        except OSError as exc:
            print(f"galat: --output tidak dapat ditulis: {args.output} ({exc.strerror or exc})", file=sys.stderr)
            return EXIT_USAGE
    return f.code


def _report_many(args: argparse.Namespace, files: list[_Berkas]) -> int:
    """Several files: each report under a header with its path and a summary line, or a JSON array."""
    from .kosakata import DITERIMA, DITERIMA_DENGAN_CATATAN, DITOLAK

    for f in files:
        if f.verdict is None:
            print(f"galat: {f.path}: {f.message}", file=sys.stderr)
    if args.json:
        print(json.dumps([_json_of(f) for f in files], ensure_ascii=False, indent=2))
    else:
        for n, f in enumerate(files, 1):
            print(f"===== [{n}/{len(files)}] {f.path} =====")
            print(f.shown if f.verdict is not None else f"Berkas tidak diperiksa: {f.message}\n", end="")
            print()
        status = [f.verdict.status for f in files if f.verdict is not None]
        unreadable = sum(1 for f in files if f.verdict is not None and not f.verdict.submission.readable)
        unchecked = len(files) - len(status)
        print(f"Ringkasan: {len(files)} berkas: {status.count(DITERIMA)} diterima, "
              f"{status.count(DITERIMA_DENGAN_CATATAN)} dengan catatan, {status.count(DITOLAK)} ditolak"
              + (f" ({unreadable} tidak terbaca)" if unreadable else "")
              + (f", {unchecked} tidak diperiksa (galat)" if unchecked else ""))
    return max(f.code for f in files)


class _NoVerdictJson(TypedDict):
    """``--json`` without a verdict: the report's shape with ``status`` null, and the exit code."""

    status: None
    rows_read: int
    rows_accepted: int
    issues: list[IssueJson]
    exit_code: int


class _FileJson(TypedDict):
    """One file of ``validate --json``: its path, its report (a verdict's, or none) and its exit code."""

    berkas_path: str
    status: str | None
    rows_read: int
    rows_accepted: int
    issues: list[IssueJson]
    exit_code: int


def _json_of(f: _Berkas) -> _FileJson:
    if f.verdict is None:
        return {"berkas_path": str(f.path), **_no_verdict_json(f.code, f.rule, f.message)}
    return {"berkas_path": str(f.path), **f.verdict.to_json(), "exit_code": f.code}  # the report ``f.shown`` prints


def _validate_files(args: argparse.Namespace) -> list[_Berkas]:
    """The files a call names (folders expanded), each with its dataset and region; bad usage raises ``_Usage``."""
    from .datasets import all_datasets
    from .kosakata import is_desa, per_desa
    from .regions import get_region, normalise_code

    names = all_datasets()
    if args.dataset is not None and args.dataset not in names:
        raise _Usage(f"dataset tidak dikenal: {args.dataset} (pilihan: {', '.join(names)})")
    paths = _expand(args.paths)
    if args.region and get_region(normalise_code(args.region) or "") is None:
        raise _Usage(f"kode wilayah tidak dikenal: {args.region} (mis. 35.07 atau 35.07.01.2001)")
    if args.output is not None and len(paths) > 1:
        raise _Usage(f"--output hanya untuk satu berkas ({len(paths)} berkas diberikan)")
    files: list[_Berkas] = []
    unknown: list[Path] = []
    for path in paths:
        in_folder, pengirim = _layout(path, names)
        dataset = args.dataset or in_folder
        if dataset is None:
            unknown.append(path)
            continue
        folder_desa = None
        sender = pengirim if not args.region and pengirim and in_folder == dataset else None
        if sender and per_desa(names[dataset].produsen):
            kode = normalise_code(sender)
            folder_desa = kode if kode and is_desa(kode) and get_region(kode) else None
        files.append(_Berkas(path, dataset, args.region or folder_desa, dari_folder=folder_desa is not None,
                             pengirim=sender))
    if unknown:
        raise _Usage(f"dataset tidak dapat ditentukan untuk {len(unknown)} berkas (mis. {unknown[0]}): beri --dataset "
                     f"({', '.join(names)}) atau letakkan berkas di folder {{dataset}}/{{pengirim}}/ seperti keluaran "
                     "generate")
    return files


def _expand(paths: Sequence[Path]) -> list[Path]:
    """Files as named, and every file under a named folder except names starting with ``_`` or ``.``."""
    found: list[Path] = []
    for p in paths:
        if p.is_dir():
            inside = sorted(f for f in p.rglob("*") if f.is_file()
                            and not any(part.startswith(("_", ".")) for part in f.relative_to(p).parts))
            if not inside:
                raise _Usage(f"folder tidak berisi berkas untuk diperiksa: {p}")
            found += inside
        elif p.is_file():
            found.append(p)
        else:
            raise _Usage(f"berkas tidak ditemukan: {p}")
    seen: set[Path] = set()
    unique = []
    for p in found:
        if p.resolve() not in seen:
            seen.add(p.resolve())
            unique.append(p)
    return unique


def _layout(path: Path, names: Collection[str]) -> tuple[str | None, str | None]:
    """The dataset of the nearest folder named after one, and the pengirim folder when the file sits right in it."""
    parts = path.absolute().parent.parts
    for i in range(len(parts) - 1, -1, -1):
        if parts[i] in names:
            return parts[i], (parts[i + 1] if i == len(parts) - 2 else None)
    return None, None


def _check_all(files: list[_Berkas], args: argparse.Namespace) -> None:
    """Read every file, then judge them per dataset: one ``precheck_each`` (one GX run per kabupaten) each; if that
    run breaks, each file alone, so one file's trouble is not the others' (``isolation.judge_isolated``)."""
    from .config import DaftarData, Settings
    from .precheck import read_limited

    daftar = DaftarData.load(Settings.from_env().daftar_data)  # once per call, not once per file
    readable: dict[str, list[tuple[_Berkas, bytes]]] = {}
    for f in files:
        f.refusal = _refusal(f, daftar)
        try:
            readable.setdefault(f.dataset, []).append((f, read_limited(f.path, daftar.batas)))
        except OSError as exc:
            f.code, f.rule = EXIT_USAGE, "PEMAKAIAN"
            f.message = f"berkas tidak dapat dibaca: {f.path} ({exc.strerror or exc})"
    for dataset, group in readable.items():
        _judge_isolated(group, dataset, args, daftar)


def _judge_isolated(group: list[tuple[_Berkas, bytes]], dataset: str, args: argparse.Namespace,
                    daftar: DaftarData) -> None:
    from .isolation import judge_isolated

    def together(some: Sequence[tuple[_Berkas, bytes]]) -> list[None]:
        _judge(list(some), dataset, args, daftar)
        return [None] * len(some)

    judge_isolated(group, lambda one: _judge([one], dataset, args, daftar), lambda one, message: _internal(one[0], message),
                   together=together, name=lambda one: str(one[0].path), logger=None)  # the report says it: no log


def _refusal(f: _Berkas, daftar: DaftarData) -> str | None:
    """Laid out as the inbox is, the folder is the sender: the gate's producer rule (``pengirim.sender_problem``) at
    the sender's own kabupaten/kota. A folder that names no sender (a desa, an agency, BPS) is only a folder."""
    from .kosakata import BPS_SENDER, is_desa
    from .pengirim import Luring, kabupaten_of, sender_problem
    from .regions import normalise_code

    if f.pengirim is None:
        return None
    kode = normalise_code(f.pengirim) or f.pengirim
    if not (is_desa(kode) or kabupaten_of(kode) or f.pengirim.upper() == BPS_SENDER):
        return None
    return sender_problem(Luring(daftar, kabupaten_of(kode)), f.dataset, f.pengirim)


def _judge(group: list[tuple[_Berkas, bytes]], dataset: str, args: argparse.Namespace, daftar: DaftarData) -> None:
    """The verdicts and their reports, rendered before anything is printed (so a failure prints one report)."""
    from . import feedback
    from . import precheck as pc
    from .kosakata import DITOLAK

    if len(group) == 1 and group[0][0].refusal is None:  # precheck_each of one, under the name tests and the page know
        (f, data), = group
        verdict = pc.precheck(data, f.path.name, dataset, args.tahun, f.region, daftar=daftar, pengirim=f.pengirim)
        judged = [(verdict, pc.sender_of(verdict.submission, f.region))]
    else:
        judged = pc.precheck_each([pc.Berkas(data, f.path.name) for f, data in group], dataset,
                                  [f.region for f, _ in group], args.tahun, daftar=daftar,
                                  refusals=[f.refusal for f, _ in group], pengirim=[f.pengirim for f, _ in group])
    shown = [json.dumps(v.to_json(), ensure_ascii=False, indent=2) + "\n" if args.json else feedback.report_text(v)
             for v, _ in judged]
    for (f, _), (verdict, area), text in zip(group, judged, shown, strict=True):
        f.verdict, f.area, f.shown = verdict, area, text
        if f.refusal:  # refused as the gate refuses it: rejected, not unreadable
            f.code = EXIT_REJECTED
        else:
            f.code = EXIT_USAGE if not verdict.submission.readable else \
                EXIT_REJECTED if verdict.status == DITOLAK else EXIT_ACCEPTED


def _internal(f: _Berkas, message: str) -> None:
    f.verdict, f.code, f.rule, f.message = None, EXIT_INTERNAL, "GALAT-INTERNAL", message


def _region_note(f: _Berkas) -> str | None:
    """Tell the operator which area the rows were checked against when they did not give ``--region``."""
    from .regions import region_name

    if f.verdict is None or not f.verdict.submission.readable:
        return None
    if f.dari_folder and f.region:
        return (f"catatan: {f.path}: pengirim diambil dari folder '{f.path.parent.name}' = desa {f.region} "
                f"({region_name(f.region)}), seperti gerbang membaca masuk/{{tahun}}/{f.dataset}/{{pengirim}}/; "
                "baris milik desa lain ditolak (WIL-02). Beri --region untuk memeriksa sebagai pengirim lain.")
    if f.area is None:
        return (f"catatan: {f.path}: --region tidak diberikan dan berkas tidak memuat kode_desa yang dikenal, jadi "
                "wilayah pengirim tidak diketahui. Beri --region KODE_DESA (mis. 35.07.01.2001).")
    if not f.area.ditebak:
        return None
    kab = f"kabupaten/kota {f.area.kode} ({region_name(f.area.kode)})"
    from .datasets import get_dataset
    from .kosakata import per_desa

    if per_desa(get_dataset(f.dataset).produsen):
        return (f"catatan: {f.path}: --region tidak diberikan; pengirim dianggap {kab} menurut kode_desa di berkas. "
                "Operator desa wajib memberi --region KODE_DESA (kode desa Anda, mis. --region 35.07.01.2001): "
                "gerbang menolak baris milik desa lain (WIL-02), dan tanpa --region pemeriksaan ini tidak dapat "
                "menangkapnya.")
    return (f"catatan: {f.path}: --region tidak diberikan; wilayah pengirim dianggap {kab} menurut kode_desa di "
            "berkas. Bila berkas ini untuk wilayah lain, beri --region KODE_WILAYAH.")


def _no_verdict_json(code: int, rule: str, message: str) -> _NoVerdictJson:
    issue: IssueJson = {"row": None, "column": None, "rule": rule, "severity": "error", "message": message,
             "value": None, "expected": None, "level": None}
    return {"status": None, "rows_read": 0, "rows_accepted": 0, "issues": [issue], "exit_code": code}


def _no_verdict(args: argparse.Namespace, code: int, rule: str, message: str) -> int:
    """No verdict: the reason on stderr and, with --json, the same report shape with ``status`` null."""
    print(f"galat: {message}", file=sys.stderr)
    if args.json:
        print(json.dumps(_no_verdict_json(code, rule, message), ensure_ascii=False, indent=2))
    return code


if __name__ == "__main__":
    raise SystemExit(main())
