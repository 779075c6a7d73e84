"""Evaluate the commitment extractor; print a table and one JSON line.

    .venv/bin/python bench/commitments_eval.py [--sets real,dev,heldout,seed,articles] [--folds 5] [-v]
        [--speed-repeat N]

The headline is real news that nobody on the project wrote: ``../shared/corpora/commitments-nl``
(45 De Morgen documents annotated independently, GUIDELINES.md), scored by its own ``score.py``
over whole documents through ``newsdesk analyze``, the path whose output the warehouse stores:

* ``held-out`` — the scorer is trained by ``nlp/commitments/train_scorer.py`` (commitments-nl plus
  the project's own annotations of other ned.train documents, ``nlp/commitments/annotations``) on
  k-1 folds by document; each document is analysed with the scorer of the fold that left it out
  (``bench/_fold_analyze.py``). This is the figure that counts.
* ``fold thresholds -0.02 / +0.02`` — the held-out F1 with every fold's threshold moved a step
  down and up (computed by train_scorer over the same judged candidates): how much of the figure
  is where one borderline clause falls.
* ``tuning`` — the bundled scorer, trained on all 45 documents: an in-sample figure, shown only
  beside the held-out one.

Then the project's own sets, regression tests rather than the measure (they follow the same
guidelines): tests/fixtures/commitments/dev.jsonl, heldout.jsonl, the seed article with
seed_expected.json, and articles.jsonl (the offline sample site's 13 articles). A predicted
commitment matches a gold one when it lies in the same sentence (sentences split on sentence
ends and line breaks, independently of the model) and its actor matches one of the gold actor's
accepted forms (containment or a shared name word); gold marked ``uncertain`` is neither
required nor wrong. Figures: precision / recall / F1, polarity, deadline (same date, or both
vague, or both without a deadline), kind, condition and speaker accuracy over matched pairs, the
share of matched actions that stay inside their sentence, the share of gold condition texts
reproduced word for word. Speed: sentences per CPU-second of the commitment step alone (entity
mentions given) and with entity resolution, on parsed real news.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import json  # noqa: E402
import re  # noqa: E402
import shlex  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from datetime import date  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "commitments"
SHARED = (ROOT / ".." / "shared").resolve()
REAL = SHARED / "corpora" / "commitments-nl"

# after . ! ? (and a closing quote) before a capital, digit or opening quote; and at every line break
_SENT_END = re.compile(r"(?<=[.!?])[\"'”’]?\s+(?=[\"'“‘A-Z0-9À-Ý])|\n+")
_STOP = frozenset("de het een van en der von den dat ze zij hij".split())


def gold_sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence, split as _SENT_END says; independent of any model."""
    spans: list[tuple[int, int]] = []
    pos = 0
    for m in _SENT_END.finditer(text):
        if text[pos : m.start()].strip():
            spans.append((pos, m.start()))
        pos = m.end()
    if text[pos:].strip():
        spans.append((pos, len(text)))
    return spans


def sentence_of(spans: list[tuple[int, int]], offset: int) -> int:
    for i, (s, e) in enumerate(spans):
        if s <= offset < e + 1:
            return i
    return len(spans) - 1


def _words(text: str) -> set[str]:
    return {w for w in re.findall(r"\w+", text.casefold()) if w not in _STOP and len(w) > 1}


def actor_matches(pred: str | None, gold: list[str]) -> bool:
    if pred is None:
        return False
    p = pred.casefold().strip()
    for g in gold:
        gl = g.casefold().strip()
        if p == gl or (len(gl) > 2 and gl in p) or (len(p) > 2 and p in gl):
            return True
        if _words(pred) & _words(g):
            return True
    return False


def loose_match(pred: str | None, gold: str | None) -> bool:
    if gold is None:
        return pred is None
    return pred is not None and bool(_words(pred) & _words(gold))


@dataclass
class Tally:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    polarity: int = 0
    deadline: int = 0
    kind: int = 0
    conditional: int = 0
    speaker: int = 0
    action_ok: int = 0
    condition_text: int = 0
    condition_gold: int = 0
    errors: list[str] = field(default_factory=list)

    def figures(self) -> dict[str, float]:
        p = self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0
        r = self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        m = self.tp or 1
        return {
            "gold": self.tp + self.fn,
            "predicted": self.tp + self.fp,
            "precision": round(p, 3),
            "recall": round(r, 3),
            "f1": round(f, 3),
            "polarity_acc": round(self.polarity / m, 3),
            "deadline_acc": round(self.deadline / m, 3),
            "kind_acc": round(self.kind / m, 3),
            "conditional_acc": round(self.conditional / m, 3),
            "speaker_acc": round(self.speaker / m, 3),
            "action_ok": round(self.action_ok / m, 3),
            "condition_text_acc": round(self.condition_text / self.condition_gold, 3) if self.condition_gold else 1.0,
        }


def deadline_ok(pred: Any, gold: dict[str, Any]) -> bool:
    g_date, g_text = gold.get("deadline"), gold.get("deadline_text")
    if g_date:
        return pred.deadline is not None and pred.deadline.isoformat() == g_date
    if g_text:
        return pred.deadline is None and pred.deadline_text is not None
    return pred.deadline_text is None


def action_in_sentence(action: str, sentence: str) -> bool:
    """Every word of the action but its last (the verb, given as an infinitive) is in the sentence.

    Catches actions that run into the next sentence or keep words of another clause's garbling.
    """
    words = set(re.findall(r"\w+", sentence.casefold()))
    found = re.findall(r"\w+", action.casefold())
    return bool(found) and all(w in words for w in found[:-1])


def _norm(text: str | None) -> str:
    return " ".join(re.findall(r"\w+", (text or "").casefold()))


def score_item(tally: Tally, item_id: str, text: str, preds: list[Any], gold: list[dict[str, Any]]) -> None:
    spans = gold_sentences(text)
    free = list(preds)
    uncertain = [g for g in gold if g.get("uncertain")]
    for g in uncertain:  # neither required nor wrong: a prediction it covers is no false positive
        hit = next(
            (p for p in free if sentence_of(spans, p.start) == g["sentence"] and actor_matches(p.actor, g["actor"])),
            None,
        )
        if hit is not None:
            free.remove(hit)
    for g in (g for g in gold if not g.get("uncertain")):
        hit = next(
            (p for p in free if sentence_of(spans, p.start) == g["sentence"] and actor_matches(p.actor, g["actor"])),
            None,
        )
        if hit is None:
            tally.fn += 1
            tally.errors.append(f"{item_id} MISS s{g['sentence']} {g['actor'][0]!r} {g['kind']}")
            continue
        free.remove(hit)
        tally.tp += 1
        tally.polarity += hit.polarity.value == g["polarity"]
        tally.kind += hit.kind.value == g["kind"]
        tally.conditional += hit.conditional == g["conditional"]
        if hit.conditional != g["conditional"]:
            tally.errors.append(f"{item_id} CONDITIONAL s{g['sentence']} {hit.condition!r}/{g['conditional']}")
        speaker_ok = loose_match(hit.speaker, g.get("speaker"))
        tally.speaker += speaker_ok
        if not speaker_ok:
            tally.errors.append(f"{item_id} SPEAKER s{g['sentence']} {hit.speaker!r}/{g.get('speaker')!r}")
        s_start, s_end = spans[g["sentence"]]
        if action_in_sentence(hit.action, text[s_start:s_end]):
            tally.action_ok += 1
        else:
            tally.errors.append(f"{item_id} ACTION s{g['sentence']} {hit.actor!r}: {hit.action!r}")
        if g.get("condition"):
            tally.condition_gold += 1
            if _norm(hit.condition) == _norm(g["condition"]):
                tally.condition_text += 1
            else:
                tally.errors.append(f"{item_id} CONDITION s{g['sentence']} {hit.condition!r}/{g['condition']!r}")
        ok = deadline_ok(hit, g)
        tally.deadline += ok
        if not ok or hit.polarity.value != g["polarity"]:
            tally.errors.append(
                f"{item_id} ATTR s{g['sentence']} {hit.actor!r} pol={hit.polarity.value}/{g['polarity']} "
                f"dl={hit.deadline_text!r}:{hit.deadline}/{g.get('deadline_text')!r}:{g.get('deadline')}"
            )
    for p in free:
        tally.fp += 1
        tally.errors.append(f"{item_id} FALSE s{sentence_of(spans, p.start)} {p.actor!r} {p.kind.value}: {p.action!r}")


def evaluate_items(nlp: Any, resolver: Any, items: list[dict[str, Any]]) -> Tally:
    from newsdesk.analyze.commitments import find_commitments

    tally = Tally()
    for item in items:
        doc = nlp(item["text"])
        mentions = resolver.mentions(doc)
        published = date.fromisoformat(item["date"]) if item.get("date") else None
        preds = find_commitments(doc, mentions, published=published)
        score_item(tally, item["id"], item["text"], preds, item["commitments"])
    return tally


def load_set(name: str) -> list[dict[str, Any]]:
    if name == "seed":
        from newsdesk.analyze import split_dated_text
        from newsdesk.jsonout import parse_date_prefix

        expected = json.loads((FIXTURES / "seed_expected.json").read_text(encoding="utf-8"))
        date_text, body = split_dated_text((ROOT / expected["source"]).read_text(encoding="utf-8"))
        published = parse_date_prefix(date_text)
        return [
            {
                "id": "seed",
                "date": published.isoformat() if published else None,
                "text": body,
                "commitments": expected["commitments"],
            }
        ]
    path = FIXTURES / f"{name}.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _json_line(stdout: str) -> dict[str, Any]:
    line = next((x for x in reversed(stdout.splitlines()) if x.startswith("{")), None)
    if line is None:
        raise SystemExit(f"no JSON line in:\n{stdout[-2000:]}")
    return json.loads(line)


def _run(argv: list[str], **kwargs: Any) -> str:
    out = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, **kwargs)
    if out.returncode != 0:
        raise SystemExit(f"{' '.join(argv[:3])} ... failed ({out.returncode}):\n{out.stderr[-3000:]}")
    return out.stdout


def real_text(folds: int, l2: float) -> dict[str, Any]:
    """commitments-nl through `newsdesk analyze`: held-out folds (the figure) and the bundled scorer."""
    if not (REAL / "score.py").exists():
        raise SystemExit(f"{REAL} is missing: the real-news evaluation needs ../shared/corpora")
    py = sys.executable
    newsdesk = str(Path(py).parent / "newsdesk")
    with tempfile.TemporaryDirectory(prefix="newsdesk-commitments-") as tmp:
        own = Path(tmp) / "own"
        fold_dir = Path(tmp) / "folds"
        _run([py, "nlp/commitments/corpus.py", "materialise", str(own)])
        started = time.perf_counter()
        trained = _json_line(
            _run(
                [
                    py,
                    "nlp/commitments/train_scorer.py",
                    "--own",
                    str(own),
                    "--folds",
                    str(folds),
                    "--l2",
                    str(l2),
                    "--fold-dir",
                    str(fold_dir),
                ]
            )
        )
        train_s = time.perf_counter() - started
        cmd = f"{shlex.quote(py)} bench/_fold_analyze.py --folds {shlex.quote(str(fold_dir))}"
        held = _json_line(_run([py, str(REAL / "score.py"), "--json", "--cmd", cmd]))
    tuning = _json_line(_run([py, str(REAL / "score.py"), "--json", "--cmd", f"{newsdesk} analyze --format jsonl"]))
    return {"held_out": held, "tuning": tuning, "training": trained, "train_seconds": round(train_s, 1)}


def speed(nlp: Any, resolver: Any, repeat: int = 1) -> dict[str, float]:
    """Sentences per CPU-second of the commitment step alone, and with entity resolution: the best
    of ``repeat`` passes over the same parsed texts (one pass is at the mercy of a shared machine)."""
    from _corpus import _sentences  # real Dutch news sentences (CoNLL-2002), 13 to an article

    from newsdesk.analyze.commitments import find_commitments

    sentences = _sentences(SHARED / "corpora")[:4000]
    docs = list(nlp.pipe((" ".join(sentences[i : i + 13]) for i in range(0, len(sentences), 13)), batch_size=32))
    count = sum(len(list(d.sents)) for d in docs)
    entities_s = commitments_s = float("inf")
    for _ in range(max(1, repeat)):
        started = time.process_time()
        mentions = [resolver.mentions(d, [s.start_char for s in d.sents]) for d in docs]
        entities_s = min(entities_s, time.process_time() - started)
        started = time.process_time()
        for d, m in zip(docs, mentions, strict=True):
            find_commitments(d, m, published=None)
        commitments_s = min(commitments_s, time.process_time() - started)
    return {
        "sentences": count,
        "commitments_per_cpu_s": round(count / commitments_s),
        "with_entities_per_cpu_s": round(count / (commitments_s + entities_s)),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=None, help="spaCy package or path (default: the bundled pipeline)")
    parser.add_argument("--sets", default="real,dev,heldout,seed,articles")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--l2", type=float, default=10.0, help="the scorer's shrinkage towards its prior")
    parser.add_argument("-v", "--verbose", action="store_true", help="list misses and false positives")
    parser.add_argument(
        "--speed-repeat", type=int, default=1, help="time the commitment step this many times; report the best"
    )
    args = parser.parse_args(argv)

    sys.path.insert(0, str(ROOT / "plugins"))
    sys.path.insert(0, str(ROOT / "bench"))
    from newsdesk.analyze.commitments import EXTRACTOR_VERSION
    from newsdesk.analyze.entities import EntityResolver, load_entity_catalog
    from newsdesk.analyze.nlp import load_nlp, pipeline_version

    nlp = load_nlp(args.model)
    resolver = EntityResolver(load_entity_catalog(ROOT / "seeds" / "entities.csv"))
    record: dict[str, Any] = {
        "bench": "commitments",
        "extractor_version": EXTRACTOR_VERSION,
        "pipeline": pipeline_version(nlp),
    }
    sets = args.sets.split(",")
    if "real" in sets:
        real = real_text(args.folds, args.l2)
        record["commitments_nl"] = real
        print("commitments-nl (45 real documents, annotated outside the project), through newsdesk analyze")
        print(f"{'':22} {'sentence P':>11} {'R':>6} {'F1':>6}   {'+actor P':>9} {'R':>6} {'F1':>6}   {'polarity':>8}")

        def figure_row(name: str, fig: dict[str, Any]) -> None:
            sp, sr, sf = fig["commit_sentence"]
            cp, cr, cf = fig["commit_actor"]
            print(
                f"{name:22} {sp:>11.3f} {sr:>6.3f} {sf:>6.3f}   {cp:>9.3f} {cr:>6.3f} {cf:>6.3f}   "
                f"{fig['polarity_acc'] if fig['polarity_acc'] is not None else '-':>8}"
            )

        figure_row("held-out folds", real["held_out"])
        # how much of the figure is where a borderline clause falls: F1 only, at moved fold thresholds
        for delta, row in (real["training"].get("threshold_band") or {}).items():
            label = f"  fold thresholds {delta}"
            print(f"{label:22} {'':>11} {'':>6} {row['sentence']:>6.3f}   {'':>9} {'':>6} {row['actor']:>6.3f}")
        figure_row("tuning (in-sample)", real["tuning"])
        own = real["training"].get("own", {})
        if own:
            sp, sr, sf = own["sentence"]
            cp, cr, cf = own["actor"]
            print(f"{'own annotations, held':22} {sp:>11.3f} {sr:>6.3f} {sf:>6.3f}   {cp:>9.3f} {cr:>6.3f} {cf:>6.3f}")
        print()
    results: dict[str, dict[str, float]] = {}
    columns = (
        "gold",
        "predicted",
        "precision",
        "recall",
        "f1",
        "polarity_acc",
        "deadline_acc",
        "kind_acc",
        "conditional_acc",
        "speaker_acc",
        "action_ok",
        "condition_text_acc",
    )
    titles = ("gold", "pred", "P", "R", "F1", "pol", "dl", "kind", "cond", "spk", "action", "condtxt")
    header = f"{'set':8} " + " ".join(f"{t:>7}" for t in titles)
    print(header)
    print("-" * len(header))
    for name in (s for s in sets if s != "real"):
        tally = evaluate_items(nlp, resolver, load_set(name))
        fig = tally.figures()
        results[name] = fig
        cells = [f"{fig[c]:>7}" if isinstance(fig[c], int) else f"{fig[c]:>7.3f}" for c in columns]
        print(f"{name:8} " + " ".join(cells))
        if args.verbose:
            for line in tally.errors:
                print("   ", line)
    record["results"] = results
    if (SHARED / "corpora" / "conll2002-nl").exists():
        record["speed"] = speed(nlp, resolver, args.speed_repeat)
        print(
            f"\ncommitment step: {record['speed']['commitments_per_cpu_s']:,} sentences per CPU-second "
            f"({record['speed']['with_entities_per_cpu_s']:,} with entity resolution), "
            f"{record['speed']['sentences']:,} real sentences, best of {args.speed_repeat}"
        )
    print(json.dumps(record, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
