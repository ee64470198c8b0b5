"""dbshift.sum: a hash chain, so concurrent additions conflict and edits are named."""

from __future__ import annotations

from pathlib import Path

from dbshift.migrations import loader, sumfile


def make(tmp_path: Path, files: dict[str, str]) -> list[loader.MigrationFile]:
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    return loader.scan(tmp_path)


def test_sum_round_trips_and_detects_an_edit(tmp_path: Path) -> None:
    files = make(
        tmp_path, {"1_a.sql": "-- dbshift:up\nSELECT 1;\n", "2_b.sql": "-- dbshift:up\nSELECT 2;\n"}
    )
    sumfile.write(tmp_path, files)
    assert sumfile.check(tmp_path, files) is None
    edited = make(tmp_path, {"1_a.sql": "-- dbshift:up\nSELECT 10;\n"})
    problem = sumfile.check(tmp_path, edited)
    assert problem is not None and "1_a.sql was edited" in problem.message


def test_line_endings_do_not_change_the_sum(tmp_path: Path) -> None:
    files = make(tmp_path, {"1_a.sql": "-- dbshift:up\nSELECT 1;\n"})
    sumfile.write(tmp_path, files)
    crlf = make(tmp_path, {"1_a.sql": "-- dbshift:up\r\nSELECT 1;\r\n"})
    assert sumfile.check(tmp_path, crlf) is None


def test_two_branches_adding_different_files_produce_different_headers(tmp_path: Path) -> None:
    base = {"1_a.sql": "-- dbshift:up\nSELECT 1;\n"}
    left = tmp_path / "left"
    right = tmp_path / "right"
    left.mkdir()
    right.mkdir()
    text_left = sumfile.compute(make(left, {**base, "2_x.sql": "-- dbshift:up\nSELECT 2;\n"}))
    text_right = sumfile.compute(make(right, {**base, "2_y.sql": "-- dbshift:up\nSELECT 3;\n"}))
    assert text_left.splitlines()[0] != text_right.splitlines()[0]  # git sees both edit line 1
    assert text_left.splitlines()[1] == text_right.splitlines()[1]  # shared history agrees


def test_missing_sum_file_is_reported(tmp_path: Path) -> None:
    problem = sumfile.check(tmp_path, make(tmp_path, {"1_a.sql": "-- dbshift:up\nSELECT 1;\n"}))
    assert problem is not None and "run 'dbshift hash'" in problem.message
