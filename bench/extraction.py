"""Extraction benchmark: newsdesk's extract_article vs. plain trafilatura on real news pages.

Data: ../shared/testdata/extraction-fundus (relative to the project root): 258 pages from
fundus's parser tests (41 countries) with gold title, body, authors and publishing date.

Metrics (macro averages over pages):
  body P/R/F1  bag-of-words overlap of lower-cased word tokens (an empty extraction scores 0)
  title        exact match after whitespace normalisation
  author F1    set overlap of normalised author names (both empty counts as 1)
  date         same calendar day as the gold date, in the gold date's own time zone
               (pages without a gold date are left out)
  pages/s      CPU time of the extraction calls in this one process (decompression not timed;
               CPU rather than wall time because the benchmark machine is shared)

Page by page against plain trafilatura (when both run): pages where newsdesk's body F1 is lower
or higher, and pages where newsdesk returns no text while trafilatura returns some (must be none;
the script exits non-zero otherwise, and when newsdesk's body F1 or recall is below trafilatura's).

    .venv/bin/python bench/extraction.py [--limit N] [--data DIR] [--only newsdesk|trafilatura]

Prints a table, then one JSON line with every figure.
"""

from __future__ import annotations

import argparse
import gzip
import html
import json
import logging
import re
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = (PROJECT / ".." / "shared" / "testdata" / "extraction-fundus").resolve()
_WORD = re.compile(r"\w+", re.UNICODE)


@dataclass(slots=True)
class Output:
    body: str
    title: str | None
    authors: list[str]
    published: datetime | date | None


@dataclass(slots=True)
class Scores:
    p: float = 0.0
    r: float = 0.0
    f1: float = 0.0
    title: float = 0.0
    author_f1: float = 0.0
    date_ok: int = 0
    date_n: int = 0
    n: int = 0
    seconds: float = 0.0
    pages: list[tuple[float, float, bool]] = field(default_factory=list)  # (recall, F1, empty) per page


def tokens(text: str) -> Counter[str]:
    return Counter(_WORD.findall(text.casefold()))


def prf(pred: str, gold: str) -> tuple[float, float, float]:
    p_tok, g_tok = tokens(pred), tokens(gold)
    if not p_tok or not g_tok:
        return 0.0, 0.0, 0.0
    common = sum((p_tok & g_tok).values())
    if common == 0:
        return 0.0, 0.0, 0.0
    p, r = common / sum(p_tok.values()), common / sum(g_tok.values())
    return p, r, 2 * p * r / (p + r)


def norm(text: str | None) -> str:
    return " ".join(html.unescape(text or "").split())


def author_f1(pred: list[str], gold: list[str]) -> float:
    p = {norm(a).casefold() for a in pred if norm(a)}
    g = {norm(a).casefold() for a in gold if norm(a)}
    if not p and not g:
        return 1.0
    if not p or not g:
        return 0.0
    common = len(p & g)
    if common == 0:
        return 0.0
    prec, rec = common / len(p), common / len(g)
    return 2 * prec * rec / (prec + rec)


def same_day(pred: datetime | date | None, gold: str | None) -> bool:
    if pred is None or not gold:
        return False
    gold_dt = datetime.fromisoformat(gold)
    if isinstance(pred, datetime):
        if pred.tzinfo is not None and gold_dt.tzinfo is not None:
            pred = pred.astimezone(gold_dt.tzinfo)
        return pred.date() == gold_dt.date()
    return pred == gold_dt.date()


def run_newsdesk() -> Callable[[bytes, str], Output]:
    from newsdesk.extract import extract_article

    def run(page: bytes, url: str) -> Output:
        article = extract_article(page, url=url)
        return Output(article.text, article.title, list(article.authors), article.published_at)

    return run


def run_trafilatura() -> Callable[[bytes, str], Output]:
    import trafilatura

    def run(page: bytes, url: str) -> Output:
        body = trafilatura.extract(page, url=url) or ""
        meta = trafilatura.extract_metadata(page, default_url=url)
        authors = [a.strip() for a in (meta.author or "").split(";") if a.strip()] if meta else []
        published = None
        if meta and meta.date:
            try:
                published = date.fromisoformat(meta.date[:10])
            except ValueError:
                published = None
        return Output(body, meta.title if meta else None, authors, published)

    return run


def evaluate(name: str, run: Callable[[bytes, str], Output], rows: list[dict], pages: list[bytes]) -> Scores:
    scores = Scores()
    for row, page in zip(rows, pages, strict=True):
        start = time.process_time()
        out = run(page, row["url"])
        scores.seconds += time.process_time() - start
        p, r, f1 = prf(out.body, row["body_text"] or "")
        scores.pages.append((r, f1, not out.body.strip()))
        scores.p += p
        scores.r += r
        scores.f1 += f1
        scores.title += norm(out.title) == norm(row["title"])
        scores.author_f1 += author_f1(out.authors, row["authors"] or [])
        if row.get("publishing_date"):
            scores.date_n += 1
            scores.date_ok += same_day(out.published, row["publishing_date"])
        scores.n += 1
    n = max(scores.n, 1)
    scores.p, scores.r, scores.f1 = scores.p / n, scores.r / n, scores.f1 / n
    scores.title, scores.author_f1 = scores.title / n, scores.author_f1 / n
    return scores


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--limit", type=int, default=0)
    parser.add_argument("--only", choices=["newsdesk", "trafilatura"])
    args = parser.parse_args(argv)
    logging.disable(logging.WARNING)  # trafilatura logs every discarded page

    manifest = (args.data / "manifest.jsonl").read_text("utf-8").splitlines()
    rows = [json.loads(line) for line in manifest if line]
    if args.limit:
        rows = rows[: args.limit]
    pages = [gzip.decompress((args.data / row["html"]).read_bytes()) for row in rows]

    systems = {"newsdesk": run_newsdesk, "trafilatura": run_trafilatura}
    results: dict[str, Scores] = {}
    for name, factory in systems.items():
        if args.only and name != args.only:
            continue
        run = factory()
        run(pages[0], rows[0]["url"])  # warm-up: model and module loading are not per-page costs
        results[name] = evaluate(name, run, rows, pages)

    columns = ("body P", "body R", "body F1", "title", "authF1", "date", "pages/s")
    header = f"{'system':<12} " + " ".join(f"{c:>7}" for c in columns)
    print(f"{len(rows)} pages from {args.data}")
    print(header)
    print("-" * len(header))
    figures: dict[str, dict[str, float]] = {}
    for name, s in results.items():
        date_acc = s.date_ok / s.date_n if s.date_n else 0.0
        rate = s.n / s.seconds if s.seconds else 0.0
        values = (s.p, s.r, s.f1, s.title, s.author_f1, date_acc)
        print(f"{name:<12} " + " ".join(f"{v:7.3f}" for v in values) + f" {rate:7.1f}")
        figures[name] = {
            "body_precision": round(s.p, 4),
            "body_recall": round(s.r, 4),
            "body_f1": round(s.f1, 4),
            "title_exact": round(s.title, 4),
            "author_f1": round(s.author_f1, 4),
            "date_accuracy": round(date_acc, 4),
            "date_pages": s.date_n,
            "pages_per_s": round(rate, 1),
        }
    failures: list[str] = []
    comparison: dict[str, object] = {}
    if "newsdesk" in results and "trafilatura" in results:
        ours, theirs = results["newsdesk"].pages, results["trafilatura"].pages
        worse = [
            (rows[i]["html"], t[1], o[1])
            for i, (o, t) in enumerate(zip(ours, theirs, strict=True))
            if o[1] < t[1] - 0.01
        ]
        better = sum(1 for o, t in zip(ours, theirs, strict=True) if o[1] > t[1] + 0.01)
        emptied = [rows[i]["html"] for i, (o, t) in enumerate(zip(ours, theirs, strict=True)) if o[2] and not t[2]]
        print(
            f"page by page: newsdesk better on {better}, worse on {len(worse)} (F1 differs by > 0.01); "
            f"empty where trafilatura is not: {len(emptied)}"
        )
        for name, t_f1, o_f1 in sorted(worse, key=lambda w: w[2] - w[1])[:10]:
            print(f"  worse: {name}  trafilatura F1 {t_f1:.3f}  newsdesk {o_f1:.3f}")
        comparison = {
            "better": better,
            "worse": len(worse),
            "empty_where_trafilatura_is_not": emptied,
            "worst": [
                {"page": n, "trafilatura_f1": round(t, 4), "newsdesk_f1": round(o, 4)}
                for n, t, o in sorted(worse, key=lambda w: w[2] - w[1])[:10]
            ],
        }
        if emptied:
            failures.append(f"{len(emptied)} pages empty where trafilatura has text")
        if results["newsdesk"].f1 < results["trafilatura"].f1 or results["newsdesk"].r < results["trafilatura"].r:
            failures.append("body F1 or recall below plain trafilatura's")
    print(
        json.dumps(
            {"benchmark": "extraction", "pages": len(rows), "results": figures, "comparison": comparison},
            sort_keys=True,
        )
    )
    if failures:
        print("FAILED: " + "; ".join(failures), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
