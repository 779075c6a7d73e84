"""Exact hash and near-duplicate fingerprints, and the threshold measured on the fixtures."""

from __future__ import annotations

from pathlib import Path

from newsdesk.extract import (
    NEAR_DUPLICATE_THRESHOLD,
    content_hash,
    estimated_similarity,
    extract_article,
    lsh_bands,
    minhash_signature,
)
from newsdesk.models import ArticleStatus

SITE = Path(__file__).resolve().parents[2] / "seeds" / "sample" / "site"
BASE = "http://127.0.0.1:43123"


def text_of(path: str) -> str:
    html = (SITE / path).read_text(encoding="utf-8").replace("{{BASE_URL}}", BASE)
    article = extract_article(html, url=f"{BASE}/{path}")
    assert article.status is ArticleStatus.OK
    return article.text


WIRE = "nieuws/2025/03/brussel-presenteert-defensieplan.html"
REPUBLISHED = "regio/2025/03/europa-trekt-beurs-voor-defensie.html"
SAME_TOPIC = "nieuws/2025/03/kabinet-verdeeld-over-europese-defensieleningen.html"
SEED = "nieuws/2025/03/coalitie-vredesplan-oekraine.html"


def test_republished_wire_story_is_a_near_duplicate() -> None:
    a, b = minhash_signature(text_of(WIRE)), minhash_signature(text_of(REPUBLISHED))
    assert estimated_similarity(a, b) >= NEAR_DUPLICATE_THRESHOLD
    assert NEAR_DUPLICATE_THRESHOLD == 0.4
    # and the database lookup finds it: at least one band hash in common
    assert set(lsh_bands(a)) & set(lsh_bands(b))
    assert content_hash(text_of(WIRE)) != content_hash(text_of(REPUBLISHED))


def test_different_stories_on_the_same_topic_are_not() -> None:
    wire = minhash_signature(text_of(WIRE))
    for other in (SAME_TOPIC, SEED):
        assert estimated_similarity(wire, minhash_signature(text_of(other))) < NEAR_DUPLICATE_THRESHOLD


def test_no_two_different_sample_articles_are_near_duplicates() -> None:
    paths = sorted(p.relative_to(SITE).as_posix() for p in (SITE / "nieuws/2025/03").glob("*.html"))
    signatures = {}
    for path in paths:
        article = extract_article((SITE / path).read_text("utf-8"), url=f"{BASE}/{path}")
        if article.status is ArticleStatus.OK:
            signatures[path] = article.minhash
    assert len(signatures) == 13  # the paywalled analysis is an article too (its public teaser)
    names = sorted(signatures)
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            assert estimated_similarity(signatures[a], signatures[b]) < NEAR_DUPLICATE_THRESHOLD, (a, b)


def test_signature_is_deterministic_and_bands_fit_bigint() -> None:
    text = text_of(SEED)
    sig = minhash_signature(text)
    assert sig == minhash_signature(text) and len(sig) == 128
    assert all(isinstance(v, int) and v >= 0 for v in sig)
    bands = lsh_bands(sig)
    assert len(bands) == 32 and len(set(bands)) == 32
    assert all(-(2**63) <= band < 2**63 for band in bands)
    assert estimated_similarity(sig, sig) == 1.0


def test_exact_hash_ignores_case_and_spacing_only() -> None:
    assert content_hash("Een  tekst\n\nmet alinea's") == content_hash("een tekst met ALINEA'S")
    assert content_hash("een tekst") != content_hash("een andere tekst")
    assert minhash_signature("") == () and lsh_bands(()) == [] and estimated_similarity((), ()) == 0.0


def _datasketch_signature(text: str) -> tuple[int, ...]:
    """The reference: datasketch's own MinHash over the same shingles, with the pinned scheme."""
    from datasketch import MinHash

    from newsdesk.extract.fingerprint import _PERMUTATIONS, _SCHEME, _SEED, NUM_PERM, _shingles

    shingles = _shingles(text)
    if not shingles:
        return ()
    minhash = MinHash(num_perm=NUM_PERM, seed=_SEED, permutations=_PERMUTATIONS, scheme=_SCHEME)
    minhash.update_batch([shingle.encode("utf-8") for shingle in shingles])
    return tuple(int(v) for v in minhash.hashvalues)


def test_signature_is_bit_for_bit_datasketchs() -> None:
    texts = [
        "",
        "één",
        "twee woorden",
        "drie woorden hier",
        "Ünïcödé ＦＵＬＬＷＩＤＴＨ text, ß and İstanbul; 中文 新闻 文本 — emoji 🙂 too",
        text_of(WIRE),
        text_of(SEED) * 3,
    ]
    for text in texts:
        signature = minhash_signature(text)
        assert signature == _datasketch_signature(text)
        assert all(type(value) is int for value in signature)
    assert len(minhash_signature(text_of(SEED))) == 128


def test_bands_do_not_depend_on_how_many_there_are(monkeypatch) -> None:
    """Band i hashes rows 2i and 2i+1 with its own number: the 32 bands equal the first 32 of the
    64 an earlier release stored, so articles stored then are still found."""
    from newsdesk.extract import fingerprint

    sig = minhash_signature(text_of(SEED))
    now = lsh_bands(sig)
    monkeypatch.setattr(fingerprint, "BANDS", 64)
    assert lsh_bands(sig)[:32] == now
