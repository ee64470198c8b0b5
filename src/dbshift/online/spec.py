"""Online migration files: what a zero-downtime change says, read from TOML.

```toml
# migrations/20261126120000_email_text.toml
description = "emails become text, lower-cased"

[[operations]]
type = "alter_column"
table = "users"
column = "email"
data_type = "text"
up = "lower(email)"      # new value from the old version's columns
down = "email"           # old value from the new version's columns
```

TOML because it is in the standard library (tomllib), is easy to review, and keeps SQL
expressions as plain strings. Every problem is reported as ``file:line`` where TOML gives
one, or ``file: operations[i]: ...``.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dbshift import ops
from dbshift.errors import MigrationFileError, OnlineOperationError, UsageError
from dbshift.online.read import TYPES, read_operation
from dbshift.throttle import Thresholds, parse_thresholds

_NAME = re.compile(r"^(?P<name>[0-9A-Za-z][0-9A-Za-z_]*)\.toml$")
# What `online start` accepts: the version prefix orders online migrations among the
# others. parse_online keeps the looser _NAME: an entry journaled before the prefix was
# enforced must still complete and roll back.
_VERSIONED = re.compile(r"^[0-9]+_[0-9A-Za-z_]+\.toml$")
_POSITION = re.compile(r"\(at line (\d+), column \d+\)")
_TOP_KEYS = {"description", "operations", "safety_period", "schema", "throttle"}


@dataclass(frozen=True)
class OnlineMigration:
    """One online migration: a name (the file stem), the schema it works in and the
    operations (``ops.*`` in their online form), applied in order."""

    name: str
    path: Path
    operations: tuple[ops.Operation, ...]
    description: str = ""
    schema: str = "public"
    #: Seconds that must pass between start and complete (None: the configured default).
    safety_period: float | None = None
    #: ``[throttle]``: the backfill's load thresholds for this migration (docs/online.md).
    throttle: Thresholds = field(default_factory=Thresholds)

    @property
    def tables(self) -> frozenset[str]:
        return frozenset(key[1] for op in self.operations if (key := op.table_key) is not None)


def load_online(path: Path) -> OnlineMigration:
    match = _VERSIONED.match(path.name)
    if match is None:
        raise MigrationFileError(
            str(path),
            "an online migration is named <version>_<description>.toml "
            f"(e.g. 20260101000000_{path.stem.lower() or 'change'}.toml)",
        )
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise MigrationFileError(str(path), f"cannot read: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise MigrationFileError(str(path), "not UTF-8 text") from None
    return parse_online(text, path)


def parse_online(text: str, path: Path) -> OnlineMigration:
    """``text`` as the online migration file ``path`` (the journal keeps the text, so
    complete and rollback work from what start ran, not from a file edited since)."""
    match = _NAME.match(path.name)
    if match is None:
        raise MigrationFileError(
            str(path), "an online migration is named <version>_<description>.toml"
        )
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        pos = _POSITION.search(str(exc))
        message = _POSITION.sub("", str(exc)).strip()
        raise MigrationFileError(
            str(path), f"invalid TOML: {message}", line=int(pos.group(1)) if pos else None
        ) from None
    unknown = set(data) - _TOP_KEYS
    if unknown:
        raise MigrationFileError(
            str(path), f"unknown key {sorted(unknown)[0]!r} (known: {', '.join(sorted(_TOP_KEYS))})"
        )
    raw_ops = data.get("operations")
    if not isinstance(raw_ops, list) or not raw_ops:
        raise MigrationFileError(str(path), "no [[operations]]")
    ops = tuple(_operation(path, i, raw) for i, raw in enumerate(raw_ops))
    period = data.get("safety_period")
    if period is not None and (not isinstance(period, int | float) or period < 0):
        raise MigrationFileError(str(path), "safety_period must be a number of seconds >= 0")
    schema = data.get("schema", "public")
    if not isinstance(schema, str) or not schema:
        raise MigrationFileError(str(path), "schema must be a name")
    try:
        throttle = parse_thresholds(data.get("throttle"), "[throttle]")
    except UsageError as exc:
        raise MigrationFileError(str(path), str(exc)) from None
    return OnlineMigration(
        throttle=throttle,
        name=match.group("name"),
        path=path,
        operations=ops,
        description=str(data.get("description", "")),
        schema=schema,
        safety_period=float(period) if period is not None else None,
    )


def _operation(path: Path, index: int, raw: Any) -> ops.Operation:
    where = f"operations[{index}]"
    if not isinstance(raw, dict):
        raise MigrationFileError(str(path), f"{where}: must be a table")
    kind = raw.get("type")
    if not isinstance(kind, str) or kind not in TYPES:
        known = ", ".join(sorted(TYPES))
        raise MigrationFileError(str(path), f"{where}: unknown type {kind!r} (known: {known})")
    try:
        return read_operation(kind, {k: v for k, v in raw.items() if k != "type"})
    except OnlineOperationError as exc:
        raise MigrationFileError(str(path), f"{where} ({kind}): {exc}") from None
