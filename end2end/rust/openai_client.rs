//! An existing OpenAI client library (async-openai) pointed at our
//! `/api/v1` with a user JWT as its API key, against the simulator.

use async_openai::config::OpenAIConfig;
use async_openai::types::{ChatCompletionRequestUserMessageArgs, CreateChatCompletionRequestArgs};
use async_openai::Client;
use futures::StreamExt;

use crate::support::{endpoint_body, spawn_app, spawn_sim};
use model_suite::upstream::sim::SimOptions;

#[tokio::test]
async fn async_openai_talks_to_the_chat_api_plain_and_streaming() {
    let app = spawn_app().await;
    let sim = spawn_sim(SimOptions::default()).await;
    app.create_endpoint(endpoint_body("Sim", &sim)).await;
    let config = OpenAIConfig::new()
        .with_api_base(format!("{}/api/v1", app.base))
        .with_api_key(app.token("user", 600));
    let client = Client::with_config(config);
    let request = CreateChatCompletionRequestArgs::default()
        .model("sim-small")
        .messages([ChatCompletionRequestUserMessageArgs::default()
            .content("hello from a client")
            .build()
            .expect("msg")
            .into()])
        .build()
        .expect("request");

    let reply = client
        .chat()
        .create(request.clone())
        .await
        .expect("plain completion");
    let content = reply.choices[0].message.content.clone().expect("content");
    assert!(content.contains("hello from a client"), "{content}");
    assert!(reply.usage.expect("usage").completion_tokens > 0);

    let mut stream = client.chat().create_stream(request).await.expect("stream");
    let mut streamed = String::new();
    let mut chunks = 0;
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.expect("chunk");
        chunks += 1;
        if let Some(c) = chunk.choices.first().and_then(|c| c.delta.content.clone()) {
            streamed.push_str(&c);
        }
    }
    assert!(chunks > 3);
    assert_eq!(streamed, content, "streamed and plain replies agree");

    let bad = Client::with_config(
        OpenAIConfig::new()
            .with_api_base(format!("{}/api/v1", app.base))
            .with_api_key("not-a-jwt"),
    );
    let req = CreateChatCompletionRequestArgs::default()
        .model("sim-small")
        .messages([ChatCompletionRequestUserMessageArgs::default()
            .content("x")
            .build()
            .expect("msg")
            .into()])
        .build()
        .expect("request");
    assert!(
        bad.chat().create(req).await.is_err(),
        "a bad token is refused"
    );
}

/// What an OpenAI-compatible benchmark tool (guidellm) does with the
/// target `…/api` before its first chat, with no options to skip it: GET
/// `health`, list `v1/models` with the key and take the first model, then
/// stream `v1/chat/completions` with that model.
#[tokio::test]
async fn a_benchmark_tool_finds_health_and_its_model_under_the_api_base() {
    let app = spawn_app().await;
    let sim = spawn_sim(SimOptions::default()).await;
    app.create_endpoint(endpoint_body("Sim", &sim)).await;
    let key = app.token("user", 600);
    let target = format!("{}/api", app.base);
    let http = reqwest::Client::new();

    let health = http
        .get(format!("{target}/health"))
        .bearer_auth(&key)
        .send()
        .await
        .expect("health");
    assert_eq!(health.status(), 200);
    let models: serde_json::Value = http
        .get(format!("{target}/v1/models"))
        .bearer_auth(&key)
        .send()
        .await
        .expect("models")
        .json()
        .await
        .expect("json");
    let model = models["data"][0]["id"].as_str().expect("a first model");
    let reply = http
        .post(format!("{target}/v1/chat/completions"))
        .bearer_auth(&key)
        .json(&serde_json::json!({"model": model, "stream": true,
            "stream_options": {"include_usage": true},
            "messages": [{"role": "user", "content": [{"type": "text", "text": "one two"}]}]}))
        .send()
        .await
        .expect("chat");
    assert_eq!(reply.status(), 200);
    let body = reply.text().await.expect("body");
    assert!(
        body.contains("\"completion_tokens\""),
        "usage streamed: {body}"
    );
    assert!(body.trim_end().ends_with("data: [DONE]"), "{body}");
}
