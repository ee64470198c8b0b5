"""Throwaway replication set-ups for the throttle's ``replica_lag`` tests: a primary and a
streaming replica of each server, built from the installed binaries in a temporary
directory, on free ports (never the shared servers' 5432 / 3306), and torn down after.

- PostgreSQL: ``initdb`` a primary (``wal_level=replica``), ``pg_basebackup -R`` a standby
  from it, both started with ``pg_ctl``. ``initdb`` refuses to run as root, so as root
  every server command runs as the ``postgres`` OS user (``runuser``).
- MariaDB: one ``mariadb-install-db`` data directory, copied for the replica, two
  ``mariadbd`` processes (``server_id`` 1 with a binary log, 2 replicating with GTID).

Both start in a few seconds. Where the binaries are missing the fixtures skip, and fail
under CI=true (``tests/conftest.py``'s rule for an unreachable backend).
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

#: First ports tried (upward from there, skipping ports in use): far from 5432 / 3306.
#: Each xdist worker starts 100 ports further, so two workers building their set-ups at
#: the same moment do not both find the same port free (CI lost a primary that way).
_WORKER = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or 0)
PG_PORT = 55432 + 100 * _WORKER
MARIADB_PORT = 33306 + 100 * _WORKER
#: How long a server may take to accept connections, or a replica to catch up (seconds).
START_TIMEOUT = 60.0


class SetupError(RuntimeError):
    """A replication set-up could not be built (missing binary, a command failed)."""


def _free_port(start: int) -> int:
    for port in range(start, start + 200):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise SetupError(f"no free port in {start}..{start + 199}")


def _on_a_free_port(first: int, start: Callable[[int], None], tries: int = 5) -> int:
    """``start(port)`` on the first free port from ``first``; on failure, on the next one:
    a port free when probed can be taken before the server binds it (another process's
    ephemeral port, another worker's server)."""
    port = _free_port(first)
    for attempt in range(tries):
        try:
            start(port)
            return port
        except SetupError:
            if attempt == tries - 1:
                raise
            port = _free_port(port + 1)
    raise AssertionError("unreachable")


def _run(argv: list[str], *, user: str | None = None, timeout: float = 120.0) -> str:
    if user is not None:
        argv = ["runuser", "-u", user, "--", *argv]
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, check=False)
    if proc.returncode != 0:
        raise SetupError(
            f"{' '.join(argv)} exited {proc.returncode}: {(proc.stderr or proc.stdout).strip()}"
        )
    return proc.stdout


def _wait_for(check: Any, what: str, timeout: float = START_TIMEOUT) -> None:
    deadline = time.monotonic() + timeout
    last: BaseException | None = None
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except Exception as exc:  # a server still starting refuses: retry
            last = exc
        time.sleep(0.1)
    raise SetupError(f"{what}: not within {timeout:g}s" + (f" ({last})" if last else ""))


def wait_until(check: Callable[[], bool], what: str, timeout: float = 30.0) -> None:
    """Poll ``check`` until it holds; an AssertionError naming ``what`` after ``timeout``."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {timeout:g}s")
        time.sleep(0.05)


def mariadb_caught_up(setup: Replication) -> bool:
    """The MariaDB replica has applied every transaction the primary logged (GTIDs)."""
    primary = setup.run("primary", "SELECT @@gtid_binlog_pos")[0]
    replica = setup.run("replica", "SELECT @@gtid_slave_pos")[0]
    return bool(primary == replica)


def _engine(url: str) -> Any:
    import sqlalchemy

    from dbshift.connection import parse_url

    return sqlalchemy.create_engine(
        parse_url(url), connect_args={"connect_timeout": 5}, isolation_level="AUTOCOMMIT"
    )


@dataclass
class Replication:
    """A running primary and replica: their URLs, and SQL on either."""

    backend: str
    primary_url: str
    replica_url: str
    #: Restart the replica (its connections are dropped first); None where not offered.
    restarter: Callable[[], None] | None = None
    _engines: dict[str, Any] = field(default_factory=dict)

    def restart_replica(self) -> None:
        assert self.restarter is not None, f"no replica restart for {self.backend}"
        engine = self._engines.pop("replica", None)
        if engine is not None:
            engine.dispose()
        self.restarter()

    def engine(self, which: str) -> Any:
        """``primary`` or ``replica``: an autocommit engine, kept for the session."""
        if which not in self._engines:
            self._engines[which] = _engine(
                self.primary_url if which == "primary" else self.replica_url
            )
        return self._engines[which]

    def run(self, which: str, *statements: str) -> list[Any]:
        """Run ``statements`` on ``which``; the first column of each one's first row (None
        for a statement returning no rows)."""
        out = []
        with self.engine(which).connect() as conn:
            for sql in statements:
                result = conn.exec_driver_sql(sql)
                out.append(result.scalar() if result.returns_rows else None)
        return out

    def dispose(self) -> None:
        for engine in self._engines.values():
            engine.dispose()
        self._engines.clear()


# -- PostgreSQL ---------------------------------------------------------------------------


def postgres_bindir() -> Path | None:
    """``$DBSHIFT_TEST_PG_BINDIR``, else the newest ``/usr/lib/postgresql/*/bin``, else
    ``pg_config --bindir``; None when no directory holds ``initdb`` and ``pg_basebackup``."""
    candidates = [os.environ.get("DBSHIFT_TEST_PG_BINDIR", "")]
    candidates += sorted(
        glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(p.split("/")[-2]), reverse=True
    )
    pg_config = shutil.which("pg_config")
    if pg_config:
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            candidates.append(_run([pg_config, "--bindir"]).strip())
    for candidate in filter(None, candidates):
        path = Path(candidate)
        if all((path / tool).is_file() for tool in ("initdb", "pg_ctl", "pg_basebackup")):
            return path
    return None


@contextlib.contextmanager
def postgres_replication(bindir: Path) -> Iterator[Replication]:
    """A primary and a streaming standby (``pg_basebackup -R``), stopped at the end."""
    user = "postgres" if os.geteuid() == 0 else None
    root = Path(tempfile.mkdtemp(prefix="dbshift_pg_replication_"))
    if user is not None:
        shutil.chown(root, user)
    primary, standby = root / "primary", root / "standby"
    started: list[Path] = []

    def pg_ctl(datadir: Path, *args: str) -> str:
        return _run([str(bindir / "pg_ctl"), "-D", str(datadir), *args], user=user)

    def start(datadir: Path, port: int, *settings: str) -> None:
        options = " ".join(
            [
                f"-p {port}",
                f"-k {root}",
                "-c listen_addresses=127.0.0.1",
                "-c fsync=off",
                "-c shared_buffers=16MB",
                *(f"-c {s}" for s in settings),
            ]
        )
        pg_ctl(
            datadir,
            "-l",
            str(root / f"{datadir.name}.log"),
            "-w",
            "-t",
            "60",
            "-o",
            options,
            "start",
        )
        started.append(datadir)

    try:
        _run(
            [
                str(bindir / "initdb"),
                "-D",
                str(primary),
                "-U",
                "postgres",
                "--auth=trust",
                "--no-sync",
                "--no-instructions",
            ],
            user=user,
        )
        primary_port = _on_a_free_port(
            PG_PORT, lambda port: start(primary, port, "wal_level=replica", "max_wal_senders=4")
        )
        _run(
            [
                str(bindir / "pg_basebackup"),
                "-h",
                "127.0.0.1",
                "-p",
                str(primary_port),
                "-U",
                "postgres",
                "-D",
                str(standby),
                "-R",
                "-X",
                "stream",
                "-c",
                "fast",
            ],
            user=user,
        )
        # The standby tells the primary its replay position every second (10 s by
        # default): the primary's pg_stat_replication is that fresh (docs/online.md).
        standby_port = _on_a_free_port(
            primary_port + 1,
            lambda port: start(standby, port, "hot_standby=on", "wal_receiver_status_interval=1"),
        )
        url = "postgresql://postgres@127.0.0.1:{}/postgres"
        setup = Replication(
            "postgresql",
            url.format(primary_port),
            url.format(standby_port),
            # The options it was started with are pg_ctl's to reuse (postmaster.opts).
            restarter=lambda: pg_ctl(
                standby, "-l", str(root / "standby.log"), "-m", "fast", "-w", "-t", "60", "restart"
            ),
        )
        try:
            _wait_for(
                lambda: (
                    setup.run(
                        "primary",
                        "SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'",
                    )[0]
                    == 1
                ),
                "the standby streaming from the primary",
            )
            yield setup
        finally:
            setup.dispose()
    finally:
        for datadir in reversed(started):
            try:
                pg_ctl(datadir, "-m", "immediate", "-w", "stop")
            except (SetupError, subprocess.SubprocessError):
                _kill_pidfile(datadir / "postmaster.pid")
        shutil.rmtree(root, ignore_errors=True)


def _kill_pidfile(pidfile: Path) -> None:
    with contextlib.suppress(OSError, ValueError, IndexError):
        os.kill(int(pidfile.read_text().split()[0]), signal.SIGKILL)


# -- MariaDB ------------------------------------------------------------------------------


def mariadb_binaries() -> tuple[str, str] | None:
    """``mariadbd`` and ``mariadb-install-db``; None when either is missing."""
    server = shutil.which("mariadbd") or shutil.which("mariadbd", path="/usr/sbin:/usr/libexec")
    install = shutil.which("mariadb-install-db")
    return (server, install) if server and install else None


@contextlib.contextmanager
def mariadb_replication(server: str, install: str) -> Iterator[Replication]:
    """A primary (binary log, server_id 1) and a replica (server_id 2) replicating from it
    with GTID, both killed at the end."""
    root = Path(tempfile.mkdtemp(prefix="dbshift_mariadb_replication_"))
    processes: list[subprocess.Popen[bytes]] = []
    as_root = ["--user=root"] if os.geteuid() == 0 else []

    def start(name: str, port: int, *options: str) -> None:
        log = open(root / f"{name}.log", "wb")  # noqa: SIM115 - the process's, closed by it
        processes.append(
            subprocess.Popen(
                [
                    server,
                    "--no-defaults",
                    *as_root,
                    f"--datadir={root / name}",
                    f"--socket={root / name}.sock",
                    f"--pid-file={root / name}.pid",
                    f"--port={port}",
                    "--bind-address=127.0.0.1",
                    "--skip-name-resolve",
                    "--innodb-buffer-pool-size=16M",
                    "--innodb-log-file-size=8M",
                    "--innodb-flush-log-at-trx-commit=0",
                    "--performance-schema=off",
                    *options,
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        )
        log.close()

    try:
        _run(
            [
                install,
                "--no-defaults",
                *as_root,
                f"--datadir={root / 'primary'}",
                "--auth-root-authentication-method=normal",
                "--skip-test-db",
            ]
        )
        shutil.copytree(root / "primary", root / "replica", symlinks=True)
        primary_port = _free_port(MARIADB_PORT)
        replica_port = _free_port(primary_port + 1)
        start("primary", primary_port, "--server-id=1", f"--log-bin={root / 'primary' / 'bin'}")
        start("replica", replica_port, "--server-id=2", f"--relay-log={root / 'replica' / 'relay'}")
        url = "mysql://root@127.0.0.1:{}/dbshift_replicated"
        bare = Replication(
            "mysql",
            url.format(primary_port).replace("dbshift_replicated", "mysql"),
            url.format(replica_port).replace("dbshift_replicated", "mysql"),
        )
        setup = Replication("mysql", url.format(primary_port), url.format(replica_port))
        try:
            for which in ("primary", "replica"):
                _wait_for(lambda w=which: bare.run(w, "SELECT 1")[0] == 1, f"MariaDB {which}")
            bare.run(
                "replica",
                f"CHANGE MASTER TO MASTER_HOST='127.0.0.1', MASTER_PORT={primary_port}, "
                "MASTER_USER='root', MASTER_USE_GTID=slave_pos, MASTER_CONNECT_RETRY=1",
                "START SLAVE",
            )
            bare.run("primary", "CREATE DATABASE dbshift_replicated")
            _wait_for(
                lambda: (
                    bare.run(
                        "replica",
                        "SELECT count(*) FROM information_schema.SCHEMATA "
                        "WHERE SCHEMA_NAME = 'dbshift_replicated'",
                    )[0]
                    == 1
                ),
                "the replica applying the primary's binary log",
            )
            yield setup
        finally:
            bare.dispose()
            setup.dispose()
    finally:
        for proc in processes:
            proc.kill()
        for proc in processes:
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=30)
        shutil.rmtree(root, ignore_errors=True)
