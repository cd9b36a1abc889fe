//! The whole application state: every service, built once at start by
//! `server` (or the command line, or the test harness). Handlers and server
//! functions never see it; each asks for the service it uses (`FromRef`,
//! or the context `server` provides).

use std::sync::{Arc, OnceLock};

use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use sqlx::SqlitePool;

use crate::auth::AdminAuth;
use crate::catalog::health::EndpointMonitor;
use crate::catalog::service::Catalog;
use crate::catalog::sync::FullSync;
use crate::catalog::types::SyncReport;
use crate::config::Config;
use crate::error::AppError;
use crate::mapping::chat::ChatGateway;
use crate::mapping::service::MappingService;
use crate::monitor::audit::AuditLog;
use crate::monitor::traffic::Traffic;
use crate::simulation::engine::Engine;
use crate::simulation::service::Simulation;
use crate::storage::mirror::ResultsMirror;

/// Every service, behind one `Arc`: axum clones the router's state for
/// every request, which should cost one counter, not one per service.
#[derive(Clone)]
pub struct AppState(Arc<Services>);

impl AppState {
    pub fn new(services: Services) -> AppState {
        AppState(Arc::new(services))
    }
}

impl std::ops::Deref for AppState {
    type Target = Services;
    fn deref(&self) -> &Services {
        &self.0
    }
}

/// What a handler may ask of the state: the service, cloned from the one
/// shared set.
macro_rules! services_from_state {
    ($($t:ty),* $(,)?) => {$(
        impl FromRef<AppState> for $t {
            fn from_ref(state: &AppState) -> $t {
                <$t as FromRef<Services>>::from_ref(&state.0)
            }
        }
    )*};
}

services_from_state!(
    LeptosOptions,
    Arc<Config>,
    SqlitePool,
    AdminAuth,
    AuditLog,
    Option<sqlx::PgPool>,
    Catalog,
    EndpointMonitor,
    FullSync,
    MappingService,
    ChatGateway,
    Traffic,
    Engine,
    Simulation,
    Option<ResultsMirror>,
    Arc<OnceLock<String>>,
);

#[derive(Clone, FromRef)]
pub struct Services {
    pub leptos_options: LeptosOptions,
    pub config: Arc<Config>,
    pub db: SqlitePool,
    pub auth: AdminAuth,
    pub audit: AuditLog,
    /// The Supabase pool when `SUPABASE_DB_URL` is set (connected lazily, so a
    /// Supabase that is down does not stop the console from serving).
    pub supabase: Option<sqlx::PgPool>,
    pub catalog: Catalog,
    pub monitor: EndpointMonitor,
    pub full_sync: FullSync,
    pub mappings: MappingService,
    pub chat: ChatGateway,
    pub traffic: Traffic,
    pub engine: Engine,
    pub simulation: Simulation,
    /// Copies result rows to Supabase when it is configured.
    pub mirror: Option<ResultsMirror>,
    /// This server's own base URL (known once bound): the load tests call
    /// the chat API through it, over HTTP.
    pub self_url: Arc<OnceLock<String>>,
}

impl Services {
    /// Endpoints, then mappings, then the results not yet in Supabase.
    pub async fn sync(&self, actor: &str) -> Result<SyncReport, AppError> {
        self.full_sync.run(actor).await
    }

    /// Gives every server function the services it may ask for.
    pub fn provide_services(&self) {
        use leptos::prelude::provide_context;
        provide_context(self.catalog.clone());
        provide_context(self.monitor.clone());
        provide_context(self.full_sync.clone());
        provide_context(self.mappings.clone());
        provide_context(self.simulation.clone());
        provide_context(self.traffic.clone());
    }
}

/// Sign-ins go to the audit log.
impl crate::auth::SignInAudit for AuditLog {
    fn record(&self, actor: &str, action: &str, detail: serde_json::Value) {
        AuditLog::record(self, actor, action, detail);
    }
}
