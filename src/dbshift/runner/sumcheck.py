"""When ``dbshift.sum`` disagrees with the files: refuse, or re-hash with a notice.

The sum file exists so that an unnoticed edit or a merge of two branches' migrations stops
a migrate. That guard matters where a database is shared (CI, staging, production); on a
developer's own database, editing a migration that has not run yet is the normal loop, and
having to run ``dbshift hash`` before every ``migrate`` is friction without protection. So,
as Atlas does, a lenient run re-hashes when every file the mismatch is about is still
pending here, and says so; a strict run (CI, ``--env``, or ``strict_sum = true``) refuses.
Conflict markers and a missing or hand-edited sum file are refused either way.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from dbshift.config import Settings
from dbshift.migrations import loader, sumfile
from dbshift.runner.plan import Analysis


@dataclass(frozen=True)
class SumVerdict:
    """The sum file's state for this run: ``problem`` None means it vouches for the files."""

    problem: sumfile.SumProblem | None
    #: Every file the mismatch is about is unapplied here, so re-hashing hides nothing.
    pending_only: bool
    strict: bool
    reason: str

    @property
    def rehash(self) -> bool:
        """``migrate`` may rewrite the sum file and go on."""
        return self.problem is not None and self.pending_only and not self.strict

    def refusal(self) -> str:
        """The error a strict run (or a mismatch re-hashing cannot fix) stops with."""
        assert self.problem is not None
        if self.problem.fatal or not self.pending_only:
            return self.problem.message
        return (
            f"{self.problem.message.removesuffix(sumfile.HASH_HINT)}. The edit is to migration(s) not applied here yet; "
            "dbshift.sum makes unnoticed edits and merged branches stop a migrate, and this "
            f"run is strict about it ({self.reason}). Run 'dbshift hash' to accept the edit "
            "(and commit dbshift.sum), or set strict_sum = false for local environments"
        )

    def notice(self, *, done: bool) -> str:
        """What a lenient run says when it re-hashes (or, read-only, would re-hash)."""
        assert self.problem is not None
        files = ", ".join(self.problem.files) or "the files"
        did = "re-hashed" if done else "is out of date; 'dbshift migrate' will re-hash"
        return (
            f"notice: dbshift.sum {did} {files} (edited or added since the last "
            f"'dbshift hash', not applied here; strict_sum is off: {self.reason}); "
            "commit the updated dbshift.sum"
        )

    def status_line(self) -> str:
        """The line ``status`` shows, so the refusal never comes as a surprise."""
        assert self.problem is not None
        if self.rehash:
            return (
                f"{self.problem.message.removesuffix(sumfile.HASH_HINT)}; not applied here, so "
                f"'dbshift migrate' will re-hash it (strict_sum is off: {self.reason}); "
                "a strict run (CI, --env) refuses until 'dbshift hash' is run and committed"
            )
        return f"{self.refusal()}; 'dbshift migrate' will refuse until then"


def judge(settings: Settings, analysis: Analysis) -> SumVerdict:
    directory = settings.migrations_dir
    problem = sumfile.check(directory, loader.scan(directory))
    pending_only = problem is not None and not problem.fatal and _all_unapplied(problem, analysis)
    return SumVerdict(
        problem=problem,
        pending_only=pending_only,
        strict=settings.strict_sum,
        reason=settings.strict_sum_reason,
    )


def rehash(settings: Settings) -> Path:
    directory = settings.migrations_dir
    return sumfile.write(directory, loader.scan(directory))


def _all_unapplied(problem: sumfile.SumProblem, analysis: Analysis) -> bool:
    recorded = {row.number for row in (*analysis.applied, *analysis.unfinished)}
    floor = analysis.baseline.number if analysis.baseline else -1
    for name in problem.files:
        version = name.partition("_")[0]
        if not version.isdigit():
            return False
        number = int(version)
        if number in recorded or number <= floor:
            return False
    return True
