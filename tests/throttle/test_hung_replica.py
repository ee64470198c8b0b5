"""A listed replica that stops answering: the probe gives up within the replica timeout
and counts it infinitely behind, as an unreachable one, instead of holding the batch up
for as long as the replica hangs.

The "replica" is the shared test server seen through a TCP relay in the test: a real
network peer that passes bytes both ways until it is frozen, then swallows them (the
server, as a hung one would, never answers). Frozen from the start, it is a listener
that accepts and never says a word (PyMySQL's handshake read had no timeout at all)."""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy.engine import make_url

from dbshift.dialects import named
from dbshift.errors import ServerOverloaded
from dbshift.throttle import Thresholds, Throttle
from tests.conftest import Database

#: Far past the replica timeout: only a probe that hangs for good can take this long.
BOUND = 120.0


class Relay:
    """127.0.0.1:<port> relaying to ``upstream`` until ``frozen`` is set."""

    def __init__(self, upstream: tuple[str, int]) -> None:
        self.upstream = upstream
        self.frozen = threading.Event()
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.sockets: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return  # closed
            server = socket.create_connection(self.upstream)
            self.sockets += [client, server]
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    def _pump(self, src: socket.socket, dst: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while data := src.recv(65536):
                if not self.frozen.is_set():
                    dst.sendall(data)

    def close(self) -> None:
        self.listener.close()
        for s in self.sockets:
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)
            s.close()


@contextlib.contextmanager
def _relay(db: Database) -> Iterator[tuple[Relay, str]]:
    url = make_url(db.url)
    relay = Relay(
        (url.host or "127.0.0.1", url.port or (5432 if db.backend == "postgresql" else 3306))
    )
    try:
        yield (
            relay,
            url.set(host="127.0.0.1", port=relay.port).render_as_string(hide_password=False),
        )
    finally:
        relay.close()


def _bounded(call: Callable[[], Any]) -> BaseException | None:
    """What ``call`` raised (None: it returned), failing the test if it is still
    running after BOUND seconds."""
    outcome: list[BaseException | None] = []

    def run() -> None:
        try:
            call()
            outcome.append(None)
        except BaseException as exc:
            outcome.append(exc)

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(BOUND)
    assert outcome, f"the probe was still waiting on the hung replica after {BOUND:g} s"
    return outcome[0]


@pytest.mark.parametrize("frozen_at", ["after connecting", "at the handshake"])
@pytest.mark.parametrize("backend", ["postgresql", "mysql"])
def test_a_hung_replica_counts_as_infinitely_behind_within_the_timeout(
    backend: str, frozen_at: str, request: pytest.FixtureRequest
) -> None:
    db: Database = request.getfixturevalue("pg_db" if backend == "postgresql" else "mysql_db")
    with _relay(db) as (relay, replica_url), db.connect() as conn:
        throttle = Throttle(
            named(backend),
            conn,
            Thresholds(
                critical_load={"replica_lag": 1.0}, critical_timeout=0, replicas=(replica_url,)
            ),
        )
        try:
            if frozen_at == "after connecting":
                # Answering: the test server is no replica, which reads as infinite too,
                # but it answered (and the connection is kept for the next probe).
                first = _bounded(throttle.wait)
                assert isinstance(first, ServerOverloaded), first
                assert "no replica status" in str(first)
            relay.frozen.set()
            hung = _bounded(throttle.wait)
            assert isinstance(hung, ServerOverloaded), hung
            assert "replica_lag inf >= 1" in str(hung)
            # PyMySQL's own read_timeout, or dbshift's deadline where libpq has none.
            said = str(hung)
            assert "no answer within" in said or "timed out" in said or "timeout expired" in said, (
                said
            )
        finally:
            # The relay first: a probe still stuck (the test failed) gets its end of file
            # and lets go of its connection, which close() then takes.
            relay.close()
            throttle.close()
