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
    let (_dir, db) = crate::simulation::test_rows::store().await;
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

/// A row of `run` whose reply took `ttft` to its first token; its id.
async fn add_ttft(db: &sqlx::SqlitePool, run: &str, ttft: Option<f64>) -> i64 {
    let response = serde_json::json!({ "ttft_ms": ttft }).to_string();
    crate::simulation::test_rows::add(db, run, &response, (true, 1.0), "2026-01-01T00:00:00Z").await
}

/// The ids on pages 1 to `pages` of `per_page` rows of run-1 by TTFT.
async fn run_by_ttft(
    db: &sqlx::SqlitePool,
    orders: &super::Orders,
    ascending: bool,
    (pages, per_page): (u32, u32),
) -> Vec<i64> {
    let mut ids = Vec::new();
    for page in 1..=pages {
        let q = ResultQuery {
            run_id: Some("run-1".into()),
            sort: Some("ttft_ms".into()),
            ascending,
            page: Some(page),
            per_page: Some(per_page),
            ..ResultQuery::default()
        };
        let got = super::page(db, orders, &q).await.expect("page");
        ids.extend(got.items.iter().map(|r| r.id));
    }
    ids
}

/// Sorted by a figure inside the JSON, pages are slices of a kept order:
/// the same rows as SQLite's own sort, page after page, and a row added
/// or deleted is seen on the next page read.
#[tokio::test]
async fn kept_orders_page_like_the_sort_and_see_new_and_deleted_rows() {
    use crate::simulation::test_rows;
    let (_dir, db) = test_rows::store().await;
    let mut want: Vec<(Option<f64>, i64)> = Vec::new();
    for i in 0..23 {
        let ttft = (i % 5 != 0).then_some(f64::from((i * 7) % 11));
        want.push((ttft, add_ttft(&db, "run-1", ttft).await));
        add_ttft(&db, "run-2", Some(1000.0)).await;
    }
    // Not numbers: no figure, as SQLite's own sort of the page treats them.
    for odd in [r#"{"ttft_ms": "12"}"#, r#"{"ttft_ms": true}"#] {
        let id = test_rows::add(&db, "run-1", odd, (true, 1.0), "2026-01-01T00:00:00Z").await;
        want.push((None, id));
    }
    let orders = super::Orders::default();
    let read = |ascending: bool| run_by_ttft(&db, &orders, ascending, (7, 5));
    // Figures up (rows without one last, ties by id), and down.
    let expect = |want: &[(Option<f64>, i64)], ascending: bool| {
        let mut w = want.to_vec();
        w.sort_by(|a, b| match (a.0, b.0, ascending) {
            (Some(x), Some(y), true) => x.total_cmp(&y).then(a.1.cmp(&b.1)),
            (Some(x), Some(y), false) => y.total_cmp(&x).then(b.1.cmp(&a.1)),
            (None, None, true) => a.1.cmp(&b.1),
            (None, None, false) => b.1.cmp(&a.1),
            (Some(_), None, _) => std::cmp::Ordering::Less,
            (None, Some(_), _) => std::cmp::Ordering::Greater,
        });
        w.into_iter().map(|(_, id)| id).collect::<Vec<_>>()
    };
    assert_eq!(read(true).await, expect(&want, true));
    assert_eq!(read(false).await, expect(&want, false));
    assert_eq!(orders.len(), 1, "one order read serves both ways");
    let past_end = ResultQuery {
        run_id: Some("run-1".into()),
        sort: Some("ttft_ms".into()),
        page: Some(9),
        per_page: Some(5),
        ..ResultQuery::default()
    };
    let empty = super::page(&db, &orders, &past_end).await.expect("page");
    assert!(empty.items.is_empty());
    assert_eq!(empty.total, want.len() as i64);

    let fastest = add_ttft(&db, "run-1", Some(-1.0)).await;
    want.push((Some(-1.0), fastest));
    assert_eq!(read(true).await, expect(&want, true), "a new row is seen");
    let gone = want.remove(3).1;
    sqlx::query("DELETE FROM ai_prompt_tests WHERE id = ?1")
        .bind(gone)
        .execute(&db)
        .await
        .expect("delete");
    assert_eq!(
        read(true).await,
        expect(&want, true),
        "a deleted row is gone"
    );
}

/// A run still being written: a page read after rows were added reads only
/// those and merges them into the kept order (an old row changed behind
/// its back, which the product never does, shows it); once a row was
/// deleted, the order is read afresh.
#[tokio::test]
async fn a_growing_run_merges_its_new_rows_into_the_kept_order() {
    use crate::simulation::test_rows;
    let (_dir, db) = test_rows::store().await;
    let mut ids = Vec::new();
    for ttft in [5.0, 1.0, 3.0] {
        ids.push(add_ttft(&db, "run-1", Some(ttft)).await);
    }
    let orders = super::Orders::default();
    // A row a page: each page's rows are sorted by SQLite again.
    let page = |ascending: bool| run_by_ttft(&db, &orders, ascending, (5, 1));
    assert_eq!(page(true).await, [ids[1], ids[2], ids[0]]);
    sqlx::query("UPDATE ai_prompt_tests SET response_message = '{\"ttft_ms\": 10}' WHERE id = ?1")
        .bind(ids[1])
        .execute(&db)
        .await
        .expect("update");
    let new = add_ttft(&db, "run-1", Some(2.0)).await;
    assert_eq!(
        page(true).await,
        [ids[1], new, ids[2], ids[0]],
        "the new row merged in, the old ones not read again"
    );
    let none = test_rows::add(&db, "run-1", "{}", (true, 1.0), "2026-01-01T00:00:00Z").await;
    assert_eq!(
        page(false).await,
        [ids[0], ids[2], new, ids[1], none],
        "merged again; down, the row without the figure still last"
    );
    // A page whose count was read before the last row came: the kept order
    // without it, and the kept order stays as it is (not read again).
    let q = ResultQuery {
        run_id: Some("run-1".into()),
        sort: Some("ttft_ms".into()),
        ..ResultQuery::default()
    };
    let figure = super::json_figure(&q).expect("a figure");
    let before = (&super::Filter::of(&q), (4, Some(new)));
    let older = super::orders::slice(&orders, &db, before, (figure, true), (0, 9)).await;
    assert_eq!(older.expect("older page"), [ids[1], new, ids[2], ids[0]]);
    assert_eq!(page(true).await, [ids[1], new, ids[2], ids[0], none]);
    sqlx::query("DELETE FROM ai_prompt_tests WHERE id = ?1")
        .bind(ids[2])
        .execute(&db)
        .await
        .expect("delete");
    assert_eq!(page(true).await, [new, ids[0], ids[1], none], "read afresh");
}
