"""``-- dbshift:depends-on V``: ordering that must hold across branches.

Versions already order migrations; a dependency makes an order the author checked
explicit, so a renumbering (``dbshift rebase``) or an out-of-order run cannot apply a
migration before what it needs.
"""

from __future__ import annotations

from dbshift.migrations import loader
from dbshift.migrations.model import Migration
from dbshift.runner.executor import display_path
from dbshift.runner.plan import Analysis


def problems(migrations: list[Migration], analysis: Analysis) -> list[str]:
    """Dependencies that name no migration, sort after their dependant, or were skipped."""
    numbers = {m.number for m in migrations}
    applied = {row.number for row in analysis.applied}
    found = []
    for migration in migrations:
        for version in loader.resolve(migration).headers.depends_on:
            number = int(version)
            where = display_path(migration.path)
            if number not in numbers and number not in applied:
                found.append(f"{where}: depends on {version}, which is no migration")
            elif number >= migration.number:
                found.append(
                    f"{where}: depends on {version}, which sorts after it (it would run "
                    f"first); 'dbshift rebase {migration.version}' moves it after {version}"
                )
            elif migration.number in applied and number not in applied:
                found.append(f"{where}: applied, but its dependency {version} is not")
    return found


def unmet(todo: list[Migration], analysis: Analysis) -> list[str]:
    """For ``migrate``: migrations about to run before something they depend on."""
    done = {row.number for row in analysis.applied}
    found = []
    for migration in todo:
        for version in loader.resolve(migration).headers.depends_on:
            if int(version) not in done:
                found.append(
                    f"{display_path(migration.path)}: depends on {version}, which is not "
                    "applied before it"
                )
        done.add(migration.number)
    return found
