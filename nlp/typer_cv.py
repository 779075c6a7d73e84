"""Cross-validated type accuracy of the entity typer on ned.train, folds by article.

    .venv/bin/python nlp/typer_cv.py [--knowledge nlp/.work/knowledge] [--no-knowledge] [--folds 5]
                                     [--fraction 0.5] [--no-outside-names] [--work nlp/.work]

For each fold the typer is fitted on the gold spans of the other folds' articles (its lexicon too)
and types the gold spans of the fold's articles; prints the type accuracy overall and per gold
label and the commonest confusions. This is where the typer's features are chosen: ned.testa is
never looked at, and the dev slice (19 articles) is too small to tell small differences apart.
``--fraction`` fits each fold on that share of the other folds' articles (the same articles for
every fold: corpora.sample_articles) and still types every held-out span: a learning curve.
The typer reads the outside name counts (nlp/outside_names.py) as the recipe's does, unless
``--no-outside-names``.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import json  # noqa: E402
import logging  # noqa: E402
import sys  # noqa: E402
from collections import Counter  # noqa: E402
from pathlib import Path  # noqa: E402

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "plugins"))

import corpora  # noqa: E402
import outside_names  # noqa: E402


def cross_validate(
    folds: int,
    knowledge: Path | None,
    corpora_root: Path,
    l2: float = 1.0,
    errors: list[str] | None = None,
    fraction: float = 1.0,
    names: dict[str, list[int]] | None = None,
) -> dict[str, object]:
    import spacy

    from newsdesk.analyze import typer

    nlp = spacy.load(knowledge) if knowledge else spacy.blank("nl")
    articles = corpora.ner_articles(nlp.vocab, corpora_root)
    from spacy.tokens import Doc

    # whole articles, as newsdesk analyses them
    train = [[Doc.from_docs(article)] for article in articles["train"]]
    table = typer.KnowledgeTable.of(nlp.vocab)
    catalog = typer.catalog_types(_catalog_entries())
    spans = typer.gold_spans(train)
    kept = set(corpora.sample_articles(len(train), fraction))
    right: Counter[str] = Counter()
    total: Counter[str] = Counter()
    confusion: Counter[str] = Counter()
    for fold in range(folds):
        fit_on = [s for s in spans if s.group % folds != fold and s.group in kept]
        model = typer.train_typer(fit_on, l2=l2, catalog=catalog, table=table, ner_bonus=0.0, names=names)
        held = [a for i, a in enumerate(train) if i % folds == fold]
        for docs in held:
            for doc in docs:
                ents = [(e.start, e.end, "") for e in doc.ents]
                for ent, label in zip(doc.ents, model.relabel(doc, ents), strict=True):
                    total[ent.label_] += 1
                    right[ent.label_] += label == ent.label_
                    if label != ent.label_:
                        confusion[f"{ent.label_}->{label}"] += 1
                        if errors is not None:
                            errors.append(
                                f"{ent.label_}->{label}\t{ent.text}\t{doc[max(0, ent.start - 4) : ent.end + 3].text}"
                            )
        logging.info("fold %d: %d/%d right so far", fold, sum(right.values()), sum(total.values()))
    return {
        "knowledge": str(knowledge) if knowledge else None,
        "l2": l2,
        "fraction": fraction,
        "outside_names": len(names or {}),
        # articles each fold's typer is fitted on, on average
        "fitted_on_articles": round(sum(1 for g in kept for fold in range(folds) if g % folds != fold) / folds, 1),
        "type_acc": round(sum(right.values()) / sum(total.values()), 4),
        "per_label": {label: round(right[label] / total[label], 4) for label in sorted(total)},
        "confusion": dict(confusion.most_common(8)),
    }


def _catalog_entries() -> list[tuple[str, str, tuple[str, ...]]]:
    from newsdesk.analyze.entities import load_entity_catalog

    catalog = load_entity_catalog(HERE.parent / "seeds" / "entities.csv")
    return [(e.canonical, str(e.label), e.aliases) for e in catalog.entries]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--knowledge", type=Path, default=HERE / ".work" / "knowledge")
    parser.add_argument("--no-knowledge", action="store_true")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--l2", type=float, default=1.0)
    parser.add_argument("--fraction", type=float, default=1.0, help="fit on this share of the training articles")
    parser.add_argument(
        "--no-outside-names", action="store_true", help="without the name counts of nlp/outside_names.py"
    )
    parser.add_argument("--work", type=Path, default=HERE / ".work", help="where outside_names finds or fetches them")
    parser.add_argument("--corpora")
    parser.add_argument(
        "--errors", type=Path, help="write the mistyped spans to this file (CoNLL text: not for the repo)"
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    errors: list[str] = []
    result = cross_validate(
        args.folds,
        None if args.no_knowledge else args.knowledge,
        corpora.corpora_dir(args.corpora),
        args.l2,
        errors,
        args.fraction,
        None if args.no_outside_names else outside_names.read_counts(outside_names.lexicon_file(args.work)),
    )
    if args.errors:
        args.errors.write_text("\n".join(errors) + "\n", encoding="utf-8")
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
