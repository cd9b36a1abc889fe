//! Mapping (`/mappings`): which business domain may use which models, the
//! resolver that turns a scope into a model and an endpoint, and the
//! product's chat API that routes through it.

pub mod context;
pub mod editor;
pub mod msg;
pub mod page;
pub mod pending_panel;
pub mod prompt_picker;
pub mod prompts;
pub mod resolve_box;
pub mod server_fns;
pub mod text;
pub mod types;

#[cfg(feature = "ssr")]
pub mod api;
#[cfg(feature = "ssr")]
pub mod chat;
#[cfg(feature = "ssr")]
pub mod chat_error;
#[cfg(feature = "ssr")]
pub mod chat_guard;
#[cfg(feature = "ssr")]
pub mod chat_msg;
#[cfg(feature = "ssr")]
pub mod failover;
#[cfg(feature = "ssr")]
pub mod last_used;
#[cfg(feature = "ssr")]
pub mod listing;
#[cfg(feature = "ssr")]
pub mod openai_models;
#[cfg(feature = "ssr")]
pub mod panels_view;
#[cfg(feature = "ssr")]
pub mod pending;
#[cfg(feature = "ssr")]
pub mod proxy;
#[cfg(feature = "ssr")]
pub mod reconcile;
#[cfg(feature = "ssr")]
pub mod remote;
#[cfg(feature = "ssr")]
pub mod resolver;
#[cfg(feature = "ssr")]
pub mod route_cache;
#[cfg(feature = "ssr")]
pub mod scope_models;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub mod sync;
