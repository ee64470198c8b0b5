"""Rows in a file, one JSON array a line, with the driver's Python types kept exactly.

The built-in dump and the prior backup on MySQL/MariaDB and SQLite read rows through the
driver and write them back through it, as parameters: no value is ever turned into SQL
text. JSON has no bytes, decimals or times, so those are tagged (``{"b": hex}``); the
reader turns each tag back into the type the driver gave, which the driver accepts as a
parameter for the same column.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
from collections.abc import Iterable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

#: Rows sent to the server per executemany (one multi-row INSERT on MySQL).
BATCH = 2000


def _encode(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else {"f": repr(value)}
    if isinstance(value, bytes | bytearray | memoryview):
        return {"b": bytes(value).hex()}
    if isinstance(value, Decimal):
        return {"n": str(value)}
    if isinstance(value, dt.datetime):
        return {"ts": value.isoformat()}
    if isinstance(value, dt.date):
        return {"d": value.isoformat()}
    if isinstance(value, dt.time):
        return {"t": value.isoformat()}
    if isinstance(value, dt.timedelta):
        return {"td": [value.days, value.seconds, value.microseconds]}
    if isinstance(value, set | frozenset):  # MySQL SET columns, with some drivers
        return ",".join(sorted(str(v) for v in value))
    raise TypeError(f"cannot store a {type(value).__name__} value in a backup row file")


def _decode(value: Any) -> Any:
    if not isinstance(value, dict):
        return value
    ((tag, body),) = value.items()
    if tag == "b":
        return bytes.fromhex(body)
    if tag == "n":
        return Decimal(body)
    if tag == "f":
        return float(body)
    if tag == "ts":
        return dt.datetime.fromisoformat(body)
    if tag == "d":
        return dt.date.fromisoformat(body)
    if tag == "t":
        return dt.time.fromisoformat(body)
    if tag == "td":
        return dt.timedelta(days=body[0], seconds=body[1], microseconds=body[2])
    raise ValueError(f"unknown value tag {tag!r} in a backup row file")


class Writer:
    """Write rows to ``path``, counting them and hashing the bytes on the way."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.rows = 0
        self.size = 0
        self.digest = hashlib.sha256()
        self._file: IO[bytes] = path.open("wb")

    def write(self, rows: Iterable[Iterable[Any]]) -> None:
        lines = []
        for row in rows:
            lines.append(json.dumps([_encode(v) for v in row], ensure_ascii=False))
            self.rows += 1
        if lines:
            data = ("\n".join(lines) + "\n").encode()
            self._file.write(data)
            self.digest.update(data)
            self.size += len(data)

    def close(self) -> None:
        self._file.close()


def read(path: Path, batch: int = BATCH) -> Iterator[list[tuple[Any, ...]]]:
    """The rows of ``path``, ``batch`` at a time."""
    out: list[tuple[Any, ...]] = []
    with path.open("rb") as f:
        for line in f:
            out.append(tuple(_decode(v) for v in json.loads(line)))
            if len(out) >= batch:
                yield out
                out = []
    if out:
        yield out
