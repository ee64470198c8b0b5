"""Migration safety: lint rules over SQL files and dbshift operations, one rule per file."""
