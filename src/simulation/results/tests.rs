//! The page window, the latency orders' plans and the CSV cell guard.

use super::neutralize;
use crate::simulation::types::ResultQuery;

#[test]
fn far_pages_are_read_from_the_other_end() {
    use super::window;
    assert_eq!(window("id DESC", 1000, 1, 50), ("id DESC".into(), 50, 0));
    assert_eq!(window("id DESC", 1000, 10, 50), ("id DESC".into(), 50, 450));
    assert_eq!(window("id DESC", 1000, 20, 50), ("id ASC".into(), 50, 0));
    assert_eq!(window("id ASC", 1000, 19, 50), ("id DESC".into(), 50, 50));
    assert_eq!(window("id ASC", 1010, 21, 50), ("id DESC".into(), 10, 0));
    assert_eq!(window("id ASC", 1000, 30, 50), ("id ASC".into(), 50, 1450));
    let by_latency = "latency_ms DESC, id DESC";
    assert_eq!(
        window(by_latency, 1000, 20, 50),
        (by_latency.into(), 50, 950)
    );
}

#[test]
fn formula_cells_are_neutralized() {
    assert_eq!(neutralize("=SUM(A1)"), "'=SUM(A1)");
    assert_eq!(neutralize("+1"), "'+1");
    assert_eq!(neutralize("-2"), "'-2");
    assert_eq!(neutralize("@cmd"), "'@cmd");
    assert_eq!(neutralize("plain"), "plain");
}

/// Sorted by latency, a run's page and every row's page are read from an
/// index, not sorted (SQLite's own plan says so).
#[tokio::test]
async fn latency_orders_walk_an_index_instead_of_sorting() {
    use sqlx::Row;
    let dir = tempfile::tempdir().expect("dir");
    let db = crate::storage::open_sqlite(&dir.path().join("t.db"))
        .await
        .expect("db");
    for (run, ascending) in [(true, false), (true, true), (false, false), (false, true)] {
        let q = ResultQuery {
            run_id: run.then(|| "run-1".to_owned()),
            sort: Some("latency_ms".into()),
            ascending,
            ..ResultQuery::default()
        };
        let condition = super::Filter::of(&q).condition();
        let sql = super::page_ids(&condition, &super::sort_by(&q).expect("sort"));
        let plan: Vec<String> =
            sqlx::query(sqlx::AssertSqlSafe(format!("EXPLAIN QUERY PLAN {sql}")))
                .fetch_all(&db)
                .await
                .expect("plan")
                .iter()
                .map(|r| r.get("detail"))
                .collect();
        let index = if run {
            "idx_ai_prompt_tests_run_latency"
        } else {
            "idx_ai_prompt_tests_latency"
        };
        assert!(
            plan.iter().any(|d| d.contains(index)),
            "run={run} ascending={ascending}: {plan:?}"
        );
        assert!(
            !plan.iter().any(|d| d.contains("TEMP B-TREE")),
            "run={run} ascending={ascending}: {plan:?}"
        );
    }
}
