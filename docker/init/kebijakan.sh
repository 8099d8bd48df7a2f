#!/usr/bin/env bash
# kebijakan (one-shot): this cycle's per-sender write policies from the Daftar Data, into the `kebijakan`
# volume, for minio-init to apply. kabupaten/kota: every desa, OPD and BPS (python -m desa_cantik kebijakan);
# provinsi/pusat: every child tier's package folder. Rerun at each new cycle (the year is in the paths).
set -euo pipefail
out=/kebijakan
rm -f "$out"/*.json "$out"/pengirim.csv
case "${DESA_CANTIK_TINGKAT:-kabupaten}" in
  kabupaten) python -m desa_cantik kebijakan --bucket desa-cantik --out "$out" ;;
  provinsi|pusat) python /opt/desa-cantik/init/kebijakan_paket.py --bucket desa-cantik --out "$out" ;;
  *) echo "DESA_CANTIK_TINGKAT tidak dikenal: ${DESA_CANTIK_TINGKAT}" >&2; exit 2 ;;
esac
