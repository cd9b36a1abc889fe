//! The order of results sorted by a figure inside each row's JSON (TTFT,
//! TTFB, queue time, TPOT). SQLite has no index on those — one per figure
//! would cost the writer most of its speed (README, "Tables at scale") —
//! so sorting by one reads every row under the filter. That order is kept
//! here: read once, then each page is a slice of it. Result rows are only
//! added (ids only grow) or deleted, never changed, so their count and
//! highest id say whether they are the same; when rows were only added (a
//! live run), just those are read and merged in.

use std::cmp::Ordering;
use std::sync::{Arc, Mutex, PoisonError};

use sqlx::SqlitePool;

use super::{bind_filter, Filter};
use crate::simulation::kept::Kept;

/// Orders kept; the least recently read leaves first.
const KEPT: usize = 8;
/// Rows one order may have to be kept; a longer one is sorted by SQLite
/// for each page.
const ROWS_KEPT: usize = 4_000_000;
/// Bytes kept in all orders together (16 a row with the figure, 8 without:
/// 64 MB, the longest order); the least recently read leave until the rest
/// fit.
const BYTES_KEPT: usize = 16 * ROWS_KEPT;

/// What the rows under a filter were when an order was read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Stamp {
    count: i64,
    last: Option<i64>,
}

impl Stamp {
    /// Whether rows were added since `self` (none deleted, if the rows up
    /// to `self.last` are still `self.count`: for the caller to check).
    fn grew_to(self, now: Stamp) -> bool {
        now.count > self.count && now.last > self.last
    }
}

/// A row with the figure: `(figure, id)`.
type Known = (f64, i64);

/// As SQLite compares (-0.0 equals 0.0; it never yields NaN), ties by id.
fn by_figure(a: &Known, b: &Known) -> Ordering {
    a.0.partial_cmp(&b.0)
        .unwrap_or(Ordering::Equal)
        .then(a.1.cmp(&b.1))
}

#[derive(Clone)]
struct Order {
    stamp: Stamp,
    /// Rows with the figure, lowest first (ties by id): with the rows
    /// without it after them by id, the ascending order; descending reads
    /// each part backwards. The figures are kept for rows merged in later.
    with: Arc<[Known]>,
    without: Arc<[i64]>,
}

impl Order {
    fn bytes(&self) -> usize {
        self.with.len() * 16 + self.without.len() * 8
    }

    /// This order with only the rows up to id `last`.
    fn up_to(&self, last: Option<i64>) -> Order {
        let keep = |id: i64| Some(id) <= last;
        let with: Arc<[Known]> = self.with.iter().filter(|k| keep(k.1)).copied().collect();
        let without: Arc<[i64]> = self
            .without
            .iter()
            .filter(|&&id| keep(id))
            .copied()
            .collect();
        Order {
            stamp: Stamp {
                count: (with.len() + without.len()) as i64,
                last,
            },
            with,
            without,
        }
    }

    /// The ids at `skip..skip + limit` of this order, up (rows without the
    /// figure last) or down (them last too, each part backwards).
    fn ids(&self, ascending: bool, skip: usize, limit: usize) -> Vec<i64> {
        let (w, n) = (self.with.len(), self.without.len());
        let end = skip.saturating_add(limit).min(w + n);
        (skip.min(end)..end)
            .map(|i| match (i < w, ascending) {
                (true, true) => self.with[i].1,
                (true, false) => self.with[w - 1 - i].1,
                (false, true) => self.without[i - w],
                (false, false) => self.without[n - 1 - (i - w)],
            })
            .collect()
    }
}

/// The sorted orders an engine keeps (shared by its clones).
#[derive(Clone)]
pub struct Orders {
    kept: Arc<Mutex<Kept<Order>>>,
    /// Held while an order is read: a second page asked for meanwhile waits
    /// for it instead of reading every row again.
    reading: Arc<tokio::sync::Mutex<()>>,
}

impl Default for Orders {
    fn default() -> Orders {
        Orders {
            kept: Arc::new(Mutex::new(Kept::new(KEPT, BYTES_KEPT, Order::bytes))),
            reading: Default::default(),
        }
    }
}

/// Whether an order of `count` rows may be kept; a longer one is sorted
/// by SQLite for each page, as a page with no index always was.
pub(super) fn keeps(count: i64) -> bool {
    usize::try_from(count).is_ok_and(|n| n <= ROWS_KEPT)
}

impl Orders {
    fn kept(&self) -> std::sync::MutexGuard<'_, Kept<Order>> {
        self.kept.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The kept order under `key`, now the most recently read.
    fn get(&self, key: &str) -> Option<Order> {
        let mut kept = self.kept();
        let order = kept.take(key)?;
        kept.put(key.to_owned(), order.clone());
        Some(order)
    }

    fn put(&self, key: String, order: Order) {
        self.kept().put(key, order);
    }

    /// How many orders are kept.
    pub fn len(&self) -> usize {
        self.kept().len()
    }

    pub fn is_empty(&self) -> bool {
        self.kept().is_empty()
    }
}

/// The rows under `filter` with `after < id <= last`, with their `figure`,
/// as an order: sorted here (no sort in SQLite). Read by id, so a run's
/// rows come through its id-ordered index in the table's own order
/// (through the latency index they would be scattered: twice as slow).
async fn read(
    db: &SqlitePool,
    filter: &Filter,
    figure: &str,
    (after, last): (Option<i64>, Option<i64>),
) -> Result<Order, sqlx::Error> {
    let condition = filter.condition();
    let rows: Vec<(i64, Option<f64>)> = bind_filter!(
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT id, CAST({figure} AS REAL) FROM ai_prompt_tests \
             WHERE {condition} AND id > ?8 AND id <= ?9 ORDER BY id"
        ))),
        filter
    )
    .bind(after.unwrap_or(i64::MIN))
    .bind(last.unwrap_or(i64::MIN))
    .fetch_all(db)
    .await?;
    let count = rows.len() as i64;
    let mut with = Vec::new();
    let mut without = Vec::new();
    for (id, value) in rows {
        match value {
            Some(v) => with.push((v, id)),
            None => without.push(id),
        }
    }
    with.sort_unstable_by(by_figure);
    Ok(Order {
        stamp: Stamp { count, last },
        with: with.into(),
        without: without.into(),
    })
}

/// `old` with `added` (all of higher ids) merged in, in one pass.
fn merge(old: Order, added: Order) -> Order {
    let (a, b) = (&old.with[..], &added.with[..]);
    let mut with = Vec::with_capacity(a.len() + b.len());
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        if by_figure(&b[j], &a[i]) == Ordering::Less {
            with.push(b[j]);
            j += 1;
        } else {
            with.push(a[i]);
            i += 1;
        }
    }
    with.extend_from_slice(&a[i..]);
    with.extend_from_slice(&b[j..]);
    Order {
        stamp: Stamp {
            count: old.stamp.count + added.stamp.count,
            last: added.stamp.last,
        },
        with: with.into(),
        without: old
            .without
            .iter()
            .chain(added.without.iter())
            .copied()
            .collect(),
    }
}

/// The order of the `stamp` rows under `filter` by `figure`: the kept one
/// when the rows are unchanged; the kept one with the rows added since
/// merged in when rows were only added; else a fresh read. Then kept.
async fn order_of(
    orders: &Orders,
    db: &SqlitePool,
    (key, filter, figure): (String, &Filter, &str),
    stamp: Stamp,
) -> Result<Order, sqlx::Error> {
    if let Some(order) = orders.get(&key).filter(|o| o.stamp == stamp) {
        return Ok(order);
    }
    let _reading = orders.reading.lock().await;
    let order = match orders.get(&key) {
        Some(kept) if kept.stamp == stamp => return Ok(kept),
        Some(kept) if kept.stamp.grew_to(stamp) => {
            let added = read(db, filter, figure, (kept.stamp.last, stamp.last)).await?;
            match kept.stamp.count + added.stamp.count == stamp.count {
                true => merge(kept, added),
                // Rows were deleted too.
                false => read(db, filter, figure, (None, stamp.last)).await?,
            }
        }
        // A page asked for before the rows another page already merged in
        // were added: the kept order without them, if that is its rows.
        Some(kept) if stamp.last < kept.stamp.last => {
            let before = kept.up_to(stamp.last);
            if before.stamp == stamp {
                return Ok(before);
            }
            read(db, filter, figure, (None, stamp.last)).await?
        }
        _ => read(db, filter, figure, (None, stamp.last)).await?,
    };
    orders.put(key, order.clone());
    Ok(order)
}

/// The ids `skip..skip + limit` of the `count` rows (the highest id
/// `last`) under `filter` sorted by `figure` (rows without it last, ties
/// by id in the same direction).
pub(super) async fn slice(
    orders: &Orders,
    db: &SqlitePool,
    (filter, (count, last)): (&Filter, (i64, Option<i64>)),
    (figure, ascending): (&str, bool),
    (skip, limit): (i64, i64),
) -> Result<Vec<i64>, sqlx::Error> {
    let key = format!("{filter:?} {figure}");
    let order = order_of(orders, db, (key, filter, figure), Stamp { count, last }).await?;
    Ok(order.ids(ascending, skip.max(0) as usize, limit.max(0) as usize))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An order of rows `ids`, each with the figure 0.
    fn order(ids: &[i64]) -> Order {
        Order {
            stamp: stamp(ids.len(), ids.iter().max().copied()),
            with: ids.iter().map(|&id| (0.0, id)).collect(),
            without: Arc::new([]),
        }
    }

    fn stamp(count: usize, last: Option<i64>) -> Stamp {
        Stamp {
            count: count as i64,
            last,
        }
    }

    /// The order kept under `key` if its rows are `stamp`'s.
    fn kept_as(orders: &Orders, key: &str, stamp: Stamp) -> Option<Order> {
        orders.get(key).filter(|o| o.stamp == stamp)
    }

    fn ids_of(order: Option<Order>) -> Option<Vec<i64>> {
        order.map(|o| o.with.iter().map(|k| k.1).collect())
    }

    #[test]
    fn an_order_is_read_back_only_while_its_rows_are_the_same() {
        let orders = Orders::default();
        orders.put("run a, ttft".into(), order(&[3, 1, 2]));
        let same = stamp(3, Some(3));
        assert_eq!(
            ids_of(kept_as(&orders, "run a, ttft", same)),
            Some(vec![3, 1, 2])
        );
        // A row added (a higher id) or deleted (one fewer): not this order.
        assert!(kept_as(&orders, "run a, ttft", stamp(4, Some(4))).is_none());
        assert!(kept_as(&orders, "run a, ttft", stamp(2, Some(3))).is_none());
        assert!(kept_as(&orders, "run b, ttft", same).is_none());
        assert!(same.grew_to(stamp(4, Some(4))));
        assert!(!same.grew_to(stamp(3, Some(4))), "one deleted, one added");
        assert!(!same.grew_to(stamp(4, Some(3))));
    }

    #[test]
    fn rows_added_merge_in_their_places() {
        let old = Order {
            stamp: stamp(4, Some(4)),
            with: vec![(1.0, 2), (2.0, 1), (2.0, 4)].into(),
            without: vec![3].into(),
        };
        let added = Order {
            stamp: stamp(4, Some(9)),
            with: vec![(0.5, 7), (2.0, 5), (9.0, 6)].into(),
            without: vec![8].into(),
        };
        let merged = merge(old, added);
        assert_eq!(merged.stamp, stamp(8, Some(9)));
        let ids: Vec<i64> = merged.with.iter().map(|k| k.1).collect();
        assert_eq!(ids, [7, 2, 1, 4, 5, 6], "ties by id");
        assert_eq!(&merged.without[..], [3, 8]);
    }

    #[test]
    fn pages_read_either_way_and_rows_added_later_can_be_left_out() {
        let order = Order {
            stamp: stamp(5, Some(5)),
            with: vec![(1.0, 4), (2.0, 1), (3.0, 2)].into(),
            without: vec![3, 5].into(),
        };
        assert_eq!(order.ids(true, 0, 10), [4, 1, 2, 3, 5]);
        assert_eq!(order.ids(false, 0, 10), [2, 1, 4, 5, 3]);
        assert_eq!(order.ids(true, 2, 2), [2, 3]);
        assert_eq!(order.ids(false, 2, 2), [4, 5]);
        assert_eq!(order.ids(true, 4, 9), [5]);
        assert!(order.ids(false, 5, 9).is_empty());
        assert!(order.ids(true, usize::MAX, usize::MAX).is_empty());
        let before = order.up_to(Some(3));
        assert_eq!(before.stamp, stamp(3, Some(3)));
        assert_eq!(before.ids(true, 0, 10), [1, 2, 3]);
    }

    #[test]
    fn the_least_recently_read_order_leaves_first() {
        let orders = Orders::default();
        for k in 0..KEPT as i64 {
            orders.put(format!("k{k}"), order(&[k]));
        }
        let first = stamp(1, Some(0));
        assert!(
            kept_as(&orders, "k0", first).is_some(),
            "k0 read again: now the newest"
        );
        orders.put("new".into(), order(&[99]));
        assert_eq!(orders.len(), KEPT);
        assert!(kept_as(&orders, "k0", first).is_some());
        assert!(kept_as(&orders, "k1", stamp(1, Some(1))).is_none());
    }

    #[test]
    fn orders_leave_until_they_fit_and_an_order_too_long_is_not_kept() {
        let orders = Orders::default();
        let half: Vec<i64> = (0..ROWS_KEPT as i64 / 2).collect();
        orders.put("a".into(), order(&half));
        orders.put("b".into(), order(&half));
        assert_eq!(orders.len(), 2);
        orders.put("c".into(), order(&[1]));
        assert_eq!(orders.len(), 2, "a, the least recently read, left");
        let stamp = stamp(half.len(), half.last().copied());
        assert!(kept_as(&orders, "a", stamp).is_none());
        assert!(kept_as(&orders, "b", stamp).is_some());
        let too_long: Vec<i64> = (0..ROWS_KEPT as i64 + 1).collect();
        orders.put("d".into(), order(&too_long));
        assert!(orders.get("d").is_none());
        assert_eq!(orders.len(), 2, "b and c stay");
    }
}
