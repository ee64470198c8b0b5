"""Driving the harness: SQL on each backend's own driver, and the public CLI (``dbshift
online …`` in a subprocess, as a user runs it)."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from tests.conftest import Project
from tests.online.harness.connect import mysql_connect, pg_connect


def execute(backend: str, url: str, statements: list[str]) -> None:
    if backend == "postgresql":
        with pg_connect(url) as conn:
            for sql in statements:
                conn.execute(sql)  # type: ignore[arg-type]
    elif backend == "mysql":
        with mysql_connect(url) as conn:
            cur = conn.cursor()
            for sql in statements:
                cur.execute(sql)
    else:
        conn = sqlite3.connect(url.removeprefix("sqlite:///"))
        try:
            for sql in statements:
                conn.execute(sql)
            conn.commit()
        finally:
            conn.close()


def query(backend: str, url: str, sql: str) -> list[tuple[Any, ...]]:
    if backend == "postgresql":
        with pg_connect(url) as conn:
            return [tuple(r) for r in conn.execute(sql).fetchall()]  # type: ignore[arg-type]
    if backend == "mysql":
        with mysql_connect(url) as conn:
            cur = conn.cursor()
            cur.execute(sql)
            return [tuple(r) for r in cur.fetchall()]
    conn = sqlite3.connect(url.removeprefix("sqlite:///"))
    try:
        return [tuple(r) for r in conn.execute(sql).fetchall()]
    finally:
        conn.close()


def cli(project: Project, *args: str) -> dict[str, Any]:
    result = project.run("--format", "json", "online", *args)
    assert result.code == 0, (args, result.err)
    doc: dict[str, Any] = json.loads(result.out)
    return doc


def refused(project: Project, *args: str) -> str:
    result = project.run("online", *args)
    assert result.code != 0, (args, result.out)
    lines = result.err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.err, result.err
    return lines[0]


def status(project: Project) -> list[dict[str, Any]]:
    result = project.run("--format", "json", "online", "status")
    assert result.code == 0, result.err
    entries: list[dict[str, Any]] = json.loads(result.out)
    return entries
