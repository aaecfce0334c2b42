//! Luodi's database layer: one code path over SQLite and PostgreSQL (sqlx's `Any` driver with
//! portable SQL), embedded migrations for each, and the data-scope rules.
//!
//! HTTP handlers only ever hold a [`Scoped`] store, built from the signed-in user by
//! [`Store::scoped`]; every query it runs is filtered to that user's [`Scope`]. The raw pool
//! never leaves this crate.
#![forbid(unsafe_code)]

#[cfg(test)]
mod house;
mod kit;

pub mod assistance;
pub mod audit;
pub mod auth;
pub mod backup;
pub mod bulletins;
pub mod campaigns;
pub mod channels;
pub mod dashboard;
pub mod demo;
pub mod dispatch;
pub mod duplicates;
pub mod events;
pub mod funds;
pub mod housekeeping;
pub mod ledger;
pub mod map;
pub mod meetings;
pub mod problems;
pub mod rates;
pub mod regions;
pub mod revisits;
pub mod rules;
mod scoped;
mod settings;
pub mod sheets;
pub mod supervision;
pub mod targets;
pub mod tasks;
pub mod units;
pub mod users;

pub use auth::two_factor;
pub use auth::{AuthSettings, Challenge, LoginOutcome, SecondStep, SecondStepOutcome, SessionUser};
pub use demo::scale::ScaleReport;
pub use kit::clock::Clock;
pub use kit::db::{redact, Backend, Db, Flag};
pub use kit::error::{FieldErrors, RowError, StoreError};
pub use kit::objects::{LocalDisk, ObjectStore};
pub use kit::page::{Page, PageRequest};
pub use luodi_domain::Scope;
pub use scoped::{Actor, Scoped};
pub use settings::CrossScopeDuplicates;

use std::sync::Arc;

/// The whole database, as seen by the application. Cheap to clone.
#[derive(Clone)]
pub struct Store {
    db: Db,
    settings: Arc<AuthSettings>,
}

impl Store {
    /// Connects to `sqlite://…` or `postgres://…` and runs the migrations for that backend.
    pub async fn open(url: &str, settings: AuthSettings) -> Result<Self, StoreError> {
        let db = Db::connect(url).await?;
        db.memo
            .set(auth::HashLimiter::new(settings.max_waiting_hashes));
        db.migrate().await?;
        auth::secrets::load(&db, url, settings.secret_key_file.as_deref()).await?;
        audit::chain::seal_legacy(&db).await?;
        regions::ensure_loaded(&db).await?;
        duplicates::index_missing(&db).await?;
        Ok(Self {
            db,
            settings: Arc::new(settings),
        })
    }

    pub fn backend(&self) -> Backend {
        self.db.backend()
    }

    pub fn settings(&self) -> &AuthSettings {
        &self.settings
    }

    /// Checks that the database answers (for `/api/health`).
    pub async fn ping(&self) -> Result<(), StoreError> {
        self.db.ping().await
    }

    /// Sign-in, sessions and password changes: the only operations that run before a user is
    /// known, so they cannot be scoped.
    pub fn auth(&self) -> auth::Auth<'_> {
        auth::Auth::new(&self.db, &self.settings)
    }

    /// The time two-factor codes and pending sign-ins are checked against: the real time
    /// unless set, which tests do.
    pub fn clock(&self) -> Arc<Clock> {
        auth::two_factor::clock(&self.db)
    }

    /// National reference data (the region tree), identical for every user.
    pub fn regions(&self) -> regions::Regions<'_> {
        regions::Regions::new(&self.db)
    }

    /// Everything a signed-in user may do, limited to what their scope allows.
    pub fn scoped(&self, actor: Actor) -> Scoped {
        audit::context::note_actor(&actor);
        Scoped::new(self.db.clone(), self.settings.clone(), actor)
    }

    /// Operations of the `luodi` command line (demo data, bootstrap). Not for HTTP handlers:
    /// they bypass data scope by design.
    pub fn system(&self) -> demo::System<'_> {
        demo::System::new(&self.db, &self.settings)
    }

    /// Walks the audit trail's hash chain and names the first entry that does not check out
    /// (`luodi audit verify`).
    pub async fn verify_audit_chain(&self) -> Result<audit::chain::Verification, StoreError> {
        audit::chain::verify(&self.db).await
    }

    /// The delivery worker of the notification channels (`[channels]`): records which are
    /// configured, so that in-app messages get their e-mail and webhook copies from now on.
    pub async fn channels(
        &self,
        settings: channels::ChannelSettings,
    ) -> Result<channels::Delivery, StoreError> {
        channels::Delivery::start(&self.db, settings).await
    }

    /// The periodic clean-up: expired sessions, and audit entries past their retention.
    pub fn housekeeping(&self) -> housekeeping::Housekeeping<'_> {
        housekeeping::Housekeeping::new(&self.db, &self.settings)
    }

    /// Matches the projects of large sheets still waiting for their look-alike matching (on
    /// start-up, and every minute in case an instance stopped in the middle), unless another
    /// instance is matching them. Returns how many this call matched.
    pub async fn match_waiting_projects(&self) -> Result<usize, StoreError> {
        duplicates::drain(&self.db, &self.settings).await
    }

    /// How many projects wait for their look-alike matching.
    pub async fn projects_waiting_for_matching(&self) -> Result<i64, StoreError> {
        duplicates::waiting(&self.db).await
    }
}
