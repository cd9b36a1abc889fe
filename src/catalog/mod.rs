//! Catalog (`/models`): endpoints, their candidate models and the single
//! default. Owns every write to `ai_endpoints` (and `ai_model` in Supabase).

pub mod checks_panel;
pub mod context;
pub mod dialogs;
pub mod drawer;
pub mod live;
pub mod msg;
pub mod page;
pub mod server_fns;
pub mod text;
pub mod types;

#[cfg(feature = "ssr")]
pub mod api;
#[cfg(feature = "ssr")]
pub mod check_rows;
#[cfg(feature = "ssr")]
pub mod demo;
#[cfg(feature = "ssr")]
pub mod health;
#[cfg(feature = "ssr")]
pub mod lookups;
#[cfg(feature = "ssr")]
pub mod model_check;
#[cfg(feature = "ssr")]
pub mod reconcile;
#[cfg(feature = "ssr")]
pub mod refused;
#[cfg(feature = "ssr")]
pub mod remote;
#[cfg(feature = "ssr")]
pub mod removal;
#[cfg(feature = "ssr")]
pub mod repo;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub mod sync;
#[cfg(feature = "ssr")]
pub mod validate;
