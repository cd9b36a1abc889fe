//! JWT simulation (`/simulation`): minted test users, single chats and load
//! tests through the product's chat API, with their stored results, the
//! JSON fallback and its replay.

pub mod compare;
pub mod context;
pub mod drawn;
pub mod jsonl_file;
pub mod load;
pub mod message_set;
pub mod msg;
pub mod page;
pub mod panels;
pub mod result_detail;
pub mod results_panel;
pub mod run_list;
pub mod run_panel;
pub mod server_fns;
pub mod sweep_panel;
pub mod sweep_types;
pub mod text;
pub mod timeline;
pub mod types;
pub mod validate;

#[cfg(feature = "ssr")]
pub mod api;
#[cfg(feature = "ssr")]
pub mod bench_view;
#[cfg(feature = "ssr")]
pub mod chat_view;
#[cfg(feature = "ssr")]
pub mod check_rows;
#[cfg(feature = "ssr")]
pub mod client;
#[cfg(feature = "ssr")]
pub mod engine;
#[cfg(feature = "ssr")]
pub mod exact;
#[cfg(feature = "ssr")]
pub mod fallback;
#[cfg(feature = "ssr")]
pub mod kept;
#[cfg(feature = "ssr")]
pub mod lifecycle;
#[cfg(feature = "ssr")]
pub mod live_view;
#[cfg(feature = "ssr")]
pub mod records;
#[cfg(feature = "ssr")]
pub mod recovery;
#[cfg(feature = "ssr")]
pub mod result_view;
#[cfg(feature = "ssr")]
pub mod results;
#[cfg(feature = "ssr")]
pub mod results_view;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub mod shot;
#[cfg(feature = "ssr")]
pub mod stats;
#[cfg(feature = "ssr")]
pub mod store;
#[cfg(feature = "ssr")]
pub mod sweep;
#[cfg(feature = "ssr")]
pub mod sweep_view;
#[cfg(all(test, feature = "ssr"))]
mod test_rows;
#[cfg(feature = "ssr")]
pub mod timeline_view;
#[cfg(feature = "ssr")]
pub mod tokens;
#[cfg(feature = "ssr")]
pub mod writer;
