-- A citizen (群众) account is linked to the citizen's own person in the
-- registry; both columns are NULL for staff.
ALTER TABLE users ADD COLUMN person_county TEXT;
ALTER TABLE users ADD COLUMN person_id BIGINT;

-- How an application came in: '' taken by staff; 'pending' submitted by
-- the citizen and awaiting acceptance (受理) by the village specialist;
-- 'accepted' accepted by them; 'returned' returned to the citizen.
ALTER TABLE cases ADD COLUMN intake TEXT NOT NULL DEFAULT '';
