-- Problems may also be registered from a revisit form (回访登记表, domain §9): `source` gains
-- 'revisit' (the form's id in `source_id`).
ALTER TABLE problems DROP CONSTRAINT problems_source_check;
ALTER TABLE problems ADD CONSTRAINT problems_source_check
    CHECK (source IN ('direct', 'update', 'visit', 'revisit'));
