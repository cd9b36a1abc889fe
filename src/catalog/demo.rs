//! The demo endpoint `make run` gets: one entry pointing at the built-in
//! upstream simulator, added only when the catalog is empty.

use super::service::Catalog;
use super::types::{Endpoint, EndpointDraft, ListQuery};
use crate::error::AppError;

pub async fn seed_if_empty(
    catalog: &Catalog,
    base_url: &str,
) -> Result<Option<Endpoint>, AppError> {
    let existing = catalog
        .list(&ListQuery {
            per_page: Some(1),
            ..Default::default()
        })
        .await?;
    if existing.total > 0 {
        return Ok(None);
    }
    let draft = EndpointDraft {
        name: "Demo simulator".into(),
        base_url: base_url.to_owned(),
        api_key: None,
        description: Some(
            "The built-in OpenAI-compatible simulator (model-suite upstream-sim)".into(),
        ),
        model: Some("sim-small".into()),
        model_list: vec!["sim-small".into(), "sim-large".into()],
        timeout: 30,
        is_active: true,
        updated_at: None,
    };
    catalog.create("system", draft).await.map(Some)
}
