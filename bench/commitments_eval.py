"""Evaluate the commitment extractor; print a table and one JSON line.

    .venv/bin/python bench/commitments_eval.py [--model PATH_OR_NAME] [--sets dev,heldout,seed,articles] [-v]

Sets: tests/fixtures/commitments/dev.jsonl (rules were tuned on it), heldout.jsonl (written
before tuning and never tuned on: "news we have not seen"), the seed article with
tests/fixtures/commitments/seed_expected.json, and articles.jsonl: the 13 full-length articles
of the offline sample site (annotated before the rules were tuned on them; conventions in
articles.md), where long sentences, quotes and demands test precision. A predicted commitment matches a gold one when
it lies in the same sentence (sentences split on sentence ends and line breaks, independently
of the model) and its actor matches one of the gold actor's accepted forms (containment or a
shared name word). Figures: precision / recall / F1, polarity accuracy, deadline accuracy
(same date, or both vague, or both without a deadline), kind, condition and speaker accuracy
over matched pairs, the share of matched actions that stay inside their sentence (action),
the share of gold condition texts reproduced word for word (condtxt), and sentences per second
through the whole pipeline plus extraction.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import json  # noqa: E402
import re  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from datetime import date  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "commitments"

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


def actor_matches(pred: str, gold: list[str]) -> bool:
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
    sentences: int = 0
    seconds: float = 0.0
    errors: list[str] = field(default_factory=list)

    def figures(self) -> dict[str, float]:
        p = self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0
        r = self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        m = self.tp or 1
        return {
            "gold": self.tp + self.fn, "predicted": self.tp + self.fp,
            "precision": round(p, 3), "recall": round(r, 3), "f1": round(f, 3),
            "polarity_acc": round(self.polarity / m, 3), "deadline_acc": round(self.deadline / m, 3),
            "kind_acc": round(self.kind / m, 3), "conditional_acc": round(self.conditional / m, 3),
            "speaker_acc": round(self.speaker / m, 3), "action_ok": round(self.action_ok / m, 3),
            "condition_text_acc": round(self.condition_text / self.condition_gold, 3) if self.condition_gold else 1.0,
            "sentences_per_s": round(self.sentences / self.seconds, 1) if self.seconds else 0.0,
        }  # fmt: skip


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
    for g in gold:
        hit = next(
            (
                p
                for p in free
                if sentence_of(spans, p.start) == g["sentence"] and actor_matches(p.actor, g["actor"])
            ),
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
        tally.errors.append(
            f"{item_id} FALSE s{sentence_of(spans, p.start)} {p.actor!r} {p.kind.value}: {p.action!r}"
        )


def evaluate_items(nlp: Any, resolver: Any, items: list[dict[str, Any]]) -> Tally:
    from newsdesk.analyze.commitments import find_commitments

    tally = Tally()
    for item in items:
        started = time.perf_counter()
        doc = nlp(item["text"])
        mentions = resolver.mentions(doc)
        published = date.fromisoformat(item["date"]) if item.get("date") else None
        preds = find_commitments(doc, mentions, published=published)
        tally.seconds += time.perf_counter() - started
        tally.sentences += len(gold_sentences(item["text"]))
        score_item(tally, item["id"], item["text"], preds, item["commitments"])
    return tally


def load_set(name: str) -> list[dict[str, Any]]:
    if name == "seed":
        from newsdesk.analyze import split_dated_text
        from newsdesk.jsonout import parse_date_prefix

        expected = json.loads((FIXTURES / "seed_expected.json").read_text(encoding="utf-8"))
        date_text, body = split_dated_text((ROOT / expected["source"]).read_text(encoding="utf-8"))
        published = parse_date_prefix(date_text)
        return [{"id": "seed", "date": published.isoformat() if published else None, "text": body,
                 "commitments": expected["commitments"]}]  # fmt: skip
    path = FIXTURES / f"{name}.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=None, help="spaCy package or path (default: the bundled pipeline)")
    parser.add_argument("--sets", default="dev,heldout,seed,articles")
    parser.add_argument("-v", "--verbose", action="store_true", help="list misses and false positives")
    args = parser.parse_args(argv)

    sys.path.insert(0, str(ROOT / "plugins"))
    from newsdesk.analyze.commitments import EXTRACTOR_VERSION
    from newsdesk.analyze.entities import EntityResolver, load_entity_catalog
    from newsdesk.analyze.nlp import load_nlp, pipeline_version

    nlp = load_nlp(args.model)
    resolver = EntityResolver(load_entity_catalog(ROOT / "seeds" / "entities.csv"))
    results: dict[str, dict[str, float]] = {}
    columns = ("gold", "predicted", "precision", "recall", "f1", "polarity_acc", "deadline_acc", "kind_acc",
               "conditional_acc", "speaker_acc", "action_ok", "condition_text_acc", "sentences_per_s")  # fmt: skip
    titles = ("gold", "pred", "P", "R", "F1", "pol", "dl", "kind", "cond", "spk", "action", "condtxt", "sent/s")
    header = f"{'set':8} " + " ".join(f"{t:>7}" for t in titles)
    print(header)
    print("-" * len(header))
    for name in args.sets.split(","):
        tally = evaluate_items(nlp, resolver, load_set(name))
        fig = tally.figures()
        results[name] = fig
        cells = [f"{fig[c]:>7}" if isinstance(fig[c], int) else f"{fig[c]:>7.3f}" for c in columns[:-1]]
        print(f"{name:8} " + " ".join(cells) + f" {fig['sentences_per_s']:>7.1f}")
        if args.verbose:
            for line in tally.errors:
                print("   ", line)
    record = {
        "bench": "commitments",
        "extractor_version": EXTRACTOR_VERSION,
        "pipeline": pipeline_version(nlp),
        "results": results,
    }
    print(json.dumps(record, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
