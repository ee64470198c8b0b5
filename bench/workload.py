"""The pgbench-style workload the online benchmarks run beside a schema change: client
threads, each repeating one short transaction (update a random row, read it back, insert
one) and recording its latency. Each server's benchmark subclasses it with ``_run``."""

from __future__ import annotations

import collections
import threading


class Workload:
    def __init__(self, clients: int, rows: int, table: str) -> None:
        self.clients, self.rows, self.table = clients, rows, table
        self.latencies: list[float] = []
        self.errors: list[str] = []
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()

    def __enter__(self) -> Workload:
        for i in range(self.clients):
            t = threading.Thread(target=self._run, args=(i,), daemon=True)
            t.start()
            self._threads.append(t)
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        for t in self._threads:
            t.join(timeout=120)

    def _run(self, seed: int) -> None:
        raise NotImplementedError

    def _error(self, exc: Exception) -> None:
        with self._lock:
            self.errors.append(str(exc).splitlines()[0][:200])

    def _record(self, latencies: list[float]) -> None:
        with self._lock:
            self.latencies.extend(latencies)

    def summary(self) -> dict[str, object]:
        """Transactions, p50/p99/max latency (ms), errors and the most common kinds. A
        failed transaction's wait counts among the latencies: its client waited too."""
        lat = sorted(self.latencies)
        counts = collections.Counter(self.errors).most_common(5)
        base: dict[str, object] = {"errors": len(self.errors), "error_kinds": counts}
        if not lat:
            return {"transactions": 0, **base}
        return {
            "transactions": len(lat),
            "p50_ms": lat[len(lat) // 2] * 1000,
            "p99_ms": lat[min(len(lat) - 1, int(len(lat) * 0.99))] * 1000,
            "max_ms": lat[-1] * 1000,
            **base,
        }
