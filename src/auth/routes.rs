//! Sign-in, sign-out and the language switch: plain HTTP routes, so they
//! work before the browser bundle loads and with JavaScript off.

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, FromRef, Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Extension, Form, Router};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::password::verify_password;
use super::session::{clear_session_cookie, session_cookie, session_token};
use super::AdminAuth;
use crate::error::extract::Json;
use crate::error::{ApiError, ApiErrorResponse};
use crate::i18n::{Lang, LANG_COOKIE};

/// Sign-in, sign-out and the language switch, for any app state that holds
/// an [`AdminAuth`].
pub fn router<S>() -> Router<S>
where
    AdminAuth: FromRef<S>,
    S: Clone + Send + Sync + 'static,
{
    Router::new()
        .route("/auth/login", post(login_form))
        .route("/api/v1/auth/login", post(login_json))
        .route("/auth/logout", post(logout))
        .route("/lang/{code}", get(switch_language))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct LoginForm {
    pub username: String,
    pub password: String,
    /// Where the login form goes afterwards (ignored by the JSON route).
    #[serde(default)]
    pub next: Option<String>,
}

/// A fresh admin session token.
#[derive(Serialize, utoipa::ToSchema)]
pub struct LoginToken {
    /// The admin JWT, for `Authorization: Bearer`.
    pub token: String,
    /// Always `Bearer`.
    pub token_type: &'static str,
    /// Seconds until it expires.
    pub expires_in: u64,
}

#[derive(Deserialize)]
pub struct NextQuery {
    #[serde(default)]
    pub next: Option<String>,
}

/// Only a path of this site: `/models?q=1` yes; `//evil.example`,
/// `/\evil`, `/\t/evil.example`, `https://…` or anything with a control
/// character or a backslash becomes `/`. The path is read the way a browser
/// would read it, and must stay on this origin.
pub fn safe_next(next: Option<&str>) -> String {
    const HERE: &str = "http://model-suite.invalid/";
    let Some(p) = next else {
        return "/".to_owned();
    };
    let plain = p.starts_with('/')
        && !p.starts_with("//")
        && p.len() <= 2048
        && !p.contains('\\')
        && !p.chars().any(|c| c.is_control() || c.is_whitespace());
    let base = url::Url::parse(HERE).ok();
    let joined = base.as_ref().and_then(|b| b.join(p).ok());
    match joined {
        Some(u) if plain && u.origin() == base.map(|b| b.origin()).unwrap_or(u.origin()) => {
            let path = &u[url::Position::BeforePath..];
            if path == "/login" || !path.starts_with('/') || path.starts_with("//") {
                "/".to_owned()
            } else {
                path.to_owned()
            }
        }
        _ => "/".to_owned(),
    }
}

fn request_id(headers: &HeaderMap) -> String {
    headers
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("-")
        .to_owned()
}

/// The client's address, when the server was started with it.
pub type Peer = Option<Extension<ConnectInfo<SocketAddr>>>;

enum Outcome {
    Token(String),
    Refused,
    /// Too many attempts; try again after this long.
    Throttled(std::time::Duration),
}

/// Longer passwords are refused without hashing them.
const PASSWORD_MAX: usize = 1024;

/// The client's address: the TCP peer, or — behind a trusted reverse proxy
/// (`TRUST_PROXY_HEADERS`) — the address that proxy put last in
/// `X-Forwarded-For` (entries before it are the client's own words).
fn client_ip(auth: &AdminAuth, peer: Peer, headers: &HeaderMap) -> Option<IpAddr> {
    let forwarded = || {
        let last = headers.get_all("x-forwarded-for").iter().next_back()?;
        last.to_str()
            .ok()?
            .rsplit(',')
            .next()?
            .trim()
            .parse::<IpAddr>()
            .ok()
    };
    let peer = peer.map(|Extension(ConnectInfo(a))| a.ip());
    if auth.settings.trust_proxy_headers {
        forwarded().or(peer)
    } else {
        peer
    }
}

/// Checks the credentials; on success returns a fresh session token. The
/// password hash is always verified (off the async threads), so a wrong
/// username costs the same time as a wrong password.
async fn authenticate(
    auth: &AdminAuth,
    peer: Peer,
    form: &LoginForm,
    headers: &HeaderMap,
) -> Outcome {
    let ip = client_ip(auth, peer, headers);
    // Every other name shares one allowance per address, so made-up names
    // neither grow the throttle's table nor escape it.
    let name = form.username.trim();
    let is_admin_name = name == auth.settings.admin_username;
    let shown: String = name.chars().take(64).collect();
    let key = if is_admin_name { name } else { "*" };
    if let Err(refusal) = auth.throttle.check(ip, key) {
        // One line when the allowance runs out, not one per refused attempt:
        // the audit log grows no faster than the throttle lets sign-ins in.
        if refusal.first {
            auth.audit.record(
                &shown,
                "login.throttled",
                json!({ "request_id": request_id(headers), "retry_after_s": refusal.wait.as_secs() + 1 }),
            );
        }
        return Outcome::Throttled(refusal.wait);
    }
    let (password, hash) = (form.password.clone(), auth.password_hash.clone());
    let password_ok = password.len() <= PASSWORD_MAX
        && tokio::task::spawn_blocking(move || verify_password(&password, &hash))
            .await
            .unwrap_or(false);
    let user_ok = is_admin_name;
    let rid = request_id(headers);
    if !(password_ok && user_ok) {
        auth.audit
            .record(&shown, "login.failure", json!({ "request_id": rid }));
        return Outcome::Refused;
    }
    match auth.jwt.admin_token(
        &auth.settings.admin_username,
        auth.settings.session_minutes,
        auth.sessions.current(),
    ) {
        Ok((token, claims)) => {
            auth.audit.record(
                &claims.sub,
                "login.success",
                json!({ "request_id": rid, "exp": claims.exp }),
            );
            Outcome::Token(token)
        }
        Err(e) => {
            tracing::error!(error = %e, "cannot sign an admin token");
            Outcome::Refused
        }
    }
}

/// `POST /auth/login` from the login page's form.
pub async fn login_form(
    State(auth): State<AdminAuth>,
    peer: Peer,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> Response {
    let next = safe_next(form.next.as_deref());
    let error = match authenticate(&auth, peer, &form, &headers).await {
        Outcome::Token(token) => {
            return (
                [(header::SET_COOKIE, session_cookie(&auth.settings, &token))],
                Redirect::to(&next),
            )
                .into_response()
        }
        Outcome::Refused => "bad",
        Outcome::Throttled(_) => "throttled",
    };
    let next: String = url::form_urlencoded::byte_serialize(next.as_bytes()).collect();
    Redirect::to(&format!("/login?error={error}&next={next}")).into_response()
}

/// Signs the admin in: JSON in, the token out (and the same session cookie,
/// so a browser-based client works too).
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth",
    responses(
        (status = 200, description = "Signed in; the session cookie is set too", body = LoginToken),
        (status = 401, description = "Wrong username or password", body = ApiErrorResponse),
        (status = 429, description = "Too many sign-in attempts from this address",
            body = ApiErrorResponse,
            headers(("Retry-After" = u64, description = "Seconds to wait"))),
    ))]
pub async fn login_json(
    State(auth): State<AdminAuth>,
    peer: Peer,
    headers: HeaderMap,
    Json(form): Json<LoginForm>,
) -> Response {
    match authenticate(&auth, peer, &form, &headers).await {
        Outcome::Token(token) => {
            let cookie = session_cookie(&auth.settings, &token);
            let body = LoginToken {
                token,
                token_type: "Bearer",
                expires_in: u64::from(auth.settings.session_minutes) * 60,
            };
            ([(header::SET_COOKIE, cookie)], Json(body)).into_response()
        }
        Outcome::Refused => ApiError::new(
            StatusCode::UNAUTHORIZED,
            "bad_credentials",
            "wrong username or password",
        )
        .into_response(),
        Outcome::Throttled(wait) => {
            let secs = wait.as_secs() + 1;
            (
                [(header::RETRY_AFTER, secs.to_string())],
                ApiError::new(
                    StatusCode::TOO_MANY_REQUESTS,
                    "throttled",
                    format!("too many sign-in attempts; try again in {secs} s"),
                ),
            )
                .into_response()
        }
    }
}

/// `POST /auth/logout`: clears the cookie whatever state it was in.
pub async fn logout(State(auth): State<AdminAuth>, headers: HeaderMap) -> Response {
    // Signing out ends every admin session issued so far, not just this
    // browser's cookie: a copied token stops working too.
    let who = session_token(&headers)
        .and_then(|t| auth.verify_session(&t).ok())
        .map(|c| c.sub);
    if let Some(sub) = who {
        let ended = auth.sessions.end_all();
        if let Err(e) = &ended {
            tracing::error!(error = %e, "cannot record the end of the admin sessions");
        }
        auth.audit.record(
            &sub,
            "logout",
            json!({ "request_id": request_id(&headers), "sessions_ended": ended.is_ok() }),
        );
    }
    (
        [(header::SET_COOKIE, clear_session_cookie())],
        Redirect::to("/login"),
    )
        .into_response()
}

/// `GET /lang/{code}?next=/path`: remembers the language and goes back.
pub async fn switch_language(Path(code): Path<String>, Query(q): Query<NextQuery>) -> Response {
    let Some(lang) = Lang::parse(&code) else {
        return ApiError::new(
            StatusCode::NOT_FOUND,
            "unknown_language",
            "supported languages: zh, en",
        )
        .with_field("lang")
        .into_response();
    };
    let cookie = format!(
        "{LANG_COOKIE}={}; Path=/; SameSite=Lax; Max-Age=31536000",
        lang.code()
    );
    let next = match q.next.as_deref() {
        Some("/login") => "/login".to_owned(),
        other => safe_next(other),
    };
    ([(header::SET_COOKIE, cookie)], Redirect::to(&next)).into_response()
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn next_only_allows_local_paths() {
        assert_eq!(safe_next(Some("/models?q=1")), "/models?q=1");
        assert_eq!(safe_next(Some("//evil.example")), "/");
        assert_eq!(safe_next(Some("https://evil.example")), "/");
        assert_eq!(safe_next(Some("/\\evil")), "/");
        assert_eq!(safe_next(None), "/");
        for attack in [
            "/\t/evil.example",
            "/\n/evil.example",
            "/models\r\nSet-Cookie: x=1",
            "/ /evil.example",
            "/\\/evil.example",
            "/.\\evil.example",
            "/login",
        ] {
            assert_eq!(safe_next(Some(attack)), "/", "{attack:?}");
        }
        assert_eq!(safe_next(Some("/mappings#new")), "/mappings#new");
    }
}
