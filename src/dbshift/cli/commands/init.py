"""``dbshift init``: a migrations directory, its sum file and a starter dbshift.toml."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from dbshift.cli import context

if TYPE_CHECKING:
    from pathlib import Path

_CONFIG = """\
# dbshift configuration (see README). Flags and $DBSHIFT_URL / $DATABASE_URL override it.
{url_line}
migrations = {migrations}
# history_table = "dbshift_history"
# lock_timeout = 60
# out_of_order = false   # true: apply pending migrations older than the newest applied one
# strict_sum = false     # migrate re-hashes edited pending files (default: strict on CI and --env)
# ddl_lock_timeout = 5   # seconds each statement waits for its table lock, then retried

# [environments.production]
# url = "${{PRODUCTION_DATABASE_URL}}"
"""


#: The connection and configuration options this command uses (its help lists only these).
OPTIONS = frozenset({"url", "config", "migrations"})

#: Shown at the end of ``dbshift init --help``.
EXAMPLES = (
    "dbshift init                                 # migrations/, dbshift.sum, dbshift.toml",
    "dbshift init --url postgresql://localhost/app # and put that URL in dbshift.toml",
    "dbshift init --dir db/migrations",
)


def configure(parser: argparse.ArgumentParser) -> None:
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    import json  # imports inside commands keep `dbshift --help` fast
    from pathlib import Path

    from dbshift.connection import parse_url
    from dbshift.migrations import loader, sumfile

    settings = context.settings(args)
    directory = settings.migrations_dir
    directory.mkdir(parents=True, exist_ok=True)
    sum_path = sumfile.write(directory, loader.scan(directory))
    context.out(f"migrations directory: {directory}  (integrity file {sum_path.name})")
    if settings.config_file is not None:
        context.out(f"config: {settings.config_file} (found; left as it is)")
    else:
        url_line = '# url = "sqlite:///app.db"'
        raw = getattr(args, "url", None)
        if raw:
            url = parse_url(raw)
            # A password never goes into a file that may be committed.
            # json.dumps gives a valid TOML basic string whatever the URL holds.
            url_line = (
                f"url = {json.dumps(raw)}" if url.password is None else '# url = "${DATABASE_URL}"'
            )
        config = Path("dbshift.toml")
        config.write_text(
            _CONFIG.format(url_line=url_line, migrations=json.dumps(_relative(directory))),
            encoding="utf-8",
        )
        context.out(f"config: {config}")
    return 0


def _relative(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(path.cwd()))
    except ValueError:
        return str(path)
