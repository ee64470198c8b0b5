"""Migration files: names, formats, statement splitting, checksums, the sum file."""
