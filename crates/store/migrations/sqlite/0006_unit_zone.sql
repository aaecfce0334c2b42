-- A 项目落户地 unit stands for a zone of its county (南县经济开发区, a township), so that its
-- accounts read the projects that landed there (domain §1). Only landing units carry one; the
-- store checks the zone lies in the unit's county.
ALTER TABLE units ADD COLUMN zone_id INTEGER REFERENCES zones (id);
