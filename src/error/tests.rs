//! Every message reads in both languages: Chinese words in zh-CN, English
//! in en, never the same text twice.

use std::collections::BTreeSet;

use super::{Common, Msg, Thing, Write};
use crate::catalog::text::{CatalogMsg, Guarded};
use crate::i18n::Lang;
use crate::mapping::text::{MappingMsg, Reason};
use crate::simulation::text::{kind_text, status_text, SimMsg, StopReason};
use crate::simulation::types::RunStatus;

fn s(v: &str) -> String {
    v.to_owned()
}

fn samples() -> Vec<Msg> {
    let common = [
        Common::Required { max: 100 },
        Common::AtMostChars { max: 5 },
        Common::NoSpaces,
        Common::Range {
            lo: 1,
            hi: 9,
            got: s("0"),
        },
        Common::NotANumber,
        Common::Missing {
            thing: Thing::Run,
            id: s("r1"),
        },
        Common::SignInRequired,
        Common::SupabaseNotConfigured,
        Common::Refused {
            write: Write::SaveMapping,
            detail: s("refused"),
        },
        Common::SupabaseUnreadable { detail: s("down") },
        Common::LocalStore {
            detail: s("locked"),
        },
        Common::Upstream {
            endpoint: s("A"),
            detail: s("HTTP 500"),
        },
        Common::Transport { detail: s("reset") },
        Common::Internal { detail: s("oops") },
    ];
    let catalog = [
        CatalogMsg::TimeoutRange {
            lo: 1,
            hi: 600,
            got: 0,
        },
        CatalogMsg::ModelNotListed { model: s("m") },
        CatalogMsg::TooManyModels { max: 500 },
        CatalogMsg::BadModelId {
            max: 200,
            got: s("a b"),
        },
        CatalogMsg::ListedTwice { model: s("m") },
        CatalogMsg::UrlUnparsable,
        CatalogMsg::UrlScheme,
        CatalogMsg::UrlQuery,
        CatalogMsg::UrlCredentials,
        CatalogMsg::DefaultNeedsModel,
        CatalogMsg::RemovesDefaultModel { model: s("m") },
        CatalogMsg::HasResults {
            name: s("A"),
            results: 3,
        },
        CatalogMsg::DisabledDefault { name: s("A") },
        CatalogMsg::NoModelDefault { name: s("A") },
        CatalogMsg::NotInSupabase { name: s("A") },
        CatalogMsg::DeletedInSupabase { name: s("A") },
        CatalogMsg::GoneFromSupabase,
        CatalogMsg::IsDefault {
            name: s("A"),
            action: Guarded::Delete,
        },
        CatalogMsg::SaveFirst,
        CatalogMsg::NoModelsToCheck,
    ];
    let chose = Reason::Chose {
        count: 2,
        model: s("m"),
        endpoint: s("A"),
        status: s("online"),
        is_default: true,
        latency_ms: Some(12.0),
    };
    let mapping = [
        MappingMsg::ScopeFormat,
        MappingMsg::PromptIdPositive,
        MappingMsg::ScopeKey {
            max: 64,
            got: s("A B"),
        },
        MappingMsg::PromptMissing { id: 7 },
        MappingMsg::NoModels,
        MappingMsg::DefaultNotListed,
        MappingMsg::Dangling {
            models: vec![s("x"), s("y")],
        },
        MappingMsg::AlreadyMapped {
            scope: s("tenant:acme"),
            id: 3,
        },
        MappingMsg::DeletedInSupabase {
            scope: s("tenant:acme"),
        },
        MappingMsg::NoRoute(Box::new(chose)),
    ];
    let sim = [
        SimMsg::Minutes { max: 1440 },
        SimMsg::RoleRule,
        SimMsg::MessageLength { max: 4000 },
        SimMsg::MintFirst,
        SimMsg::ExportFormat { got: s("xml") },
        SimMsg::NoEndpointYet,
        SimMsg::NotRunning { id: s("r1") },
        SimMsg::NotStored {
            detail: s("disk full"),
        },
        SimMsg::UnreadableStream { detail: s("eof") },
        SimMsg::StreamEnded,
    ];
    common
        .into_iter()
        .map(Msg::from)
        .chain(catalog.into_iter().map(Msg::from))
        .chain(mapping.into_iter().map(Msg::from))
        .chain(sim.into_iter().map(Msg::from))
        .collect()
}

fn reasons() -> Vec<Reason> {
    let (scope, model, default) = (s("tenant:acme"), s("m"), s("d"));
    vec![
        Reason::Applies {
            scope: scope.clone(),
        },
        Reason::NoMapping {
            scope: scope.clone(),
        },
        Reason::Allowed {
            model: model.clone(),
            scope: scope.clone(),
        },
        Reason::NotAllowed {
            model: model.clone(),
            scope: scope.clone(),
            default: default.clone(),
        },
        Reason::NoneRequested {
            scope,
            default: default.clone(),
        },
        Reason::NoGlobalDefault,
        Reason::GlobalNotAllowed {
            model: model.clone(),
            default,
        },
        Reason::GlobalDefault {
            model: model.clone(),
        },
        Reason::NoEndpoint {
            model: model.clone(),
        },
        Reason::Chose {
            count: 1,
            model,
            endpoint: s("A"),
            status: s("degraded"),
            is_default: false,
            latency_ms: None,
        },
    ]
}

/// The variant's name, so a new variant without a sample is noticed.
fn variant(m: &Msg) -> String {
    let debug = format!("{m:?}");
    let inner = debug
        .split_once('(')
        .map_or(debug.as_str(), |(_, rest)| rest);
    let name: String = inner.chars().take_while(|c| c.is_alphanumeric()).collect();
    format!("{}::{name}", debug.split('(').next().unwrap_or_default())
}

fn assert_bilingual(zh: &str, en: &str) {
    assert!(!zh.is_empty() && !en.is_empty());
    assert_ne!(zh, en);
    assert!(
        zh.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
        "no Chinese in {zh:?}"
    );
    assert!(en.is_ascii() || en.contains('–'), "not English: {en:?}");
    assert!(
        !zh.contains("{") && !en.contains("{"),
        "unfilled: {zh} / {en}"
    );
}

#[test]
fn every_message_reads_in_both_languages() {
    let all = samples();
    let names: BTreeSet<String> = all.iter().map(variant).collect();
    assert_eq!(names.len(), all.len(), "a variant is sampled twice");
    assert_eq!(all.len(), 14 + 20 + 10 + 10, "sample each new variant here");
    for m in all.iter() {
        assert_bilingual(&m.render(Lang::Zh), &m.render(Lang::En));
        assert_eq!(m.to_string(), m.render(Lang::En));
    }
    for r in reasons() {
        assert_bilingual(&r.render(Lang::Zh), &r.render(Lang::En));
    }
    for r in [
        StopReason::FirstError {
            detail: s("HTTP 500"),
        },
        StopReason::ErrorRate {
            rate: 50.0,
            window: 10,
            percent: 20.0,
        },
    ] {
        assert_bilingual(&r.render(Lang::Zh), &r.render(Lang::En));
    }
    for k in ["timeout", "connect", "http_status", "decode", "cancelled"] {
        assert_bilingual(&kind_text(Lang::Zh, k), &kind_text(Lang::En, k));
    }
    for st in [
        RunStatus::Running,
        RunStatus::Completed,
        RunStatus::Cancelled,
        RunStatus::Stopped,
        RunStatus::Interrupted,
    ] {
        assert_bilingual(status_text(Lang::Zh, st), status_text(Lang::En, st));
    }
}

#[test]
fn messages_survive_the_trip_to_the_page() {
    for m in samples() {
        let e = super::AppError::field("name", m.clone());
        let json = serde_json::to_string(&e).expect("encode");
        let back: super::AppError = serde_json::from_str(&json).expect("decode");
        assert_eq!(back.msg(), &m);
        assert_eq!(back.field_name(), Some("name"));
    }
}

#[test]
fn probe_reasons_of_our_own_read_in_chinese() {
    use crate::error::reason_text;
    for raw in [
        "timed out",
        "connection refused or unreachable",
        "bad response body: eof",
        "not an OpenAI model list: missing field `data`",
        "HTTP 401 Unauthorized from http://127.0.0.1:9/v1/models",
        "HTTP 500: no error message",
        "HTTP 404: model `ghost` does not exist",
        "response is not JSON: eof",
    ] {
        assert_bilingual(&reason_text(Lang::Zh, raw), &reason_text(Lang::En, raw));
    }
    assert_eq!(
        reason_text(Lang::Zh, "upstream said no"),
        "upstream said no"
    );
}
