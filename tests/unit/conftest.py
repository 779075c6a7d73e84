"""Fixtures of the unit tests that run the bundled Dutch pipeline (no database, no network)."""

from __future__ import annotations

from typing import Any

import pytest

from newsdesk.analyze.entities import EntityResolver, load_entity_catalog
from newsdesk.analyze.nlp import load_nlp
from tests.conftest import PROJECT_DIR


@pytest.fixture(scope="session")
def nlp() -> Any:
    return load_nlp(None)


@pytest.fixture(scope="session")
def resolver() -> EntityResolver:
    return EntityResolver(load_entity_catalog(PROJECT_DIR / "seeds" / "entities.csv"))
