"""The stairway's batched up is the script ``migrate --sql`` writes for that migration.

``UpScripts`` compiles the history INSERT once and puts each migration's values in as
literals; it must send exactly what ``render_script`` renders (less its header comments),
whatever the description holds, on each server kind with transactional DDL or not."""

from __future__ import annotations

from pathlib import Path

import pytest

from dbshift.connection import parse_url
from dbshift.dialects import dialect_for
from dbshift.migrations import loader
from dbshift.runner.history import HistoryTable
from dbshift.runner.offline import render_script
from dbshift.runner.stairway import UpScripts


def _body(script: str) -> str:
    """The script from its first statement on: the header comments name the run."""
    lines = script.split("\n")
    start = next(i for i, line in enumerate(lines) if line and not line.startswith("-- "))
    return "\n".join(lines[start:])


@pytest.mark.parametrize(
    "url",
    ["postgresql://u@h/db", "mysql://u@h/db", "sqlite:///unused.db"],
    ids=["postgresql", "mysql", "sqlite"],
)
def test_each_up_script_is_the_one_render_script_writes(tmp_path: Path, url: str) -> None:
    directory = tmp_path / "migrations"
    directory.mkdir()
    names = [
        "0001_users.sql",
        "0002_it's_a_quote.sql",
        "0003_percent_%s_and_dollar_$$.sql",
        "0004_" + "long_" * 48 + ".sql",
    ]
    for index, name in enumerate(names):
        (directory / name).write_text(
            "-- dbshift:up\n"
            f"CREATE TABLE t{index} (id integer PRIMARY KEY, note varchar(10) DEFAULT 'a;b');\n"
            f"CREATE INDEX ix{index} ON t{index} (note); -- trailing comment\n"
            "-- dbshift:down\n"
            f"DROP TABLE t{index};\n",
            encoding="utf-8",
        )
    dialect = dialect_for(parse_url(url))
    history = HistoryTable("dbshift_history", None)
    scripts = UpScripts(dialect, history)
    migrations = loader.load(directory, dialect)
    assert len(migrations) == len(names)
    for m in migrations:
        expected = render_script(
            [m], dialect=dialect, history=history, create_history=False, target="x"
        )
        expected = "\n".join(
            line for line in _body(expected).split("\n") if line != f"-- {m.filename}"
        )
        assert scripts.render(m) == expected, m.filename


def test_default_jobs_stay_within_the_cores_when_the_server_is_on_this_machine() -> None:
    import os
    from dataclasses import replace

    from dbshift.config import Settings
    from dbshift.dialects import named
    from dbshift.runner.stairway import Options, _jobs

    pg = named("postgresql")
    base = Settings()
    local = replace(base, dev_url="postgresql://u@127.0.0.1:5432/db")
    remote = replace(base, dev_url="postgresql://u@db.example.com:5432/db")
    cores = os.cpu_count() or 1
    assert _jobs(Options(), pg, 200, local) == min(4, cores)
    assert _jobs(Options(), pg, 200, remote) == 4
    assert _jobs(Options(), pg, 60, remote) == 1
    assert _jobs(Options(jobs=3), pg, 200, local) == 3, "--jobs is obeyed as given"
    assert _jobs(Options(), named("mysql"), 200, local) == 1
