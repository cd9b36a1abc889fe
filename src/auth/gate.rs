//! The one middleware in front of everything but the login, health and
//! static routes: a valid admin JWT or no entry. JSON and server-function
//! calls get 401/403 with a JSON error; pages redirect to the login page.

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::jwt::TokenError;
use super::session::{clear_session_cookie, session_token};
use super::AdminAuth;
use crate::error::ApiError;

/// Paths the admin gate lets through: signing in, liveness, the browser
/// bundle, assets — and the chat API and its model list, which check user
/// JWTs themselves.
pub fn is_public(path: &str) -> bool {
    matches!(
        path,
        "/login"
            | "/auth/login"
            | "/auth/logout"
            | "/api/v1/auth/login"
            | "/api/v1/chat/completions"
            | "/api/v1/models"
            | "/healthz"
            | "/api/health"
            | "/favicon.svg"
            | "/favicon.ico"
    ) || path.starts_with("/pkg/")
        || path.starts_with("/lang/")
}

pub async fn admin_gate(State(auth): State<AdminAuth>, mut req: Request, next: Next) -> Response {
    let path = req.uri().path().to_owned();
    if is_public(&path) {
        return next.run(req).await;
    }
    let verdict = session_token(req.headers())
        .ok_or(TokenError::Missing)
        .and_then(|token| auth.verify_session(&token));
    match verdict {
        Ok(claims) => {
            req.extensions_mut().insert(claims);
            next.run(req).await
        }
        Err(err) if path.starts_with("/api/") || path == "/metrics" => api_rejection(err),
        Err(err) => {
            let target = req
                .uri()
                .path_and_query()
                .map(|p| p.as_str())
                .unwrap_or("/");
            login_redirect(target, err)
        }
    }
}

fn api_rejection(err: TokenError) -> Response {
    let (status, code, message) = match err {
        TokenError::Missing => (
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "admin sign-in required",
        ),
        TokenError::Expired => (
            StatusCode::UNAUTHORIZED,
            "token_expired",
            "the admin token has expired",
        ),
        TokenError::Invalid => (
            StatusCode::UNAUTHORIZED,
            "invalid_token",
            "the admin token is not valid",
        ),
        TokenError::Ended => (
            StatusCode::UNAUTHORIZED,
            "session_ended",
            "the admin session has ended (signed out or the password changed); sign in again",
        ),
        TokenError::NotAdmin => (
            StatusCode::FORBIDDEN,
            "forbidden",
            "this token lacks the admin role",
        ),
    };
    let mut response = ApiError::new(status, code, message).into_response();
    if status == StatusCode::UNAUTHORIZED {
        response
            .headers_mut()
            .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    }
    response
}

fn login_redirect(target: &str, err: TokenError) -> Response {
    let next: String = url::form_urlencoded::byte_serialize(target.as_bytes()).collect();
    let reason = match err {
        TokenError::Missing => "",
        TokenError::Expired | TokenError::Ended => "&error=expired",
        TokenError::Invalid => "&error=invalid",
        TokenError::NotAdmin => "&error=forbidden",
    };
    let mut builder = Response::builder()
        .status(StatusCode::SEE_OTHER)
        .header(header::LOCATION, format!("/login?next={next}{reason}"));
    if err != TokenError::Missing {
        builder = builder.header(header::SET_COOKIE, clear_session_cookie());
    }
    builder
        .body(Body::empty())
        .unwrap_or_else(|_| StatusCode::SEE_OTHER.into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_sign_in_health_and_assets_are_public() {
        for p in [
            "/login",
            "/healthz",
            "/api/health",
            "/pkg/model-suite.wasm",
            "/lang/en",
            "/api/v1/auth/login",
        ] {
            assert!(is_public(p), "{p}");
        }
        for p in [
            "/",
            "/models",
            "/mappings",
            "/simulation",
            "/api/whoami",
            "/api/v1/llm/models",
            "/loginx",
        ] {
            assert!(!is_public(p), "{p}");
        }
    }
}
