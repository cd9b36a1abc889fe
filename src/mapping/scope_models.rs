//! Which models a scope may use, as the resolver would route them: the
//! most specific active mapping's models that an active endpoint serves;
//! with no mapping, the global default model alone (any other requested
//! model would be routed to it). Pure, like the resolver.

use super::resolver::{requested_scopes, RouteEndpoint, RouteMapping};
use super::types::ResolveRequest;

pub fn allowed_models(
    endpoints: &[RouteEndpoint],
    mappings: &[RouteMapping],
    req: &ResolveRequest,
) -> Vec<String> {
    let served = |model: &String| {
        endpoints
            .iter()
            .any(|e| e.is_active && e.models.contains(model))
    };
    let applied = requested_scopes(req)
        .into_iter()
        .find_map(|s| mappings.iter().find(|m| m.scope == s));
    let candidates: Vec<String> = match applied {
        Some(m) => m.models.clone(),
        None => endpoints
            .iter()
            .find(|e| e.is_default && e.is_active)
            .and_then(|e| e.model.clone())
            .filter(|m| !m.is_empty())
            .into_iter()
            .collect(),
    };
    candidates.into_iter().filter(served).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mapping::resolver::resolve;
    use crate::mapping::types::Scope;

    fn ep(id: i64, models: &[&str], active: bool, default: bool) -> RouteEndpoint {
        RouteEndpoint {
            id,
            name: format!("e{id}"),
            is_active: active,
            is_default: default,
            model: models.first().map(|m| m.to_string()),
            models: models.iter().map(|m| m.to_string()).collect(),
            status: "online".into(),
            latency_ms: None,
        }
    }

    #[test]
    fn a_scope_lists_its_mappings_served_models_and_each_one_routes_to_itself() {
        let eps = [
            ep(1, &["a", "b"], true, true),
            ep(2, &["c"], true, false),
            ep(3, &["d"], false, false),
        ];
        let maps = [RouteMapping {
            scope: Scope::Tenant("acme".into()),
            models: vec!["c".into(), "a".into(), "d".into(), "ghost".into()],
            default: "c".into(),
        }];
        let acme = ResolveRequest {
            tenant: Some("acme".into()),
            ..Default::default()
        };
        let listed = allowed_models(&eps, &maps, &acme);
        assert_eq!(listed, ["c", "a"], "only what an active endpoint serves");
        for model in &listed {
            let asked = ResolveRequest {
                model: Some(model.clone()),
                ..acme.clone()
            };
            assert_eq!(&resolve(&eps, &maps, &asked).expect("route").model, model);
        }
        let other = ResolveRequest {
            tenant: Some("zeta".into()),
            ..Default::default()
        };
        assert_eq!(
            allowed_models(&eps, &maps, &other),
            ["a"],
            "the global default"
        );
        assert!(allowed_models(&[], &[], &other).is_empty());
    }
}
