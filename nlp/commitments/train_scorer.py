"""Train the commitment scorer on real news and report it on held-out folds by document.

    .venv/bin/python nlp/commitments/train_scorer.py [--corpora ../shared/corpora] [--own DIR ...]
        [--folds 5] [--write] [--fold-dir DIR]

Data: ``commitments-nl/dev`` (45 real De Morgen documents annotated by people outside the
project, GUIDELINES.md) and, with ``--own``, folders in the same layout annotated by the project
(``nlp/commitments/corpus.py`` materialises them). Every document is read through the product's
own analysis (the bundled pipeline, the entity resolver, ``judge_document``); each candidate is
labelled from the gold of its line: a commitment when the line holds a certain gold commitment
whose action shares a content word with the candidate's clause, not one when the line holds
none, and left out when the line holds only uncertain ones.

Folds are by document, over commitments-nl only: for each fold the scorer is fitted on the other
folds (plus all ``--own`` documents) and its threshold chosen on them; the held-out documents are
scored as ``commitments-nl/score.py`` scores them. ``--write`` fits on everything and writes the
bundled ``scorer.json``; ``--fold-dir`` writes the fold scorers and the fold split, so
``bench/commitments_eval.py`` can measure the held-out folds through ``newsdesk analyze``.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import importlib.util  # noqa: E402
import json  # noqa: E402
import random  # noqa: E402
import re  # noqa: E402
import sys  # noqa: E402
from collections.abc import Sequence  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from pathlib import Path  # noqa: E402
from types import ModuleType  # noqa: E402
from typing import Any  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "plugins"))

from newsdesk.analyze import _resolver, bounded_text  # noqa: E402
from newsdesk.analyze.commitments import Judged, judge_document, select  # noqa: E402
from newsdesk.analyze.commitments.scorer import PRIOR_FILE, SCORER_FILE, Scorer, fit, load_scorer  # noqa: E402
from newsdesk.analyze.nlp import load_nlp  # noqa: E402
from newsdesk.config import Settings  # noqa: E402

_WORD = re.compile(r"\w+")
_STOP = frozenset("de het een van en in op te voor met aan om dat die er is zijn wordt worden zal zullen niet".split())


@dataclass
class Document:
    name: str
    text: str
    gold: dict[str, Any]
    own: bool  # annotated by the project (training only, never scored)
    judged: list[Judged] = field(default_factory=list)
    line_starts: list[int] = field(default_factory=list)

    def line_of(self, offset: int) -> int:
        lo = 0
        for i, start in enumerate(self.line_starts):
            if start <= offset:
                lo = i
            else:
                break
        return lo


def load_score_module(corpora: Path) -> ModuleType:
    path = corpora / "commitments-nl" / "score.py"
    spec = importlib.util.spec_from_file_location("commitments_score", path)
    if spec is None or spec.loader is None:
        raise SystemExit(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def read_folder(folder: Path, *, own: bool) -> list[Document]:
    docs = []
    for path in sorted((folder / "docs").glob("*.txt")):
        gold = json.loads((folder / "gold" / f"{path.stem}.json").read_text(encoding="utf-8"))
        text = path.read_text(encoding="utf-8")
        starts = [0] + [m.end() for m in re.finditer("\n", text)]
        docs.append(Document(path.stem, text, gold, own, line_starts=starts))
    return docs


def analyse(docs: Sequence[Document]) -> None:
    """Run the product's analysis up to the scorer over every document."""
    nlp = load_nlp(None)
    resolver = _resolver(Settings.from_env().seeds_dir / "entities.csv")
    texts = (bounded_text(d.text) for d in docs)
    for d, doc in zip(docs, nlp.pipe(texts, batch_size=16), strict=True):
        sentences = [s.start_char for s in doc.sents] or [0]
        mentions = resolver.mentions(doc, sentences)
        d.judged = judge_document(doc, mentions, published=None)


def _stems(text: str) -> set[str]:
    return {w[:5] for w in _WORD.findall(text.casefold()) if w not in _STOP and len(w) > 2}


def label(d: Document, j: Judged, score: ModuleType) -> int | None:
    """1: a commitment, 0: not one, None: leave out (only uncertain gold on the line)."""
    line = d.text.splitlines()[d.line_of(j.cand.cue.idx)]
    here = [g for g in d.gold["commitments"] if score.norm(g["sentence"]) == score.norm(line)]
    if not here:
        return 0
    certain = [g for g in here if not g.get("uncertain")]
    clause = _stems(" ".join(t.text for t in j.clause) + " " + j.cand.main.text)
    for g in certain:
        if clause & _stems(g.get("action") or ""):
            return 1
    return None if len(certain) < len(here) or not certain else 0


def training_rows(docs: Sequence[Document], score: ModuleType) -> tuple[list[dict[str, float]], list[int]]:
    rows: list[dict[str, float]] = []
    labels: list[int] = []
    for d in docs:
        for j in d.judged:
            if j.veto is not None:
                continue
            y = label(d, j, score)
            if y is None:
                continue
            rows.append(j.features)
            labels.append(y)
    return rows, labels


def predict(d: Document, scorer: Scorer) -> list[dict[str, Any]]:
    """The commitments ``newsdesk analyze`` would print for ``d`` with ``scorer``, as JSON records."""
    return [
        {
            "actor": c.actor,
            "start": c.start,
            "end": c.end,
            "polarity": str(c.polarity),
            "deadline": c.deadline.isoformat() if c.deadline else None,
            "kind": str(c.kind),
        }
        for c in select(d.judged, scorer)
    ]


def evaluate(docs: Sequence[Document], preds: Sequence[list[dict[str, Any]]], score: ModuleType) -> dict[str, Any]:
    """score.py's figures, computed the way score.py computes them."""
    s_tp = s_fp = s_fn = c_tp = c_fp = c_fn = pol_ok = pol_n = 0
    errors: list[str] = []
    for d, pc in zip(docs, preds, strict=True):
        gc = d.gold["commitments"]

        def sent_of(c: dict[str, Any], text: str = d.text) -> str:
            return score.norm(text[c["start"] : c["end"]])

        def same(p: dict[str, Any], g: dict[str, Any]) -> bool:
            ps, gs = sent_of(p), score.norm(g["sentence"])
            return bool(ps) and (ps in gs or gs in ps)

        g_sents = {score.norm(c["sentence"]) for c in gc if not c.get("uncertain")}
        g_unc = {score.norm(c["sentence"]) for c in gc if c.get("uncertain")}
        p_sents = {sent_of(c) for c in pc if sent_of(c)}
        hit: set[str] = set()
        for ps in sorted(p_sents):  # sorted: the same counts whatever the interpreter's hash seed
            g_hit = next((gs for gs in sorted(g_sents) if ps in gs or gs in ps), None)
            if g_hit is not None:
                if g_hit not in hit:
                    s_tp += 1
                    hit.add(g_hit)
            elif not any(ps in gs or gs in ps for gs in g_unc):
                s_fp += 1
        s_fn += sum(1 for gs in g_sents if not any(ps in gs or gs in ps for ps in p_sents))
        used: set[int] = set()
        for g in gc:
            found = None
            for i, p in enumerate(pc):
                alts = d.gold.get("actor_alts", {}).get(g["actor"])
                if i not in used and same(p, g) and score.actor_match(p, g["actor"], alts):
                    found = i
                    break
            if found is None:
                if not g.get("uncertain"):
                    c_fn += 1
                    errors.append(f"FN {d.name}: {g['actor']} | {g['sentence'][:90]}")
                continue
            used.add(found)
            if g.get("uncertain"):
                continue
            c_tp += 1
            pol_n += 1
            pol_ok += pc[found].get("polarity", "positive") == g["polarity"]
        for i, p in enumerate(pc):
            if i not in used and not any(same(p, g) for g in gc if g.get("uncertain")):
                c_fp += 1
                errors.append(f"FP {d.name}: {p['actor']} | {d.text[p['start'] : p['end']][:90]}")
    return {
        "sentence": [round(x, 3) for x in score.prf(s_tp, s_fp, s_fn)],
        "actor": [round(x, 3) for x in score.prf(c_tp, c_fp, c_fn)],
        "counts": {"tp": c_tp, "fp": c_fp, "fn": c_fn, "s_tp": s_tp, "s_fp": s_fp, "s_fn": s_fn},
        "polarity": round(pol_ok / pol_n, 3) if pol_n else None,
        "errors": errors,
    }


def folds_of(docs: Sequence[Document], k: int, seed: int = 13) -> list[list[str]]:
    """k folds by document; commitments-nl and the project's own documents are spread separately."""
    folds: list[list[str]] = [[] for _ in range(k)]
    for own in (False, True):
        names = sorted(d.name for d in docs if d.own is own)
        random.Random(seed).shuffle(names)
        for i in range(k):
            folds[i].extend(sorted(names[i::k]))
    return folds


def train(
    docs: Sequence[Document],
    score: ModuleType,
    *,
    l2: float,
    meta: dict[str, Any],
    prior: Scorer | None,
    fixed_threshold: float | None = None,
) -> Scorer:
    rows, labels = training_rows(docs, score)
    if prior is not None:
        weights, bias = fit(rows, labels, l2=l2, prior=prior.weights, prior_bias=prior.bias)
    else:
        weights, bias = fit(rows, labels, l2=l2)
    scorer = Scorer(weights, bias, 0.5, meta)
    if fixed_threshold is not None:
        return Scorer(weights, bias, fixed_threshold, {**meta, "positives": sum(labels), "rows": len(labels)})
    scored = list(docs)  # the threshold is chosen on every training document, the project's own too
    grid = [x / 100 for x in range(20, 81, 2)]
    f1s = []
    for t in grid:  # F1 (sentence + actor) on the training documents at each threshold
        trial = Scorer(weights, bias, t, meta)
        res = evaluate(scored, [predict(d, trial) for d in scored], score)
        f1s.append(res["actor"][2] + res["sentence"][2])
    # The best threshold of the curve smoothed over its neighbours: a lone peak made by one or two
    # documents near the threshold moves with every refit; a plateau does not.
    windows = [f1s[max(0, i - 1) : i + 2] for i in range(len(grid))]
    smoothed = [sum(w) / len(w) for w in windows]
    best = max(range(len(grid)), key=lambda i: (smoothed[i], -i))
    return Scorer(scorer.weights, scorer.bias, grid[best], {**meta, "positives": sum(labels), "rows": len(labels)})


def cross_validate(
    docs: Sequence[Document],
    score: ModuleType,
    *,
    k: int,
    l2: float,
    fold_dir: Path | None,
    prior: Scorer | None,
    fixed_threshold: float | None = None,
) -> dict[str, Any]:
    folds = folds_of(docs, k)
    preds: dict[str, list[dict[str, Any]]] = {}
    scorers: list[Scorer] = []
    for n, held in enumerate(folds):
        train_docs = [d for d in docs if d.name not in held]
        scorer = train(
            train_docs, score, l2=l2, meta={"fold": n, "held_out": held}, prior=prior, fixed_threshold=fixed_threshold
        )
        scorers.append(scorer)
        if fold_dir is not None:
            fold_dir.mkdir(parents=True, exist_ok=True)
            (fold_dir / f"fold{n}.json").write_text(scorer.to_json(), encoding="utf-8")
        for d in docs:
            if d.name in held:
                preds[d.name] = predict(d, scorer)
    if fold_dir is not None:
        dev_folds = [[name for name in held if not name_is_own(docs, name)] for held in folds]
        (fold_dir / "folds.json").write_text(json.dumps(dev_folds, indent=1) + "\n", encoding="utf-8")
    scored = [d for d in docs if not d.own]
    result = evaluate(scored, [preds[d.name] for d in scored], score)
    result["threshold_band"] = threshold_band(scored, folds, scorers, score)
    own = [d for d in docs if d.own]
    if own:
        result["own"] = {k: v for k, v in evaluate(own, [preds[d.name] for d in own], score).items() if k != "errors"}
    return result


def threshold_band(
    docs: Sequence[Document], folds: Sequence[Sequence[str]], scorers: Sequence[Scorer], score: ModuleType
) -> dict[str, dict[str, float]]:
    """The held-out F1 (sentence, sentence + actor) with every fold's threshold moved by -0.02 and
    +0.02: how much of a figure is where one borderline clause falls."""
    band: dict[str, dict[str, float]] = {}
    for delta in (-0.02, 0.02):
        moved = {
            name: Scorer(s.weights, s.bias, s.threshold + delta, s.meta)
            for held, s in zip(folds, scorers, strict=True)
            for name in held
        }
        res = evaluate(docs, [predict(d, moved[d.name]) for d in docs], score)
        band[f"{delta:+.2f}"] = {"sentence": res["sentence"][2], "actor": res["actor"][2]}
    return band


def name_is_own(docs: Sequence[Document], name: str) -> bool:
    return any(d.own for d in docs if d.name == name)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpora", type=Path, default=ROOT.parent / "shared" / "corpora")
    ap.add_argument("--own", type=Path, action="append", default=[], help="a folder of the project's annotations")
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--l2", type=float, default=2.0)
    ap.add_argument("--write", action="store_true", help="fit on everything and write the bundled scorer.json")
    ap.add_argument("--no-prior", action="store_true", help="shrink the weights towards zero, not the prior")
    ap.add_argument("--threshold", type=float, help="a fixed threshold (default: the best F1 on the training folds)")
    ap.add_argument("--fold-dir", type=Path, help="write the fold scorers and folds.json here")
    ap.add_argument("-v", "--verbose", action="store_true", help="print the held-out errors")
    args = ap.parse_args(argv)
    score = load_score_module(args.corpora)
    docs = read_folder(args.corpora / "commitments-nl" / "dev", own=False)
    for folder in args.own:
        docs += read_folder(folder, own=True)
    analyse(docs)
    prior = None if args.no_prior else load_scorer(PRIOR_FILE)
    if prior is not None:  # the rules alone: the prior's weights, never fitted, on every document
        scored = [d for d in docs if not d.own]
        base = evaluate(scored, [predict(d, prior) for d in scored], score)
        print(f"prior alone (not fitted): sentence P/R/F1 {base['sentence']}, sentence+actor P/R/F1 {base['actor']}")
    res = cross_validate(
        docs, score, k=args.folds, l2=args.l2, fold_dir=args.fold_dir, prior=prior, fixed_threshold=args.threshold
    )
    if args.verbose:
        print("\n".join(sorted(res["errors"])))
    print(
        f"held-out folds ({args.folds}, by document): sentence P/R/F1 {res['sentence']}, "
        f"sentence+actor P/R/F1 {res['actor']}, polarity {res['polarity']}, counts {res['counts']}"
    )
    band = res["threshold_band"]
    print(
        "  with every fold's threshold moved by -0.02 / +0.02: sentence F1 "
        f"{band['-0.02']['sentence']} / {band['+0.02']['sentence']}, "
        f"sentence+actor F1 {band['-0.02']['actor']} / {band['+0.02']['actor']}"
    )
    if "own" in res:
        own = res["own"]
        print(
            f"  the project's own documents, held out the same way: sentence {own['sentence']}, "
            f"sentence+actor {own['actor']}"
        )
    if args.write:
        own = sorted({d.name for d in docs if d.own})
        meta = {
            "trained_on": ["commitments-nl/dev (45 documents, annotated outside the project)"]
            + ([f"the project's own annotations ({len(own)} documents of CoNLL-2002 ned.train)"] if own else []),
            "held_out_folds": {"folds": args.folds, "sentence": res["sentence"], "sentence_actor": res["actor"]},
            "l2": args.l2,
        }
        scorer = train(docs, score, l2=args.l2, meta=meta, prior=prior, fixed_threshold=args.threshold)
        SCORER_FILE.write_text(scorer.to_json(), encoding="utf-8")
        print(f"wrote {SCORER_FILE.relative_to(ROOT)} (threshold {scorer.threshold})")
    print(json.dumps({k: v for k, v in res.items() if k != "errors"}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
