//! Dashboard (`/`): endpoint health, the default model, mapping coverage and
//! recent runs at a glance. Reads what the other features write; owns no data.

pub mod page;
pub mod server_fns;
pub mod text;
