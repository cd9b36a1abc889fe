//! Admin authentication: login page, the session JWT (HttpOnly cookie or
//! `Authorization: Bearer`), and the gate in front of every admin page,
//! server function and JSON route.

pub mod page;

#[cfg(feature = "ssr")]
pub mod gate;
#[cfg(feature = "ssr")]
pub mod jwt;
#[cfg(feature = "ssr")]
pub mod password;
#[cfg(feature = "ssr")]
pub mod routes;

use leptos::prelude::*;

/// Name of the cookie that carries the admin session JWT.
pub const SESSION_COOKIE: &str = "ms_session";

/// The signed-in admin's name.
#[server(prefix = "/api", endpoint = "whoami")]
pub async fn whoami() -> Result<String, ServerFnError> {
    Ok(require_admin()?.sub)
}

/// The verified admin claims of the current server-function call. The gate
/// has already checked the token; this refuses again should a route ever be
/// mounted outside it.
#[cfg(feature = "ssr")]
pub fn require_admin() -> Result<jwt::Claims, ServerFnError> {
    use axum::http::request::Parts;
    use_context::<Parts>()
        .and_then(|parts| parts.extensions.get::<jwt::Claims>().cloned())
        .filter(jwt::Claims::is_admin)
        .ok_or_else(|| ServerFnError::new("admin sign-in required"))
}
