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
