"""Language of an article, measured from its text (py3langid, offline), not taken from the page."""

from __future__ import annotations

import logging

import py3langid

logger = logging.getLogger(__name__)

# Enough text for a stable decision; longer inputs only cost time.
_SAMPLE_CHARS = 2000
# Below this many characters the identifier guesses; the page's lang attribute is better.
_MIN_CHARS = 40


def detect_language(text: str, fallback: str | None = None) -> str | None:
    """ISO 639-1 code of the text's language, or ``fallback`` when the text is too short."""
    sample = text[:_SAMPLE_CHARS].strip()
    if len(sample) < _MIN_CHARS:
        return fallback
    # the model ships inside the wheel and loads on first use (~1 s), never from the network
    code, _score = py3langid.classify(sample)
    return str(code)
