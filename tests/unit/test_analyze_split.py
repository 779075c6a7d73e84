"""split_dated_text: the optional ``date YYYY-MM[-DD]`` prefix of seed-format articles."""

from __future__ import annotations

import pytest

from newsdesk.analyze import split_dated_text


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("date 2025-03 Er komt een plan.", ("2025-03", "Er komt een plan.")),
        ("date 2025-03-02 Er komt een plan.", ("2025-03-02", "Er komt een plan.")),
        ("date 2025-03\nEr komt een plan.\n", ("2025-03", "Er komt een plan.\n")),
        ("date 2025-03-02\n\n  Er komt een plan.", ("2025-03-02", "Er komt een plan.")),
        ("\ndate 2024-12 Tekst", ("2024-12", "Tekst")),
        ("date 2025-03", ("2025-03", "")),
        ("Er komt een plan.", (None, "Er komt een plan.")),
        ("  Er komt een plan.", (None, "Er komt een plan.")),
        # Not a date prefix: the text is left as it is.
        ("date 2025-3 Tekst", (None, "date 2025-3 Tekst")),
        ("date 2025-03x Tekst", (None, "date 2025-03x Tekst")),
        ("De date 2025-03 staat midden in de tekst.", (None, "De date 2025-03 staat midden in de tekst.")),
    ],
)
def test_split_dated_text(raw: str, expected: tuple[str | None, str]) -> None:
    assert split_dated_text(raw) == expected


def test_huge_texts_are_analysed_on_their_first_paragraphs():
    from newsdesk.analyze import MAX_ANALYZED_CHARS, bounded_text

    paragraph = "De minister belooft de Kamer een brief. " * 50
    text = "\n\n".join([paragraph.strip()] * 200)  # ~400,000 characters
    head = bounded_text(text, limit=100_000)
    assert text.startswith(head) and len(head) <= 100_000 and not head.endswith(" ")
    assert head.endswith("brief.")  # cut at a paragraph break
    assert bounded_text("kort", limit=10) == "kort"
    assert len(bounded_text(text)) <= MAX_ANALYZED_CHARS  # what spaCy is given by analyze_*
    assert bounded_text("x" * 50, limit=10) == "x" * 10  # no break at all: a hard cut
