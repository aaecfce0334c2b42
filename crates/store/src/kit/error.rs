use serde::Serialize;
use std::collections::BTreeMap;
use utoipa::ToSchema;

/// Field name → Chinese messages, as sent back in a 422.
pub type FieldErrors = BTreeMap<String, Vec<String>>;

/// One problem in one row of an imported sheet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct RowError {
    /// Row number as Excel shows it (the header is row 1).
    pub row: usize,
    /// Column letter as Excel shows it, e.g. "B".
    pub column: String,
    /// Field name in the API.
    pub field: String,
    /// Chinese message naming the problem.
    pub message: String,
    /// What the row is about, as the sheet names it (the project's or unit's name), so that a
    /// list of errors reads "第5行（南县羽绒服装产业园项目）" rather than a bare number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("未找到{0}")]
    NotFound(&'static str),
    #[error("{0}")]
    Forbidden(String),
    #[error("提交的数据有误")]
    Validation(FieldErrors),
    #[error("导入文件有{}处错误，未写入任何数据", .0.len())]
    Rows(Vec<RowError>),
    #[error("{message}")]
    Conflict { field: String, message: String },
    #[error("该记录已被他人修改，请刷新后重试")]
    Stale,
    /// Too many requests are waiting for the same bounded resource (password hashing).
    #[error("服务器繁忙，请稍后重试")]
    Busy,
    #[error("{0}")]
    Config(String),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
    #[error(transparent)]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("internal: {0}")]
    Internal(String),
}

impl StoreError {
    pub fn field(field: &str, message: impl Into<String>) -> Self {
        let mut errors = FieldErrors::new();
        errors.insert(field.to_owned(), vec![message.into()]);
        Self::Validation(errors)
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::Forbidden(message.into())
    }
}

/// Collects field errors so that a form reports every problem at once, not the first one.
#[derive(Default)]
pub struct Checks(FieldErrors);

impl Checks {
    pub fn add(&mut self, field: &str, message: impl Into<String>) {
        self.0
            .entry(field.to_owned())
            .or_default()
            .push(message.into());
    }

    /// Keeps the parsed value, or records the error and yields `None`.
    pub fn take<T, E: ToString>(&mut self, field: &str, result: Result<T, E>) -> Option<T> {
        match result {
            Ok(v) => Some(v),
            Err(e) => {
                self.add(field, e.to_string());
                None
            }
        }
    }

    /// Records an error when `value` is longer than `max` characters (every text a user types
    /// has a limit, so no field can carry megabytes).
    pub fn max_chars(&mut self, field: &str, value: Option<&str>, max: usize) {
        if value.is_some_and(|v| v.chars().count() > max) {
            self.add(field, format!("内容过长：不超过{max}个字"));
        }
    }

    /// Records an error when a name holds control characters or bidirectional overrides
    /// (which make a name read differently from what it is).
    pub fn printable(&mut self, field: &str, value: &str) {
        if crate::kit::text::has_hidden_chars(value) {
            self.add(field, crate::kit::text::HIDDEN_CHARS);
        }
    }

    pub fn finish(self) -> Result<(), StoreError> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(StoreError::Validation(self.0))
        }
    }
}

/// Maps a unique-constraint violation on `constraint` to a field error; passes anything else on.
pub(crate) fn on_constraint(
    err: sqlx::Error,
    constraint: &str,
    field: &str,
    message: &str,
) -> StoreError {
    if let sqlx::Error::Database(db) = &err {
        // PostgreSQL names the constraint; SQLite only names the columns in its message.
        let named = db.constraint() == Some(constraint);
        let sqlite_unique = db.is_unique_violation()
            && db.constraint().is_none()
            && constraint_columns(constraint)
                .iter()
                .all(|c| db.message().contains(c));
        if named || sqlite_unique {
            return StoreError::Conflict {
                field: field.to_owned(),
                message: message.to_owned(),
            };
        }
    }
    StoreError::Database(err)
}

/// The columns a named unique constraint covers, as SQLite reports them ("units.name").
fn constraint_columns(constraint: &str) -> &'static [&'static str] {
    match constraint {
        "users_username_key" => &["users.username"],
        "units_region_name_key" => &["units.region_code", "units.name"],
        "signing_events_name_key" => &["signing_events.region_code", "signing_events.name"],
        "campaigns_name_key" => &["campaigns.region_code", "campaigns.name"],
        _ => &["\u{0}"],
    }
}
