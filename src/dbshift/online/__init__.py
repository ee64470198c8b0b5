"""Zero-downtime changes: expand/contract phases, versioned schemas, dual writes, backfill."""
