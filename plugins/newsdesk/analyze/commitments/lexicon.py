"""The commitment cue lexicon (``cues.tsv``) and the small word lists the decisions share.

Owns the data: which words signal a commitment, of which kind and firmness, with which
constraints. Code elsewhere asks ``cue_for(token)``; nothing else knows a cue word.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from newsdesk.errors import ConfigError
from newsdesk.models import CommitmentKind, Firmness

CUES_FILE = Path(__file__).with_name("cues.tsv")
_COLUMNS = (
    "lemma",
    "pos",
    "kind",
    "firmness",
    "particle",
    "reflexive",
    "agentive",
    "speech",
    "negative",
    "light",
    "compound",
    "forms",
)
_POS = frozenset("verb aux adj noun phrase action decision".split())


@dataclass(frozen=True, slots=True)
class Cue:
    """One row of cues.tsv."""

    lemma: str
    pos: str
    kind: CommitmentKind
    firmness: Firmness
    particle: str | None
    reflexive: bool
    agentive: bool
    speech: bool
    negative: bool
    light: frozenset[str]
    compound: bool
    forms: frozenset[str]

    @property
    def any_light(self) -> bool:
        return "*" in self.light


@dataclass(frozen=True, slots=True)
class Lexicon:
    verbs: dict[str, Cue]  # lemma (particle joined) -> cue
    forms: dict[str, Cue]  # surface forms that count whatever their tag
    auxiliaries: dict[str, Cue]  # zullen, gaan
    adjectives: dict[str, Cue]
    nouns: dict[str, Cue]
    phrases: dict[tuple[str, ...], Cue]
    particles: frozenset[str]
    actions: dict[str, Cue]  # verbs stating a decided act in the present tense (pos action or decision)
    phrase_starts: frozenset[str]  # the first words of the phrases, to skip every other token fast

    def noun(self, lemma: str) -> Cue | None:
        """The noun cue for ``lemma``, also as the head of a compound ("principeovereenkomst")."""
        cue = self.nouns.get(lemma)
        if cue is not None:
            return cue
        for word, candidate in self.nouns.items():
            if candidate.compound and len(lemma) > len(word) + 2 and lemma.endswith(word):
                return candidate
        return None


def _flag(value: str, where: str) -> bool:
    if value not in ("yes", "no"):
        raise ConfigError(f"{where}: expected yes or no, got {value!r}")
    return value == "yes"


def parse_lexicon(text: str, source: str = "cues.tsv") -> Lexicon:
    """Parse the TSV text of a cue lexicon; any malformed row is a ConfigError naming its line."""
    verbs: dict[str, Cue] = {}
    forms: dict[str, Cue] = {}
    auxiliaries: dict[str, Cue] = {}
    adjectives: dict[str, Cue] = {}
    nouns: dict[str, Cue] = {}
    phrases: dict[tuple[str, ...], Cue] = {}
    actions: dict[str, Cue] = {}
    particles: set[str] = set()
    for lineno, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        cells = line.split("\t")
        where = f"{source}:{lineno}"
        if len(cells) != len(_COLUMNS):
            raise ConfigError(f"{where}: {len(cells)} columns, expected {len(_COLUMNS)} ({', '.join(_COLUMNS)})")
        row = dict(zip(_COLUMNS, (c.strip() for c in cells), strict=True))
        if row["pos"] not in _POS:
            raise ConfigError(f"{where}: unknown pos {row['pos']!r}")
        try:
            kind = CommitmentKind(row["kind"])
            firmness = Firmness(row["firmness"])
        except ValueError as exc:
            raise ConfigError(f"{where}: {exc}") from exc
        cue = Cue(
            lemma=row["lemma"],
            pos=row["pos"],
            kind=kind,
            firmness=firmness,
            particle=None if row["particle"] == "-" else row["particle"],
            reflexive=_flag(row["reflexive"], where),
            agentive=_flag(row["agentive"], where),
            speech=_flag(row["speech"], where),
            negative=_flag(row["negative"], where),
            light=frozenset() if row["light"] == "-" else frozenset(row["light"].split("|")),
            compound=_flag(row["compound"], where),
            forms=frozenset() if row["forms"] == "-" else frozenset(row["forms"].split()),
        )
        table = {
            "verb": verbs,
            "aux": auxiliaries,
            "adj": adjectives,
            "noun": nouns,
            "action": actions,
            "decision": actions,
        }.get(cue.pos)
        if cue.pos == "phrase":
            phrases[tuple(cue.lemma.split())] = cue
        elif table is not None:
            if cue.lemma in table:
                raise ConfigError(f"{where}: {cue.lemma!r} is listed twice")
            table[cue.lemma] = cue
        for form in cue.forms:
            forms[form] = cue
        if cue.particle:
            particles.add(cue.particle)
    starts = frozenset(words[0] for words in phrases)
    return Lexicon(verbs, forms, auxiliaries, adjectives, nouns, phrases, frozenset(particles), actions, starts)


@lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    """The bundled lexicon, read once per process."""
    return parse_lexicon(_read(CUES_FILE, "commitment cue lexicon"), CUES_FILE.name)


def _read(path: Path, what: str) -> str:
    """A data file shipped with the package; a missing or unreadable one is a ConfigError."""
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{what} {path} cannot be read: {exc}") from exc


# --------------------------------------------------------------------------- shared word lists
# Small closed classes the decisions use. They are grammar, not cues: a new cue goes in cues.tsv.

NEGATIONS = frozenset("niet geen nooit niets niemand nergens".split())
# Modal verbs that put an obligation or a possibility on the action: "moet ... doen" is not a promise.
# Conjunctions that join two clauses: a modal before one does not govern the verb after it.
CLAUSE_JOINS = frozenset("en maar of want".split())
OBLIGATION_MODALS = frozenset("moeten kunnen mogen hoeven".split())
# Their finite forms, which the lemmatizer does not reduce when the tagger calls them AUX.
MODAL_FORMS = {
    **dict.fromkeys("moet moeten moest moesten".split(), "moeten"),
    **dict.fromkeys("kan kun kunt kunnen kon konden".split(), "kunnen"),
    **dict.fromkeys("mag mogen mocht mochten".split(), "mogen"),
    **dict.fromkeys("hoef hoeft hoeven hoefde hoefden".split(), "hoeven"),
}
# Verbs whose clause is a demand on someone else ("vraagt de partijen om ...", "eist dat ...").
DEMAND_VERBS = frozenset("vragen eisen oproepen verzoeken dwingen aandringen opdragen sommeren verlangen".split())
# Verbs that report a belief, forecast or hope: what they report is not a commitment.
BELIEF_VERBS = frozenset(
    "verwachten denken voorspellen vinden vrezen hopen menen geloven vermoeden betwijfelen twijfelen "
    "rekenen inschatten".split()
)
# First-person forms of belief verbs the tagger takes for nouns ("Ik hoop dat ...", "We vrezen dat
# ..."): the form and the verb it is a form of.
BELIEF_NOUN_FORMS = {
    "hoop": "hopen",
    "hopen": "hopen",
    "vrees": "vrezen",
    "vrezen": "vrezen",
    "verwacht": "verwachten",
    "denk": "denken",
    "meen": "menen",
    "geloof": "geloven",
    "vermoed": "vermoeden",
    "twijfel": "twijfelen",
}
# Verbs that report speech: their subject is the speaker ("zei", "meldt", "kondigt aan").
REPORTING_VERBS = frozenset(
    "zeggen stellen benadrukken melden verklaren vertellen bevestigen herhalen schrijven onderstrepen "
    "verzekeren beweren antwoorden reageren twitteren toelichten waarschuwen bekendmaken aankondigen "
    "laten_weten zeggen_erbij aangeven verduidelijken opmerken toevoegen uitleggen preciseren "
    "meedelen mededelen onthullen".split()
)
REPORTING_FORMS = frozenset(
    "zei zegt zeiden gezegd stelde benadrukte benadrukt meldde verklaarde vertelde bevestigde herhaalde "
    "schreef onderstreepte verzekerde beweerde antwoordde reageerde waarschuwde aldus".split()
)
HEDGES = frozenset(
    "waarschijnlijk vermoedelijk wellicht mogelijk misschien allicht eventueel ongetwijfeld vast zeker "
    "wellicht hopelijk".split()
)
HEDGE_PHRASES = ("naar verwachting", "naar alle waarschijnlijkheid", "in principe")
# Adverbs of duration and habit: with them a present tense describes how things are or go
# ("betaalt nog altijd", "speelt elke week"), not a decided act.
HABITUAL = (
    "nog altijd",
    "nog steeds",
    "telkens",
    "gewoonlijk",
    "meestal",
    "doorgaans",
    "vaak",
    "elke week",
    "elk jaar",
    "ieder jaar",
    "jaarlijks",
    "maandelijks",
    "wekelijks",
    "dagelijks",
    "altijd",
)
# Verbs whose subject undergoes rather than acts: "de prijzen zullen stijgen" is a forecast.
OUTCOME_VERBS = frozenset(
    "stijgen dalen groeien krimpen toenemen afnemen regenen sneeuwen vriezen waaien uitvallen winnen verliezen "
    "gebeuren ontstaan verdwijnen veranderen duren blijken lijken overlijden sterven vallen kosten bedragen "
    "heten betekenen missen voelen kennen lukken mislukken slagen krijgen ontvangen bereiken halen verdienen".split()
)
# Verbs of state and description: "De tentoonstelling loopt tot ...", "Het reglement geldt sinds 1981".
STATE_VERBS = frozenset(
    "liggen staan zitten gelden omvatten dateren bestaan behelzen bevatten hangen lopen passen tellen "
    "ergeren steunen wonen werken spelen heersen overheersen domineren ontbreken".split()
)
# "willen weten", "willen horen": a demand for information, never a commitment.
INFORMATION_VERBS = frozenset("weten horen begrijpen snappen zien".split())
CONDITION_MARKERS = frozenset("als indien mits tenzij wanneer zodra".split())
# Heads of time phrases: never an actor ("vorig jaar"), and before the finite verb an adverbial
# after which the subject follows ("Morgen pakt Kanaal 2 uit", "Dit jaar beginnen we").
TIME_WORDS = frozenset(
    "jaar jaren maand maanden week weken dag dagen eeuw kwartaal seizoen ochtend middag avond nacht "
    "weekend zomer winter lente herfst voorjaar najaar tijd keer moment periode vandaag morgen gisteren "
    "overmorgen straks nu binnenkort januari februari maart april mei juni juli augustus september "
    "oktober november december maandag dinsdag woensdag donderdag vrijdag zaterdag zondag begin eind einde".split()
)
QUOTE_CHARS = "\"'“”„‘’«»"


# --------------------------------------------------------------------------- actor nouns

ACTOR_NOUNS_FILE = Path(__file__).with_name("actor_nouns.tsv")
NOUN_CLASSES = frozenset("person organisation government collective inert".split())
# Plural endings of nouns for people ("dermatologen", "Europeanen", "werkgevers"): they can act.
_PEOPLE_ENDINGS = ("ers", "aars", "isten", "logen", "anten", "enten", "ici", "anen", "ianen", "euren", "eurs")


@dataclass(frozen=True, slots=True)
class ActorNouns:
    classes: dict[str, str]  # noun lemma -> class
    titles: frozenset[str]
    inert: frozenset[str] = frozenset()  # nouns for what never acts: the weather, prices ("het koufront")
    _heads: dict[str, str | None] = field(default_factory=dict, compare=False, repr=False)  # lemma -> _head

    def _head(self, lemma: str) -> str | None:
        if lemma in self.classes:
            return lemma
        if lemma in self._heads:  # the compound search below walks every noun: once per word
            return self._heads[lemma]
        head = self._compound_head(lemma)
        if len(self._heads) > 100_000:  # a long-running worker meets new words forever
            self._heads.clear()
        self._heads[lemma] = head
        return head

    def _compound_head(self, lemma: str) -> str | None:
        # compounds count by their head: "FNV-voorzitter", "coalitiepartij", "seniorenpartij"
        best = None
        for noun in self.classes:
            if len(lemma) > len(noun) + 2 and lemma.endswith(noun) and (best is None or len(noun) > len(best)):
                best = noun
        return best

    def noun_class(self, lemma: str) -> str | None:
        head = self._head(lemma.casefold())
        return self.classes[head] if head is not None else None

    def is_title(self, word: str) -> bool:
        head = self._head(word.casefold())
        return head is not None and head in self.titles

    def is_inert(self, lemma: str) -> bool:
        """The weather, a price, inflation: a subject that cannot commit ("koufront" by its head too)."""
        low = lemma.casefold()
        return low in self.inert or any(len(low) > len(n) + 2 and low.endswith(n) for n in self.inert)

    def can_act(self, lemma: str, plural: bool) -> bool:
        """A noun whose referent can commit: an actor noun, or a plural of people."""
        low = lemma.casefold()
        return self.noun_class(low) is not None or (plural and low.endswith(_PEOPLE_ENDINGS))


def parse_actor_nouns(text: str, source: str = "actor_nouns.tsv") -> ActorNouns:
    classes: dict[str, str] = {}
    titles: set[str] = set()
    inert: set[str] = set()
    for lineno, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        cells = [c.strip() for c in line.split("\t")]
        if len(cells) != 3 or cells[1] not in NOUN_CLASSES or cells[2] not in ("yes", "no"):
            raise ConfigError(f"{source}:{lineno}: expected noun, class ({', '.join(sorted(NOUN_CLASSES))}), yes|no")
        if cells[0] in classes or cells[0] in inert:
            raise ConfigError(f"{source}:{lineno}: {cells[0]!r} is listed twice")
        if cells[1] == "inert":
            inert.add(cells[0])
            continue
        classes[cells[0]] = cells[1]
        if cells[2] == "yes":
            titles.add(cells[0])
    return ActorNouns(classes, frozenset(titles), frozenset(inert))


@lru_cache(maxsize=1)
def actor_nouns() -> ActorNouns:
    return parse_actor_nouns(_read(ACTOR_NOUNS_FILE, "actor noun list"), ACTOR_NOUNS_FILE.name)
