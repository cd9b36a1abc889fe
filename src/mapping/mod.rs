//! Mapping (`/mappings`): which business domain may use which models, and
//! the resolver that turns a scope into a model and an endpoint.

pub mod page;
