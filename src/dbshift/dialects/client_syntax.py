"""How each server's command-line client reads a script: where one statement ends.

Migration files are written for the server's own client (psql, mysql, sqlite3), so the
splitter (``migrations/splitter.py``) follows that client's rules, not the server's
grammar. Each Dialect carries one ``ClientSyntax``; the splitter reads its flags and never
asks which server it is splitting for.
"""

from __future__ import annotations

from dbshift.frozen import frozen


@frozen(kw_only=True)
class ClientSyntax:
    #: ``E'…'`` strings (PostgreSQL): a backslash escapes inside them.
    escape_string_prefix: bool = False
    #: ``$tag$ … $tag$`` strings (PostgreSQL function bodies).
    dollar_quoting: bool = False
    #: psql does not end a statement at a semicolon inside parentheses.
    parentheses_hold_semicolons: bool = False
    #: ``CREATE FUNCTION … BEGIN ATOMIC … END`` bodies hold semicolons (PostgreSQL 14+).
    begin_atomic_routines: bool = False
    #: ``/* /* */ */`` nests (PostgreSQL); MySQL and SQLite end at the first ``*/``.
    nested_block_comments: bool = False
    #: Backslash lines at a line start are psql meta-commands (``\\connect``, ``\\restrict``).
    psql_meta_commands: bool = False
    #: The mysql client's ``DELIMITER $$`` command changes the statement terminator.
    delimiter_command: bool = False
    #: ``# …`` is a line comment (MySQL/MariaDB).
    hash_comments: bool = False
    #: ``--`` starts a comment only before whitespace (MySQL: ``SELECT 1--1`` is arithmetic).
    dash_comment_needs_space: bool = False
    #: ``/*! … */`` and ``/*+ … */`` are code the server runs (MySQL/MariaDB), not comments.
    executable_comments: bool = False
    #: A backslash escapes the next character inside ``'…'`` and ``"…"`` (MySQL's default
    #: sql_mode, without NO_BACKSLASH_ESCAPES).
    backslash_escapes: bool = False
    #: ``"…"`` is a string (MySQL without ANSI_QUOTES), not a quoted identifier.
    double_quotes_are_strings: bool = False
    #: `` `…` `` quotes an identifier (MySQL/MariaDB, and SQLite for compatibility).
    backquoted_identifiers: bool = False
    #: ``[…]`` quotes an identifier (SQLite, for compatibility with SQL Server).
    bracketed_identifiers: bool = False
    #: ``CREATE TRIGGER`` bodies hold semicolons up to ``END;`` (sqlite3_complete()).
    trigger_bodies: bool = False
