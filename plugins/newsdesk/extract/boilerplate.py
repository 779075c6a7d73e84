"""Lines that survive trafilatura but are not article text: bylines, credits, prompts, 'Lees ook'.

Rules are short, language-aware patterns on short lines only; a long paragraph is never
dropped here, so a false positive costs at most one short line.
"""

from __future__ import annotations

import re

# Only lines up to this length are candidates for removal.
_SHORT = 160

_PATTERNS = [
    # related-content prompts
    r"^(lees|bekijk|zie|luister) (ook|meer|hier)\b",
    r"^(read|see|watch|listen)( also| more)?\s*:",
    r"^(also read|read more|related( articles| stories)?|more on this|more from)\b",
    r"^(lesen sie (auch|mehr)|mehr zum thema|auch interessant|das könnte sie auch interessieren)\b",
    r"^(à lire aussi|lire aussi|voir aussi)\b",
    # photo and video credits / captions
    r"^(foto|beeld|afbeelding|video|photo|image|picture|bild|credit)s?\s*[:©]",
    r"^©",
    r"^(foto|beeld)\s*(anp|reuters|ap|afp|epa|getty|hollandse hoogte)\b",
    # share / follow / newsletter / cookie prompts
    r"^(deel|delen|share|teilen|partager)( dit| this| dieses)?( artikel| article| story)?\s*[:.!]?$",
    r"\b(schrijf je in|meld je aan|aanmelden) (voor|op) (onze|de|het) .*nieuwsbrief",
    r"\bnieuwsbrief\b.*\b(aanmelden|inschrijven|ontvang)\b",
    r"\b(sign up|subscribe) (to|for) (our|the) .*newsletter\b",
    r"\b(cookies?)\b.*\b(accepteer|akkoord|toestemming|accept|consent|instellingen|settings)\b",
    r"^(volg|follow) (ons|us|de|the) ",
    r"^(reageer|reacties|comments?|kommentare)\s*(\(\d+\))?\s*:?$",
    # subscription prompts around a paywall (the article itself is kept and flagged paywalled)
    r"^(lees|lees hier) verder (met|als|voor|in)\b",
    r"\b(exclusief|alleen) voor (abonnees|leden|members)\b",
    r"\b(word|wordt|bent u al|ben je al|ik ben al) (abonnee|lid)\b",
    r"\bproefabonnement\b",
    r"^(continue reading|already a subscriber|subscribe (now|today|to continue|to read))\b",
    r"\bthis (article|story|content) is (only )?(for|available to|exclusive to) (subscribers|members)\b",
    r"\b(nur für abonnenten|jetzt abonnieren|weiterlesen mit|bereits abonnent)\b",
    r"\b(réservé aux abonnés|abonnez-vous|déjà abonné)\b",
    # bylines and datelines repeated as paragraphs
    r"^(door|by|von|par|por)\s+[\w.'-]+(\s+[\w.'-]+){0,4}\s*$",
    r"^(door|by|von|par|por)\s+[\w.'-]+(\s+[\w.'-]+){0,4}\s*([,|·•-]|\bop\b|\bon\b)",
    r"^(gepubliceerd|bijgewerkt|laatste update|geplaatst)\b.{0,60}$",
    r"^(published|updated|veröffentlicht|aktualisiert)\b.{0,60}$",
    r"^\d{1,2}(-|\s)\w+(-|\s)\d{4}(,?\s+\d{1,2}[:.]\d{2})?$",
    r"^\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2})?$",
]
_BOILERPLATE = re.compile("|".join(f"(?:{p})" for p in _PATTERNS), re.IGNORECASE)


def is_boilerplate(line: str) -> bool:
    return len(line) <= _SHORT and _BOILERPLATE.search(line) is not None


def clean(blocks: list[str], *, title: str | None, authors: tuple[str, ...]) -> list[str]:
    """Drop boilerplate lines, the title repeated as a paragraph, author-only lines, repeats."""
    title_key = title.casefold().strip() if title else None
    author_keys = {a.casefold() for a in authors}
    out: list[str] = []
    seen: set[str] = set()
    for block in blocks:
        key = block.casefold()
        if key == title_key or key in author_keys or is_boilerplate(block):
            continue
        # the same paragraph twice (teaser repeated above the body, sticky pull quotes)
        if key in seen and len(block) > 30:
            continue
        seen.add(key)
        out.append(block)
    return out
