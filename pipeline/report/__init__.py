"""Stage 7, report: the `DigestReport` schema, building it, and one renderer per output format."""
