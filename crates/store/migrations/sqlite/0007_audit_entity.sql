-- A record's own history (a project's edits, stage changes and fund records) is read by
-- entity and id.
CREATE INDEX audit_entity ON audit_log (entity, entity_id);
