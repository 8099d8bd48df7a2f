"""The sender is an identity: each sender's credentials write only its own inbox folders (S3 policies
enforced by a real S3-protocol server), and a presigned upload writes exactly one key."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from desa_cantik.config import DaftarData, Settings
from desa_cantik.cycle.inbox import upload_url
from desa_cantik.cycle.runtime import Runtime
from desa_cantik.pengirim import inbox_policy, senders, write_policies

from .conftest import TAHUN, _free_port


def test_senders_follow_the_daftar_data() -> None:
    daftar = DaftarData.load(Settings.daftar_data_path())
    found = {s.kode: s for s in senders(daftar, "35.07.01")}
    assert len([s for s in found.values() if s.jenis == "pemerintah_desa"]) == 10
    assert found["35.07.01.2001"].datasets == ("kependudukan", "fasilitas")
    assert found["35.07-DINKES"].datasets == ("kesehatan_anak",)
    assert "35.07-DINSOS" not in found, "an agency that produces nothing this cycle gets no write access"
    assert found["BPS"].datasets == ("proyeksi_penduduk",)


def test_policy_files_for_the_init_job(tmp_path: Path) -> None:
    daftar = DaftarData.load(Settings.daftar_data_path())
    assert write_policies(daftar, "35.07.01", "desa-cantik", tmp_path) == 12
    doc = json.loads((tmp_path / "kirim-35-07-01-2001.json").read_text())
    assert doc["Statement"][0]["Action"] == ["s3:PutObject"]
    assert doc["Statement"][0]["Resource"] == [f"arn:aws:s3:::desa-cantik/masuk/{TAHUN}/kependudukan/35.07.01.2001/*",
                                               f"arn:aws:s3:::desa-cantik/masuk/{TAHUN}/fasilitas/35.07.01.2001/*"]


@pytest.fixture(scope="module")
def s3_with_iam() -> Iterator[dict[str, Any]]:
    """moto's S3 + IAM server enforcing policies (after the first three calls, which make its admin)."""
    import boto3

    port = _free_port()
    exe = shutil.which("moto_server", path=str(Path(sys.executable).parent)) or "moto_server"
    proc = subprocess.Popen([exe, "-H", "127.0.0.1", "-p", str(port)], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, env={**os.environ, "INITIAL_NO_AUTH_ACTION_COUNT": "3"})
    endpoint = f"http://127.0.0.1:{port}"
    for _ in range(100):  # a TCP probe: an HTTP request would use up one of the three unauthenticated calls
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            break
        except OSError:
            time.sleep(0.1)
    anon = {"endpoint_url": endpoint, "region_name": "us-east-1", "aws_access_key_id": "x", "aws_secret_access_key": "x"}
    iam = boto3.client("iam", **anon)
    iam.create_user(UserName="walidata")
    key = iam.create_access_key(UserName="walidata")["AccessKey"]
    iam.put_user_policy(UserName="walidata", PolicyName="semua", PolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}))
    admin = {**anon, "aws_access_key_id": key["AccessKeyId"], "aws_secret_access_key": key["SecretAccessKey"]}
    yield {"endpoint": endpoint, "host": f"127.0.0.1:{port}", "admin": admin}
    proc.terminate()
    proc.wait(timeout=10)


@pytest.mark.integration
def test_each_sender_writes_only_its_own_folders(s3_with_iam: dict[str, Any]) -> None:
    import boto3
    from botocore.exceptions import ClientError

    bucket = f"dc-{uuid.uuid4().hex[:8]}"
    admin = s3_with_iam["admin"]
    boto3.client("s3", **admin).create_bucket(Bucket=bucket)
    iam = boto3.client("iam", **admin)
    daftar = DaftarData.load(Settings.daftar_data_path())
    creds = {}
    for s in senders(daftar, "35.07.01"):
        if s.kode not in ("35.07.01.2001", "35.07-DINKES"):
            continue
        user = f"{bucket}-{s.kode}"
        iam.create_user(UserName=user)
        k = iam.create_access_key(UserName=user)["AccessKey"]
        iam.put_user_policy(UserName=user, PolicyName="kirim", PolicyDocument=json.dumps(inbox_policy(bucket, TAHUN, s)))
        creds[s.kode] = boto3.client("s3", endpoint_url=s3_with_iam["endpoint"], region_name="us-east-1",
                                     aws_access_key_id=k["AccessKeyId"], aws_secret_access_key=k["SecretAccessKey"])

    def can_put(who: str, key: str) -> bool:
        try:
            creds[who].put_object(Bucket=bucket, Key=key, Body=b"isi")
        except ClientError as exc:
            assert exc.response["Error"]["Code"] == "AccessDenied"
            return False
        return True

    assert can_put("35.07.01.2001", f"masuk/{TAHUN}/kependudukan/35.07.01.2001/k.csv")
    assert not can_put("35.07.01.2001", f"masuk/{TAHUN}/kependudukan/35.07.01.2002/k.csv"), "another desa's folder"
    assert not can_put("35.07.01.2001", f"masuk/{TAHUN}/kesehatan_anak/35.07.01.2001/k.csv"), "not its dataset"
    assert not can_put("35.07.01.2001", f"masuk/{TAHUN - 1}/kependudukan/35.07.01.2001/k.csv"), "another cycle"
    assert not can_put("35.07.01.2001", f"arsip/{TAHUN}/kependudukan/35.07.01.2001/k.csv"), "the archive"
    assert can_put("35.07-DINKES", f"masuk/{TAHUN}/kesehatan_anak/35.07-DINKES/kes.csv")
    assert not can_put("35.07-DINKES", f"masuk/{TAHUN}/kependudukan/35.07.01.2001/k.csv")
    with pytest.raises(ClientError):
        creds["35.07.01.2001"].get_object(Bucket=bucket, Key=f"masuk/{TAHUN}/kependudukan/35.07.01.2001/k.csv")


@pytest.mark.integration
def test_presigned_upload_names_one_key_in_the_senders_folder(s3_url: str, tmp_path: Path) -> None:
    """The URL is for one key the server chose; S3/MinIO verify its signature (moto's IAM mode cannot check
    presigned requests, so the signature itself is not re-verified here)."""
    rt = Runtime.from_env({"DESA_CANTIK_HOME": str(tmp_path), "DESA_CANTIK_WILAYAH": "35.07.01",
                           "DESA_CANTIK_OBJEK": s3_url})
    signed = upload_url(rt, "kependudukan", "35.07.01.2001", "../data desa ku.csv", expires=timedelta(minutes=5))
    req = urllib.request.Request(signed, data=b"kode_desa,tahun\n", method="PUT")
    with urllib.request.urlopen(req, timeout=10) as resp:
        assert resp.status == 200
    [obj] = rt.store.list(f"masuk/{TAHUN}/kependudukan/35.07.01.2001/")
    assert obj.key.endswith("Z-_data_desa_ku.csv") and f"/{obj.key}?" in signed
    assert "X-Amz-Expires=300" in signed and "X-Amz-SignedHeaders=host" in signed
    with pytest.raises(PermissionError, match="bukan produsen"):
        upload_url(rt, "kesehatan_anak", "35.07-DINSOS", "kes.csv")
    with pytest.raises(PermissionError, match="bukan desa/kelurahan di wilayah"):
        upload_url(rt, "kependudukan", "35.08.01.2001", "k.csv")
