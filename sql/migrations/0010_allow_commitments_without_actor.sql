-- A passive or impersonal plan whose actor neither the sentence nor the document names is kept
-- with no actor rather than dropped or given a pronoun ("Er wordt 12 miljoen vrijgemaakt", in a
-- text that names nobody who could have done it). Such commitments share the actor key ''.
ALTER TABLE commitments ALTER COLUMN actor DROP NOT NULL;
ALTER TABLE commitment_keys ALTER COLUMN actor DROP NOT NULL;
