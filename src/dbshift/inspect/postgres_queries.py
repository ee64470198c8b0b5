"""The catalog queries behind ``inspect_postgres``: one per kind of object, whole schema at once.

Every query takes the namespace oid as ``:ns`` and returns rows for the whole schema, so the
number of round trips is fixed however many tables there are. Names are only ever bound or
read back from the catalog, never spliced into SQL. Needs PostgreSQL 12+ (``attgenerated``);
NULLS NOT DISTINCT is read on 15+ only.
"""

from __future__ import annotations

NAMESPACE = """
SELECT n.oid, current_setting('server_version_num')::int, current_setting('search_path'),
       current_setting('jit')
FROM pg_namespace n
WHERE n.nspname = coalesce(CAST(:schema AS text), current_schema())
"""

#: format_type(), pg_get_expr() and friends qualify names that are not on the search path,
#: so it is pinned to the inspected schema: its objects print bare, everything else qualified.
#: JIT is turned off: on a big catalog these joins are estimated past jit_above_cost, and
#: compiling them took longer than running them (15-20 ms a query at 1,000 tables, PG 15).
SET_SESSION = """
SELECT set_config('search_path', quote_ident(n.nspname), false), set_config('jit', 'off', false)
FROM pg_namespace n WHERE n.oid = CAST(:ns AS oid)
"""

#: SET_SESSION for one schema of a realm: the catalog's text is spelled relative to the
#: realm's default schema instead (its objects print bare, the other schemas' qualified).
SET_SESSION_PATH = """
SELECT set_config('search_path', quote_ident(CAST(:path AS text)), false),
       set_config('jit', 'off', false)
"""

RESTORE_SESSION = """
SELECT set_config('search_path', CAST(:path AS text), false),
       set_config('jit', CAST(:jit AS text), false)
"""

#: A collation (``co``) as the model keeps it: its bare name when the session's search_path
#: finds it (pg_catalog, or the schema the text is spelled relative to: the inspected one,
#: or a realm's default schema), else qualified, each part quoted (``"ext"."ci"``, see
#: ``PostgresRenderer.collate``): read bare, a collation of another schema was created
#: against one of that name in the migrated schema, or none at all. Visibility, not the
#: inspected schema: in a realm, a domain beside its collation in a schema other than the
#: default one was written bare and ran against the default schema ("does not exist").
_COLLATION = """CASE WHEN pg_collation_is_visible(co.oid)
     THEN co.collname::text
     ELSE (SELECT '"' || replace(n.nspname, '"', '""') || '"."' || replace(co.collname, '"', '""')
                  || '"' FROM pg_namespace n WHERE n.oid = co.collnamespace) END"""

#: The same as SQL text, for definitions kept whole (domains, composite types).
_COLLATION_SQL = """CASE WHEN pg_collation_is_visible(co.oid)
     THEN quote_ident(co.collname)
     ELSE (SELECT quote_ident(n.nspname) || '.' || quote_ident(co.collname)
           FROM pg_namespace n WHERE n.oid = co.collnamespace) END"""

#: A partitioned table (relkind 'p') carries its partition key (pg_get_partkeydef, PostgreSQL
#: 10+); a partition, its parent and bound (pg_get_expr(relpartbound)). A partition's
#: columns are its parent's (its attributes are read only to name its own keys and
#: indexes); the keys and indexes it has from its parent are the server's clones
#: (CONSTRAINTS reads conparentid = 0 and local checks only, INDEX_COLUMNS indexes that
#: are no partition of a parent's index); partitions of a parent in another schema are
#: left out here and refused by ``UNSUPPORTED``. A sequence's owner is looked up for sequences only, and ownership by
#: an extension only if an extension owns any relation: joined for every relation, each
#: was probed for all of them (10,000 tables: 155 ms).
RELATIONS = """
SELECT c.oid, c.relname, c.relkind, d.description,
       CASE WHEN c.relkind IN ('v', 'm') THEN pg_get_viewdef(c.oid, true) END,
       CASE WHEN c.relkind = 'p' THEN pg_get_partkeydef(c.oid) END,
       parent.relname, CASE WHEN c.relispartition THEN pg_get_expr(c.relpartbound, c.oid) END,
       format_type(s.seqtypid, NULL), s.seqstart, s.seqincrement, s.seqmin, s.seqmax,
       s.seqcycle, s.seqcache, dep.deptype, dep.relname, dep.attname
FROM pg_class c
LEFT JOIN pg_description d
       ON d.objoid = c.oid AND d.classoid = 'pg_class'::regclass AND d.objsubid = 0
LEFT JOIN pg_sequence s ON s.seqrelid = c.oid
LEFT JOIN LATERAL (
    SELECT dep.deptype, owner.relname, owner_col.attname
    FROM pg_depend dep
    LEFT JOIN pg_class owner ON owner.oid = dep.refobjid
    LEFT JOIN pg_attribute owner_col
           ON owner_col.attrelid = dep.refobjid AND owner_col.attnum = dep.refobjsubid
    WHERE c.relkind = 'S' AND dep.classid = 'pg_class'::regclass AND dep.objid = c.oid
      AND dep.refclassid = 'pg_class'::regclass AND dep.deptype IN ('a', 'i')
) dep ON true
LEFT JOIN pg_inherits inh ON c.relispartition AND inh.inhrelid = c.oid
LEFT JOIN pg_class parent ON parent.oid = inh.inhparent
WHERE c.relnamespace = CAST(:ns AS oid) AND c.relkind IN ('r', 'p', 'v', 'm', 'S')
  AND (NOT c.relispartition OR parent.relnamespace = CAST(:ns AS oid))
  AND (NOT (SELECT EXISTS (  -- no extension owns a relation: nothing to look up per row
           SELECT 1 FROM pg_depend x
           WHERE x.refclassid = 'pg_extension'::regclass AND x.deptype = 'e'
             AND x.classid = 'pg_class'::regclass))
       OR NOT EXISTS (  -- created by an extension: CREATE EXTENSION owns it
           SELECT 1 FROM pg_depend e
           WHERE e.classid = 'pg_class'::regclass AND e.objid = c.oid AND e.deptype = 'e'))
"""

#: Materialized views' columns come too, unused but for naming their index columns. The
#: collation is reported only where it differs from the type's default; an identity
#: column's options (start, increment, bounds, cycle, cache) come from the sequence behind
#: it (pg_depend deptype 'i').
#: Rows are not sorted (the reader puts columns in attnum order): the catalog's statistics
#: are often stale (autovacuum off, or a schema just created), so the planner expects a
#: few rows, nests loops, and a sort of 160,000 wide rows spilled to disk (10,000 tables).
#: For the same reason defaults, identity sequences and collations are looked up only for
#: the columns that have one (``atthasdef``, ``attidentity``, a collatable type, another
#: collation than the type's) instead of joined for every column: the joins were probed
#: 160,000 times to find nothing (PG 15: 690 ms -> 320 ms).
COLUMNS = f"""
SELECT a.attrelid, a.attnum, a.attname, a.attcollation,
       format_type(a.atttypid, a.atttypmod), a.attnotnull,
       CASE WHEN a.atthasdef THEN (
            SELECT pg_get_expr(ad.adbin, ad.adrelid) FROM pg_attrdef ad
            WHERE ad.adrelid = a.attrelid AND ad.adnum = a.attnum) END,
       a.attidentity, a.attgenerated,
       CASE WHEN a.attcollation <> 0 AND a.attcollation <> (
            SELECT t.typcollation FROM pg_type t WHERE t.oid = a.atttypid) THEN (
            SELECT {_COLLATION} FROM pg_collation co WHERE co.oid = a.attcollation) END,
       CASE WHEN a.attidentity <> '' THEN (
            SELECT ARRAY[ident.seqstart, ident.seqincrement, ident.seqmin, ident.seqmax,
                         ident.seqcycle::int, ident.seqcache]
            FROM pg_depend dep JOIN pg_sequence ident ON ident.seqrelid = dep.objid
            WHERE dep.classid = 'pg_class'::regclass AND dep.refclassid = 'pg_class'::regclass
              AND dep.refobjid = a.attrelid AND dep.refobjsubid = a.attnum
              AND dep.deptype = 'i') END,
       -- the identity sequence's name where it is not the one the server would choose
       CASE WHEN a.attidentity <> '' THEN (
            SELECT nullif(s.relname::text, c.relname || '_' || a.attname || '_seq')
            FROM pg_depend dep JOIN pg_class s ON s.oid = dep.objid
            WHERE dep.classid = 'pg_class'::regclass AND dep.refclassid = 'pg_class'::regclass
              AND dep.refobjid = a.attrelid AND dep.refobjsubid = a.attnum
              AND dep.deptype = 'i') END
FROM pg_attribute a
JOIN pg_class c ON c.oid = a.attrelid
WHERE c.relnamespace = CAST(:ns AS oid) AND c.relkind IN ('r', 'p', 'm')
  AND a.attnum > 0 AND NOT a.attisdropped
"""  # noqa: S608 (constant SQL pieces, no input)

#: Column comments, apart: joined to COLUMNS, pg_description was probed once per column
#: (160,000 times for 10,000 tables) to find the few there are.
COLUMN_COMMENTS = """
SELECT d.objoid, d.objsubid, d.description
FROM pg_description d
JOIN pg_class c ON c.oid = d.objoid
WHERE d.classoid = 'pg_class'::regclass AND d.objsubid > 0
  AND c.relnamespace = CAST(:ns AS oid)
"""

#: Key columns come as attnums, named from COLUMNS; only a foreign key to a table COLUMNS
#: does not cover (another schema, a partition) has its referenced names looked up here.
#: conparentid <> 0 rows are the server's copies of a parent's constraint (partitions, and
#: the per-partition rows of a foreign key that references a partitioned table, PG 12+).
#: A check's expression is pg_get_expr(conbin): exactly pg_get_constraintdef() without
#: ``CHECK (`` … ``)`` and its NOT VALID / NO INHERIT suffixes. An exclusion constraint is
#: kept whole, as pg_get_constraintdef() prints it. A unique constraint's INCLUDE columns
#: (PostgreSQL 11+) are not in conkey: they are its index's key columns past indnkeyatts;
#: the index is looked up for unique constraints only (a join was probed for every
#: constraint), and only tables' constraints are read (the reader keeps no others): the
#: catalog's stale statistics made the server probe pg_constraint for every index too.
CONSTRAINTS = """
SELECT con.conrelid, con.conname, con.contype, con.conkey,
       con.condeferrable, con.condeferred, con.convalidated,
       CASE WHEN con.contype = 'c' THEN pg_get_expr(con.conbin, con.conrelid) END,
       ref.relname, ref.relnamespace, ref_ns.nspname, con.confrelid, con.confkey,
       CASE WHEN ref.relnamespace <> CAST(:ns AS oid) OR ref.relispartition THEN
            ARRAY(SELECT a.attname::text FROM unnest(con.confkey) WITH ORDINALITY k(num, ord)
                  JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.num
                  ORDER BY k.ord) END,
       con.confdeltype, con.confupdtype,
       CASE WHEN con.contype = 'x' THEN pg_get_constraintdef(con.oid) END,
       CASE WHEN con.contype IN ('u', 'p') THEN
            ARRAY(SELECT k.attnum
                  FROM pg_index ix, unnest(ix.indkey::int2[]) WITH ORDINALITY k(attnum, n)
                  WHERE ix.indexrelid = con.conindid AND k.n > ix.indnkeyatts ORDER BY k.n) END,
       CASE WHEN con.contype = 'u' THEN coalesce((
            SELECT {nulls_not_distinct} FROM pg_index ix WHERE ix.indexrelid = con.conindid),
            false) ELSE false END,
       con.conislocal, con.connoinherit, con.confmatchtype = 'f', {delete_set_columns}
FROM pg_constraint con
JOIN pg_class c ON c.oid = con.conrelid
LEFT JOIN pg_class ref ON ref.oid = con.confrelid
LEFT JOIN pg_namespace ref_ns ON ref_ns.oid = ref.relnamespace
WHERE c.relnamespace = CAST(:ns AS oid) AND c.relkind IN ('r', 'p')
  AND con.contype IN ('p', 'u', 'c', 'f', 'x') AND con.conparentid = 0
"""


def constraints(server_version: int) -> str:
    """CONSTRAINTS for this server: ``indnullsnotdistinct`` appeared in PostgreSQL 15."""
    flag = "ix.indnullsnotdistinct" if server_version >= 150000 else "false"
    # ON DELETE SET NULL|DEFAULT (columns) appeared in PostgreSQL 15 too.
    columns = "con.confdelsetcols" if server_version >= 150000 else "NULL::int2[]"
    return CONSTRAINTS.format(nulls_not_distinct=flag, delete_set_columns=columns)


#: One row per index column, named from COLUMNS, with its position last (the reader
#: orders them: as in COLUMNS, a server sort of 40,000 rows spilled to disk). Indexes that
#: implement a primary key, unique or exclusion constraint are the constraint's business
#: and left out: primary-key and exclusion indexes always do (indisprimary,
#: indisexclusion), so only unique ones are looked up in pg_constraint, and before their
#: columns are joined. indoption, indclass and indcollation cover the key columns only and
#: are subscripted from 0. An expression's own collation is not in the catalog; its type's
#: default stands in for it.
INDEX_COLUMNS = """
SELECT i.indrelid, i.indexrelid, ic.relname, am.amname, i.indisunique, i.indnkeyatts,
       pg_get_expr(i.indpred, i.indrelid), {nulls_not_distinct}, k.attnum,
       CASE WHEN k.attnum = 0 THEN pg_get_indexdef(i.indexrelid, k.n::int, true) END,
       i.indoption[k.n - 1], co.oid, {collation},
       CASE WHEN k.attnum = 0 THEN (
            SELECT t.typcollation FROM pg_attribute ia JOIN pg_type t ON t.oid = ia.atttypid
            WHERE ia.attrelid = i.indexrelid AND ia.attnum = k.n) END,
       CASE WHEN NOT opc.opcdefault THEN
            CASE WHEN opc.opcnamespace IN ('pg_catalog'::regnamespace, CAST(:ns AS oid))
                 THEN opc.opcname ELSE opc_ns.nspname || '.' || opc.opcname END END,
       ic.reloptions, k.n
FROM pg_index i
JOIN pg_class c ON c.oid = i.indrelid
JOIN pg_class ic ON ic.oid = i.indexrelid
JOIN pg_am am ON am.oid = ic.relam
CROSS JOIN LATERAL unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, n)
LEFT JOIN pg_collation co ON co.oid = i.indcollation[k.n - 1]
LEFT JOIN pg_opclass opc ON opc.oid = i.indclass[k.n - 1]
LEFT JOIN pg_namespace opc_ns ON opc_ns.oid = opc.opcnamespace
WHERE c.relnamespace = CAST(:ns AS oid) AND c.relkind IN ('r', 'p', 'm')
  AND NOT ic.relispartition
  AND NOT i.indisprimary AND NOT i.indisexclusion
  AND (NOT i.indisunique OR NOT EXISTS (
      SELECT 1 FROM pg_constraint con
      WHERE con.conrelid = i.indrelid AND con.conindid = i.indexrelid
        AND con.contype IN ('p', 'u', 'x')))
"""


def index_columns(server_version: int) -> str:
    """INDEX_COLUMNS for this server: ``indnullsnotdistinct`` appeared in PostgreSQL 15."""
    flag = "i.indnullsnotdistinct" if server_version >= 150000 else "false"
    return INDEX_COLUMNS.format(nulls_not_distinct=flag, collation=_COLLATION)


#: An enum may have no labels at all (``CREATE TYPE e AS ENUM ()``), hence the outer join.
ENUMS = """
SELECT t.typname,
       coalesce(array_agg(e.enumlabel::text ORDER BY e.enumsortorder)
                FILTER (WHERE e.enumlabel IS NOT NULL), '{}')
FROM pg_type t
LEFT JOIN pg_enum e ON e.enumtypid = t.oid
WHERE t.typnamespace = CAST(:ns AS oid) AND t.typtype = 'e'
  AND NOT EXISTS (  -- created by an extension: CREATE EXTENSION owns it
      SELECT 1 FROM pg_depend e
      WHERE e.classid = 'pg_type'::regclass AND e.objid = t.oid AND e.deptype = 'e')
GROUP BY t.oid, t.typname
"""

#: Domains, each as what follows ``CREATE DOMAIN name``. NOT NULL comes from typnotnull
#: (PostgreSQL 17 also records it in pg_constraint, as contype 'n'): only checks are read
#: from pg_constraint. The collation is written only where it differs from the base type's.
DOMAINS = f"""
SELECT t.typname,
       'AS ' || format_type(t.typbasetype, t.typtypmod)
       || CASE WHEN t.typcollation <> bt.typcollation
               THEN ' COLLATE ' || {_COLLATION_SQL} ELSE '' END
       || coalesce(' DEFAULT ' || t.typdefault, '')
       || CASE WHEN t.typnotnull THEN ' NOT NULL' ELSE '' END
       || coalesce((SELECT string_agg(' CONSTRAINT ' || quote_ident(dc.conname) || ' '
                                      || pg_get_constraintdef(dc.oid), '' ORDER BY dc.conname)
                    FROM pg_constraint dc
                    WHERE dc.contypid = t.oid AND dc.contype = 'c' AND dc.convalidated), ''),
       -- NOT VALID checks: CREATE DOMAIN takes no NOT VALID, ALTER DOMAIN ADD does.
       coalesce((SELECT array_agg('CONSTRAINT ' || quote_ident(dc.conname) || ' '
                                  || pg_get_constraintdef(dc.oid) ORDER BY dc.conname)
                 FROM pg_constraint dc
                 WHERE dc.contypid = t.oid AND dc.contype = 'c' AND NOT dc.convalidated),
                ARRAY[]::text[])
FROM pg_type t
JOIN pg_type bt ON bt.oid = t.typbasetype
LEFT JOIN pg_collation co ON co.oid = t.typcollation
WHERE t.typnamespace = CAST(:ns AS oid) AND t.typtype = 'd'
  AND NOT EXISTS (  -- created by an extension: CREATE EXTENSION owns it
      SELECT 1 FROM pg_depend e
      WHERE e.classid = 'pg_type'::regclass AND e.objid = t.oid AND e.deptype = 'e')
"""  # noqa: S608 (constant SQL pieces, no input)

#: Functions, procedures and aggregates. An aggregate has no pg_get_functiondef(): its
#: CREATE AGGREGATE is put together from pg_aggregate, each support function as regproc
#: prints it (bare on the pinned search_path, qualified elsewhere). Window functions
#: ('w') come from C or extensions only and are refused by ``UNSUPPORTED``.
#: pg_get_functiondef() qualifies the routine's own name whatever the search_path: the
#: reader takes the inspected schema's prefix off (a definition names objects as the rest
#: of the schema does: bare), so a schema created from it lands where it is run.
ROUTINES = """
SELECT p.proname, p.prokind,
       CASE WHEN p.prokind = 'a' THEN
            'CREATE AGGREGATE ' || quote_ident(p.proname) || '('
            || pg_get_function_arguments(p.oid)
            || ') (SFUNC = ' || a.aggtransfn::regproc::text
            || ', STYPE = ' || format_type(a.aggtranstype, NULL)
            || CASE WHEN a.aggtransspace <> 0 THEN ', SSPACE = ' || a.aggtransspace ELSE '' END
            || CASE WHEN a.aggfinalfn <> 0 THEN ', FINALFUNC = ' || a.aggfinalfn::regproc::text
                    ELSE '' END
            || CASE WHEN a.aggfinalextra THEN ', FINALFUNC_EXTRA' ELSE '' END
            || CASE WHEN a.aggfinalfn <> 0 AND a.aggfinalmodify <> 'r' THEN
                    ', FINALFUNC_MODIFY = ' || CASE a.aggfinalmodify WHEN 's' THEN 'SHAREABLE'
                                                  ELSE 'READ_WRITE' END ELSE '' END
            || CASE WHEN a.aggcombinefn <> 0 THEN ', COMBINEFUNC = '
                    || a.aggcombinefn::regproc::text ELSE '' END
            || CASE WHEN a.aggserialfn <> 0 THEN ', SERIALFUNC = '
                    || a.aggserialfn::regproc::text ELSE '' END
            || CASE WHEN a.aggdeserialfn <> 0 THEN ', DESERIALFUNC = '
                    || a.aggdeserialfn::regproc::text ELSE '' END
            || coalesce(', INITCOND = ' || quote_literal(a.agginitval), '')
            || CASE WHEN a.aggmtransfn <> 0 THEN ', MSFUNC = ' || a.aggmtransfn::regproc::text
                    || ', MINVFUNC = ' || a.aggminvtransfn::regproc::text
                    || ', MSTYPE = ' || format_type(a.aggmtranstype, NULL) ELSE '' END
            || CASE WHEN a.aggmfinalfn <> 0 THEN ', MFINALFUNC = '
                    || a.aggmfinalfn::regproc::text ELSE '' END
            || CASE WHEN a.aggmfinalextra THEN ', MFINALFUNC_EXTRA' ELSE '' END
            || coalesce(', MINITCOND = ' || quote_literal(a.aggminitval), '')
            || CASE WHEN a.aggsortop <> 0 THEN ', SORTOP = ' || a.aggsortop::regoper::text
                    ELSE '' END
            || CASE p.proparallel WHEN 's' THEN ', PARALLEL = SAFE'
                                  WHEN 'r' THEN ', PARALLEL = RESTRICTED' ELSE '' END
            || CASE WHEN a.aggkind = 'h' THEN ', HYPOTHETICAL' ELSE '' END
            || ')'
       ELSE pg_get_functiondef(p.oid) END,
       pg_get_function_identity_arguments(p.oid), quote_ident(n.nspname) || '.'
FROM pg_proc p
JOIN pg_namespace n ON n.oid = p.pronamespace
LEFT JOIN pg_aggregate a ON p.prokind = 'a' AND a.aggfnoid = p.oid
WHERE p.pronamespace = CAST(:ns AS oid) AND p.prokind IN ('f', 'p', 'a')
  AND NOT EXISTS (  -- created by an extension: CREATE EXTENSION owns it
      SELECT 1 FROM pg_depend e
      WHERE e.classid = 'pg_proc'::regclass AND e.objid = p.oid AND e.deptype = 'e')
"""

#: Internal triggers implement foreign keys and the like; they belong to those constraints.
#: They are most triggers (four per foreign key), so the others are picked out first
#: (OFFSET 0 keeps the planner from probing pg_trigger once per relation instead: 10,000
#: tables, 55 ms).
TRIGGERS = """
SELECT t.tgrelid, t.tgname, pg_get_triggerdef(t.oid, true)
FROM (SELECT oid, tgrelid, tgname FROM pg_trigger WHERE NOT tgisinternal OFFSET 0) t
JOIN pg_class c ON c.oid = t.tgrelid
WHERE c.relnamespace = CAST(:ns AS oid)
"""

#: What views, routines, triggers and types of the schema use, from pg_depend: one row per
#: edge, each end named the way ``dbshift.model.depends.ident`` names it (kind, schema —
#: NULL for the inspected one —, name, extra). A view's edges hang on its _RETURN rule; a
#: composite type's on its pg_class row; a trigger's on its table ('a') and function ('n');
#: a type that is a table's row type (SETOF t) or an array of another names that one.
#: pg_depend is scanned once (classid is not the leading key of its indexes): at 1,000
#: tables a few milliseconds.
DEPENDENCIES = """
WITH edge AS (
    SELECT d.classid, d.objid, d.refclassid, d.refobjid
    FROM pg_depend d
    WHERE (d.deptype = 'n' OR (d.deptype = 'a' AND d.classid = 'pg_trigger'::regclass))
      AND d.classid IN ('pg_rewrite'::regclass, 'pg_proc'::regclass, 'pg_trigger'::regclass,
                        'pg_type'::regclass, 'pg_class'::regclass)
      AND d.refclassid IN ('pg_class'::regclass, 'pg_proc'::regclass, 'pg_type'::regclass)
      AND d.refobjsubid >= 0
), named AS (
    SELECT
        CASE WHEN e.classid = 'pg_rewrite'::regclass THEN 'view'
             WHEN e.classid = 'pg_proc'::regclass THEN 'routine'
             WHEN e.classid = 'pg_trigger'::regclass THEN 'trigger'
             ELSE 'type' END AS kind,
        coalesce(vc.relname, p.proname, tg.tgname, ty.typname, cc.relname)::text AS name,
        CASE WHEN e.classid = 'pg_proc'::regclass THEN pg_get_function_identity_arguments(p.oid)
             WHEN e.classid = 'pg_trigger'::regclass THEN tc.relname::text
             ELSE '' END AS extra,
        coalesce(vc.relnamespace, p.pronamespace, tc.relnamespace, ty.typnamespace,
                 cc.relnamespace) AS ns,
        coalesce(vc.oid, p.oid, tg.oid, ty.oid, cc.oid) AS self_oid,
        e.refclassid, e.refobjid
    FROM edge e
    LEFT JOIN pg_rewrite r ON e.classid = 'pg_rewrite'::regclass AND r.oid = e.objid
    LEFT JOIN pg_class vc ON vc.oid = r.ev_class
    LEFT JOIN pg_proc p ON e.classid = 'pg_proc'::regclass AND p.oid = e.objid
    LEFT JOIN pg_trigger tg ON e.classid = 'pg_trigger'::regclass AND tg.oid = e.objid
                           AND NOT tg.tgisinternal
    LEFT JOIN pg_class tc ON tc.oid = tg.tgrelid
    LEFT JOIN pg_type ty ON e.classid = 'pg_type'::regclass AND ty.oid = e.objid
    LEFT JOIN pg_class cc ON e.classid = 'pg_class'::regclass AND cc.oid = e.objid
                         AND cc.relkind = 'c'
), referenced AS (
    SELECT n.kind, n.name, n.extra, n.self_oid,
           coalesce(rel.oid, rp.oid, rt.oid) AS ref_oid,
           CASE WHEN rp.oid IS NOT NULL THEN 'routine'
                WHEN rel.relkind IN ('r', 'p', 'f') THEN 'table'
                WHEN rel.relkind IN ('v', 'm') THEN 'view'
                WHEN rel.relkind = 'c' OR rt.oid IS NOT NULL THEN 'type' END AS ref_kind,
           coalesce(rel.relnamespace, rp.pronamespace, rt.typnamespace) AS ref_ns,
           coalesce(rel.relname, rp.proname, rt.typname)::text AS ref_name,
           CASE WHEN rp.oid IS NOT NULL THEN pg_get_function_identity_arguments(rp.oid)
                ELSE '' END AS ref_extra
    FROM named n
    LEFT JOIN pg_type t0 ON n.refclassid = 'pg_type'::regclass AND t0.oid = n.refobjid
    LEFT JOIN pg_type t1 ON t1.oid = CASE WHEN t0.typcategory = 'A' AND t0.typelem <> 0
                                          THEN t0.typelem ELSE t0.oid END
    LEFT JOIN pg_class rel ON rel.oid = CASE
        WHEN n.refclassid = 'pg_class'::regclass THEN n.refobjid ELSE t1.typrelid END
        AND rel.relkind IN ('r', 'p', 'f', 'v', 'm', 'c')
    LEFT JOIN pg_proc rp ON n.refclassid = 'pg_proc'::regclass AND rp.oid = n.refobjid
    LEFT JOIN pg_type rt ON rel.oid IS NULL AND rt.oid = t1.oid AND t1.typtype IN ('e', 'd', 'c')
    WHERE n.ns = CAST(:ns AS oid) AND n.name IS NOT NULL
)
SELECT DISTINCT kind, name, extra,
       CASE WHEN ref_ns = CAST(:ns AS oid) THEN NULL ELSE
            (SELECT nspname::text FROM pg_namespace WHERE oid = ref_ns) END,
       ref_kind, ref_name, ref_extra
FROM referenced
WHERE ref_kind IS NOT NULL AND ref_oid <> self_oid
  AND ref_ns NOT IN ('pg_catalog'::regnamespace, 'information_schema'::regnamespace)
"""

#: What the catalog can hold that the model does not: one row per object, (what, name).
#: The reader refuses the schema by name rather than leave them out of a diff (a partition's
#: columns and triggers are its parent's in the model: one it has of its own is refused). Objects an
#: extension created are the extension's (CREATE EXTENSION makes them again) and skipped.
#: Event triggers and rules on the inspected schema's relations are looked at; the rest
#: are the schema's own objects.
UNSUPPORTED = """
WITH ext AS (
    SELECT classid, objid FROM pg_depend WHERE deptype = 'e'
)
SELECT 'event triggers', evtname::text FROM pg_event_trigger
WHERE (pg_event_trigger.tableoid, pg_event_trigger.oid) NOT IN (SELECT * FROM ext)
UNION ALL
-- database-wide like event triggers, and printed by pg_dump --schema-only
SELECT 'foreign servers', srvname::text FROM pg_foreign_server
WHERE (pg_foreign_server.tableoid, pg_foreign_server.oid) NOT IN (SELECT * FROM ext)
UNION ALL
SELECT 'foreign-data wrappers', fdwname::text FROM pg_foreign_data_wrapper
WHERE (pg_foreign_data_wrapper.tableoid, pg_foreign_data_wrapper.oid) NOT IN (SELECT * FROM ext)
UNION ALL
SELECT 'comments on composite type attributes', c.relname || '.' || a.attname
FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid
JOIN pg_description d ON d.classoid = 'pg_class'::regclass AND d.objoid = c.oid
                     AND d.objsubid = a.attnum
WHERE c.relnamespace = CAST(:ns AS oid) AND c.relkind = 'c' AND a.attnum > 0
  AND (c.tableoid, c.oid) NOT IN (SELECT * FROM ext)
UNION ALL
-- the model names a partition's parent within its own schema (GitLab keeps its partitions
-- in gitlab_partitions_dynamic): read from either side, never left out
-- in an INHERITS list alike
SELECT CASE WHEN c.relispartition THEN 'partitions in another schema than their parent'
            ELSE 'tables inheriting from another schema''s table' END,
       c.relnamespace::regnamespace::text || '.' || c.relname
FROM pg_class c JOIN pg_inherits i ON i.inhrelid = c.oid
JOIN pg_class parent ON parent.oid = i.inhparent
WHERE c.relkind IN ('r', 'p') AND parent.relnamespace <> c.relnamespace
  AND CAST(:ns AS oid) IN (c.relnamespace, parent.relnamespace)
UNION ALL
SELECT 'index statistics targets (ALTER INDEX … SET STATISTICS)', c.relname || '.' || a.attname
FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
WHERE a.attstattarget >= 0 AND a.attnum > 0
  AND c.relnamespace = CAST(:ns AS oid) AND c.relkind IN ('i', 'I')
  AND (c.tableoid, c.oid) NOT IN (SELECT * FROM ext)
UNION ALL
SELECT 'comments on the index of a primary, unique or exclusion key', ic.relname
FROM pg_constraint con JOIN pg_class ic ON ic.oid = con.conindid
JOIN pg_description d ON d.classoid = 'pg_class'::regclass AND d.objoid = ic.oid
                     AND d.objsubid = 0
WHERE con.connamespace = CAST(:ns AS oid) AND con.contype IN ('p', 'u', 'x')
  AND con.conrelid <> 0
UNION ALL
-- such an index is its parent's in the model (made by the server with the partition)
SELECT 'comments on a partition''s index attached to its parent''s', ic.relname
FROM pg_class ic JOIN pg_description d ON d.classoid = 'pg_class'::regclass
     AND d.objoid = ic.oid AND d.objsubid = 0
WHERE ic.relnamespace = CAST(:ns AS oid) AND ic.relkind IN ('i', 'I') AND ic.relispartition
UNION ALL
SELECT 'comments on identity sequences', s.relname
FROM pg_class s JOIN pg_depend dep ON dep.classid = 'pg_class'::regclass
     AND dep.objid = s.oid AND dep.refclassid = 'pg_class'::regclass AND dep.deptype = 'i'
JOIN pg_description d ON d.classoid = 'pg_class'::regclass AND d.objoid = s.oid
                     AND d.objsubid = 0
WHERE s.relnamespace = CAST(:ns AS oid) AND s.relkind = 'S'
UNION ALL
SELECT 'rules', c.relname || '.' || r.rulename
FROM pg_rewrite r JOIN pg_class c ON c.oid = r.ev_class
WHERE c.relnamespace = CAST(:ns AS oid) AND r.rulename <> '_RETURN'
UNION ALL
SELECT CASE c.relkind WHEN 'f' THEN 'foreign tables' ELSE 'unlogged sequences' END,
       c.relname
FROM pg_class c
WHERE c.relnamespace = CAST(:ns AS oid)
  AND (c.relkind = 'f' OR (c.relkind = 'S' AND c.relpersistence = 'u'))
  AND (c.tableoid, c.oid) NOT IN (SELECT * FROM ext)
  -- an identity's sequence is unlogged with its unlogged table (PostgreSQL 15): implied
  AND NOT EXISTS (
      SELECT 1 FROM pg_depend dep JOIN pg_class t ON t.oid = dep.refobjid
      WHERE dep.classid = 'pg_class'::regclass AND dep.objid = c.oid
        AND dep.refclassid = 'pg_class'::regclass AND dep.deptype = 'i'
        AND t.relpersistence = 'u')
UNION ALL
SELECT 'typed tables (OF type)', c.relname FROM pg_class c
WHERE c.relnamespace = CAST(:ns AS oid) AND c.relkind IN ('r', 'p') AND c.reloftype <> 0
UNION ALL
SELECT 'materialized view storage parameters (WITH (...))', c.relname FROM pg_class c
WHERE c.relnamespace = CAST(:ns AS oid) AND c.relkind = 'm'
  AND c.reloptions IS NOT NULL AND (c.tableoid, c.oid) NOT IN (SELECT * FROM ext)
UNION ALL
SELECT CASE WHEN d.objoid IS NOT NULL THEN 'comments on view columns'
            ELSE 'view column defaults' END, c.relname || '.' || a.attname
FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
LEFT JOIN pg_description d ON d.classoid = 'pg_class'::regclass AND d.objoid = c.oid
                          AND d.objsubid = a.attnum
WHERE c.relnamespace = CAST(:ns AS oid) AND c.relkind IN ('v', 'm') AND a.attnum > 0
  AND (d.objoid IS NOT NULL OR a.atthasdef)
UNION ALL
SELECT CASE WHEN c.relkind IN ('i', 'I') THEN 'operator class parameters'
            ELSE 'column options (SET (n_distinct …))' END, c.relname || '.' || a.attname
FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
WHERE c.relnamespace = CAST(:ns AS oid) AND c.relkind IN ('r', 'p', 'm', 'i', 'I')
  AND a.attnum > 0 AND NOT a.attisdropped
  -- some servers keep entries of their own there (pg_attver=…): not the user's options
  AND EXISTS (SELECT 1 FROM unnest(a.attoptions) o WHERE o NOT LIKE 'pg\\_%')
  AND (c.tableoid, c.oid) NOT IN (SELECT * FROM ext)
UNION ALL
SELECT 'invalid indexes (CREATE INDEX ON ONLY, or a failed CONCURRENTLY)', ic.relname
FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid
WHERE ic.relnamespace = CAST(:ns AS oid) AND NOT i.indisvalid
  AND (ic.tableoid, ic.oid) NOT IN (SELECT * FROM ext)
UNION ALL
SELECT 'TOAST storage parameters (WITH (toast.…))', c.relname FROM pg_class c
JOIN pg_class toast ON toast.oid = c.reltoastrelid
WHERE c.relnamespace = CAST(:ns AS oid) AND toast.reloptions IS NOT NULL
  AND (c.tableoid, c.oid) NOT IN (SELECT * FROM ext)
UNION ALL
-- modelled (STATISTICS) on PostgreSQL 14+, on a table of the same schema
SELECT 'extended statistics' || CASE WHEN {statistics_modelled} THEN ' on another schema''s '
                                         || 'table or a materialized view' ELSE '' END,
       s.stxname::text
FROM pg_statistic_ext s JOIN pg_class c ON c.oid = s.stxrelid
WHERE (s.stxnamespace = CAST(:ns AS oid) OR c.relnamespace = CAST(:ns AS oid))
  AND (s.tableoid, s.oid) NOT IN (SELECT * FROM ext)
  AND NOT ({statistics_modelled} AND s.stxnamespace = c.relnamespace AND c.relkind IN ('r', 'p'))
UNION ALL
SELECT 'comments on extended statistics', s.stxname::text
FROM pg_statistic_ext s JOIN pg_description d
  ON d.classoid = 'pg_statistic_ext'::regclass AND d.objoid = s.oid
WHERE s.stxnamespace = CAST(:ns AS oid) AND (s.tableoid, s.oid) NOT IN (SELECT * FROM ext)
UNION ALL
SELECT CASE t.typtype WHEN 'r' THEN 'range types' ELSE 'base types' END, t.typname::text
FROM pg_type t
WHERE t.typnamespace = CAST(:ns AS oid)  -- a range's multirange comes with it
  AND (t.typtype = 'r' OR (t.typtype = 'b' AND t.typcategory <> 'A'))
  AND (t.tableoid, t.oid) NOT IN (SELECT * FROM ext)
UNION ALL
SELECT 'window functions', p.proname::text FROM pg_proc p
WHERE p.pronamespace = CAST(:ns AS oid) AND p.prokind = 'w'
  AND (p.tableoid, p.oid) NOT IN (SELECT * FROM ext)
UNION ALL
SELECT 'operators', o.oprname::text FROM pg_operator o
WHERE o.oprnamespace = CAST(:ns AS oid) AND (o.tableoid, o.oid) NOT IN (SELECT * FROM ext)
UNION ALL
SELECT 'operator classes', o.opcname::text FROM pg_opclass o
WHERE o.opcnamespace = CAST(:ns AS oid) AND (o.tableoid, o.oid) NOT IN (SELECT * FROM ext)
UNION ALL
SELECT 'operator families', o.opfname::text FROM pg_opfamily o
WHERE o.opfnamespace = CAST(:ns AS oid) AND (o.tableoid, o.oid) NOT IN (SELECT * FROM ext)
UNION ALL
SELECT 'text search configurations', o.cfgname::text FROM pg_ts_config o
WHERE o.cfgnamespace = CAST(:ns AS oid) AND (o.tableoid, o.oid) NOT IN (SELECT * FROM ext)
UNION ALL
SELECT 'text search dictionaries', o.dictname::text FROM pg_ts_dict o
WHERE o.dictnamespace = CAST(:ns AS oid) AND (o.tableoid, o.oid) NOT IN (SELECT * FROM ext)
UNION ALL
SELECT 'text search parsers', o.prsname::text FROM pg_ts_parser o
WHERE o.prsnamespace = CAST(:ns AS oid) AND (o.tableoid, o.oid) NOT IN (SELECT * FROM ext)
UNION ALL
SELECT 'text search templates', o.tmplname::text FROM pg_ts_template o
WHERE o.tmplnamespace = CAST(:ns AS oid) AND (o.tableoid, o.oid) NOT IN (SELECT * FROM ext)
UNION ALL
SELECT 'conversions', o.conname::text FROM pg_conversion o
WHERE o.connamespace = CAST(:ns AS oid) AND (o.tableoid, o.oid) NOT IN (SELECT * FROM ext)
UNION ALL
SELECT 'casts', format_type(c.castsource, NULL) || ' AS ' || format_type(c.casttarget, NULL)
FROM pg_cast c JOIN pg_type s ON s.oid = c.castsource JOIN pg_type t ON t.oid = c.casttarget
WHERE CAST(:ns AS oid) IN (s.typnamespace, t.typnamespace)
  AND (c.tableoid, c.oid) NOT IN (SELECT * FROM ext)
  AND NOT EXISTS (  -- made with a range type (to its multirange): the type's own
      SELECT 1 FROM pg_depend d
      WHERE d.classid = 'pg_cast'::regclass AND d.objid = c.oid AND d.deptype = 'i')
UNION ALL
SELECT 'column storage settings (SET STORAGE)', c.relname || '.' || a.attname
FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_type t ON t.oid = a.atttypid
WHERE a.attstorage <> t.typstorage AND a.attnum > 0 AND NOT a.attisdropped
  AND c.relnamespace = CAST(:ns AS oid) AND c.relkind IN ('r', 'p')
UNION ALL
SELECT 'replica identity settings', c.relname FROM pg_class c
WHERE c.relnamespace = CAST(:ns AS oid) AND c.relkind IN ('r', 'p') AND c.relreplident <> 'd'
  AND (c.tableoid, c.oid) NOT IN (SELECT * FROM ext)
UNION ALL
SELECT CASE WHEN i.indisclustered THEN 'clustered indexes (CLUSTER ON)'
            ELSE 'constraint index storage parameters (WITH (...))' END, ic.relname
FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid
WHERE ic.relnamespace = CAST(:ns AS oid) AND (i.indisclustered OR ic.reloptions IS NOT NULL)
  AND (ic.tableoid, ic.oid) NOT IN (SELECT * FROM ext)
  -- a plain index's WITH (...) is modelled (Index.storage); a constraint's is not
  AND (i.indisclustered OR i.indisprimary OR i.indisexclusion OR EXISTS (
      SELECT 1 FROM pg_constraint con
      WHERE con.conrelid = i.indrelid AND con.conindid = i.indexrelid
        AND con.contype IN ('p', 'u', 'x')))
UNION ALL
SELECT 'disabled triggers (ENABLE / DISABLE TRIGGER)', c.relname || '.' || t.tgname
FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
WHERE c.relnamespace = CAST(:ns AS oid) AND NOT t.tgisinternal AND t.tgenabled <> 'O'
UNION ALL
SELECT 'partition columns of their own (DEFAULT, NOT NULL, comment)', c.relname || '.' || a.attname
FROM pg_attribute a
JOIN pg_class c ON c.oid = a.attrelid
JOIN pg_inherits i ON i.inhrelid = c.oid
JOIN pg_attribute pa ON pa.attrelid = i.inhparent AND pa.attname = a.attname
WHERE c.relnamespace = CAST(:ns AS oid) AND c.relispartition
  AND a.attnum > 0 AND NOT a.attisdropped
  AND (a.attnotnull <> pa.attnotnull
       OR coalesce((SELECT pg_get_expr(d.adbin, d.adrelid) FROM pg_attrdef d
                    WHERE d.adrelid = a.attrelid AND d.adnum = a.attnum), '')
          <> coalesce((SELECT pg_get_expr(d.adbin, d.adrelid) FROM pg_attrdef d
                       WHERE d.adrelid = pa.attrelid AND d.adnum = pa.attnum), '')
       OR EXISTS (SELECT 1 FROM pg_description cd
                  WHERE cd.classoid = 'pg_class'::regclass AND cd.objoid = c.oid
                    AND cd.objsubid = a.attnum))
UNION ALL
SELECT 'triggers on partitions', c.relname || '.' || t.tgname
FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
WHERE c.relnamespace = CAST(:ns AS oid) AND c.relispartition AND NOT t.tgisinternal
  AND {own_trigger}
UNION ALL
SELECT 'column compression or statistics settings', c.relname || '.' || a.attname
FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
WHERE ({compression} OR a.attstattarget >= 0) AND a.attnum > 0 AND NOT a.attisdropped
  AND c.relnamespace = CAST(:ns AS oid) AND c.relkind IN ('r', 'p')
"""


def unsupported(server_version: int) -> str:
    """UNSUPPORTED for this server: ``attcompression`` appeared in PostgreSQL 14, and
    ``tgparentid`` (a trigger cloned from the parent's, which is the parent's) in 13;
    before it the clone depends on the parent's trigger (pg_depend 'P')."""
    flag = "a.attcompression <> ''" if server_version >= 140000 else "false"
    own = (
        "t.tgparentid = 0"
        if server_version >= 130000
        else "NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_trigger'::regclass"
        " AND d.objid = t.oid AND d.deptype = 'P')"
    )
    return UNSUPPORTED.format(
        compression=flag,
        own_trigger=own,
        statistics_modelled="true" if server_version >= 140000 else "false",
    )


#: Extensions installed into the schema (plpgsql lives in pg_catalog and is never one).
EXTENSIONS = """
SELECT x.extname, x.extversion FROM pg_extension x WHERE x.extnamespace = CAST(:ns AS oid)
"""

#: Collations, each as what follows ``CREATE COLLATION name``. The ICU locale is
#: colliculocale on PostgreSQL 15-16 and colllocale from 17; libc keeps LC_COLLATE and
#: LC_CTYPE apart.
COLLATIONS = """
SELECT co.collname,
       '(provider = ' || CASE co.collprovider WHEN 'i' THEN 'icu' ELSE 'libc' END
       || CASE WHEN co.collprovider = 'i' THEN ', locale = ' || quote_literal({icu_locale})
               ELSE ', lc_collate = ' || quote_literal(co.collcollate)
                    || ', lc_ctype = ' || quote_literal(co.collctype) END
       || CASE WHEN co.collisdeterministic THEN '' ELSE ', deterministic = false' END
       || ')'
FROM pg_collation co
WHERE co.collnamespace = CAST(:ns AS oid)
  AND NOT EXISTS (
      SELECT 1 FROM pg_depend e
      WHERE e.classid = 'pg_collation'::regclass AND e.objid = co.oid AND e.deptype = 'e')
"""


def collations(server_version: int) -> str:
    """COLLATIONS for this server (see there)."""
    if server_version >= 170000:
        locale = "co.colllocale"
    elif server_version >= 150000:
        locale = "co.colliculocale"
    else:
        locale = "co.collcollate"
    return COLLATIONS.format(icu_locale=locale)


#: Composite types (CREATE TYPE … AS (…)), attributes in order, each type with COLLATE
#: where the attribute's collation is not its type's.
COMPOSITE_TYPES = f"""
SELECT t.typname,
       coalesce(array_agg(ARRAY[a.attname::text, format_type(a.atttypid, a.atttypmod)
                          || CASE WHEN a.attcollation <> at.typcollation
                                  THEN ' COLLATE ' || {_COLLATION_SQL} ELSE '' END]
                          ORDER BY a.attnum) FILTER (WHERE a.attname IS NOT NULL), '{{}}')
FROM pg_type t
JOIN pg_class c ON c.oid = t.typrelid AND c.relkind = 'c'
LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
LEFT JOIN pg_type at ON at.oid = a.atttypid
LEFT JOIN pg_collation co ON co.oid = a.attcollation
WHERE t.typnamespace = CAST(:ns AS oid) AND t.typtype = 'c'
  AND NOT EXISTS (
      SELECT 1 FROM pg_depend e
      WHERE e.classid = 'pg_type'::regclass AND e.objid = t.oid AND e.deptype = 'e')
GROUP BY t.oid, t.typname
"""  # noqa: S608 (constant SQL pieces, no input)

#: Tables with row-level security enabled or forced, storage parameters, or UNLOGGED.
ROW_SECURITY = """
SELECT c.oid, c.relrowsecurity, c.relforcerowsecurity, c.reloptions, c.relpersistence = 'u'
FROM pg_class c
WHERE c.relnamespace = CAST(:ns AS oid) AND c.relkind IN ('r', 'p')
  AND (c.relrowsecurity OR c.relforcerowsecurity OR c.reloptions IS NOT NULL
       OR c.relpersistence = 'u')
"""


def statistics(server_version: int) -> str:
    """Extended statistics objects on the schema's tables, in the table's schema: kinds
    (``e``, expressions, is implied), columns and expressions as the server writes them,
    and the ``SET STATISTICS`` target (-1: the default). ``pg_get_statisticsobjdef_columns``
    came in PostgreSQL 14; before it they stay refused (``unsupported``)."""
    if server_version < 140000:
        return "SELECT NULL::oid, NULL, NULL::text[], NULL, NULL::int WHERE false"
    return STATISTICS


STATISTICS = """
SELECT s.stxrelid, s.stxname,
       ARRAY(SELECT CASE k WHEN 'd' THEN 'ndistinct' WHEN 'f' THEN 'dependencies'
                           ELSE 'mcv' END
             FROM unnest(s.stxkind) WITH ORDINALITY u(k, n)
             WHERE k IN ('d', 'f', 'm') ORDER BY position(k IN 'dfm')),
       pg_get_statisticsobjdef_columns(s.oid), nullif(s.stxstattarget::int, -1)
FROM pg_statistic_ext s JOIN pg_class c ON c.oid = s.stxrelid
WHERE s.stxnamespace = CAST(:ns AS oid) AND c.relnamespace = s.stxnamespace
  AND c.relkind IN ('r', 'p')
ORDER BY s.stxname
"""

#: Policies, each as what follows ``CREATE POLICY name ON table`` (pg_policies spells it
#: the same way; roles sorted, PUBLIC for none).
POLICIES = """
SELECT pol.polrelid, pol.polname,
       'AS ' || CASE WHEN pol.polpermissive THEN 'PERMISSIVE' ELSE 'RESTRICTIVE' END
       || ' FOR ' || CASE pol.polcmd WHEN 'r' THEN 'SELECT' WHEN 'a' THEN 'INSERT'
                                     WHEN 'w' THEN 'UPDATE' WHEN 'd' THEN 'DELETE'
                                     ELSE 'ALL' END
       || ' TO ' || (SELECT string_agg(CASE WHEN r.oid = 0 THEN 'PUBLIC'
                                           ELSE quote_ident(pg_get_userbyid(r.oid)) END,
                                      ', ' ORDER BY r.oid <> 0, pg_get_userbyid(r.oid))
                     FROM unnest(pol.polroles) r(oid))
       || coalesce(' USING (' || pg_get_expr(pol.polqual, pol.polrelid) || ')', '')
       || coalesce(' WITH CHECK (' || pg_get_expr(pol.polwithcheck, pol.polrelid) || ')', '')
FROM pg_policy pol
JOIN pg_class c ON c.oid = pol.polrelid
WHERE c.relnamespace = CAST(:ns AS oid)
"""

#: Views' options (reloptions: check_option, security_barrier, security_invoker).
VIEW_OPTIONS = """
SELECT c.oid, c.reloptions FROM pg_class c
WHERE c.relnamespace = CAST(:ns AS oid) AND c.relkind = 'v' AND c.reloptions IS NOT NULL
"""

#: Comments on what keeps none in the model (see ``dbshift.model.Comment``): (kind, name,
#: table, signature, text). Tables', columns' and views' comments are read with them.
#: Identity sequences, partitions' and constraint-backing indexes are the server's.
COMMENTS = """
WITH ext AS (SELECT classid, objid FROM pg_depend WHERE deptype = 'e'),
d AS (
    SELECT d.classoid, d.objoid, d.description FROM pg_description d
    WHERE d.objsubid = 0 AND d.classoid <> 'pg_namespace'::regclass
      AND (d.classoid, d.objoid) NOT IN (SELECT * FROM ext)
)
SELECT CASE p.prokind WHEN 'p' THEN 'PROCEDURE' WHEN 'a' THEN 'AGGREGATE' ELSE 'FUNCTION' END,
       p.proname::text, NULL, pg_get_function_identity_arguments(p.oid), d.description
FROM d JOIN pg_proc p ON d.classoid = 'pg_proc'::regclass AND p.oid = d.objoid
WHERE p.pronamespace = CAST(:ns AS oid)
UNION ALL
SELECT 'TRIGGER', t.tgname::text, c.relname::text, NULL, d.description
FROM d JOIN pg_trigger t ON d.classoid = 'pg_trigger'::regclass AND t.oid = d.objoid
JOIN pg_class c ON c.oid = t.tgrelid
WHERE c.relnamespace = CAST(:ns AS oid) AND NOT t.tgisinternal
UNION ALL
SELECT CASE t.typtype WHEN 'd' THEN 'DOMAIN' ELSE 'TYPE' END, t.typname::text, NULL, NULL,
       d.description
FROM d JOIN pg_type t ON d.classoid = 'pg_type'::regclass AND t.oid = d.objoid
WHERE t.typnamespace = CAST(:ns AS oid) AND t.typtype IN ('e', 'c', 'd')
UNION ALL
SELECT CASE c.relkind WHEN 'S' THEN 'SEQUENCE' ELSE 'INDEX' END, c.relname::text, NULL, NULL,
       d.description
FROM d JOIN pg_class c ON d.classoid = 'pg_class'::regclass AND c.oid = d.objoid
WHERE c.relnamespace = CAST(:ns AS oid) AND c.relkind IN ('S', 'i', 'I')
  AND NOT c.relispartition
  AND NOT EXISTS (SELECT 1 FROM pg_depend i
                  WHERE i.classid = 'pg_class'::regclass AND i.objid = c.oid
                    AND i.deptype = 'i')
UNION ALL
SELECT 'CONSTRAINT', con.conname::text,
       coalesce(tc.relname::text, 'DOMAIN ' || ty.typname::text), NULL, d.description
FROM d JOIN pg_constraint con ON d.classoid = 'pg_constraint'::regclass AND con.oid = d.objoid
LEFT JOIN pg_class tc ON tc.oid = con.conrelid
LEFT JOIN pg_type ty ON ty.oid = con.contypid
WHERE con.connamespace = CAST(:ns AS oid) AND con.conparentid = 0
UNION ALL
SELECT 'POLICY', pol.polname::text, c.relname::text, NULL, d.description
FROM d JOIN pg_policy pol ON d.classoid = 'pg_policy'::regclass AND pol.oid = d.objoid
JOIN pg_class c ON c.oid = pol.polrelid
WHERE c.relnamespace = CAST(:ns AS oid)
UNION ALL
SELECT 'COLLATION', co.collname::text, NULL, NULL, d.description
FROM d JOIN pg_collation co ON d.classoid = 'pg_collation'::regclass AND co.oid = d.objoid
WHERE co.collnamespace = CAST(:ns AS oid)
UNION ALL
SELECT 'EXTENSION', x.extname::text, NULL, NULL, d.description
FROM pg_description d JOIN pg_extension x
     ON d.classoid = 'pg_extension'::regclass AND x.oid = d.objoid
WHERE x.extnamespace = CAST(:ns AS oid)
"""

#: Table inheritance (not partitions): each child's parents in order, and what it has
#: from them only (columns and checks not declared locally), left out of the child.
INHERITANCE = """
SELECT i.inhrelid, p.relname::text, i.inhseqno, NULL::text
FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent
WHERE c.relnamespace = CAST(:ns AS oid) AND NOT c.relispartition
UNION ALL
SELECT DISTINCT a.attrelid, NULL::text, a.attnum::int, NULL::text
FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
JOIN pg_attribute a ON a.attrelid = i.inhrelid
WHERE c.relnamespace = CAST(:ns AS oid) AND NOT c.relispartition
  AND NOT a.attislocal AND a.attnum > 0 AND NOT a.attisdropped
UNION ALL
SELECT DISTINCT con.conrelid, NULL::text, NULL::int, con.conname::text
FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
JOIN pg_constraint con ON con.conrelid = i.inhrelid
WHERE c.relnamespace = CAST(:ns AS oid) AND NOT c.relispartition AND NOT con.conislocal
"""

#: Routines that tables' defaults, checks, index expressions and policies call (pg_attrdef,
#: pg_constraint, pg_class index and pg_policy rows that depend on a pg_proc row): the routine is
#: created before the table and dropped after it. Found from the routine's side
#: (pg_depend's index on refclassid, refobjid); the routine may be another schema's (a policy
#: calling ``auth.uid()``), named by its schema then, as in ``DEPENDENCIES``.
TABLE_ROUTINES = """
SELECT DISTINCT t.relname::text, p.proname::text, pg_get_function_identity_arguments(p.oid),
       CASE WHEN p.pronamespace = CAST(:ns AS oid) THEN NULL ELSE
            (SELECT nspname::text FROM pg_namespace WHERE oid = p.pronamespace) END
FROM pg_proc p
JOIN pg_depend d ON d.refclassid = 'pg_proc'::regclass AND d.refobjid = p.oid
                AND d.deptype = 'n'
LEFT JOIN pg_attrdef ad ON d.classid = 'pg_attrdef'::regclass AND ad.oid = d.objid
LEFT JOIN pg_constraint con ON d.classid = 'pg_constraint'::regclass AND con.oid = d.objid
LEFT JOIN pg_index ix ON d.classid = 'pg_class'::regclass AND ix.indexrelid = d.objid
LEFT JOIN pg_policy pol ON d.classid = 'pg_policy'::regclass AND pol.oid = d.objid
JOIN pg_class t ON t.oid = coalesce(ad.adrelid, nullif(con.conrelid, 0), ix.indrelid,
                                    pol.polrelid)
WHERE t.relnamespace = CAST(:ns AS oid)  -- the routine may be another schema's (auth.uid())
  AND p.pronamespace NOT IN ('pg_catalog'::regnamespace, 'information_schema'::regnamespace)
  AND t.relkind IN ('r', 'p') AND NOT t.relispartition
"""
