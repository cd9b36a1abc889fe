//! The admin session's cookie and bearer token: where a request carries
//! it, and the cookies that set and clear it.

use axum::http::{header, HeaderMap};

use super::AuthSettings;

/// Name of the cookie that carries the admin session JWT.
pub const SESSION_COOKIE: &str = "ms_session";

/// The bearer token if there is one, else the session cookie.
pub fn session_token(headers: &HeaderMap) -> Option<String> {
    if let Some(auth) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    {
        let token = auth
            .strip_prefix("Bearer ")
            .or_else(|| auth.strip_prefix("bearer "))?;
        return Some(token.trim().to_owned());
    }
    cookie_value(headers, SESSION_COOKIE)
}

pub fn cookie_value(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
        .filter(|v| !v.is_empty())
}

/// The cookie that carries a fresh session token.
pub fn session_cookie(settings: &AuthSettings, token: &str) -> String {
    let secure = if settings.cookie_secure {
        "; Secure"
    } else {
        ""
    };
    let max_age = u64::from(settings.session_minutes) * 60;
    format!(
        "{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age}{secure}"
    )
}

pub fn clear_session_cookie() -> String {
    format!("{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0")
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn bearer_wins_over_cookie() {
        let mut h = HeaderMap::new();
        h.insert(
            header::COOKIE,
            HeaderValue::from_static("lang=en; ms_session=from-cookie"),
        );
        assert_eq!(session_token(&h).as_deref(), Some("from-cookie"));
        h.insert(
            header::AUTHORIZATION,
            HeaderValue::from_static("Bearer from-header"),
        );
        assert_eq!(session_token(&h).as_deref(), Some("from-header"));
    }
}
