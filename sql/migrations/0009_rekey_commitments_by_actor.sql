-- A commitment key means "the same commitment across articles": the same actor and the same
-- normalised action. The actor is the linked entity when there is one ("de Commissie" and "De
-- Europese Commissie" linked to one entity are one actor), else the actor's words lower-cased,
-- with leading articles and titles or functions removed ("Staatssecretaris Eddie van Marum" and
-- "Eddie van Marum" are one actor). The database computes the keys, here and when the store
-- writes an article's commitments, so that this migration re-keys the existing rows with the very
-- same rule: there is one normalisation, these functions. Changing it means a new migration that
-- replaces them and re-keys, as this one does.

-- Lower case, whitespace collapsed, quotes and spaces trimmed at both ends. Also the fallback key
-- of an action the extractor gave no normalised form.
CREATE FUNCTION commitment_text_key(words text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ SELECT btrim(regexp_replace(lower(words), '\s+', ' ', 'g'), ' "''“”„‘’«»') $$;

-- The actor of a tracked commitment: the entity id, else the text key without leading articles
-- and titles. A title is a word ending in one of the analyzer's titles (the nouns marked as titles
-- in newsdesk/analyze/commitments/actor_nouns.tsv, and prins, prinses, paus), so compounds count too
-- ("VVD-fractievoorzitter", "oud-premier"). The last word always stays: "De minister" is "minister".
CREATE FUNCTION commitment_actor_key(actor_entity_id uuid, actor text) RETURNS text
    LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
    AS $$
DECLARE
    words text[];
BEGIN
    IF actor_entity_id IS NOT NULL THEN
        RETURN actor_entity_id::text;
    END IF;
    words := string_to_array(commitment_text_key(coalesce(actor, '')), ' ');
    WHILE cardinality(words) > 1 AND (
        words[1] IN ('de', 'het', 'een', '''t', 'd''', 'the')
        OR words[1] ~ ('(acteur|actrice|advocaat|auteur|bestuurder|bondscoach|burgemeester|ceo|chef|coach'
                       '|commissaris|directeur|econoom|eigenaar|fractievoorzitter|gedeputeerde|generaal'
                       '|gouverneur|hoogleraar|kamerlid|kampioen|kanselier|koning|koningin|leider|manager'
                       '|minister|ombudsman|onderhandelaar|partijleider|paus|premier|presentator|president|prins'
                       '|prinses|raadslid|rector|regisseur|renner|rozetruidrager|schepen|secretaris|senator'
                       '|speler|spits|staatssecretaris|titelverdediger|topman|topvrouw|trainer|voorman|voorvrouw'
                       '|voorzitter|wethouder|woordvoerder|woordvoerster|zanger|zangeres)$')
    ) LOOP
        words := words[2:];
    END LOOP;
    RETURN array_to_string(words, ' ');
END
$$;

-- The key itself: a hash of the actor key and the action key (the form keys always had).
CREATE FUNCTION commitment_tracking_key(actor_key text, action_key text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ SELECT left(encode(sha256(convert_to(actor_key || chr(31) || action_key, 'UTF8')), 'hex'), 32) $$;

-- Re-key the stored commitments. Their action key is on their current key row; the actor key is
-- recomputed from the stored actor and entity.
CREATE TEMP TABLE rekeyed ON COMMIT DROP AS
SELECT c.commitment_id,
       c.commitment_key AS old_key,
       commitment_tracking_key(n.actor_key, k.action_key) AS new_key,
       n.actor_key,
       k.action_key,
       c.actor,
       c.action,
       c.actor_entity_id
  FROM commitments c
  JOIN commitment_keys k ON k.commitment_key = c.commitment_key
 CROSS JOIN LATERAL (SELECT commitment_actor_key(c.actor_entity_id, c.actor) AS actor_key) AS n;

-- One key row per new key, described by its earliest commitment.
INSERT INTO commitment_keys (commitment_key, actor_key, action_key, actor, action, actor_entity_id)
SELECT DISTINCT ON (new_key) new_key, actor_key, action_key, actor, action, actor_entity_id
  FROM rekeyed
 ORDER BY new_key, commitment_id
ON CONFLICT (commitment_key) DO NOTHING;

UPDATE commitments c
   SET commitment_key = r.new_key
  FROM rekeyed r
 WHERE r.commitment_id = c.commitment_id
   AND r.new_key <> r.old_key;

-- Keys no commitment carries any more (also those left behind by earlier re-analyses).
DELETE FROM commitment_keys k
 WHERE NOT EXISTS (SELECT 1 FROM commitments c WHERE c.commitment_key = k.commitment_key);
