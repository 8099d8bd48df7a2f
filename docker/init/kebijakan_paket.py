"""Write policies for a provinsi or pusat tier: each child tier may put its packages in its own folder only.

    python kebijakan_paket.py --bucket desa-cantik --out DIR

The upper-tier counterpart of ``python -m desa_cantik kebijakan`` (which lists a kabupaten/kota's desa, OPD
and BPS): one ``kirim-paket-{kode}.json`` per child (provinsi: its kabupaten/kota; pusat: the provinces),
``PutObject`` under ``masuk/{tahun}/paket/{kode}/`` of this cycle and nothing else, and ``pengirim.csv``
listing them in the same columns. Run by the ``kebijakan`` init service; minio-init applies the files.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from desa_cantik.config import DaftarData, Settings
from desa_cantik.storage.layout import package_inbox_prefix
from desa_cantik.regions import children


def package_policy(bucket: str, tahun: int, kode: str) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": [{
        "Sid": "KirimPaketKeKotakMasukSendiri",
        "Effect": "Allow",
        "Action": ["s3:PutObject"],
        "Resource": [f"arn:aws:s3:::{bucket}/{package_inbox_prefix(tahun)}{kode}/*"],
    }]}


def write_package_policies(settings: Settings, tahun: int, bucket: str, out: Path) -> int:
    if settings.tingkat not in ("provinsi", "pusat"):
        raise SystemExit(f"kebijakan paket hanya untuk provinsi/pusat, bukan {settings.tingkat}")
    out.mkdir(parents=True, exist_ok=True)
    rows = ["kode,jenis,dataset,kebijakan"]
    kids = children(settings.kode_wilayah or None)
    for child in kids:
        name = f"kirim-paket-{child.kode.replace('.', '-')}"
        (out / f"{name}.json").write_text(json.dumps(package_policy(bucket, tahun, child.kode), indent=2) + "\n")
        rows.append(f"{child.kode},{child.tingkat},paket,{name}")
    (out / "pengirim.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    return len(kids)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="kebijakan tulis paket per wilayah bawahan (provinsi/pusat)")
    ap.add_argument("--bucket", required=True)
    ap.add_argument("--out", required=True, type=Path)
    args = ap.parse_args(argv)
    settings = Settings.from_env()
    tahun = DaftarData.load(settings.daftar_data).tahun
    n = write_package_policies(settings, tahun, args.bucket, args.out)
    print(f"{n} kebijakan pengirim paket ditulis ke {args.out} (daftar: {args.out / 'pengirim.csv'})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
