"""One module per command, each exposing ``configure(parser)``.

Only the command being run is imported: ``dbshift --help`` and the start of every command
stay cheap (see bench/). Help texts live here so the top-level help needs no imports.
"""

COMMANDS: dict[str, str] = {
    "init": "create the migrations directory and dbshift.toml",
    "new": "create a new migration file",
    "migrate": "apply pending migrations",
    "rollback": "revert applied migrations, newest first",
    "status": "show applied and pending migrations",
    "history": "show the history table with timings",
    "validate": "check files, dbshift.sum and history",
    "repair": "accept new checksums, resolve failed migrations",
    "baseline": "mark migrations up to VERSION as applied",
    "hash": "rewrite the migrations/dbshift.sum integrity file",
    "inspect": "print a live schema as DDL or JSON",
    "diff": "show the operations that turn one schema into another",
    "generate": "write a migration that brings the migrations to the desired schema",
    "lint": "find statements that lock, rewrite, break the running app or lose data",
    "plan": "run pending migrations on a scratch copy: locks, rewrites, time per statement",
    "drift": "compare the live schema with what the applied migrations produced",
    "online": "zero-downtime changes: start, complete, rollback, status, pause",
    "rebase": "renumber pending migrations after the newest applied one",
    "due": "list pending migrations and whether their schedule lets them run now",
    "test": "run each migration up, down, up on a scratch database and compare schemas",
    "demo": "a self-contained tour on an embedded SQLite database",
    "backup": "back up the database (pg_dump, mariadb-dump, SQLite backup API)",
    "backups": "list backups; prune them by retention; verify one",
    "restore": "restore a backup, checksums verified first",
    "completion": "print a shell completion script (bash, zsh, fish)",
    "import": "convert a golang-migrate, Flyway, Alembic, dbmate or goose directory and its history",
}

# Command names that are Python keywords live in a module with a trailing underscore.
MODULES: dict[str, str] = {"import": "import_"}

# Commands that take no connection or config options.
STANDALONE = frozenset({"demo", "completion"})
