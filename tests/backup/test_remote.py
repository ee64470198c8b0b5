"""backup_dir as an fsspec URL: backups uploaded whole (manifest last), listed, verified
by their checksums after download, restored and pruned; a clear one-line error when
fsspec is not installed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dbshift.backup import manifest as mf
from dbshift.backup.remote import RemoteStore
from dbshift.errors import ValidationFailed
from tests.backup import judge
from tests.backup.test_restore import backup_id, create, fill
from tests.conftest import Database, Project


def test_backups_in_a_file_url_restore_verify_and_prune(db: Database, tmp_path: Path) -> None:
    remote = tmp_path / "bucket" / "backups"
    (tmp_path / "dbshift.toml").write_text(f'backup_dir = "file://{remote}"\n')
    project = Project(tmp_path, db.url)
    project.write("1_create.sql", create(db.backend))
    assert project.run("migrate").code == 0
    fill(db, users=30, orders=60)
    before = judge.data(db)
    taken = project.run("backup")
    assert taken.code == 0, taken.err
    first = backup_id(taken.out)
    assert f"file://{remote}/{first}" in taken.out
    assert (remote / first / "manifest.json").is_file()
    assert not (tmp_path / ".dbshift").exists()  # nothing went to the local default

    (entry,) = json.loads(project.run("backups", "--format", "json", url=False).out)
    assert entry["id"] == first and entry["directory"] == f"file://{remote}/{first}"

    with db.begin() as conn:
        conn.exec_driver_sql("DELETE FROM orders WHERE id > 7")
    restored = project.run("restore", first)
    assert restored.code == 0, restored.err
    assert judge.data(db) == before

    # a flipped byte in the stored dump is found before the database is touched
    dump = next(p for p in (remote / first).rglob("*") if p.is_file() and p.suffix != ".json")
    raw = bytearray(dump.read_bytes())
    raw[len(raw) // 2] ^= 0xFF
    dump.write_bytes(bytes(raw))
    refused = project.run("restore", first)
    assert refused.code == 1 and "corrupted: sha256 does not match" in refused.err
    verify = project.run("backups", "verify", first, url=False)
    assert verify.code == 1 and "corrupted" in verify.err

    second = backup_id(project.run("backup").out)
    pruned = project.run("backups", "prune", "--keep", "1", url=False)
    assert pruned.code == 0, pruned.err
    assert [
        e["id"] for e in json.loads(project.run("backups", "--format", "json", url=False).out)
    ] == [second]
    assert not (remote / first).exists()


def _staged(tmp_path: Path, backup_id: str) -> tuple[Path, mf.Manifest]:
    staging = tmp_path / backup_id
    staging.mkdir()
    (staging / "dump.sql").write_bytes(b"CREATE TABLE t (id int);\n")
    manifest = mf.Manifest(
        id=backup_id,
        created_at="2026-12-06T17:00:00+00:00",
        dbshift_version="0",
        backend="sqlite",
        server_version="3",
        database="x",
        url="sqlite:///x",
        scope="full",
        reason="test",
        history_version="",
        applied_versions=(),
        history_tables=(),
        tool="test",
        tables=(mf.TableEntry("t", 0),),
        files=(mf.file_entry(staging, staging / "dump.sql"),),
    )
    return staging, manifest


def test_memory_url_store_lists_only_complete_backups_and_checks_sums(tmp_path: Path) -> None:
    store = RemoteStore(f"memory://dbshift-test-{tmp_path.name}/backups")
    for ident in ("20261206-170000-0001", "20261206-170001-0001"):
        staging, manifest = _staged(tmp_path, ident)
        store.commit(staging, manifest)
        assert not staging.exists()  # the local staging copy is gone once uploaded
    # an upload that died before its manifest: not a backup
    store.fs.pipe_file(store._at("20261206-170002-0001", "dump.sql"), b"half")
    assert [e.id for e in store.entries()] == ["20261206-170000-0001", "20261206-170001-0001"]

    entry = store.find("latest")
    store.verify(entry)
    store.fs.pipe_file(store._at(entry.id, "dump.sql"), b"CREATE TABLE t (id int);\n".upper())
    with pytest.raises(ValidationFailed, match="corrupted: sha256 does not match"):
        store.verify(entry)

    manifest_path = store._at(entry.id, "manifest.json")
    store.fs.pipe_file(manifest_path, store.fs.cat_file(manifest_path).replace(b'"t"', b'"u"'))
    (damaged,) = [e for e in store.entries() if e.id == entry.id]
    assert damaged.manifest is None and "manifest checksum mismatch" in (damaged.problem or "")

    assert store.prune(keep=1, keep_days=None) == ["20261206-170000-0001"]
    assert not store.fs.exists(store._at("20261206-170000-0001"))


def test_url_without_fsspec_is_one_line_naming_the_extra(
    sqlite_db: Database, tmp_path: Path
) -> None:
    hide = tmp_path / "hide"
    hide.mkdir()
    (hide / "fsspec.py").write_text("raise ImportError('fsspec is not installed')\n")
    (tmp_path / "dbshift.toml").write_text('backup_dir = "s3://bucket/prefix"\n')
    project = Project(tmp_path, sqlite_db.url)
    result = project.run("backups", url=False, env={"PYTHONPATH": str(hide)})
    assert result.code == 2, result.err
    assert "needs fsspec; install the extra: pip install 'dbshift[s3]'" in result.err
    assert len(result.err.strip().splitlines()) == 1
