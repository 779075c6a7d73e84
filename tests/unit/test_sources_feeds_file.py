"""load_feeds: the feeds file validated at the edge, with messages that say what is wrong."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsdesk.errors import ConfigError
from newsdesk.sources import load_feeds

SEEDS = Path(__file__).resolve().parents[2] / "seeds" / "feeds.toml"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "feeds.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_seed_file_loads():
    feeds = load_feeds(SEEDS)
    assert len(feeds) >= 10
    assert len({f.url for f in feeds}) == len(feeds)
    assert all(f.url.startswith("https://") for f in feeds)
    assert any("nos.nl" in f.url for f in feeds) and any("rijksoverheid" in f.url for f in feeds)
    assert any(not f.enabled for f in feeds)


def test_fields_and_intervals(tmp_path):
    path = write(
        tmp_path,
        """
[[feed]]
url = "https://a.example/rss"
name = " A "
language = "NL-be"
poll_interval = "15m"
tags = ["x", "x", "y"]

[[feed]]
url = "https://b.example/rss"
name = "B"
poll_interval = 600
enabled = false
""",
    )
    a, b = load_feeds(path)
    assert (a.name, a.language, a.poll_interval_s, a.tags, a.enabled) == ("A", "nl-be", 900, ("x", "y"), True)
    assert (b.poll_interval_s, b.enabled, b.site) == (600, False, None)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[[feed]]\nurl = "ftp://a/x"\nname = "A"\n', "feed #1 (A): url"),
        ('[[feed]]\nurl = "https://a/x"\n', "name"),
        ('[[feed]]\nurl = "https://a/x"\nname = "A"\npoll_interval = 5\n', "at least 60"),
        ('[[feed]]\nurl = "https://a/x"\nname = "A"\nenabeld = false\n', "enabeld"),
        (
            '[[feed]]\nurl = "https://a/x"\nname = "A"\n[[feed]]\nurl = "https://a/x"\nname = "B"\n',
            "listed twice",
        ),
        ("[[feed]\nurl=", "not valid TOML"),
    ],
)
def test_bad_files_raise_config_error(tmp_path, text, message):
    with pytest.raises(ConfigError) as caught:
        load_feeds(write(tmp_path, text))
    assert message in str(caught.value)


def test_missing_file(tmp_path):
    with pytest.raises(ConfigError, match="not found"):
        load_feeds(tmp_path / "nope.toml")
