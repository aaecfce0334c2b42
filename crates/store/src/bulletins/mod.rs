//! Bulletins (通报, domain §8): a bureau drafts one for a period and its region from the
//! figures of the period's closed last month — headline figures and 三率, classification,
//! 同比, the regions below ranked, lagging projects, reporters late or missing in the
//! period's dispatch rounds — with paragraphs of prose drafted from those numbers
//! (`domain::bulletins::draft_prose`). The author edits the prose and the document number,
//! never the figures, and publishes: a published bulletin is frozen (figures, text, data
//! cut-off, definitions) and listed for every account of its region's subtree — a county
//! reads its city's and province's bulletins, never a sibling county's.

pub mod close;

use crate::audit::{self, Change};
use crate::kit::clock;
use crate::kit::error::{Checks, StoreError};
use crate::kit::filter::{Bind, Filter};
use crate::problems::summary::ProblemFigures;
use crate::rates::{GrowthQuery, GrowthRow, RateRow, RatesQuery};
use crate::targets::{growth_of, signed_percent};
use luodi_domain::bulletins::{draft_prose, whole_of, BulletinPeriod, PeriodKind, ProseFigures};
use luodi_domain::rates::Rate;
use luodi_domain::targets::{reached, Indicator};
use luodi_domain::{Fen, Permission, RegionCode, UsdCents};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

crate::scoped::area_handle!(
    /// Month-end closes and bulletins, as the actor may use them.
    Bulletins, bulletins
);

/// Longest title, document number and paragraph accepted.
const MAX_TITLE: usize = 100;
const MAX_DOC_NUMBER: usize = 40;
/// Signing events listed in a bulletin.
const MAX_EVENTS: usize = 20;
const MAX_PARAGRAPH: usize = 2_000;
const MAX_PARAGRAPHS: usize = 30;
/// Lagging projects listed in a bulletin.
const MAX_LAGGING: i64 = 50;
/// A signed project is lagging when it has neither arrival nor a start this many months
/// after signing (default; the seeds name no figure).
const LAGGING_MONTHS: i32 = 6;

/// How the regions below are ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema, Default)]
#[serde(rename_all = "snake_case")]
pub enum RankBy {
    /// 官方固定顺序 (the regions' code order)
    #[default]
    Official,
    /// 资金到位率
    ArrivalRate,
    /// 履约率
    FulfilmentRate,
    /// 开工率
    StartRate,
}

impl RankBy {
    pub fn label(self) -> &'static str {
        match self {
            Self::Official => "按固定顺序",
            Self::ArrivalRate => "按资金到位率排序",
            Self::FulfilmentRate => "按履约率排序",
            Self::StartRate => "按开工率排序",
        }
    }

    fn key(self, row: &RateRow) -> Option<Rate> {
        match self {
            Self::Official => None,
            Self::ArrivalRate => Rate::of(row.arrived_fen, row.contract_fen),
            Self::FulfilmentRate => Rate::of(row.fulfilling, row.projects),
            Self::StartRate => Rate::of(row.started, row.projects),
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct DraftInput {
    pub period_kind: PeriodKind,
    pub year: i32,
    /// The month (1–12), quarter (1–4) or half (1–2) within the year; 1 for a year.
    pub period_index: u8,
    #[serde(default)]
    pub rank_by: RankBy,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct EditInput {
    pub title: String,
    /// 文号, e.g. 益商通〔2026〕3号
    pub doc_number: Option<String>,
    /// The paragraphs, as the author wrote them.
    pub prose: Vec<String>,
    pub version: i64,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct PublishInput {
    pub version: i64,
}

/// A region below, with its place in the chosen order.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct RankedRow {
    pub rank: i64,
    #[serde(flatten)]
    pub row: RateRow,
}

/// A signed project with no confirmed arrival and no start long after signing.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, sqlx::FromRow)]
pub struct LaggingProject {
    pub project_id: i64,
    pub name: String,
    pub region_name: String,
    pub signed_on: String,
    pub contract_fen: i64,
    pub contract_cents: i64,
}

/// A reporter that had not submitted all its updates by a round's deadline.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct LateReporter {
    /// YYYY-MM of the round
    pub period: String,
    pub region_name: String,
    pub reporter_name: String,
    pub projects: i64,
    pub submitted: i64,
    /// 未开始 / 填报中 / 逾期 / 退回
    pub status: String,
}

/// Everything a bulletin states, computed when drafted and frozen when published.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct BulletinFigures {
    pub region_code: String,
    pub region_name: String,
    /// 2026年第三季度
    pub period_label: String,
    /// First and last month, YYYY-MM.
    pub start: String,
    pub end: String,
    /// When the last month was closed (数据截止): the figures are those kept then.
    pub closed_at: String,
    pub total: RateRow,
    pub rank_by: RankBy,
    pub ranking: Vec<RankedRow>,
    /// 同比 by origin, January to the last month.
    pub growth: Vec<GrowthRow>,
    pub lagging: Vec<LaggingProject>,
    pub late_reporters: Vec<LateReporter>,
    pub definitions: Vec<String>,
    /// 目标任务: the year's targets of the region and of the regions below, against the
    /// figures of the period's end. (Absent from bulletins drafted before it was added.)
    #[serde(default)]
    pub targets: Vec<TargetLine>,
    /// 签约活动履约: the signing events' projects as at the period's end, largest contract
    /// first (at most 20).
    #[serde(default)]
    pub events: Vec<RateRow>,
    /// 问题办理: the region's problems registered up to the period's end.
    #[serde(default)]
    pub problems: Option<ProblemFigures>,
}

/// A yearly target against the figure the bulletin states.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct TargetLine {
    pub region_code: String,
    pub region_name: String,
    pub indicator: String,
    pub indicator_label: String,
    /// "20.00%", "+12.00%" for growth.
    pub target: String,
    /// The figure as at the period's end, or null when it cannot be computed.
    pub actual: Option<String>,
    pub reached: Option<bool>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Bulletin {
    pub id: i64,
    pub region_code: String,
    pub region_name: String,
    pub period_kind: PeriodKind,
    pub year: i64,
    pub period_index: i64,
    pub title: String,
    pub doc_number: Option<String>,
    /// `draft` or `published`.
    pub status: String,
    pub figures: BulletinFigures,
    pub prose: Vec<String>,
    /// 数据截止时间: when the figures were taken (the close of the last month).
    pub cut_off_at: String,
    pub created_by_name: String,
    pub created_at: String,
    pub updated_at: String,
    pub published_by_name: Option<String>,
    pub published_at: Option<String>,
    pub version: i64,
    /// Whether the reader may edit and publish it (a draft of the reader's own region).
    pub editable: bool,
}

/// A bulletin in a list, without its figures.
#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct BulletinItem {
    pub id: i64,
    pub region_code: String,
    pub region_name: String,
    pub period_kind: String,
    pub year: i64,
    pub period_index: i64,
    pub title: String,
    pub doc_number: Option<String>,
    pub status: String,
    pub cut_off_at: String,
    pub created_at: String,
    pub published_at: Option<String>,
}

#[derive(sqlx::FromRow)]
struct BulletinRow {
    id: i64,
    region_code: String,
    region_name: String,
    period_kind: String,
    year: i64,
    period_index: i64,
    title: String,
    doc_number: Option<String>,
    status: String,
    figures: String,
    prose: String,
    cut_off_at: String,
    created_by_name: String,
    created_at: String,
    updated_at: String,
    published_by_name: Option<String>,
    published_at: Option<String>,
    version: i64,
}

const BULLETIN_SELECT: &str = "SELECT b.id, b.region_code, rg.name AS region_name, b.period_kind, \
     b.year, b.period_index, b.title, b.doc_number, b.status, b.figures, b.prose, b.cut_off_at, \
     u.display_name AS created_by_name, b.created_at, b.updated_at, \
     pu.display_name AS published_by_name, b.published_at, b.version FROM bulletins b \
     JOIN regions rg ON rg.code = b.region_code JOIN users u ON u.id = b.created_by \
     LEFT JOIN users pu ON pu.id = b.published_by";

const ITEM_SELECT: &str = "SELECT b.id, b.region_code, rg.name AS region_name, b.period_kind, \
     b.year, b.period_index, b.title, b.doc_number, b.status, b.cut_off_at, b.created_at, \
     b.published_at FROM bulletins b JOIN regions rg ON rg.code = b.region_code";

fn months_before(p: luodi_domain::funds::Period, n: i32) -> String {
    let ordinal = p.year() * 12 + i32::from(p.month()) - 1 - n;
    format!("{:04}-{:02}-31", ordinal / 12, ordinal % 12 + 1)
}

impl Bulletins<'_> {
    /// Which bulletins the actor reads: published ones of its region and the regions above
    /// (addressed to it) and below (issued within its scope); drafts of its own region only.
    fn visible(&self, f: &mut Filter) {
        if let luodi_domain::Scope::Regions(roots) = &self.actor.scope {
            let clause = f.subtree_or_ancestors("b.region_code", roots);
            return f.and(&format!("b.status = 'published' AND {clause}"));
        }
        let Some(root) = self.actor.scope.root() else {
            return;
        };
        let own = f.bind(Bind::Text(root.as_str().to_owned()));
        let mut above = Vec::new();
        let mut r = root.implied_parent();
        while let Some(p) = r {
            above.push(f.bind(Bind::Text(p.as_str().to_owned())));
            r = p.implied_parent();
        }
        let (lo, hi) = root.subtree_range();
        let (lo, hi) = (f.bind(Bind::Text(lo)), f.bind(Bind::Text(hi)));
        let above = if above.is_empty() {
            String::new()
        } else {
            format!(" OR b.region_code IN ({})", above.join(", "))
        };
        f.and(&format!(
            "(b.region_code = {own} OR (b.status = 'published' AND \
             ((b.region_code >= {lo} AND b.region_code < {hi}){above})))"
        ));
    }

    pub async fn list(&self) -> Result<Vec<BulletinItem>, StoreError> {
        let mut f = Filter::new(&format!("{ITEM_SELECT} WHERE 1 = 1"));
        self.visible(&mut f);
        let sql = format!(
            "{} ORDER BY b.year DESC, b.period_index DESC, b.id DESC LIMIT 500",
            f.sql
        );
        Ok(f.query_as(&sql).fetch_all(&self.db.pool).await?)
    }

    pub async fn get(&self, id: i64) -> Result<Bulletin, StoreError> {
        let mut f = Filter::new(&format!("{BULLETIN_SELECT} WHERE b.id = $1"));
        f.bind(Bind::Int(id));
        self.visible(&mut f);
        let sql = f.sql.clone();
        let row: BulletinRow = f
            .query_as(&sql)
            .fetch_optional(&self.db.pool)
            .await?
            .ok_or(StoreError::NotFound("该通报"))?;
        let bad = |e: serde_json::Error| StoreError::Internal(format!("bulletin {id}: {e}"));
        let editable = row.status == "draft"
            && self.actor.scope.root().map(RegionCode::as_str) == Some(row.region_code.as_str())
            && self
                .actor
                .role
                .can_at(Permission::ManageDispatch, &self.actor.scope);
        Ok(Bulletin {
            id: row.id,
            region_code: row.region_code,
            region_name: row.region_name,
            period_kind: PeriodKind::parse(&row.period_kind)
                .ok_or_else(|| StoreError::Internal(format!("bulletin {id}: period kind")))?,
            year: row.year,
            period_index: row.period_index,
            title: row.title,
            doc_number: row.doc_number,
            status: row.status,
            figures: serde_json::from_str(&row.figures).map_err(bad)?,
            prose: serde_json::from_str(&row.prose).map_err(bad)?,
            cut_off_at: row.cut_off_at,
            created_by_name: row.created_by_name,
            created_at: row.created_at,
            updated_at: row.updated_at,
            published_by_name: row.published_by_name,
            published_at: row.published_at,
            version: row.version,
            editable,
        })
    }

    /// The region a bulletin is issued for, refusing accounts that may not issue one.
    fn issuing_region(&self) -> Result<RegionCode, StoreError> {
        self.actor.require(Permission::ManageDispatch)?;
        if self.actor.reads_unit_projects() {
            return Err(StoreError::forbidden("责任单位账号不能起草通报"));
        }
        self.actor
            .scope
            .root()
            .cloned()
            .ok_or_else(|| StoreError::forbidden("通报由地区商务主管部门起草，请以地区账号操作"))
    }

    /// Drafts a bulletin from the closed figures of the period's last month.
    pub async fn draft(&self, input: DraftInput) -> Result<Bulletin, StoreError> {
        let region = self.issuing_region()?;
        let period = BulletinPeriod::new(input.period_kind, input.year, input.period_index)
            .map_err(|m| StoreError::field("period_index", m))?;
        let figures = self.figures(&region, period, input.rank_by).await?;
        let prose = draft_prose(&prose_figures(&region, &figures));
        let title = format!(
            "关于{}{}招商引资签约项目履约情况的通报",
            figures.region_name,
            period.label()
        );
        let now = clock::now();
        let mut tx = self.db.pool.begin().await?;
        let figures_json =
            serde_json::to_string(&figures).map_err(|e| StoreError::Internal(e.to_string()))?;
        let prose_json =
            serde_json::to_string(&prose).map_err(|e| StoreError::Internal(e.to_string()))?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO bulletins (region_code, period_kind, year, period_index, title, status, \
             figures, prose, cut_off_at, created_by, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, 'draft', $6, $7, $8, $9, $10, $10) RETURNING id",
        )
        .bind(region.as_str())
        .bind(period.kind.as_str())
        .bind(i64::from(period.year))
        .bind(i64::from(period.index))
        .bind(&title)
        .bind(&figures_json)
        .bind(&prose_json)
        .bind(&figures.closed_at)
        .bind(self.actor.user_id)
        .bind(&now)
        .fetch_one(&mut *tx)
        .await?;
        audit::record(
            &mut tx,
            (&self.actor).into(),
            Change {
                entity: "bulletin",
                entity_id: Some(id.to_string()),
                action: "create",
                summary: format!("起草通报“{title}”"),
                region: Some(&region),
                before: None,
                after: Some(serde_json::json!({ "title": title, "prose": prose,
                    "period": period.label(), "cut_off_at": figures.closed_at })),
            },
        )
        .await?;
        tx.commit().await?;
        self.get(id).await
    }

    /// The author's edit of a draft: title, document number and prose; figures never change.
    pub async fn edit(&self, id: i64, input: EditInput) -> Result<Bulletin, StoreError> {
        let region = self.issuing_region()?;
        let before = self.get(id).await?;
        if !before.editable {
            return Err(StoreError::forbidden("已发布的通报不能修改"));
        }
        let mut checks = Checks::default();
        let title = input.title.trim().to_owned();
        if title.is_empty() {
            checks.add("title", "请填写标题");
        }
        checks.max_chars("title", Some(title.as_str()), MAX_TITLE);
        checks.printable("title", &title);
        let doc_number = input
            .doc_number
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned);
        checks.max_chars("doc_number", doc_number.as_deref(), MAX_DOC_NUMBER);
        if let Some(d) = &doc_number {
            checks.printable("doc_number", d);
        }
        let prose: Vec<String> = input
            .prose
            .iter()
            .map(|p| p.trim().to_owned())
            .filter(|p| !p.is_empty())
            .collect();
        if prose.is_empty() {
            checks.add("prose", "正文至少需要一段");
        }
        if prose.len() > MAX_PARAGRAPHS {
            checks.add("prose", format!("正文最多{MAX_PARAGRAPHS}段"));
        }
        if prose.iter().any(|p| p.chars().count() > MAX_PARAGRAPH) {
            checks.add("prose", format!("每段正文不超过{MAX_PARAGRAPH}个字"));
        }
        checks.finish()?;
        let now = clock::now();
        let prose_json =
            serde_json::to_string(&prose).map_err(|e| StoreError::Internal(e.to_string()))?;
        let mut tx = self.db.pool.begin().await?;
        let done = sqlx::query(
            "UPDATE bulletins SET title = $1, doc_number = $2, prose = $3, updated_at = $4, \
             version = version + 1 WHERE id = $5 AND version = $6 AND status = 'draft'",
        )
        .bind(&title)
        .bind(doc_number.as_deref())
        .bind(&prose_json)
        .bind(&now)
        .bind(id)
        .bind(input.version)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::Stale);
        }
        audit::record(
            &mut tx,
            (&self.actor).into(),
            Change {
                entity: "bulletin",
                entity_id: Some(id.to_string()),
                action: "update",
                summary: format!("修改通报“{title}”"),
                region: Some(&region),
                before: Some(serde_json::json!({ "title": before.title,
                    "doc_number": before.doc_number, "prose": before.prose })),
                after: Some(serde_json::json!({ "title": title,
                    "doc_number": doc_number, "prose": prose })),
            },
        )
        .await?;
        tx.commit().await?;
        self.get(id).await
    }

    /// Publishes a draft: from now on it is frozen and listed for its region's subtree.
    pub async fn publish(&self, id: i64, input: PublishInput) -> Result<Bulletin, StoreError> {
        let region = self.issuing_region()?;
        let before = self.get(id).await?;
        if !before.editable {
            return Err(StoreError::forbidden("该通报已发布"));
        }
        if before.doc_number.is_none() {
            return Err(StoreError::field(
                "doc_number",
                "发布前请填写文号，如 益商通〔2026〕3号",
            ));
        }
        let now = clock::now();
        let mut tx = self.db.pool.begin().await?;
        let done = sqlx::query(
            "UPDATE bulletins SET status = 'published', published_by = $1, published_at = $2, \
             updated_at = $2, version = version + 1 WHERE id = $3 AND version = $4 \
             AND status = 'draft'",
        )
        .bind(self.actor.user_id)
        .bind(&now)
        .bind(id)
        .bind(input.version)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::Stale);
        }
        audit::record(
            &mut tx,
            (&self.actor).into(),
            Change {
                entity: "bulletin",
                entity_id: Some(id.to_string()),
                action: "publish",
                summary: format!(
                    "发布通报“{}”（{}）",
                    before.title,
                    before.doc_number.as_deref().unwrap_or_default()
                ),
                region: Some(&region),
                before: Some(serde_json::json!({ "status": "draft" })),
                after: Some(serde_json::json!({ "status": "published",
                    "doc_number": before.doc_number, "cut_off_at": before.cut_off_at })),
            },
        )
        .await?;
        tx.commit().await?;
        self.get(id).await
    }

    /// The figures of `period` for `region`, read from the close of its last month.
    async fn figures(
        &self,
        region: &RegionCode,
        period: BulletinPeriod,
        rank_by: RankBy,
    ) -> Result<BulletinFigures, StoreError> {
        let end = period.end();
        let Some(close_id) = crate::rates::covering(&self.db, Some(region), end).await? else {
            return Err(StoreError::field(
                "period_index",
                format!("{end}尚未月结：通报取月结后的数字，请先办理{end}的月结"),
            ));
        };
        let closed_at: String =
            sqlx::query_scalar("SELECT closed_at FROM month_closes WHERE id = $1")
                .bind(close_id)
                .fetch_one(&self.db.pool)
                .await?;
        let report = self
            .rates()
            .report(&RatesQuery {
                region: Some(region.to_string()),
                as_of: Some(end.to_string()),
                ..Default::default()
            })
            .await?;
        let growth = self
            .rates()
            .growth(&GrowthQuery {
                region: Some(region.to_string()),
                period: Some(end.to_string()),
            })
            .await?;
        let mut rows = report.rows;
        if rank_by != RankBy::Official {
            // unrated regions (no contract, no projects) go last, in the fixed order
            rows.sort_by(|a, b| match (rank_by.key(a), rank_by.key(b)) {
                (Some(x), Some(y)) => y.cmp(&x),
                (Some(_), None) => std::cmp::Ordering::Less,
                (None, Some(_)) => std::cmp::Ordering::Greater,
                (None, None) => std::cmp::Ordering::Equal,
            });
        }
        let ranking: Vec<RankedRow> = rows
            .into_iter()
            .enumerate()
            .map(|(i, row)| RankedRow {
                rank: i as i64 + 1,
                row,
            })
            .collect();
        let lagging = self.lagging(close_id, region, end).await?;
        let late_reporters = self.late_reporters(region, period).await?;
        let mut definitions = report.definitions;
        definitions.push(format!(
            "滞后项目：截至{end}月末签约满{LAGGING_MONTHS}个月仍无确认到位资金且未开工的项目（最多列{MAX_LAGGING}个）"
        ));
        definitions.push(
            "同比：1月至期末月已确认到位资金与上年同期相比，按资金来源分列；人民币与美元分别计算"
                .into(),
        );
        definitions.push(format!("排名：{}", rank_by.label()));
        let targets = self
            .target_lines(
                region,
                end,
                (&report.region_name, &report.total),
                &ranking,
                &growth.rows,
            )
            .await?;
        let events = self.event_lines(region, end).await?;
        let problems = self
            .problems()
            .period_figures(
                region,
                &format!("{}-01", period.start()),
                &months_before(end, 0),
            )
            .await?;
        definitions.push(
            "目标任务：资金到位率按期末月结数字计算，同比增长按1月至期末月已确认到位资金计算"
                .into(),
        );
        definitions.push(format!(
            "签约活动履约：各签约活动的签约项目截至{end}月末的到位和开工情况，按合同资金列前{MAX_EVENTS}个"
        ));
        definitions.push(format!(
            "问题办理：截至{end}月末登记的问题在起草时（{}）的办理状态；办结率＝已办结÷已登记",
            problems
                .counted_at
                .get(..16)
                .unwrap_or_default()
                .replace('T', " ")
        ));
        Ok(BulletinFigures {
            region_code: region.to_string(),
            region_name: report.region_name,
            period_label: period.label(),
            start: period.start().to_string(),
            end: end.to_string(),
            closed_at,
            total: report.total,
            rank_by,
            ranking,
            growth: growth.rows,
            lagging,
            late_reporters,
            definitions,
            targets,
            events,
            problems: Some(problems),
        })
    }

    /// The year's targets of the region and its direct children, each against the bulletin's
    /// own figures: arrival rates from the closed rows, growth from 1 January to the end month.
    async fn target_lines(
        &self,
        region: &RegionCode,
        end: luodi_domain::funds::Period,
        (region_name, total): (&str, &RateRow),
        ranking: &[RankedRow],
        growth: &[GrowthRow],
    ) -> Result<Vec<TargetLine>, StoreError> {
        let rows: Vec<(String, String, i64)> = sqlx::query_as(
            "SELECT region_code, indicator, CAST(value_bp AS BIGINT) FROM targets \
             WHERE year = $1 AND (region_code = $2 OR region_code IN \
             (SELECT code FROM regions WHERE parent_code = $2)) ORDER BY region_code, indicator",
        )
        .bind(i64::from(end.year()))
        .bind(region.as_str())
        .fetch_all(&self.db.pool)
        .await?;
        let mut lines = Vec::with_capacity(rows.len());
        for (code, indicator, value_bp) in rows {
            let Some(indicator) = Indicator::parse(&indicator) else {
                continue;
            };
            let own = code == region.as_str();
            let row = if own {
                Some(total)
            } else {
                ranking.iter().map(|r| &r.row).find(|r| r.code == code)
            };
            let Some(row) = row else { continue };
            let actual = match indicator {
                Indicator::ArrivalRate => Rate::of(row.arrived_fen, row.contract_fen),
                _ if own => growth_of(growth, indicator),
                _ => {
                    let child = self
                        .rates()
                        .growth(&GrowthQuery {
                            region: Some(code.clone()),
                            period: Some(end.to_string()),
                        })
                        .await?;
                    growth_of(&child.rows, indicator)
                }
            };
            lines.push(TargetLine {
                region_name: if own {
                    region_name.to_owned()
                } else {
                    row.name.clone()
                },
                region_code: code,
                indicator: indicator.as_str().to_owned(),
                indicator_label: indicator.label().to_owned(),
                target: signed_percent(value_bp, indicator != Indicator::ArrivalRate),
                actual: actual.map(|a| a.display_percent(2)),
                reached: reached(actual, value_bp),
            });
        }
        Ok(lines)
    }

    /// The signing events' fulfilment as at the end month, largest contract first.
    async fn event_lines(
        &self,
        region: &RegionCode,
        end: luodi_domain::funds::Period,
    ) -> Result<Vec<RateRow>, StoreError> {
        let report = self
            .rates()
            .report(&RatesQuery {
                region: Some(region.to_string()),
                as_of: Some(end.to_string()),
                group_by: Some("event".into()),
                ..Default::default()
            })
            .await?;
        let mut rows: Vec<RateRow> = report
            .rows
            .into_iter()
            .filter(|r| r.projects > 0 && !r.code.is_empty())
            .collect();
        rows.sort_by(|a, b| {
            (b.contract_fen, b.contract_cents, &a.name).cmp(&(
                a.contract_fen,
                a.contract_cents,
                &b.name,
            ))
        });
        rows.truncate(MAX_EVENTS);
        Ok(rows)
    }

    async fn lagging(
        &self,
        close_id: i64,
        region: &RegionCode,
        end: luodi_domain::funds::Period,
    ) -> Result<Vec<LaggingProject>, StoreError> {
        let mut f = Filter::new(
            "SELECT p.id AS project_id, p.name, rg.name AS region_name, p.signed_on, \
             c.contract_fen, c.contract_cents FROM month_close_projects c \
             JOIN projects p ON p.id = c.project_id JOIN regions rg ON rg.code = c.region_code \
             WHERE c.close_id = $1 AND c.arrived_fen = 0 AND c.arrived_cents = 0 AND c.started = 0",
        );
        f.bind(Bind::Int(close_id));
        let before = f.bind(Bind::Text(months_before(end, LAGGING_MONTHS)));
        f.and(&format!("p.signed_on <= {before}"));
        f.projects(&self.actor, "p", "c.region_code", Some(region));
        let sql = format!("{} ORDER BY p.signed_on, p.id LIMIT {MAX_LAGGING}", f.sql);
        Ok(f.query_as(&sql).fetch_all(&self.db.pool).await?)
    }

    /// Reporters of the region's own rounds for the period's months that were late or had not
    /// submitted everything.
    async fn late_reporters(
        &self,
        region: &RegionCode,
        period: BulletinPeriod,
    ) -> Result<Vec<LateReporter>, StoreError> {
        let rounds: Vec<(i64, String)> = sqlx::query_as(
            "SELECT id, period FROM dispatch_rounds WHERE region_code = $1 AND period >= $2 \
             AND period <= $3 ORDER BY period",
        )
        .bind(region.as_str())
        .bind(period.start().to_string())
        .bind(period.end().to_string())
        .fetch_all(&self.db.pool)
        .await?;
        let mut late = Vec::new();
        for (id, month) in rounds {
            let board = self.dispatch().board(id).await?;
            for row in board.rows {
                if row.late > 0 || row.submitted < row.projects {
                    late.push(LateReporter {
                        period: month.clone(),
                        region_name: row.region_name,
                        reporter_name: row.reporter_name,
                        projects: row.projects,
                        submitted: row.submitted,
                        status: row.status,
                    });
                }
            }
        }
        Ok(late)
    }
}

/// The numbers the prose is drafted from, out of the frozen figures.
fn prose_figures(region: &RegionCode, f: &BulletinFigures) -> ProseFigures {
    let t = &f.total;
    let sum = |origin_currency: &dyn Fn(&GrowthRow) -> bool| {
        f.growth
            .iter()
            .filter(|g| origin_currency(g))
            .fold((0, 0), |(a, b), g| (a + g.this_year, b + g.last_year))
    };
    let mut ranked: Vec<(String, Option<Rate>)> = f
        .ranking
        .iter()
        .map(|r| {
            (
                r.row.name.clone(),
                Rate::of(r.row.arrived_fen, r.row.contract_fen),
            )
        })
        .collect();
    ranked.sort_by_key(|r| std::cmp::Reverse(r.1));
    let mut missing: Vec<String> = Vec::new();
    for r in &f.late_reporters {
        if !missing.contains(&r.reporter_name) {
            missing.push(r.reporter_name.clone());
        }
    }
    ProseFigures {
        whole: whole_of(Some(region.level())),
        end: luodi_domain::funds::Period::parse(&f.end).ok(),
        projects: t.projects,
        contract: Fen(t.contract_fen),
        arrived: Fen(t.arrived_fen),
        contract_usd: UsdCents(t.contract_cents),
        arrived_usd: UsdCents(t.arrived_cents),
        fulfilling: t.fulfilling,
        started: t.started,
        excellent: t.excellent,
        good: t.good,
        fair: t.fair,
        not_fulfilled: t.not_fulfilled,
        // 境内到位资金: domestic origins in 元; 实际利用外资: US dollars
        ytd_fen: sum(&|g| g.currency == "CNY" && g.origin != "foreign"),
        ytd_cents: sum(&|g| g.currency == "USD"),
        ranking: ranked,
        lagging: f.lagging.len() as i64,
        missing_reporters: missing,
        targets: f
            .targets
            .iter()
            .filter(|t| t.region_code == region.as_str())
            .map(|t| {
                (
                    t.indicator_label.clone(),
                    t.target.clone(),
                    t.actual.clone(),
                    t.reached,
                )
            })
            .collect(),
        problems: f
            .problems
            .as_ref()
            .map(|p| (p.registered, p.closed, p.closing_rate.clone(), p.overdue)),
    }
}
