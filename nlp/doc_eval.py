"""NER of a pipeline on whole CoNLL-2002 documents, as newsdesk's analyzer sees them.

    .venv/bin/python nlp/doc_eval.py [--model DIR] [--split test|dev] [--errors FILE] [--json-out FILE]

Each article is one text, one sentence per line, tokens joined by spaces; the pipeline tokenizes
it itself (its sentence boundaries, its tokens) and its ``doc.ents`` are matched to the gold
entities by character offsets. That is what the mentions of ``newsdesk analyze`` are made of, so
these figures are the product's, where bench/nlp_eval.py scores 10-sentence chunks on gold
tokens. Prints a table and one JSON line; ``--errors`` writes every missed, spurious and
mistyped entity with its sentence, for reading (CoNLL text: keep that file out of the repo).

Owns the whole-document reading of the corpus and the span scoring; the splits are corpora.py's.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402
from collections import Counter  # noqa: E402
from collections.abc import Iterable, Sequence  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import TYPE_CHECKING  # noqa: E402

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT / "plugins"))

import corpora  # noqa: E402

if TYPE_CHECKING:
    from spacy.language import Language

LABELS = ("LOC", "MISC", "ORG", "PER")
BUNDLED = ROOT / "plugins" / "newsdesk" / "analyze" / "bundled" / "nl_newsdesk"

Span = tuple[int, int, str]  # character start, end, label


@dataclass(frozen=True, slots=True)
class GoldDocument:
    text: str
    ents: tuple[Span, ...]


def gold_documents(articles: Sequence[Sequence[Sequence[tuple[str, str]]]]) -> list[GoldDocument]:
    """CoNLL articles (sentences of (token, IOB2 tag)) -> texts with character-offset entities."""
    out: list[GoldDocument] = []
    for article in articles:
        parts: list[str] = []
        ents: list[Span] = []
        offset = 0
        for s, sentence in enumerate(article):
            if s:
                parts.append("\n")
                offset += 1
            current: list[int | str] | None = None
            for t, (token, tag) in enumerate(sentence):
                if t:
                    parts.append(" ")
                    offset += 1
                start, end = offset, offset + len(token)
                parts.append(token)
                offset = end
                if tag.startswith("B-") or (tag.startswith("I-") and (current is None or current[2] != tag[2:])):
                    if current is not None:
                        ents.append((int(current[0]), int(current[1]), str(current[2])))
                    current = [start, end, tag[2:]]
                elif tag.startswith("I-") and current is not None:
                    current[1] = end
                else:
                    if current is not None:
                        ents.append((int(current[0]), int(current[1]), str(current[2])))
                    current = None
            if current is not None:
                ents.append((int(current[0]), int(current[1]), str(current[2])))
        out.append(GoldDocument("".join(parts), tuple(ents)))
    return out


def predicted_spans(doc: object) -> list[Span]:
    """``doc.ents`` as character spans, surrounding whitespace trimmed."""
    out: list[Span] = []
    for ent in doc.ents:  # type: ignore[attr-defined]
        text = ent.text
        start = ent.start_char + (len(text) - len(text.lstrip()))
        end = ent.end_char - (len(text) - len(text.rstrip()))
        if end > start:
            out.append((start, end, ent.label_))
    return out


def score(gold: Iterable[Sequence[Span]], predicted: Iterable[Sequence[Span]]) -> dict[str, object]:
    """Typed P/R/F1 overall and per label, untyped F1, type accuracy of boundary-matched spans."""
    tp: Counter[str] = Counter()
    n_gold: Counter[str] = Counter()
    n_pred: Counter[str] = Counter()
    matched = typed = 0
    confusion: Counter[tuple[str, str]] = Counter()
    for g, p in zip(gold, predicted, strict=True):
        truth = {(s, e): label for s, e, label in g}
        n_gold.update(label for _, _, label in g)
        n_pred.update(label for _, _, label in p)
        for s, e, label in p:
            if (s, e) in truth:
                matched += 1
                typed += truth[(s, e)] == label
                tp[label] += truth[(s, e)] == label
                if truth[(s, e)] != label:
                    confusion[(truth[(s, e)], label)] += 1

    def prf(hits: int, pred: int, gold_n: int) -> dict[str, float]:
        p = hits / pred if pred else 0.0
        r = hits / gold_n if gold_n else 0.0
        return {"p": round(p, 4), "r": round(r, 4), "f": round(2 * p * r / (p + r) if p + r else 0.0, 4)}

    total_gold, total_pred = sum(n_gold.values()), sum(n_pred.values())
    overall = prf(typed, total_pred, total_gold)
    return {
        **overall,
        "per_label": {label: prf(tp[label], n_pred[label], n_gold[label]) for label in LABELS},
        "untyped_f": round(2 * matched / (total_pred + total_gold), 4) if total_pred + total_gold else 0.0,
        "type_acc": round(typed / matched, 4) if matched else 0.0,
        "gold": total_gold,
        "predicted": total_pred,
        "confusion": {f"{g}->{p}": n for (g, p), n in confusion.most_common()},
    }


def errors(documents: Sequence[GoldDocument], predicted: Sequence[Sequence[Span]]) -> list[dict[str, object]]:
    """Every missed, spurious and mistyped entity, with its line of text."""
    out: list[dict[str, object]] = []
    for index, (doc, pred) in enumerate(zip(documents, predicted, strict=True)):
        truth = {(s, e): label for s, e, label in doc.ents}
        guessed = {(s, e): label for s, e, label in pred}

        def line(start: int, text: str = doc.text) -> str:
            return text[text.rfind("\n", 0, start) + 1 : (text.find("\n", start) + 1 or len(text) + 1) - 1]

        for (s, e), label in truth.items():
            if (s, e) not in guessed:
                out.append({"doc": index, "kind": "missed", "gold": label, "text": doc.text[s:e], "line": line(s)})
            elif guessed[(s, e)] != label:
                out.append(
                    {
                        "doc": index,
                        "kind": "mistyped",
                        "gold": label,
                        "pred": guessed[(s, e)],
                        "text": doc.text[s:e],
                        "line": line(s),
                    }
                )
        for (s, e), label in guessed.items():
            if (s, e) not in truth:
                out.append({"doc": index, "kind": "spurious", "pred": label, "text": doc.text[s:e], "line": line(s)})
    return out


def load(model: str | Path) -> Language:
    from newsdesk.analyze.nlp import load_nlp

    return load_nlp(None if Path(model).resolve() == BUNDLED.resolve() else str(model))


def documents_of(split: str, corpora_root: Path) -> list[GoldDocument]:
    """Whole articles of a split: test = ned.testa, dev/train = corpora.py's slices of ned.train."""
    if split == "test":
        return gold_documents(corpora.read_conll2002(corpora_root / "conll2002-nl" / "ned.testa"))
    articles = corpora.read_conll2002(corpora_root / "conll2002-nl" / "ned.train")
    every = corpora.NER_DEV_EVERY
    keep = (lambda i: i % every == every - 1) if split == "dev" else (lambda i: i % every != every - 1)
    return gold_documents([a for i, a in enumerate(articles) if keep(i)])


def evaluate(nlp: Language, documents: Sequence[GoldDocument]) -> tuple[dict[str, object], list[list[Span]]]:
    predicted = [predicted_spans(doc) for doc in nlp.pipe((d.text for d in documents), batch_size=16)]
    return score([d.ents for d in documents], predicted), predicted


def print_table(name: str, figures: dict[str, object]) -> None:
    print(
        f"{name}: P / R / F1 {figures['p']} / {figures['r']} / {figures['f']}   "
        f"untyped F1 {figures['untyped_f']}   type accuracy {figures['type_acc']}"
    )
    per_label = figures["per_label"]
    assert isinstance(per_label, dict)
    for label, s in per_label.items():
        print(f"  {label:<5} P / R / F1 {s['p']} / {s['r']} / {s['f']}")
    print(f"  confusions (gold->predicted): {figures['confusion']}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=str(BUNDLED))
    parser.add_argument("--corpora", help="default $NEWSDESK_CORPORA or /work/shared/corpora")
    parser.add_argument("--split", default="test", choices=("test", "dev"))
    parser.add_argument("--errors", type=Path, help="write the errors as JSON lines to this file")
    parser.add_argument("--json-out", type=Path)
    args = parser.parse_args(argv)
    documents = documents_of(args.split, corpora.corpora_dir(args.corpora))
    figures, predicted = evaluate(load(args.model), documents)
    figures = {"model": args.model, "split": args.split, "documents": len(documents), **figures}
    print_table(f"whole documents ({args.split})", figures)
    line = json.dumps(figures, ensure_ascii=False)
    print(line)
    if args.json_out:
        args.json_out.write_text(line + "\n", encoding="utf-8")
    if args.errors:
        with args.errors.open("w", encoding="utf-8") as handle:
            for row in errors(documents, predicted):
                handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
