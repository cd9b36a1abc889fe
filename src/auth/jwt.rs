//! HS256 JWTs: the admin session (cookie or `Authorization: Bearer`) and
//! the user tokens of the chat API. Only HS256 is accepted, so `alg: none`
//! and algorithm-confusion tokens fail verification.
//!
//! The two kinds share a secret (Supabase signs user tokens with it) but
//! cannot be confused: an admin session carries its own audience and issuer
//! and the session version it was issued under; a user token never carries
//! that audience, whatever its `role` says.

use jsonwebtoken::{
    decode, encode, errors::ErrorKind, Algorithm, DecodingKey, EncodingKey, Header, Validation,
};
use serde::{Deserialize, Serialize};

pub const ADMIN_ROLE: &str = "admin";
/// The audience of admin session tokens, and only of them.
pub const ADMIN_AUDIENCE: &str = "model-suite-admin";
pub const ISSUER: &str = "model-suite";

#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct Claims {
    pub sub: String,
    pub role: String,
    pub exp: i64,
    #[serde(default)]
    pub iat: i64,
    /// [`ADMIN_AUDIENCE`] on admin sessions; Supabase-style
    /// `authenticated` (or nothing) on user tokens.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aud: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iss: Option<String>,
    /// The session version an admin token was issued under.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sv: Option<u64>,
    /// The business scope a user token is bound to, when it carries one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tenant: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub module: Option<String>,
    /// The load test a token drives: only the engine signs these (the mint
    /// route cannot set it); they count against the run's own limits, not
    /// the per-user rate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run: Option<String>,
}

impl Claims {
    /// An admin session: the admin role under the admin audience.
    pub fn is_admin(&self) -> bool {
        self.role == ADMIN_ROLE && self.aud.as_deref() == Some(ADMIN_AUDIENCE)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("no token")]
    Missing,
    #[error("token expired")]
    Expired,
    #[error("invalid token")]
    Invalid,
    #[error("token lacks the admin role")]
    NotAdmin,
    /// An admin session ended by a sign-out or a password change.
    #[error("the admin session has ended")]
    Ended,
}

/// Signing and verifying keys derived from the configured secret, shared:
/// every request's handler holds a copy, which must not copy (and then
/// wipe) the key bytes.
#[derive(Clone)]
pub struct JwtKeys(std::sync::Arc<Keys>);

struct Keys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    /// HS256 only, no leeway, `exp` and `sub` required (audience is
    /// checked by the caller that knows which one it wants).
    validation: Validation,
}

impl std::fmt::Debug for JwtKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("JwtKeys { .. }")
    }
}

impl JwtKeys {
    pub fn new(secret: &[u8]) -> JwtKeys {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = 0;
        validation.validate_aud = false;
        validation.set_required_spec_claims(&["exp", "sub"]);
        JwtKeys(std::sync::Arc::new(Keys {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
        }))
    }

    pub fn sign(&self, claims: &Claims) -> Result<String, jsonwebtoken::errors::Error> {
        encode(&Header::new(Algorithm::HS256), claims, &self.0.encoding)
    }

    /// Signs any claim set (minted test users carry extra claims such as `tenant`).
    pub fn sign_value(
        &self,
        claims: &serde_json::Value,
    ) -> Result<String, jsonwebtoken::errors::Error> {
        encode(&Header::new(Algorithm::HS256), claims, &self.0.encoding)
    }

    pub fn verify(&self, token: &str) -> Result<Claims, TokenError> {
        decode::<Claims>(token, &self.0.decoding, &self.0.validation)
            .map(|data| data.claims)
            .map_err(|e| match e.kind() {
                ErrorKind::ExpiredSignature => TokenError::Expired,
                _ => TokenError::Invalid,
            })
    }

    /// An admin session token of the current session `version`.
    pub fn verify_admin(&self, token: &str, version: u64) -> Result<Claims, TokenError> {
        let claims = self.verify(token)?;
        if !claims.is_admin() || claims.iss.as_deref() != Some(ISSUER) {
            return Err(TokenError::NotAdmin);
        }
        if claims.sv != Some(version) {
            return Err(TokenError::Ended);
        }
        Ok(claims)
    }

    /// A user token for the chat API: anything signed with the secret but an
    /// admin session.
    pub fn verify_user(&self, token: &str) -> Result<Claims, TokenError> {
        let claims = self.verify(token)?;
        if claims.aud.as_deref() == Some(ADMIN_AUDIENCE) {
            return Err(TokenError::Invalid);
        }
        Ok(claims)
    }

    /// A fresh admin session token for `sub`, valid for `minutes`, issued
    /// under session `version`.
    pub fn admin_token(
        &self,
        sub: &str,
        minutes: u32,
        version: u64,
    ) -> Result<(String, Claims), jsonwebtoken::errors::Error> {
        let now = chrono::Utc::now().timestamp();
        let claims = Claims {
            sub: sub.to_owned(),
            role: ADMIN_ROLE.to_owned(),
            iat: now,
            exp: now + i64::from(minutes) * 60,
            aud: Some(ADMIN_AUDIENCE.to_owned()),
            iss: Some(ISSUER.to_owned()),
            sv: Some(version),
            ..Claims::default()
        };
        Ok((self.sign(&claims)?, claims))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys() -> JwtKeys {
        JwtKeys::new(b"0123456789abcdef0123456789abcdef")
    }

    fn claims(role: &str, exp_offset: i64) -> Claims {
        let now = chrono::Utc::now().timestamp();
        Claims {
            sub: "ops".into(),
            role: role.into(),
            iat: now,
            exp: now + exp_offset,
            aud: Some(ADMIN_AUDIENCE.into()),
            iss: Some(ISSUER.into()),
            sv: Some(0),
            ..Claims::default()
        }
    }

    #[test]
    fn admin_token_round_trips() {
        let (token, issued) = keys().admin_token("root", 10, 3).expect("sign");
        assert_eq!(keys().verify_admin(&token, 3), Ok(issued));
        assert_eq!(keys().verify_admin(&token, 4), Err(TokenError::Ended));
        assert_eq!(
            keys().verify_user(&token),
            Err(TokenError::Invalid),
            "an admin session is not a user token"
        );
    }

    #[test]
    fn a_user_token_with_the_admin_role_is_not_an_admin_session() {
        let k = keys();
        for aud in [None, Some("authenticated")] {
            let mut c = claims("admin", 600);
            c.aud = aud.map(str::to_owned);
            c.iss = None;
            let token = k.sign(&c).expect("sign");
            assert_eq!(k.verify_admin(&token, 0), Err(TokenError::NotAdmin));
            assert!(k.verify_user(&token).is_ok());
        }
    }

    #[test]
    fn rejects_expired_foreign_none_and_non_admin_tokens() {
        let k = keys();
        let expired = k.sign(&claims("admin", -5)).expect("sign");
        assert_eq!(k.verify_admin(&expired, 0), Err(TokenError::Expired));

        let foreign = JwtKeys::new(b"another-secret-another-secret-xx")
            .sign(&claims("admin", 600))
            .expect("sign");
        assert_eq!(k.verify_admin(&foreign, 0), Err(TokenError::Invalid));

        let user = k.sign(&claims("user", 600)).expect("sign");
        assert_eq!(k.verify_admin(&user, 0), Err(TokenError::NotAdmin));

        // {"alg":"none"} with a valid-looking body and no signature.
        let body = k.sign(&claims("admin", 600)).expect("sign");
        let payload = body.split('.').nth(1).expect("payload");
        let none = format!("eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.{payload}.");
        assert_eq!(k.verify_admin(&none, 0), Err(TokenError::Invalid));
        assert_eq!(k.verify_admin("garbage", 0), Err(TokenError::Invalid));
    }
}
