"""Online migrations on MySQL/MariaDB (see engine.py)."""
