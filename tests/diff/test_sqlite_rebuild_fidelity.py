"""Changes SQLite makes by rebuilding the table, run on a database holding rows: the
result is what SQLite's pragmas say of the desired schema, and the rows, the
AUTOINCREMENT high-water mark and the foreign keys survive."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from dbshift.cli.main import main
from tests.diff.test_sqlite_fidelity import facts

OLD = """
    CREATE TABLE member (id INTEGER PRIMARY KEY AUTOINCREMENT, nick TEXT COLLATE NOCASE NOT NULL);
    CREATE TABLE visit (
        id INT PRIMARY KEY,
        member INTEGER REFERENCES member (id) ON DELETE CASCADE,
        minutes INTEGER DEFAULT 0,
        hours REAL AS (minutes / 60.0) STORED
    );
    CREATE INDEX visit_member ON visit (member) WHERE member IS NOT NULL;
    CREATE TRIGGER visit_long AFTER UPDATE OF minutes ON visit WHEN new.minutes > 600
        BEGIN UPDATE member SET nick = nick WHERE id = new.member; END;
    CREATE VIEW visits AS SELECT v.id, m.nick FROM visit v JOIN member m ON m.id = v.member;
    CREATE TABLE tag (name TEXT PRIMARY KEY, note TEXT) WITHOUT ROWID;
    CREATE TABLE score (id INTEGER PRIMARY KEY, points INT) STRICT;
"""
ROWS = """
    INSERT INTO member (nick) VALUES ('ann'), ('bo'), ('cy');
    DELETE FROM member WHERE nick = 'cy';
    INSERT INTO visit (id, member, minutes) VALUES (1, 1, 30), (2, 2, 90);
    INSERT INTO tag VALUES ('x', 'first');
    INSERT INTO score VALUES (1, 10);
"""


def migrated(tmp_path: Path, new: str, capsys: pytest.CaptureFixture[str]) -> Path:
    """A database made from OLD and ROWS, changed by the SQL dbshift diffs to ``new``."""
    current, desired = tmp_path / "current.db", tmp_path / "desired.db"
    conn = sqlite3.connect(current)
    conn.executescript(OLD + ROWS)
    conn.close()
    conn = sqlite3.connect(desired)
    conn.executescript(new)
    conn.close()
    capsys.readouterr()
    code = main(
        [
            "diff",
            "--from",
            f"sqlite:///{current}",
            "--to",
            f"sqlite:///{desired}",
            "--format",
            "sql",
        ]
    )
    out = capsys.readouterr()
    assert code == 0, out.err
    conn = sqlite3.connect(current)
    conn.executescript(out.out)
    conn.close()
    assert facts(current) == facts(desired)
    return current


def test_a_rebuild_keeps_the_autoincrement_high_water_mark(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    new = OLD.replace(
        "nick TEXT COLLATE NOCASE NOT NULL", "nick TEXT COLLATE NOCASE NOT NULL, CHECK (nick <> '')"
    )
    conn = sqlite3.connect(migrated(tmp_path, new, capsys))
    try:
        conn.execute("INSERT INTO member (nick) VALUES ('di')")
        # 3 was handed out before the rebuild (and its row deleted): never again
        assert conn.execute("SELECT id, nick FROM member ORDER BY id").fetchall() == [
            (1, "ann"),
            (2, "bo"),
            (4, "di"),
        ]
        assert conn.execute("SELECT * FROM visits ORDER BY id").fetchall() == [
            (1, "ann"),
            (2, "bo"),
        ]
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    finally:
        conn.close()


def test_a_column_with_an_expression_default_is_added(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # ALTER TABLE ADD COLUMN refuses a non-constant default: the table is rebuilt.
    new = OLD + "ALTER TABLE visit ADD COLUMN seen TEXT DEFAULT (datetime('now'));"
    conn = sqlite3.connect(migrated(tmp_path, new, capsys))
    try:
        assert conn.execute("SELECT id, minutes, hours FROM visit ORDER BY id").fetchall() == [
            (1, 30, 0.5),
            (2, 90, 1.5),
        ]
    finally:
        conn.close()


@pytest.mark.parametrize(
    ("old", "new"),
    [
        (
            "(name TEXT PRIMARY KEY, note TEXT) WITHOUT ROWID",
            "(name TEXT PRIMARY KEY, note TEXT NOT NULL DEFAULT '') WITHOUT ROWID",
        ),
        ("(name TEXT PRIMARY KEY, note TEXT) WITHOUT ROWID", "(name TEXT PRIMARY KEY, note TEXT)"),
        (
            "(id INTEGER PRIMARY KEY, points INT) STRICT",
            "(id INTEGER PRIMARY KEY, points INT NOT NULL) STRICT",
        ),
        ("(id INTEGER PRIMARY KEY, points INT) STRICT", "(id INTEGER PRIMARY KEY, points INT)"),
        (
            "(id INTEGER PRIMARY KEY, points INT) STRICT",
            "(id INTEGER PRIMARY KEY, points INT) STRICT, WITHOUT ROWID",
        ),
    ],
)
def test_table_options_are_kept_or_changed_by_a_rebuild(
    old: str, new: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = migrated(tmp_path, OLD.replace(old, new), capsys)
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("SELECT count(*) FROM tag").fetchall() == [(1,)]
        assert conn.execute("SELECT * FROM score").fetchall() == [(1, 10)]
    finally:
        conn.close()


def test_a_rebuild_keeps_the_rowids_an_external_content_index_points_at(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    schema = """
        CREATE TABLE page (slug TEXT PRIMARY KEY, body TEXT);
        CREATE VIRTUAL TABLE page_text USING fts5(body, content='page');
        CREATE TRIGGER page_added AFTER INSERT ON page
            BEGIN INSERT INTO page_text (rowid, body) VALUES (new.rowid, new.body); END;
    """
    current, desired = tmp_path / "current.db", tmp_path / "desired.db"
    conn = sqlite3.connect(current)
    conn.executescript(
        schema + "INSERT INTO page VALUES ('a', 'apples'), ('b', 'bananas'), ('c', 'cherries');"
        "DELETE FROM page WHERE slug = 'a';"  # the index keeps its own entry: a stale one
    )
    conn.close()
    conn = sqlite3.connect(desired)
    conn.executescript(schema.replace("body TEXT)", "body TEXT NOT NULL)"))
    conn.close()
    capsys.readouterr()
    code = main(
        [
            "diff",
            "--from",
            f"sqlite:///{current}",
            "--to",
            f"sqlite:///{desired}",
            "--format",
            "sql",
        ]
    )
    out = capsys.readouterr()
    assert code == 0, out.err
    conn = sqlite3.connect(current)
    try:
        conn.executescript(out.out)
        found = conn.execute(
            "SELECT p.slug FROM page_text JOIN page p ON p.rowid = page_text.rowid "
            "WHERE page_text MATCH 'cherries'"
        ).fetchall()
        assert found == [("c",)]
    finally:
        conn.close()
    assert facts(current) == facts(desired)


def test_a_changed_full_text_table_is_made_again_with_its_index_filled(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    schema = """
        CREATE TABLE recipe (id INTEGER PRIMARY KEY, steps TEXT);
        CREATE VIRTUAL TABLE recipe_text USING fts5(steps, content='recipe', content_rowid='id');
        CREATE VIEW recipe_hits AS SELECT rowid FROM recipe_text;
    """
    current, desired = tmp_path / "current.db", tmp_path / "desired.db"
    conn = sqlite3.connect(current)
    conn.executescript(
        schema + "INSERT INTO recipe VALUES (1, 'knead the dough'), (2, 'boil the water');"
        "INSERT INTO recipe_text (recipe_text) VALUES ('rebuild');"
    )
    conn.close()
    conn = sqlite3.connect(desired)
    conn.executescript(
        schema.replace("content_rowid='id')", "content_rowid='id', tokenize='porter')")
    )
    conn.close()
    capsys.readouterr()
    code = main(
        [
            "diff",
            "--from",
            f"sqlite:///{current}",
            "--to",
            f"sqlite:///{desired}",
            "--format",
            "sql",
        ]
    )
    out = capsys.readouterr()
    assert code == 0, out.err
    assert "destructive" in out.out  # the old index's rows go
    conn = sqlite3.connect(current)
    try:
        conn.executescript(out.out)
        # porter: "kneading" finds "knead"
        found = conn.execute("SELECT rowid FROM recipe_text WHERE recipe_text MATCH 'kneading'")
        assert found.fetchall() == [(1,)]
    finally:
        conn.close()
    assert facts(current) == facts(desired)


def test_a_foreign_key_added_by_a_rebuild_is_checked_against_the_rows(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    old = """
        CREATE TABLE team (id INTEGER PRIMARY KEY);
        CREATE TABLE player (id INTEGER PRIMARY KEY, team INTEGER);
    """
    current, desired = tmp_path / "current.db", tmp_path / "desired.db"
    conn = sqlite3.connect(current)
    conn.executescript(old + "INSERT INTO team VALUES (1); INSERT INTO player VALUES (1, 1);")
    conn.close()
    conn = sqlite3.connect(desired)
    conn.executescript(old.replace("team INTEGER)", "team INTEGER REFERENCES team (id))"))
    conn.close()
    capsys.readouterr()
    args = ["diff", "--from", f"sqlite:///{current}", "--to", f"sqlite:///{desired}"]
    assert main([*args, "--format", "sql"]) == 0
    plan = capsys.readouterr().out
    conn = sqlite3.connect(current)
    try:
        conn.execute("INSERT INTO player VALUES (2, 7)")  # team 7 does not exist
        conn.commit()
        with pytest.raises(sqlite3.IntegrityError, match="player: rows whose foreign key"):
            conn.executescript("BEGIN;\n" + plan + "\nCOMMIT;")
        conn.rollback()
        conn.execute("DELETE FROM player WHERE id = 2")
        conn.commit()
        conn.executescript(plan)
    finally:
        conn.close()
    assert facts(current) == facts(desired)
