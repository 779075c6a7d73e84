from __future__ import annotations

from pathlib import Path

from newsdesk.config import Settings


def test_defaults_point_into_the_project() -> None:
    s = Settings.from_env({})
    assert s.database_url is None
    assert s.feeds_file == s.seeds_dir / "feeds.toml"
    assert s.http.allow_private == ()
    assert s.http.max_redirects == 5
    assert "newsdesk" in s.http.user_agent and "http" in s.http.user_agent


def test_environment_overrides() -> None:
    s = Settings.from_env(
        {
            "NEWSDESK_DATABASE_URL": "postgresql://u@h/db",
            "NEWSDESK_HOME": "/srv/newsdesk",
            "NEWSDESK_ALLOW_PRIVATE": "127.0.0.1, ::1",
            "NEWSDESK_MAX_BODY_BYTES": "1000",
            "NEWSDESK_RESPECT_ROBOTS": "false",
            "NEWSDESK_POLL_MIN_INTERVAL": "60",
        }
    )
    assert s.database_url == "postgresql://u@h/db"
    assert s.seeds_dir == Path("/srv/newsdesk/seeds")
    assert s.state_dir == Path("/srv/newsdesk/.newsdesk")
    assert s.http.allow_private == ("127.0.0.1", "::1")
    assert s.http.max_body_bytes == 1000
    assert s.http.respect_robots is False
    assert s.poll.min_interval_s == 60


def test_unset_variables_keep_the_dataclass_defaults() -> None:
    """The defaults are written once, on the dataclasses: an empty environment changes none."""
    from dataclasses import fields

    from newsdesk.config import Settings

    from_env, plain = Settings.from_env({}), Settings()
    for field in fields(Settings):
        if field.name not in ("seeds_dir", "feeds_file", "state_dir"):  # paths follow NEWSDESK_HOME
            assert getattr(from_env, field.name) == getattr(plain, field.name), field.name
