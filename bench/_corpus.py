"""A news site for the pipeline benchmarks: N Dutch article pages and the RSS feeds listing them.

The text is real Dutch newspaper prose: the sentences of CoNLL-2002 (``ned.train`` then
``ned.testa`` from ../shared/corpora), detokenised and cut into articles of 13 sentences,
so extraction, NLP and commitment extraction do the work they do on real news. The markup is a
news page's: navigation, share buttons, a "Lees ook" box, a cookie notice and a footer around
the article, JSON-LD with headline, date and author. Deterministic: the same N gives the same
site. Feeds are served by newsdesk.sample.SampleSite (``{{BASE_URL}}`` is filled in per server).
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from _common import SHARED

SENTENCES_PER_ARTICLE = 13
ITEMS_PER_FEED = 50
_NO_SPACE_BEFORE = re.compile(r" ([,.:;!?)%'])")
_NO_SPACE_AFTER = re.compile(r"([(]) ")
AUTHORS = ("Anna de Vries", "Pieter Janssens", "Sofie Peeters", "Mark Visser", "Eva Claes", "Tom Smit")


@dataclass(frozen=True)
class BenchArticle:
    number: int
    title: str
    paragraphs: tuple[str, ...]
    author: str
    published: datetime

    @property
    def path(self) -> str:
        return f"artikel/{self.published:%Y/%m}/bericht-{self.number:05d}.html"

    @property
    def words(self) -> int:
        return sum(len(p.split()) for p in self.paragraphs)


def _sentences(corpora: Path) -> list[str]:
    out: list[str] = []
    for name in ("ned.train", "ned.testa"):
        tokens: list[str] = []
        for line in (corpora / "conll2002-nl" / name).read_text(encoding="utf-8").splitlines():
            if not line.strip():
                if tokens:
                    out.append(_detokenise(tokens))
                    tokens = []
            elif not line.startswith("-DOCSTART-"):
                tokens.append(line.split(" ")[0])
        if tokens:
            out.append(_detokenise(tokens))
    return [s for s in out if len(s.split()) >= 4]


def _detokenise(tokens: list[str]) -> str:
    text = _NO_SPACE_AFTER.sub(r"\1", _NO_SPACE_BEFORE.sub(r"\1", " ".join(tokens)))
    return text[:1].upper() + text[1:]


def articles(count: int, corpora: Path | None = None) -> list[BenchArticle]:
    root = corpora or SHARED / "corpora"
    if not (root / "conll2002-nl" / "ned.train").is_file():
        raise SystemExit(f"the benchmark corpus needs {root}/conll2002-nl (see ../shared/README.md)")
    sentences = _sentences(root)
    needed = count * SENTENCES_PER_ARTICLE
    if len(sentences) < needed:
        raise SystemExit(f"{len(sentences)} sentences available, {needed} needed for {count} articles")
    start = datetime(2025, 3, 1, 6, 0, tzinfo=UTC)
    out = []
    for i in range(count):
        chunk = sentences[i * SENTENCES_PER_ARTICLE : (i + 1) * SENTENCES_PER_ARTICLE]
        title = " ".join(chunk[0].split()[:12]).rstrip(",.:;") or f"Bericht {i}"
        paragraphs = tuple(" ".join(chunk[j : j + 3]) for j in range(1, len(chunk), 3))
        out.append(
            BenchArticle(
                number=i,
                title=title,
                paragraphs=paragraphs,
                author=AUTHORS[i % len(AUTHORS)],
                published=start + timedelta(minutes=37 * i),
            )
        )
    return out


def page_html(article: BenchArticle) -> str:
    e = html.escape
    body = []
    for j, paragraph in enumerate(article.paragraphs):
        if j == 2:
            body.append(f"<h2>{e(' '.join(paragraph.split()[:5]).rstrip(',.'))}</h2>")
        body.append(f"<p>{e(paragraph)}</p>")
    ld = json.dumps(
        {
            "@context": "https://schema.org",
            "@type": "NewsArticle",
            "headline": article.title,
            "datePublished": article.published.isoformat(),
            "author": {"@type": "Person", "name": article.author},
            "publisher": {"@type": "Organization", "name": "De Bankkrant"},
        },
        ensure_ascii=False,
    )
    return f"""<!DOCTYPE html>
<html lang="nl"><head><meta charset="utf-8"><title>{e(article.title)} | De Bankkrant</title>
<link rel="canonical" href="{{{{BASE_URL}}}}/{article.path}">
<meta property="og:type" content="article"><meta property="og:site_name" content="De Bankkrant">
<script type="application/ld+json">{ld}</script>
<script>window.__STATE__ = {{"ads": true, "tracking": ["a", "b", "c"]}};</script>
<style>body {{ font-family: serif; }} .share {{ display: flex; }}</style></head>
<body><div class="cookie-notice">Wij gebruiken cookies. <button>Akkoord</button></div>
<header><nav><ul><li><a href="/">Home</a></li><li><a href="/binnenland">Binnenland</a></li>
<li><a href="/buitenland">Buitenland</a></li><li><a href="/economie">Economie</a></li></ul></nav></header>
<main><article><h1>{e(article.title)}</h1>
<div class="byline">Door <span class="author">{e(article.author)}</span>
<time datetime="{article.published.isoformat()}">{article.published:%d-%m-%Y %H:%M}</time></div>
<div class="share"><a href="#">Deel op Facebook</a> <a href="#">Deel op X</a> <a href="#">Mail</a></div>
<div class="article-body">
{chr(10).join(body)}
</div>
<aside class="related"><h3>Lees ook</h3><ul><li><a href="/a">Kabinet valt over begroting</a></li>
<li><a href="/b">Nieuwe regels voor huurders</a></li></ul></aside></article></main>
<div class="newsletter">Schrijf je in voor onze nieuwsbrief</div>
<footer><p>&copy; 2025 De Bankkrant. Alle rechten voorbehouden.</p></footer></body></html>
"""


def feed_xml(feed: int, items: list[BenchArticle]) -> str:
    e = html.escape
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel>'
        f"<title>De Bankkrant {feed}</title><link>{{{{BASE_URL}}}}/</link>"
        "<description>Nieuws</description><language>nl</language>"
    ]
    for article in items:
        parts.append(
            f"<item><title>{e(article.title)}</title><link>{{{{BASE_URL}}}}/{article.path}?utm_source=rss</link>"
            f'<guid isPermaLink="false">bankkrant-{article.number}</guid>'
            f"<pubDate>{article.published:%a, %d %b %Y %H:%M:%S} +0000</pubDate>"
            f"<description>{e(article.paragraphs[0][:200])}</description></item>"
        )
    parts.append("</channel></rss>")
    return "".join(parts)


def write_site(root: Path, bench_articles: list[BenchArticle]) -> list[str]:
    """Write pages, feeds and robots.txt under ``root``; returns the feed paths."""
    feeds = []
    for article in bench_articles:
        target = root / article.path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(page_html(article), encoding="utf-8")
    (root / "feeds").mkdir(parents=True, exist_ok=True)
    for feed, start in enumerate(range(0, len(bench_articles), ITEMS_PER_FEED)):
        path = f"feeds/bankkrant-{feed:03d}.xml"
        (root / path).write_text(feed_xml(feed, bench_articles[start : start + ITEMS_PER_FEED]), encoding="utf-8")
        feeds.append(path)
    (root / "robots.txt").write_text("User-agent: *\nAllow: /\n", encoding="utf-8")
    return feeds


def feeds_toml(base_url: str, feed_paths: list[str]) -> str:
    return "".join(
        f'[[feed]]\nurl = "{base_url}/{path}"\nname = "De Bankkrant {i}"\nlanguage = "nl"\n\n'
        for i, path in enumerate(feed_paths)
    )
