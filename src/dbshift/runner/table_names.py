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


#: The online engine's journal (one per base schema): dbshift's own, like the history
#: table, so schema inspection leaves it out.
ONLINE_JOURNAL_TABLE = "dbshift_online"
#: The online journal's format version (``online/journal.py``), as ``<history>_meta``.
ONLINE_JOURNAL_META_TABLE = f"{ONLINE_JOURNAL_TABLE}_meta"


def history_tables(history_name: str) -> tuple[str, ...]:
    """The tables named after the history table, itself first: ``_meta``, ``_log``,
    ``_online`` (online phases), the drift snapshot and the batch checkpoints. They live
    in the history's schema."""
    return (
        history_name,
        f"{history_name}_meta",
        f"{history_name}_log",
        f"{history_name}_online",
        snapshot_table(history_name),
        batches_table(history_name),
    )


def own_tables(history_name: str) -> tuple[str, ...]:
    """Every table of dbshift's own, never part of a user's schema (nor of its drift):
    the history's tables, and the online journal (in each base schema, not the
    history's). The one list: ``runner.sources`` leaves them out of inspection and
    ``backup`` keeps them with every table-scoped backup."""
    return (*history_tables(history_name), ONLINE_JOURNAL_TABLE, ONLINE_JOURNAL_META_TABLE)
