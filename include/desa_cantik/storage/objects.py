"""The object stores: MinIO/S3 or a local folder, behind one small protocol (``ObjectStore``).

Every store raises ``NotFound`` for a missing key, whatever its SDK says.
"""

from __future__ import annotations

import io
import json
import os
from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Protocol
from urllib.parse import parse_qs, unquote, urlparse

from . import layout


@dataclass(frozen=True)
class ObjectInfo:
    key: str
    size: int
    last_modified: datetime


class NotFound(KeyError):
    """No object under this key: every store raises this one type, whatever its SDK says."""


class ObjectStore(Protocol):
    def put(self, key: str, data: bytes) -> None: ...
    def get(self, key: str) -> bytes:
        """The object's bytes; ``NotFound`` when there is none."""
        ...
    def list(self, prefix: str) -> list[ObjectInfo]: ...
    def exists(self, key: str) -> bool: ...
    def location(self, key: str) -> str: ...


def put_many(store: ObjectStore, items: Iterable[tuple[str, bytes]], workers: int = 8) -> int:
    """Write many small objects concurrently (object I/O is latency-bound, not CPU-bound)."""
    items = list(items)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        list(pool.map(lambda kv: store.put(*kv), items))
    return len(items)


def get_many(store: ObjectStore, keys: Iterable[str], workers: int = 8) -> list[bytes]:
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(store.get, keys))


@dataclass(frozen=True)
class RestoredTimes:
    """When restored inbox objects first arrived: a store gives every object it is sent the time it got it, so after
    a restore (``desa_cantik.cadangan``) each one would look new to the gate, which knows a file by its key and arrival
    time. The restore keeps, per year, each inbox key's time then and its time before (``layout.restored_times``)."""

    waktu: Mapping[str, tuple[str, str]]  # inbox key -> (time the restore gave it, time first received), ISO UTC

    @classmethod
    def read(cls, store: ObjectStore, tahun: int) -> RestoredTimes:
        try:
            found = json.loads(store.get(layout.restored_times(tahun)))
        except NotFound:
            return cls({})
        return cls({k: (str(v[0]), str(v[1])) for k, v in found.items()})

    def received(self, obj: ObjectInfo) -> datetime:
        """The object's arrival: as first received when the restore put it there and nobody replaced it since."""
        found = self.waktu.get(obj.key)
        if found is not None and found[0] == layout.iso(obj.last_modified):
            return datetime.fromisoformat(found[1])
        return obj.last_modified


class LocalFolderStore:
    """The embedded default: objects are files under one folder, keys are relative paths."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root).resolve()
        self.root.mkdir(parents=True, exist_ok=True)

    def _path(self, key: str) -> Path:
        """The file of a key, refusing anything a writer could use to reach outside: ``..``, absolute keys,
        odd characters, and symbolic links anywhere on the way (a link inside the store is not followed either)."""
        parts = key.split("/")
        if key.startswith("/") or "\\" in key or any(p in (".", "..") for p in parts) or any(
                ord(c) < 32 for c in key):
            raise ValueError(f"kunci objek tidak sah: {key[:200]!r}")
        path = self.root.joinpath(*[p for p in parts if p])
        walk = self.root
        for part in path.relative_to(self.root).parts:
            walk = walk / part
            if walk.is_symlink():
                raise ValueError(f"kunci objek di luar penyimpanan (tautan simbolik): {key[:200]!r}")
        return path

    def put(self, key: str, data: bytes) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_bytes(data)
        os.replace(tmp, path)  # readers never see half a file

    def get(self, key: str) -> bytes:
        path = self._path(key)
        try:
            return path.read_bytes()
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError) as exc:
            raise NotFound(key) from exc

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def list(self, prefix: str) -> list[ObjectInfo]:
        """Regular files under the prefix; symbolic links are never listed (nor followed into directories)."""
        base = self._path(prefix) if prefix else self.root
        start = base if base.is_dir() else base.parent
        out = []
        for folder, _, names in os.walk(start, followlinks=False):
            for name in names:
                p = Path(folder) / name
                key = p.relative_to(self.root).as_posix()
                if key.startswith(prefix) and not key.endswith(".tmp") and not p.is_symlink() and p.is_file():
                    st = p.stat()
                    out.append(ObjectInfo(key, st.st_size, datetime.fromtimestamp(int(st.st_mtime), UTC)))
        return sorted(out, key=lambda o: o.key)

    def location(self, key: str) -> str:
        return str(self._path(key))


_MISSING = ("NoSuchKey", "NoSuchObject", "NotFound")  # the S3 error codes of a missing object


class MinioStore:
    """MinIO or any S3-protocol server, through the ``minio`` SDK."""

    def __init__(self, endpoint: str, access_key: str, secret_key: str, bucket: str, secure: bool = False,
                 region: str | None = None) -> None:
        from minio import Minio

        self.client = Minio(endpoint, access_key=access_key, secret_key=secret_key, secure=secure, region=region)
        self.bucket = bucket
        self.endpoint = endpoint
        self.secure = secure
        if not self.client.bucket_exists(bucket):
            self.client.make_bucket(bucket)

    def put(self, key: str, data: bytes) -> None:
        self.client.put_object(self.bucket, key, io.BytesIO(data), len(data))

    def get(self, key: str) -> bytes:
        from minio.error import S3Error

        try:
            resp = self.client.get_object(self.bucket, key)
        except S3Error as exc:
            if exc.code in _MISSING:
                raise NotFound(key) from exc
            raise
        try:
            return resp.read()
        finally:
            resp.close()
            resp.release_conn()

    def exists(self, key: str) -> bool:
        from minio.error import S3Error

        try:
            self.client.stat_object(self.bucket, key)
        except S3Error as exc:
            if exc.code in _MISSING:
                return False
            raise
        return True

    def list(self, prefix: str) -> list[ObjectInfo]:
        return sorted(
            (ObjectInfo(o.object_name, o.size or 0, (o.last_modified or datetime.now(UTC)).replace(microsecond=0))
             for o in self.client.list_objects(self.bucket, prefix=prefix, recursive=True) if not o.is_dir),
            key=lambda o: o.key,
        )

    def location(self, key: str) -> str:
        return f"s3://{self.bucket}/{key}"

    def presigned_upload(self, key: str, expires: timedelta) -> str:
        """A URL that lets its holder PUT exactly this one object, until it expires (no credentials handed out)."""
        return str(self.client.presigned_put_object(self.bucket, key, expires=expires))

    def presigned_post(self, key: str, expires: timedelta, max_bytes: int, redirect: str) -> tuple[str, dict[str, str]]:
        """A browser form (no script) that may POST exactly this one object, up to ``max_bytes``, then come back.

        The URL is the server the browser can reach: ``DESA_CANTIK_S3_PUBLIK`` (e.g. https://s3.kab.go.id) when the
        tier talks to its store on an internal name.
        """
        from minio.datatypes import PostPolicy

        policy = PostPolicy(self.bucket, datetime.now(UTC) + expires)
        policy.add_equals_condition("key", key)
        policy.add_starts_with_condition("success_action_redirect", redirect)
        policy.add_content_length_range_condition(1, max_bytes)
        fields = dict(self.client.presigned_post_policy(policy))
        public = os.environ.get("DESA_CANTIK_S3_PUBLIK") or f"{'https' if self.secure else 'http'}://{self.endpoint}"
        return f"{public.rstrip('/')}/{self.bucket}", {"key": key, "success_action_redirect": redirect, **fields}


def mask_url(url: str) -> str:
    """A store or warehouse URL fit for a log or a page: the password (or S3 secret) replaced by ``***``."""
    parsed = urlparse(url)
    if parsed.password is None:
        return url
    netloc = f"{parsed.username or ''}:***@{parsed.hostname or ''}" + (f":{parsed.port}" if parsed.port else "")
    return parsed._replace(netloc=netloc).geturl()


def open_store(url: str) -> ObjectStore:
    """``file:///abs/folder`` (or a plain path) or ``s3://KEY:SECRET@host:port/bucket?secure=false``."""
    parsed = urlparse(url)
    if parsed.scheme in ("s3", "minio"):
        query = parse_qs(parsed.query)
        secure = query.get("secure", ["false"])[0].lower() in ("1", "true", "yes")
        return MinioStore(f"{parsed.hostname}:{parsed.port or (443 if secure else 80)}", unquote(parsed.username or ""),
                          unquote(parsed.password or ""), parsed.path.strip("/"), secure=secure,
                          region=query.get("region", [None])[0])
    if parsed.scheme == "file":
        return LocalFolderStore(unquote(parsed.path))
    if parsed.scheme:
        raise ValueError(f"penyimpanan objek tidak dikenal: {url!r} (pakai file:///... atau s3://...)")
    return LocalFolderStore(url)
