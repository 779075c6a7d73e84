"""``newsdesk`` commands: demo, migrate, sync-feeds, extract, analyze, backfill, summary, up.

The CLI is the edge: it reads the environment into Settings, prints results, and is the only
place in the library that may start Airflow (lazily, for ``demo`` and ``up``).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO

from newsdesk.config import PROJECT_DIR, Settings
from newsdesk.errors import NewsdeskError

log = logging.getLogger("newsdesk")


def _database_url(settings: Settings, explicit: str | None = None) -> str:
    """The warehouse: --database-url, NEWSDESK_DATABASE_URL, else the embedded server under .newsdesk/."""
    if explicit:
        return explicit
    if settings.database_url:
        return settings.database_url
    from newsdesk.store.server import start_embedded

    return start_embedded(settings.state_dir / "pgdata", database="newsdesk", keep_running=True)


def cmd_migrate(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    from newsdesk.store.db import applied_migrations, migrate

    url = _database_url(settings, args.database_url)
    applied = migrate(url)
    out.write(f"applied {len(applied)} migration(s): {', '.join(applied) or 'none pending'}\n")
    out.write(f"schema at {applied_migrations(url)[-1]}\n")
    return 0


def cmd_sync_feeds(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    from newsdesk.sources import load_feeds
    from newsdesk.store.db import connect
    from newsdesk.store.feeds import sync_feeds
    from newsdesk.store.sitemaps import sync_sitemaps

    url = _database_url(settings, args.database_url)
    feeds = load_feeds(Path(args.file) if args.file else settings.feeds_file)
    with connect(url) as conn:
        counts = sync_feeds(conn, feeds)
        counts.update(sync_sitemaps(conn, feeds))
        conn.commit()
    out.write(json.dumps(counts) + "\n")
    return 0


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def cmd_extract(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    from newsdesk.extract import extract_article

    for name in args.files:
        path = Path(name)
        try:
            body = path.read_bytes()
        except OSError as exc:
            record: dict[str, Any] = {
                "source": name,
                "url": args.url,
                "title": None,
                "authors": [],
                "published": None,
                "language": None,
                "text": "",
                "status": "error",
                "reason": f"cannot read file: {exc.strerror}",
            }
        else:
            article = extract_article(body, url=args.url or path.resolve().as_uri())
            record = {
                "source": name,
                "url": article.canonical_url or args.url,
                "title": article.title,
                "authors": list(article.authors),
                "published": _iso(article.published_at),
                "language": article.language,
                "text": article.text,
                "status": str(article.status),
            }
            if article.reason:
                record["reason"] = article.reason
        out.write(json.dumps(record, ensure_ascii=False) + "\n")
        out.flush()
    return 0


def cmd_analyze(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    from newsdesk.analyze import analyze_docs, split_dated_text
    from newsdesk.jsonout import analysis_record, parse_date_prefix

    model = args.model or settings.nlp_model
    catalog = settings.seeds_dir / "entities.csv"
    inputs: list[tuple[str, str | None, str]] = []
    for name in args.files:
        raw = Path(name).read_text(encoding="utf-8-sig")
        date_text, body = split_dated_text(raw)
        inputs.append((name, date_text, body))
    analyses = analyze_docs(
        ((body, parse_date_prefix(date_text)) for _, date_text, body in inputs),
        model=model,
        catalog_path=catalog,
        scorer_path=settings.commitment_scorer,
    )
    for (name, date_text, body), analysis in zip(inputs, analyses, strict=True):
        out.write(json.dumps(analysis_record(name, date_text, body, analysis), ensure_ascii=False) + "\n")
        out.flush()
    return 0


def cmd_summary(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    from newsdesk.store.db import connect
    from newsdesk.store.summary import warehouse_summary

    url = _database_url(settings, args.database_url)
    with connect(url) as conn:
        summary = warehouse_summary(conn)
    _print_summary(summary, url, out)
    return 0


def _print_summary(summary: dict[str, int], url: str, out: TextIO) -> None:
    width = max(len(k) for k in summary)
    out.write("newsdesk warehouse\n")
    for key, value in summary.items():
        out.write(f"  {key.replace('_', ' '):<{width}}  {value:>8}\n")
    out.write(f'\nquery it:  psql "{_redact(url)}"\n')


def _redact(url: str) -> str:
    """The connection string as libpq keywords, password masked (never print secrets)."""
    from psycopg.conninfo import conninfo_to_dict, make_conninfo

    info = conninfo_to_dict(url)
    if info.get("password"):
        info["password"] = "********"
    return make_conninfo("", **info)


def cmd_demo(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    from newsdesk_airflow.demo import run_demo

    url = _database_url(settings, args.database_url)
    summary = run_demo(settings, url, port=args.port, progress=out)
    out.write("\n")
    _print_summary(summary, url, out)
    return 0


def cmd_up(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    from newsdesk.store.db import migrate

    url = _database_url(settings, args.database_url)
    migrate(url)
    from newsdesk_airflow.standalone import run_standalone

    return run_standalone(PROJECT_DIR, url)


def _utc_date(value: str) -> datetime:
    """An ISO date or date-time; UTC unless it says otherwise."""
    from datetime import UTC

    try:
        parsed = datetime.fromisoformat(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not an ISO date: {value!r}") from exc
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def cmd_backfill_warc(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    from datetime import UTC

    from newsdesk.pipeline.analysis import analyze_pending
    from newsdesk.pipeline.articles import link_duplicates
    from newsdesk.pipeline.backfill import BackfillFilter, backfill_file
    from newsdesk.store.db import connect, migrate

    url = _database_url(settings, args.database_url)
    migrate(url)
    filters = BackfillFilter(
        hosts=tuple(args.host or ()), languages=tuple(args.language or ()), since=args.since, until=args.until
    )
    failed = 0
    with connect(url) as conn:
        for location in args.files:
            result = backfill_file(conn, location, settings, now=datetime.now(UTC), filters=filters, again=args.again)
            out.write(json.dumps(result.as_dict()) + "\n")
            if result.status == "failed":
                failed += 1
                print(f"newsdesk backfill: {location}: {result.reason}", file=sys.stderr)
        link_duplicates(conn)
        if not args.no_analyze:
            analysed = analyze_pending(conn, settings, now=datetime.now(UTC))
            out.write(json.dumps({"analysis": analysed.as_dict()}) + "\n")
    return 1 if failed else 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="newsdesk", description=__doc__.splitlines()[0])
    parser.add_argument("-v", "--verbose", action="store_true", help="log at INFO level")
    sub = parser.add_subparsers(dest="command", required=True)

    def with_db(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
        p.add_argument("--database-url", help="warehouse URL (default: NEWSDESK_DATABASE_URL, else embedded)")
        return p

    with_db(sub.add_parser("migrate", help="apply pending migrations and recreate views")).set_defaults(
        func=cmd_migrate
    )
    p = with_db(sub.add_parser("sync-feeds", help="sync the feed file into the feeds table"))
    p.add_argument("--file", help="feeds.toml (default: NEWSDESK_FEEDS_FILE or seeds/feeds.toml)")
    p.set_defaults(func=cmd_sync_feeds)
    p = sub.add_parser("extract", help="extract articles from HTML files, one JSON line each")
    p.add_argument("--format", choices=["jsonl"], default="jsonl")
    p.add_argument("--url", help="the page URL when the file does not say")
    p.add_argument("files", nargs="+")
    p.set_defaults(func=cmd_extract)
    p = sub.add_parser("analyze", help="entities and commitments of plain-text articles, one JSON line each")
    p.add_argument("--format", choices=["jsonl"], default="jsonl")
    p.add_argument("--model", help="spaCy pipeline (default: NEWSDESK_NLP_MODEL or the bundled one)")
    p.add_argument("files", nargs="+")
    p.set_defaults(func=cmd_analyze)
    backfill = sub.add_parser("backfill", help="store pages from archives (WARC files) without downloading them")
    backfill_sub = backfill.add_subparsers(dest="source", required=True)
    p = with_db(
        backfill_sub.add_parser(
            "warc",
            help="read WARC/ARC files (paths, file://, https:// or s3:// URLs); resumes where a file stopped",
        )
    )
    p.add_argument("files", nargs="+", metavar="PATH_OR_URL", help="WARC or ARC files, gzip'd or not")
    p.add_argument("--host", action="append", help="only pages of this host and its subdomains (repeatable)")
    p.add_argument("--language", action="append", help="only articles in this language, e.g. nl (repeatable)")
    p.add_argument("--since", type=_utc_date, help="only articles published on or after this date (ISO)")
    p.add_argument("--until", type=_utc_date, help="only articles published before this date (ISO)")
    p.add_argument("--again", action="store_true", help="read files that were read to the end before again")
    p.add_argument("--no-analyze", action="store_true", help="store the articles; leave the analysis to the DAG")
    p.set_defaults(func=cmd_backfill_warc)
    with_db(sub.add_parser("summary", help="counts read back from the warehouse")).set_defaults(
        func=cmd_summary
    )
    p = with_db(sub.add_parser("demo", help="run the ingest and analyze DAGs once on the offline sample"))
    p.add_argument(
        "--port",
        type=int,
        default=int(os.environ.get("NEWSDESK_SAMPLE_PORT", "8765")),
        help="port of the local sample site (its URLs are stored, so keep it fixed)",
    )
    p.set_defaults(func=cmd_demo)
    with_db(sub.add_parser("up", help="airflow standalone with newsdesk's DAGs and UI page")).set_defaults(
        func=cmd_up
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    try:
        return int(args.func(args, Settings.from_env(), sys.stdout))
    except NewsdeskError as exc:
        print(f"newsdesk: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
