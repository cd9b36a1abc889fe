//! Catalog (`/models`): endpoints, their candidate models and the single
//! default. Owns writes to `ai_endpoints` (and `ai_model` in Supabase).

pub mod page;
