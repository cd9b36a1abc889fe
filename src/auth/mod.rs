//! Admin authentication: login page, the session JWT (HttpOnly cookie or
//! `Authorization: Bearer`), and the gate in front of every admin page,
//! server function and JSON route.

pub mod page;

#[cfg(feature = "ssr")]
pub mod csrf;
#[cfg(feature = "ssr")]
pub mod gate;
#[cfg(feature = "ssr")]
pub mod jwt;
#[cfg(feature = "ssr")]
pub mod password;
#[cfg(feature = "ssr")]
pub mod routes;
#[cfg(feature = "ssr")]
pub mod session;
#[cfg(feature = "ssr")]
pub mod sessions;
#[cfg(feature = "ssr")]
pub mod throttle;

use leptos::prelude::*;

/// The signed-in admin's name.
#[server(prefix = "/api", endpoint = "whoami")]
pub async fn whoami() -> Result<String, ServerFnError> {
    Ok(require_admin()?.sub)
}

/// How the admin signs in, set from the configuration at start.
#[cfg(feature = "ssr")]
#[derive(Clone, Debug)]
pub struct AuthSettings {
    pub admin_username: String,
    /// Lifetime of an admin session.
    pub session_minutes: u32,
    /// Mark the session cookie `Secure`.
    pub cookie_secure: bool,
    /// Take the client address from `X-Forwarded-For` (behind a proxy).
    pub trust_proxy_headers: bool,
}

/// Where sign-ins and sign-outs are recorded (the audit log, which sits
/// above this module).
#[cfg(feature = "ssr")]
pub trait SignInAudit: Send + Sync {
    fn record(&self, actor: &str, action: &str, detail: serde_json::Value);
}

/// Everything signing in and the gate need.
#[cfg(feature = "ssr")]
#[derive(Clone)]
pub struct AdminAuth {
    pub jwt: jwt::JwtKeys,
    /// The argon2 hash of the admin's password.
    pub password_hash: std::sync::Arc<str>,
    pub throttle: std::sync::Arc<throttle::LoginThrottle>,
    pub settings: std::sync::Arc<AuthSettings>,
    pub audit: std::sync::Arc<dyn SignInAudit>,
    /// The current admin session version: older sessions have ended.
    pub sessions: sessions::SessionVersion,
}

#[cfg(feature = "ssr")]
impl AdminAuth {
    /// The claims of a live admin session token.
    pub fn verify_session(&self, token: &str) -> Result<jwt::Claims, jwt::TokenError> {
        self.jwt.verify_admin(token, self.sessions.current())
    }
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

/// A service the server provided to every server function at start.
#[cfg(feature = "ssr")]
pub fn provided<S: Clone + Send + Sync + 'static>() -> Result<S, crate::error::AppError> {
    use_context::<S>().ok_or_else(|| {
        crate::error::AppError::internal(format!(
            "{} was not provided to server functions",
            std::any::type_name::<S>()
        ))
    })
}

/// Runs a server function's body for the signed-in admin: `f` gets the
/// admin's name and the service it names (provided at start). A failure gets
/// its proper HTTP status (422, 404, 409, 503…) rather than a blanket 500.
#[cfg(feature = "ssr")]
pub async fn as_admin<S, T>(
    f: impl AsyncFnOnce(String, S) -> Result<T, crate::error::AppError>,
) -> Result<T, crate::error::AppError>
where
    S: Clone + Send + Sync + 'static,
{
    use crate::error::AppError;
    let admin = require_admin()
        .map_err(|_| AppError::Unauthorized(crate::error::Common::SignInRequired.into()));
    let result = match (admin, provided::<S>()) {
        (Ok(a), Ok(service)) => f(a.sub, service).await,
        (Err(e), _) | (_, Err(e)) => Err(e),
    };
    if let (Err(e), Some(res)) = (&result, use_context::<leptos_axum::ResponseOptions>()) {
        res.set_status(crate::error::ApiError::from(e.clone()).status);
    }
    result
}
