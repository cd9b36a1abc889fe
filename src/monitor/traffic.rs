//! What the chat path did per endpoint: requests, errors and latency, fed
//! by every proxied call. Kept in memory (it restarts with the process) and
//! shown by the dashboard and `/metrics`.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use serde::Serialize;

#[derive(Clone, Debug, Default, Serialize, PartialEq)]
pub struct EndpointTraffic {
    pub requests: u64,
    pub errors: u64,
    pub total_latency_ms: f64,
    pub last_status: Option<u16>,
}

#[derive(Clone, Default)]
pub struct Traffic {
    inner: Arc<Mutex<BTreeMap<i64, EndpointTraffic>>>,
}

impl Traffic {
    pub fn record(&self, endpoint_id: i64, status: Option<u16>, ok: bool, latency_ms: f64) {
        super::metrics::chat_request(endpoint_id, ok, latency_ms / 1000.0);
        if let Ok(mut map) = self.inner.lock() {
            let entry = map.entry(endpoint_id).or_default();
            entry.requests += 1;
            if !ok {
                entry.errors += 1;
            }
            entry.total_latency_ms += latency_ms;
            entry.last_status = status;
        }
    }

    pub fn snapshot(&self) -> BTreeMap<i64, EndpointTraffic> {
        self.inner.lock().map(|m| m.clone()).unwrap_or_default()
    }
}
