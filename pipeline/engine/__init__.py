"""Where a run's model work is computed: the Engine protocol, the local engine and the Ray engine."""

from .base import Engine, OpenEngine, StoryResult, story_results
from .local import LocalEngine, open_local_engine

__all__ = ["Engine", "LocalEngine", "OpenEngine", "StoryResult", "open_local_engine", "story_results"]
