"""Running the servers' client tools: found on PATH, killed with us, errors in one line.

A dump or restore tool is a child process. If dbshift is killed (even by SIGKILL) the
child must not carry on alone: a restore finishing behind the back of an operator who
re-runs it would race the second run. On Linux the child asks the kernel for SIGKILL
when its parent dies (``PR_SET_PDEATHSIG``).
"""

from __future__ import annotations

import contextlib
import ctypes
import hashlib
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import IO

from dbshift.connection import first_line, mask_text
from dbshift.errors import DbshiftError, UsageError


class ToolMissing(UsageError):
    """A dump or restore client is not installed."""


class ToolFailed(DbshiftError):
    """The dump or restore tool exited non-zero."""


def find(names: Sequence[str], package: str) -> str:
    """The first of ``names`` on PATH; else a one-line error naming what to install."""
    for name in names:
        path = shutil.which(name)
        if path is not None:
            return path
    raise ToolMissing(f"{' or '.join(names)} not found on PATH: install {package}")


def version(tool: str) -> tuple[int, ...]:
    """``pg_dump (PostgreSQL) 15.20`` -> (15, 20); ``Distrib 10.11.19-MariaDB`` -> (10, 11, 19)."""
    text = subprocess.run([tool, "--version"], capture_output=True, text=True, check=False).stdout
    match = re.search(r"Distrib (\d+(?:\.\d+)*)", text) or re.search(r"(\d+(?:\.\d+)+)", text)
    return tuple(int(p) for p in match.group(1).split(".")) if match else ()


def _die_with_parent() -> None:  # pragma: no cover - runs in the child
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            libc = ctypes.CDLL("libc.so.6", use_errno=True)
            libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def start(
    argv: Sequence[str],
    *,
    env: dict[str, str] | None = None,
    stdin: IO[bytes] | int | None = None,
    stdout: IO[bytes] | int | None = None,
) -> subprocess.Popen[bytes]:
    full_env = dict(os.environ)
    full_env.update(env or {})
    return subprocess.Popen(
        list(argv),
        env=full_env,
        stdin=stdin if stdin is not None else subprocess.DEVNULL,
        stdout=stdout if stdout is not None else subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        preexec_fn=_die_with_parent,
    )


def wait(proc: subprocess.Popen[bytes], what: str) -> None:
    """Wait; a failure becomes one masked line with the tool's first error line."""
    _, err = proc.communicate()
    if proc.returncode != 0:
        text = err.decode(errors="replace")
        lines = [ln for ln in text.splitlines() if "error" in ln.lower()] or text.splitlines()
        reason = first_line(lines[0]) if lines else f"exit code {proc.returncode}"
        raise ToolFailed(f"{what} failed: {mask_text(reason)}")


def run(argv: Sequence[str], what: str, *, env: dict[str, str] | None = None) -> None:
    wait(start(argv, env=env), what)


class HashingCopy(threading.Thread):
    """Copy a tool's stdout into a file, hashing on the way: the checksum is ready when
    the dump is, instead of a second read of the file afterwards (0.6 s per 150 MB)."""

    def __init__(self, source: IO[bytes], path: Path) -> None:
        super().__init__(daemon=True)
        self.source, self.path = source, path
        self.size = 0
        self.digest = hashlib.sha256()
        self.error: OSError | None = None

    def run(self) -> None:
        try:
            with self.path.open("wb") as out:
                while chunk := self.source.read(1 << 20):
                    out.write(chunk)
                    self.digest.update(chunk)
                    self.size += len(chunk)
        except OSError as exc:
            self.error = exc

    def finish(self) -> tuple[int, str]:
        self.join()
        if self.error is not None:
            raise self.error
        return self.size, self.digest.hexdigest()


# -- progress --------------------------------------------------------------------------


@contextlib.contextmanager
def progress(label: str, done: Callable[[], int], total: int | None) -> Iterator[None]:
    """A rich bar with bytes and rate on a terminal (stderr), polling ``done``; nothing
    elsewhere. Polling a file's size costs the dump nothing."""
    if not sys.stderr.isatty():
        yield
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        DownloadColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TransferSpeedColumn,
    )

    stop = threading.Event()
    bar = Progress(
        TextColumn(label),
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
    )
    task = bar.add_task(label, total=total)

    def poll() -> None:
        while not stop.wait(0.2):
            with contextlib.suppress(OSError):
                bar.update(task, completed=done())

    with bar:
        thread = threading.Thread(target=poll, daemon=True)
        thread.start()
        try:
            yield
        finally:
            stop.set()
            thread.join()


def file_size(path: Path) -> Callable[[], int]:
    return lambda: (
        sum(p.stat().st_size for p in path.rglob("*"))
        if path.is_dir()
        else (path.stat().st_size if path.exists() else 0)
    )


def read_position(proc: subprocess.Popen[bytes], path: Path) -> Callable[[], int]:
    """How far ``proc`` has read ``path`` (Linux ``/proc/PID/fdinfo``; 0 elsewhere)."""
    target = str(path.resolve())

    def position() -> int:
        fds = Path(f"/proc/{proc.pid}/fd")
        for fd in fds.iterdir():
            with contextlib.suppress(OSError):
                if os.readlink(fd) == target:
                    info = (Path(f"/proc/{proc.pid}/fdinfo") / fd.name).read_text()
                    return int(info.split("pos:")[1].split()[0])
        return 0

    return position


def timed(fn: Callable[[], None]) -> float:
    began = time.monotonic()
    fn()
    return time.monotonic() - began
