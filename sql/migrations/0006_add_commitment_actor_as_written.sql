-- The words that stand for a commitment's actor in its sentence ("hij", "de premier", "ik" in a
-- quote) when the actor was resolved to a name named elsewhere; NULL when the sentence names the
-- actor as is. Rows written before this column stay NULL until their article is analysed again
-- (the extractor version changed, so the analyze DAG does that).
ALTER TABLE commitments ADD COLUMN actor_as_written text;
