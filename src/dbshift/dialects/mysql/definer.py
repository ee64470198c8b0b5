"""The ``definer`` setting: who MySQL/MariaDB record as a view's, routine's and trigger's
``DEFINER``.

Without it no DEFINER is written and the server makes it the user who runs the migration
(``CURRENT_USER``), whoever created the objects the schema was read from. With it, each
CREATE VIEW, FUNCTION, PROCEDURE and TRIGGER says ``DEFINER = …``: ``CURRENT_USER``, or an
account written ``user@host`` with each part bare (letters, digits, ``_$.%-``) or quoted
(``'…'``, ``"…"`` or backquotes, a quote doubled inside). Parsed here once (the config
checks it at load, the renderer at use) and written back through the dialect's string
literal: nothing of the text reaches SQL unescaped.
"""

from __future__ import annotations

import re

from dbshift.errors import ConfigError
from dbshift.frozen import frozen

_PART = r"""'(?:[^']|'')*'|"(?:[^"]|"")*"|`(?:[^`]|``)*`|[A-Za-z0-9_$.%-]+"""
_ACCOUNT = re.compile(rf"^\s*({_PART})\s*@\s*({_PART})\s*$")
_CURRENT_USER = re.compile(r"^\s*current_user\s*(?:\(\s*\))?\s*$", re.I)
#: MySQL 8.0 user names: 32 characters; host names: 255.
_USER_MAX, _HOST_MAX = 32, 255


@frozen
class Definer:
    """``None`` user: ``CURRENT_USER``; else the account ``user@host``, unquoted."""

    user: str | None = None
    host: str = "%"


def parse_definer(text: str) -> Definer:
    """``definer`` as written in the config, or a one-line ConfigError."""
    if _CURRENT_USER.match(text):
        return Definer()
    match = _ACCOUNT.match(text)
    if match is None:
        raise ConfigError(f"definer {text!r}: expected CURRENT_USER or an account 'user'@'host'")
    user, host = (_unquoted(p) for p in match.groups())
    if not user or len(user) > _USER_MAX or not host or len(host) > _HOST_MAX:
        raise ConfigError(
            f"definer {text!r}: the user must be 1-{_USER_MAX} characters and the host "
            f"1-{_HOST_MAX}"
        )
    return Definer(user=user, host=host)


def _unquoted(part: str) -> str:
    if part[:1] in ("'", '"', "`"):
        quote = part[0]
        return part[1:-1].replace(quote * 2, quote)
    return part
