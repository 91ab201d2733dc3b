//! Canonical Huffman decoding tables (two-level, indexed by bit-reversed codes) and zlib's code validation.

use crate::bits::Bits;

/// Entry layout: bits 0..8 code length (root entries with [`SUB`]: subtable index bits), bit 8 [`SUB`], bit 9
/// [`INVALID`], bits 16..32 symbol (root entries with [`SUB`]: subtable offset).
pub(crate) const SUB: u32 = 1 << 8;
/// The bit pattern is no code of this table, or the code's symbol is not allowed.
pub(crate) const INVALID: u32 = 1 << 9;

/// Root bits of literal/length tables.
pub(crate) const LIT_BITS: u32 = 10;
/// Root bits of distance tables.
pub(crate) const DIST_BITS: u32 = 8;
/// Root bits of the code-length code table (its codes are at most 7 bits long: no subtables).
pub(crate) const CL_BITS: u32 = 7;

/// Which zlib rule set a code is validated with.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// The code-length code: must be complete.
    CodeLengths,
    /// Literal/length or distance code: complete, or a single code of length 1, or (distance codes) empty.
    Symbols,
}

/// Validates `lens` the way zlib's `inflate_table` does and builds the table into `table`.
///
/// Symbols at index `>= nvalid` get codes (they count for completeness) but decode as [`INVALID`].
pub(crate) fn build(lens: &[u8], nvalid: usize, root: u32, kind: Kind, table: &mut Vec<u32>) -> Result<(), ()> {
    let mut count = [0u16; 16];
    for &l in lens {
        count[usize::from(l & 15)] += 1;
    }
    let max = (1..16).rev().find(|&l| count[l] != 0).unwrap_or(0);
    let mut left: i32 = 1;
    for &c in &count[1..] {
        left = (left << 1) - i32::from(c);
        if left < 0 {
            return Err(()); // over-subscribed
        }
    }
    if max == 0 {
        // zlib accepts an empty code (every lookup is invalid); for the code-length code it then fails on the
        // first code, so reject that right away.
        table.clear();
        table.resize(1 << root, INVALID);
        return if kind == Kind::CodeLengths { Err(()) } else { Ok(()) };
    }
    if left > 0 && (kind == Kind::CodeLengths || max != 1) {
        return Err(()); // incomplete
    }
    let mut next = [0u32; 16];
    let mut code = 0u32;
    for l in 1..16 {
        code = (code + u32::from(count[l - 1])) << 1;
        next[l] = code;
    }
    let size = 1usize << root;
    let mask = size as u32 - 1;
    table.clear();
    table.resize(size, INVALID);
    let entry = |sym: usize, len: u32| if sym < nvalid { (sym as u32) << 16 | len } else { INVALID };
    if max as u32 > root {
        // Subtable sizes: the longest code sharing each root prefix.
        let mut longest = [0u8; 1 << LIT_BITS];
        let mut nx = next;
        for &l in lens {
            let l = u32::from(l);
            if l > root {
                let rev = nx[l as usize].reverse_bits() >> (32 - l);
                nx[l as usize] += 1;
                let p = (rev & mask) as usize;
                longest[p] = longest[p].max(l as u8);
            }
        }
        for (p, &l) in longest.iter().enumerate().take(size) {
            if l != 0 {
                let bits = u32::from(l) - root;
                table[p] = (table.len() as u32) << 16 | SUB | bits;
                table.resize(table.len() + (1 << bits), INVALID);
            }
        }
    }
    for (sym, &l) in lens.iter().enumerate() {
        let l = u32::from(l);
        if l == 0 {
            continue;
        }
        let rev = next[l as usize].reverse_bits() >> (32 - l);
        next[l as usize] += 1;
        let e = entry(sym, l);
        if l <= root {
            let mut i = rev as usize;
            while i < size {
                table[i] = e;
                i += 1 << l;
            }
        } else {
            let r = table[(rev & mask) as usize];
            let (off, bits) = ((r >> 16) as usize, r & 0xff);
            let mut i = (rev >> root) as usize;
            while i < 1 << bits {
                table[off + i] = e;
                i += 1 << (l - root);
            }
        }
    }
    Ok(())
}

/// Looks up the entry for the code at the bottom of `buf` (the entry's length is the full code length).
#[inline(always)]
pub(crate) fn lookup(table: &[u32], root: u32, buf: u64) -> u32 {
    let e = table[(buf & ((1 << root) - 1)) as usize];
    if e & SUB == 0 {
        return e;
    }
    let idx = (e >> 16) as usize + ((buf >> root) & ((1 << (e & 0xff)) - 1)) as usize;
    table.get(idx).copied().unwrap_or(INVALID)
}

/// Order in which code-length code lengths are stored.
const CL_ORDER: [usize; 19] = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15];

/// Reusable table storage for dynamic blocks.
#[derive(Default)]
pub(crate) struct Tables {
    pub(crate) lit: Vec<u32>,
    pub(crate) dist: Vec<u32>,
    cl: Vec<u32>,
}

/// Reads a dynamic block header (after BFINAL and BTYPE) and builds `t.lit` and `t.dist`, validating as zlib does.
pub(crate) fn read_dynamic(bits: &mut Bits<'_>, t: &mut Tables) -> Result<(), &'static str> {
    let nlen = bits.read(5) as usize + 257;
    let ndist = bits.read(5) as usize + 1;
    let ncl = bits.read(4) as usize + 4;
    if nlen > 286 || ndist > 30 {
        return Err("too many length or distance symbols");
    }
    let mut cl = [0u8; 19];
    for &i in &CL_ORDER[..ncl] {
        cl[i] = bits.read(3) as u8;
    }
    build(&cl, 19, CL_BITS, Kind::CodeLengths, &mut t.cl).map_err(|()| "invalid code lengths set")?;
    let mut lens = [0u8; 286 + 30];
    let n = nlen + ndist;
    let mut i = 0;
    while i < n {
        bits.refill();
        let e = t.cl[(bits.buf & ((1 << CL_BITS) - 1)) as usize];
        bits.consume(e & 0xff);
        let sym = e >> 16;
        let (val, rep) = match sym {
            0..=15 => (sym as u8, 1),
            16 => {
                if i == 0 {
                    return Err("invalid bit length repeat");
                }
                (lens[i - 1], 3 + bits.take(2) as usize)
            }
            17 => (0, 3 + bits.take(3) as usize),
            _ => (0, 11 + bits.take(7) as usize),
        };
        if i + rep > n {
            return Err("invalid bit length repeat");
        }
        lens[i..i + rep].fill(val);
        i += rep;
    }
    if lens[256] == 0 {
        return Err("invalid code -- missing end-of-block");
    }
    build(&lens[..nlen], nlen, LIT_BITS, Kind::Symbols, &mut t.lit).map_err(|()| "invalid literal/lengths set")?;
    build(&lens[nlen..n], ndist, DIST_BITS, Kind::Symbols, &mut t.dist).map_err(|()| "invalid distances set")
}

/// Fixed-code tables (RFC 1951 3.2.6); symbols 286/287 and distances 30/31 decode as invalid.
pub(crate) fn fixed() -> &'static (Vec<u32>, Vec<u32>) {
    static FIXED: std::sync::OnceLock<(Vec<u32>, Vec<u32>)> = std::sync::OnceLock::new();
    FIXED.get_or_init(|| {
        let mut lens = [8u8; 288];
        lens[144..256].fill(9);
        lens[256..280].fill(7);
        let (mut lit, mut dist) = (Vec::new(), Vec::new());
        // Both codes are complete, so building cannot fail.
        let _ = build(&lens, 286, LIT_BITS, Kind::Symbols, &mut lit);
        let _ = build(&[5u8; 32], 30, DIST_BITS, Kind::Symbols, &mut dist);
        (lit, dist)
    })
}
