//! What the server keeps between requests to spare SQLite a full read (the
//! sorted result orders, runs' timelines): a few entries by key, the least
//! recently used leaving first, and no more than a total size.

use std::collections::VecDeque;

pub struct Kept<T> {
    entries: VecDeque<(String, T)>,
    /// Entries kept at most.
    most: usize,
    /// Their sizes together at most; a larger entry is not kept at all.
    size_most: usize,
    size: fn(&T) -> usize,
}

impl<T> Kept<T> {
    pub fn new(most: usize, size_most: usize, size: fn(&T) -> usize) -> Kept<T> {
        Kept {
            entries: VecDeque::new(),
            most,
            size_most,
            size,
        }
    }

    /// Takes the entry under `key` out; [`Kept::put`] keeps it again.
    pub fn take(&mut self, key: &str) -> Option<T> {
        let at = self.entries.iter().position(|(k, _)| k == key)?;
        self.entries.remove(at).map(|(_, v)| v)
    }

    /// Keeps `value` under `key` as the most recently used; the least
    /// recently used leave until the rest fit.
    pub fn put(&mut self, key: String, value: T) {
        self.entries.retain(|(k, _)| *k != key);
        if (self.size)(&value) > self.size_most {
            return;
        }
        self.entries.push_front((key, value));
        self.entries.truncate(self.most);
        while self
            .entries
            .iter()
            .map(|(_, v)| (self.size)(v))
            .sum::<usize>()
            > self.size_most
        {
            self.entries.pop_back();
        }
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}
