"""The statement in doubt after a crash, and how a resume decides about it.

On MySQL/MariaDB (and for ``-- dbshift:no-transaction`` files) a DDL statement cannot
share a transaction with the journal row that records it. When the runner dies while such
a statement runs, the server may finish and commit it after the client is gone, so the
journal says "statement k not done" about a statement that did take effect. Re-running
it then fails (``Table 'p2' already exists``), and skipping it blindly loses it when it
did not run. A resume therefore asks a ``Probe``: does the catalog show what the statement
creates, alters or drops? The probe lives above the runner (it needs the linter's parser,
which this layer does not import); the CLI hands one in.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection


class Verdict(enum.Enum):
    DONE = "done"  # the catalog shows every effect: continue after it
    NOT_DONE = "not done"  # the catalog shows none of its effects: run it again
    UNKNOWN = "unknown"  # cannot tell: stop and let the operator decide


@dataclass(frozen=True)
class Decision:
    verdict: Verdict
    #: Why, in words an operator can check: "table p2 exists".
    reason: str


class Probe(Protocol):
    """Decide from the live catalog whether ``sql`` took effect."""

    def __call__(self, conn: Connection, sql: str) -> Decision: ...


def unknown_probe(conn: Connection, sql: str) -> Decision:
    """Without a catalog probe nothing can be decided: the operator chooses."""
    return Decision(Verdict.UNKNOWN, "no catalog check is available for it")


#: The ``error`` text ``repair --statement-retry`` / ``--statement-done`` leave on a row:
#: the row becomes ``failed`` (resume runs the next statement without probing it).
RETRY_NOTE = "interrupted; 'dbshift repair --statement-retry' chose to run {where} again"
DONE_NOTE = "interrupted; 'dbshift repair --statement-done' recorded {where} as done"
