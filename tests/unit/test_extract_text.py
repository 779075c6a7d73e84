"""_clean_space collapses whitespace exactly as the regex it replaced (\\s+ to one space, stripped)."""

from __future__ import annotations

import random
import re

from newsdesk.extract.article import _CONTROL, _clean_space

REFERENCE = re.compile(r"\s+")
WHITESPACE = [chr(code) for code in range(0x110000) if REFERENCE.fullmatch(chr(code))]


def test_same_as_the_regex_on_every_whitespace_character_and_controls() -> None:
    rng = random.Random(20250302)
    pool = [*WHITESPACE, "a", "b", "é", "中", "\x00", "\x1f", "\x7f"]
    for _ in range(5000):
        text = "".join(rng.choice(pool) for _ in range(rng.randint(0, 24)))
        assert _clean_space(text) == REFERENCE.sub(" ", _CONTROL.sub("", text)).strip(), repr(text)


def test_paragraph_whitespace_becomes_single_spaces() -> None:
    assert _clean_space("  Eerste\u00a0zin.\n\t Tweede\u2003zin.\x00 ") == "Eerste zin. Tweede zin."
