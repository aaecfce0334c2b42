-- The problem list (问题清单) and the per-unit figures (单位办理情况) at province scale (20,000
-- problems, issue 18): each filter and the figures are answered inside one narrow index of the
-- region's problems instead of reading every problem row.
-- The figures per unit: everything they count, by region then unit.
CREATE INDEX problems_figures ON problems (region_code, unit_id, status, due_on, answered_late,
    returned_count, supervised_count);
-- The list's filters (status, category, overdue), counted and paged in the index.
CREATE INDEX problems_filters ON problems (region_code, status, category, due_on, id);
-- Problems not yet answered (无答复), a small part of the list once the units work.
CREATE INDEX problems_unanswered ON problems (region_code, id) WHERE answer IS NULL;
-- problems_filters begins with the same two columns.
DROP INDEX problems_region_status;
