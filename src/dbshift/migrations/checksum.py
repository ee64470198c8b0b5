"""Content checksums that survive a checkout on another operating system.

SHA-256 of the UTF-8 text with line endings normalised to LF and a BOM removed: a
Windows checkout with ``core.autocrlf`` must not look like an edited migration (the same
reason Flyway hashes line by line). Anything else that changes the bytes is an edit.
"""

from __future__ import annotations

import hashlib


def normalise(data: bytes) -> bytes:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    return data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")


def file_checksum(data: bytes) -> str:
    """Hex SHA-256 of the normalised content (what the history table stores)."""
    return hashlib.sha256(normalise(data)).hexdigest()


def statements_checksum(statements: list[str] | tuple[str, ...]) -> str:
    """Hash of the statements already run, so a resumed migration can prove they are unchanged."""
    digest = hashlib.sha256()
    for sql in statements:
        # surrogateescape: a MySQL dump's raw bytes in literals, as the file holds them.
        digest.update(sql.encode("utf-8", "surrogateescape"))
        digest.update(b"\x00")
    return digest.hexdigest()
