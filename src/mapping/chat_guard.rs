//! What the chat API checks about the caller before routing: the user
//! token, the scope it is bound to, the per-user rate, and the `max_tokens`
//! cap.

use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use serde_json::{Map, Value};

use super::chat_error::ChatError;
use super::chat_msg::ChatMsg;
use super::types::ResolveRequest;
use crate::auth::jwt::{Claims, JwtKeys};
use crate::auth::session::session_token;

/// Above this many tracked users, the ones back at full allowance are dropped.
const USERS_KEPT: usize = 100_000;

/// The per-user limits of the chat API.
#[derive(Clone)]
pub struct ChatLimits {
    per_user: Option<Arc<DefaultKeyedRateLimiter<String>>>,
    max_tokens: Option<u32>,
}

impl ChatLimits {
    /// `per_minute` requests per user (a burst of that many, then one more
    /// every 60/`per_minute` s); 0 = no limit.
    pub fn new(per_minute: u32, max_tokens: Option<u32>) -> ChatLimits {
        ChatLimits {
            per_user: NonZeroU32::new(per_minute)
                .map(|n| Arc::new(RateLimiter::keyed(Quota::per_minute(n)))),
            max_tokens,
        }
    }

    /// `Err(wait)` when the user has used up the allowance. The load-test
    /// engine's own tokens (`run` claim, only it signs them) count against
    /// the run's limits instead.
    pub fn admit(&self, claims: &Claims) -> Result<(), Duration> {
        let Some(limiter) = &self.per_user else {
            return Ok(());
        };
        if claims.run.is_some() {
            return Ok(());
        }
        if limiter.len() > USERS_KEPT {
            limiter.retain_recent();
        }
        limiter
            .check_key(&claims.sub)
            .map_err(|n| n.wait_time_from(DefaultClock::default().now()))
    }

    /// The field and the cap when the request asks for more tokens.
    pub fn over_cap(&self, request: &Map<String, Value>) -> Option<(&'static str, u32)> {
        let cap = self.max_tokens?;
        ["max_tokens", "max_completion_tokens"]
            .into_iter()
            .find(|f| {
                request
                    .get(*f)
                    .and_then(Value::as_u64)
                    .is_some_and(|n| n > u64::from(cap))
            })
            .map(|f| (f, cap))
    }
}

/// The caller's user token (an admin session is not one), or the 401 to
/// answer, in the caller's language.
pub fn user_claims(jwt: &JwtKeys, headers: &HeaderMap) -> Result<Claims, Box<Response>> {
    match session_token(headers).map(|t| jwt.verify_user(&t)) {
        Some(Ok(c)) => Ok(c),
        Some(Err(e)) => Err(Box::new(
            ChatError::new(
                StatusCode::UNAUTHORIZED,
                "invalid_token",
                ChatMsg::BadToken {
                    detail: e.to_string(),
                },
            )
            .answer(headers),
        )),
        None => Err(Box::new(
            ChatError::new(StatusCode::UNAUTHORIZED, "unauthorized", ChatMsg::NoToken)
                .answer(headers),
        )),
    }
}

/// Binds the requested scope to the token's: a tenant or module the token
/// carries wins, and a header or metadata value may only repeat it. A token
/// without them leaves the request's scope as asked.
pub fn bind_scope(claims: &Claims, mut scope: ResolveRequest) -> Result<ResolveRequest, ChatMsg> {
    for (name, bound, asked) in [
        ("tenant", &claims.tenant, &mut scope.tenant),
        ("module", &claims.module, &mut scope.module),
    ] {
        if let Some(bound) = bound.as_deref().filter(|b| !b.is_empty()) {
            match asked.as_deref() {
                Some(a) if a != bound => {
                    return Err(ChatMsg::ScopeBound {
                        name: name.to_owned(),
                        bound: bound.to_owned(),
                        asked: a.to_owned(),
                    })
                }
                _ => *asked = Some(bound.to_owned()),
            }
        }
    }
    Ok(scope)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(tenant: Option<&str>) -> Claims {
        Claims {
            sub: "u1".into(),
            role: "user".into(),
            tenant: tenant.map(str::to_owned),
            ..Claims::default()
        }
    }

    fn asking(tenant: Option<&str>) -> ResolveRequest {
        ResolveRequest {
            prompt_id: None,
            tenant: tenant.map(str::to_owned),
            module: Some("chat".into()),
            model: None,
        }
    }

    #[test]
    fn the_token_tenant_wins_and_headers_may_only_repeat_it() {
        let bound = user(Some("acme"));
        assert_eq!(
            bind_scope(&bound, asking(None)).map(|s| s.tenant),
            Ok(Some("acme".into()))
        );
        assert!(bind_scope(&bound, asking(Some("acme"))).is_ok());
        let refused = bind_scope(&bound, asking(Some("globex")))
            .unwrap_err()
            .render(crate::i18n::Lang::En);
        assert!(
            refused.contains("acme") && refused.contains("globex"),
            "{refused}"
        );
        let free = user(None);
        assert_eq!(
            bind_scope(&free, asking(Some("globex"))).map(|s| s.tenant),
            Ok(Some("globex".into()))
        );
    }

    #[test]
    fn a_user_gets_the_burst_then_waits_and_others_are_not_held_up() {
        let limits = ChatLimits::new(3, Some(100));
        let (a, b) = (
            user(None),
            Claims {
                sub: "u2".into(),
                ..user(None)
            },
        );
        for _ in 0..3 {
            assert!(limits.admit(&a).is_ok());
        }
        assert!(limits.admit(&a).is_err());
        assert!(limits.admit(&b).is_ok());
        let engine = Claims {
            run: Some("run-1".into()),
            ..a.clone()
        };
        assert!(limits.admit(&engine).is_ok(), "a load test's own token");

        let mut req = Map::new();
        req.insert("max_tokens".into(), 100.into());
        assert_eq!(limits.over_cap(&req), None);
        req.insert("max_completion_tokens".into(), 101.into());
        assert_eq!(limits.over_cap(&req), Some(("max_completion_tokens", 100)));
    }
}
