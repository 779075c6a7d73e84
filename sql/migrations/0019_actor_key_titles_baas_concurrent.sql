-- The analyzer learned two more titles that never enter a name ("Tour-baas Jean-Marie Leblanc",
-- "VT4-concurrent Kanaal 2"; actor_nouns.tsv). The actor key strips the same titles, so the function
-- is replaced with the longer list and the stored commitments are re-keyed by it, as 0009 did.

CREATE OR REPLACE FUNCTION commitment_actor_key(actor_entity_id uuid, actor text) RETURNS text
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
        OR words[1] ~ ('(acteur|actrice|advocaat|auteur|baas|bestuurder|bondscoach|burgemeester|ceo|chef|coach'
                       '|commissaris|concurrent|directeur|econoom|eigenaar|fractievoorzitter|gedeputeerde|generaal'
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
