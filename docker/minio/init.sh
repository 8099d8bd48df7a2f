#!/bin/sh
# minio-init (one-shot, idempotent; runs in the minio/mc image): the bucket, the application's own user with
# a least-privilege policy (aplikasi.json: this bucket only, read and write objects, no delete, no admin),
# and one write-only policy per sender from the `kebijakan` service (kirim-*.json). MinIO's root credentials
# stay here and in the minio service; Airflow never sees them.
set -eu
BUCKET=desa-cantik
mc alias set lokal http://minio:9000 "$MINIO_ROOT_USER" "$MINIO_ROOT_PASSWORD" >/dev/null

mc mb --ignore-existing "lokal/$BUCKET"
mc anonymous set none "lokal/$BUCKET" >/dev/null  # nothing public: senders write with their own keys

mc admin policy create lokal desa-cantik-aplikasi /init/aplikasi.json >/dev/null
mc admin user add lokal "$MINIO_APP_USER" "$MINIO_APP_PASSWORD" >/dev/null  # also rotates the password
mc admin policy attach lokal desa-cantik-aplikasi --user "$MINIO_APP_USER" >/dev/null 2>&1 || true  # already attached

n=0
for f in /kebijakan/*.json; do
  [ -e "$f" ] || continue
  name=${f##*/}
  mc admin policy create lokal "${name%.json}" "$f" >/dev/null
  n=$((n + 1))
done
if [ "$n" -eq 0 ]; then
  echo "tidak ada kebijakan pengirim di /kebijakan (layanan kebijakan gagal?)" >&2
  exit 1
fi
echo "$n kebijakan pengirim dibuat/diperbarui (daftar: pengirim.csv di volume kebijakan)"

# check what the application user may do: list its bucket, yes; create a bucket, no
mc alias set aplikasi http://minio:9000 "$MINIO_APP_USER" "$MINIO_APP_PASSWORD" >/dev/null
mc ls "aplikasi/$BUCKET" >/dev/null
if mc mb "aplikasi/$BUCKET-uji-hak-akses" >/dev/null 2>&1; then
  echo "pengguna aplikasi dapat membuat bucket: kebijakan terlalu luas" >&2
  mc rb "lokal/$BUCKET-uji-hak-akses" >/dev/null 2>&1 || true
  exit 1
fi
echo "bucket $BUCKET dan pengguna aplikasi $MINIO_APP_USER siap"
