"""docs/rules.md, generated from the rule registry so the reference cannot drift from the
code: each rule's section is its module docstring, and the coverage table comes from the
peer ids every rule declares. ``tests/lint/test_docs.py`` fails when the file is stale;
``DBSHIFT_UPDATE_GOLDEN=1`` rewrites it."""

from __future__ import annotations

import inspect
import sys
from collections.abc import Sequence

from dbshift.lint.rule import Rule

_HEADER = """# Lint rules

`dbshift lint` checks SQL migrations before they run. Each rule has a stable id, a severity
(only `error` makes `dbshift lint` exit 1), the dialects it judges, and in every finding the
statement's file:line, why the statement is dangerous on that server, and the safe form.

Suppress one finding with a comment on the line before the statement (a reason is required):

```sql
-- dbshift:ignore drop-table replaced by orders_v2 in release 41; backed up to s3
DROP TABLE orders;
```

Choose rules in `dbshift.toml` (`[lint]` with `select = [...]`, `ignore = [...]`, and
`server = "mariadb-10.11"` for version-dependent rules), or with `--select`, `--ignore` and
`--server` on the command line. Statements on a table created earlier in the same file are
not reported for locks or rewrites: the table has no rows and no traffic yet.

This file is generated from the rule modules (`src/dbshift/lint/rules/`); edit those.
"""


def rules_markdown(rules: Sequence[Rule]) -> str:
    ordered = sorted(rules, key=lambda r: r.id)
    out = [_HEADER, "## Coverage against peer tools", ""]
    out.append(
        "| dbshift rule | severity | dialects | squawk | strong_migrations | Atlas | eugene |"
    )
    out.append("|---|---|---|---|---|---|---|")
    for rule in ordered:
        cells = [
            f"[{rule.id}](#{rule.id})",
            str(rule.severity),
            ", ".join(rule.dialect_names()),
            *(_ids(ids) for ids in (rule.squawk, rule.strong_migrations, rule.atlas, rule.eugene)),
        ]
        out.append("| " + " | ".join(cells) + " |")
    out.append("")
    for rule in ordered:
        out.append(f"## {rule.id}")
        out.append("")
        out.append(f"*{rule.severity}* · {', '.join(rule.dialect_names())} · {rule.summary}")
        out.append("")
        doc = inspect.getdoc(sys.modules[type(rule).__module__]) or ""
        out.append(doc)
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def _ids(ids: tuple[str, ...]) -> str:
    return ", ".join(f"`{i}`" for i in ids) if ids else "—"
