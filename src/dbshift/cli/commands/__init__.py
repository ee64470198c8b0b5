"""One module per command; each exposes ``register(subparsers, common)``."""

from dbshift.cli.commands import (
    baseline,
    demo,
    hash,
    history,
    init,
    migrate,
    new,
    repair,
    rollback,
    status,
    validate,
)

COMMANDS = (init, new, migrate, rollback, status, history, validate, repair, baseline, hash, demo)
