"""Evaluation: datasets with reference summaries, peers, scoring and rendering of `newsdigest eval`."""
