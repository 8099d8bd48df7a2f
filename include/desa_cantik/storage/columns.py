"""Rows and frames between the database and pandas: typed columns (Arrow text, numpy numbers), COPY's CSV, and
values fit for JSON. Pure conversions: no engine, no connection."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

if TYPE_CHECKING:
    import pandas as pd

BULK_ROWS = 20_000  # rows converted and sent (or fetched) at a time by the bulk paths


def column_dtypes(query: sa.Select[Any]) -> dict[str, str]:
    """The pandas type of each selected column, as ``read_sql`` infers it from rows (an integer column that may
    hold NULL comes as float64, whether or not it does)."""
    def dtype(column: sa.Column[Any]) -> str:
        if isinstance(column.type, sa.String):
            return "str"
        return "int64" if isinstance(column.type, sa.Integer) and not column.nullable else "float64"

    return {c.name: dtype(c) for c in query.selected_columns if isinstance(c, sa.Column)}


def copy_types(query: sa.Select[Any]) -> dict[str, Any] | None:  # column -> Arrow type (pyarrow is untyped)
    """The Arrow type of each selected column for a COPY read, as ``column_dtypes`` types it; None if a column is not
    plain text, an integer or a float (its CSV text would not parse the same)."""
    import pyarrow as pa  # type: ignore[import-untyped]

    arrow = {"str": pa.large_string(), "int64": pa.int64(), "float64": pa.float64()}
    columns = [c for c in query.selected_columns if isinstance(c, sa.Column)]
    if len(columns) != len(query.selected_columns) or not all(
            isinstance(c.type, sa.String | sa.Integer | sa.Float) for c in columns):
        return None
    return {name: arrow[d] for name, d in column_dtypes(query).items()}


def empty_frame(query: sa.Select[Any]) -> pd.DataFrame:
    """A read with no row, typed by the schema: its columns are known all the same."""
    import pandas as pd

    return pd.DataFrame({c: pd.Series(dtype=d) for c, d in column_dtypes(query).items()})


Columns = dict[str, Any]  # a slice of a read, column by column: text as an Arrow array, numbers as numpy


def copy_csv(part: pd.DataFrame) -> Any:
    """A slice as COPY's CSV, written by Arrow (8x ``to_csv``: the centre loads 1.6M rows), as a readable buffer;
    None where a column is not plainly text, a number or a boolean (pandas writes it, as before). Every text is
    quoted, so only a missing cell (unquoted and empty, COPY's CSV NULL) is NULL and an empty text stays text;
    floats are written in their shortest exact form, so PostgreSQL reads the same doubles."""
    import pandas as pd
    import pyarrow as pa
    import pyarrow.csv as pacsv  # type: ignore[import-untyped]

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


def cells(values: pd.Series) -> list[Any]:
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


def typed_columns(rows: Iterable[Any], names: list[str], dtypes: dict[str, str]) -> Columns:
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


def joined(parts: list[Columns]) -> Columns:
    """Slices of one read, each column joined once (text into one Arrow array)."""
    import numpy as np
    import pyarrow as pa

    return {n: pa.concat_arrays([p[n] for p in parts]) if isinstance(first, pa.Array)
            else np.concatenate([p[n] for p in parts]) for n, first in parts[0].items()}


def frame_of(columns: Columns) -> pd.DataFrame:
    """Typed columns as a frame: Arrow text as pandas' ``str`` (no copy), numbers as they are."""
    import pandas as pd
    import pyarrow as pa

    return pd.DataFrame({n: pd.array(c, dtype="str") if isinstance(c, pa.Array) else c for n, c in columns.items()})


def chunks(items: list[Any], n: int) -> Iterable[list[Any]]:
    for i in range(0, len(items), n):
        yield items[i : i + n]


def none_if_missing(value: Any) -> Any:
    """NaN (pandas' missing value) as None, for JSON and for the database."""
    return None if value is None or (isinstance(value, float) and value != value) else value


def to_json_text(values: dict[str, Any]) -> str:  # any row's cells, to JSON
    return json.dumps({k: none_if_missing(v) for k, v in values.items()},
                      ensure_ascii=False, default=str, sort_keys=True)
