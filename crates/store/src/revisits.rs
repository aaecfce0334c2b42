//! Revisit registration forms (回访登记表, domain §9, seed [002]): a supervision group member or a
//! bureau revisits a project and records the six sections of the form. The tier rule says which
//! projects must have one (`Obligation::RevisitForm`: foreign money from 1000万美元, or
//! out-of-province money from 3亿元, by default); a project's forms list says whether it is
//! required and whether it has one. Reads go through the project's reach (`Filter::projects`),
//! so a form is seen by whoever sees its project.

use crate::audit::{self, Change};
use crate::kit::clock;
use crate::kit::error::{Checks, StoreError};
use crate::kit::filter::{Bind, Filter};
use crate::problems::{Problem, ProblemRegistration};
use luodi_domain::revisits::{check_sections, SectionEntry};
use luodi_domain::tiers::{obligations, Obligation, Origin, TierInput};
use luodi_domain::{parse_date, Fen, Permission, RegionCode, UsdCents};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

crate::scoped::area_handle!(
    /// Revisit forms of the projects the actor reaches.
    Revisits, revisits
);

/// A form as it is filled in.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct RevisitInput {
    pub project_id: i64,
    /// 回访日期, YYYY-MM-DD
    pub visited_on: String,
    /// 回访人员
    pub visitors: String,
    /// 企业接待人及职务
    pub company_contact: Option<String>,
    /// The six sections (each once).
    pub sections: Vec<SectionEntry>,
}

#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct RevisitForm {
    pub id: i64,
    pub project_id: i64,
    pub project_name: String,
    pub investor_name: String,
    pub region_code: String,
    pub region_name: String,
    pub visited_on: String,
    pub visitors: String,
    pub company_contact: Option<String>,
    /// Contract amount in 分 and in US cents, as the form prints them.
    pub contract_fen: i64,
    pub contract_cents: i64,
    pub signed_on: Option<String>,
    pub created_by_name: String,
    pub created_at: String,
    #[serde(skip)]
    pub sections_json: String,
    #[sqlx(skip)]
    pub sections: Vec<SectionEntry>,
}

/// A project's forms, and whether the tier rule asks for one.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ProjectRevisits {
    pub project_id: i64,
    pub project_name: String,
    /// The tier rule asks this project for a revisit form.
    pub required: bool,
    /// Required and none recorded yet.
    pub missing: bool,
    pub forms: Vec<RevisitForm>,
}

const SELECT: &str = "SELECT r.id, r.project_id, p.name AS project_name, p.investor_name, \
    r.region_code, rg.name AS region_name, r.visited_on, r.visitors, r.company_contact, \
    p.contract_fen, p.contract_cents, p.signed_on, u.display_name AS created_by_name, \
    r.created_at, r.sections AS sections_json \
    FROM revisit_forms r JOIN projects p ON p.id = r.project_id \
    JOIN regions rg ON rg.code = r.region_code JOIN users u ON u.id = r.created_by WHERE 1 = 1";

impl Revisits<'_> {
    fn finish(mut forms: Vec<RevisitForm>) -> Result<Vec<RevisitForm>, StoreError> {
        for f in &mut forms {
            f.sections = serde_json::from_str(&f.sections_json)
                .map_err(|e| StoreError::Internal(format!("revisit form {}: {e}", f.id)))?;
        }
        Ok(forms)
    }

    /// A project's forms, latest first, and whether it needs one.
    pub async fn of_project(&self, project_id: i64) -> Result<ProjectRevisits, StoreError> {
        let project = self.ledger().find_project(project_id).await?;
        let rules = self.rules().ledger_rules().await?;
        let origin = Origin::ALL
            .into_iter()
            .find(|o| o.as_str() == project.origin)
            .unwrap_or(Origin::InProvince);
        let required = obligations(
            &TierInput {
                contract: Fen(project.contract_fen),
                contract_usd: UsdCents(project.contract_cents),
                origin,
            },
            &rules.tiers,
        )
        .contains(&Obligation::RevisitForm);
        let mut f = Filter::new(SELECT);
        let p = f.bind(Bind::Int(project_id));
        f.and(&format!("r.project_id = {p}"));
        f.projects(&self.actor, "p", "r.region_code", None);
        let sql = format!("{} ORDER BY r.visited_on DESC, r.id DESC", f.sql);
        let forms = Self::finish(f.query_as(&sql).fetch_all(&self.db.pool).await?)?;
        Ok(ProjectRevisits {
            project_id,
            project_name: project.name,
            required,
            missing: required && forms.is_empty(),
            forms,
        })
    }

    /// One form of a project the actor reaches.
    pub async fn get(&self, id: i64) -> Result<RevisitForm, StoreError> {
        let mut f = Filter::new(SELECT);
        let p = f.bind(Bind::Int(id));
        f.and(&format!("r.id = {p}"));
        f.projects(&self.actor, "p", "r.region_code", None);
        let form: Option<RevisitForm> = f.query_as(&f.sql).fetch_optional(&self.db.pool).await?;
        Self::finish(form.into_iter().collect())?
            .pop()
            .ok_or(StoreError::NotFound("该回访登记表"))
    }

    /// Registers a problem the form brought up (its 存在的困难和问题, say) in the problems area:
    /// the bureau's, about the form's project.
    pub async fn add_problem(
        &self,
        id: i64,
        input: ProblemRegistration,
    ) -> Result<Problem, StoreError> {
        let form = self.get(id).await?;
        self.problems()
            .register_from_revisit(form.id, form.project_id, input)
            .await
    }

    /// Records a form: by a supervision group member (its groups' projects) or a bureau.
    pub async fn create(&self, input: RevisitInput) -> Result<RevisitForm, StoreError> {
        if self.actor.require(Permission::RecordVisits).is_err() {
            self.actor.require(Permission::ManageDispatch)?;
        }
        let today = crate::auth::two_factor::clock(&self.db).today();
        let mut checks = Checks::default();
        let project = match self.ledger().find_project(input.project_id).await {
            Ok(p) => Some(p),
            Err(StoreError::NotFound(_)) => {
                checks.add("project_id", "所选项目不存在或不在您的范围内");
                None
            }
            Err(e) => return Err(e),
        };
        let visited_on = checks.take("visited_on", parse_date(&input.visited_on));
        if visited_on.is_some_and(|d| d > today) {
            checks.add("visited_on", "回访日期不能晚于今天");
        }
        let visitors = input.visitors.trim().to_owned();
        if visitors.is_empty() {
            checks.add("visitors", "请填写回访人员");
        }
        checks.max_chars("visitors", Some(&visitors), 200);
        checks.max_chars("company_contact", input.company_contact.as_deref(), 200);
        let sections = match check_sections(&input.sections) {
            Ok(s) => Some(s),
            Err(errors) => {
                for (field, message) in errors {
                    checks.add(&field, message);
                }
                None
            }
        };
        checks.finish()?;
        let (project, visited_on, sections) = (
            project.expect("checked"),
            visited_on.expect("checked"),
            sections.expect("checked"),
        );
        let region = RegionCode::parse(&project.region_code)
            .map_err(|e| StoreError::Internal(e.to_string()))?;
        let json =
            serde_json::to_string(&sections).map_err(|e| StoreError::Internal(e.to_string()))?;
        let contact = input
            .company_contact
            .as_deref()
            .map(str::trim)
            .filter(|c| !c.is_empty());
        let mut tx = self.db.pool.begin().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO revisit_forms (project_id, region_code, visited_on, visitors, \
             company_contact, sections, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(project.id)
        .bind(region.as_str())
        .bind(visited_on.to_string())
        .bind(&visitors)
        .bind(contact)
        .bind(&json)
        .bind(self.actor.user_id)
        .bind(clock::now())
        .fetch_one(&mut *tx)
        .await?;
        audit::record(
            &mut tx,
            (&self.actor).into(),
            Change {
                entity: "project",
                entity_id: Some(project.id.to_string()),
                action: "revisit",
                summary: format!("登记回访登记表：{}（{}）", project.name, visited_on),
                region: Some(&region),
                before: None,
                after: Some(serde_json::json!({
                    "revisit_form": id, "visited_on": visited_on.to_string(),
                    "visitors": visitors, "sections": sections,
                })),
            },
        )
        .await?;
        tx.commit().await?;
        self.get(id).await
    }
}
