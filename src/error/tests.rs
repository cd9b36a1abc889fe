//! Every message reads in both languages: Chinese words in zh-CN, English
//! in en, never the same text twice. The helpers here are shared with each
//! feature's message tests.

use std::collections::BTreeSet;
use std::fmt::Debug;

use super::{Common, Msg, Thing, Write};
use crate::i18n::Lang;

pub(crate) fn s(v: &str) -> String {
    v.to_owned()
}

pub(crate) fn assert_bilingual(zh: &str, en: &str) {
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

/// One sample of every variant of a message type: each reads in both
/// languages and survives the trip to the page inside an `AppError`.
/// `variants` is the number of variants, so a new one without a sample is
/// noticed.
pub(crate) fn assert_messages<M: Debug + Clone + Into<Msg>>(samples: Vec<M>, variants: usize) {
    let names: BTreeSet<String> = samples
        .iter()
        .map(|m| {
            format!("{m:?}")
                .chars()
                .take_while(|c| c.is_alphanumeric())
                .collect()
        })
        .collect();
    assert_eq!(names.len(), samples.len(), "a variant is sampled twice");
    assert_eq!(samples.len(), variants, "sample each new variant here");
    for m in samples {
        let m: Msg = m.into();
        assert_bilingual(&m.render(Lang::Zh), &m.render(Lang::En));
        assert_eq!(m.to_string(), m.render(Lang::En));
        let e = super::AppError::field("name", m.clone());
        let json = serde_json::to_string(&e).expect("encode");
        let back: super::AppError = serde_json::from_str(&json).expect("decode");
        assert_eq!(back.msg(), &m);
        assert_eq!(back.field_name(), Some("name"));
    }
}

#[test]
fn common_messages_read_in_both_languages() {
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
    assert_messages(common.to_vec(), 14);
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
        "5 chats in a row failed: connection refused or unreachable",
    ] {
        assert_bilingual(&reason_text(Lang::Zh, raw), &reason_text(Lang::En, raw));
    }
    assert_eq!(
        reason_text(Lang::Zh, "3 chats in a row failed: timed out"),
        "连续 3 次对话失败：超时"
    );
    assert_eq!(
        reason_text(Lang::Zh, "upstream said no"),
        "upstream said no"
    );
}
