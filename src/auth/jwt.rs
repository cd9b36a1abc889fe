//! HS256 JWTs: the admin session (cookie or `Authorization: Bearer`) and,
//! later, the user tokens of the chat API. Only HS256 is accepted, so
//! `alg: none` and algorithm-confusion tokens fail verification.

use jsonwebtoken::{
    decode, encode, errors::ErrorKind, Algorithm, DecodingKey, EncodingKey, Header, Validation,
};
use serde::{Deserialize, Serialize};

pub const ADMIN_ROLE: &str = "admin";

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct Claims {
    pub sub: String,
    pub role: String,
    pub exp: i64,
    #[serde(default)]
    pub iat: i64,
    /// Supabase-style audience (`authenticated`); optional.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aud: Option<String>,
}

impl Claims {
    pub fn is_admin(&self) -> bool {
        self.role == ADMIN_ROLE
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
}

/// Signing and verifying keys derived from the configured secret.
#[derive(Clone)]
pub struct JwtKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
}

impl std::fmt::Debug for JwtKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("JwtKeys { .. }")
    }
}

impl JwtKeys {
    pub fn new(secret: &[u8]) -> JwtKeys {
        JwtKeys {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
        }
    }

    pub fn sign(&self, claims: &Claims) -> Result<String, jsonwebtoken::errors::Error> {
        encode(&Header::new(Algorithm::HS256), claims, &self.encoding)
    }

    /// Signs any claim set (minted test users carry extra claims such as `tenant`).
    pub fn sign_value(
        &self,
        claims: &serde_json::Value,
    ) -> Result<String, jsonwebtoken::errors::Error> {
        encode(&Header::new(Algorithm::HS256), claims, &self.encoding)
    }

    pub fn verify(&self, token: &str) -> Result<Claims, TokenError> {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = 0;
        validation.validate_aud = false;
        validation.set_required_spec_claims(&["exp", "sub"]);
        decode::<Claims>(token, &self.decoding, &validation)
            .map(|data| data.claims)
            .map_err(|e| match e.kind() {
                ErrorKind::ExpiredSignature => TokenError::Expired,
                _ => TokenError::Invalid,
            })
    }

    pub fn verify_admin(&self, token: &str) -> Result<Claims, TokenError> {
        let claims = self.verify(token)?;
        if claims.is_admin() {
            Ok(claims)
        } else {
            Err(TokenError::NotAdmin)
        }
    }

    /// A fresh admin session token for `sub`, valid for `minutes`.
    pub fn admin_token(
        &self,
        sub: &str,
        minutes: u32,
    ) -> Result<(String, Claims), jsonwebtoken::errors::Error> {
        let now = chrono::Utc::now().timestamp();
        let claims = Claims {
            sub: sub.to_owned(),
            role: ADMIN_ROLE.to_owned(),
            iat: now,
            exp: now + i64::from(minutes) * 60,
            aud: None,
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
            aud: None,
        }
    }

    #[test]
    fn admin_token_round_trips() {
        let (token, issued) = keys().admin_token("root", 10).expect("sign");
        assert_eq!(keys().verify_admin(&token), Ok(issued));
    }

    #[test]
    fn rejects_expired_foreign_none_and_non_admin_tokens() {
        let k = keys();
        let expired = k.sign(&claims("admin", -5)).expect("sign");
        assert_eq!(k.verify_admin(&expired), Err(TokenError::Expired));

        let foreign = JwtKeys::new(b"another-secret-another-secret-xx")
            .sign(&claims("admin", 600))
            .expect("sign");
        assert_eq!(k.verify_admin(&foreign), Err(TokenError::Invalid));

        let user = k.sign(&claims("user", 600)).expect("sign");
        assert_eq!(k.verify_admin(&user), Err(TokenError::NotAdmin));

        // {"alg":"none"} with a valid-looking body and no signature.
        let body = k.sign(&claims("admin", 600)).expect("sign");
        let payload = body.split('.').nth(1).expect("payload");
        let none = format!("eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.{payload}.");
        assert_eq!(k.verify_admin(&none), Err(TokenError::Invalid));
        assert_eq!(k.verify_admin("garbage"), Err(TokenError::Invalid));
    }
}
