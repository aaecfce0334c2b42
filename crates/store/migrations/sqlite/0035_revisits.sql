-- Revisit registration forms (回访登记表, domain §9, seed [002]): per project, the six sections
-- (政策落实, 承诺兑现, 要素保障, 投资环境, 服务水平, 存在的困难和问题) as one JSON document, checked by
-- `domain::revisits::check_sections` on entry. The project's county is kept for scope.

CREATE TABLE revisit_forms (
    id              INTEGER PRIMARY KEY,
    project_id      INTEGER NOT NULL REFERENCES projects (id),
    region_code     TEXT NOT NULL REFERENCES regions (code),
    visited_on      TEXT NOT NULL,
    visitors        TEXT NOT NULL,
    company_contact TEXT,
    sections        TEXT NOT NULL,
    created_by      INTEGER NOT NULL REFERENCES users (id),
    created_at      TEXT NOT NULL
);
CREATE INDEX revisit_forms_project ON revisit_forms (project_id, visited_on);
CREATE INDEX revisit_forms_region ON revisit_forms (region_code, visited_on);
