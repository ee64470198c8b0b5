"""PostgreSQL functions whose value differs per row: the one list ``AddColumn``'s safety,
``diff``'s safe forms and the linter's parser all read (``PostgresDialect.volatile_functions``).

PostgreSQL 11+ stores a non-volatile column default in the catalog (the "fast default");
a volatile one is evaluated for, and written into, every existing row under ACCESS
EXCLUSIVE. Only calls by these names are recognised: a user function dbshift cannot see
inside is assumed stable.
"""

from __future__ import annotations

VOLATILE_FUNCTIONS = frozenset(
    {
        "random",
        "clock_timestamp",
        "timeofday",
        "gen_random_uuid",
        "uuid_generate_v1",
        "uuid_generate_v1mc",
        "uuid_generate_v4",
        "nextval",
        "txid_current",
        "setseed",
    }
)
