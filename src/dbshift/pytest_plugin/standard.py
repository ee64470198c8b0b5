"""One line in ``conftest.py`` turns on dbshift's standard migration tests::

    pytest_plugins = ["dbshift.pytest_plugin.standard"]

(the same as running ``pytest --dbshift`` every time).
"""

from __future__ import annotations

import pytest


def pytest_configure(config: pytest.Config) -> None:
    config.option.dbshift = True
