//! Integration tests: the real app over real HTTP on loopback, each test
//! with its own temporary SQLite file.

// The allocator the server binary uses, so in-process figures match it.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod support;

mod assets;
mod attribution;
mod auth;
mod authority_live;
mod authority_pending;
mod authority_processes;
mod authority_writes;
mod bench;
mod bench_authority;
mod bench_guidellm;
mod bench_tables;
mod bundle_builds;
mod capacity;
mod catalog;
mod catalog_supabase;
mod chat;
mod cli;
mod config;
mod connections;
mod durability;
mod failover;
mod file_modes;
mod headers;
mod limits;
mod load_rates;
mod mapping;
mod mapping_supabase;
mod message_sets;
mod model_checks;
mod monitor;
mod openai_client;
mod openai_shape;
mod openapi;
mod pages;
mod passive_health;
mod prompt_scopes;
mod removal;
mod results_investigate;
mod results_mirror;
mod run_control;
mod run_history;
mod schema;
mod security;
mod simulation;
mod simulation_fallback;
mod supabase;
mod table_pages;
mod tokens;
mod ttft;
mod upstream_sim;
