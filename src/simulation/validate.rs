//! The rules a run's configuration must keep: every error names the field
//! and its limits.

use super::message_set::MAX_TOKENS_MAX;
use super::types::{
    RunConfig, StopPolicy, CONCURRENCY_MAX, MESSAGE_MAX, RAMP_MAX_SECS, TOTAL_MAX, USERS_MAX,
};
#[cfg(feature = "ssr")]
use crate::auth::jwt::JwtKeys;
use crate::error::{AppError, Common};

impl RunConfig {
    /// Takes the scope from the run's `token` (then forgets the token): its
    /// `tenant` / `module` claims fill the scope; a field that says
    /// otherwise is refused, naming it.
    #[cfg(feature = "ssr")]
    pub fn scoped_by_token(mut self, jwt: &JwtKeys) -> Result<RunConfig, AppError> {
        let Some(token) = self.token.take() else {
            return Ok(self);
        };
        let claims = jwt.verify_user(token.trim()).map_err(|e| {
            AppError::field(
                "token",
                super::msg::SimMsg::TokenRefused {
                    detail: e.to_string(),
                },
            )
        })?;
        for (claim, value, field) in [
            ("tenant", claims.tenant, &mut self.scope.tenant),
            ("module", claims.module, &mut self.scope.module),
        ] {
            let Some(value) = value else { continue };
            match field.as_deref().map(str::trim).filter(|f| !f.is_empty()) {
                Some(asked) if asked != value => {
                    return Err(AppError::field(
                        &format!("scope.{claim}"),
                        super::msg::SimMsg::ScopeNotToken {
                            claim: claim.to_owned(),
                            value,
                        },
                    ))
                }
                _ => *field = Some(value),
            }
        }
        Ok(self)
    }

    /// Refuses out-of-range values, naming the field and its limits.
    pub fn validate(&self, max_total: u32, max_concurrency: u32) -> Result<(), AppError> {
        let range = |field: &str, v: u32, lo: u32, hi: u32| {
            if (lo..=hi).contains(&v) {
                Ok(())
            } else {
                Err(AppError::field(
                    field,
                    Common::Range {
                        lo: lo.into(),
                        hi: hi.into(),
                        got: v.to_string(),
                    },
                ))
            }
        };
        range("total", self.total, 1, max_total.min(TOTAL_MAX))?;
        self.load.validate()?;
        range(
            "concurrency",
            self.concurrency,
            1,
            max_concurrency.min(CONCURRENCY_MAX),
        )?;
        range("ramp_up_secs", self.ramp_up_secs, 0, RAMP_MAX_SECS)?;
        range("users", self.users, 1, USERS_MAX)?;
        if self.message.trim().is_empty() || self.message.chars().count() > MESSAGE_MAX {
            return Err(AppError::field(
                "message",
                super::msg::SimMsg::MessageLength { max: MESSAGE_MAX },
            ));
        }
        if let Some(set) = &self.message_set {
            set.lines()?;
        }
        if let Some(n) = self.max_tokens {
            range("max_tokens", n, 1, MAX_TOKENS_MAX)?;
        }
        if self
            .temperature
            .is_some_and(|t| !(t.is_finite() && (0.0..=2.0).contains(&t)))
        {
            return Err(AppError::field(
                "temperature",
                Common::Range {
                    lo: 0,
                    hi: 2,
                    got: self.temperature.unwrap_or_default().to_string(),
                },
            ));
        }
        // A threshold of 0 would stop a healthy run at its first request.
        let percent_rule = |percent: f64| {
            if percent > 0.0 && percent <= 100.0 {
                Ok(())
            } else {
                Err(AppError::field(
                    "stop.percent",
                    Common::Range {
                        lo: 1,
                        hi: 100,
                        got: percent.to_string(),
                    },
                ))
            }
        };
        match &self.stop {
            StopPolicy::Never | StopPolicy::FirstError => {}
            StopPolicy::ErrorRate {
                window,
                percent,
                min_done,
            } => {
                range("stop.window", *window, 1, 100_000)?;
                range("stop.min_done", *min_done, 1, TOTAL_MAX)?;
                percent_rule(*percent)?;
            }
            StopPolicy::AfterErrors { count } => range("stop.count", *count, 1, TOTAL_MAX)?,
            StopPolicy::OverallErrorRate { percent, min_done } => {
                range("stop.min_done", *min_done, 1, TOTAL_MAX)?;
                percent_rule(*percent)?;
            }
        }
        for (field, key) in [
            ("scope.tenant", &self.scope.tenant),
            ("scope.module", &self.scope.module),
        ] {
            if let Some(k) = key.as_deref().filter(|k| !k.trim().is_empty()) {
                crate::mapping::types::valid_key(k)
                    .map_err(|e| AppError::field(field, e.msg().clone()))?;
            }
        }
        if let Some(p) = self.scope.prompt_id {
            if p < 1 {
                return Err(AppError::field(
                    "scope.prompt_id",
                    Common::Range {
                        lo: 1,
                        hi: i64::MAX,
                        got: p.to_string(),
                    },
                ));
            }
        }
        Ok(())
    }
}
