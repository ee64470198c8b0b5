"""``dbshift import``: other tools' migration directories and history tables.

Each reader turns one tool's directory into dbshift files (golang-migrate, Flyway, Alembic,
dbmate, goose) and reads that tool's history table, so switching costs one command: the files
are rewritten in dbshift's format, and what the old tool applied becomes dbshift history
rows, with the old timestamps where the tool kept them.
"""
