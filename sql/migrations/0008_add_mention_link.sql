-- How a mention denotes its entity (newsdesk.models.LinkKind). A mention's label is the type the
-- text gives it ("Britse" is MISC); entity_id is the entity it denotes (the United Kingdom, LOC)
-- and link says how: same, alias_of, short_form_of, surname_of, demonym_of, part_of_compound.
-- Rows written before have no link recorded; 'same' stands in until the article is analysed
-- again (the analyzer version changed with this rule, so every article is).
ALTER TABLE mentions ADD COLUMN link text NOT NULL DEFAULT 'same'
    CONSTRAINT mentions_link_check
    CHECK (link IN ('same', 'alias_of', 'short_form_of', 'surname_of', 'demonym_of', 'part_of_compound'));
