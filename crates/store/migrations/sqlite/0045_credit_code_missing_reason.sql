-- Why a signed project has no investor credit code (无统一社会信用代码的原因, issue 19): a
-- signed project carries either the code or this sentence. Existing rows are left as they are;
-- editing one of them asks for the code or the reason.
ALTER TABLE projects ADD COLUMN credit_code_missing_reason TEXT;
