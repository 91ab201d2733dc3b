//! Arithmetic on values an archive declares (sizes, offsets, counts, lengths): the helpers that
//! make "never wrap, never panic" short to write. `clippy::arithmetic_side_effects` is denied
//! crate-wide (lib.rs); modules also opt in to `clippy::cast_possible_truncation`. Use these (or
//! `checked_*` / `saturating_*` directly) instead of `+`, `-`, `*`, `.sum()` and `as usize`; where
//! arithmetic is provably bounded, `#[expect(clippy::arithmetic_side_effects, reason = "…")]` on
//! the smallest item says why.
//!
//! Saturating is the right answer where the result is a figure for people (an estimate, a
//! total, a count in a message): `u64::MAX` is then "at least this much", and a report field
//! that saturated says so. Where a wrong position would read the wrong bytes, use `checked_*`
//! and treat `None` as the finding it is.

#![deny(clippy::arithmetic_side_effects, clippy::cast_possible_truncation)]

/// Integers that add without wrapping.
pub(crate) trait Saturating: Copy {
    /// Zero.
    const ZERO: Self;
    /// `self + other`, or the type's maximum.
    fn add_sat(self, other: Self) -> Self;
    /// `self + other`, or `None` past the type's maximum.
    fn add_checked(self, other: Self) -> Option<Self>;
}

macro_rules! saturating {
    ($($t:ty),*) => {$(
        impl Saturating for $t {
            const ZERO: Self = 0;
            fn add_sat(self, other: Self) -> Self {
                self.saturating_add(other)
            }
            fn add_checked(self, other: Self) -> Option<Self> {
                self.checked_add(other)
            }
        }
    )*};
}
saturating!(u32, u64, usize);

/// Sums over iterators that neither wrap nor panic.
pub(crate) trait SaturatingSum: Iterator + Sized
where
    Self::Item: Saturating,
{
    /// The sum, or the type's maximum when it would overflow (`u64::MAX` reads "at least").
    fn saturating_sum(self) -> Self::Item {
        self.fold(Self::Item::ZERO, Saturating::add_sat)
    }

    /// The sum, or `None` when it would overflow (to tell that a saturated figure saturated).
    fn checked_sum(mut self) -> Option<Self::Item> {
        self.try_fold(Self::Item::ZERO, Saturating::add_checked)
    }
}

impl<I: Iterator> SaturatingSum for I where I::Item: Saturating {}

/// An archive value as a length or index: `usize::MAX` when it does not fit (values of 4 GiB and
/// more on wasm32), so `.min(buffer)` and `get(..)` stay correct where `as usize` would truncate.
pub(crate) fn to_usize(v: u64) -> usize {
    usize::try_from(v).unwrap_or(usize::MAX)
}

/// A length as a `u64` (lossless: `usize` is at most 64 bits on every target this builds for).
pub(crate) fn to_u64(v: usize) -> u64 {
    u64::try_from(v).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sums_saturate_instead_of_wrapping() {
        assert_eq!([1u64, 2, 3].into_iter().saturating_sum(), 6);
        assert_eq!([u64::MAX / 2 + 7, u64::MAX / 2 + 9].into_iter().saturating_sum(), u64::MAX);
        assert_eq!([u64::MAX - 1, 1].into_iter().saturating_sum(), u64::MAX);
        assert_eq!([u64::MAX - 1, 1].into_iter().checked_sum(), Some(u64::MAX));
        assert_eq!([u64::MAX, 1].into_iter().checked_sum(), None);
        assert_eq!(std::iter::empty::<usize>().saturating_sum(), 0);
        assert_eq!([u32::MAX, 1].into_iter().saturating_sum(), u32::MAX);
    }

    #[test]
    fn conversions_saturate_on_small_targets() {
        assert_eq!(to_usize(5), 5);
        assert_eq!(to_u64(5), 5);
        let big = u64::from(u32::MAX) + 1;
        match usize::try_from(big) {
            Ok(fits) => assert_eq!(to_usize(big), fits),
            Err(_) => assert_eq!(to_usize(big), usize::MAX),
        }
    }
}
