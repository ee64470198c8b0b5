"""Schema drift: what changed in a live database outside the migrations.

``detect`` builds the schema the applied history produced (from the runner's snapshot, or
by replaying the migrations on a scratch database) and diffs the live schema against it;
``adopt`` and ``revert`` turn the difference into a migration file.
"""

from dbshift.drift.detect import Change, DriftReport, detect, quick_check, refresh_snapshot
from dbshift.drift.resolve import adopt, revert

__all__ = ["Change", "DriftReport", "adopt", "detect", "quick_check", "refresh_snapshot", "revert"]
