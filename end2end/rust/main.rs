//! Integration tests: the real app over real HTTP on loopback, each test
//! with its own temporary SQLite file.

mod support;

mod auth;
mod config;
mod pages;
mod schema;
mod supabase;
