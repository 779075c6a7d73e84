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
from dataclasses import dataclass
from datetime import date, timedelta

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


def _resolve(kind: str, m: re.Match[str], reference: date | None) -> tuple[date | None, DatePrecision | None]:
    text = m.group(0)
    before = _is_before(text)
    lead = _lead_word(text)
    g = m.groupdict()
    if kind == "vague":
        return None, None
    if kind == "day_month":
        month, day = MONTHS[g["month"].casefold()], int(g["day"])
        year = int(g["year"]) if g["year"] else None
        if year is None:
            if reference is None:
                return None, None
            year = reference.year
            if date(year, month, min(day, calendar.monthrange(year, month)[1])) < reference:
                year += 1
        try:
            result = date(year, month, day)
        except ValueError:
            return None, None
        return (result - timedelta(days=1) if before else result), DatePrecision.DAY
    if kind in ("quarter", "quarter_q"):
        q = ORDINALS[g["ord"].casefold()] if kind == "quarter" else int(g["q"])
        year = _year_of(g.get("year"), reference)
        if year is None:
            if reference is None:
                return None, None
            year = reference.year + (1 if q * 3 < reference.month else 0)
        if before:
            start = date(year, q * 3 - 2, 1)
            return start - timedelta(days=1), DatePrecision.QUARTER
        return _last_day(year, q * 3), DatePrecision.QUARTER
    if kind == "season":
        (sm, sd), (em, ed) = SEASONS[g["season"].casefold()]
        year = _year_of(g.get("year"), reference)
        rel = (g.get("rel") or "").casefold()
        if year is None:
            if reference is None:
                return None, None
            year = reference.year
            if rel in ("volgende", "volgend", "komende", "komend", "aankomende") and date(year, sm, sd) <= reference:
                year += 1
            # the next one that has not ended yet ("in het voorjaar" said in November: next spring)
            end_year = year + (1 if (em, ed) < (sm, sd) else 0)
            if date(end_year, em, ed) < reference:
                year += 1
        start = date(year, sm, sd)
        end = date(year + (1 if (em, ed) < (sm, sd) else 0), em, ed)
        if before:
            return start - timedelta(days=1), DatePrecision.SEASON
        return end, DatePrecision.SEASON
    if kind == "month":
        month = MONTHS[g["month"].casefold()]
        year = int(g["year"]) if g["year"] else None
        if year is None:
            if reference is None:
                return None, None
            year = reference.year + (1 if month < reference.month else 0)
        if before:
            return date(year, month, 1) - timedelta(days=1), DatePrecision.MONTH
        return _last_day(year, month), DatePrecision.MONTH
    if kind == "year":
        year = int(g["year"])
        if before:
            return date(year - 1, 12, 31), DatePrecision.YEAR
        if lead.startswith("begin"):
            return date(year, 3, 31), DatePrecision.QUARTER
        if lead in ("medio", "half", "halverwege"):
            return date(year, 6, 30), DatePrecision.MONTH
        if lead.startswith("eind") or lead == "aan het eind":
            return date(year, 12, 31), DatePrecision.MONTH
        return date(year, 12, 31), DatePrecision.YEAR
    if reference is None:
        return None, None
    if kind == "rel_year":
        rel = g["rel"].casefold()
        if rel == "vorig":
            return None, None
        year = reference.year + (0 if rel == "dit" else 1)
        if before:
            return date(year - 1, 12, 31), DatePrecision.YEAR
        if lead.startswith("begin"):
            return date(year, 3, 31), DatePrecision.QUARTER
        if lead.startswith("eind"):
            return date(year, 12, 31), DatePrecision.MONTH
        return date(year, 12, 31), DatePrecision.YEAR
    if kind == "rel_period":
        rel, unit = g["rel"].casefold(), g["unit"].casefold()
        offset = 0 if rel == "deze" else 1
        if unit == "week":
            monday = reference - timedelta(days=reference.weekday()) + timedelta(weeks=offset)
            return (monday - timedelta(days=1) if before else monday + timedelta(days=6)), DatePrecision.DAY
        first = _add_months(reference.replace(day=1), offset)
        return (first - timedelta(days=1) if before else _last_day(first.year, first.month)), DatePrecision.MONTH
    if kind == "within":
        raw = g["n"].casefold()
        n = int(raw) if raw.isdigit() else NUMBERS.get(raw, 1)
        unit = g["unit"].casefold()
        if unit.startswith("dag"):
            return reference + timedelta(days=n), DatePrecision.DAY
        if unit.startswith("we"):
            return reference + timedelta(weeks=n), DatePrecision.DAY
        if unit.startswith("maand"):
            return _add_months(reference, n), DatePrecision.DAY
        if unit.startswith("kwarta"):
            return _add_months(reference, 3 * n), DatePrecision.DAY
        return _add_months(reference, 12 * n), DatePrecision.DAY
    if kind == "weekday":
        wd = WEEKDAYS[g["wd"].casefold()]
        delta = (wd - reference.weekday()) % 7 or 7
        return reference + timedelta(days=delta), DatePrecision.DAY
    if kind == "tomorrow":
        return reference + timedelta(days=2 if g["rel"].casefold() == "overmorgen" else 1), DatePrecision.DAY
    return None, None


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
