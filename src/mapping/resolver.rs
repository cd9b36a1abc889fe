//! The resolver: scope (+ requested model) → model → endpoint, with the
//! reasons. Pure, so property tests can throw any catalog at it.
//!
//! Model: the most specific active mapping wins (prompt > tenant > module >
//! global); the requested model only if that mapping allows it, else its
//! default; with no mapping, the global default endpoint's `model`.
//! Endpoint: active and serving the model; online first, then the global
//! default endpoint, then the lowest latency.

use std::cmp::Ordering;

use super::msg::{Placed, Reason};
use super::types::{Candidate, Resolution, ResolveRequest, Scope};
use crate::monitor::health::health_rank;

#[derive(Clone, Debug, PartialEq)]
pub struct RouteEndpoint {
    pub id: i64,
    pub name: String,
    pub is_active: bool,
    pub is_default: bool,
    pub model: Option<String>,
    pub models: Vec<String>,
    pub status: String,
    pub latency_ms: Option<f64>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct RouteMapping {
    pub scope: Scope,
    pub models: Vec<String>,
    pub default: String,
}

#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("no route: {reason}")]
pub struct NoRoute {
    pub reason: Box<Reason>,
    pub reasons: Vec<Reason>,
}

/// The scopes a request names, most specific first, then `global`.
pub fn requested_scopes(req: &ResolveRequest) -> Vec<Scope> {
    let mut scopes = Vec::new();
    if let Some(id) = req.prompt_id {
        scopes.push(Scope::Prompt(id));
    }
    if let Some(t) = req.tenant.as_deref().filter(|t| !t.is_empty()) {
        scopes.push(Scope::Tenant(t.to_owned()));
    }
    if let Some(m) = req.module.as_deref().filter(|m| !m.is_empty()) {
        scopes.push(Scope::Module(m.to_owned()));
    }
    scopes.push(Scope::Global);
    scopes
}

/// `mappings` are the active ones only.
pub fn resolve(
    endpoints: &[RouteEndpoint],
    mappings: &[RouteMapping],
    req: &ResolveRequest,
) -> Result<Resolution, NoRoute> {
    let mut reasons = Vec::new();
    let requested = req
        .model
        .as_deref()
        .map(str::trim)
        .filter(|m| !m.is_empty());
    let mut applied = None;
    for scope in requested_scopes(req) {
        match mappings.iter().find(|m| m.scope == scope) {
            Some(m) => {
                reasons.push(Reason::Applies {
                    scope: scope.name(),
                });
                applied = Some(m);
                break;
            }
            None => reasons.push(Reason::NoMapping {
                scope: scope.name(),
            }),
        }
    }

    let model = match (applied, requested) {
        (Some(m), Some(r)) if m.models.iter().any(|x| x == r) => {
            reasons.push(Reason::Allowed {
                model: r.to_owned(),
                scope: m.scope.name(),
            });
            r.to_owned()
        }
        (Some(m), Some(r)) => {
            reasons.push(Reason::NotAllowed {
                model: r.to_owned(),
                scope: m.scope.name(),
                default: m.default.clone(),
            });
            m.default.clone()
        }
        (Some(m), None) => {
            reasons.push(Reason::NoneRequested {
                scope: m.scope.name(),
                default: m.default.clone(),
            });
            m.default.clone()
        }
        (None, requested) => {
            let default = endpoints.iter().find(|e| e.is_default && e.is_active);
            let Some(model) = default
                .and_then(|e| e.model.clone())
                .filter(|m| !m.is_empty())
            else {
                let reason = Reason::NoGlobalDefault;
                reasons.push(reason.clone());
                return Err(NoRoute {
                    reason: Box::new(reason),
                    reasons,
                });
            };
            match requested {
                Some(r) if r != model => reasons.push(Reason::GlobalNotAllowed {
                    model: r.to_owned(),
                    default: model.clone(),
                }),
                _ => reasons.push(Reason::GlobalDefault {
                    model: model.clone(),
                }),
            }
            model
        }
    };

    let mut candidates: Vec<&RouteEndpoint> = endpoints
        .iter()
        .filter(|e| e.is_active && e.models.contains(&model))
        .collect();
    if candidates.is_empty() {
        let reason = Reason::NoEndpoint {
            model: model.clone(),
        };
        reasons.push(reason.clone());
        return Err(NoRoute {
            reason: Box::new(reason),
            reasons,
        });
    }
    candidates.sort_by(|a, b| preference(a, b));
    let chosen = candidates[0];
    reasons.push(Reason::Chose {
        count: candidates.len(),
        model: model.clone(),
        endpoint: chosen.name.clone(),
        status: chosen.status.clone(),
        is_default: chosen.is_default,
        latency_ms: chosen.latency_ms,
    });
    Ok(Resolution {
        model,
        endpoint_id: chosen.id,
        endpoint_name: chosen.name.clone(),
        scope: applied.map(|m| m.scope.name()),
        reasons,
        candidates: candidates
            .iter()
            .enumerate()
            .map(|(i, e)| Candidate {
                endpoint_id: e.id,
                endpoint_name: e.name.clone(),
                status: e.status.clone(),
                is_default: e.is_default,
                latency_ms: e.latency_ms,
                placed: placed(e, candidates.get(i + 1).copied(), candidates.len()),
            })
            .collect(),
    })
}

/// What puts `e` ahead of `next` (the key [`preference`] decided on).
fn placed(e: &RouteEndpoint, next: Option<&RouteEndpoint>, count: usize) -> Placed {
    let Some(next) = next else {
        return if count == 1 {
            Placed::Only
        } else {
            Placed::Last
        };
    };
    if health_rank(&e.status) != health_rank(&next.status) {
        return Placed::Healthier {
            status: e.status.clone(),
            next: next.status.clone(),
        };
    }
    if e.is_default != next.is_default {
        return Placed::Default;
    }
    match (e.latency_ms, next.latency_ms) {
        (Some(ms), other) if other.is_none_or(|n| ms < n) => Placed::Faster { ms, next: other },
        _ => Placed::AddedFirst,
    }
}

/// Healthier first (online, not yet checked, degraded, offline), then the
/// global default, then the fastest.
fn preference(a: &RouteEndpoint, b: &RouteEndpoint) -> Ordering {
    health_rank(&a.status)
        .cmp(&health_rank(&b.status))
        .then_with(|| b.is_default.cmp(&a.is_default))
        .then_with(|| {
            let l = |e: &RouteEndpoint| e.latency_ms.unwrap_or(f64::INFINITY);
            l(a).partial_cmp(&l(b)).unwrap_or(Ordering::Equal)
        })
        .then_with(|| a.id.cmp(&b.id))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn ep(
        id: i64,
        models: &[&str],
        status: &str,
        default: bool,
        latency: Option<f64>,
    ) -> RouteEndpoint {
        RouteEndpoint {
            id,
            name: format!("e{id}"),
            is_active: true,
            is_default: default,
            model: models.first().map(|m| m.to_string()),
            models: models.iter().map(|m| m.to_string()).collect(),
            status: status.into(),
            latency_ms: latency,
        }
    }

    fn tenant(key: &str, models: &[&str], default: &str) -> RouteMapping {
        RouteMapping {
            scope: Scope::Tenant(key.into()),
            models: models.iter().map(|m| m.to_string()).collect(),
            default: default.into(),
        }
    }

    #[test]
    fn most_specific_mapping_wins_and_disallowed_models_fall_back_to_its_default() {
        let eps = [
            ep(1, &["a", "b"], "online", true, Some(10.0)),
            ep(2, &["c"], "online", false, Some(5.0)),
        ];
        let maps = [
            tenant("acme", &["b", "c"], "c"),
            RouteMapping {
                scope: Scope::Global,
                models: vec!["a".into()],
                default: "a".into(),
            },
        ];
        let req = ResolveRequest {
            tenant: Some("acme".into()),
            model: Some("a".into()),
            ..Default::default()
        };
        let r = resolve(&eps, &maps, &req).expect("route");
        assert_eq!((r.model.as_str(), r.endpoint_id), ("c", 2));
        assert!(
            r.reasons
                .iter()
                .any(|x| matches!(x, Reason::NotAllowed { .. })),
            "{:?}",
            r.reasons
        );
        let allowed = ResolveRequest {
            model: Some("b".into()),
            ..req.clone()
        };
        assert_eq!(resolve(&eps, &maps, &allowed).expect("route").model, "b");
        let other = ResolveRequest {
            tenant: Some("zeta".into()),
            ..req
        };
        assert_eq!(
            resolve(&eps, &maps, &other)
                .expect("route")
                .scope
                .as_deref(),
            Some("global")
        );
    }

    #[test]
    fn endpoint_choice_prefers_online_then_default_then_latency() {
        let eps = [
            ep(1, &["m"], "offline", true, Some(1.0)),
            ep(2, &["m"], "online", false, Some(50.0)),
            ep(3, &["m"], "online", false, Some(20.0)),
        ];
        let req = ResolveRequest::default();
        assert_eq!(resolve(&eps, &[], &req).expect("route").endpoint_id, 3);
        let eps2 = [
            ep(1, &["m"], "online", true, Some(90.0)),
            ep(3, &["m"], "online", false, Some(20.0)),
        ];
        assert_eq!(resolve(&eps2, &[], &req).expect("route").endpoint_id, 1);
    }

    #[test]
    fn each_candidate_says_what_puts_it_ahead_of_the_next() {
        let eps = [
            ep(1, &["m"], "offline", true, Some(1.0)),
            ep(2, &["m"], "online", false, Some(50.0)),
            ep(3, &["m"], "online", false, Some(20.0)),
            ep(4, &["m"], "degraded", false, Some(9.0)),
            ep(5, &["m"], "degraded", false, Some(9.0)),
        ];
        let r = resolve(&eps, &[], &ResolveRequest::default()).expect("route");
        let order: Vec<(i64, Placed)> = r
            .candidates
            .iter()
            .map(|c| (c.endpoint_id, c.placed.clone()))
            .collect();
        assert_eq!(
            order,
            [
                (
                    3,
                    Placed::Faster {
                        ms: 20.0,
                        next: Some(50.0)
                    }
                ),
                (
                    2,
                    Placed::Healthier {
                        status: "online".into(),
                        next: "degraded".into()
                    }
                ),
                (4, Placed::AddedFirst),
                (
                    5,
                    Placed::Healthier {
                        status: "degraded".into(),
                        next: "offline".into()
                    }
                ),
                (1, Placed::Last),
            ]
        );
        let two = [
            ep(1, &["m"], "online", true, Some(90.0)),
            ep(2, &["m"], "online", false, Some(5.0)),
        ];
        let r = resolve(&two, &[], &ResolveRequest::default()).expect("route");
        assert_eq!(r.candidates[0].placed, Placed::Default);
        let one = [ep(1, &["m"], "unknown", true, None)];
        let r = resolve(&one, &[], &ResolveRequest::default()).expect("route");
        assert_eq!(r.candidates[0].placed, Placed::Only);
    }

    #[test]
    fn a_degraded_endpoint_comes_before_an_offline_one_whatever_its_latency() {
        let eps = [
            ep(1, &["m"], "offline", true, Some(1.0)),
            ep(2, &["m"], "degraded", false, Some(90.0)),
        ];
        let req = ResolveRequest::default();
        assert_eq!(resolve(&eps, &[], &req).expect("route").endpoint_id, 2);
        let eps = [
            ep(1, &["m"], "degraded", true, Some(1.0)),
            ep(2, &["m"], "unknown", false, Some(90.0)),
        ];
        assert_eq!(resolve(&eps, &[], &req).expect("route").endpoint_id, 2);
    }

    #[test]
    fn no_route_names_what_is_missing() {
        let err = resolve(&[], &[], &ResolveRequest::default()).unwrap_err();
        assert_eq!(*err.reason, Reason::NoGlobalDefault);
        let maps = [tenant("acme", &["x"], "x")];
        let eps = [ep(1, &["a"], "online", true, None)];
        let req = ResolveRequest {
            tenant: Some("acme".into()),
            ..Default::default()
        };
        assert!(resolve(&eps, &maps, &req)
            .unwrap_err()
            .reason
            .to_string()
            .contains("`x`"));
    }

    fn arb_endpoint() -> impl Strategy<Value = RouteEndpoint> {
        let model = prop::sample::select(vec!["a", "b", "c", "d"]);
        (
            1i64..20,
            any::<bool>(),
            any::<bool>(),
            prop::collection::vec(model, 0..4),
            prop::sample::select(vec!["online", "offline", "degraded", "unknown"]),
            prop::option::of(1.0f64..500.0),
        )
            .prop_map(
                |(id, active, default, models, status, latency)| RouteEndpoint {
                    id,
                    name: format!("e{id}"),
                    is_active: active,
                    is_default: default,
                    model: models.first().map(|m| m.to_string()),
                    models: models.iter().map(|m| m.to_string()).collect(),
                    status: status.into(),
                    latency_ms: latency,
                },
            )
    }

    fn arb_mapping() -> impl Strategy<Value = RouteMapping> {
        let scope = prop_oneof![
            Just(Scope::Global),
            (1i64..3).prop_map(Scope::Prompt),
            prop::sample::select(vec!["acme", "zeta"]).prop_map(|k| Scope::Tenant(k.into())),
            prop::sample::select(vec!["coach", "chat"]).prop_map(|k| Scope::Module(k.into())),
        ];
        (
            scope,
            prop::collection::vec(prop::sample::select(vec!["a", "b", "c", "d"]), 1..3),
        )
            .prop_map(|(scope, models)| {
                let models: Vec<String> = models.iter().map(|m| m.to_string()).collect();
                RouteMapping {
                    scope,
                    default: models[0].clone(),
                    models,
                }
            })
    }

    fn arb_request() -> impl Strategy<Value = ResolveRequest> {
        (
            prop::option::of(1i64..3),
            prop::option::of(prop::sample::select(vec!["acme", "zeta"])),
            prop::option::of(prop::sample::select(vec!["coach", "chat"])),
            prop::option::of(prop::sample::select(vec!["a", "b", "c", "d", "z"])),
        )
            .prop_map(|(prompt_id, tenant, module, model)| ResolveRequest {
                prompt_id,
                tenant: tenant.map(str::to_owned),
                module: module.map(str::to_owned),
                model: model.map(str::to_owned),
            })
    }

    proptest! {
        #[test]
        fn any_route_is_allowed_and_never_a_disabled_endpoint(
            eps in prop::collection::vec(arb_endpoint(), 0..6),
            maps in prop::collection::vec(arb_mapping(), 0..6),
            req in arb_request(),
        ) {
            match resolve(&eps, &maps, &req) {
                Ok(r) => {
                    prop_assert_eq!(r.candidates.first().map(|c| c.endpoint_id), Some(r.endpoint_id));
                    let serving = eps.iter().filter(|e| e.is_active && e.models.contains(&r.model)).count();
                    prop_assert_eq!(r.candidates.len(), serving, "every active endpoint serving the model is a candidate");
                    prop_assert!(r.candidates.windows(2).all(|w| health_rank(&w[0].status) <= health_rank(&w[1].status)), "healthier first");
                    let chosen = eps.iter().find(|e| e.id == r.endpoint_id).expect("chosen endpoint exists");
                    prop_assert!(eps.iter().any(|e| e.id == r.endpoint_id && e.is_active && e.models.contains(&r.model)));
                    prop_assert!(chosen.is_active || eps.iter().filter(|e| e.id == r.endpoint_id).any(|e| e.is_active));
                    let applied = requested_scopes(&req).into_iter().find_map(|s| maps.iter().find(|m| m.scope == s));
                    match applied {
                        Some(m) => prop_assert!(m.models.contains(&r.model)),
                        None => prop_assert!(eps.iter().any(|e| e.is_default && e.is_active && e.model.as_deref() == Some(r.model.as_str()))),
                    }
                }
                Err(e) => prop_assert!(!e.reason.to_string().is_empty()),
            }
        }
    }
}
