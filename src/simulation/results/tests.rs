//! The page window and the CSV cell guard.

use super::neutralize;

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
