"""A news site of a few hundred Dutch article pages in several RSS feeds, for the distributed runs.

The sentences are the project's own Dutch news texts (tests/fixtures/extract/articles_nl.py, the
seed article, the commitment fixtures), drawn without replacement into articles of ten
sentences, so entities and commitments are found as in real news. Every ``DUPLICATE_EVERY``-th
article is republished two hours later by another feed with an intro of its own: a near-duplicate
that must end linked to its original. Deterministic: the same arguments give the same site.
Served by ``newsdesk.sample.SampleSite`` (``{{BASE_URL}}`` is filled in per server).
"""

from __future__ import annotations

import html
import json
import random
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tests.conftest import FIXTURES, PROJECT_DIR

SENTENCES_PER_ARTICLE = 10
DUPLICATE_EVERY = 12
PUBLISHED = datetime(2026, 11, 30, 6, 0, tzinfo=UTC)
_SPLIT = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"'‘“(])")


@dataclass(frozen=True)
class Page:
    path: str
    title: str
    paragraphs: tuple[str, ...]
    published: datetime
    copy_of: str | None = None  # the path of the original, for a republished copy


def sentences() -> list[str]:
    """Every sentence of the project's own Dutch texts, in a fixed order, without repeats."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("articles_nl", FIXTURES / "extract" / "articles_nl.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    texts = [(PROJECT_DIR / "seeds" / "seed_article.txt").read_text(encoding="utf-8")]
    for article in module.ARTICLES:
        if article["paragraphs"] != "SEED":
            texts += [p for p in article["paragraphs"] if not p.startswith("## ")]
    for name in ("articles", "dev", "heldout"):
        for line in (FIXTURES / "commitments" / f"{name}.jsonl").read_text(encoding="utf-8").splitlines():
            texts.append(json.loads(line)["text"])
    out: list[str] = []
    for text in texts:
        for sentence in _SPLIT.split(" ".join(text.split())):
            if len(sentence.split()) >= 5 and sentence not in out:
                out.append(sentence)
    return out


def pages(originals: int, *, seed: int = 17) -> list[Page]:
    """``originals`` articles (sentences reused only once the pool is used up) and their copies."""
    pool = sentences()
    rnd = random.Random(seed)
    out: list[Page] = []
    order: list[str] = []
    for number in range(originals):
        picked = []
        for _ in range(SENTENCES_PER_ARTICLE):
            if not order:
                order = pool[:]
                rnd.shuffle(order)
            picked.append(order.pop())
        paragraphs = tuple(" ".join(picked[i : i + 3]) for i in range(0, len(picked), 3))
        published = PUBLISHED + timedelta(minutes=7 * number)
        title = f"{' '.join(picked[0].split()[:6]).rstrip(',.:;')} ({number})"
        page = Page(f"nieuws/{published:%Y/%m}/bericht-{number:04d}.html", title, paragraphs, published)
        out.append(page)
        if number % DUPLICATE_EVERY == DUPLICATE_EVERY - 1:
            intro = f"Van onze correspondent in Den Haag, met dank aan het persbureau (bericht {number})."
            out.append(
                Page(
                    f"overgenomen/{published:%Y/%m}/kopie-{number:04d}.html",
                    f"Overgenomen: {title}",
                    (intro, *paragraphs),
                    published + timedelta(hours=2),
                    copy_of=page.path,
                )
            )
    return out


def page_html(page: Page) -> str:
    e = html.escape
    ld = json.dumps(
        {
            "@context": "https://schema.org",
            "@type": "NewsArticle",
            "headline": page.title,
            "datePublished": page.published.isoformat(),
            "author": {"@type": "Person", "name": "Redactie"},
        },
        ensure_ascii=False,
    )
    body = "\n".join(f"<p>{e(p)}</p>" for p in page.paragraphs)
    return f"""<!DOCTYPE html>
<html lang="nl"><head><meta charset="utf-8"><title>{e(page.title)} | De Testkrant</title>
<link rel="canonical" href="{{{{BASE_URL}}}}/{page.path}">
<meta property="og:site_name" content="De Testkrant">
<script type="application/ld+json">{ld}</script></head>
<body><header><nav><a href="/">Home</a> <a href="/binnenland">Binnenland</a></nav></header>
<main><article><h1>{e(page.title)}</h1>
<div class="byline">Door Redactie <time datetime="{page.published.isoformat()}">{page.published:%d-%m-%Y}</time></div>
<div class="article-body">
{body}
</div></article></main>
<footer><p>&copy; 2026 De Testkrant</p></footer></body></html>
"""


def feed_xml(number: int, items: list[Page]) -> str:
    e = html.escape
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel>'
        f"<title>De Testkrant {number}</title><link>{{{{BASE_URL}}}}/</link><language>nl</language>"
    ]
    for page in items:
        parts.append(
            f"<item><title>{e(page.title)}</title><link>{{{{BASE_URL}}}}/{page.path}?utm_source=rss</link>"
            f'<guid isPermaLink="false">{e(page.path)}</guid>'
            f"<pubDate>{page.published:%a, %d %b %Y %H:%M:%S} +0000</pubDate></item>"
        )
    parts.append("</channel></rss>")
    return "".join(parts)


def write_site(root: Path, site_pages: list[Page], *, feeds: int) -> list[str]:
    """Pages, ``feeds`` RSS feeds (round-robin; a copy is never in its original's feed), robots.txt."""
    for page in site_pages:
        target = root / page.path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(page_html(page), encoding="utf-8")
    listed: list[list[Page]] = [[] for _ in range(feeds)]
    originals = 0
    for page in site_pages:
        if page.copy_of is None:
            listed[originals % feeds].append(page)
            originals += 1
        else:
            listed[originals % feeds].append(page)  # the next feed: not the original's
    (root / "feeds").mkdir(parents=True, exist_ok=True)
    paths = []
    for number, items in enumerate(listed):
        path = f"feeds/testkrant-{number}.xml"
        (root / path).write_text(feed_xml(number, items), encoding="utf-8")
        paths.append(path)
    (root / "robots.txt").write_text("User-agent: *\nAllow: /\n", encoding="utf-8")
    return paths


def feeds_toml(base_url: str, feed_paths: list[str]) -> str:
    return "".join(
        f'[[feed]]\nurl = "{base_url}/{path}"\nname = "De Testkrant {i}"\nsite = "De Testkrant"\nlanguage = "nl"\n\n'
        for i, path in enumerate(feed_paths)
    )
