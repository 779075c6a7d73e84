"""Dutch deadline expressions: finding them in a clause and resolving them against a date.

Owns the time vocabulary of commitments ("op 6 maart", "volgend jaar", "voor de zomer",
"eind 2026", "binnen twee weken", "uiterlijk 1 januari", "op korte termijn" ...).

Decisions, in one place:

* A deadline answers "by when", so a period resolves to its *last* day ("in maart" -> 31 March,
  "volgend jaar" -> 31 December) and "voor X" / "vóór X" to the day before X starts ("voor de
  zomer" -> 20 June, "voor 2028" -> 31 December 2027). ``DatePrecision`` says how coarse it is.
* A day or month without a year is the next one on or after the reference ("op 1 januari" in an
  article of October 2025 -> 2026-01-01).
* Seasons use the astronomical dates (spring 20 March - 20 June, summer 21 June - 22 September,
  autumn 23 September - 20 December, winter 21 December - 19 March).
* Vague expressions ("binnenkort", "op korte termijn", "zo snel mogelijk") are found so their
  text is kept, but resolve to ``(None, None)``; so does anything relative without a reference.
"""

from __future__ import annotations

import calendar
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from newsdesk.models import DatePrecision

log = logging.getLogger(__name__)

__all__ = ["DeadlineMatch", "find_deadline", "resolve_deadline"]

MONTHS = {
    "januari": 1,
    "februari": 2,
    "maart": 3,
    "april": 4,
    "mei": 5,
    "juni": 6,
    "juli": 7,
    "augustus": 8,
    "september": 9,
    "oktober": 10,
    "november": 11,
    "december": 12,
}
NUMBERS = {
    "een": 1,
    "één": 1,
    "twee": 2,
    "drie": 3,
    "vier": 4,
    "vijf": 5,
    "zes": 6,
    "zeven": 7,
    "acht": 8,
    "negen": 9,
    "tien": 10,
    "elf": 11,
    "twaalf": 12,
    "veertien": 14,
    "vijftien": 15,
    "twintig": 20,
    "dertig": 30,
    "zestig": 60,
    "negentig": 90,
    "honderd": 100,
    "enkele": 3,
    "paar": 2,
}
WEEKDAYS = {
    "maandag": 0,
    "dinsdag": 1,
    "woensdag": 2,
    "donderdag": 3,
    "vrijdag": 4,
    "zaterdag": 5,
    "zondag": 6,
}
ORDINALS = {"eerste": 1, "tweede": 2, "derde": 3, "vierde": 4}
# (month, day) of the first and last day of each season; winter crosses the year end.
SEASONS = {
    "lente": ((3, 20), (6, 20)),
    "voorjaar": ((3, 20), (6, 20)),
    "zomer": ((6, 21), (9, 22)),
    "zomerreces": ((7, 4), (9, 1)),
    "herfst": ((9, 23), (12, 20)),
    "najaar": ((9, 23), (12, 20)),
    "herfstreces": ((10, 18), (10, 26)),
    "winter": ((12, 21), (3, 19)),
    "kerst": ((12, 24), (12, 26)),
    "kerstreces": ((12, 19), (1, 5)),
}

_MONTH = "|".join(MONTHS)
_NUM = r"\d{1,3}|" + "|".join(sorted(NUMBERS, key=len, reverse=True))
_SEASON = "|".join(sorted(SEASONS, key=len, reverse=True))
_DAY = "|".join(WEEKDAYS)
_UNIT = r"dag|dagen|week|weken|maand|maanden|jaar|jaren|kwartaal|kwartalen"
# Words that open a deadline phrase; "voor"/"vóór" and "uiterlijk" change the resolution.
_LEAD = (
    r"(?:(?:uiterlijk|ten laatste|al|nog|pas|ergens)\s+)?"
    r"(?:(?:vóór|voor|tot)\s+(?=(?:eind|einde|begin|medio|half|halverwege)\s))?"  # "vóór eind 2026"
    r"(?:(?:vóór|voor|op|per|in|tegen|vanaf|rond|tot|na|eind|begin|medio|half|halverwege|eind(?:e)?"
    r"|aan het (?:eind|begin) van|in de loop van)\s+)?"
)

VAGUE = (
    r"binnenkort|op (?:korte|middellange|lange) termijn|op termijn|zo (?:snel|spoedig) mogelijk|"
    r"spoedig|meteen|direct|onmiddellijk|per direct|z\.s\.m\.|zsm|in de nabije toekomst|"
    r"(?:de|in de) komende (?:tijd|jaren|maanden|weken|dagen)|een dezer dagen|zo meteen|"
    # recesses that move with Easter or Whitsun: found, not resolved
    r"(?:vóór|voor|na|tot|in) het (?:paas|pinkster|krokus|mei|voorjaars)reces"
)

_PATTERNS: list[tuple[str, str]] = [
    # order matters: the first pattern that matches at a position wins, longer ones first
    ("day_month", rf"{_LEAD}(?P<day>\d{{1,2}})\s+(?P<month>{_MONTH})(?:\s+(?P<year>(?:19|20)\d\d))?"),
    (
        "quarter",
        rf"{_LEAD}(?:het\s+)?(?P<ord>eerste|tweede|derde|vierde)\s+kwartaal(?:\s+(?:van\s+)?(?P<year>(?:19|20)\d\d|(?:dit|volgend|komend)\s+jaar))?",
    ),
    ("quarter_q", rf"{_LEAD}Q(?P<q>[1-4])(?:\s+(?P<year>(?:19|20)\d\d))?"),
    (
        "season",
        rf"{_LEAD}(?:(?P<rel>de|het|deze|dit|komende|komend|volgende|volgend|aankomende)\s+)?(?P<season>{_SEASON})(?:\s+(?:van\s+)?(?P<year>(?:19|20)\d\d|(?:dit|volgend|komend)\s+jaar))?",
    ),
    ("month", rf"{_LEAD}(?P<month>{_MONTH})(?:\s+(?P<year>(?:19|20)\d\d))?"),
    ("year", rf"{_LEAD}(?P<year>(?:19|20)\d\d)"),
    (
        "rel_year",
        rf"{_LEAD}(?P<rel>dit|volgend|komend|het komende|het volgende|het nieuwe|vorig)\s+"
        r"(?P<unit>jaar|seizoen|schooljaar)",
    ),
    ("rel_period", rf"{_LEAD}(?P<rel>deze|volgende|komende|aanstaande)\s+(?P<unit>week|maand)"),
    (
        "within",
        r"(?P<lead>binnen|over|in|uiterlijk over|de komende|in de komende|binnen de komende)\s+"
        rf"(?P<n>{_NUM})\s+(?P<unit>{_UNIT})",
    ),
    ("weekday", rf"(?:(?:op|aanstaande|komende|volgende)\s+)?(?P<wd>{_DAY})(?:\s*(?:ochtend|middag|avond))?"),
    ("tomorrow", r"(?P<rel>overmorgen|morgen)"),
    ("vague", rf"(?:{VAGUE})"),
]
_COMPILED = [(name, re.compile(rf"(?<!\w)(?:{rx})(?!\w)", re.IGNORECASE)) for name, rx in _PATTERNS]


@dataclass(frozen=True, slots=True)
class DeadlineMatch:
    """A deadline expression found in a text: its text, offsets into that text, and its kind."""

    text: str
    start: int
    end: int
    kind: str


def _last_day(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _is_before(text: str) -> bool:
    # "vóór eind 2026" is "by the end of 2026"; "vóór begin 2027" stays "before 2027 starts"
    return bool(
        re.match(
            r"\s*(?:uiterlijk\s+)?(?:vóór|voor)\b(?!\s+(?:eind|einde|medio|half|halverwege)\b)", text, re.IGNORECASE
        )
    )


def _lead_word(text: str) -> str:
    m = re.match(
        r"\s*(?:(?:uiterlijk|ten laatste|al|nog|pas|ergens)\s+)?"
        r"(?:(?:vóór|voor|tot)\s+(?=(?:eind|einde|medio|half|halverwege)\b))?(\w+(?:\s+het\s+\w+)?)",
        text,
        re.IGNORECASE,
    )
    return m.group(1).casefold() if m else ""


def _year_of(raw: str | None, reference: date | None) -> int | None:
    if raw is None:
        return None
    raw = raw.casefold()
    if raw.isdigit():
        return int(raw)
    if reference is None:
        return None
    return reference.year + (0 if raw.startswith("dit") else 1)


def _add_months(d: date, months: int) -> date:
    total = d.month - 1 + months
    year, month = d.year + total // 12, total % 12 + 1
    return date(year, month, min(d.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True, slots=True)
class _Phrase:
    """A matched deadline expression as the resolvers read it."""

    groups: dict[str, Any]  # the match's named groups (str, or None where optional)
    before: bool  # "voor X" / "vóór X": the day before X starts
    lead: str  # the opening word ("begin", "medio", "eind" ...), casefolded


_Resolution = tuple[date | None, DatePrecision | None]
_UNRESOLVED: _Resolution = (None, None)


def _next_year_with(month: int, day: int, reference: date) -> int:
    """The year of the first (month, day) on or after ``reference``."""
    year = reference.year
    if date(year, month, min(day, calendar.monthrange(year, month)[1])) < reference:
        year += 1
    return year


def _day_month(p: _Phrase, reference: date | None) -> _Resolution:
    month, day = MONTHS[p.groups["month"].casefold()], int(p.groups["day"])
    if p.groups["year"]:
        year = int(p.groups["year"])
    elif reference is None:
        return _UNRESOLVED
    else:
        year = _next_year_with(month, day, reference)
    try:
        result = date(year, month, day)
    except ValueError:
        return _UNRESOLVED
    return (result - timedelta(days=1) if p.before else result), DatePrecision.DAY


def _quarter_end(q: int, p: _Phrase, reference: date | None) -> _Resolution:
    year = _year_of(p.groups.get("year"), reference)
    if year is None:
        if reference is None:
            return _UNRESOLVED
        year = reference.year + (1 if q * 3 < reference.month else 0)
    if p.before:
        return date(year, q * 3 - 2, 1) - timedelta(days=1), DatePrecision.QUARTER
    return _last_day(year, q * 3), DatePrecision.QUARTER


def _quarter(p: _Phrase, reference: date | None) -> _Resolution:
    return _quarter_end(ORDINALS[p.groups["ord"].casefold()], p, reference)


def _quarter_q(p: _Phrase, reference: date | None) -> _Resolution:
    return _quarter_end(int(p.groups["q"]), p, reference)


def _season_year(season: tuple[tuple[int, int], tuple[int, int]], rel: str, reference: date) -> int:
    """The year a season without one starts in: the next one that has not ended yet ("in het
    voorjaar" said in November: next spring); "volgende zomer" once this one has begun."""
    (sm, sd), (em, ed) = season
    year = reference.year
    if rel in ("volgende", "volgend", "komende", "komend", "aankomende") and date(year, sm, sd) <= reference:
        year += 1
    end_year = year + (1 if (em, ed) < (sm, sd) else 0)
    if date(end_year, em, ed) < reference:
        year += 1
    return year


def _season(p: _Phrase, reference: date | None) -> _Resolution:
    season = SEASONS[p.groups["season"].casefold()]
    (sm, sd), (em, ed) = season
    year = _year_of(p.groups.get("year"), reference)
    if year is None:
        if reference is None:
            return _UNRESOLVED
        year = _season_year(season, (p.groups.get("rel") or "").casefold(), reference)
    if p.before:
        return date(year, sm, sd) - timedelta(days=1), DatePrecision.SEASON
    return date(year + (1 if (em, ed) < (sm, sd) else 0), em, ed), DatePrecision.SEASON


def _month(p: _Phrase, reference: date | None) -> _Resolution:
    month = MONTHS[p.groups["month"].casefold()]
    if p.groups["year"]:
        year = int(p.groups["year"])
    elif reference is None:
        return _UNRESOLVED
    else:
        year = reference.year + (1 if month < reference.month else 0)
    if p.before:
        return date(year, month, 1) - timedelta(days=1), DatePrecision.MONTH
    return _last_day(year, month), DatePrecision.MONTH


def _year(p: _Phrase, reference: date | None) -> _Resolution:
    year = int(p.groups["year"])
    if p.before:
        return date(year - 1, 12, 31), DatePrecision.YEAR
    if p.lead.startswith("begin"):
        return date(year, 3, 31), DatePrecision.QUARTER
    if p.lead in ("medio", "half", "halverwege"):
        return date(year, 6, 30), DatePrecision.MONTH
    if p.lead.startswith("eind") or p.lead == "aan het eind":
        return date(year, 12, 31), DatePrecision.MONTH
    return date(year, 12, 31), DatePrecision.YEAR


def _relative_year(p: _Phrase, reference: date) -> _Resolution:
    rel = p.groups["rel"].casefold()
    if rel == "vorig":
        return _UNRESOLVED
    year = reference.year + (0 if rel == "dit" else 1)
    if p.before:
        return date(year - 1, 12, 31), DatePrecision.YEAR
    if p.lead.startswith("begin"):
        return date(year, 3, 31), DatePrecision.QUARTER
    if p.lead.startswith("eind"):
        return date(year, 12, 31), DatePrecision.MONTH
    return date(year, 12, 31), DatePrecision.YEAR


def _relative_period(p: _Phrase, reference: date) -> _Resolution:
    offset = 0 if p.groups["rel"].casefold() == "deze" else 1
    if p.groups["unit"].casefold() == "week":
        monday = reference - timedelta(days=reference.weekday()) + timedelta(weeks=offset)
        return (monday - timedelta(days=1) if p.before else monday + timedelta(days=6)), DatePrecision.DAY
    first = _add_months(reference.replace(day=1), offset)
    return (first - timedelta(days=1) if p.before else _last_day(first.year, first.month)), DatePrecision.MONTH


def _within(p: _Phrase, reference: date) -> _Resolution:
    raw = p.groups["n"].casefold()
    n = int(raw) if raw.isdigit() else NUMBERS.get(raw, 1)
    unit = p.groups["unit"].casefold()
    if unit.startswith("dag"):
        return reference + timedelta(days=n), DatePrecision.DAY
    if unit.startswith("we"):
        return reference + timedelta(weeks=n), DatePrecision.DAY
    if unit.startswith("maand"):
        return _add_months(reference, n), DatePrecision.DAY
    if unit.startswith("kwarta"):
        return _add_months(reference, 3 * n), DatePrecision.DAY
    return _add_months(reference, 12 * n), DatePrecision.DAY


def _weekday(p: _Phrase, reference: date) -> _Resolution:
    delta = (WEEKDAYS[p.groups["wd"].casefold()] - reference.weekday()) % 7 or 7
    return reference + timedelta(days=delta), DatePrecision.DAY


def _tomorrow(p: _Phrase, reference: date) -> _Resolution:
    return reference + timedelta(days=2 if p.groups["rel"].casefold() == "overmorgen" else 1), DatePrecision.DAY


# Expressions that name their date (a reference only fills in a missing year) ...
_ABSOLUTE: dict[str, Callable[[_Phrase, date | None], _Resolution]] = {
    "day_month": _day_month,
    "quarter": _quarter,
    "quarter_q": _quarter_q,
    "season": _season,
    "month": _month,
    "year": _year,
}
# ... and expressions counted from the reference, which resolve to nothing without one.
_RELATIVE: dict[str, Callable[[_Phrase, date], _Resolution]] = {
    "rel_year": _relative_year,
    "rel_period": _relative_period,
    "within": _within,
    "weekday": _weekday,
    "tomorrow": _tomorrow,
}


def _resolve(kind: str, m: re.Match[str], reference: date | None) -> _Resolution:
    if kind == "vague":
        return _UNRESOLVED
    text = m.group(0)
    phrase = _Phrase(m.groupdict(), _is_before(text), _lead_word(text))
    absolute = _ABSOLUTE.get(kind)
    if absolute is not None:
        return absolute(phrase, reference)
    relative = _RELATIVE.get(kind)
    if relative is None or reference is None:
        return _UNRESOLVED
    return relative(phrase, reference)


def find_deadline(text: str, *, weekdays: bool = True) -> DeadlineMatch | None:
    """The first (then longest) deadline expression in ``text``, or None.

    ``weekdays=False`` skips bare weekdays, which in reported speech usually date the report
    ("zei Starmer zondag"), not the commitment.
    """
    best: DeadlineMatch | None = None
    for kind, rx in _COMPILED:
        if kind == "weekday" and not weekdays:
            continue
        for m in rx.finditer(text):
            if kind == "year" and not _plausible_year_context(text, m):
                continue
            if kind == "rel_year" and m.group("rel").casefold() == "vorig":
                continue
            cand = DeadlineMatch(m.group(0), m.start(), m.end(), kind)
            if best is None or (cand.start, -(cand.end - cand.start)) < (
                best.start,
                -(best.end - best.start),
            ):
                best = cand
            break
    return best


def _plausible_year_context(text: str, m: re.Match[str]) -> bool:
    # "2026" alone may be an amount ("2026 woningen"); a year needs a lead word or to end the phrase
    if _lead_word(m.group(0)) and not m.group(0)[0].isdigit():
        return True
    after = text[m.end() : m.end() + 2]
    return not re.match(r"\s?[a-z]", after)


def resolve_deadline(text: str, reference: date | None) -> tuple[date | None, DatePrecision | None]:
    """Resolve one deadline expression against ``reference`` (the article's date).

    Returns ``(None, None)`` for vague or unknown expressions, and for relative ones without a
    reference.
    """
    stripped = text.strip()
    for kind, rx in _COMPILED:
        m = rx.search(stripped)
        if m is not None and m.start() == 0:
            return _resolve(kind, m, reference)
    for kind, rx in _COMPILED:  # the expression may carry extra words around it
        m = rx.search(stripped)
        if m is not None:
            return _resolve(kind, m, reference)
    log.debug("no deadline pattern matches %r", text)
    return None, None
