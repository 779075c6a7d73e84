"""Evaluate a spaCy pipeline on newsdesk's Dutch benchmarks; print a table and one JSON line.

    .venv/bin/python bench/nlp_eval.py [--model PATH_OR_NAME] [--corpora DIR] [--json-out FILE]

Figures: NER precision/recall/F1 overall and per label on CoNLL-2002 ned.testa (gold tokens),
the same on the dev slice of ned.train (what the recipe chooses on), untyped span F1 and the
type accuracy on spans with gold boundaries (where the NER errs: finding or typing),
UPOS / morphology / lemma accuracy, UAS / LAS and sentence F1 on the held-out UD Dutch slice
(see nlp/corpora.py), words per second on one core (nlp.pipe over raw ned.testa text), load time
and peak memory (ru_maxrss). The corpora folder defaults to $NEWSDESK_CORPORA or
/work/shared/corpora; the model to the bundled pipeline.
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
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "nlp"))
sys.path.insert(0, str(ROOT / "plugins"))
BUNDLED = ROOT / "plugins" / "newsdesk" / "analyze" / "bundled" / "nl_newsdesk"


def _examples(nlp, docs):  # type: ignore[no-untyped-def]
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
    width = max(len(k) for k, _ in rows)
    for key, value in rows:
        print(f"{key:<{width}}  {value}")


def main(argv: list[str] | None = None) -> int:
    import corpora

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=os.environ.get("NEWSDESK_NLP_MODEL") or str(BUNDLED))
    parser.add_argument("--corpora", help="default $NEWSDESK_CORPORA or /work/shared/corpora")
    parser.add_argument("--json-out", type=Path, help="also write the JSON line to this file")
    args = parser.parse_args(argv)
    figures = run(args.model, corpora.corpora_dir(args.corpora))
    print_table(figures)
    line = json.dumps(figures, ensure_ascii=False)
    print(line)
    if args.json_out:
        args.json_out.write_text(line + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
