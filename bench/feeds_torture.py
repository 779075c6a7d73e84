"""Benchmark: newsdesk's feed-parsing path (parse_feed) over feedparser's own test corpus.

Every file under the corpus folder is parsed as a feed body; the figures are files processed,
crashes (an exception escaping parse_feed: must be 0), entries recovered, files recorded as
errors (not a feed) and files with a problem noted (ill-formed but recovered), plus which
path read them (the lxml fast path or feedparser).

    .venv/bin/python bench/feeds_torture.py [--corpus ../shared/testdata/feedparser]
The corpus defaults to NEWSDESK_TORTURE_CORPUS or ../shared/testdata/feedparser (relative to
the repository root).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
import traceback
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "plugins"))

from newsdesk.sources import parse_feed  # noqa: E402
from newsdesk.sources.fastparse import fast_parse  # noqa: E402
from newsdesk.sources.parse import _parse_with_feedparser  # noqa: E402


def content_type_of(path: Path) -> str | None:
    """feedparser's corpus notes the served Content-Type in a header comment of some files."""
    head = path.read_bytes()[:800].decode("latin-1")
    match = re.search(r"Header:\s*Content-type:\s*([^\r\n]*?)\s*(?:-->|$)", head, re.I | re.M)
    return match.group(1).strip() if match else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    default = os.environ.get("NEWSDESK_TORTURE_CORPUS") or str(ROOT.parent / "shared" / "testdata" / "feedparser")
    parser.add_argument("--corpus", default=default)
    args = parser.parse_args()
    corpus = Path(args.corpus)
    if not corpus.is_dir():
        raise SystemExit(f"corpus folder not found: {corpus}")
    files = sorted(p for p in corpus.rglob("*") if p.is_file())
    crashes: list[str] = []
    disagreements: list[str] = []
    errors = problems = entries = fast = 0
    formats: Counter[str] = Counter()
    error_kinds: Counter[str] = Counter()
    problem_kinds: Counter[str] = Counter()
    started = time.perf_counter()
    cpu = time.process_time()
    for path in files:
        body = path.read_bytes()
        url = f"https://torture.example/{path.relative_to(corpus).as_posix()}"
        content_type = content_type_of(path)
        try:
            result = parse_feed(body, url=url, content_type=content_type)
            if fast_parse(body, url, content_type) is not None:
                fast += 1
                slow = _parse_with_feedparser(body, url, content_type, fast=False)
                if slow.entries != result.entries:
                    disagreements.append(path.relative_to(corpus).as_posix())
        except Exception:  # the point of the benchmark: count, show, carry on
            crashes.append(f"{path}: {traceback.format_exc(limit=3)}")
            continue
        entries += len(result.entries)
        if result.error:
            errors += 1
            error_kinds[result.error.split(":")[0].split("(")[0].strip()[:40]] += 1
        elif result.problem:
            problems += 1
            problem_kinds[result.problem.split(":")[0][:40]] += 1
        formats[result.format or "-"] += 1
    wall = time.perf_counter() - started
    cpu = time.process_time() - cpu
    figures = {
        "corpus": str(corpus),
        "files": len(files),
        "crashes": len(crashes),
        "entries": entries,
        "errors": errors,
        "problems": problems,
        "fast_path_files": fast,
        "fast_path_disagreements": len(disagreements),
        "wall_s": round(wall, 2),
        "cpu_s": round(cpu, 2),
        "error_kinds": dict(error_kinds.most_common()),
        "formats": dict(formats.most_common()),
    }
    rows = [
        ("files processed", len(files)),
        ("crashes", len(crashes)),
        ("entries recovered", entries),
        ("files recorded as errors", errors),
        ("files with a problem noted", problems),
        ("files the lxml fast path reads", fast),
        ("... with entries unlike feedparser's", len(disagreements)),
        ("wall / CPU (s)", f"{wall:.2f} / {cpu:.2f}"),
    ]
    width = max(len(k) for k, _ in rows)
    for key, value in rows:
        print(f"{key:<{width}}  {value}")
    for kind, count in error_kinds.most_common():
        print(f"  error: {kind:<40} {count}")
    for kind, count in problem_kinds.most_common(6):
        print(f"  problem: {kind:<38} {count}")
    for name in disagreements[:10]:
        print("DISAGREES", name)
    for crash in crashes[:10]:
        print("CRASH", crash)
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
