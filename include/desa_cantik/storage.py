"""Walidata storage: the object store (MinIO/S3 or a local folder) and the warehouse (PostgreSQL or SQLite).

One small interface each, so every stage runs the same on a kabupaten server (PostgreSQL + MinIO) and on
the embedded default (SQLite + a folder). PostgreSQL loads with COPY; SQLite with executemany. pandas is imported
by the methods that make or load frames, so a task that only lists the inbox (the hourly plan) never loads it.
"""

from __future__ import annotations

import io
import json
import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import parse_qs, unquote, urlparse

import sqlalchemy as sa

from .datasets import COUNT, all_datasets
from .findings import DITERIMA

if TYPE_CHECKING:
    import pandas as pd

# --- object store ----------------------------------------------------------------------------------


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


# --- warehouse -------------------------------------------------------------------------------------

SUBMISSIONS = "berkas_masuk"
QUARANTINE = "karantina_baris"
ISSUES = "isu_validasi"
SUMMARY = "ringkasan_validasi"
INDICATORS = "indikator"
COMPONENTS = "komponen_indikator"
DELIVERIES = "pengiriman_paket"


BULK_ROWS = 20_000  # rows converted and sent (or fetched) at a time by the bulk paths


def data_table(dataset: str) -> str:
    return f"data_{dataset}"


def _schema() -> sa.MetaData:
    """The warehouse's tables. Text wherever a sender's input can reach (names, keys, values): no width can
    fail a load; fixed-width only for values the cycle itself makes (codes it normalised, hashes, times)."""
    md = sa.MetaData()
    sa.Table(
        SUBMISSIONS, md,
        sa.Column("kunci_masuk", sa.Text, primary_key=True),
        sa.Column("sha256", sa.Text, primary_key=True),
        sa.Column("dataset", sa.Text, nullable=False),
        sa.Column("tahun", sa.Integer, nullable=False),
        sa.Column("pengirim", sa.Text, nullable=False),
        sa.Column("kunci_arsip", sa.Text, nullable=False),
        sa.Column("nama_berkas", sa.Text, nullable=False),
        sa.Column("ukuran", sa.BigInteger, nullable=False),
        sa.Column("diterima_pada", sa.String(32), nullable=False),  # ISO-8601 UTC, sorts as text
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("baris_dibaca", sa.Integer, nullable=False),
        sa.Column("baris_diterima", sa.Integer, nullable=False),
        sa.Column("baris_ditolak", sa.Integer, nullable=False),
        sa.Column("kunci_laporan", sa.Text),
        sa.Column("run_id", sa.Text),
    )
    specs = all_datasets()
    for ds in specs.values():
        cols: list[sa.Column[Any]] = []
        for c in ds.all_columns():
            if c.nama == "kode_desa":
                cols.append(sa.Column("kode_desa", sa.String(13), primary_key=True))
            elif c.nama == "tahun":
                cols.append(sa.Column("tahun", sa.Integer, primary_key=True))
            elif c.tipe == COUNT:
                cols.append(sa.Column(c.nama, sa.BigInteger, nullable=False))
            else:
                cols.append(sa.Column(c.nama, sa.Text, nullable=False))
        cols += [sa.Column("sha256_berkas", sa.Text, nullable=False),
                 sa.Column("baris_berkas", sa.Integer, nullable=False),
                 sa.Column("diterima_pada", sa.String(32), nullable=False)]
        sa.Table(data_table(ds.nama), md, *cols)
    sa.Table(
        QUARANTINE, md,
        sa.Column("sha256_berkas", sa.Text, primary_key=True),
        sa.Column("baris", sa.Integer, primary_key=True),
        sa.Column("dataset", sa.Text, nullable=False),
        sa.Column("tahun", sa.Integer, nullable=False),
        sa.Column("kode_desa", sa.Text),
        sa.Column("isi", sa.Text, nullable=False),  # the row as read, JSON
        sa.Column("alasan", sa.Text, nullable=False),
    )
    sa.Table(
        ISSUES, md,
        sa.Column("sha256_berkas", sa.Text, nullable=False, index=True),
        sa.Column("dataset", sa.Text, nullable=False),
        sa.Column("tahun", sa.Integer, nullable=False),
        sa.Column("pengirim", sa.Text, nullable=False),
        sa.Column("baris", sa.Integer),
        sa.Column("kolom", sa.Text),
        sa.Column("aturan", sa.String(32), nullable=False),
        sa.Column("keparahan", sa.Text, nullable=False),
        sa.Column("tingkat", sa.Integer),
        sa.Column("pesan", sa.Text, nullable=False),
        sa.Column("nilai", sa.Text),
        sa.Column("diharapkan", sa.Text),
    )
    sa.Table(
        SUMMARY, md,
        sa.Column("run_id", sa.Text, nullable=False),
        sa.Column("dataset", sa.Text, nullable=False),
        sa.Column("tahun", sa.Integer, nullable=False),
        sa.Column("kode_desa", sa.Text),
        sa.Column("aturan", sa.String(32), nullable=False),
        sa.Column("keparahan", sa.Text, nullable=False),
        sa.Column("tingkat", sa.Integer),
        sa.Column("jumlah", sa.Integer, nullable=False),
        sa.Column("sha256_berkas", sa.Text, nullable=False, index=True),
    )
    sa.Table(
        INDICATORS, md,
        sa.Column("tahun", sa.Integer, primary_key=True),
        sa.Column("tingkat", sa.Text, primary_key=True),
        sa.Column("kode_wilayah", sa.String(13), primary_key=True),
        sa.Column("indikator", sa.Text, primary_key=True),
        sa.Column("nama_wilayah", sa.Text, nullable=False),
        sa.Column("nilai", sa.Float),
        sa.Column("satuan", sa.String(32), nullable=False),
        sa.Column("desa_kontribusi", sa.Integer, nullable=False),
        sa.Column("desa_total", sa.Integer, nullable=False),
    )
    sa.Table(
        COMPONENTS, md,  # per desa: the sums an indicator is made of, so upper tiers can re-aggregate
        sa.Column("tahun", sa.Integer, primary_key=True),
        sa.Column("kode_desa", sa.String(13), primary_key=True),
        sa.Column("indikator", sa.Text, primary_key=True),
        sa.Column("pembilang", sa.Float, nullable=False),
        sa.Column("penyebut", sa.Float, nullable=False),
        sa.Column("sumber", sa.Text, nullable=False),  # the tier (or own gate) the row came from
        sa.Column("versi", sa.Text, nullable=False),
    )
    sa.Table(
        DELIVERIES, md,
        sa.Column("tahun", sa.Integer, primary_key=True),
        sa.Column("kode_pengirim", sa.Text, primary_key=True),
        sa.Column("versi", sa.Text, primary_key=True),  # the folder name a child chose
        sa.Column("diterima_pada", sa.String(32), nullable=False),
        sa.Column("status", sa.Text, nullable=False),  # diterima | ditolak
        sa.Column("alasan", sa.Text),
        sa.Column("kunci_arsip", sa.Text, nullable=False),
        sa.Column("baris_komponen", sa.Integer, nullable=False),
        sa.Column("run_id", sa.Text),
    )
    return md


class Warehouse:
    """The walidata's warehouse. Every write is idempotent: replaying a load leaves the same rows."""

    def __init__(self, url: str) -> None:
        self.url = url
        if url.startswith("sqlite:///"):
            Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        self.engine = sa.create_engine(url, future=True)
        self.metadata = _schema()
        self.is_postgres = self.engine.dialect.name == "postgresql"

    def create(self) -> None:
        self.metadata.create_all(self.engine)

    def ensure(self) -> None:
        """Create the schema only where it is missing: one catalogue query per task or page, not one per table."""
        if not set(self.metadata.tables) <= set(sa.inspect(self.engine).get_table_names()):
            self.create()

    def table(self, name: str) -> sa.Table:
        return self.metadata.tables[name]

    # bulk load ---------------------------------------------------------------------------------
    def _bulk_insert(self, conn: sa.Connection, table: str, frame: pd.DataFrame) -> None:
        """COPY on PostgreSQL, the driver's ``executemany`` of plain tuples on SQLite (SQLAlchemy would build a
        parameter dict per row), ``BULK_ROWS`` at a time: a load's extra memory is one slice, whatever its size."""
        import pandas as pd

        if frame.empty:
            return
        cols = list(frame.columns)
        schema = self.metadata.tables.get(table.removeprefix("tmp_"))
        ints = [] if schema is None else [  # counts travel as float64 (NaN-able) until they reach an integer column
            c.name for c in schema.columns if isinstance(c.type, sa.Integer) and c.name in frame.columns
            and not pd.api.types.is_integer_dtype(frame[c.name])]
        collist = ", ".join(f'"{c}"' for c in cols)
        cur = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        try:
            for start in range(0, len(frame), BULK_ROWS):
                part = frame.iloc[start:start + BULK_ROWS]
                if ints:  # ``astype`` copies every column, even given nothing to convert
                    part = part.astype({c: "Int64" for c in ints})
                if self.is_postgres and (data := _copy_csv(part)) is not None:
                    cur.copy_expert(f'COPY "{table}" ({collist}) FROM STDIN WITH (FORMAT csv)', data)
                elif self.is_postgres:
                    buf = io.StringIO()
                    part.to_csv(buf, index=False, header=False, na_rep="\\N")
                    buf.seek(0)
                    cur.copy_expert(f'COPY "{table}" ({collist}) FROM STDIN WITH (FORMAT csv, NULL \'\\N\')', buf)
                else:  # identifiers come from the schema (``_schema``), values are bound parameters
                    rows: Any = zip(*(_cells(part[c]) for c in cols), strict=True)  # the driver takes any iterable
                    cur.executemany(f'INSERT INTO "{table}" ({collist}) VALUES ({", ".join("?" * len(cols))})', rows)  # noqa: S608
        finally:
            cur.close()

    def replace_rows(self, dataset: str, frame: pd.DataFrame) -> int:
        """Upsert accepted rows: per (kode_desa, tahun), the most recently received submission wins."""
        with self.engine.begin() as conn:
            return self._upsert_rows(conn, dataset, frame)

    def _upsert_rows(self, conn: sa.Connection, dataset: str, frame: pd.DataFrame) -> int:
        if frame.empty:
            return 0
        frame = (frame.sort_values(["diterima_pada", "sha256_berkas"])
                 .drop_duplicates(["kode_desa", "tahun"], keep="last"))
        table = data_table(dataset)
        cols = [c.name for c in self.table(table).columns]
        frame = frame[cols]
        staging = f"tmp_{table}"
        if self.is_postgres:
            conn.execute(sa.text(f'CREATE TEMP TABLE "{staging}" (LIKE "{table}") ON COMMIT DROP'))
        else:
            conn.execute(sa.text(f'DROP TABLE IF EXISTS temp."{staging}"'))
            conn.execute(sa.text(f'CREATE TEMP TABLE "{staging}" AS SELECT * FROM "{table}" WHERE 0'))  # noqa: S608
        self._bulk_insert(conn, staging, frame)
        # set-based upsert; table and column names are the schema's own, never input
        conn.execute(sa.text(
            f'DELETE FROM "{table}" WHERE EXISTS (SELECT 1 FROM "{staging}" s WHERE s.kode_desa = "{table}".kode_desa'  # noqa: S608
            f' AND s.tahun = "{table}".tahun AND s.diterima_pada >= "{table}".diterima_pada)'))
        collist = ", ".join(f'"{c}"' for c in cols)
        conn.execute(sa.text(
            f'INSERT INTO "{table}" ({collist}) SELECT {collist} FROM "{staging}" s WHERE NOT EXISTS '  # noqa: S608
            f'(SELECT 1 FROM "{table}" d WHERE d.kode_desa = s.kode_desa AND d.tahun = s.tahun)'))
        if not self.is_postgres:
            conn.execute(sa.text(f'DROP TABLE temp."{staging}"'))
        return len(frame)

    def store_checked(self, accepted: dict[str, pd.DataFrame], submissions: pd.DataFrame, issues: pd.DataFrame,
                      quarantine: pd.DataFrame, summary: pd.DataFrame) -> dict[str, int]:
        """A batch's files as one unit of work: accepted rows, registry, findings, quarantine, summary.

        One transaction: after a crash nothing of the batch is stored, so any rerun (a task retry or a new
        DAG run) checks the same files again and ends in the same state; the registry never names a file
        whose rows are missing, nor rows a file the registry does not know.
        """
        with self.engine.begin() as conn:
            stored = {ds: self._upsert_rows(conn, ds, frame) for ds, frame in sorted(accepted.items())}
            self._record_verdicts(conn, submissions, issues, quarantine, summary)
        return stored

    def _record_verdicts(self, conn: sa.Connection, submissions: pd.DataFrame, issues: pd.DataFrame,
                         quarantine: pd.DataFrame, summary: pd.DataFrame) -> None:
        shas = submissions["sha256"].unique().tolist()
        for name, col in ((ISSUES, "sha256_berkas"), (QUARANTINE, "sha256_berkas"), (SUMMARY, "sha256_berkas")):
            t = self.table(name)
            for chunk in _chunks(shas, 500):
                conn.execute(t.delete().where(t.c[col].in_(chunk)))
        t = self.table(SUBMISSIONS)
        for chunk in _chunks(list(zip(submissions["kunci_masuk"], submissions["sha256"], strict=True)), 500):
            conn.execute(t.delete().where(sa.tuple_(t.c.kunci_masuk, t.c.sha256).in_(chunk)))
        self._bulk_insert(conn, SUBMISSIONS, submissions)
        self._bulk_insert(conn, ISSUES, issues)
        self._bulk_insert(conn, QUARANTINE, quarantine)
        self._bulk_insert(conn, SUMMARY, summary)

    def replace_findings(self, dataset: str, tahun: int, rules: list[str], issues: pd.DataFrame,
                         summary: pd.DataFrame) -> None:
        """Replace every finding of these rules for a dataset and year (the close's cross-dataset check)."""
        with self.engine.begin() as conn:
            for name in (ISSUES, SUMMARY):
                t = self.table(name)
                conn.execute(t.delete().where(t.c.dataset == dataset, t.c.tahun == tahun, t.c.aturan.in_(rules)))
            self._bulk_insert(conn, ISSUES, issues)
            self._bulk_insert(conn, SUMMARY, summary)

    def _replace_area(self, name: str, column: str, tahun: int, prefix: str, frame: pd.DataFrame) -> int:
        """One transaction: drop the year's rows of an area (codes under ``prefix``), load the new ones."""
        t = self.table(name)
        with self.engine.begin() as conn:
            conn.execute(t.delete().where(t.c.tahun == tahun, self._under(t.c[column], prefix)))
            self._bulk_insert(conn, name, frame)
        return len(frame)

    def _under(self, column: sa.ColumnElement[str], prefix: str) -> sa.ColumnElement[bool]:
        """Codes that start with ``prefix``, as a range the primary key's index answers (LIKE alone scans the
        table: a child's resend at the centre would scan the country's 750k components). SQLite orders text by
        code point, so the range is exact there; PostgreSQL's collation may order otherwise, so there LIKE
        stays as the exact test (digit-and-dot codes lie inside the range in any collation)."""
        if not prefix:
            return column.startswith(prefix, autoescape=True)
        inside = sa.and_(column >= prefix, column < prefix[:-1] + chr(ord(prefix[-1]) + 1))
        return sa.and_(inside, column.startswith(prefix, autoescape=True)) if self.is_postgres else inside

    def replace_components(self, tahun: int, prefix: str, frame: pd.DataFrame) -> int:
        """Replace the components of every desa under ``prefix`` (a child's region, or the tier's own)."""
        return self._replace_area(COMPONENTS, "kode_desa", tahun, prefix, frame)

    def record_delivery(self, row: dict[str, Any]) -> None:
        t = self.table(DELIVERIES)
        with self.engine.begin() as conn:
            conn.execute(t.delete().where(t.c.tahun == row["tahun"], t.c.kode_pengirim == row["kode_pengirim"],
                                          t.c.versi == row["versi"]))
            conn.execute(t.insert(), [row])

    def replace_indicators(self, tahun: int, kode_wilayah: str, frame: pd.DataFrame) -> int:
        return self._replace_area(INDICATORS, "kode_wilayah", tahun, kode_wilayah, frame)

    def rebuild_indicators(self, tahun: int, kode_wilayah: str,
                           derive: Callable[[Iterator[pd.DataFrame]], Iterable[pd.DataFrame]]) -> int:
        """Replace an area's indicators with ``derive(components)``, loading each frame it yields as it comes.

        The area's components stream in ordered by desa, ``BULK_ROWS`` at a time, on the connection that
        loads the indicators, in one transaction: memory holds a slice, not the country, and SQLite (which
        locks the whole file) reads and writes on one connection.
        """
        t, c = self.table(INDICATORS), self.table(COMPONENTS)
        query = (sa.select(c.c.kode_desa, c.c.indikator, c.c.pembilang, c.c.penyebut)
                 .where(c.c.tahun == tahun, self._under(c.c.kode_desa, kode_wilayah))
                 .order_by(c.c.kode_desa, c.c.indikator))
        rows = 0
        with self.engine.begin() as conn:
            conn.execute(t.delete().where(t.c.tahun == tahun, self._under(t.c.kode_wilayah, kode_wilayah)))
            for frame in derive(self._fetch(conn, query)):
                self._bulk_insert(conn, INDICATORS, frame)
                rows += len(frame)
        return rows

    # named reads: the only queries stages, pages and tests run (no SQL from callers) ---------------
    def _select(self, name: str, *where: sa.ColumnElement[bool], order: tuple[str, ...] = ()) -> pd.DataFrame:
        import pandas as pd

        t = self.table(name)
        stmt = sa.select(t).where(*where).order_by(*(t.c[c] for c in order))
        with self.engine.connect() as conn:
            return pd.read_sql(stmt, conn)

    def _fetch_columns(self, conn: sa.Connection, query: sa.Select[Any]) -> Iterator[Columns]:
        """A select's rows from the driver's cursor, ``BULK_ROWS`` at a time, as typed columns (``_columns``): the
        large reads without a SQLAlchemy row object per row. PostgreSQL keeps the result (a named cursor), not the
        client."""
        compiled = query.compile(dialect=conn.dialect)
        params = compiled.construct_params()
        args = tuple(params[k] for k in compiled.positiontup or ()) if compiled.positional else params
        dbapi = conn.connection.dbapi_connection
        assert dbapi is not None
        cur = dbapi.cursor(name="dc_baca") if self.is_postgres else dbapi.cursor()
        dtypes = _dtypes(query)
        try:
            cur.execute(compiled.string, args)
            while rows := cur.fetchmany(BULK_ROWS):  # a named cursor describes its columns after the first fetch
                yield _columns(rows, [str(d[0]) for d in cur.description], dtypes)
        finally:
            cur.close()

    def _fetch(self, conn: sa.Connection, query: sa.Select[Any]) -> Iterator[pd.DataFrame]:
        """``_fetch_columns`` as one frame per slice (typed by the schema, as ``read_sql`` would type the rows)."""
        for part in self._fetch_columns(conn, query):
            yield _frame_of(part)

    def _frame(self, name: str, *where: sa.ColumnElement[bool], order: tuple[str, ...] = (),
               columns: tuple[str, ...] = ()) -> pd.DataFrame:
        """``_select`` for the large tables (components, indicators): read with ``_fetch_columns``, typed even when
        empty; ``columns``: only these. Each column is joined once from its slices: text is one Arrow array, not one
        chunk per slice (every later ``take`` on a chunked text column re-joins the chunks: publish's CSV and
        SDMX rows cost several times more on a frame ``pd.concat`` made)."""

        t = self.table(name)
        picked = [t.c[c] for c in columns] if columns else list(t.c)
        query = sa.select(*picked).where(*where).order_by(*(t.c[c] for c in order))
        parts = list(self._read_columns(query))
        return _frame_of(_joined(parts)) if parts else _empty(query)

    def _slices(self, query: sa.Select[Any]) -> Iterator[pd.DataFrame]:
        """A large read a slice at a time, as the caller uses them (``_read_columns``, on a connection held until the
        last): the table is never whole in memory. No row: one empty typed frame, so its columns are known."""
        empty = True
        for part in self._read_columns(query):
            empty = False
            yield _frame_of(part)
        if empty:
            yield _empty(query)

    def _read_columns(self, query: sa.Select[Any]) -> Iterator[Columns]:
        """A large read on a connection of its own: streamed by COPY on PostgreSQL where every column is plain text
        or a number (``_copy_out``), otherwise from the driver's cursor (``_fetch_columns``)."""
        types = _copy_types(query) if self.is_postgres else None
        if types is not None:
            yield from self._copy_out(query, types)
            return
        with self.engine.connect() as conn:
            yield from self._fetch_columns(conn, query)

    def _copy_out(self, query: sa.Select[Any], types: dict[str, Any]) -> Iterator[Columns]:
        """``COPY (query) TO STDOUT`` as CSV, parsed by Arrow a block at a time while the server sends the next
        (a thread writes the stream into a pipe): the same typed columns as ``_fetch_columns`` without a Python
        object per value; ``types``: ``_copy_types``. The connection is its own, since a COPY in progress blocks
        every other command on it; if the reader stops early the COPY is cut off and the connection discarded."""
        import threading

        import pyarrow as pa  # type: ignore[import-untyped]
        import pyarrow.csv as pacsv  # type: ignore[import-untyped]

        compiled = query.compile(dialect=self.engine.dialect, compile_kwargs={"render_postcompile": True})
        raw = self.engine.raw_connection()
        failed: list[BaseException] = []
        done = False
        try:
            cur = raw.cursor()
            sql = cur.mogrify(compiled.string, compiled.params).decode()
            read_end, write_end = os.pipe()

            def send() -> None:
                try:
                    with open(write_end, "wb") as sink:
                        cur.copy_expert(f"COPY ({sql}) TO STDOUT WITH (FORMAT csv)", sink)
                except BaseException as exc:  # raised again in the reading thread, after the join
                    failed.append(exc)

            sender = threading.Thread(target=send, name="dc-copy-out", daemon=True)
            sender.start()
            try:
                with open(read_end, "rb") as source:
                    if source.peek(1):  # an empty result is no CSV at all
                        reader = pacsv.open_csv(
                            source, read_options=pacsv.ReadOptions(column_names=list(types), block_size=1 << 20,
                                                                   use_threads=False),
                            parse_options=pacsv.ParseOptions(newlines_in_values=True, ignore_empty_lines=False),
                            convert_options=pacsv.ConvertOptions(column_types=types, null_values=[""],
                                                                 strings_can_be_null=True,
                                                                 quoted_strings_can_be_null=False))
                        for batch in reader:
                            yield {name: col.cast(pa.large_string()) if pa.types.is_large_string(col.type)
                                   else col.to_numpy(zero_copy_only=False)
                                   for name, col in zip(batch.schema.names, batch.columns, strict=True)}
            finally:
                sender.join()
            if failed:
                raise failed[0]
            done = True
        finally:
            if done:
                raw.close()
            else:
                raw.invalidate()  # a COPY cut off, or failed: the connection is not reused

    def _count(self, name: str, *where: sa.ColumnElement[bool]) -> int:
        t = self.table(name)
        with self.engine.connect() as conn:
            return int(conn.execute(sa.select(sa.func.count()).select_from(t).where(*where)).scalar_one())

    def table_frame(self, name: str) -> pd.DataFrame:
        """A whole table (auditors, checksums, tests); ``name`` must be one of the schema's tables."""
        return self._select(name)

    def submissions(self, tahun: int) -> pd.DataFrame:
        return self._select(SUBMISSIONS, self.table(SUBMISSIONS).c.tahun == tahun)

    def submissions_from(self, tahun: int, kode_wilayah: str) -> pd.DataFrame:
        """Checked files sent by a desa, or by every desa under a region, newest first."""
        t = self.table(SUBMISSIONS)
        inside = sa.or_(t.c.pengirim == kode_wilayah, t.c.pengirim.startswith(kode_wilayah + ".", autoescape=True))
        return self._select(SUBMISSIONS, t.c.tahun == tahun, inside, order=("diterima_pada",)).iloc[::-1]

    def submission(self, tahun: int, sha256: str) -> pd.DataFrame:
        t = self.table(SUBMISSIONS)
        return self._select(SUBMISSIONS, t.c.tahun == tahun, t.c.sha256 == sha256)

    def submissions_by_sha(self, shas: list[str]) -> pd.DataFrame:
        """Registry rows of these files (the stored rows' provenance), one per sha256."""
        import pandas as pd

        t = self.table(SUBMISSIONS)
        parts = [self._select(SUBMISSIONS, t.c.sha256.in_(chunk)) for chunk in _chunks(shas, 500)]
        frame = pd.concat(parts, ignore_index=True) if parts else self._select(SUBMISSIONS, sa.false())
        return frame.sort_values("diterima_pada").drop_duplicates("sha256", keep="last")

    def seen(self, dataset: str, tahun: int) -> set[tuple[str, str]]:
        """(inbox key, received-at) of submissions already checked: the gate skips them on reruns."""
        t = self.table(SUBMISSIONS)
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(t.c.kunci_masuk, t.c.diterima_pada).where(
                t.c.dataset == dataset, t.c.tahun == tahun))
            return {(r[0], r[1]) for r in rows}

    def deliveries(self, tahun: int) -> pd.DataFrame:
        return self._select(DELIVERIES, self.table(DELIVERIES).c.tahun == tahun)

    def accepted_since(self, tahun: int, when_iso: str) -> bool:
        """A child's package was accepted after ``when_iso`` (ISO-8601 UTC text sorts as time)."""
        t = self.table(DELIVERIES)
        return self._count(DELIVERIES, t.c.tahun == tahun, t.c.status == DITERIMA, t.c.diterima_pada > when_iso) > 0

    def components(self, tahun: int, prefix: str = "", columns: tuple[str, ...] = ()) -> pd.DataFrame:
        t = self.table(COMPONENTS)
        return self._frame(COMPONENTS, t.c.tahun == tahun, self._under(t.c.kode_desa, prefix),
                           order=("kode_desa", "indikator"), columns=columns)

    def component_slices(self, tahun: int, columns: tuple[str, ...] = ()) -> Iterator[pd.DataFrame]:
        """``components`` of the whole year in slices, ordered by desa and indicator (``_slices``)."""
        t = self.table(COMPONENTS)
        picked = [t.c[c] for c in columns] if columns else list(t.c)
        return self._slices(sa.select(*picked).where(t.c.tahun == tahun).order_by(t.c.kode_desa, t.c.indikator))

    def indicators(self, tahun: int) -> pd.DataFrame:
        return self._frame(INDICATORS, self.table(INDICATORS).c.tahun == tahun)

    def indicator_slices(self, tahun: int) -> Iterator[pd.DataFrame]:
        """``indicators`` in slices (``_slices``), ordered by level, area and indicator with text compared as bytes
        (``COLLATE "C"`` on PostgreSQL, whose default collation may order otherwise): the order publishing writes."""
        t = self.table(INDICATORS)
        keys = [t.c.tingkat, t.c.kode_wilayah, t.c.indikator]
        order = [k.collate("C") for k in keys] if self.is_postgres else keys
        return self._slices(sa.select(*t.c).where(t.c.tahun == tahun).order_by(*order))

    def issues(self, tahun: int) -> pd.DataFrame:
        return self._select(ISSUES, self.table(ISSUES).c.tahun == tahun)

    def validation_summary(self, tahun: int) -> pd.DataFrame:
        return self._select(SUMMARY, self.table(SUMMARY).c.tahun == tahun)

    def count_rows(self, dataset: str, tahun: int) -> int:
        return self._count(data_table(dataset), self.table(data_table(dataset)).c.tahun == tahun)

    def count_quarantined_rows(self, dataset: str, tahun: int) -> int:
        """Rejected rows of readable files (a whole unreadable file is one entry with ``baris`` 0)."""
        t = self.table(QUARANTINE)
        return self._count(QUARANTINE, t.c.dataset == dataset, t.c.tahun == tahun, t.c.baris > 0)

    def dataset_rows(self, dataset: str, tahun: int) -> pd.DataFrame:
        t = self.table(data_table(dataset))
        return self._select(data_table(dataset), t.c.tahun == tahun, order=("kode_desa",))

    def reference(self, dataset: str, column: str, tahun: int) -> pd.DataFrame:
        """Two columns, not the whole table: a reference check reads one value per desa."""
        import pandas as pd

        t = self.table(data_table(dataset))
        query = (sa.select(t.c.kode_desa, t.c[column].label("nilai")).where(t.c.tahun == tahun)
                 .order_by(t.c.kode_desa))
        with self.engine.connect() as conn:
            return pd.read_sql(query, conn)

    def desa_codes(self, name: str, tahun: int) -> set[str]:
        """The distinct desa of a table in a year (coverage): one column, deduplicated by the database."""
        t = self.table(name)
        with self.engine.connect() as conn:
            return set(conn.execute(sa.select(t.c.kode_desa).where(t.c.tahun == tahun).distinct()).scalars())

    # monitoring pages (``pantau``): the database groups and counts, a page reads tens of rows --------------
    def _mappings(self, query: sa.Executable) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            return [dict(r) for r in conn.execute(query).mappings()]

    def _inside(self, column: sa.ColumnElement[Any], kode_wilayah: str) -> sa.ColumnElement[bool]:
        """Codes of an area and below (``35.07`` holds ``35.07.01.2001``); every code for the centre (``""``).

        SQLite compares text byte by byte, so those codes lie from ``35.07`` up to ``35.07/`` (``/`` follows
        ``.``): a range its primary-key index answers first, where ``LIKE`` alone scans the table. PostgreSQL's
        collation may order punctuation otherwise, so there the exact test stands alone.
        """
        if not kode_wilayah:
            return sa.true()
        exact = sa.or_(column == kode_wilayah, column.startswith(kode_wilayah + ".", autoescape=True))
        if self.engine.dialect.name == "sqlite":
            return sa.and_(column >= kode_wilayah, column < kode_wilayah + "/", exact)
        return exact

    def _desa_status(self, tahun: int, dataset: str, by_sender: bool, kode_wilayah: str) -> sa.Select[Any]:
        """(kode_desa, status, sha256_berkas) of every desa a dataset has a verdict for.

        ``by_sender``: a desa sends its own file, and its newest file's verdict is the desa's. Otherwise one
        file covers many desa (an agency, BPS): a stored row is accepted (with notes when its file warned
        about that desa), a quarantined row never stored is rejected.
        """
        from .findings import DITERIMA_DENGAN_CATATAN, DITOLAK, WARNING

        if by_sender:
            t = self.table(SUBMISSIONS)
            urut = sa.func.row_number().over(partition_by=t.c.pengirim,
                                             order_by=(t.c.diterima_pada.desc(), t.c.sha256.desc()))
            newest = (sa.select(t.c.pengirim.label("kode_desa"), t.c.status, t.c.sha256.label("sha256_berkas"),
                                urut.label("urut"))
                      .where(t.c.tahun == tahun, t.c.dataset == dataset, sa.func.length(t.c.pengirim) == 13,
                             self._inside(t.c.pengirim, kode_wilayah)).subquery())
            return sa.select(newest.c.kode_desa, newest.c.status, newest.c.sha256_berkas).where(newest.c.urut == 1)
        d, s, q = self.table(data_table(dataset)), self.table(SUMMARY), self.table(QUARANTINE)
        warned = (sa.select(s.c.sha256_berkas, s.c.kode_desa).distinct()
                  .where(s.c.tahun == tahun, s.c.dataset == dataset, s.c.keparahan == WARNING).subquery())
        status = sa.case((warned.c.kode_desa.is_(None), sa.literal(DITERIMA)), else_=sa.literal(DITERIMA_DENGAN_CATATAN))
        stored = (sa.select(d.c.kode_desa, status.label("status"), d.c.sha256_berkas)
                  .select_from(d.outerjoin(warned, sa.and_(warned.c.sha256_berkas == d.c.sha256_berkas,
                                                           warned.c.kode_desa == d.c.kode_desa)))
                  .where(d.c.tahun == tahun, self._inside(d.c.kode_desa, kode_wilayah)))
        rejected = (sa.select(q.c.kode_desa, sa.literal(DITOLAK).label("status"),
                              sa.func.max(q.c.sha256_berkas).label("sha256_berkas"))
                    .where(q.c.tahun == tahun, q.c.dataset == dataset, q.c.kode_desa.is_not(None),
                           self._inside(q.c.kode_desa, kode_wilayah),
                           ~sa.exists().where(d.c.kode_desa == q.c.kode_desa, d.c.tahun == tahun))
                    .group_by(q.c.kode_desa))
        return sa.select(sa.union_all(stored, rejected).subquery())

    def desa_status_counts(self, tahun: int, dataset: str, by_sender: bool, kode_wilayah: str,
                           panjang_kode: int) -> list[dict[str, Any]]:
        """Desa per verdict in each sub-area (codes cut to ``panjang_kode``: 8 = kecamatan, 5 = kabupaten)."""
        u = self._desa_status(tahun, dataset, by_sender, kode_wilayah).subquery()
        kode = sa.func.substr(u.c.kode_desa, 1, panjang_kode)
        return self._mappings(sa.select(kode.label("kode_wilayah"), u.c.status, sa.func.count().label("jumlah"))
                              .group_by(kode, u.c.status))

    def desa_status(self, tahun: int, dataset: str, by_sender: bool, kode_wilayah: str) -> list[dict[str, Any]]:
        """Each desa's verdict for a dataset in an area (a kecamatan's few dozen desa)."""
        return self._mappings(self._desa_status(tahun, dataset, by_sender, kode_wilayah))

    def rows_inside(self, dataset: str, tahun: int, kode_wilayah: str) -> pd.DataFrame:
        """A dataset's stored rows of one desa, or of every desa under a region (an operator's own data)."""
        t = self.table(data_table(dataset))
        return self._select(data_table(dataset), t.c.tahun == tahun, self._inside(t.c.kode_desa, kode_wilayah),
                            order=("kode_desa",))

    def submissions_of_sender(self, tahun: int, pengirim: str) -> list[dict[str, Any]]:
        """Every checked file of one sender, newest first (a desa's drill-down)."""
        t = self.table(SUBMISSIONS)
        return self._mappings(sa.select(t).where(t.c.tahun == tahun, t.c.pengirim == pengirim)
                              .order_by(t.c.diterima_pada.desc(), t.c.sha256.desc()))

    def submissions_not_from_desa(self, tahun: int, limit: int = 200) -> list[dict[str, Any]]:
        """Files of agencies and BPS (one file for many desa), newest first."""
        t = self.table(SUBMISSIONS)
        return self._mappings(sa.select(t).where(t.c.tahun == tahun, sa.func.length(t.c.pengirim) != 13)
                              .order_by(t.c.diterima_pada.desc()).limit(limit))

    def files_by_sha(self, shas: list[str]) -> dict[str, dict[str, Any]]:
        """Registry rows of these files, newest arrival per sha256 (provenance of stored rows and findings)."""
        t = self.table(SUBMISSIONS)
        out: dict[str, dict[str, Any]] = {}
        for chunk in _chunks(sorted(set(shas)), 500):
            for row in self._mappings(sa.select(t).where(t.c.sha256.in_(chunk)).order_by(t.c.diterima_pada)):
                out[row["sha256"]] = row
        return out

    def issues_of_files(self, shas: list[str], severities: tuple[str, ...], limit: int = 2000) -> list[dict[str, Any]]:
        """The findings of these files (row, column, rule, message), in file and row order."""
        t = self.table(ISSUES)
        cols = (t.c.sha256_berkas, t.c.aturan, t.c.keparahan, t.c.tingkat, t.c.baris, t.c.kolom, t.c.pesan)
        out: list[dict[str, Any]] = []
        for chunk in _chunks(sorted(set(shas)), 500):
            out += self._mappings(sa.select(*cols).where(t.c.sha256_berkas.in_(chunk), t.c.keparahan.in_(severities))
                                  .order_by(t.c.sha256_berkas, t.c.baris, t.c.aturan).limit(limit - len(out)))
            if len(out) >= limit:
                break
        return out

    def quarantine_of_desa(self, tahun: int, kode_desa: list[str], dataset: str | None = None) -> list[dict[str, Any]]:
        """Rejected rows of these desa (from any file), with their reasons."""
        t = self.table(QUARANTINE)
        cols = (t.c.dataset, t.c.kode_desa, t.c.sha256_berkas, t.c.baris, t.c.alasan)
        where = [t.c.tahun == tahun] + ([t.c.dataset == dataset] if dataset else [])
        out: list[dict[str, Any]] = []
        for chunk in _chunks(sorted(set(kode_desa)), 500):
            out += self._mappings(sa.select(*cols).where(*where, t.c.kode_desa.in_(chunk))
                                  .order_by(t.c.kode_desa, t.c.dataset, t.c.baris))
        return out

    def rules_of_files(self, shas: list[str], kode_desa: list[str] | None = None) -> list[dict[str, Any]]:
        """Rules hit per file and desa (errors and warnings, summed), only for these desa when given."""
        t = self.table(SUMMARY)
        where = [t.c.kode_desa.in_(kode_desa)] if kode_desa is not None else []
        out: list[dict[str, Any]] = []
        for chunk in _chunks(sorted(set(shas)), 500):
            out += self._mappings(sa.select(t.c.sha256_berkas, t.c.kode_desa, t.c.aturan, t.c.keparahan,
                                            sa.func.sum(t.c.jumlah).label("jumlah"))
                                  .where(t.c.sha256_berkas.in_(chunk), *where)
                                  .group_by(t.c.sha256_berkas, t.c.kode_desa, t.c.aturan, t.c.keparahan)
                                  .order_by(t.c.sha256_berkas, t.c.kode_desa, t.c.keparahan, t.c.aturan))
        return out

    def stored_rows_of_desa(self, tahun: int, kode_desa: str, datasets: list[str]) -> list[dict[str, Any]]:
        """Per dataset, the stored row of a desa: which file it came from (its provenance)."""
        parts = []
        for ds in datasets:
            d = self.table(data_table(ds))
            parts.append(sa.select(sa.literal(ds).label("dataset"), d.c.sha256_berkas, d.c.baris_berkas, d.c.diterima_pada)
                         .where(d.c.kode_desa == kode_desa, d.c.tahun == tahun))
        return self._mappings(sa.union_all(*parts)) if parts else []

    def rule_counts(self, tahun: int, kode_wilayah: str) -> list[dict[str, Any]]:
        """Per dataset and rule: findings, desa, files and runs in an area, and the ESS levels they were at."""
        t = self.table(SUMMARY)
        return self._mappings(
            sa.select(t.c.dataset, t.c.aturan, t.c.keparahan, sa.func.min(t.c.tingkat).label("tingkat_min"),
                      sa.func.max(t.c.tingkat).label("tingkat_max"), sa.func.sum(t.c.jumlah).label("jumlah"),
                      sa.func.count(t.c.kode_desa.distinct()).label("desa"),
                      sa.func.count(t.c.sha256_berkas.distinct()).label("berkas"),
                      sa.func.count(t.c.run_id.distinct()).label("run"))
            .where(t.c.tahun == tahun, self._inside(t.c.kode_desa, kode_wilayah))
            .group_by(t.c.dataset, t.c.aturan, t.c.keparahan))

    def rule_counts_per_run(self, tahun: int, kode_wilayah: str) -> list[dict[str, Any]]:
        """Findings per dataset, rule and run (how a rule's count moves from run to run)."""
        t = self.table(SUMMARY)
        return self._mappings(sa.select(t.c.dataset, t.c.aturan, t.c.keparahan, t.c.run_id,
                                        sa.func.sum(t.c.jumlah).label("jumlah"))
                              .where(t.c.tahun == tahun, self._inside(t.c.kode_desa, kode_wilayah))
                              .group_by(t.c.dataset, t.c.aturan, t.c.keparahan, t.c.run_id))

    def rule_hits(self, tahun: int, aturan: str, kode_wilayah: str, limit: int) -> tuple[int, list[dict[str, Any]]]:
        """How many (file, desa) a rule hit in an area, and the first ``limit`` of them by desa code."""
        t = self.table(SUMMARY)
        where = (t.c.tahun == tahun, t.c.aturan == aturan, self._inside(t.c.kode_desa, kode_wilayah))
        with self.engine.connect() as conn:
            total = int(conn.execute(sa.select(sa.func.count()).select_from(t).where(*where)).scalar_one())
        rows = self._mappings(sa.select(t.c.kode_desa, t.c.dataset, t.c.keparahan, t.c.jumlah, t.c.run_id,
                                        t.c.sha256_berkas).where(*where)
                              .order_by(t.c.kode_desa, t.c.dataset, t.c.sha256_berkas).limit(limit))
        return total, rows

    def rule_messages(self, tahun: int, aturan: str, limit: int = 5) -> list[str]:
        """A few of a rule's messages as operators read them (examples beside the catalogue's wording)."""
        t = self.table(ISSUES)
        with self.engine.connect() as conn:
            return [str(m) for m in conn.execute(sa.select(t.c.pesan).where(t.c.tahun == tahun, t.c.aturan == aturan)
                                                 .limit(limit)).scalars()]

    def indicator_levels(self, tahun: int, levels: tuple[str, ...]) -> list[str]:
        """Which of these levels the indicator table holds: one index probe each, not a scan of every row."""
        t = self.table(INDICATORS)
        with self.engine.connect() as conn:
            return [lv for lv in levels
                    if conn.execute(sa.select(t.c.tingkat).where(t.c.tahun == tahun, t.c.tingkat == lv).limit(1)).first()]

    def indicator_rows(self, tahun: int, tingkat: str, kode_wilayah: str, indikator: str | None,
                       limit: int) -> tuple[int, list[dict[str, Any]]]:
        """Indicator rows of one level inside an area (optionally one indicator): the count and the first rows."""
        t = self.table(INDICATORS)
        where = [t.c.tahun == tahun, t.c.tingkat == tingkat, self._inside(t.c.kode_wilayah, kode_wilayah)]
        if indikator:
            where.append(t.c.indikator == indikator)
        with self.engine.connect() as conn:
            total = int(conn.execute(sa.select(sa.func.count()).select_from(t).where(*where)).scalar_one())
        rows = self._mappings(sa.select(t).where(*where).order_by(t.c.kode_wilayah, t.c.indikator).limit(limit))
        return total, rows

    def component_desa_counts(self, tahun: int, panjang_kode: int) -> dict[str, int]:
        """Desa with components per sub-area (codes cut to ``panjang_kode``): a child's coverage as loaded."""
        t = self.table(COMPONENTS)
        desa = sa.select(t.c.kode_desa).distinct().where(t.c.tahun == tahun).subquery()
        kode = sa.func.substr(desa.c.kode_desa, 1, panjang_kode)
        with self.engine.connect() as conn:
            return {str(k): int(n) for k, n in conn.execute(sa.select(kode, sa.func.count()).group_by(kode))}

    def delivery_rows(self, tahun: int) -> list[dict[str, Any]]:
        """Every package version received, newest first per sender."""
        t = self.table(DELIVERIES)
        return self._mappings(sa.select(t).where(t.c.tahun == tahun).order_by(t.c.kode_pengirim, t.c.versi.desc()))

    def fingerprint(self, ignore: tuple[str, ...] = ("run_id",)) -> dict[str, str]:
        """A content hash per table, ordered: what 'a second run changes nothing' compares.

        ``ignore`` drops columns that legitimately differ between two deployments fed the same files
        (arrival times and the keys made from them), to compare a faulty run with a clean one.
        """
        import hashlib

        out = {}
        for name in sorted(self.metadata.tables):
            frame = self.table_frame(name)
            cols = sorted(c for c in frame.columns if c not in ignore)
            frame = frame[cols].sort_values(cols, ignore_index=True) if len(frame) else frame[cols]
            out[name] = hashlib.sha256(frame.to_csv(index=False).encode()).hexdigest()[:16] + f":{len(frame)}"
        return out


def _dtypes(query: sa.Select[Any]) -> dict[str, str]:
    """The pandas type of each selected column, as ``read_sql`` infers it from rows (an integer column that may
    hold NULL comes as float64, whether or not it does)."""
    def dtype(column: sa.Column[Any]) -> str:
        if isinstance(column.type, sa.String):
            return "str"
        return "int64" if isinstance(column.type, sa.Integer) and not column.nullable else "float64"

    return {c.name: dtype(c) for c in query.selected_columns if isinstance(c, sa.Column)}


def _copy_types(query: sa.Select[Any]) -> dict[str, Any] | None:
    """The Arrow type of each selected column for a COPY read, as ``_dtypes`` types it; None if a column is not
    plain text, an integer or a float (its CSV text would not parse the same)."""
    import pyarrow as pa

    arrow = {"str": pa.large_string(), "int64": pa.int64(), "float64": pa.float64()}
    columns = [c for c in query.selected_columns if isinstance(c, sa.Column)]
    if len(columns) != len(query.selected_columns) or not all(
            isinstance(c.type, sa.String | sa.Integer | sa.Float) for c in columns):
        return None
    return {name: arrow[d] for name, d in _dtypes(query).items()}


def _empty(query: sa.Select[Any]) -> pd.DataFrame:
    """A read with no row, typed by the schema: its columns are known all the same."""
    import pandas as pd

    return pd.DataFrame({c: pd.Series(dtype=d) for c, d in _dtypes(query).items()})


Columns = dict[str, Any]  # a slice of a read, column by column: text as an Arrow array, numbers as numpy


def _copy_csv(part: pd.DataFrame) -> Any:
    """A slice as COPY's CSV, written by Arrow (8x ``to_csv``: the centre loads 1.6M rows), as a readable buffer;
    None where a column is not plainly text, a number or a boolean (pandas writes it, as before). Every text is
    quoted, so only a missing cell (unquoted and empty, COPY's CSV NULL) is NULL and an empty text stays text;
    floats are written in their shortest exact form, so PostgreSQL reads the same doubles."""
    import pandas as pd
    import pyarrow as pa
    import pyarrow.csv as pacsv

    for dtype in part.dtypes:
        text = pd.api.types.is_string_dtype(dtype) and not pd.api.types.is_object_dtype(dtype)
        if not (text or pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_bool_dtype(dtype)):
            return None
    try:
        table = pa.Table.from_pandas(part, preserve_index=False)
        out = pa.BufferOutputStream()
        pacsv.write_csv(table, out, pacsv.WriteOptions(include_header=False, quoting_style="needed"))
    except (pa.ArrowException, ValueError, TypeError):
        return None
    return pa.BufferReader(out.getvalue())


def _cells(values: pd.Series) -> list[Any]:
    """A column as the Python values ``astype(object)`` gives it (missing: None), for the driver's ``executemany``:
    ``tolist`` makes them without an object array per slice."""
    cells: list[Any] = values.tolist()
    missing = values.isna().to_numpy()
    if missing.any():
        for i in missing.nonzero()[0].tolist():
            cells[i] = None
    return cells


def _typed(values: list[Any], dtype: str) -> Any:
    """One fetched column as ``astype(dtype)`` of ``from_records`` would type it, or None where the values are not
    plainly of that type (the caller then lets pandas convert them as before). Text goes to Arrow without a pandas
    object per value (pandas' ``str`` is Arrow text); numbers to numpy; None is missing."""
    import numpy as np
    import pyarrow as pa

    if dtype == "str":
        try:
            text = pa.array(values)
        except (pa.ArrowException, ValueError):
            return None
        return text.cast(pa.large_string()) if pa.types.is_string(text.type) or pa.types.is_null(text.type) else None
    numbers = np.array(values)
    if numbers.dtype.kind in "bi" or (numbers.dtype.kind == "f" and dtype == "float64"):
        return numbers.astype(dtype)
    if dtype == "float64" and numbers.dtype == object and \
            all(v is None or (isinstance(v, int | float) and not isinstance(v, bool)) for v in values):
        return np.array(values, dtype="float64")  # NULL (None) as NaN
    return None


def _columns(rows: Iterable[Any], names: list[str], dtypes: dict[str, str]) -> Columns:
    """Fetched rows as typed columns: the values ``DataFrame.from_records(rows).astype(dtypes)`` holds, a column at
    a time (``_typed``); a slice with a value of another type is converted by pandas, as it always was."""
    from operator import itemgetter

    import pyarrow as pa

    rows = rows if isinstance(rows, list) else list(rows)
    if set(names) <= dtypes.keys() and all(len(row) == len(names) for row in rows[:1]):
        # a column at a time by ``itemgetter``: ``zip(*rows)`` would make an iterator object per row, and the
        # collector runs every few hundred objects made
        typed = [_typed(list(map(itemgetter(i), rows)), dtypes[name]) for i, name in enumerate(names)]
        if all(col is not None for col in typed):
            return dict(zip(names, typed, strict=True))
    import pandas as pd

    frame = pd.DataFrame.from_records(rows, columns=names).astype({n: d for n, d in dtypes.items() if n in names})
    return {n: pa.array(frame[n].to_numpy(dtype=object, na_value=None), type=pa.large_string())
            if dtypes.get(n) == "str" else frame[n].to_numpy() for n in names}


def _joined(parts: list[Columns]) -> Columns:
    """Slices of one read, each column joined once (text into one Arrow array)."""
    import numpy as np
    import pyarrow as pa

    return {n: pa.concat_arrays([p[n] for p in parts]) if isinstance(first, pa.Array)
            else np.concatenate([p[n] for p in parts]) for n, first in parts[0].items()}


def _frame_of(columns: Columns) -> pd.DataFrame:
    """Typed columns as a frame: Arrow text as pandas' ``str`` (no copy), numbers as they are."""
    import pandas as pd
    import pyarrow as pa

    return pd.DataFrame({n: pd.array(c, dtype="str") if isinstance(c, pa.Array) else c for n, c in columns.items()})


def _chunks(items: list[Any], n: int) -> Iterable[list[Any]]:
    for i in range(0, len(items), n):
        yield items[i : i + n]


def none_if_missing(value: Any) -> Any:
    """NaN (pandas' missing value) as None, for JSON and for the database."""
    return None if value is None or (isinstance(value, float) and value != value) else value


def to_json_text(values: dict[str, Any]) -> str:
    return json.dumps({k: none_if_missing(v) for k, v in values.items()},
                      ensure_ascii=False, default=str, sort_keys=True)
