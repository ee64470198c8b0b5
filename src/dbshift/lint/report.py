"""Lint output: text for people, JSON for scripts, GitHub annotations, SARIF for code
scanning. Pure functions from a report to a string."""

from __future__ import annotations

import json
from collections.abc import Sequence

from dbshift import __version__
from dbshift.lint.engine import Report
from dbshift.lint.rule import Rule, Severity

_GITHUB = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.NOTICE: "notice"}
_SARIF = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.NOTICE: "note"}


def text(report: Report) -> str:
    lines = []
    for f in report.findings:
        lines.append(f"{f.path}:{f.line}: {f.severity} [{f.rule}] {f.message}")
        if f.why:
            lines.append(f"    why: {f.why}")
        if f.fix:
            lines.append(f"    fix: {f.fix}")
    counts = {s: sum(1 for f in report.findings if f.severity is s) for s in Severity}
    summary = ", ".join(
        f"{counts[s]} {s}{'s' if counts[s] != 1 else ''}" for s in reversed(Severity)
    )
    files = f"{report.files} file{'s' if report.files != 1 else ''}"
    stmts = f"{report.statements} statement{'s' if report.statements != 1 else ''}"
    lines.append(f"{files}, {stmts}: {summary}")
    return "\n".join(lines)


def as_json(report: Report) -> str:
    return json.dumps(
        {
            "files": report.files,
            "statements": report.statements,
            "findings": [f.as_dict() for f in report.findings],
        },
        indent=2,
    )


def github(report: Report) -> str:
    """GitHub Actions workflow commands: annotations on the pull request's diff."""
    out = []
    for f in report.findings:
        parts = (
            [f.message + "."]
            + ([f.why + "."] if f.why else [])
            + ([f"Fix: {f.fix}"] if f.fix else [])
        )
        body = " ".join(parts).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
        out.append(f"::{_GITHUB[f.severity]} file={f.path},line={f.line},title={f.rule}::{body}")
    return "\n".join(out)


def sarif(report: Report, rules: Sequence[Rule]) -> str:
    """SARIF 2.1.0, the format GitHub code scanning and most CI dashboards read."""
    used = sorted({f.rule for f in report.findings})
    described = {r.id: r for r in rules}
    rule_entries = [
        {
            "id": rule_id,
            "shortDescription": {
                "text": described[rule_id].summary if rule_id in described else rule_id
            },
            "helpUri": f"docs/rules.md#{rule_id}",
        }
        for rule_id in used
    ]
    results = [
        {
            "ruleId": f.rule,
            "level": _SARIF[f.severity],
            "message": {"text": " ".join(p for p in (f.message + ".", f.why, f.fix) if p)},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": f.path},
                        "region": {"startLine": f.line},
                    }
                }
            ],
        }
        for f in report.findings
    ]
    doc = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {"name": "dbshift", "version": __version__, "rules": rule_entries}
                },
                "results": results,
            }
        ],
    }
    return json.dumps(doc, indent=2)
