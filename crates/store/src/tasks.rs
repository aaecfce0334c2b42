//! The deadline engine's store (domain §8, §9): every dated task of a region's bureau or of a
//! unit (a round's report now; problems, visits' problem lists, 帮办 items and meeting
//! decisions later), the user's 我的待办 with lights, in-app messages (the bell), and the
//! reminders sent before, on and after each task's day — each exactly once, whichever
//! instance runs the engine (one row per task and reminder slot).

use crate::kit::clock;
use crate::kit::db::Db;
use crate::kit::error::StoreError;
use luodi_domain::deadlines::{light, Light, ReminderRule};
use luodi_domain::parse_date;
use luodi_domain::Role;
use serde::Serialize;
use time::Date;
use utoipa::ToSchema;

crate::scoped::area_handle!(
    /// The actor's tasks and messages.
    Tasks, tasks
);

/// A task to create.
pub(crate) struct NewTask<'a> {
    pub kind: &'static str,
    pub source_id: i64,
    pub region_code: &'a str,
    pub unit_id: Option<i64>,
    pub title: &'a str,
    pub due_on: Date,
}

pub(crate) async fn insert(
    conn: &mut sqlx::AnyConnection,
    task: NewTask<'_>,
) -> Result<i64, StoreError> {
    Ok(sqlx::query_scalar(
        "INSERT INTO tasks (kind, source_id, region_code, unit_id, title, due_on, status, \
         created_at) VALUES ($1, $2, $3, $4, $5, $6, 'open', $7) RETURNING id",
    )
    .bind(task.kind)
    .bind(task.source_id)
    .bind(task.region_code)
    .bind(task.unit_id)
    .bind(task.title)
    .bind(task.due_on.to_string())
    .bind(clock::now())
    .fetch_one(&mut *conn)
    .await?)
}

/// Creates a task addressed to one person (a supervision group's leader), not to a bureau or
/// a unit; `task.region_code` is the region whose leaders hear of it when it is overdue.
pub(crate) async fn insert_for_user(
    conn: &mut sqlx::AnyConnection,
    task: NewTask<'_>,
    user_id: i64,
) -> Result<i64, StoreError> {
    let id = insert(conn, task).await?;
    sqlx::query("UPDATE tasks SET user_id = $1 WHERE id = $2")
        .bind(user_id)
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(id)
}

/// Sets the status (`open` or `done`) of one reporter's task of a source.
pub(crate) async fn set_status(
    conn: &mut sqlx::AnyConnection,
    kind: &str,
    source_id: i64,
    region_code: &str,
    unit_id: Option<i64>,
    status: &str,
) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE tasks SET status = $1, done_at = $2 WHERE kind = $3 AND source_id = $4 \
         AND region_code = $5 AND COALESCE(unit_id, 0) = $6 AND status <> 'cancelled'",
    )
    .bind(status)
    .bind((status == "done").then(clock::now))
    .bind(kind)
    .bind(source_id)
    .bind(region_code)
    .bind(unit_id.unwrap_or(0))
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Opens or closes one task by its id.
pub(crate) async fn set_status_by_id(
    conn: &mut sqlx::AnyConnection,
    task: i64,
    status: &str,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE tasks SET status = $1, done_at = $2 WHERE id = $3")
        .bind(status)
        .bind((status == "done").then(clock::now))
        .bind(task)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Moves an open task's due day (an extension granted, a 督办's new deadline).
pub(crate) async fn set_due(
    conn: &mut sqlx::AnyConnection,
    task: i64,
    due_on: Date,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE tasks SET due_on = $1 WHERE id = $2")
        .bind(due_on.to_string())
        .bind(task)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Renames a task and moves its due day, whatever its status (its source was edited).
pub(crate) async fn reschedule(
    conn: &mut sqlx::AnyConnection,
    task: i64,
    title: &str,
    due_on: Date,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE tasks SET title = $1, due_on = $2 WHERE id = $3")
        .bind(title)
        .bind(due_on.to_string())
        .bind(task)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// The active leader accounts of a region.
async fn leader_users(
    conn: &mut sqlx::AnyConnection,
    region_code: &str,
) -> Result<Vec<i64>, StoreError> {
    let leaders: Vec<(i64, crate::kit::db::Flag)> =
        sqlx::query_as("SELECT id, active FROM users WHERE role = 'leader' AND region_code = $1")
            .bind(region_code)
            .fetch_all(&mut *conn)
            .await?;
    Ok(leaders
        .into_iter()
        .filter(|(_, a)| a.0)
        .map(|(id, _)| id)
        .collect())
}

/// An in-app message to a region's leaders (a task escalated to them).
pub(crate) async fn notify_leaders(
    conn: &mut sqlx::AnyConnection,
    region_code: &str,
    body: &str,
    now: &str,
) -> Result<usize, StoreError> {
    let users = leader_users(conn, region_code).await?;
    notify_users(conn, &users, region_code, None, None, body, now).await
}

/// The units with an active account of their own: they answer for their tasks themselves;
/// a unit without one is answered for by its county bureau.
pub(crate) async fn units_with_accounts(
    pool: &sqlx::AnyPool,
) -> Result<std::collections::HashSet<i64>, StoreError> {
    let rows: Vec<(i64, crate::kit::db::Flag)> = sqlx::query_as(
        "SELECT unit_id, active FROM users WHERE role = 'unit' AND unit_id IS NOT NULL",
    )
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .filter(|(_, active)| active.0)
        .map(|(u, _)| u)
        .collect())
}

/// The active accounts that answer for a region's bureau (unit none) or for a unit.
async fn reporter_users(
    conn: &mut sqlx::AnyConnection,
    region_code: &str,
    unit_id: Option<i64>,
) -> Result<Vec<i64>, StoreError> {
    let rows: Vec<(i64, crate::kit::db::Flag)> = match unit_id {
        Some(unit) => {
            sqlx::query_as("SELECT id, active FROM users WHERE role = 'unit' AND unit_id = $1")
                .bind(unit)
                .fetch_all(&mut *conn)
                .await?
        }
        None => {
            sqlx::query_as(
                "SELECT id, active FROM users WHERE role = 'bureau' AND region_code = $1",
            )
            .bind(region_code)
            .fetch_all(&mut *conn)
            .await?
        }
    };
    Ok(rows
        .into_iter()
        .filter(|(_, a)| a.0)
        .map(|(id, _)| id)
        .collect())
}

/// In-app messages to `users` about a reporter (a region's bureau or a unit), and their copies
/// for the configured channels (e-mail, the group robot), written in the same transaction.
async fn notify_users(
    conn: &mut sqlx::AnyConnection,
    users: &[i64],
    region_code: &str,
    unit_id: Option<i64>,
    task: Option<i64>,
    body: &str,
    now: &str,
) -> Result<usize, StoreError> {
    for user in users {
        sqlx::query(
            "INSERT INTO notifications (user_id, task_id, body, created_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(user)
        .bind(task)
        .bind(body)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    }
    crate::channels::enqueue(conn, users, region_code, unit_id, body, now).await?;
    Ok(users.len())
}

/// An in-app message to everyone answering for a reporter (a region's bureau or a unit).
pub(crate) async fn notify_reporter(
    conn: &mut sqlx::AnyConnection,
    region_code: &str,
    unit_id: Option<i64>,
    task: Option<i64>,
    body: &str,
    now: &str,
) -> Result<usize, StoreError> {
    let users = reporter_users(conn, region_code, unit_id).await?;
    notify_users(conn, &users, region_code, unit_id, task, body, now).await
}

/// An in-app message to the reporters of a project (in every round asking about it).
pub(crate) async fn notify_reporters_of(
    conn: &mut sqlx::AnyConnection,
    project_id: i64,
    body: &str,
) -> Result<(), StoreError> {
    let reporters: Vec<(String, Option<i64>)> = sqlx::query_as(
        "SELECT DISTINCT region_code, unit_id FROM dispatch_round_projects WHERE project_id = $1",
    )
    .bind(project_id)
    .fetch_all(&mut *conn)
    .await?;
    let now = clock::now();
    for (region, unit) in reporters {
        notify_reporter(conn, &region, unit, None, body, &now).await?;
    }
    Ok(())
}

/// A task as its owner sees it.
#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct TaskView {
    pub id: i64,
    /// `dispatch_report` (a round's report) …
    pub kind: String,
    pub source_id: i64,
    pub title: String,
    pub due_on: String,
    /// `open` or `done`.
    pub status: String,
    pub region_code: String,
    pub unit_id: Option<i64>,
    #[sqlx(skip)]
    pub light: Option<Light>,
    #[sqlx(skip)]
    pub light_label: String,
    /// Days until the due day (negative: overdue by that many).
    #[sqlx(skip)]
    pub days_left: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct Notification {
    pub id: i64,
    pub task_id: Option<i64>,
    pub body: String,
    pub created_at: String,
    pub read_at: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Notifications {
    pub unread: i64,
    /// The latest 50.
    pub items: Vec<Notification>,
}

/// Days before its due day a task turns yellow.
pub const WARN_DAYS: i64 = 3;

impl Tasks<'_> {
    /// The actor's open tasks (and those done in the last 30 days), soonest first: a bureau
    /// account's are its region's, a unit account's its unit's.
    pub async fn mine(&self) -> Result<Vec<TaskView>, StoreError> {
        let base = "SELECT id, kind, source_id, title, due_on, status, region_code, unit_id \
                    FROM tasks WHERE status <> 'cancelled'";
        let rows: Vec<TaskView> =
            match (self.actor.role, self.actor.unit_id, &self.actor.region_code) {
                (Role::Unit, Some(unit), _) => {
                    sqlx::query_as(&format!(
                        "{base} AND unit_id = $1 ORDER BY due_on, id LIMIT 500"
                    ))
                    .bind(unit)
                    .fetch_all(&self.db.pool)
                    .await?
                }
                (Role::Bureau, _, Some(region)) => {
                    sqlx::query_as(&format!(
                        "{base} AND unit_id IS NULL AND user_id IS NULL AND region_code = $1 \
                         ORDER BY due_on, id LIMIT 500"
                    ))
                    .bind(region.as_str())
                    .fetch_all(&self.db.pool)
                    .await?
                }
                (Role::Inspector, _, _) => {
                    sqlx::query_as(&format!(
                        "{base} AND user_id = $1 ORDER BY due_on, id LIMIT 500"
                    ))
                    .bind(self.actor.user_id)
                    .fetch_all(&self.db.pool)
                    .await?
                }
                _ => Vec::new(),
            };
        let today = clock::today();
        Ok(rows
            .into_iter()
            .filter_map(|mut t| {
                let due = parse_date(&t.due_on).ok()?;
                let l = light(due, t.status == "done", today, WARN_DAYS);
                t.light = Some(l);
                t.light_label = l.label().to_owned();
                t.days_left = (due - today).whole_days();
                Some(t)
            })
            .collect())
    }

    pub async fn notifications(&self) -> Result<Notifications, StoreError> {
        let unread: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM notifications WHERE user_id = $1 AND read_at IS NULL",
        )
        .bind(self.actor.user_id)
        .fetch_one(&self.db.pool)
        .await?;
        let items: Vec<Notification> = sqlx::query_as(
            "SELECT id, task_id, body, created_at, read_at FROM notifications WHERE user_id = $1 \
             ORDER BY id DESC LIMIT 50",
        )
        .bind(self.actor.user_id)
        .fetch_all(&self.db.pool)
        .await?;
        Ok(Notifications { unread, items })
    }

    /// Marks all the actor's messages read.
    pub async fn mark_read(&self) -> Result<(), StoreError> {
        sqlx::query("UPDATE notifications SET read_at = $1 WHERE user_id = $2 AND read_at IS NULL")
            .bind(clock::now())
            .bind(self.actor.user_id)
            .execute(&self.db.pool)
            .await?;
        Ok(())
    }
}

/// An open task as the reminders read it: id, region, unit, person, title, due day.
type OpenTask = (i64, String, Option<i64>, Option<i64>, String, String);

/// Sends the reminders owed on `today` for every open task under `rule`: a message to the
/// task's owners, and when overdue to the leaders of its region too. A reminder is claimed by
/// inserting its (task, slot) row first, so two instances running at once send it once.
/// Answers how many reminders went out.
pub async fn send_reminders(
    db: &Db,
    today: Date,
    rule: &ReminderRule,
) -> Result<usize, StoreError> {
    let open: Vec<OpenTask> = sqlx::query_as(
        "SELECT id, region_code, unit_id, user_id, title, due_on FROM tasks WHERE status = 'open'",
    )
    .fetch_all(&db.pool)
    .await?;
    let mut sent = 0;
    for (id, region, unit, person, title, due_on) in open {
        let Ok(due) = parse_date(&due_on) else {
            continue;
        };
        let Some(reminder) = rule.reminder_on(due, today) else {
            continue;
        };
        let now = clock::now();
        let mut tx = db.pool.begin().await?;
        let claimed = sqlx::query(
            "INSERT INTO task_reminders (task_id, slot, sent_at) VALUES ($1, $2, $3) \
             ON CONFLICT (task_id, slot) DO NOTHING",
        )
        .bind(id)
        .bind(reminder.slot())
        .bind(&now)
        .execute(&mut *tx)
        .await?;
        if claimed.rows_affected() == 0 {
            continue;
        }
        let body = if reminder.is_overdue() {
            format!("已逾期：{title}（截止{due_on}），请尽快办理")
        } else if due == today {
            format!("今天截止：{title}")
        } else {
            format!("即将到期：{title}（截止{due_on}）")
        };
        let mut users = match person {
            Some(person) => vec![person],
            None => reporter_users(&mut tx, &region, unit).await?,
        };
        if reminder.is_overdue() {
            users.extend(leader_users(&mut tx, &region).await?);
        }
        notify_users(&mut tx, &users, &region, unit, Some(id), &body, &now).await?;
        tx.commit().await?;
        sent += 1;
    }
    Ok(sent)
}

/// One day of the holiday table.
#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct HolidayDay {
    /// YYYY-MM-DD
    pub day: String,
    /// `holiday` (放假) or `workday` (调休上班).
    pub kind: String,
}

/// A year of the holiday table as typed: one day per line, `YYYY-MM-DD,休` or `YYYY-MM-DD,班`.
#[derive(Debug, Clone, serde::Deserialize, ToSchema)]
pub struct HolidayInput {
    pub year: i32,
    pub text: String,
}

impl Tasks<'_> {
    /// The calendar working days are counted by (weekends, and the loaded holiday table).
    pub async fn calendar(&self) -> Result<luodi_domain::deadlines::Calendar, StoreError> {
        let days: Vec<HolidayDay> = sqlx::query_as("SELECT day, kind FROM holidays")
            .fetch_all(&self.db.pool)
            .await?;
        let (mut off, mut on) = (Vec::new(), Vec::new());
        for d in days {
            if let Ok(date) = parse_date(&d.day) {
                if d.kind == "workday" {
                    on.push(date);
                } else {
                    off.push(date);
                }
            }
        }
        Ok(luodi_domain::deadlines::Calendar::new(off, on))
    }

    /// The holiday table of a year (every signed-in user may read it).
    pub async fn holidays(&self, year: i32) -> Result<Vec<HolidayDay>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT day, kind FROM holidays WHERE day >= $1 AND day < $2 ORDER BY day",
        )
        .bind(format!("{year}-01-01"))
        .bind(format!("{}-01-01", year + 1))
        .fetch_all(&self.db.pool)
        .await?)
    }

    /// Replaces a year of the holiday table (the State Council's notice, typed or pasted):
    /// every line is checked first and every bad one named; the days must lie in that year.
    /// An installation-wide setting: a province's or the nation's administrator sets it.
    pub async fn load_holidays(&self, input: HolidayInput) -> Result<Vec<HolidayDay>, StoreError> {
        self.actor.require(luodi_domain::Permission::ManageRules)?;
        if self
            .actor
            .scope
            .root()
            .is_some_and(|r| r.level() != luodi_domain::RegionLevel::Province)
        {
            return Err(StoreError::forbidden(
                "节假日安排适用于全部地区，只有省级及以上的系统管理员可以修改",
            ));
        }
        if !(2000..=2100).contains(&input.year) {
            return Err(StoreError::field("year", "年份应在2000年至2100年之间"));
        }
        let calendar = luodi_domain::deadlines::Calendar::parse(&input.text).map_err(|errors| {
            let mut fields = crate::kit::error::FieldErrors::new();
            fields.insert(
                "text".into(),
                errors
                    .into_iter()
                    .map(|e| format!("第{}行：{}", e.line, e.message))
                    .collect(),
            );
            StoreError::Validation(fields)
        })?;
        let days: Vec<(String, &str)> = calendar
            .holidays()
            .map(|d| (d.to_string(), "holiday"))
            .chain(calendar.workdays().map(|d| (d.to_string(), "workday")))
            .collect();
        let outside: Vec<String> = days
            .iter()
            .filter(|(d, _)| !d.starts_with(&format!("{}-", input.year)))
            .map(|(d, _)| d.clone())
            .collect();
        if !outside.is_empty() {
            return Err(StoreError::field(
                "text",
                format!("以下日期不在{}年：{}", input.year, outside.join("、")),
            ));
        }
        let before = self.holidays(input.year).await?;
        let mut tx = self.db.pool.begin().await?;
        sqlx::query("DELETE FROM holidays WHERE day >= $1 AND day < $2")
            .bind(format!("{}-01-01", input.year))
            .bind(format!("{}-01-01", input.year + 1))
            .execute(&mut *tx)
            .await?;
        for (day, kind) in &days {
            sqlx::query("INSERT INTO holidays (day, kind) VALUES ($1, $2)")
                .bind(day)
                .bind(*kind)
                .execute(&mut *tx)
                .await?;
        }
        crate::audit::record(
            &mut tx,
            (&self.actor).into(),
            crate::audit::Change {
                entity: "holidays",
                entity_id: Some(input.year.to_string()),
                action: "update",
                summary: format!(
                    "设置{}年节假日安排：放假{}天，调休上班{}天",
                    input.year,
                    calendar.holidays().count(),
                    calendar.workdays().count()
                ),
                region: self.actor.scope.root(),
                before: serde_json::to_value(&before).ok(),
                after: serde_json::to_value(&days).ok(),
            },
        )
        .await?;
        tx.commit().await?;
        self.holidays(input.year).await
    }
}
