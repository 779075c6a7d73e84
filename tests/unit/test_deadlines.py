"""Deadline expressions: finding them and resolving them against the article's date."""

from __future__ import annotations

from datetime import date

import pytest

from newsdesk.analyze.deadlines import find_deadline, resolve_deadline
from newsdesk.models import DatePrecision as P

MARCH_2025 = date(2025, 3, 1)  # the seed article: "date 2025-03"


@pytest.mark.parametrize(
    ("text", "reference", "expected", "precision"),
    [
        ("op 6 maart", MARCH_2025, date(2025, 3, 6), P.DAY),
        ("op 6 maart 2026", MARCH_2025, date(2026, 3, 6), P.DAY),
        ("uiterlijk 1 januari", MARCH_2025, date(2026, 1, 1), P.DAY),
        ("per 1 januari", date(2025, 11, 12), date(2026, 1, 1), P.DAY),
        ("op 1 januari", date(2025, 10, 14), date(2026, 1, 1), P.DAY),
        ("voor 1 juli", MARCH_2025, date(2025, 6, 30), P.DAY),
        ("volgend jaar", MARCH_2025, date(2026, 12, 31), P.YEAR),
        ("komend jaar", date(2025, 9, 1), date(2026, 12, 31), P.YEAR),
        ("nog dit jaar", MARCH_2025, date(2025, 12, 31), P.YEAR),
        ("begin volgend jaar", MARCH_2025, date(2026, 3, 31), P.QUARTER),
        ("eind 2026", MARCH_2025, date(2026, 12, 31), P.MONTH),
        ("medio 2026", MARCH_2025, date(2026, 6, 30), P.MONTH),
        ("vóór eind 2026", MARCH_2025, date(2026, 12, 31), P.MONTH),  # by the end of, not before it
        ("tot eind 2025", MARCH_2025, date(2025, 12, 31), P.MONTH),
        ("vóór begin 2027", MARCH_2025, date(2026, 12, 31), P.YEAR),
        ("in 2027", MARCH_2025, date(2027, 12, 31), P.YEAR),
        ("uiterlijk in 2030", MARCH_2025, date(2030, 12, 31), P.YEAR),
        ("voor 2028", MARCH_2025, date(2027, 12, 31), P.YEAR),
        ("tot 2035", MARCH_2025, date(2035, 12, 31), P.YEAR),
        ("voor de zomer", MARCH_2025, date(2025, 6, 20), P.SEASON),
        ("deze zomer", date(2025, 7, 3), date(2025, 9, 22), P.SEASON),
        ("in het voorjaar", date(2025, 11, 3), date(2026, 6, 20), P.SEASON),
        ("na de zomer", MARCH_2025, date(2025, 9, 22), P.SEASON),
        ("in maart", date(2025, 1, 20), date(2025, 3, 31), P.MONTH),
        ("in januari", MARCH_2025, date(2026, 1, 31), P.MONTH),
        ("in het derde kwartaal van 2026", MARCH_2025, date(2026, 9, 30), P.QUARTER),
        ("Q2 2026", MARCH_2025, date(2026, 6, 30), P.QUARTER),
        ("binnen twee weken", date(2025, 1, 28), date(2025, 2, 11), P.DAY),
        ("binnen dertig dagen", date(2025, 6, 20), date(2025, 7, 20), P.DAY),
        ("binnen drie maanden", date(2025, 11, 4), date(2026, 2, 4), P.DAY),
        ("binnen een jaar", date(2025, 6, 12), date(2026, 6, 12), P.DAY),
        ("volgende week", date(2025, 3, 5), date(2025, 3, 16), P.DAY),
        ("morgen", date(2025, 3, 5), date(2025, 3, 6), P.DAY),
    ],
)
def test_resolve_deadline(text: str, reference: date, expected: date, precision: P) -> None:
    assert resolve_deadline(text, reference) == (expected, precision)


@pytest.mark.parametrize(
    "text", ["op korte termijn", "binnenkort", "zo snel mogelijk", "meteen", "de komende jaren", "op termijn"]
)
def test_vague_deadlines_resolve_to_nothing(text: str) -> None:
    assert resolve_deadline(text, MARCH_2025) == (None, None)
    found = find_deadline(f"Nederland zal zich {text} aansluiten.")
    assert found is not None and found.text == text


def test_relative_deadline_without_reference_is_unresolved() -> None:
    assert resolve_deadline("volgend jaar", None) == (None, None)
    assert resolve_deadline("op 6 maart", None) == (None, None)
    assert resolve_deadline("in 2027", None) == (date(2027, 12, 31), P.YEAR)  # absolute: no reference needed


def test_find_deadline_in_clause() -> None:
    text = "De Europese Commissie zal op 6 maart een plan presenteren aan de Europese Raad."
    found = find_deadline(text)
    assert found is not None
    assert (found.text, text[found.start : found.end]) == ("op 6 maart", "op 6 maart")


def test_amount_is_not_a_year() -> None:
    assert find_deadline("Het kabinet zal 2026 woningen bouwen.") is None


def test_weekdays_can_be_skipped() -> None:
    assert find_deadline("zei Starmer zondag na afloop", weekdays=False) is None
    assert find_deadline("De minister stuurt maandag een brief.") is not None


def test_recess_that_moves_with_easter_is_found_but_not_resolved() -> None:
    found = find_deadline("Hij beloofde vóór het Paasreces een brief te sturen.")
    assert found is not None and found.text == "vóór het Paasreces"
    assert resolve_deadline(found.text, MARCH_2025) == (None, None)
