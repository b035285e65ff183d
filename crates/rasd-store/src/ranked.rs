//! Items in rank order, sorted a chunk at a time as they are taken.
//!
//! A page of results needs the first few items of an order over many (every match of a
//! search, every partner of an entity). Sorting them all, or making a heap of them, costs as
//! much as the rest of the request; a selection of the next chunk costs one pass over what is
//! left, and a reader that stops after a page pays for one chunk.

use std::cmp::Ordering;

/// The items of a slice in the order of `order` (least first), selected `chunk` at a time.
pub struct Ranked<'a, T, F> {
    rest: &'a mut [T],
    /// How many of `rest`'s first items are sorted and next in order.
    ready: usize,
    chunk: usize,
    order: F,
}

impl<'a, T, F> Ranked<'a, T, F>
where
    T: Copy,
    F: FnMut(&T, &T) -> Ordering,
{
    /// Ranks `items` (reordering them in place) `chunk` at a time; `chunk` is at least 1.
    pub fn new(items: &'a mut [T], chunk: usize, order: F) -> Self {
        Ranked {
            rest: items,
            ready: 0,
            chunk: chunk.max(1),
            order,
        }
    }
}

impl<'a, T, F> Iterator for Ranked<'a, T, F>
where
    T: Copy,
    F: FnMut(&T, &T) -> Ordering,
{
    type Item = T;

    fn next(&mut self) -> Option<T> {
        if self.rest.is_empty() {
            return None;
        }
        if self.ready == 0 {
            let chunk = self.chunk.min(self.rest.len());
            if chunk < self.rest.len() {
                self.rest.select_nth_unstable_by(chunk - 1, &mut self.order);
            }
            self.rest[..chunk].sort_unstable_by(&mut self.order);
            self.ready = chunk;
        }
        let rest = std::mem::take(&mut self.rest);
        let (first, tail) = rest.split_first_mut()?;
        self.rest = tail;
        self.ready -= 1;
        Some(*first)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gives_every_item_in_order_whatever_the_chunk() {
        let items: Vec<u32> = (0..1000).map(|i| (i * 7919) % 1009).collect();
        let mut sorted = items.clone();
        sorted.sort_unstable_by(|a, b| b.cmp(a));
        for chunk in [1, 3, 64, 128, 5000] {
            let mut copy = items.clone();
            let got: Vec<u32> =
                Ranked::new(&mut copy, chunk, |a: &u32, b: &u32| b.cmp(a)).collect();
            assert_eq!(got, sorted, "chunk {chunk}");
        }
        assert_eq!(Ranked::new(&mut [] as &mut [u32], 8, u32::cmp).next(), None);
    }
}
