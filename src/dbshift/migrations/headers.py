"""Workflow headers in a migration: ``irreversible``, ``not-before``, ``window``, ``depends-on``.

They are checked when the file is read (a malformed date or window is a ``file:line``
error then, not a surprise at deploy time); what they mean at run time lives in
``dbshift.migrations.schedule`` (windows) and ``dbshift.runner.conflicts`` (depends-on).
"""

from __future__ import annotations

from pathlib import Path

from dbshift.errors import MigrationFileError
from dbshift.migrations.model import Headers


def parse_headers(path: Path, found: dict[str, list[tuple[int, str]]]) -> Headers:
    """``found``: directive name → (line, text after the name) for each occurrence."""
    from dbshift.migrations.schedule import ScheduleError, parse_instant, parse_window

    irreversible = False
    not_before: str | None = None
    windows: list[str] = []
    depends: list[str] = []
    for name, entries in found.items():
        for line, rest in entries:
            if name == "irreversible":
                irreversible = True  # any text after it is the author's reason
            elif name == "not-before":
                if not_before is not None:
                    raise MigrationFileError(str(path), "second 'dbshift:not-before'", line=line)
                try:
                    parse_instant(rest)
                except ScheduleError as exc:
                    raise MigrationFileError(str(path), str(exc), line=line) from None
                not_before = rest
            elif name == "window":
                try:
                    parse_window(rest)
                except ScheduleError as exc:
                    raise MigrationFileError(str(path), str(exc), line=line) from None
                windows.append(rest)
            elif name == "depends-on":
                versions = rest.replace(",", " ").split()
                if not versions or not all(v.isdigit() for v in versions):
                    raise MigrationFileError(
                        str(path),
                        f"dbshift:depends-on expects version numbers, got {rest!r}",
                        line=line,
                    )
                depends.extend(versions)
    return Headers(
        irreversible=irreversible,
        not_before=not_before,
        windows=tuple(windows),
        depends_on=tuple(depends),
    )


def python_headers(path: Path, module: object) -> Headers:
    """The same headers as module attributes: ``irreversible = True``, ``not_before = "..."``,
    ``window = "..."`` (or a list), ``depends_on = ["V", ...]``."""
    found: dict[str, list[tuple[int, str]]] = {}
    if getattr(module, "irreversible", False) is True:
        found["irreversible"] = [(0, "")]
    not_before = getattr(module, "not_before", None)
    if not_before is not None:
        found["not-before"] = [(0, str(not_before))]
    window = getattr(module, "window", None)
    if window is not None:
        items = [window] if isinstance(window, str) else list(window)
        found["window"] = [(0, str(w)) for w in items]
    depends = getattr(module, "depends_on", None)
    if depends is not None:
        items = [depends] if isinstance(depends, str | int) else list(depends)
        found["depends-on"] = [(0, " ".join(str(v) for v in items))]
    try:
        return parse_headers(path, found)
    except MigrationFileError as exc:
        # No line for a module attribute: drop the ':0'.
        raise MigrationFileError(str(path), exc.message.split(": ", 1)[-1]) from None
