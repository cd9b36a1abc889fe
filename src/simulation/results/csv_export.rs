//! A result row as one CSV line: the columns an export carries, and cells
//! a spreadsheet would run as formulas made inert.

use crate::simulation::types::ResultRow;

/// A CSV cell that a spreadsheet would run as a formula gets a leading `'`.
pub fn neutralize(cell: &str) -> String {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}")
    } else {
        cell.to_owned()
    }
}

pub(super) const CSV_HEADER: [&str; 22] = [
    "id",
    "run_id",
    "seq",
    "user",
    "model",
    "endpoint_id",
    "routed",
    "success",
    "status",
    "latency_ms",
    "ttft_ms",
    "queue_ms",
    "error_kind",
    "error",
    "created_at",
    "attempts",
    "failed_attempts",
    "ttfb_ms",
    "output_tokens",
    "output_tokens_estimated",
    "tpot_ms",
    "itl_ms",
];

pub(super) fn csv_line(fields: &[String]) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let cells: Vec<String> = fields.iter().map(|f| neutralize(f)).collect();
    if let Err(e) = w.write_record(&cells) {
        tracing::error!(error = %e, "csv encoding failed");
    }
    w.into_inner().unwrap_or_default()
}

pub(super) fn csv_fields(r: &ResultRow) -> Vec<String> {
    let o = |v: Option<String>| v.unwrap_or_default();
    vec![
        r.id.to_string(),
        o(r.run_id.clone()),
        o(r.seq.map(|s| s.to_string())),
        o(r.user.clone()),
        o(r.model.clone()),
        o(r.endpoint_id.map(|e| e.to_string())),
        r.endpoint_id.is_some().to_string(),
        r.success.to_string(),
        o(r.status.map(|s| s.to_string())),
        o(r.latency_ms.map(|v| format!("{v:.3}"))),
        o(r.ttft_ms.map(|v| format!("{v:.3}"))),
        o(r.queue_ms.map(|v| format!("{v:.3}"))),
        o(r.error_kind.clone()),
        o(r.error.clone()),
        o(r.created_at.clone()),
        o(r.attempts.map(|n| n.to_string())),
        o(r.failed_attempts.clone()),
        o(r.ttfb_ms.map(|v| format!("{v:.3}"))),
        o(r.output_tokens.map(|n| n.to_string())),
        o(r.output_tokens_estimated.map(|e| e.to_string())),
        o(r.tpot_ms.map(|v| format!("{v:.3}"))),
        // The gaps as a JSON array in one cell (`[5.1,4.98]`).
        o(r.itl_ms
            .as_ref()
            .and_then(|g| serde_json::to_string(g).ok())),
    ]
}
