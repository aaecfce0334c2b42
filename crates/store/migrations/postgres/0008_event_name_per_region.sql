-- An event's name is unique among the events one region organises, not across the whole
-- installation: two counties may each hold a "2025年一季度重大项目集中签约活动", and a county
-- must not learn from a refused name that another county has such an event.
ALTER TABLE signing_events DROP CONSTRAINT signing_events_name_key;
ALTER TABLE signing_events ADD CONSTRAINT signing_events_name_key UNIQUE (region_code, name);
