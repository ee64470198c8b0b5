"""Backups and restores: the database as it was before a change that can lose data.

A backup is a directory holding the dump tool's files and a ``manifest.json`` that says
what they are (see ``manifest``). Each server has an engine (``postgres``, ``mysql``,
``sqlite``) that runs the server's own dump and restore tools; ``service`` ties an engine,
a store and the history table together; ``targets`` reads which tables a migration run
puts at risk, so the automatic backup before ``migrate`` copies only those.
"""
