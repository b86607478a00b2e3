"""Settings third-party libraries read at import: quiet progress bars and advisories on our stderr."""

from __future__ import annotations

import logging


def quiet_libraries() -> None:
    """Third-party progress bars and advisories would drown our own stderr."""
    import os

    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    logging.getLogger("transformers").setLevel(logging.ERROR)
    logging.getLogger("sentence_transformers").setLevel(logging.ERROR)
