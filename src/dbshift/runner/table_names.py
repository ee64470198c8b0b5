"""The names of dbshift's own tables beside the history table, in a module that imports
nothing: every ``diff`` and ``inspect`` needs them (``sources.own_tables``) to leave those
tables out, and must not import SQLAlchemy for it (a 1,000-table diff on the bare-driver
path takes 0.5 s; SQLAlchemy's import alone cost 0.13-0.16 s of it)."""

from __future__ import annotations


def snapshot_table(history_name: str) -> str:
    """``<history>_snapshot``, shortened to fit PostgreSQL's 63 bytes (history names may
    have 58 characters: the ``_meta`` table's limit)."""
    return f"{history_name[:54]}_snapshot"


def batches_table(history_name: str) -> str:
    """``<history>_batches``, cut to fit PostgreSQL's 63 characters (as the snapshot's is):
    where batched data migrations keep their checkpoints (``runner.checkpoints``)."""
    return f"{history_name[:55]}_batches"
