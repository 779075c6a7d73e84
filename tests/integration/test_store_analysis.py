"""Analysis rows: entities upserted by stable id, an article's mentions/commitments replaced as a unit."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

from newsdesk.models import (
    ENTITY_NAMESPACE,
    Analysis,
    Commitment,
    CommitmentKind,
    DatePrecision,
    EntityLabel,
    EntityRef,
    Firmness,
    Mention,
    Polarity,
)
from newsdesk.store.analysis import replace_analysis
from newsdesk.store.db import connect
from tests.conftest import one

NOW = datetime(2025, 3, 2, tzinfo=UTC)
TEXT = "Premier Dick Schoof zei dat Nederland op 6 maart een plan presenteert. Schoof was in Londen."


def _ref(name: str, label: EntityLabel) -> EntityRef:
    return EntityRef(str(uuid.uuid5(ENTITY_NAMESPACE, f"{label}:{name.casefold()}")), name, label)


SCHOOF = _ref("Dick Schoof", EntityLabel.PER)
NL = _ref("Nederland", EntityLabel.LOC)


def _analysis(version: str, with_commitment: bool = True) -> Analysis:
    mentions = (
        Mention("Dick Schoof", EntityLabel.PER, 8, 19, 0, SCHOOF),
        Mention("Nederland", EntityLabel.LOC, 28, 37, 0, NL),
        Mention("Schoof", EntityLabel.PER, 71, 77, 1, SCHOOF),
    )
    commitment = Commitment(
        actor="Nederland",
        action="een plan presenteren",
        kind=CommitmentKind.PLAN,
        polarity=Polarity.POSITIVE,
        firmness=Firmness.FIRM,
        sentence=0,
        start=0,
        end=70,
        confidence=0.9,
        extractor_version="test",
        actor_entity_id=NL.entity_id,
        speaker="Dick Schoof",
        speaker_entity_id=SCHOOF.entity_id,
        deadline_text="op 6 maart",
        deadline=date(2025, 3, 6),
        deadline_precision=DatePrecision.DAY,
        action_key="plan presenteren",
        actor_as_written="het land",
    )
    return Analysis(version, mentions, (commitment,) if with_commitment else ())


def _article(conn) -> int:
    return conn.execute(
        "INSERT INTO articles (canonical_url, url, text, content_hash, published_at) "
        "VALUES ('https://x/1', 'https://x/1', %s, 'h', %s) RETURNING article_id",
        (TEXT, NOW),
    ).fetchone()["article_id"]


def test_replace_analysis_is_idempotent(clean_db: str) -> None:
    assert TEXT[8:19] == "Dick Schoof" and TEXT[71:77] == "Schoof" and TEXT[28:37] == "Nederland"
    with connect(clean_db) as conn:
        article_id = _article(conn)
        conn.commit()
        first = replace_analysis(conn, article_id, _analysis("v1"), now=NOW)
        second = replace_analysis(conn, article_id, _analysis("v1"), now=NOW)
        assert first == second == {"mentions": 3, "commitments": 1}
        assert one(conn.execute("SELECT count(*) AS n FROM entities"))["n"] == 2
        assert one(conn.execute("SELECT count(*) AS n FROM mentions"))["n"] == 3
        row = one(conn.execute("SELECT * FROM v_commitments"))
        assert row["actor_canonical"] == "Nederland" and row["speaker_canonical"] == "Dick Schoof"
        assert row["deadline"] == date(2025, 3, 6) and row["deadline_precision"] == "day"
        assert (row["actor"], row["actor_as_written"]) == ("Nederland", "het land")
        tracked = one(conn.execute("SELECT articles FROM v_commitment_tracking"))
        assert tracked["articles"] == 1
        aliases = {r["alias"] for r in conn.execute("SELECT alias FROM entity_aliases")}
        assert aliases == {"Dick Schoof", "Schoof", "Nederland"}
        analysed = one(conn.execute("SELECT analyzer_version, analyzed_at FROM articles"))
        assert analysed["analyzer_version"] == "v1" and analysed["analyzed_at"] == NOW


def test_reanalysis_replaces_rows_and_tracks_across_articles(clean_db: str) -> None:
    with connect(clean_db) as conn:
        a1 = _article(conn)
        a2 = one(
            conn.execute(
                "INSERT INTO articles (canonical_url, url, text, content_hash) VALUES ('https://y/2', 'https://y/2', "
                "%s, 'h2') RETURNING article_id",
                (TEXT,),
            )
        )["article_id"]
        conn.commit()
        replace_analysis(conn, a1, _analysis("v1"), now=NOW)
        replace_analysis(conn, a2, _analysis("v1"), now=NOW)
        tracked = conn.execute("SELECT commitment_key, articles FROM v_commitment_tracking").fetchall()
        assert len(tracked) == 1 and tracked[0]["articles"] == 2
        replace_analysis(conn, a1, _analysis("v2", with_commitment=False), now=NOW)
        assert one(conn.execute("SELECT count(*) AS n FROM commitments"))["n"] == 1
        assert one(conn.execute("SELECT count(*) AS n FROM commitments WHERE article_id = %s", (a1,)))["n"] == 0


def test_a_commitment_without_a_named_actor_is_stored_and_tracked(clean_db: str) -> None:
    # "Er wordt 12 miljoen vrijgemaakt" in a text naming nobody who could do it: kept, actor open.
    open_actor = Commitment(
        actor=None,
        action="12 miljoen vrijmaken",
        kind=CommitmentKind.PLEDGE,
        polarity=Polarity.POSITIVE,
        firmness=Firmness.FIRM,
        sentence=0,
        start=0,
        end=30,
        confidence=0.6,
        extractor_version="test",
        action_key="12 miljoen vrijmaken",
    )
    with connect(clean_db) as conn:
        article_id = _article(conn)
        conn.commit()
        written = replace_analysis(conn, article_id, Analysis("v1", (), (open_actor,)), now=NOW)
        assert written == {"mentions": 0, "commitments": 1}
        row = one(conn.execute("SELECT actor, action, commitment_key FROM commitments"))
        assert row["actor"] is None and row["action"] == "12 miljoen vrijmaken"
        tracked = conn.execute("SELECT actor, articles FROM v_commitment_tracking").fetchall()
        assert [(r["actor"], r["articles"]) for r in tracked] == [(None, 1)]


def test_articles_involving_the_united_kingdom_are_found_through_the_links(clean_db: str) -> None:
    """ "Britse" is a MISC mention; the article still involves the United Kingdom (LOC)."""
    from newsdesk.analyze import analyze_text
    from newsdesk.store.reports import top_entities

    texts = {
        "https://x/brits": "De Britse premier sprak zondag in Londen met zijn collega's.",
        "https://x/vk": "Het Verenigd Koninkrijk stuurt troepen, zei de premier van het VK.",
        "https://x/nl": "Premier Dick Schoof sprak in Den Haag met de pers.",
    }
    with connect(clean_db) as conn:
        ids = {}
        for url, text in texts.items():
            ids[url] = one(
                conn.execute(
                    "INSERT INTO articles (canonical_url, url, text, content_hash, published_at) "
                    "VALUES (%s, %s, %s, %s, %s) RETURNING article_id",
                    (url, url, text, url, NOW),
                )
            )["article_id"]
        conn.commit()
        for url, text in texts.items():
            replace_analysis(conn, ids[url], analyze_text(text), now=NOW)

        britse = one(conn.execute("SELECT text, label, link FROM mentions WHERE text = 'Britse'"))
        assert (britse["label"], britse["link"]) == ("MISC", "demonym_of")
        uk = one(conn.execute("SELECT entity_id, label FROM entities WHERE canonical_name = 'Verenigd Koninkrijk'"))
        assert uk["label"] == "LOC"

        involved = conn.execute(
            "SELECT article_url, links, surfaces FROM v_entity_articles WHERE canonical_name = 'Verenigd Koninkrijk' "
            "ORDER BY article_url"
        ).fetchall()
        assert [(r["article_url"], r["links"], r["surfaces"]) for r in involved] == [
            ("https://x/brits", ["demonym_of"], ["Britse"]),
            ("https://x/vk", ["alias_of", "same"], ["VK", "Verenigd Koninkrijk"]),
        ]
        daily = one(
            conn.execute(
                "SELECT mentions, articles, named_mentions FROM v_entity_mentions_daily WHERE entity_id = %s",
                (uk["entity_id"],),
            )
        )
        assert (daily["mentions"], daily["articles"], daily["named_mentions"]) == (3, 2, 2)
        # the Newsdesk page's top entities count the same way
        top = {e.name: e for e in top_entities(conn, NOW)}
        assert (top["Verenigd Koninkrijk"].label, top["Verenigd Koninkrijk"].articles) == ("LOC", 2)
        # a demonym is not one of the country's names
        aliases = {
            r["alias"]
            for r in conn.execute("SELECT alias FROM entity_aliases WHERE entity_id = %s", (uk["entity_id"],))
        }
        assert aliases == {"Verenigd Koninkrijk", "VK"}
