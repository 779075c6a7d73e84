"""Evaluate a spaCy pipeline on newsdesk's Dutch benchmarks; print a table and one JSON line.

    .venv/bin/python bench/nlp_eval.py [--model PATH_OR_NAME] [--corpora DIR] [--json-out FILE]
        [--product-only] [--product-split test|dev] [--errors FILE]

Figures: NER precision/recall/F1 overall and per label on CoNLL-2002 ned.testa (gold tokens),
the same on the dev slice of ned.train (what the recipe chooses on), untyped span F1 and the
type accuracy on spans with gold boundaries (where the NER errs: finding or typing),
UPOS / morphology / lemma accuracy, UAS / LAS and sentence F1 on the held-out UD Dutch slice
(see nlp/corpora.py), words per second on one core (nlp.pipe over raw ned.testa text), load time
and peak memory (ru_maxrss). The corpora folder defaults to $NEWSDESK_CORPORA or
/work/shared/corpora; the model to the bundled pipeline.

The product path: every ned.testa document (split at -DOCSTART-) as one text, one detokenised
sentence per line, through ``newsdesk.analyze.analyze_docs`` (what ``newsdesk analyze`` runs:
pipeline, entity resolution, commitments), its mentions' spans mapped back to the CoNLL tokens
and scored by exact match, overall and per label; beside it the pipeline's own ``doc.ents`` on
the same texts, so a loss or gain of the entity stage shows as the difference. ``--errors FILE``
writes every product-path error with its sentence, for reading (the corpus is research-use:
keep such files out of the repository). ``--product-split dev`` runs the product path on the dev
articles of ned.train instead, to choose entity rules without looking at ned.testa;
``--product-only`` skips everything else.
"""

from __future__ import annotations

import os

# One core, as the target deployment: pin BLAS/OpenMP before numpy is imported.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import json  # noqa: E402
import resource  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from collections.abc import Iterable  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import TYPE_CHECKING  # noqa: E402

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc
    from spacy.training import Example

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "nlp"))
sys.path.insert(0, str(ROOT / "plugins"))
BUNDLED = ROOT / "plugins" / "newsdesk" / "analyze" / "bundled" / "nl_newsdesk"


def _examples(nlp: Language, docs: Iterable[Doc]) -> list[Example]:
    from spacy.tokens import Doc
    from spacy.training import Example

    return [
        Example(Doc(nlp.vocab, words=[t.text for t in d], spaces=[bool(t.whitespace_) for t in d]), d) for d in docs
    ]


def run(model: str, corpora_root: Path) -> dict[str, object]:
    import corpora

    # Wall time and CPU time: on a shared machine the wall clock also counts other people's work;
    # with one thread, CPU time is the time the same work takes on one dedicated core.
    started, cpu_started = time.perf_counter(), time.process_time()
    from newsdesk.analyze.nlp import load_nlp

    # newsdesk's own loading path (what a worker pays), for the bundled pipeline or any other
    nlp = load_nlp(None if Path(model).resolve() == BUNDLED.resolve() else model)
    load_s, load_cpu_s = time.perf_counter() - started, time.process_time() - cpu_started

    splits = corpora.ner_splits(nlp.vocab, corpora_root)
    ner, ner_dev = splits["test"], splits["dev"]
    ud = corpora.ud_splits(corpora_root)["heldout"]
    ner_scores: dict[str, object] = {}
    split_scores: dict[str, dict[str, float]] = {}
    if "ner" in nlp.pipe_names:
        from spacy.scorer import get_ner_prf
        from spacy.training import Example

        from newsdesk.analyze.typer import typed_scores

        for name, docs in (("test", ner), ("dev", ner_dev)):
            predicted = list(nlp.pipe(eg.predicted for eg in _examples(nlp, docs)))
            if name == "test":
                ner_scores = get_ner_prf([Example(p, g) for p, g in zip(predicted, docs, strict=True)])
            split_scores[name] = typed_scores(docs, predicted)
    ud_scores = nlp.evaluate(_examples(nlp, ud))

    # Speed: raw text through the whole pipeline (tokenizer included), one process, one thread.
    texts = [d.text for d in ner]
    list(nlp.pipe(texts[:20]))  # warm-up
    started, cpu_started = time.perf_counter(), time.process_time()
    words = sum(len(doc) for doc in nlp.pipe(texts, batch_size=64))
    wps = words / (time.perf_counter() - started)
    wps_cpu = words / (time.process_time() - cpu_started)

    size_mb = (
        sum(p.stat().st_size for p in Path(model).rglob("*") if p.is_file()) / 1e6 if Path(model).exists() else None
    )
    per_type = {
        label: {k: round(float(v), 4) for k, v in s.items()}
        for label, s in sorted((ner_scores.get("ents_per_type") or {}).items())  # type: ignore[attr-defined]
    }
    test, dev = split_scores.get("test", {}), split_scores.get("dev", {})

    def _r(value: object) -> float | None:
        return None if value is None else round(float(value), 4)  # type: ignore[arg-type]

    return {
        "model": str(model),
        "pipeline": nlp.pipe_names,
        "model_version": nlp.meta.get("version"),
        "ner_p": _r(ner_scores.get("ents_p")),
        "ner_r": _r(ner_scores.get("ents_r")),
        "ner_f": _r(ner_scores.get("ents_f")),
        "ner_per_type": per_type,
        "ner_untyped_f": _r(test.get("untyped_f")),
        "ner_type_acc": _r(test.get("type_acc")),
        "ner_dev_p": _r(dev.get("p")),
        "ner_dev_r": _r(dev.get("r")),
        "ner_dev_f": _r(dev.get("f")),
        "ner_dev_untyped_f": _r(dev.get("untyped_f")),
        "ner_dev_type_acc": _r(dev.get("type_acc")),
        "upos_acc": _r(ud_scores.get("pos_acc")),
        "morph_acc": _r(ud_scores.get("morph_acc")),
        "lemma_acc": _r(ud_scores.get("lemma_acc")),
        "uas": _r(ud_scores.get("dep_uas")),
        "las": _r(ud_scores.get("dep_las")),
        "sents_f": _r(ud_scores.get("sents_f")),
        "words_per_s": round(wps),
        "words_per_cpu_s": round(wps_cpu),
        "load_s": round(load_s, 3),
        "load_cpu_s": round(load_cpu_s, 3),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "size_mb": None if size_mb is None else round(size_mb, 1),
        "ner_test_words": sum(len(d) for d in ner),
        "ner_dev_words": sum(len(d) for d in ner_dev),
        "ud_heldout_words": sum(len(d) for d in ud),
    }


Token = tuple[int, int]  # character offsets of one CoNLL token in the document's text


def _document_text(sentences: list[list[tuple[str, str]]]) -> tuple[str, list[list[Token]]]:
    """One line per sentence, detokenised as the benchmark news pages are (bench/_corpus.py); the
    offsets of every CoNLL token in the result."""
    from _corpus import _detokenise

    lines: list[str] = []
    offsets: list[list[Token]] = []
    base = 0
    for sentence in sentences:
        words = [word for word, _ in sentence]
        line = _detokenise(words)
        pos, spans = 0, []
        for i, word in enumerate(words):
            # The detokeniser capitalises the sentence's first letter; everything else is verbatim.
            found = line.find(word[:1].upper() + word[1:] if i == 0 else word, pos)
            if found < 0:
                raise SystemExit(f"token {word!r} not found in its detokenised sentence")
            spans.append((base + found, base + found + len(word)))
            pos = found + len(word)
        lines.append(line)
        offsets.append(spans)
        base += len(line) + 1
    return "\n".join(lines), offsets


def _gold_spans(sentences: list[list[tuple[str, str]]], offsets: list[list[Token]]) -> set[tuple[int, int, str]]:
    from spacy.training import iob_to_biluo, tags_to_entities

    gold: set[tuple[int, int, str]] = set()
    for sentence, spans in zip(sentences, offsets, strict=True):
        for label, first, last in tags_to_entities(iob_to_biluo([tag for _, tag in sentence])):
            gold.add((spans[first][0], spans[last][1], label))
    return gold


def _prf(tp: int, n_pred: int, n_gold: int) -> dict[str, float]:
    p = tp / n_pred if n_pred else 0.0
    r = tp / n_gold if n_gold else 0.0
    return {"p": round(p, 4), "r": round(r, 4), "f": round(2 * p * r / (p + r), 4) if p + r else 0.0}


def _span_scores(pairs: list[tuple[set[tuple[int, int, str]], set[tuple[int, int, str]]]]) -> dict[str, object]:
    """Exact-match P/R/F1 of (start, end, label) character spans, overall, per label and untyped.

    Offsets come from the CoNLL tokens, so a predicted span matches only when it starts and ends
    on the gold tokens' boundaries (half a token, such as ``NAVO`` of ``NAVO-landen``, is wrong)."""
    tp = n_pred = n_gold = untyped = 0
    per: dict[str, list[int]] = {}
    for predicted, gold in pairs:
        tp += len(predicted & gold)
        n_pred += len(predicted)
        n_gold += len(gold)
        untyped += len({(s, e) for s, e, _ in predicted} & {(s, e) for s, e, _ in gold})
        for s, e, label in predicted:
            per.setdefault(label, [0, 0, 0])[1] += 1
            per[label][0] += (s, e, label) in gold
        for _, _, label in gold:
            per.setdefault(label, [0, 0, 0])[2] += 1
    return {
        **_prf(tp, n_pred, n_gold),
        "untyped_f": _prf(untyped, n_pred, n_gold)["f"],
        "per_type": {label: _prf(*counts) for label, counts in sorted(per.items())},
    }


def run_product_path(
    model: str, corpora_root: Path, errors: Path | None = None, split: str = "test"
) -> dict[str, object]:
    """Whole ned.testa documents through ``analyze_docs`` (mentions) and the pipeline (doc.ents).

    ``split="dev"``: the dev articles of ned.train instead (nlp/corpora.py), for choosing rules
    without looking at ned.testa."""
    import corpora

    from newsdesk.analyze import analyze_docs
    from newsdesk.analyze.nlp import load_nlp

    name = None if Path(model).resolve() == BUNDLED.resolve() else model
    if split == "dev":
        train = corpora.read_conll2002(corpora_root / "conll2002-nl" / "ned.train")
        every = corpora.NER_DEV_EVERY
        documents = [a for i, a in enumerate(train) if i % every == every - 1]
    else:
        documents = corpora.read_conll2002(corpora_root / "conll2002-nl" / "ned.testa")
    built = [_document_text(sentences) for sentences in documents]
    texts = [text for text, _ in built]
    golds = [_gold_spans(sentences, offsets) for sentences, (_, offsets) in zip(documents, built, strict=True)]
    started = time.process_time()
    analyses = list(analyze_docs(((t, None) for t in texts), model=name, catalog_path=ROOT / "seeds" / "entities.csv"))
    product_cpu_s = time.process_time() - started
    mentions = [{(m.start, m.end, str(m.label)) for m in a.mentions} for a in analyses]
    nlp = load_nlp(name)
    ents = [{(e.start_char, e.end_char, e.label_) for e in doc.ents} for doc in nlp.pipe(texts, batch_size=32)]
    if errors is not None:
        _write_errors(errors, texts, mentions, golds, ents)
    return {
        "split": "ned.train dev articles" if split == "dev" else "ned.testa",
        "documents": len(texts),
        "gold_entities": sum(len(g) for g in golds),
        "product": _span_scores(list(zip(mentions, golds, strict=True))),
        "pipeline": _span_scores(list(zip(ents, golds, strict=True))),
        "product_cpu_s": round(product_cpu_s, 2),
    }


def _write_errors(
    path: Path,
    texts: list[str],
    predicted: list[set[tuple[int, int, str]]],
    golds: list[set[tuple[int, int, str]]],
    ents: list[set[tuple[int, int, str]]],
) -> None:
    """One line per product-path error: doc, kind, the span as predicted / as gold, whether the
    pipeline's doc.ents had it right, and the sentence."""
    lines = []
    for i, (text, pred, gold, ent) in enumerate(zip(texts, predicted, golds, ents, strict=True)):
        for s, e, label in sorted(pred ^ gold):
            kind = "FP" if (s, e, label) in pred else "FN"
            line_start = text.rfind("\n", 0, s) + 1
            line_end = text.find("\n", e)
            sentence = text[line_start : line_end if line_end >= 0 else len(text)]
            pipeline = "pipeline-right" if ((s, e, label) in ent) == ((s, e, label) in gold) else "pipeline-same"
            span = text[s:e].replace("\n", " | ")
            lines.append(f"{i}\t{kind}\t{label}\t{span}\t{pipeline}\t{sentence.replace(chr(10), ' | ')}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def print_table(figures: dict[str, object]) -> None:
    rows = [
        ("NER P / R / F1 (ned.testa)", f"{figures['ner_p']} / {figures['ner_r']} / {figures['ner_f']}"),
    ]
    per_type = figures["ner_per_type"]
    assert isinstance(per_type, dict)
    for label, s in per_type.items():
        rows.append((f"  {label} P / R / F1", f"{s['p']} / {s['r']} / {s['f']}"))
    rows += [
        ("NER untyped F1 / type accuracy (ned.testa)", f"{figures['ner_untyped_f']} / {figures['ner_type_acc']}"),
        (
            "NER P / R / F1 (dev slice of ned.train)",
            f"{figures['ner_dev_p']} / {figures['ner_dev_r']} / {figures['ner_dev_f']}",
        ),
        (
            "NER untyped F1 / type accuracy (dev slice)",
            f"{figures['ner_dev_untyped_f']} / {figures['ner_dev_type_acc']}",
        ),
        ("UPOS acc (UD held-out)", str(figures["upos_acc"])),
        ("Morph acc", str(figures["morph_acc"])),
        ("Lemma acc", str(figures["lemma_acc"])),
        ("UAS / LAS", f"{figures['uas']} / {figures['las']}"),
        ("Sentence F1", str(figures["sents_f"])),
        (
            "Words/s, full pipeline (wall / per CPU-second)",
            f"{figures['words_per_s']} / {figures['words_per_cpu_s']}",
        ),
        ("Load time, s (wall / CPU)", f"{figures['load_s']} / {figures['load_cpu_s']}"),
        ("Peak RSS (MB)", str(figures["peak_rss_mb"])),
        ("Size on disk (MB)", str(figures["size_mb"])),
    ]
    rows += product_rows(figures)
    width = max(len(k) for k, _ in rows)
    for key, value in rows:
        print(f"{key:<{width}}  {value}")


def product_rows(figures: dict[str, object]) -> list[tuple[str, str]]:
    """The product-path table: mentions of ``newsdesk analyze`` against the pipeline's doc.ents."""
    pp = figures.get("product_path")
    if not isinstance(pp, dict):
        return []
    product, pipeline = pp["product"], pp["pipeline"]
    rows = [
        (
            f"Whole documents ({pp['split']}, {pp['documents']} docs, {pp['gold_entities']} entities)",
            "newsdesk analyze mentions | pipeline doc.ents",
        ),
        (
            "  P / R / F1",
            f"{product['p']:.4f} / {product['r']:.4f} / {product['f']:.4f} | "
            f"{pipeline['p']:.4f} / {pipeline['r']:.4f} / {pipeline['f']:.4f}",
        ),
    ]
    for label in sorted(set(product["per_type"]) | set(pipeline["per_type"])):
        a = product["per_type"].get(label, {"p": 0.0, "r": 0.0, "f": 0.0})
        b = pipeline["per_type"].get(label, {"p": 0.0, "r": 0.0, "f": 0.0})
        rows.append(
            (
                f"  {label} P / R / F1",
                f"{a['p']:.4f} / {a['r']:.4f} / {a['f']:.4f} | {b['p']:.4f} / {b['r']:.4f} / {b['f']:.4f}",
            )
        )
    rows.append(("  untyped F1", f"{product['untyped_f']:.4f} | {pipeline['untyped_f']:.4f}"))
    return rows


def main(argv: list[str] | None = None) -> int:
    import corpora

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=os.environ.get("NEWSDESK_NLP_MODEL") or str(BUNDLED))
    parser.add_argument("--corpora", help="default $NEWSDESK_CORPORA or /work/shared/corpora")
    parser.add_argument("--json-out", type=Path, help="also write the JSON line to this file")
    parser.add_argument("--errors", type=Path, help="write the product path's errors to this file")
    parser.add_argument(
        "--product-only", action="store_true", help="only the whole-document product path (fast, for development)"
    )
    parser.add_argument(
        "--product-split",
        choices=("test", "dev"),
        default="test",
        help="documents of the product path: ned.testa (default) or the dev articles of ned.train",
    )
    args = parser.parse_args(argv)
    root = corpora.corpora_dir(args.corpora)
    if args.product_only:
        figures: dict[str, object] = {"model": str(args.model)}
    else:
        figures = run(args.model, root)
    figures["product_path"] = run_product_path(args.model, root, args.errors, args.product_split)
    if args.product_only:
        rows = product_rows(figures)
        width = max(len(k) for k, _ in rows)
        for key, value in rows:
            print(f"{key:<{width}}  {value}")
    else:
        print_table(figures)
    line = json.dumps(figures, ensure_ascii=False)
    print(line)
    if args.json_out:
        args.json_out.write_text(line + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
