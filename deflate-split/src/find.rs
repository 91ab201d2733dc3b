//! Finding a dynamic block start at an unknown bit offset.

use crate::SpecError;
use crate::bits::{Bits, load_u64, peek_at};
use crate::huffman::Tables;
use crate::inflate::{CountSink, block, header_ok};

/// Kraft sums (out of 128 per field) of four 3-bit code-length code lengths packed in 12 bits.
static KRAFT4: [u16; 4096] = {
    let mut t = [0u16; 4096];
    let mut i = 0;
    while i < 4096 {
        let mut f = 0;
        while f < 4 {
            let l = (i >> (3 * f)) & 7;
            if l != 0 {
                t[i] += 128 >> l;
            }
            f += 1;
        }
        i += 1;
    }
    t
};

/// Bit `s` is set if a header at bit offset `s` of `w` (for `s` < 64 - 13) plausibly starts a non-final dynamic
/// block: BFINAL=0, BTYPE=2, HLIT <= 29 and HDIST <= 29 (a 5-bit field is >= 30 iff its top four bits are set).
#[inline(always)]
fn plausible_mask(w: u64) -> u64 {
    let btype2 = !w & !(w >> 1) & (w >> 2);
    let hlit_big = (w >> 4) & (w >> 5) & (w >> 6) & (w >> 7);
    let hdist_big = (w >> 9) & (w >> 10) & (w >> 11) & (w >> 12);
    btype2 & !hlit_big & !hdist_big
}

/// Is the code-length code of the header at `bit` complete? (zlib rejects incomplete and over-subscribed ones.)
#[inline(always)]
fn cl_complete(data: &[u8], bit: u64) -> bool {
    let ncl = ((peek_at(data, bit + 13) & 15) + 4) as u32;
    let x = peek_at(data, bit + 17) & ((1u64 << (3 * ncl)) - 1);
    let k = |sh: u32| u32::from(KRAFT4[((x >> sh) & 0xfff) as usize]);
    k(0) + k(12) + k(24) + k(36) + k(48) == 128
}

/// Full check of a candidate: valid header, body decodable to its end-of-block, valid next header.
/// `Err(())` if the data ran out before a verdict.
fn verify(data: &[u8], bit: u64, t: &mut Tables) -> Result<bool, ()> {
    let mut bits = Bits::at(data, bit);
    let r = block(&mut bits, t, &mut CountSink).and_then(|_| header_ok(&mut bits, t));
    if bits.overrun() || r == Err(SpecError::NeedInput) {
        return Err(());
    }
    Ok(r.is_ok())
}

pub(crate) fn find_block(data: &[u8], from_bit: u64, to_bit: u64) -> Option<u64> {
    let end = to_bit.min(data.len() as u64 * 8);
    let mut t = Tables::default();
    let mut at = from_bit;
    // 32 offsets per 64-bit load (a header test needs 13 bits).
    while at < end {
        let byte = at / 8;
        let base = byte * 8;
        let span = (end - base).min(32);
        let mut m = plausible_mask(load_u64(data, byte as usize)) & ((1u64 << span) - 1) & (u64::MAX << (at - base));
        while m != 0 {
            let bit = base + u64::from(m.trailing_zeros());
            m &= m - 1;
            if cl_complete(data, bit) {
                match verify(data, bit, &mut t) {
                    Ok(true) => return Some(bit),
                    Ok(false) => {}
                    Err(()) => return None,
                }
            }
        }
        at = base + span;
    }
    None
}
