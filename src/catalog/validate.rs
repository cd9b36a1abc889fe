//! Parse, don't validate: an [`EndpointDraft`] becomes a [`ValidEndpoint`]
//! once, here, or is refused with the field and the rule it broke.

use super::msg::CatalogMsg;
use super::types::{EndpointDraft, ResolvedEndpoints};
use crate::error::{AppError, Common};

pub const NAME_MAX: usize = 100;
pub const DESCRIPTION_MAX: usize = 1000;
pub const MODEL_ID_MAX: usize = 200;
pub const MODEL_LIST_MAX: usize = 500;
pub const API_KEY_MAX: usize = 500;
pub const TIMEOUT_MIN: i64 = 1;
pub const TIMEOUT_MAX: i64 = 600;

#[derive(Clone, Debug, PartialEq)]
pub struct ValidEndpoint {
    pub name: String,
    pub base_url: String,
    /// `Some` replaces the stored key; `None` keeps it (unless `clear_key`).
    pub api_key: Option<String>,
    /// Drop the stored key: the base URL moved and no key was entered for
    /// the new host, so the old one must not follow it there.
    pub clear_key: bool,
    pub description: Option<String>,
    pub model: Option<String>,
    pub model_list: Vec<String>,
    pub timeout: i64,
    pub is_active: bool,
    pub resolved: ResolvedEndpoints,
}

pub fn validate(draft: EndpointDraft) -> Result<ValidEndpoint, AppError> {
    let name = draft.name.trim().to_owned();
    if name.is_empty() || name.chars().count() > NAME_MAX {
        return Err(AppError::field("name", Common::Required { max: NAME_MAX }));
    }
    let base_url = parse_base_url(&draft.base_url)?;
    let api_key = match draft
        .api_key
        .map(|k| k.trim().to_owned())
        .filter(|k| !k.is_empty())
    {
        Some(k) if k.len() > API_KEY_MAX => {
            return Err(AppError::field(
                "api_key",
                Common::AtMostChars { max: API_KEY_MAX },
            ))
        }
        Some(k) if k.contains(char::is_whitespace) => {
            return Err(AppError::field("api_key", Common::NoSpaces))
        }
        other => other,
    };
    let description = draft
        .description
        .map(|d| d.trim().to_owned())
        .filter(|d| !d.is_empty());
    if description
        .as_ref()
        .is_some_and(|d| d.chars().count() > DESCRIPTION_MAX)
    {
        return Err(AppError::field(
            "description",
            Common::AtMostChars {
                max: DESCRIPTION_MAX,
            },
        ));
    }
    if !(TIMEOUT_MIN..=TIMEOUT_MAX).contains(&draft.timeout) {
        return Err(AppError::field(
            "timeout",
            CatalogMsg::TimeoutRange {
                lo: TIMEOUT_MIN,
                hi: TIMEOUT_MAX,
                got: draft.timeout,
            },
        ));
    }
    let model_list = parse_model_list(draft.model_list)?;
    let model = draft
        .model
        .map(|m| m.trim().to_owned())
        .filter(|m| !m.is_empty());
    if let Some(m) = &model {
        if !model_list.contains(m) {
            return Err(AppError::field(
                "model",
                CatalogMsg::ModelNotListed { model: m.clone() },
            ));
        }
    }
    let resolved = resolve_endpoints(&base_url);
    Ok(ValidEndpoint {
        name,
        base_url,
        api_key,
        clear_key: false,
        description,
        model,
        model_list,
        timeout: draft.timeout,
        is_active: draft.is_active,
        resolved,
    })
}

/// The version an edit carries (`updated_at` as it was read): a time
/// (RFC 3339) or nothing; anything else is refused naming the field.
pub fn parse_version(version: Option<String>) -> Result<Option<String>, AppError> {
    match version.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(v) if chrono::DateTime::parse_from_rfc3339(v).is_ok() => Ok(Some(v.to_owned())),
        Some(v) => Err(AppError::field(
            "updated_at",
            CatalogMsg::BadVersion {
                got: v.chars().take(40).collect(),
            },
        )),
    }
}

/// Trims, refuses empty, over-long and duplicate ids; keeps the order given.
pub fn parse_model_list(models: Vec<String>) -> Result<Vec<String>, AppError> {
    if models.len() > MODEL_LIST_MAX {
        return Err(AppError::field(
            "model_list",
            CatalogMsg::TooManyModels {
                max: MODEL_LIST_MAX,
            },
        ));
    }
    let mut list: Vec<String> = Vec::with_capacity(models.len());
    for raw in models {
        let m = raw.trim().to_owned();
        if m.is_empty() || m.chars().count() > MODEL_ID_MAX || m.contains(char::is_whitespace) {
            return Err(AppError::field(
                "model_list",
                CatalogMsg::BadModelId {
                    max: MODEL_ID_MAX,
                    got: raw,
                },
            ));
        }
        if list.contains(&m) {
            return Err(AppError::field(
                "model_list",
                CatalogMsg::ListedTwice { model: m },
            ));
        }
        list.push(m);
    }
    Ok(list)
}

fn parse_base_url(raw: &str) -> Result<String, AppError> {
    let trimmed = raw.trim().trim_end_matches('/');
    let url = url::Url::parse(trimmed)
        .map_err(|_| AppError::field("base_url", CatalogMsg::UrlUnparsable))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(AppError::field("base_url", CatalogMsg::UrlScheme));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(AppError::field("base_url", CatalogMsg::UrlQuery));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(AppError::field("base_url", CatalogMsg::UrlCredentials));
    }
    Ok(trimmed.to_owned())
}

/// OpenAI-style URLs: `…/v1` is used as given, anything else gets `/v1`.
pub fn resolve_endpoints(base_url: &str) -> ResolvedEndpoints {
    let base = base_url.trim_end_matches('/');
    let last = base.rsplit('/').next().unwrap_or("");
    let versioned =
        last.len() >= 2 && last.starts_with('v') && last[1..].chars().all(|c| c.is_ascii_digit());
    let api = if versioned {
        base.to_owned()
    } else {
        format!("{base}/v1")
    };
    ResolvedEndpoints {
        chat_completions: format!("{api}/chat/completions"),
        completions: format!("{api}/completions"),
        models: format!("{api}/models"),
        embeddings: format!("{api}/embeddings"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft() -> EndpointDraft {
        EndpointDraft {
            name: " Main ".into(),
            base_url: "https://api.example.com/v1/".into(),
            model: Some("gpt-4o".into()),
            model_list: vec!["gpt-4o".into(), " gpt-4o-mini ".into()],
            timeout: 60,
            is_active: true,
            ..Default::default()
        }
    }

    fn field_of(d: EndpointDraft) -> String {
        validate(d)
            .unwrap_err()
            .field_name()
            .expect("a field error")
            .to_owned()
    }

    #[test]
    fn a_version_is_a_time_or_nothing() {
        assert_eq!(parse_version(None).unwrap(), None);
        assert_eq!(
            parse_version(Some("2026-01-01T00:00:00.123456Z".into())).unwrap(),
            Some("2026-01-01T00:00:00.123456Z".into())
        );
        let err = parse_version(Some("yesterday".into())).unwrap_err();
        assert_eq!(err.field_name(), Some("updated_at"));
    }

    #[test]
    fn a_good_draft_is_normalised() {
        let v = validate(draft()).expect("valid");
        assert_eq!(v.name, "Main");
        assert_eq!(v.base_url, "https://api.example.com/v1");
        assert_eq!(v.model_list, ["gpt-4o", "gpt-4o-mini"]);
        assert_eq!(
            v.resolved.chat_completions,
            "https://api.example.com/v1/chat/completions"
        );
    }

    #[test]
    fn each_rule_names_its_field() {
        assert_eq!(
            field_of(EndpointDraft {
                name: "  ".into(),
                ..draft()
            }),
            "name"
        );
        assert_eq!(
            field_of(EndpointDraft {
                base_url: "ftp://x".into(),
                ..draft()
            }),
            "base_url"
        );
        assert_eq!(
            field_of(EndpointDraft {
                base_url: "not a url".into(),
                ..draft()
            }),
            "base_url"
        );
        assert_eq!(
            field_of(EndpointDraft {
                timeout: 0,
                ..draft()
            }),
            "timeout"
        );
        assert_eq!(
            field_of(EndpointDraft {
                timeout: 601,
                ..draft()
            }),
            "timeout"
        );
        assert_eq!(
            field_of(EndpointDraft {
                model: Some("other".into()),
                ..draft()
            }),
            "model"
        );
        let dup = vec!["a".into(), "a".into()];
        assert_eq!(
            field_of(EndpointDraft {
                model_list: dup,
                model: None,
                ..draft()
            }),
            "model_list"
        );
        assert_eq!(
            field_of(EndpointDraft {
                api_key: Some("has space".into()),
                ..draft()
            }),
            "api_key"
        );
    }

    #[test]
    fn unversioned_base_urls_get_v1() {
        assert_eq!(
            resolve_endpoints("http://127.0.0.1:9100").models,
            "http://127.0.0.1:9100/v1/models"
        );
        assert_eq!(
            resolve_endpoints("https://x.example/api/v2").models,
            "https://x.example/api/v2/models"
        );
        assert_eq!(
            resolve_endpoints("https://x.example/vendor").models,
            "https://x.example/vendor/v1/models"
        );
    }
}
