//! LSB-first bit reader with a 64-bit buffer.
//!
//! Past the end of `data` the reader supplies zero bits so that the hot loops need no end checks; callers
//! detect that they consumed such padding with [`Bits::overrun`] before trusting any result.

/// Reads 8 bytes little-endian at `at`, with zero bytes past the end of `data`.
#[inline]
pub(crate) fn load_u64(data: &[u8], at: usize) -> u64 {
    match data.get(at..at.saturating_add(8)) {
        Some(s) => {
            let mut a = [0u8; 8];
            a.copy_from_slice(s);
            u64::from_le_bytes(a)
        }
        None => {
            let mut v = 0u64;
            for i in 0..8 {
                v |= u64::from(data.get(at.saturating_add(i)).copied().unwrap_or(0)) << (8 * i);
            }
            v
        }
    }
}

/// Bits of `data` from bit offset `bit` on (at least 57 valid bits; zeros past the end).
#[inline]
pub(crate) fn peek_at(data: &[u8], bit: u64) -> u64 {
    load_u64(data, usize::try_from(bit / 8).unwrap_or(usize::MAX)) >> (bit % 8)
}

pub(crate) struct Bits<'a> {
    data: &'a [u8],
    /// Index of the next byte to load (may exceed `data.len()` once zero padding was loaded).
    pos: usize,
    /// Valid bits are the low `cnt`; the bits above them are either zero or the correct next bits.
    pub(crate) buf: u64,
    pub(crate) cnt: u32,
}

impl<'a> Bits<'a> {
    /// A reader positioned at `bit`, which must be at most `data.len() * 8`.
    pub(crate) fn at(data: &'a [u8], bit: u64) -> Self {
        let mut b = Bits { data, pos: 0, buf: 0, cnt: 0 };
        b.seek(bit);
        b
    }

    /// Repositions the reader at `bit` (at most `data.len() * 8`).
    pub(crate) fn seek(&mut self, bit: u64) {
        let byte = usize::try_from(bit / 8).unwrap_or(usize::MAX).min(self.data.len());
        self.pos = byte;
        self.buf = 0;
        self.cnt = 0;
        self.refill();
        self.consume((bit % 8) as u32);
    }

    /// The data this reader reads.
    pub(crate) fn data(&self) -> &'a [u8] {
        self.data
    }

    /// Ensures at least 56 valid bits. Returns false once bits beyond the end of the data were consumed.
    #[inline(always)]
    pub(crate) fn refill(&mut self) -> bool {
        if let Some(s) = self.data.get(self.pos..self.pos + 8) {
            let mut a = [0u8; 8];
            a.copy_from_slice(s);
            self.buf |= u64::from_le_bytes(a) << self.cnt;
            self.pos += ((63 - self.cnt) >> 3) as usize;
            self.cnt |= 56;
            true
        } else {
            self.refill_slow()
        }
    }

    #[cold]
    fn refill_slow(&mut self) -> bool {
        while self.cnt <= 56 {
            let byte = self.data.get(self.pos).copied().unwrap_or(0);
            self.buf |= u64::from(byte) << self.cnt;
            self.pos += 1;
            self.cnt += 8;
        }
        !self.overrun()
    }

    /// Bit offset of the next unread bit.
    #[inline]
    pub(crate) fn bit_pos(&self) -> u64 {
        self.pos as u64 * 8 - u64::from(self.cnt)
    }

    /// True if more bits were consumed than `data` holds.
    #[inline]
    pub(crate) fn overrun(&self) -> bool {
        self.bit_pos() > self.data.len() as u64 * 8
    }

    /// Drops `n` (< 64, at most `cnt`) bits.
    #[inline(always)]
    pub(crate) fn consume(&mut self, n: u32) {
        self.buf >>= n;
        self.cnt -= n;
    }

    /// Takes `n` (<= 32, at most `cnt`) bits without refilling.
    #[inline(always)]
    pub(crate) fn take(&mut self, n: u32) -> u32 {
        let v = (self.buf & ((1u64 << n) - 1)) as u32;
        self.consume(n);
        v
    }

    /// Takes `n` (<= 32) bits, refilling first if needed.
    #[inline]
    pub(crate) fn read(&mut self, n: u32) -> u32 {
        if self.cnt < n {
            self.refill();
        }
        self.take(n)
    }
}
