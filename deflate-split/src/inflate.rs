//! The block decoder, generic over where its output goes (nowhere, bytes, or marker symbols).

use crate::bits::Bits;
use crate::huffman::{DIST_BITS, INVALID, LIT_BITS, Tables, fixed, lookup, read_dynamic};
use crate::{MARKER_BASE, SpecError, WINDOW};

/// (base, extra bits) of length symbols 257..=285.
#[rustfmt::skip]
const LENGTHS: [(u16, u8); 29] = [
    (3, 0), (4, 0), (5, 0), (6, 0), (7, 0), (8, 0), (9, 0), (10, 0), (11, 1), (13, 1), (15, 1), (17, 1),
    (19, 2), (23, 2), (27, 2), (31, 2), (35, 3), (43, 3), (51, 3), (59, 3), (67, 4), (83, 4), (99, 4),
    (115, 4), (131, 5), (163, 5), (195, 5), (227, 5), (258, 0),
];

/// (base, extra bits) of distance symbols 0..=29.
#[rustfmt::skip]
const DISTANCES: [(u16, u8); 30] = [
    (1, 0), (2, 0), (3, 0), (4, 0), (5, 1), (7, 1), (9, 2), (13, 2), (17, 3), (25, 3), (33, 4), (49, 4),
    (65, 5), (97, 5), (129, 6), (193, 6), (257, 7), (385, 7), (513, 8), (769, 8), (1025, 9), (1537, 9),
    (2049, 10), (3073, 10), (4097, 11), (6145, 11), (8193, 12), (12289, 12), (16385, 13), (24577, 13),
];

/// Receives decoded output.
pub(crate) trait Sink {
    fn literal(&mut self, b: u8) -> Result<(), SpecError>;
    fn copy(&mut self, dist: usize, len: usize) -> Result<(), SpecError>;
    fn stored(&mut self, bytes: &[u8]) -> Result<(), SpecError>;
}

/// Discards output; every distance up to 32768 is acceptable (the unknown window covers it).
pub(crate) struct CountSink;

impl Sink for CountSink {
    #[inline(always)]
    fn literal(&mut self, _: u8) -> Result<(), SpecError> {
        Ok(())
    }
    #[inline(always)]
    fn copy(&mut self, _: usize, _: usize) -> Result<(), SpecError> {
        Ok(())
    }
    fn stored(&mut self, _: &[u8]) -> Result<(), SpecError> {
        Ok(())
    }
}

/// An output symbol type: plain bytes, or bytes and markers.
pub(crate) trait Sym: Copy {
    /// Whether references before the start produce markers (else they are an error).
    const MARKERS: bool;
    fn byte(b: u8) -> Self;
    fn marker(k: usize) -> Self;
    fn is_marker(self) -> bool;
}

impl Sym for u8 {
    const MARKERS: bool = false;
    #[inline(always)]
    fn byte(b: u8) -> Self {
        b
    }
    fn marker(_: usize) -> Self {
        0
    }
    #[inline(always)]
    fn is_marker(self) -> bool {
        false
    }
}

impl Sym for u16 {
    const MARKERS: bool = true;
    #[inline(always)]
    fn byte(b: u8) -> Self {
        u16::from(b)
    }
    #[inline(always)]
    fn marker(k: usize) -> Self {
        MARKER_BASE + k as u16
    }
    #[inline(always)]
    fn is_marker(self) -> bool {
        self >= MARKER_BASE
    }
}

/// Appends output to a vector, starting at index `base`, never past index `limit`.
pub(crate) struct VecSink<'a, T> {
    pub(crate) out: &'a mut Vec<T>,
    base: usize,
    limit: usize,
    /// Index in `out` of the last marker written, if any.
    last_marker: Option<usize>,
}

impl<'a, T: Sym> VecSink<'a, T> {
    pub(crate) fn new(out: &'a mut Vec<T>, max_out: usize) -> Self {
        let base = out.len();
        VecSink { out, base, limit: base.saturating_add(max_out), last_marker: None }
    }

    /// Symbols produced so far.
    pub(crate) fn produced(&self) -> usize {
        self.out.len() - self.base
    }

    /// At least WINDOW symbols produced and none of the last WINDOW is a marker.
    pub(crate) fn clean(&self) -> bool {
        self.produced() >= WINDOW && self.last_marker.is_none_or(|m| m < self.out.len() - WINDOW)
    }
}

/// LZ77 copy of `n` symbols from `dist` back (1 <= dist <= out.len()), overlapping allowed.
#[inline(always)]
fn lz_copy<T: Copy>(out: &mut Vec<T>, dist: usize, n: usize) {
    let src = out.len() - dist;
    if dist >= n {
        out.extend_from_within(src..src + n);
        return;
    }
    let mut left = n;
    while left > 0 {
        let chunk = left.min(out.len() - src);
        out.extend_from_within(src..src + chunk);
        left -= chunk;
    }
}

impl<T: Sym> Sink for VecSink<'_, T> {
    #[inline(always)]
    fn literal(&mut self, b: u8) -> Result<(), SpecError> {
        if self.out.len() >= self.limit {
            return Err(SpecError::TooLong);
        }
        self.out.push(T::byte(b));
        Ok(())
    }

    #[inline(always)]
    fn copy(&mut self, dist: usize, len: usize) -> Result<(), SpecError> {
        let start = self.out.len();
        if len > self.limit - start {
            return Err(SpecError::TooLong);
        }
        let produced = start - self.base;
        if dist <= produced {
            lz_copy(self.out, dist, len);
            if T::MARKERS && self.last_marker.is_some_and(|m| m >= start - dist) {
                self.rescan(start);
            }
            return Ok(());
        }
        if !T::MARKERS || dist > produced + WINDOW {
            return Err(SpecError::Invalid("invalid distance too far back"));
        }
        let from_window = (dist - produced).min(len);
        let k0 = WINDOW + produced - dist;
        self.out.extend((k0..k0 + from_window).map(T::marker));
        if len > from_window {
            lz_copy(self.out, dist, len - from_window);
        }
        self.rescan(start);
        Ok(())
    }

    fn stored(&mut self, bytes: &[u8]) -> Result<(), SpecError> {
        if bytes.len() > self.limit - self.out.len() {
            return Err(SpecError::TooLong);
        }
        self.out.extend(bytes.iter().map(|&b| T::byte(b)));
        Ok(())
    }
}

impl<T: Sym> VecSink<'_, T> {
    /// Updates `last_marker` after symbols from `start` on were appended by a copy that may hold markers.
    #[cold]
    fn rescan(&mut self, start: usize) {
        if let Some(i) = self.out[start..].iter().rposition(|s| s.is_marker()) {
            self.last_marker = Some(start + i);
        }
    }
}

/// Decodes a block body up to and including its end-of-block code.
#[inline(always)]
fn body<S: Sink>(bits: &mut Bits<'_>, lit: &[u32], dist: &[u32], sink: &mut S) -> Result<(), SpecError> {
    loop {
        if !bits.refill() {
            return Err(SpecError::NeedInput);
        }
        let e = lookup(lit, LIT_BITS, bits.buf);
        if e & INVALID != 0 {
            return Err(SpecError::Invalid("invalid literal/length code"));
        }
        bits.consume(e & 0xff);
        let sym = (e >> 16) as usize;
        if sym < 256 {
            sink.literal(sym as u8)?;
            // At least 41 bits are left: enough for a second literal without refilling.
            let e = lookup(lit, LIT_BITS, bits.buf);
            if e & INVALID != 0 || e >> 16 >= 256 {
                continue;
            }
            bits.consume(e & 0xff);
            sink.literal((e >> 16) as u8)?;
            continue;
        }
        if sym == 256 {
            return Ok(());
        }
        let Some(&(base, extra)) = LENGTHS.get(sym - 257) else {
            return Err(SpecError::Invalid("invalid literal/length code"));
        };
        let len = usize::from(base) + bits.take(u32::from(extra)) as usize;
        let d = lookup(dist, DIST_BITS, bits.buf);
        let Some(&(base, extra)) = DISTANCES.get((d >> 16) as usize).filter(|_| d & INVALID == 0) else {
            return Err(SpecError::Invalid("invalid distance code"));
        };
        bits.consume(d & 0xff);
        let distance = usize::from(base) + bits.take(u32::from(extra)) as usize;
        sink.copy(distance, len)?;
    }
}

/// Reads a stored block's header after BFINAL/BTYPE; returns the byte offset of its data and its length.
pub(crate) fn stored_header(bits: &mut Bits<'_>) -> Result<(usize, usize), SpecError> {
    bits.consume(bits.cnt % 8);
    let len = bits.read(16);
    let nlen = bits.read(16);
    if len != !nlen & 0xffff {
        return Err(SpecError::Invalid("invalid stored block lengths"));
    }
    Ok(((bits.bit_pos() / 8) as usize, len as usize))
}

/// Decodes one whole block starting at the reader's position; returns its BFINAL bit.
///
/// After an error, or if `bits.overrun()`, the caller reports [`SpecError::NeedInput`] if the reader overran.
pub(crate) fn block<S: Sink>(bits: &mut Bits<'_>, t: &mut Tables, sink: &mut S) -> Result<bool, SpecError> {
    let last = bits.read(1) == 1;
    match bits.read(2) {
        0 => {
            let (at, len) = stored_header(bits)?;
            if bits.overrun() {
                return Err(SpecError::NeedInput);
            }
            let bytes = bits.data().get(at..at + len).ok_or(SpecError::NeedInput)?;
            sink.stored(bytes)?;
            bits.seek((at + len) as u64 * 8);
        }
        1 => {
            let (l, d) = fixed();
            body(bits, l, d, sink)?;
        }
        2 => {
            read_dynamic(bits, t).map_err(SpecError::Invalid)?;
            body(bits, &t.lit, &t.dist, sink)?;
        }
        _ => return Err(SpecError::Invalid("invalid block type")),
    }
    Ok(last)
}

/// Checks that a valid block header (any type) starts at the reader's position.
pub(crate) fn header_ok(bits: &mut Bits<'_>, t: &mut Tables) -> Result<(), SpecError> {
    bits.read(1);
    match bits.read(2) {
        0 => stored_header(bits).map(|_| ()),
        1 => Ok(()),
        2 => read_dynamic(bits, t).map_err(SpecError::Invalid),
        _ => Err(SpecError::Invalid("invalid block type")),
    }
}
