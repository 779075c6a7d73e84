"""Rows an article's analysis owns: entities (shared), mentions and commitments (per article).

``replace_analysis`` writes one article's analysis in one transaction: entities are upserted on
their stable id (a mention's entity is the one it denotes, with the entity's own type), the
article's previous mentions (with their own label and link kind) and commitments are replaced,
commitment keys are upserted so the same commitment reported by several articles is tracked
under one key (described by its plainest wording, whatever order the articles come in).
Bulk rows go through COPY into a temporary table and one INSERT ... SELECT. Shared rows
(entities, aliases, commitment keys) are written in one global order, so that parallel writers
lock them in the same order and never deadlock on each other.

Commitment keys are computed by the database (``commitment_actor_key`` and
``commitment_tracking_key``, sql/migrations/0009): the same functions re-keyed the rows stored
before them, so a key always means the same actor (the linked entity, else the actor's words
without articles and titles) and the same normalised action, whenever the row was written.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from newsdesk.models import Analysis, Commitment, EntityRef, LinkKind
from newsdesk.store.db import Conn

# Mentions that name their entity; their text is one of its aliases ("Britse" is not a name of
# the United Kingdom, nor "NAVO-landen" of NATO).
NAMING_LINKS = frozenset({LinkKind.SAME, LinkKind.ALIAS_OF, LinkKind.SHORT_FORM_OF, LinkKind.SURNAME_OF})


def upsert_entities(conn: Conn, entities: Iterable[EntityRef], *, curated: bool = False) -> int:
    """Insert or update entities on their id. A name spelled several ways ("Den Haag", "den Haag":
    one id) keeps the curated spelling, else the first in byte order: the same whatever order the
    articles naming it are stored in (parallel shards finish in any order)."""
    unique = {e.entity_id: e for e in entities}
    if not unique:
        return 0
    conn.execute(
        "CREATE TEMP TABLE IF NOT EXISTS tmp_entities "
        "(entity_id uuid, canonical_name text, label text, wikidata_id text) ON COMMIT DROP"
    )
    with conn.cursor().copy("COPY tmp_entities (entity_id, canonical_name, label, wikidata_id) FROM STDIN") as copy:
        for e in sorted(unique.values(), key=lambda e: str(e.entity_id)):
            copy.write_row((e.entity_id, e.canonical, str(e.label), e.wikidata_id))
    cur = conn.execute(
        """
        INSERT INTO entities (entity_id, canonical_name, label, wikidata_id, curated)
        SELECT entity_id, canonical_name, label, wikidata_id, %s FROM tmp_entities ORDER BY entity_id
        ON CONFLICT (entity_id) DO UPDATE
           SET wikidata_id = coalesce(EXCLUDED.wikidata_id, entities.wikidata_id),
               curated = entities.curated OR EXCLUDED.curated,
               canonical_name = CASE WHEN entities.curated THEN entities.canonical_name
                                     WHEN EXCLUDED.curated THEN EXCLUDED.canonical_name
                                     ELSE least(entities.canonical_name COLLATE "C", EXCLUDED.canonical_name) END
         WHERE entities.wikidata_id IS DISTINCT FROM coalesce(EXCLUDED.wikidata_id, entities.wikidata_id)
            OR (EXCLUDED.curated AND NOT entities.curated)
            OR (NOT entities.curated AND EXCLUDED.canonical_name < entities.canonical_name COLLATE "C")
        """,
        (curated,),
    )
    conn.execute("DROP TABLE tmp_entities")
    return cur.rowcount


def upsert_aliases(conn: Conn, aliases: Iterable[tuple[str, str]]) -> None:
    """(entity_id, alias) pairs; existing pairs are left alone."""
    rows = sorted(set(aliases))
    if rows:
        with conn.cursor() as cur:
            cur.executemany(
                "INSERT INTO entity_aliases (entity_id, alias) VALUES (%s, %s) ON CONFLICT DO NOTHING", rows
            )


def replace_analysis(conn: Conn, article_id: int, analysis: Analysis, *, now: datetime) -> dict[str, int]:
    """Replace the article's mentions and commitments with ``analysis`` (one transaction)."""
    with conn.transaction():
        entities = [m.entity for m in analysis.mentions]
        upsert_entities(conn, entities)
        upsert_aliases(conn, ((m.entity.entity_id, m.text) for m in analysis.mentions if m.link in NAMING_LINKS))
        conn.execute("DELETE FROM mentions WHERE article_id = %s", (article_id,))
        conn.execute("DELETE FROM commitments WHERE article_id = %s", (article_id,))
        seen: set[tuple[int, int]] = set()
        with conn.cursor().copy(
            "COPY mentions (article_id, start_char, end_char, entity_id, text, label, sentence, link) FROM STDIN"
        ) as copy:
            for m in analysis.mentions:
                if (m.start, m.end) in seen:  # one row per span: the primary key
                    continue
                seen.add((m.start, m.end))
                copy.write_row(
                    (article_id, m.start, m.end, m.entity.entity_id, m.text, str(m.label), m.sentence, str(m.link))
                )
        _insert_commitments(conn, article_id, analysis.commitments)
        conn.execute(
            "UPDATE articles SET analyzed_at = %s, analyzer_version = %s WHERE article_id = %s",
            (now, analysis.analyzer_version, article_id),
        )
    return {"mentions": len(seen), "commitments": len(analysis.commitments)}


# The actor's entity id only if the entity is stored (the analysis may resolve ids no mention
# carries); its action key, else the action's text key. Both feed the commitment's key.
_RESOLVED = """
    SELECT (SELECT entity_id FROM entities WHERE entity_id = %(entity)s::uuid) AS actor_entity_id,
           coalesce(%(action_key)s, commitment_text_key(%(action)s)) AS action_key
"""


# A key reported by several articles is described by its plainest wording: the shortest action,
# then the shortest actor, then the alphabetically first. Whatever order the articles are stored
# in (parallel shards finish in any order), every warehouse describes the key the same way.
_PLAINER = """
    (length(EXCLUDED.action), EXCLUDED.action COLLATE "C", length(coalesce(EXCLUDED.actor, '')),
     coalesce(EXCLUDED.actor, '') COLLATE "C")
  < (length(commitment_keys.action), commitment_keys.action COLLATE "C", length(coalesce(commitment_keys.actor, '')),
     coalesce(commitment_keys.actor, '') COLLATE "C")
"""


def _insert_commitments(conn: Conn, article_id: int, commitments: Sequence[Commitment]) -> None:
    if not commitments:
        return
    # Keys in one global order (what determines a key, sorted): two articles stored at once by
    # parallel shards take their row locks in the same order and cannot deadlock on them.
    rows = sorted(
        (_commitment_params(article_id, c) for c in commitments),
        key=lambda r: (str(r["entity"] or ""), str(r["action_key"] or ""), str(r["actor"]), str(r["action"])),
    )
    with conn.cursor() as cur:
        cur.executemany(
            f"""
            INSERT INTO commitment_keys (commitment_key, actor_key, action_key, actor, action, actor_entity_id)
            SELECT commitment_tracking_key(commitment_actor_key(r.actor_entity_id, %(actor)s), r.action_key),
                   commitment_actor_key(r.actor_entity_id, %(actor)s), r.action_key, %(actor)s, %(action)s,
                   r.actor_entity_id
              FROM ({_RESOLVED}) AS r
            ON CONFLICT (commitment_key) DO UPDATE SET actor = EXCLUDED.actor, action = EXCLUDED.action
             WHERE {_PLAINER}
            """,
            rows,
        )
        cur.executemany(
            f"""
            INSERT INTO commitments (article_id, commitment_key, actor, actor_entity_id, speaker,
                speaker_entity_id, action, kind, polarity, conditional, condition, deadline_text, deadline,
                deadline_precision, firmness, sentence, start_char, end_char, confidence, extractor_version,
                actor_as_written)
            SELECT %(article_id)s,
                   commitment_tracking_key(commitment_actor_key(r.actor_entity_id, %(actor)s), r.action_key),
                   %(actor)s, r.actor_entity_id, %(speaker)s,
                   (SELECT entity_id FROM entities WHERE entity_id = %(speaker_entity)s::uuid),
                   %(action)s, %(kind)s, %(polarity)s, %(conditional)s, %(condition)s, %(deadline_text)s,
                   %(deadline)s, %(deadline_precision)s, %(firmness)s, %(sentence)s, %(start)s, %(end)s,
                   %(confidence)s, %(extractor_version)s, %(actor_as_written)s
              FROM ({_RESOLVED}) AS r
            ON CONFLICT (article_id, start_char, end_char, action) DO NOTHING
            """,
            rows,
        )


def _commitment_params(article_id: int, c: Commitment) -> dict[str, object]:
    return {
        "article_id": article_id,
        "entity": c.actor_entity_id,
        "action_key": c.action_key,
        "actor": c.actor,
        "action": c.action,
        "speaker": c.speaker,
        "speaker_entity": c.speaker_entity_id,
        "kind": str(c.kind),
        "polarity": str(c.polarity),
        "conditional": c.conditional,
        "condition": c.condition,
        "deadline_text": c.deadline_text,
        "deadline": c.deadline,
        "deadline_precision": str(c.deadline_precision) if c.deadline_precision else None,
        "firmness": str(c.firmness),
        "sentence": c.sentence,
        "start": c.start,
        "end": c.end,
        "confidence": c.confidence,
        "extractor_version": c.extractor_version,
        "actor_as_written": c.actor_as_written,
    }
