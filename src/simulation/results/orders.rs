//! The order of results sorted by a figure inside each row's JSON (TTFT,
//! TTFB, queue time, TPOT). SQLite has no index on those — one per figure
//! would cost the writer most of its speed (README, "Tables at scale") —
//! so sorting by one reads every row under the filter. That order is kept
//! here: read once, then each page is a slice of it, for as long as the
//! rows under the filter are the same ones. Result rows are only added
//! (ids only grow) or deleted, never changed, so their count and highest
//! id say whether they are.

use std::sync::{Arc, Mutex, PoisonError};

use sqlx::SqlitePool;

use super::{bind_filter, Filter};
use crate::simulation::kept::Kept;

/// Orders kept; the least recently read leaves first.
const KEPT: usize = 8;
/// Ids kept in all orders together (8 bytes an id: 32 MB); the least
/// recently read orders leave until the rest fit, and a longer order is
/// not kept at all.
const IDS_KEPT: usize = 4_000_000;

/// What the rows under a filter were when an order was read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Stamp {
    count: i64,
    last: Option<i64>,
}

impl Stamp {
    fn of(ids: &[i64]) -> Stamp {
        Stamp {
            count: ids.len() as i64,
            last: ids.iter().max().copied(),
        }
    }
}

struct Order {
    stamp: Stamp,
    /// Rows with the figure, lowest first (ties by id), then rows without
    /// it by id: the ascending order; descending reads each part backwards.
    ids: Arc<[i64]>,
    /// How many rows have the figure.
    known: usize,
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
            kept: Arc::new(Mutex::new(Kept::new(KEPT, IDS_KEPT, |o| o.ids.len()))),
            reading: Default::default(),
        }
    }
}

/// Whether an order of `count` rows may be kept; a longer one is sorted
/// by SQLite for each page, as a page with no index always was.
pub(super) fn keeps(count: i64) -> bool {
    usize::try_from(count).is_ok_and(|n| n <= IDS_KEPT)
}

impl Orders {
    fn kept(&self) -> std::sync::MutexGuard<'_, Kept<Order>> {
        self.kept.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The kept order under `key`, if its rows are still `stamp`'s; a
    /// stale one is dropped.
    fn get(&self, key: &str, stamp: Stamp) -> Option<(Arc<[i64]>, usize)> {
        let mut kept = self.kept();
        let order = kept.take(key).filter(|o| o.stamp == stamp)?;
        let found = (order.ids.clone(), order.known);
        kept.put(key.to_owned(), order);
        Some(found)
    }

    fn put(&self, key: String, ids: Arc<[i64]>, known: usize) {
        let stamp = Stamp::of(&ids);
        self.kept().put(key, Order { stamp, ids, known });
    }

    /// How many orders are kept.
    pub fn len(&self) -> usize {
        self.kept().len()
    }

    pub fn is_empty(&self) -> bool {
        self.kept().is_empty()
    }
}

/// Every row under `filter` with its `figure`, sorted here (one read, no
/// sort in SQLite): `(ids, known)` as an [`Order`] keeps them. Read by id,
/// so a run's rows come through its id-ordered index in the table's own
/// order (through the latency index they would be scattered: twice as slow).
async fn read(
    db: &SqlitePool,
    filter: &Filter,
    figure: &str,
) -> Result<(Vec<i64>, usize), sqlx::Error> {
    let condition = filter.condition();
    let rows: Vec<(i64, Option<f64>)> = bind_filter!(
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT id, CAST({figure} AS REAL) FROM ai_prompt_tests WHERE {condition} ORDER BY id"
        ))),
        filter
    )
    .fetch_all(db)
    .await?;
    let (mut known, mut unknown): (Vec<_>, Vec<_>) = rows.into_iter().partition(|r| r.1.is_some());
    // As SQLite compares (-0.0 equals 0.0; it never yields NaN).
    known.sort_unstable_by(|a, b| {
        a.1.partial_cmp(&b.1)
            .unwrap_or(std::cmp::Ordering::Equal)
            .then(a.0.cmp(&b.0))
    });
    unknown.sort_unstable_by_key(|r| r.0);
    let n = known.len();
    Ok((known.into_iter().chain(unknown).map(|r| r.0).collect(), n))
}

/// The ids `skip..skip + limit` of the `count` rows (the highest id
/// `last`) under `filter` sorted by `figure` (rows without it last, ties
/// by id in the same direction): from the kept order when the rows are
/// unchanged, else from a fresh read (then kept).
pub(super) async fn slice(
    orders: &Orders,
    db: &SqlitePool,
    (filter, (count, last)): (&Filter, (i64, Option<i64>)),
    (figure, ascending): (&str, bool),
    (skip, limit): (i64, i64),
) -> Result<Vec<i64>, sqlx::Error> {
    let key = format!("{filter:?} {figure}");
    let stamp = Stamp { count, last };
    let (ids, known) = match orders.get(&key, stamp) {
        Some(found) => found,
        None => {
            let _reading = orders.reading.lock().await;
            match orders.get(&key, stamp) {
                Some(found) => found,
                None => {
                    let (ids, known) = read(db, filter, figure).await?;
                    let ids: Arc<[i64]> = ids.into();
                    orders.put(key, ids.clone(), known);
                    (ids, known)
                }
            }
        }
    };
    let (skip, limit) = (skip.max(0) as usize, limit.max(0) as usize);
    let (with, without) = ids.split_at(known.min(ids.len()));
    Ok(match ascending {
        true => with
            .iter()
            .chain(without)
            .skip(skip)
            .take(limit)
            .copied()
            .collect(),
        false => with
            .iter()
            .rev()
            .chain(without.iter().rev())
            .skip(skip)
            .take(limit)
            .copied()
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(v: &[i64]) -> Arc<[i64]> {
        v.to_vec().into()
    }

    #[test]
    fn an_order_is_read_back_only_while_its_rows_are_the_same() {
        let orders = Orders::default();
        orders.put("run a, ttft".into(), ids(&[3, 1, 2]), 3);
        let same = Stamp {
            count: 3,
            last: Some(3),
        };
        assert_eq!(
            orders.get("run a, ttft", same).map(|(ids, _)| ids.to_vec()),
            Some(vec![3, 1, 2])
        );
        // A row added (a higher id) or deleted (one fewer): read again.
        let added = Stamp {
            count: 4,
            last: Some(4),
        };
        assert!(orders.get("run a, ttft", added).is_none());
        assert!(orders.is_empty(), "a stale order is dropped");
        orders.put("run a, ttft".into(), ids(&[3, 1, 2]), 3);
        let deleted = Stamp {
            count: 2,
            last: Some(3),
        };
        assert!(orders.get("run a, ttft", deleted).is_none());
        assert!(orders.get("run b, ttft", same).is_none());
    }

    #[test]
    fn the_least_recently_read_order_leaves_first() {
        let orders = Orders::default();
        for k in 0..KEPT as i64 {
            orders.put(format!("k{k}"), ids(&[k]), 1);
        }
        let first = Stamp {
            count: 1,
            last: Some(0),
        };
        assert!(
            orders.get("k0", first).is_some(),
            "k0 read again: now the newest"
        );
        orders.put("new".into(), ids(&[99]), 1);
        assert_eq!(orders.len(), KEPT);
        assert!(orders.get("k0", first).is_some());
        assert!(orders
            .get(
                "k1",
                Stamp {
                    count: 1,
                    last: Some(1)
                }
            )
            .is_none());
    }

    #[test]
    fn orders_leave_until_their_ids_fit_and_an_order_too_long_is_not_kept() {
        let orders = Orders::default();
        let half: Arc<[i64]> = (0..IDS_KEPT as i64 / 2).collect::<Vec<_>>().into();
        orders.put("a".into(), half.clone(), half.len());
        orders.put("b".into(), half.clone(), half.len());
        assert_eq!(orders.len(), 2);
        orders.put("c".into(), ids(&[1]), 1);
        assert_eq!(orders.len(), 2, "a, the least recently read, left");
        let stamp = Stamp::of(&half);
        assert!(orders.get("a", stamp).is_none());
        assert!(orders.get("b", stamp).is_some());
        let too_long: Arc<[i64]> = (0..IDS_KEPT as i64 + 1).collect::<Vec<_>>().into();
        orders.put("d".into(), too_long.clone(), 0);
        assert!(orders.get("d", Stamp::of(&too_long)).is_none());
    }
}
