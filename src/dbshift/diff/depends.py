"""Views, routines and triggers in the order their dependencies need.

Each object names what it uses (``depends_on``: pg_depend on PostgreSQL). An object built
by hand or inspected where the catalog keeps no such record (MySQL, SQLite) has none; its
definition is searched for the names of the others instead (as a word, or quoted), where a
false match costs only a needless recreate or a harmless order.

The differ drops dependants before what they use and creates them after; anything whose
dependency is dropped, recreated or changed under it is recreated too (PostgreSQL refuses
``DROP VIEW v`` while another view reads ``v``, and a view over a column whose type
changes).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping

from dbshift.frozen import frozen
from dbshift.model import Routine, View
from dbshift.model.depends import TABLE, TRIGGER, ident, routine_ident, view_ident

Late = View | Routine


def key_of(obj: Late) -> str:
    return view_ident(obj) if isinstance(obj, View) else routine_ident(obj)


@frozen
class Graph:
    """The objects of one schema and what each uses (idents; tables included as leaves)."""

    objects: Mapping[str, Late]
    uses: Mapping[str, frozenset[str]]

    def dependants(self, roots: Collection[str]) -> set[str]:
        """Every object that uses one of ``roots``, directly or through others."""
        users: dict[str, set[str]] = {}
        for k, used in self.uses.items():
            for u in used:
                users.setdefault(u, set()).add(k)
        out: set[str] = set()
        todo = list(roots)
        while todo:
            for user in users.get(todo.pop(), ()):
                if user not in out:
                    out.add(user)
                    todo.append(user)
        return out

    def ordered(self, keys: Iterable[str]) -> list[str]:
        """``keys`` with each after whatever of them it uses (ties: by kind, then name); a
        cycle (not possible on a server) falls back to that order."""
        wanted = set(keys)
        done: set[str] = set()
        out: list[str] = []

        def visit(k: str, path: set[str]) -> None:
            if k in done or k in path:
                return
            path.add(k)
            for dep in sorted(self.uses.get(k, frozenset()) & wanted):
                visit(dep, path)
            path.discard(k)
            done.add(k)
            out.append(k)

        for k in sorted(wanted, key=_tie):
            visit(k, set())
        return out


def _tie(k: str) -> tuple[bool, str]:
    # Triggers last among equals: they hang on views and call functions.
    return (k.startswith("trigger:"), k)


#: ``FOR EACH ROW FOLLOWS `other``` in a MySQL/MariaDB trigger's definition.
_FOLLOWS = re.compile(r"\bFOR EACH ROW FOLLOWS `((?:[^`]|``)+)`")


def graph(objects: Iterable[Late], tables: Iterable[tuple[str | None, str]]) -> Graph:
    by_key = {key_of(o): o for o in objects}
    uses: dict[str, frozenset[str]] = {}
    guess: list[str] = []
    for k, o in by_key.items():
        declared = set(o.depends_on)
        if isinstance(o, Routine) and o.kind == "trigger":
            # A trigger always hangs on its table or view (pg_depend has it too).
            on = o.table or ""
            declared.add(ident(TABLE, o.schema, on))
            declared.add(ident("view", o.schema, on))
            # MySQL/MariaDB: one that runs after another on the same event names it.
            follows = _FOLLOWS.search(o.definition)
            if follows is not None:
                declared.add(ident(TRIGGER, o.schema, follows[1].replace("``", "`"), on))
        uses[k] = frozenset(declared)
        if not o.depends_on:
            guess.append(k)
    if guess:
        names = _names(by_key, tables)
        if names:
            pattern = _pattern(names)
            for k in guess:
                text = by_key[k].definition
                found = {m.lower() for m in _matches(pattern, text)}
                uses[k] = uses[k] | {i for n in found for i in names.get(n, ()) if i != k}
    return Graph(by_key, uses)


def _names(
    by_key: Mapping[str, Late], tables: Iterable[tuple[str | None, str]]
) -> dict[str, set[str]]:
    names: dict[str, set[str]] = {}
    for k, o in by_key.items():
        if isinstance(o, Routine) and o.kind == "trigger":
            continue  # nothing calls a trigger
        names.setdefault(o.name.lower(), set()).add(k)
    for schema, name in tables:
        names.setdefault(name.lower(), set()).add(ident(TABLE, schema, name))
    return names


def _pattern(names: Mapping[str, set[str]]) -> re.Pattern[str]:
    alternatives = sorted(names, key=len, reverse=True)
    body = "|".join(re.escape(n) for n in alternatives)
    return re.compile(
        r'"((?:[^"]|"")*)"|`((?:[^`]|``)*)`|(?<![\w$])(' + body + r")(?![\w$])", re.IGNORECASE
    )


def _matches(pattern: re.Pattern[str], text: str) -> Iterable[str]:
    for m in pattern.finditer(text):
        if m.group(1) is not None:
            yield m.group(1).replace('""', '"')
        elif m.group(2) is not None:
            yield m.group(2).replace("``", "`")
        else:
            yield m.group(3)
