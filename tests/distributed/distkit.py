"""Shared by the distributed tests' fixtures and tests: sizes, the site, the reference, the report."""

from __future__ import annotations

import importlib.util
import sys
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import pytest

from tests.conftest import PROJECT_DIR
from tests.distributed import news_site

ORIGINALS = 240  # + one republished copy per 12: 260 pages
FEEDS = 6
SHARDS = 4  # ingest and analyze shards


def faultkit() -> ModuleType:
    """tests/fault/faultkit.py (the warehouse fingerprints), loaded once per process."""
    if "faultkit" not in sys.modules:
        spec = importlib.util.spec_from_file_location("faultkit", PROJECT_DIR / "tests" / "fault" / "faultkit.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules["faultkit"] = module
        spec.loader.exec_module(module)
    return sys.modules["faultkit"]


@dataclass(frozen=True)
class Site:
    base_url: str
    pages: list[news_site.Page]
    feeds_file: Path


@dataclass(frozen=True)
class Reference:
    url: str
    fingerprints: dict[str, tuple[int, str]]


REPORT = pytest.StashKey[list[str]]()


def report(request: pytest.FixtureRequest, text: str) -> None:
    """A line in pytest's summary (what the distributed run showed: workers, kills, times)."""
    request.config.stash.setdefault(REPORT, []).append(text)
