"""The differ: current and desired ``Schema`` → ordered typed operations."""

from dbshift.diff.differ import DiffOptions, Renames, diff, suggest_renames

__all__ = ["DiffOptions", "Renames", "diff", "suggest_renames"]
