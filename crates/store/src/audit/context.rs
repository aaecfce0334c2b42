//! What an audit entry knows of the request it is written in: the client's address, and the
//! signed-in user once the request has one.
//!
//! The HTTP layer runs every request inside [`within`]; entries written while serving it take
//! the address from there, whichever path writes them (a change, a sign-in attempt before any
//! user is known, an import), so no operation has to carry it. Work handed to another task
//! does not see it: entries are written on the request's own task.

use crate::scoped::Actor;
use std::future::Future;
use std::sync::{Arc, Mutex};

/// One request as the audit trail sees it.
#[derive(Debug, Default)]
pub struct RequestContext {
    client_addr: Option<String>,
    actor: Mutex<Option<Actor>>,
}

tokio::task_local! {
    static REQUEST: Arc<RequestContext>;
}

impl RequestContext {
    pub fn new(client_addr: Option<String>) -> Arc<Self> {
        Arc::new(Self {
            client_addr,
            actor: Mutex::new(None),
        })
    }

    pub fn client_addr(&self) -> Option<&str> {
        self.client_addr.as_deref()
    }

    /// The signed-in user the request acted as, once a scoped store was made for it.
    pub fn actor(&self) -> Option<Actor> {
        self.actor.lock().ok().and_then(|a| a.clone())
    }
}

/// Runs `f` as the request described by `context`.
pub async fn within<F: Future>(context: Arc<RequestContext>, f: F) -> F::Output {
    REQUEST.scope(context, f).await
}

/// The address of the request being served, if any.
pub(crate) fn client_addr() -> Option<String> {
    REQUEST.try_with(|c| c.client_addr.clone()).ok().flatten()
}

/// Notes the user the request acts as (called when a scoped store is made).
pub(crate) fn note_actor(actor: &Actor) {
    let _ = REQUEST.try_with(|c| {
        if let Ok(mut slot) = c.actor.lock() {
            *slot = Some(actor.clone());
        }
    });
}
