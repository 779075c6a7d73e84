"""Dutch word classes that more than one analyzer reads, and the one key names are compared by.

Owns what entity resolution (``entities.py``), the entity typer (``typer.py``) and actor
resolution (``commitments/actors.py``) must agree on: which small words join the parts of a
person's name, which words are articles, and how a name is normalised before it is looked up.
Word lists that one analyzer alone reads stay beside it (the commitment cue lexicon in
``commitments/cues.tsv``, the title words in ``entities.py``).
"""

from __future__ import annotations

import re
import unicodedata

ARTICLES = frozenset("de het een".split())

# Lower-case words that join a given name to a surname or belong to the surname: "Van den Brande",
# "Ursula von der Leyen", "Osama bin Laden", "Jan ten Brink". They are no name evidence of their own.
NAME_PARTICLES = frozenset("van von der den de del della di da du le la al bin te ten ter 't".split())

_SPACE = re.compile(r"\s+")


def normalise(name: str) -> str:
    """Key for ids and lookups: NFKC, case-folded, single spaces, typographic quotes removed."""
    text = unicodedata.normalize("NFKC", name).replace("\u2019", "'").strip(" \t\n'\"")
    return _SPACE.sub(" ", text).casefold()
