"""Feed sets: the demo's sample and a deployment's feeds file share one warehouse.

Syncing a file retires only feeds of its own set (issue: `make demo`, then `make up`, marked the
demo's feeds "not in the feeds file"); due feeds can be narrowed to sets, ids, or forced.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import pytest
from psycopg.rows import dict_row

from newsdesk.errors import ConfigError
from newsdesk.models import Feed
from newsdesk.sources import read_feeds_file
from newsdesk.store.feeds import due_feeds, find_feeds, sync_feeds

PROJECT_DIR = Path(__file__).resolve().parents[2]
NOW = datetime.now(UTC) + timedelta(hours=1)


@pytest.fixture
def conn(clean_db):
    with psycopg.connect(clean_db, row_factory=dict_row) as connection:
        yield connection


def states(conn) -> dict[str, tuple]:
    rows = conn.execute("SELECT name, feed_set, enabled, disabled_reason FROM feeds").fetchall()
    return {r["name"]: (r["feed_set"], r["enabled"], r["disabled_reason"]) for r in rows}


def test_the_demo_sample_and_the_default_file_keep_their_own_feeds(conn, tmp_path: Path) -> None:
    from newsdesk.sample import render

    template = (PROJECT_DIR / "seeds" / "sample" / "feeds.toml").read_text(encoding="utf-8")
    (tmp_path / "sample-feeds.toml").write_text(render(template, "http://127.0.0.1:8765"), encoding="utf-8")
    sample = read_feeds_file(tmp_path / "sample-feeds.toml")
    default = read_feeds_file(PROJECT_DIR / "seeds" / "feeds.toml")
    assert (sample.feed_set, default.feed_set) == ("sample", "default")
    assert {f.feed_set for f in sample.feeds} == {"sample"}

    sync_feeds(conn, sample.feeds, feed_set=sample.feed_set)  # make demo
    counts = sync_feeds(conn, default.feeds, feed_set=default.feed_set)  # make up
    assert (counts["inserted"], counts["removed"]) == (len(default.feeds), 0)
    after = states(conn)
    assert all(after[f.name] == ("sample", True, None) for f in sample.feeds)
    assert all(after[f.name][:2] == ("default", f.enabled) for f in default.feeds)
    sync_feeds(conn, sample.feeds, feed_set=sample.feed_set)  # make demo again
    assert states(conn) == after

    # Each set is polled on its own; ids narrow further; force ignores the schedule.
    conn.execute("UPDATE feeds SET next_poll_at = %s", (NOW + timedelta(days=1),))
    assert due_feeds(conn, NOW) == []
    forced = due_feeds(conn, NOW, feed_sets=["sample"], force=True)
    assert len(forced) == len(sample.feeds)
    enabled = len(sample.feeds) + sum(f.enabled for f in default.feeds)
    assert len(due_feeds(conn, NOW, force=True)) == enabled
    one = find_feeds(conn, sample.feeds[0].name.upper())
    assert [f.url for f in one] == [sample.feeds[0].url]
    assert [s.url for s in due_feeds(conn, NOW, feed_ids=[one[0].feed_id], force=True)] == [one[0].url]
    assert find_feeds(conn, sample.feeds[0].url)[0].feed_set == "sample"


def test_a_set_retires_its_own_removed_feeds_and_adopts_listed_ones(conn) -> None:
    a, b, c = (Feed(f"https://{x}.example/rss", x.upper(), feed_set="news") for x in "abc")
    other = Feed("https://o.example/rss", "O", feed_set="other")
    sync_feeds(conn, [a, b])
    sync_feeds(conn, [other])
    gone = sync_feeds(conn, [a], feed_set="news")
    assert gone["removed"] == 1
    assert states(conn)["B"] == ("news", False, "not in the feeds file")
    assert states(conn)["O"] == ("other", True, None)
    # listing a feed of another set moves it into this one (a URL is one feed)
    moved = sync_feeds(conn, [a, c, Feed(other.url, "O", feed_set="news")])
    assert (moved["inserted"], moved["updated"]) == (1, 1)
    assert states(conn)["O"] == ("news", True, None)
    # an empty file of a set retires that set only
    sync_feeds(conn, [Feed("https://z.example/rss", "Z", feed_set="zed")])
    assert sync_feeds(conn, [], feed_set="news")["removed"] == 3
    assert states(conn)["Z"] == ("zed", True, None)
    with pytest.raises(ValueError, match="several sets"):
        sync_feeds(conn, [a, Feed("https://q.example/rss", "Q", feed_set="zed")])


@pytest.mark.parametrize("value", ['""', '"Two words"', '"../up"', "3"])
def test_a_bad_set_name_is_refused(tmp_path: Path, value: str) -> None:
    path = tmp_path / "feeds.toml"
    path.write_text(f'set = {value}\n[[feed]]\nurl = "https://a.example/rss"\nname = "A"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="set"):
        read_feeds_file(path)


def test_each_sync_is_recorded_and_freshness_is_judged_per_set(conn) -> None:
    from newsdesk_airflow.checks import QUALITY_CHECKS

    fresh = QUALITY_CHECKS["active_feeds_are_fresh"]
    sync_feeds(conn, [Feed("https://s.example/rss", "S", feed_set="sample")], source="sample-feeds.toml")
    sync_feeds(conn, [Feed("https://d.example/rss", "D")], source="seeds/feeds.toml")
    sets = conn.execute("SELECT feed_set, source, feeds FROM feed_sets ORDER BY feed_set").fetchall()
    assert [tuple(r.values()) for r in sets] == [("default", "seeds/feeds.toml", 1), ("sample", "sample-feeds.toml", 1)]
    # two hours later: the default set's ingest keeps syncing; its feed was never polled
    conn.execute("UPDATE feeds SET created_at = now() - interval '2 hours'")
    # the demo ran three days ago: its feed was added then, its set synced a day later, never since
    conn.execute("UPDATE feeds SET created_at = now() - interval '3 days' WHERE name = 'S'")
    conn.execute("UPDATE feed_sets SET synced_at = now() - interval '2 days' WHERE feed_set = 'sample'")
    assert conn.execute(fresh).fetchone() == {"?column?": False}
    conn.execute("UPDATE feeds SET last_polled_at = now() WHERE name = 'D'")
    # the sample's feed, polled by nobody since the demo, is not held against the deployment
    assert conn.execute(fresh).fetchone() == {"?column?": True}
