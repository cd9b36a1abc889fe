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
#[cfg(feature = "ssr")]
pub mod throttle;

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

/// Runs a server function's body for the signed-in admin: `f` gets the
/// admin's name and the app state. A failure gets its proper HTTP status
/// (422, 404, 409, 503…) rather than a blanket 500.
#[cfg(feature = "ssr")]
pub async fn with_admin<T>(
    f: impl AsyncFnOnce(String, crate::server::AppState) -> Result<T, crate::error::AppError>,
) -> Result<T, crate::error::AppError> {
    use crate::error::AppError;
    let admin = require_admin()
        .map_err(|_| AppError::Unauthorized(crate::error::Common::SignInRequired.into()));
    let state = use_context::<crate::server::AppState>()
        .ok_or_else(|| AppError::internal("application state missing"));
    let result = match (admin, state) {
        (Ok(a), Ok(s)) => f(a.sub, s).await,
        (Err(e), _) | (_, Err(e)) => Err(e),
    };
    if let (Err(e), Some(res)) = (&result, use_context::<leptos_axum::ResponseOptions>()) {
        res.set_status(crate::error::ApiError::from(e.clone()).status);
    }
    result
}
