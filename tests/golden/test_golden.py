"""Golden SQL: each sample operation rendered for each dialect, kept as reviewable files.

A renderer change shows up as a diff of ``tests/golden/<dialect>/<kind>.sql``. After an
intended change, regenerate with ``DBSHIFT_UPDATE_GOLDEN=1 pytest tests/golden``.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from dbshift.dialects import renderer_for
from dbshift.errors import Unsupported
from tests.ops.samples import SAMPLES, before

HERE = Path(__file__).parent
UPDATE = os.environ.get("DBSHIFT_UPDATE_GOLDEN") == "1"


def rendered(dialect: str, kind: str) -> str:
    try:
        statements = renderer_for(dialect).render([SAMPLES[kind]], before(kind))
    except Unsupported as exc:
        return f"-- unsupported: {exc}\n"
    return "".join(f"{sql};\n" for sql in statements) or "-- (nothing to do)\n"


@pytest.mark.parametrize("dialect", ["postgresql", "mysql", "sqlite"])
@pytest.mark.parametrize("kind", sorted(SAMPLES))
def test_rendered_sql_matches_golden_file(dialect: str, kind: str) -> None:
    path = HERE / dialect / f"{kind}.sql"
    text = rendered(dialect, kind)
    if UPDATE:
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"{path} missing: run with DBSHIFT_UPDATE_GOLDEN=1"
    assert text == path.read_text(encoding="utf-8")
