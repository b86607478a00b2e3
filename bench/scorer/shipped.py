"""The pipeline's own sentence scores for a prepared cluster (whatever scorer and model file it ships)."""
from __future__ import annotations

from pipeline.config import Settings

from pipeline.digest.select import sentence_scores

_cfg = Settings().summary


def shipped_scores(c, budget):
    return sentence_scores(c.pool, _cfg, budget)
