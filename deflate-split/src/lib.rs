//! Building blocks for decoding **one** raw DEFLATE stream (RFC 1951) on several cores, in the manner of
//! rapidgzip and pugz. The crate is pure and safe: no threads, no I/O, no dependencies; the caller schedules.
//!
//! In this repository it backs the benchmark probe `inflate-floor --split`, which measures what splitting
//! `pg_data` across two cores gains; the verifier's data pass does not use it, for the reasons measured in
//! ARCHITECTURE.md ("The single-stream floor").
//!
//! # Technique
//!
//! A DEFLATE stream has no index and no sync points, and every block may copy from the 32 KiB of output that
//! precede it. To decode a chunk of the compressed data without first decoding everything before it:
//!
//! 1. **Find a block start.** Pick a bit offset in the middle of the compressed data and call [`find_block`]. It
//!    tests every bit offset for the start of a non-final dynamic-Huffman block: a bit-parallel prefilter on the
//!    first 13 header bits (BFINAL=0, BTYPE=2, HLIT and HDIST in range) and a table-driven completeness test of the
//!    code-length code reject almost every offset; survivors get zlib's full header validation, a trial decode of
//!    the block body to its end-of-block and a check of the header of the block after it.
//! 2. **Decode with markers.** [`decode_speculative`] decodes from that block with the 32 KiB window before it
//!    unknown. Output symbols are `u16`: values `0..=255` are bytes, and a back-reference into the unknown window
//!    yields a *marker* `MARKER_BASE + k` naming byte `k` of that window (copying a marker copies the marker). It
//!    stops at the first block boundary after which the last [`WINDOW`] symbols are all real bytes
//!    ([`SpecEnd::Clean`]), or at the end of the final block ([`SpecEnd::Final`]).
//! 3. **Hand off to zlib** (when a clean window was reached). The rest needs no markers, so a conventional
//!    inflater can take over: a raw `Decompress` primed with `set_dictionary(window)` (window = [`clean_tail`] of
//!    the marker output), fed [`realign_prefix`] and then the compressed bytes after the clean bit's byte. The
//!    prefix is a few empty blocks that put the clean bit at the same position within its byte as in the original,
//!    so stored blocks later on keep their byte alignment. Shifting the input instead ([`BitShifter`], so the
//!    block starts at bit 0) is only correct when no stored block follows or the clean bit is byte-aligned.
//! 4. **Resolve.** Once the chunk before has been decoded, its last 32 KiB of output replace the markers:
//!    [`resolve`].
//! 5. **Check.** The caller computes a CRC-32 per chunk and combines them (crc32fast's `Hasher::combine`, or
//!    zlib's `crc32_combine`) to compare with the CRC stored in the container. Chunks must also tile the stream:
//!    each chunk must end exactly at the bit where the next chunk's [`find_block`] result starts.
//!
//! When no clean window appears, the general path is [`decode_until`]: decode the whole chunk, up to the next
//! chunk's start, in marker mode and [`resolve`] it afterwards. [`inflate`] is a plain (marker-free) decoder of a
//! whole stream that also reports every block start and its output offset.
//!
//! # Example
//!
//! Two chunks of one stream, decoded independently and joined:
//!
//! ```
//! use std::io::Write;
//! use deflate_split::{WINDOW, decode_until, find_block, resolve};
//!
//! let text: Vec<u8> = (0..200_000u32).flat_map(|i| format!("{i} {}\n", i * 7919 % 1000).into_bytes()).collect();
//! let mut e = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::default());
//! e.write_all(&text).unwrap();
//! let comp = e.finish().unwrap();
//! let bits = comp.len() as u64 * 8;
//!
//! // Second chunk, from a block found in the middle to the end (markers stand for the unknown window).
//! let mid = find_block(&comp, bits / 2, bits).expect("a block start");
//! let mut second = Vec::new();
//! assert!(decode_until(&comp, mid, u64::MAX, 1 << 26, &mut second).unwrap().last);
//!
//! // First chunk, from the start; it must end exactly where the second starts.
//! let mut first = Vec::new();
//! assert_eq!(decode_until(&comp, 0, mid, 1 << 26, &mut first).unwrap().bit, mid);
//!
//! let mut out = Vec::new();
//! resolve(&first, &[], &mut out).unwrap();
//! let window = out[out.len() - WINDOW..].to_vec();
//! resolve(&second, &window, &mut out).unwrap();
//! assert_eq!(out, text);
//! ```
//!
//! # Limits
//!
//! * Only non-final dynamic blocks are found. Streams of stored or fixed blocks only (zlib-rs level 1 writes one
//!   big fixed block; incompressible data becomes stored blocks) or of one huge block cannot be split.
//! * A false positive of [`find_block`] (garbage that looks like two valid headers with a decodable body between)
//!   cannot be ruled out locally. It shows up as a decoding error, as a chunk that does not end where the next
//!   starts, or as a CRC mismatch; the caller must then decode that range serially.
//! * The clean condition needs the last 32 KiB to hold no byte copied, directly or through copies of copies, from
//!   the unknown window. Text with recurring templates (the rows of an SQL dump) matches the same strings again and
//!   again and keeps a few markers alive indefinitely; then only [`decode_until`] + [`resolve`] apply.
//! * Marker output takes two bytes per symbol; `max_out` bounds every call ([`SpecError::TooLong`]).

#![warn(missing_docs)]

mod bits;
mod find;
mod huffman;
mod inflate;

use bits::Bits;
use huffman::Tables;
use inflate::{VecSink, block};

/// Size of the DEFLATE history window: the farthest a back-reference can reach.
pub const WINDOW: usize = 32 * 1024;

/// Symbols produced in marker mode: `0..=255` are known bytes; `MARKER_BASE + k` (`k` in `0..WINDOW`) stands for
/// byte `k` of the unknown 32 KiB window that precedes the start (`k = WINDOW - 1` is the byte just before it).
pub const MARKER_BASE: u16 = 256;

/// Finds the first bit offset `b` in `[from_bit, to_bit)` of `data` where a non-final dynamic-Huffman block
/// starts.
///
/// Bit offsets count LSB-first as DEFLATE does: bit `b` is `(data[b / 8] >> (b % 8)) & 1`. A candidate must have
/// a header valid exactly as zlib validates it (HLIT <= 29, HDIST <= 29, a complete code-length code, valid and
/// non-overrunning repeat codes, no "repeat previous" first, a complete literal/length code or zlib's permitted
/// single-code case, a complete, single-code or empty distance code, and a non-zero length for the end-of-block
/// symbol); its body must then decode without error in marker mode (distances may reach 32768 bytes before the
/// block start) up to its end-of-block, followed by a valid block header of any type (for a stored block,
/// `LEN == !NLEN`).
///
/// Returns `None` if there is no such offset, or if `data` runs out before a candidate could be confirmed or
/// rejected (the caller should then supply more data).
pub fn find_block(data: &[u8], from_bit: u64, to_bit: u64) -> Option<u64> {
    find::find_block(data, from_bit, to_bit)
}

/// How [`decode_speculative`] stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SpecEnd {
    /// Stopped at the block boundary at bit `bit` (the next block's header starts there); at least [`WINDOW`]
    /// symbols were produced and the last [`WINDOW`] of them hold no markers; [`clean_tail`] returns them as bytes.
    Clean {
        /// Bit offset in `data` of the next block's header.
        bit: u64,
    },
    /// The final block (BFINAL=1) ended; `bit` is the bit just after its end-of-block code (or stored data).
    Final {
        /// Bit offset in `data` just after the end of the stream.
        bit: u64,
    },
}

/// Why decoding did not reach a stopping point.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SpecError {
    /// `data` ended before a stopping point.
    NeedInput,
    /// Invalid DEFLATE data; the message names the problem (zlib's wording where it has one).
    Invalid(&'static str),
    /// More than `max_out` symbols would have been produced without reaching a stopping point.
    TooLong,
}

impl std::fmt::Display for SpecError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SpecError::NeedInput => f.write_str("compressed data ended early"),
            SpecError::Invalid(what) => write!(f, "invalid deflate data: {what}"),
            SpecError::TooLong => f.write_str("output limit reached before a stopping point"),
        }
    }
}

impl std::error::Error for SpecError {}

/// Turns any outcome `r` after the reader consumed bits past the end of the data into `NeedInput`
/// (those bits were zero padding, not data).
fn checked<T>(bits: &Bits<'_>, r: Result<T, SpecError>) -> Result<T, SpecError> {
    if bits.overrun() { Err(SpecError::NeedInput) } else { r }
}

/// Decodes from `start_bit` (which must be a block start) with an unknown window, appending symbols to `out`.
///
/// Handles stored, fixed and dynamic blocks. Stops at the first block boundary where the [`SpecEnd::Clean`]
/// condition holds, or at the end of the final block. Never appends more than `max_out` symbols (on error `out`
/// may hold a partial result). Never panics and never allocates from sizes read from the data: memory is bounded
/// by `max_out`.
///
/// The clean condition needs the last 32 KiB to hold no byte copied (directly or through earlier copies) from the
/// unknown window. Text whose frequent strings are always matched rather than re-emitted as literals (row
/// templates of an SQL dump, say) can keep a few markers alive indefinitely: it then ends `Final` or `TooLong`;
/// use [`decode_until`] for such data.
pub fn decode_speculative(
    data: &[u8],
    start_bit: u64,
    max_out: usize,
    out: &mut Vec<u16>,
) -> Result<SpecEnd, SpecError> {
    markers(data, start_bit, u64::MAX, true, max_out, out)
}

/// Where [`decode_until`] stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reached {
    /// The first block boundary at or after `stop_bit`, or the bit just after the end of the final block.
    pub bit: u64,
    /// The final block ended at `bit`.
    pub last: bool,
}

/// Decodes whole blocks in marker mode from `start_bit` (a block start) until the first block boundary at or
/// after `stop_bit`, or the end of the final block, appending symbols to `out`; no clean-window stop.
///
/// This is the general path for a chunk `[start_bit, stop_bit)` when [`decode_speculative`] does not reach a clean
/// window: decode the whole chunk with markers and [`resolve`] it once the previous chunk is known. If `stop_bit`
/// came from [`find_block`], check that `Reached::bit == stop_bit`: anything else means one of the two offsets was
/// a false positive. Same limits and guarantees as [`decode_speculative`].
pub fn decode_until(
    data: &[u8],
    start_bit: u64,
    stop_bit: u64,
    max_out: usize,
    out: &mut Vec<u16>,
) -> Result<Reached, SpecError> {
    Ok(match markers(data, start_bit, stop_bit, false, max_out, out)? {
        SpecEnd::Clean { bit } => Reached { bit, last: false },
        SpecEnd::Final { bit } => Reached { bit, last: true },
    })
}

/// Marker-mode decoding; stops at the end of the final block, at the first boundary at or after `stop_bit`
/// (reported as `Clean`), or, if `clean`, at the first clean boundary.
fn markers(
    data: &[u8],
    start_bit: u64,
    stop_bit: u64,
    clean: bool,
    max_out: usize,
    out: &mut Vec<u16>,
) -> Result<SpecEnd, SpecError> {
    if start_bit >= data.len() as u64 * 8 {
        return Err(SpecError::NeedInput);
    }
    let mut bits = Bits::at(data, start_bit);
    let mut t = Tables::default();
    let mut sink = VecSink::new(out, max_out);
    loop {
        let r = block(&mut bits, &mut t, &mut sink);
        let last = checked(&bits, r)?;
        let bit = bits.bit_pos();
        if last {
            return Ok(SpecEnd::Final { bit });
        }
        if bit >= stop_bit || (clean && sink.clean()) {
            return Ok(SpecEnd::Clean { bit });
        }
    }
}

/// The last `min(WINDOW, symbols.len())` symbols as bytes, or `None` if any of them is a marker.
pub fn clean_tail(symbols: &[u16]) -> Option<Vec<u8>> {
    let tail = &symbols[symbols.len().saturating_sub(WINDOW)..];
    tail.iter().map(|&s| u8::try_from(s).ok()).collect()
}

/// Replaces markers with bytes of `window` and appends the resulting bytes to `out`.
///
/// `window` is the real output (up to [`WINDOW`] bytes) that precedes the start; when shorter than [`WINDOW`] it
/// is right-aligned: marker `k` refers to `window[window.len() - (WINDOW - k)]`. Only the last [`WINDOW`] bytes of
/// a longer `window` are used. Fails with [`SpecError::Invalid`] if a marker points before the available window
/// (then `out` may hold a partial result).
pub fn resolve(symbols: &[u16], window: &[u8], out: &mut Vec<u8>) -> Result<(), SpecError> {
    let window = &window[window.len().saturating_sub(WINDOW)..];
    // Marker k is window[k - missing] (right-aligned window).
    let missing = WINDOW - window.len();
    out.reserve(symbols.len());
    for &s in symbols {
        let b = match u8::try_from(s) {
            Ok(b) => b,
            Err(_) => {
                let k = usize::from(s - MARKER_BASE);
                match k.checked_sub(missing).and_then(|i| window.get(i)) {
                    Some(&b) => b,
                    None => return Err(SpecError::Invalid("marker points before the available window")),
                }
            }
        };
        out.push(b);
    }
    Ok(())
}

/// One block found by [`inflate`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BlockInfo {
    /// Bit offset of the block header.
    pub bit: u64,
    /// Offset in the decompressed output where the block's output starts.
    pub out_offset: usize,
    /// BTYPE: 0 stored, 1 fixed, 2 dynamic.
    pub btype: u8,
    /// BFINAL was set.
    pub last: bool,
}

/// Result of [`inflate`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Inflated {
    /// The decompressed bytes.
    pub data: Vec<u8>,
    /// Every block, in stream order.
    pub blocks: Vec<BlockInfo>,
    /// Bit offset just after the end of the final block.
    pub end_bit: u64,
}

/// Plainly decodes a whole raw DEFLATE stream starting at bit 0 (no unknown window: a reference before the start
/// is an error), recording every block. Fails with [`SpecError::TooLong`] beyond `max_out` bytes.
pub fn inflate(data: &[u8], max_out: usize) -> Result<Inflated, SpecError> {
    let mut res = Inflated::default();
    if data.is_empty() {
        return Err(SpecError::NeedInput);
    }
    let mut bits = Bits::at(data, 0);
    let mut t = Tables::default();
    let mut sink = VecSink::new(&mut res.data, max_out);
    loop {
        let bit = bits.bit_pos();
        let head = bits::peek_at(data, bit);
        res.blocks.push(BlockInfo {
            bit,
            out_offset: sink.produced(),
            btype: ((head >> 1) & 3) as u8,
            last: head & 1 == 1,
        });
        let r = block(&mut bits, &mut t, &mut sink);
        if checked(&bits, r)? {
            res.end_bit = bits.bit_pos();
            return Ok(res);
        }
    }
}

/// An empty non-final dynamic block of 95 bits, as (value, bit count) fields written LSB-first: BFINAL=0,
/// BTYPE=2, HLIT=0, HDIST=1, HCLEN=15; code-length code lengths in the order 16,17,18,0,8,7,9,6,10,5,11,4,12,3,13,
/// 2,14,1,15 giving symbols 1 and 18 length 1 (codes 0 and 1); code lengths: literal 0 = 1, 255 zeros (18 with
/// extra 127, 18 with extra 106), end-of-block = 1, both distances = 1 (complete codes); then the end-of-block code.
const EMPTY_DYNAMIC: [(u64, u32); 11] = [
    (0b100, 3),
    (0, 5),
    (1, 5),
    (15, 4),
    (1 << 6 | 1 << 51, 57),
    (0, 1),
    (1, 1),
    (127, 7),
    (1, 1),
    (106, 7),
    (0b1000, 4),
];

/// Bytes that make zlib continue a raw DEFLATE stream at a block start `start_bit` of `data` with the
/// stream's original byte alignment.
///
/// Feed the returned bytes, then `data[start_bit / 8 + 1..]`, to a raw inflater (after `set_dictionary(window)`).
/// The prefix is a few empty non-final blocks (fixed blocks of 10 bits, and for odd shifts one 95-bit dynamic
/// block with complete codes), `8 * k + start_bit % 8` bits in all, followed by the bits of byte
/// `start_bit / 8` from `start_bit` on. Unlike shifting with [`BitShifter`], this keeps every later byte of
/// `data` byte-aligned, which stored blocks after the start need: their padding aligns to the original bytes.
/// Returns `None` if `start_bit` is not inside `data`.
pub fn realign_prefix(data: &[u8], start_bit: u64) -> Option<Vec<u8>> {
    let byte = *data.get(usize::try_from(start_bit / 8).ok()?)?;
    let shift = (start_bit % 8) as u32;
    let (mut acc, mut n, mut out) = (0u64, 0u32, Vec::new());
    let mut put = |v: u64, bits: u32| {
        acc |= v << n;
        n += bits;
        while n >= 8 {
            out.push(acc as u8);
            acc >>= 8;
            n -= 8;
        }
    };
    let fixed_empty = if shift.is_multiple_of(2) {
        shift / 2
    } else {
        // 95 bits: BFINAL=0, BTYPE=2, HLIT=0, HDIST=1, HCLEN=15; code-length code: symbols 1 and 18 of length 1
        // (3-bit fields in the permuted order 16,17,18,0,8,7,9,6,10,5,11,4,12,3,13,2,14,1,15);
        // lengths: lit 0 = 1, 255 zeros (18+127, 18+106), EOB = 1, both distances = 1; then the EOB code "1".
        for (v, bits) in EMPTY_DYNAMIC {
            put(v, bits);
        }
        ((shift + 1) % 8) / 2
    };
    for _ in 0..fixed_empty {
        put(0b010, 10); // BFINAL=0, BTYPE=1, EOB = seven zero bits
    }
    put(u64::from(byte >> shift), 8 - shift);
    Some(out)
}

/// Streams bytes starting at an arbitrary bit offset as byte-aligned bytes.
///
/// After `BitShifter::new(shift)` (`shift` = `start_bit % 8`), feeding the input bytes from byte `start_bit / 8`
/// on yields bytes whose bit 0 is input bit `start_bit`.
///
/// Handing such bytes to zlib moves the stream's byte boundaries: a later stored block then pads to the wrong
/// boundary and fails ("invalid stored block lengths") unless `shift` is 0. Prefer [`realign_prefix`] for the
/// zlib handoff.
#[derive(Debug, Clone)]
pub struct BitShifter {
    shift: u32,
    carry: Option<u8>,
}

impl BitShifter {
    /// A shifter dropping the low `shift` bits (only `shift % 8` counts) of the first byte fed.
    pub fn new(shift: u32) -> BitShifter {
        BitShifter { shift: shift % 8, carry: None }
    }

    /// Appends the aligned bytes that are complete after `input` to `out` (keeps one byte of carry when shifting).
    pub fn feed(&mut self, input: &[u8], out: &mut Vec<u8>) {
        if self.shift == 0 {
            out.extend_from_slice(input);
            return;
        }
        let Some((&last, _)) = input.split_last() else { return };
        out.reserve(input.len());
        let mut prev = self.carry;
        for &b in input {
            if let Some(p) = prev {
                out.push((p >> self.shift) | (b << (8 - self.shift)));
            }
            prev = Some(b);
        }
        self.carry = Some(last);
    }

    /// Appends the last partial byte (its high `shift` bits zero), if any.
    pub fn finish(&mut self, out: &mut Vec<u8>) {
        if let Some(p) = self.carry.take() {
            out.push(p >> self.shift);
        }
    }
}
