"""``newsdesk`` commands: demo, migrate, sync-feeds, extract, analyze, backfill, summary, up, db.

The CLI is the edge: it reads the environment into Settings, prints results, and is the only
place in the library that may start Airflow (lazily, for ``demo`` and ``up``). Every failure
is one line on stderr and a non-zero exit status; a file that cannot be read is reported on
its own line while the other files are processed (``--debug`` shows the traceback of an
unexpected error).
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
from typing import Any, NoReturn, TextIO

from newsdesk.config import PROJECT_DIR, Settings
from newsdesk.errors import NewsdeskError

log = logging.getLogger("newsdesk")

DESCRIPTION = "newsdesk: Dutch news feeds in; articles, entities and commitments in PostgreSQL out."
# Third-party loggers that judge the pages handed to `newsdesk extract` ("discarding data: ...");
# the record's status and reason already say what became of each file, so they speak only
# with --verbose.
PAGE_LOGGERS = ("trafilatura", "htmldate", "courlan", "justext", "charset_normalizer")
# Exit status when one or more input files could not be processed (the rest were).
FILES_FAILED = 1


class BadInputFile(Exception):
    """One input file cannot be used; ``reason`` is the one-line explanation."""

    def __init__(self, name: str, reason: str) -> None:
        super().__init__(f"{name}: {reason}")
        self.name = name
        self.reason = reason


def _read_input(name: str) -> bytes:
    """The bytes of one input file, or BadInputFile with a short reason (no errno noise)."""
    path = Path(name)
    try:
        return path.read_bytes()
    except IsADirectoryError:
        raise BadInputFile(name, "is a directory") from None
    except FileNotFoundError:
        raise BadInputFile(name, "no such file") from None
    except PermissionError:
        raise BadInputFile(name, "permission denied") from None
    except OSError as exc:
        raise BadInputFile(name, f"cannot read: {exc.strerror or exc}") from None


def _read_article_text(name: str) -> str:
    """A plain-text article: UTF-8 (a BOM allowed) with some text in it."""
    raw = _read_input(name)
    if not raw:
        raise BadInputFile(name, "empty file")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        byte = raw[exc.start]
        raise BadInputFile(name, f"not UTF-8 text (byte 0x{byte:02x} at offset {exc.start})") from None
    if not text.strip():
        raise BadInputFile(name, "no text (only whitespace)")
    return text


def _report_bad_file(command: str, problem: BadInputFile) -> None:
    print(f"newsdesk {command}: {problem.name}: {problem.reason}", file=sys.stderr, flush=True)


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
    from newsdesk.pipeline.feeds import sync_feeds_file
    from newsdesk.store.db import connect

    url = _database_url(settings, args.database_url)
    with connect(url) as conn:
        _, counts = sync_feeds_file(conn, Path(args.file) if args.file else settings.feeds_file)
    out.write(json.dumps(counts) + "\n")
    return 0


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def cmd_extract(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    from newsdesk.extract import extract_article

    failed = 0
    for name in args.files:
        try:
            body = _read_input(name)
        except BadInputFile as problem:
            _report_bad_file("extract", problem)
            failed += 1
            continue
        # A page that is not an article (empty, an index, too short) is a record with its status
        # and reason, not a failure of the command.
        article = extract_article(body, url=args.url or Path(name).resolve().as_uri())
        record: dict[str, Any] = {
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
    return FILES_FAILED if failed else 0


def cmd_analyze(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    from newsdesk.analyze import analyze_docs, split_dated_text
    from newsdesk.jsonout import analysis_record, parse_date_prefix

    model = args.model or settings.nlp_model
    catalog = settings.seeds_dir / "entities.csv"
    inputs: list[tuple[str, str | None, str]] = []
    failed = 0
    for name in args.files:
        try:
            date_text, body = split_dated_text(_read_article_text(name))
            if not body.strip():
                raise BadInputFile(name, "no text after the date line")
        except BadInputFile as problem:
            _report_bad_file("analyze", problem)
            failed += 1
            continue
        inputs.append((name, date_text, body))
    if not inputs:
        return FILES_FAILED
    analyses = analyze_docs(
        ((body, parse_date_prefix(date_text)) for _, date_text, body in inputs),
        model=model,
        catalog_path=catalog,
        scorer_path=settings.commitment_scorer,
    )
    for (name, date_text, body), analysis in zip(inputs, analyses, strict=True):
        out.write(json.dumps(analysis_record(name, date_text, body, analysis), ensure_ascii=False) + "\n")
        out.flush()
    return FILES_FAILED if failed else 0


def cmd_summary(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    from newsdesk.store.db import connect
    from newsdesk.store.summary import warehouse_summary

    url = _database_url(settings, args.database_url)
    with connect(url) as conn:
        summary = warehouse_summary(conn)
    _print_summary(summary, url, out)
    return 0


def _embedded_note(settings: Settings) -> str:
    return (
        f"the embedded PostgreSQL keeps running (data in {settings.state_dir / 'pgdata'}); "
        "stop it with `newsdesk db stop` or `make stop`\n"
    )


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
    if not (args.database_url or settings.database_url):
        # Left running on purpose: the psql line above and `make up` use it.
        out.write("\n" + _embedded_note(settings))
    return 0


def cmd_up(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    from newsdesk.store.db import migrate

    url = _database_url(settings, args.database_url)
    migrate(url)
    from newsdesk_airflow.standalone import run_standalone

    status = run_standalone(PROJECT_DIR, url, port=args.port, host=args.host)
    if not (args.database_url or settings.database_url):
        out.write("newsdesk up: " + _embedded_note(settings))
    return status


def cmd_db_status(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    from newsdesk.store.server import embedded_server_pid

    data_dir = settings.state_dir / "pgdata"
    pid = embedded_server_pid(data_dir)
    out.write(f"embedded PostgreSQL in {data_dir}: " + (f"running (pid {pid})\n" if pid else "not running\n"))
    if settings.database_url:
        out.write("(NEWSDESK_DATABASE_URL is set: the commands use that server, not this one)\n")
    return 0


def cmd_db_stop(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    from newsdesk.store.server import stop_embedded_server
    from newsdesk_airflow.standalone import running_standalone_pid

    up = running_standalone_pid(PROJECT_DIR)
    if up is not None:
        raise NewsdeskError(f"newsdesk up is running (pid {up}) on this warehouse; stop it first (Ctrl-C or kill {up})")
    data_dir = settings.state_dir / "pgdata"
    pid = stop_embedded_server(data_dir)
    out.write(f"stopped the embedded PostgreSQL in {data_dir} (pid {pid})\n" if pid else "not running\n")
    return 0


FORMAT_HELP = "output format: one JSON object per line (the only one)"


class _Parser(argparse.ArgumentParser):
    """A usage error is one line too, pointing at --help (argparse prints the whole usage)."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


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
    parser = _Parser(prog="newsdesk", description=DESCRIPTION)
    parser.add_argument("-v", "--verbose", action="store_true", help="log at INFO level")
    parser.add_argument("--debug", action="store_true", help="show the traceback of an unexpected error")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def with_db(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
        p.add_argument("--database-url", help="warehouse URL (default: NEWSDESK_DATABASE_URL, else embedded)")
        return p

    with_db(sub.add_parser("migrate", help="apply pending migrations and recreate views")).set_defaults(
        func=cmd_migrate
    )
    p = with_db(sub.add_parser("sync-feeds", help="sync the feed file into the feeds table"))
    p.add_argument("--file", help="feeds.toml (default: NEWSDESK_FEEDS_FILE or seeds/feeds.toml)")
    p.set_defaults(func=cmd_sync_feeds)
    p = sub.add_parser(
        "extract",
        help="extract articles from HTML files, one JSON line each",
        description="One JSON object per readable file, in order; a file that cannot be read is one "
        "line on stderr and makes the exit status 1 (the other files are still extracted).",
    )
    p.add_argument("--format", choices=["jsonl"], default="jsonl", help=FORMAT_HELP)
    p.add_argument("--url", help="the page URL when the file does not say")
    p.add_argument("files", nargs="+", metavar="FILE", help="a saved HTML page (any encoding)")
    p.set_defaults(func=cmd_extract)
    p = sub.add_parser(
        "analyze",
        help="entities and commitments of plain-text articles, one JSON line each",
        description="One JSON object per usable file, in order; a missing, unreadable, non-UTF-8 or "
        "empty file is one line on stderr and makes the exit status 1 (the other files are still analysed).",
    )
    p.add_argument("--format", choices=["jsonl"], default="jsonl", help=FORMAT_HELP)
    p.add_argument("--model", help="spaCy pipeline (default: NEWSDESK_NLP_MODEL or the bundled one)")
    p.add_argument(
        "files",
        nargs="+",
        metavar="FILE",
        help="a UTF-8 text article, optionally starting with 'date YYYY-MM[-DD]'",
    )
    p.set_defaults(func=cmd_analyze)
    backfill = sub.add_parser("backfill", help="store pages from archives (WARC files) without downloading them")
    backfill_sub = backfill.add_subparsers(dest="source", required=True, metavar="SOURCE")
    p = with_db(
        backfill_sub.add_parser(
            "warc",
            help="read WARC/ARC files (paths, file://, https:// or s3:// URLs); resumes where a file stopped",
            description="One JSON object per file (its status and counts), then the analysis; a file "
            "that cannot be read to its end is one line on stderr and makes the exit status 1.",
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
    with_db(sub.add_parser("summary", help="counts read back from the warehouse")).set_defaults(func=cmd_summary)
    p = with_db(sub.add_parser("demo", help="run the ingest and analyze DAGs once on the offline sample"))
    p.add_argument(
        "--port",
        type=int,
        default=int(os.environ.get("NEWSDESK_SAMPLE_PORT", "8765")),
        help="port of the local sample site (its URLs are stored, so keep it fixed)",
    )
    p.set_defaults(func=cmd_demo)
    p = with_db(sub.add_parser("up", help="Airflow (scheduler, API server and UI, ...) with newsdesk's DAGs"))
    p.add_argument(
        "--port",
        type=int,
        default=int(os.environ.get("NEWSDESK_UP_PORT", "8080")),
        help="port of Airflow's API server and UI (default: NEWSDESK_UP_PORT or 8080)",
    )
    p.add_argument(
        "--host",
        default=os.environ.get("NEWSDESK_UP_HOST", "127.0.0.1"),
        help="address the UI listens on (default: NEWSDESK_UP_HOST or 127.0.0.1, this machine only)",
    )
    p.set_defaults(func=cmd_up)
    p = sub.add_parser("db", help="the embedded PostgreSQL under .newsdesk/pgdata: status, stop")
    db = p.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    db.add_parser("status", help="is it running, with which pid").set_defaults(func=cmd_db_status)
    db.add_parser("stop", help="stop it (refused while newsdesk up runs)").set_defaults(func=cmd_db_stop)
    return parser


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    if not args.verbose:
        for name in PAGE_LOGGERS:
            logging.getLogger(name).setLevel(logging.CRITICAL)
    try:
        return int(args.func(args, Settings.from_env(), sys.stdout))
    except NewsdeskError as exc:
        if args.debug:
            raise
        print(f"newsdesk: error: {_one_line(exc)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("newsdesk: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # the reader went away (`newsdesk analyze ... | head`): not an error of ours; point stdout
        # at /dev/null so the interpreter's final flush does not fail again
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    except Exception as exc:
        if args.debug:
            raise
        print(
            f"newsdesk: unexpected error: {type(exc).__name__}: {_one_line(exc)} (--debug shows the traceback)",
            file=sys.stderr,
        )
        return 1


if __name__ == "__main__":
    sys.exit(main())
