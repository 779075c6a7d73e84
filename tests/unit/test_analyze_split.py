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
