//! The OpenAPI document at `/api/openapi.json`, and the promises it makes
//! about every route: each documented operation is served, and input that
//! does not parse is answered in the one error shape.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::support::spawn_app;

async fn document(app: &crate::support::TestApp) -> Value {
    let res = app
        .api(Method::GET, "/api/openapi.json")
        .send()
        .await
        .expect("GET /api/openapi.json");
    assert_eq!(res.status(), StatusCode::OK);
    res.json().await.expect("the document is JSON")
}

/// The one error shape: `{"error": {"code", "message", "field"?}}`.
async fn assert_error_shape(res: reqwest::Response, status: StatusCode, code: &str) -> Value {
    let got = res.status();
    let content_type = res
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let body: Value = res.json().await.expect("a JSON error");
    assert_eq!(got, status, "{body}");
    assert!(
        content_type.starts_with("application/json"),
        "{content_type}"
    );
    assert_eq!(body["error"]["code"], code, "{body}");
    assert!(body["error"]["message"].is_string(), "{body}");
    body
}

#[tokio::test]
async fn the_document_is_openapi_3_with_the_main_routes() {
    let app = spawn_app().await;
    let doc = document(&app).await;
    assert!(
        doc["openapi"].as_str().is_some_and(|v| v.starts_with("3.")),
        "{}",
        doc["openapi"]
    );
    for (path, method) in [
        ("/api/v1/llm/models", "get"),
        ("/api/v1/llm/models", "post"),
        ("/api/v1/llm/models/{id}", "put"),
        ("/api/v1/llm/models/{id}/default", "post"),
        ("/api/v1/llm/mappings", "get"),
        ("/api/v1/llm/mappings", "post"),
        ("/api/v1/llm/resolve", "post"),
        ("/api/v1/llm/tests/runs", "get"),
        ("/api/v1/llm/tests/runs", "post"),
        ("/api/v1/auth/login", "post"),
        ("/api/v1/chat/completions", "post"),
        ("/healthz", "get"),
        ("/metrics", "get"),
    ] {
        assert!(doc["paths"][path][method].is_object(), "{method} {path}");
    }
    let metrics = &doc["paths"]["/metrics"]["get"];
    assert!(
        metrics["responses"]["200"]["content"]["text/plain; version=0.0.4"].is_object(),
        "{metrics}"
    );
    assert_eq!(metrics["security"], json!([{ "admin_jwt": [] }]));
    let create = &doc["paths"]["/api/v1/llm/models"]["post"];
    assert_eq!(
        create["requestBody"]["content"]["application/json"]["schema"]["$ref"],
        "#/components/schemas/EndpointDraft"
    );
    assert_eq!(
        create["responses"]["201"]["content"]["application/json"]["schema"]["$ref"],
        "#/components/schemas/Endpoint"
    );
    assert_eq!(
        create["responses"]["201"]["links"]["read_endpoint"]["parameters"]["id"],
        "$response.body#/id",
        "a created endpoint links to the routes that take its id"
    );
    let endpoint = &doc["components"]["schemas"]["Endpoint"]["properties"];
    assert!(endpoint["api_key_mask"].is_object());
    assert!(endpoint["api_key"].is_null(), "the key is never answered");
}

#[tokio::test]
async fn admin_routes_document_bearer_auth_and_the_one_error_shape() {
    let app = spawn_app().await;
    let doc = document(&app).await;
    let scheme = &doc["components"]["securitySchemes"]["admin_jwt"];
    assert_eq!(scheme["type"], "http");
    assert_eq!(scheme["scheme"], "bearer");
    let error = &doc["components"]["schemas"]["ApiErrorResponse"];
    assert_eq!(error["required"], json!(["error"]));
    let body = &doc["components"]["schemas"]["ApiErrorBody"];
    assert_eq!(body["required"], json!(["code", "message"]));

    let list = &doc["paths"]["/api/v1/llm/models"]["get"];
    assert_eq!(list["security"], json!([{ "admin_jwt": [] }]));
    for status in ["401", "403", "422"] {
        assert_eq!(
            list["responses"][status]["content"]["application/json"]["schema"]["$ref"],
            "#/components/schemas/ApiErrorResponse",
            "{status}"
        );
    }
    let read = &doc["paths"]["/api/v1/llm/models/{id}"]["get"];
    assert!(read["responses"]["404"].is_object());
    for (path, method) in [("/healthz", "get"), ("/api/v1/auth/login", "post")] {
        assert!(
            doc["paths"][path][method]["security"].is_null(),
            "{path} is public"
        );
    }
}

#[tokio::test]
async fn the_document_is_refused_without_an_admin_token() {
    let app = spawn_app().await;
    let res = app.get("/api/openapi.json").await;
    assert_error_shape(res, StatusCode::UNAUTHORIZED, "unauthorized").await;
    let user = app.token("user", 3600);
    let res = app
        .http
        .get(app.url("/api/openapi.json"))
        .bearer_auth(user)
        .send()
        .await
        .expect("GET");
    assert_error_shape(res, StatusCode::FORBIDDEN, "forbidden").await;
}

/// Every documented operation answers JSON from its handler, not the
/// router's 404 page or a 405: the document names no route that is not
/// served.
#[tokio::test]
async fn every_documented_operation_is_served() {
    let app = spawn_app().await;
    let doc = document(&app).await;
    let paths = doc["paths"].as_object().expect("paths");
    let mut seen = 0;
    for (path, item) in paths {
        for (method, op) in item.as_object().expect("path item") {
            let Ok(method) = method.to_uppercase().parse::<Method>() else {
                continue;
            };
            let url = path.replace("{id}", "999999");
            let mut req = app.api(method.clone(), &url);
            if op["requestBody"].is_object() {
                req = req.json(&json!({}));
            }
            let res = req.send().await.expect("request");
            let status = res.status();
            let content_type = res
                .headers()
                .get("content-type")
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_owned();
            assert_ne!(status, StatusCode::METHOD_NOT_ALLOWED, "{method} {path}");
            assert!(
                status.as_u16() < 500 || path.contains("chat"),
                "{method} {path}: {status}"
            );
            let documented = op["responses"][status.as_str()].is_object();
            assert!(documented, "{method} {path}: {status} is not documented");
            if status != StatusCode::NO_CONTENT {
                // JSON, or one of the types the answer documents (a CSV
                // download, say).
                let types: Vec<&String> = op["responses"][status.as_str()]["content"]
                    .as_object()
                    .map(|c| c.keys().collect())
                    .unwrap_or_default();
                assert!(
                    content_type.starts_with("application/json")
                        || types.iter().any(|t| content_type.starts_with(t.as_str())),
                    "{method} {path}: {status} {content_type} (documented: {types:?})"
                );
            }
            seen += 1;
        }
    }
    assert!(seen >= 30, "only {seen} operations");
}

#[tokio::test]
async fn input_that_does_not_parse_gets_the_one_error_shape() {
    let app = spawn_app().await;
    let cases = [
        (Method::GET, "/api/v1/llm/models/abc", None),
        (Method::GET, "/api/v1/llm/models?page=-1", None),
        (Method::GET, "/api/v1/llm/tests/results?success=maybe", None),
        (
            Method::POST,
            "/api/v1/llm/resolve",
            Some(json!([null, null])),
        ),
        (Method::POST, "/api/v1/llm/models", Some(json!({"name": 1}))),
        (
            Method::POST,
            "/api/v1/llm/tests/runs",
            Some(json!({"total": 1, "concurrency": 1, "scope": [null, null]})),
        ),
        (
            Method::POST,
            "/api/v1/llm/tests/runs",
            Some(json!({"total": 1, "concurrency": 1, "stop": ["never"]})),
        ),
        (
            Method::POST,
            "/api/v1/auth/login",
            Some(json!({"username": "admin"})),
        ),
    ];
    for (method, path, body) in cases {
        let mut req = app.api(method.clone(), path);
        if let Some(body) = body {
            req = req.json(&body);
        }
        let res = req.send().await.expect("request");
        assert_error_shape(res, StatusCode::UNPROCESSABLE_ENTITY, "validation").await;
    }
    let res = app
        .api(Method::POST, "/api/v1/llm/models")
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .expect("request");
    assert_error_shape(res, StatusCode::UNPROCESSABLE_ENTITY, "validation").await;
    let res = app
        .api(Method::POST, "/api/v1/llm/models")
        .header("content-type", "application/json")
        .body(vec![b' '; 3 * 1024 * 1024])
        .send()
        .await
        .expect("request");
    assert_error_shape(res, StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large").await;
}

#[tokio::test]
async fn pages_past_the_end_are_empty_not_an_error() {
    let app = spawn_app().await;
    for path in [
        "/api/v1/llm/models?page=4294967295&per_page=500",
        "/api/v1/llm/tests/results?page=4294967295&per_page=500",
    ] {
        let res = app.api(Method::GET, path).send().await.expect("request");
        assert_eq!(res.status(), StatusCode::OK, "{path}");
        let page: Value = res.json().await.expect("json");
        assert_eq!(page["items"], json!([]), "{path}");
        assert_eq!(page["page"], 4294967295u32, "{path}");
    }
}
