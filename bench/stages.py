"""Benchmark: every pipeline stage on its own, one core, on the same batch of Dutch news pages.

The batch is bench/_corpus.py's site (N article pages of real Dutch newspaper text, their RSS
feeds), served from 127.0.0.1. Each stage runs over the whole batch with its inputs already in
memory, through newsdesk's real functions:

  feed download + parse   Fetcher.fetch_feeds + poll_from_download (parse, canonical links)
  page download           Fetcher.fetch_pages (wall time: I/O against the local server)
  extraction              extract_article on every page body
  NLP                     the spaCy pipeline (nlp.pipe) on every article text
  commitments             entity resolution + commitment rules on the parsed docs
  loading                 apply_polls (feed entries, pages), the article store (with near-
                          duplicate lookup), replace_analysis (entities, mentions, commitments)

plus the loading micro-benchmark: the same mention rows through COPY (what newsdesk does) and
through one INSERT per row. CPU seconds are this process's (PostgreSQL's work shows in wall
time only). The model is loaded before timing (a worker loads it once per process).

    .venv/bin/python bench/stages.py [--articles 1000]
Database: NEWSDESK_DATABASE_URL (a scratch database is created and dropped), else embedded.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import _corpus
from _common import machine, one, print_table, scratch_database

# feeds synced now are due a moment later
NOW = datetime.now(UTC) + timedelta(minutes=1)


# Stages whose work happens outside this process (the HTTP server, PostgreSQL) are rated per
# wall-clock second; the others per CPU second of this process.
WALL_RATED = frozenset({"page download", "loading (all tables)"})


@dataclass
class Stage:
    name: str
    unit: str
    items: int
    wall_s: float
    cpu_s: float

    @property
    def rate(self) -> float:
        seconds = self.wall_s if self.name in WALL_RATED else self.cpu_s
        return self.items / seconds if seconds else 0.0

    def as_dict(self) -> dict[str, object]:
        return {
            "items": self.items,
            "unit": self.unit,
            "wall_s": round(self.wall_s, 3),
            "cpu_s": round(self.cpu_s, 3),
            "per_s": round(self.rate, 1),
            "rated_on": "wall" if self.name in WALL_RATED else "cpu",
        }


@dataclass
class Timer:
    stages: list[Stage] = field(default_factory=list)

    def run(self, name: str, unit: str, fn: Callable[[], tuple[int, Any]]) -> Any:
        wall, cpu = time.perf_counter(), time.process_time()
        items, result = fn()
        self.stages.append(Stage(name, unit, items, time.perf_counter() - wall, time.process_time() - cpu))
        return result

    def total_wall(self) -> float:
        return sum(s.wall_s for s in self.stages)


def bench_settings(database_url: str, feeds_file: Path | None = None) -> Any:
    """Settings for a local bench server: loopback allowed, no per-host delay (one host stands
    in for many publishers; the politeness delay would measure the delay, not the code)."""
    from newsdesk.config import HttpSettings, Settings

    http = HttpSettings(allow_private=("127.0.0.1",), per_host_concurrency=8, per_host_delay_s=0.0, concurrency=16)
    kwargs: dict[str, Any] = {"feeds_file": feeds_file} if feeds_file else {}
    return Settings(database_url=database_url, http=http, **kwargs)


def build_site(count: int, root: Path) -> tuple[list[_corpus.BenchArticle], list[str]]:
    articles = _corpus.articles(count)
    return articles, _corpus.write_site(root, articles)


def run_stages(site_root: Path, base_url: str, feed_paths: list[str], database_url: str) -> Timer:
    """Each stage over the whole batch, in order, each fed the previous stage's output."""
    import psycopg
    from psycopg.rows import dict_row

    from newsdesk.analyze import _resolver as resolver_for
    from newsdesk.analyze import analyze_doc
    from newsdesk.analyze.nlp import load_nlp
    from newsdesk.extract import extract_article
    from newsdesk.fetch import Fetcher
    from newsdesk.models import Feed
    from newsdesk.pipeline.articles import COMMIT_EVERY_PAGES, store_page_article
    from newsdesk.pipeline.polling import poll_from_download
    from newsdesk.store import analysis as analysis_store
    from newsdesk.store.feeds import apply_polls, due_feeds, sync_feeds

    settings = bench_settings(database_url)
    nlp = load_nlp(settings.nlp_model)
    resolver = resolver_for(settings.seeds_dir / "entities.csv")
    list(nlp.pipe(["Het kabinet belooft de Tweede Kamer voor de zomer een besluit."] * 4))  # warm-up
    timer = Timer()
    with psycopg.connect(database_url, row_factory=dict_row) as conn, Fetcher(settings.http) as fetcher:
        sync_feeds(conn, [Feed(f"{base_url}/{path}", path) for path in feed_paths])
        conn.commit()
        states = {s.feed_id: s for s in due_feeds(conn, NOW)}

        def feeds() -> tuple[int, list[Any]]:
            polls = [
                poll_from_download(d, states[d.feed_id]) for d in fetcher.fetch_feeds(list(states.values()), now=NOW)
            ]
            return sum(len(p.entries) for p in polls), polls

        polls = timer.run("feed download + parse", "entries", feeds)
        urls = [e.link for p in polls for e in p.entries]

        def pages() -> tuple[int, list[Any]]:
            fetched = list(fetcher.fetch_pages(urls))
            return len(fetched), fetched

        downloads = timer.run("page download", "pages", pages)

        def extract() -> tuple[int, list[Any]]:
            out = [(d, extract_article(d.body, url=d.final_url or d.url, charset=d.charset)) for d in downloads]
            return len(out), out

        extracted = timer.run("extraction", "pages", extract)
        texts = [(a.text, a.published_at.date() if a.published_at else None) for _, a in extracted]
        words = sum(len(t.split()) for t, _ in texts)

        def parse() -> tuple[int, list[Any]]:
            return words, list(nlp.pipe(texts, as_tuples=True, batch_size=32))

        docs = timer.run("NLP (spaCy pipeline)", "words", parse)
        sentences = sum(1 for doc, _ in docs for _ in doc.sents)

        def commitments() -> tuple[int, list[Any]]:
            return sentences, [analyze_doc(doc, nlp=nlp, resolver=resolver, published=day) for doc, day in docs]

        analyses = timer.run("entities + commitments", "sentences", commitments)

        def load() -> tuple[int, None]:
            rows = sum(len(p.entries) for p in polls) * 2  # a pages row and a feed_entries row each
            apply_polls(conn, polls, settings.poll, now=NOW)
            conn.commit()
            page_ids = {r["url"]: r["page_id"] for r in conn.execute("SELECT url, page_id FROM pages")}
            article_ids = []
            for done, (fetched, article) in enumerate(extracted, 1):
                stored, _ = store_page_article(conn, page_ids[fetched.url], article, fetched, now=NOW)
                article_ids.append(stored.article_id)
                rows += 3  # articles, article_versions, article_sources (+ bands, counted below)
                if done % COMMIT_EVERY_PAGES == 0:  # as fetch_and_store_pages commits
                    conn.commit()
            conn.commit()
            rows += one(conn.execute("SELECT count(*) AS n FROM article_bands"))["n"]
            for article_id, analysis in zip(article_ids, analyses, strict=True):
                written = analysis_store.replace_analysis(conn, article_id, analysis, now=NOW)
                conn.commit()
                rows += written["mentions"] + written["commitments"]
            return rows, None

        timer.run("loading (all tables)", "rows", load)
    return timer


def copy_vs_inserts(database_url: str, rows: int) -> dict[str, float]:
    """The same mention-shaped rows through COPY and through one INSERT per row (rows/s, wall)."""
    import psycopg

    data = [
        (i // 20 + 1, i % 20 * 10, i % 20 * 10 + 7, f"ent-{i % 500}", f"Naam {i % 500}", "PER", i % 20)
        for i in range(rows)
    ]
    ddl = (
        "CREATE TEMP TABLE bench_mentions (article_id bigint, start_char int, end_char int, entity_id text,"
        " text text, label text, sentence int, PRIMARY KEY (article_id, start_char, end_char))"
    )
    out: dict[str, float] = {}
    with psycopg.connect(database_url) as conn:
        conn.execute(ddl)
        started = time.perf_counter()
        with conn.cursor().copy("COPY bench_mentions FROM STDIN") as copy:
            for row in data:
                copy.write_row(row)
        conn.commit()
        out["copy_rows_per_s"] = round(rows / (time.perf_counter() - started))
        conn.execute("TRUNCATE bench_mentions")
        conn.commit()
        started = time.perf_counter()
        with conn.cursor() as cur:
            for row in data:
                cur.execute("INSERT INTO bench_mentions VALUES (%s, %s, %s, %s, %s, %s, %s)", row)
        conn.commit()
        out["insert_rows_per_s"] = round(rows / (time.perf_counter() - started))
    out["copy_speedup"] = round(out["copy_rows_per_s"] / out["insert_rows_per_s"], 1)
    return out


def stage_rows(timer: Timer) -> list[tuple[str, object]]:
    rows: list[tuple[str, object]] = [("stage", "items | wall s | CPU s | rate")]
    for s in timer.stages:
        basis = "wall" if s.name in WALL_RATED else "CPU"
        rows.append((s.name, f"{s.items} {s.unit} | {s.wall_s:.2f} | {s.cpu_s:.2f} | {s.rate:,.0f} {s.unit}/{basis}-s"))
    rows.append(("sum of stages (wall)", f"{timer.total_wall():.2f} s"))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--copy-rows", type=int, default=50_000)
    args = parser.parse_args()
    from newsdesk.sample import SampleSite

    tmp = Path(tempfile.mkdtemp(prefix="newsdesk-bench-stages-"))
    _, feed_paths = build_site(args.articles, tmp / "site")
    with scratch_database(tmp, "newsdesk_bench_stages") as (url, _base), SampleSite(tmp / "site") as site:
        timer = run_stages(tmp / "site", site.base_url, feed_paths, url)
        loading = copy_vs_inserts(url, args.copy_rows)
    rows = stage_rows(timer)
    rows += [
        (f"loading {args.copy_rows:,} rows: COPY", f"{loading['copy_rows_per_s']:,} rows/s"),
        (f"loading {args.copy_rows:,} rows: INSERT per row", f"{loading['insert_rows_per_s']:,} rows/s"),
        ("COPY speed-up", f"{loading['copy_speedup']}x"),
    ]
    print_table(rows)
    print(
        json.dumps(
            {
                "benchmark": "stages",
                "articles": args.articles,
                "stages": {s.name: s.as_dict() for s in timer.stages},
                "loading": loading,
                "machine": machine(),
            }
        )
    )


if __name__ == "__main__":
    main()
