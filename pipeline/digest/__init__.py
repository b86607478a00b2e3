"""Stage 5, digest: cited digests of articles and stories (extractive selection, generation, the guard)."""
