"""The analysis rows two articles share (an entity spelled two ways, one commitment key reported in
two wordings) are the same whichever article is stored first: parallel analysis shards finish in
any order, and every warehouse must end the same (tests/distributed compares them table by table)."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from newsdesk.models import (
    ENTITY_NAMESPACE,
    Analysis,
    Commitment,
    CommitmentKind,
    EntityLabel,
    EntityRef,
    Firmness,
    Mention,
    Polarity,
)
from newsdesk.store.analysis import replace_analysis, upsert_entities
from newsdesk.store.db import connect
from tests.conftest import one

NOW = datetime(2026, 12, 1, tzinfo=UTC)


def _ref(name: str, label: EntityLabel = EntityLabel.LOC) -> EntityRef:
    return EntityRef(str(uuid.uuid5(ENTITY_NAMESPACE, f"{label}:{name.casefold()}")), name, label)


def _analysis(place: str, action: str, actor: str) -> Analysis:
    ref = _ref(place)
    commitment = Commitment(
        actor=actor,
        action=action,
        kind=CommitmentKind.PLAN,
        polarity=Polarity.POSITIVE,
        firmness=Firmness.FIRM,
        sentence=0,
        start=0,
        end=40,
        confidence=0.9,
        extractor_version="test",
        action_key="belasting verlagen",
    )
    return Analysis("v1", (Mention(place, EntityLabel.LOC, 0, len(place), 0, ref),), (commitment,))


FIRST = _analysis("Den Haag", "de belastingen verlagen", "Het kabinet")
SECOND = _analysis("den Haag", "de belasting verlagen", "het kabinet")


def _store_in_order(url: str, analyses: list[Analysis]) -> tuple[list[tuple], list[tuple]]:
    with connect(url) as conn:
        for i, analysis in enumerate(analyses):
            article_id = one(
                conn.execute(
                    "INSERT INTO articles (canonical_url, url, text, content_hash) VALUES (%s, %s, 'x', %s) "
                    "RETURNING article_id",
                    (f"https://x/{i}", f"https://x/{i}", f"h{i}"),
                )
            )["article_id"]
            conn.commit()
            replace_analysis(conn, article_id, analysis, now=NOW)
            conn.commit()
        entities = [tuple(r.values()) for r in conn.execute("SELECT entity_id, canonical_name FROM entities")]
        keys = [tuple(r.values()) for r in conn.execute("SELECT commitment_key, actor, action FROM commitment_keys")]
    return entities, keys


@pytest.mark.parametrize("order", ["first-second", "second-first"])
def test_shared_rows_do_not_depend_on_the_order_articles_are_stored_in(clean_db: str, order: str) -> None:
    analyses = [FIRST, SECOND] if order == "first-second" else [SECOND, FIRST]
    entities, keys = _store_in_order(clean_db, analyses)
    assert len(entities) == 1 and len(keys) == 1
    # the first spelling in byte order; the plainest wording (shortest action, then actor)
    assert entities[0][1] == "Den Haag"
    assert keys[0][1:] == ("het kabinet", "de belasting verlagen")


def test_a_curated_spelling_wins_and_stays(clean_db: str) -> None:
    with connect(clean_db) as conn:
        upsert_entities(conn, [_ref("den Haag")])
        upsert_entities(conn, [replace(_ref("Den Haag"), canonical="Den Haag")], curated=True)
        upsert_entities(conn, [_ref("DEN HAAG")])
        conn.commit()
        row = one(conn.execute("SELECT canonical_name, curated FROM entities"))
    assert (row["canonical_name"], row["curated"]) == ("Den Haag", True)
