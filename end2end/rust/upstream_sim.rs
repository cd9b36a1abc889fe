use serde_json::{json, Value};

use crate::support::spawn_sim;
use model_suite::upstream::sim::SimOptions;

#[tokio::test]
async fn simulator_serves_models_plain_chat_and_sse_with_usage() {
    let base = spawn_sim(SimOptions::default()).await;
    let http = reqwest::Client::new();
    let models: Value = http
        .get(format!("{base}/models"))
        .send()
        .await
        .expect("models")
        .json()
        .await
        .expect("json");
    assert_eq!(models["data"][0]["id"], "sim-small");

    let body =
        json!({"model": "sim-small", "messages": [{"role": "user", "content": "hello there"}]});
    let plain: Value = http
        .post(format!("{base}/chat/completions"))
        .json(&body)
        .send()
        .await
        .expect("chat")
        .json()
        .await
        .expect("json");
    let content = plain["choices"][0]["message"]["content"]
        .as_str()
        .expect("content")
        .to_owned();
    assert!(content.contains("hello there"));
    assert!(plain["usage"]["completion_tokens"].as_u64().expect("usage") > 0);

    let mut streamed = body.clone();
    streamed["stream"] = true.into();
    streamed["stream_options"] = json!({"include_usage": true});
    let res = http
        .post(format!("{base}/chat/completions"))
        .json(&streamed)
        .send()
        .await
        .expect("stream");
    assert_eq!(res.headers()["content-type"], "text/event-stream");
    let text = res.text().await.expect("sse");
    let events: Vec<&str> = text
        .lines()
        .filter_map(|l| l.strip_prefix("data: "))
        .collect();
    assert_eq!(events.last(), Some(&"[DONE]"));
    let chunks: Vec<Value> = events[..events.len() - 1]
        .iter()
        .map(|e| serde_json::from_str(e).expect("chunk json"))
        .collect();
    assert!(chunks.len() > 3, "a few chunks per reply");
    let joined: String = chunks
        .iter()
        .filter_map(|c| c["choices"][0]["delta"]["content"].as_str())
        .collect();
    assert_eq!(joined, content, "streamed and plain replies agree");
    assert!(chunks.last().expect("last")["usage"]["total_tokens"]
        .as_u64()
        .is_some());

    let unknown = http
        .post(format!("{base}/chat/completions"))
        .json(&json!({"model": "nope", "messages": []}))
        .send()
        .await
        .expect("chat");
    assert_eq!(unknown.status(), 404);
}

#[tokio::test]
async fn simulator_injects_errors_and_checks_keys() {
    let base = spawn_sim(SimOptions {
        error_rate: 1.0,
        api_key: Some("k-123".into()),
        ..Default::default()
    })
    .await;
    let http = reqwest::Client::new();
    let body = json!({"model": "sim-small", "messages": []});
    let no_key = http
        .post(format!("{base}/chat/completions"))
        .json(&body)
        .send()
        .await
        .expect("chat");
    assert_eq!(no_key.status(), 401);
    let failing = http
        .post(format!("{base}/chat/completions"))
        .bearer_auth("k-123")
        .json(&body)
        .send()
        .await
        .expect("chat");
    assert_eq!(failing.status(), 500);
}

/// The data of each SSE event of a streamed chat, `[DONE]` left out.
async fn streamed_chunks(base: &str, body: Value) -> Vec<Value> {
    let text = reqwest::Client::new()
        .post(format!("{base}/chat/completions"))
        .json(&body)
        .send()
        .await
        .expect("stream")
        .text()
        .await
        .expect("sse");
    text.lines()
        .filter_map(|l| l.strip_prefix("data: "))
        .filter(|d| *d != "[DONE]")
        .map(|d| serde_json::from_str(d).expect("chunk json"))
        .collect()
}

#[tokio::test]
async fn simulator_streams_usage_only_when_asked_and_never_when_told_not_to() {
    let ask = |include: bool| {
        json!({"model": "sim-small", "stream": true, "stream_options": {"include_usage": include},
               "messages": [{"role": "user", "content": "one two three"}]})
    };
    let has_usage = |chunks: &[Value]| chunks.iter().any(|c| c["usage"].is_object());
    let base = spawn_sim(SimOptions::default()).await;
    let asked = streamed_chunks(&base, ask(true)).await;
    let words = asked
        .iter()
        .filter(|c| {
            c["choices"][0]["delta"]["content"]
                .as_str()
                .is_some_and(|w| !w.is_empty())
        })
        .count() as u64;
    let usage = &asked.last().expect("chunks")["usage"];
    assert_eq!(
        usage["completion_tokens"].as_u64(),
        Some(words),
        "one token per content chunk"
    );
    assert!(!has_usage(&streamed_chunks(&base, ask(false)).await));

    let silent = spawn_sim(SimOptions {
        usage: false,
        ..Default::default()
    })
    .await;
    assert!(!has_usage(&streamed_chunks(&silent, ask(true)).await));
    let plain: Value = reqwest::Client::new()
        .post(format!("{silent}/chat/completions"))
        .json(&json!({"model": "sim-small", "messages": [{"role": "user", "content": "hi"}]}))
        .send()
        .await
        .expect("chat")
        .json()
        .await
        .expect("json");
    assert!(plain.get("usage").is_none(), "{plain}");
}
