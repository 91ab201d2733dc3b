//! End-to-end: split flate2 streams at several points, find a block, decode with markers, resolve, and hand the
//! rest to zlib with the clean window as dictionary.

mod common;

use common::{deflate, drifting_words, inflate_flate2, mixed, repetitive_text, sql_like};
use deflate_split::{
    BitShifter, Inflated, MARKER_BASE, SpecEnd, WINDOW, clean_tail, decode_speculative, decode_until, find_block,
    inflate, realign_prefix, resolve,
};
use flate2::{Decompress, FlushDecompress, Status};

const FRACTIONS: [f64; 6] = [0.05, 0.2, 0.4, 0.5, 0.75, 0.95];

/// How the compressed data from a block start is fed to zlib.
#[derive(Clone, Copy)]
enum Feed {
    /// `realign_prefix` then the original bytes: correct for every stream.
    Realign,
    /// `BitShifter`: the block starts at bit 0; only correct when no stored block follows (or the shift is 0).
    Shift,
}

/// zlib from `bit` to the end with `dict` as the window; returns the output, asserting StreamEnd.
fn zlib_from(comp: &[u8], bit: u64, dict: &[u8], expect_len: usize, feed: Feed) -> Vec<u8> {
    let mut d = Decompress::new(false);
    d.set_dictionary(dict).expect("set_dictionary");
    let mut out = Vec::with_capacity(expect_len + 1024);
    let mut shifter = BitShifter::new((bit % 8) as u32);
    let (head, rest) = match feed {
        Feed::Realign => (realign_prefix(comp, bit).expect("bit inside data"), &comp[(bit / 8) as usize + 1..]),
        Feed::Shift => (Vec::new(), &comp[(bit / 8) as usize..]),
    };
    let mut pieces: Vec<&[u8]> = vec![&head];
    // Feed in uneven pieces, as a caller streaming from a file would.
    pieces.extend(rest.chunks(100_003));
    let mut aligned = Vec::new();
    for (i, piece) in pieces.iter().enumerate() {
        aligned.clear();
        match feed {
            Feed::Realign => aligned.extend_from_slice(piece),
            Feed::Shift => {
                shifter.feed(piece, &mut aligned);
                if i + 1 == pieces.len() {
                    shifter.finish(&mut aligned);
                }
            }
        }
        let before = d.total_in();
        let status = d
            .decompress_vec(&aligned, &mut out, FlushDecompress::None)
            .unwrap_or_else(|e| panic!("zlib inflate from {bit} mode {}: {e}", matches!(feed, Feed::Shift)));
        if status == Status::StreamEnd {
            return out;
        }
        assert_eq!(d.total_in() - before, aligned.len() as u64, "zlib produced more output than expected");
    }
    panic!("zlib did not reach the stream end");
}

/// One split of `comp` at `from_bit`. Returns how speculative decoding ended, if a block was found.
fn check_split(comp: &[u8], full: &Inflated, from_bit: u64) -> Option<SpecEnd> {
    let total = comp.len() as u64 * 8;
    let expected = full.blocks.iter().find(|b| b.bit >= from_bit && b.btype == 2 && !b.last);
    let found = find_block(comp, from_bit, total);
    assert_eq!(found, expected.map(|b| b.bit), "find_block from {from_bit} must find the first dynamic block");
    let start = expected?;
    let off = start.out_offset;

    let mut sym = Vec::new();
    let end = decode_speculative(comp, start.bit, 64 << 20, &mut sym).expect("speculative decode");
    let window = &full.data[off.saturating_sub(WINDOW)..off];
    let mut resolved = Vec::new();
    resolve(&sym, window, &mut resolved).expect("resolve");
    assert!(resolved == full.data[off..off + sym.len()], "resolved output differs");
    assert!(sym.iter().all(|&s| s < MARKER_BASE + WINDOW as u16));

    // The stop is the FIRST boundary meeting the clean condition.
    let stop_at = off + sym.len();
    for b in full.blocks.iter().filter(|b| b.bit > start.bit && b.out_offset < stop_at) {
        let r = b.out_offset - off;
        assert!(r < WINDOW || sym[r - WINDOW..r].iter().any(|&s| s >= MARKER_BASE), "missed an earlier clean stop");
    }
    match end {
        SpecEnd::Final { bit } => {
            assert_eq!(bit, full.end_bit);
            assert_eq!(stop_at, full.data.len());
        }
        SpecEnd::Clean { bit } => {
            let b = full.blocks.iter().find(|b| b.bit == bit).expect("Clean bit is a true block boundary");
            assert_eq!(b.out_offset, stop_at);
            assert!(sym.len() >= WINDOW);
            let tail = clean_tail(&sym).expect("clean tail");
            assert!(tail == full.data[stop_at - WINDOW..stop_at]);
            let expect = &full.data[stop_at..];
            let rest = zlib_from(comp, bit, &tail, expect.len(), Feed::Realign);
            assert!(rest == expect, "zlib handoff output differs");
            if bit % 8 == 0 || !full.blocks.iter().any(|b| b.bit >= bit && b.btype == 0) {
                assert!(zlib_from(comp, bit, &tail, expect.len(), Feed::Shift) == expect, "BitShifter handoff differs");
            }
            // Our own decoder agrees on the realigned stream.
            let mut re = realign_prefix(comp, bit).expect("bit inside data");
            let prefix_bits = re.len() as u64 * 8 - (8 - bit % 8);
            re.extend_from_slice(&comp[(bit / 8) as usize + 1..]);
            let (mut sa, mut sb) = (Vec::new(), Vec::new());
            let ea = decode_speculative(comp, bit, 1 << 20, &mut sa);
            let eb = decode_speculative(&re, 0, 1 << 20, &mut sb);
            assert!(sa == sb && ea.is_ok() == eb.is_ok(), "realigned stream decodes differently");
            let found = find_block(&re, prefix_bits, prefix_bits + 1);
            assert_eq!(found.is_some(), b.btype == 2 && !b.last, "find_block on the realigned stream");
        }
    }
    Some(end)
}

/// Splits the flate2 stream of `data` at every fraction for every level; returns how many splits found a block
/// and how many of those stopped Clean (the others reached the final block).
fn check_input(data: &[u8], levels: &[u32]) -> (usize, usize) {
    let (mut found, mut clean) = (0, 0);
    for &level in levels {
        let comp = deflate(data, level);
        let full = inflate(&comp, data.len() + 1).expect("plain decode");
        assert!(full.data == data, "plain decode differs (level {level})");
        let total = comp.len() as u64 * 8;
        for f in FRACTIONS {
            match check_split(&comp, &full, (total as f64 * f) as u64) {
                Some(SpecEnd::Clean { .. }) => (found, clean) = (found + 1, clean + 1),
                Some(SpecEnd::Final { .. }) => found += 1,
                None => {}
            }
        }
    }
    (found, clean)
}

#[test]
fn handoff_sql_like() {
    let data = sql_like(4 << 20, 7);
    // zlib-rs level 1 (deflate_quick) writes fixed-Huffman blocks only: nothing to find there.
    assert_eq!(check_input(&data, &[1]), (0, 0));
    // Row templates keep markers alive: these runs mostly end Final; what matters is that each is exact.
    let (found, _clean) = check_input(&data, &[2, 6, 9]);
    assert_eq!(found, 18);
}

#[test]
fn handoff_drifting_text() {
    // Text whose vocabulary drifts does reach a clean window, so the zlib handoff runs on pure text.
    let data = drifting_words(6 << 20, 3);
    let (found, clean) = check_input(&data, &[1, 2, 6, 9]);
    assert!(found >= 18 && clean >= 6, "{found} found, {clean} clean");
}

#[test]
fn handoff_mixed() {
    let data = mixed(3 << 20, 11);
    let (found, clean) = check_input(&data, &[1, 2, 6, 9]);
    assert!(found >= 18 && clean >= 12, "{found} found, {clean} clean");
}

#[test]
fn handoff_zero_runs() {
    // Zeros compress to long runs of length-258 matches; add some text so there are several blocks.
    let mut data = vec![0u8; 2 << 20];
    let text = sql_like(1 << 20, 3);
    for (i, chunk) in text.chunks(4096).enumerate() {
        let at = i * 2 * 4096;
        if at + chunk.len() <= data.len() {
            data[at..at + chunk.len()].copy_from_slice(chunk);
        }
    }
    let (found, _clean) = check_input(&data, &[1, 2, 6, 9]);
    assert!(found >= 15, "{found} found");
    // Pure zeros: whatever blocks exist, every split must behave.
    check_input(&vec![0u8; 3 << 20], &[1, 6, 9]);
}

#[test]
fn handoff_random_and_short() {
    // Incompressible input becomes stored blocks: nothing to find, and find_block must say so.
    let data = common::Rng(5).bytes(1 << 20);
    assert_eq!(check_input(&data, &[1, 6, 9]), (0, 0));
    for data in [&b""[..], b"a", b"hello hello hello", &sql_like(300, 1), &sql_like(40_000, 2)] {
        check_input(data, &[1, 6, 9]);
    }
}

#[test]
fn every_block_of_a_stream_hands_off() {
    // Start at every dynamic block of a multi-block stream, not just at fractions.
    let data = sql_like(2 << 20, 13);
    let comp = deflate(&data, 6);
    let full = inflate(&comp, data.len()).expect("plain decode");
    assert_eq!(inflate_flate2(&comp), full.data);
    let starts: Vec<u64> = full.blocks.iter().filter(|b| b.btype == 2 && !b.last).map(|b| b.bit).collect();
    assert!(starts.len() > 10);
    for s in starts {
        assert!(check_split(&comp, &full, s).is_some());
    }
}

/// The whole parallel pipeline, serially: chunk starts from `find_block`, each chunk decoded with markers up to
/// the next start (`decode_until`), resolved with the previous chunk's tail, CRCs combined.
fn pipeline(data: &[u8], level: u32, chunks: u64) {
    let comp = deflate(data, level);
    let total = comp.len() as u64 * 8;
    let mut starts = vec![0u64];
    for i in 1..chunks {
        if let Some(b) = find_block(&comp, total * i / chunks, total)
            && b > *starts.last().expect("non-empty")
        {
            starts.push(b);
        }
    }
    assert!(starts.len() as u64 > chunks / 2, "too few chunk starts: {starts:?}");
    let mut out: Vec<u8> = Vec::new();
    let mut crc = crc32fast::Hasher::new();
    for (i, &start) in starts.iter().enumerate() {
        let stop = starts.get(i + 1).copied().unwrap_or(u64::MAX);
        let mut sym = Vec::new();
        let reached = decode_until(&comp, start, stop, 256 << 20, &mut sym).expect("chunk decodes");
        assert_eq!(reached.last, stop == u64::MAX);
        if !reached.last {
            assert_eq!(reached.bit, stop, "chunk must end exactly where the next one starts");
        }
        let mut bytes = Vec::new();
        resolve(&sym, &out[out.len().saturating_sub(WINDOW)..], &mut bytes).expect("resolve");
        let mut h = crc32fast::Hasher::new();
        h.update(&bytes);
        crc.combine(&h);
        out.extend_from_slice(&bytes);
    }
    assert!(out == data, "pipeline output differs");
    assert_eq!(crc.finalize(), crc32fast::hash(data));
}

#[test]
fn pipeline_with_markers_and_crc_combine() {
    pipeline(&sql_like(6 << 20, 21), 6, 8);
    pipeline(&repetitive_text(4 << 20, 22), 9, 8);
    pipeline(&mixed(4 << 20, 23), 6, 8);
    pipeline(&drifting_words(3 << 20, 24), 2, 6);
}

#[test]
fn templated_text_keeps_markers() {
    // A limit worth knowing: with a row template, copies of copies of the unknown window never die out.
    let data = repetitive_text(3 << 20, 9);
    let comp = deflate(&data, 6);
    let start = find_block(&comp, comp.len() as u64 * 2, comp.len() as u64 * 8).expect("a block");
    let mut sym = Vec::new();
    let end = decode_speculative(&comp, start, 64 << 20, &mut sym).expect("decodes");
    assert!(matches!(end, SpecEnd::Final { .. }), "{end:?}");
    assert!(sym[sym.len() - WINDOW..].iter().any(|&s| s >= MARKER_BASE));
    // A small max_out turns that into TooLong, never more output than allowed.
    let mut small = Vec::new();
    assert_eq!(decode_speculative(&comp, start, 500_000, &mut small), Err(deflate_split::SpecError::TooLong));
    assert!(small.len() <= 500_000);
}

#[test]
fn bitshifter_handoff_breaks_on_later_stored_blocks() {
    // Why realign_prefix exists: stored blocks pad to the stream's byte boundaries, which shifting moves.
    let data = mixed(2 << 20, 11);
    let comp = deflate(&data, 6);
    let full = inflate(&comp, data.len()).expect("plain decode");
    let mut broken = 0;
    for b in full.blocks.iter().filter(|b| b.bit % 8 != 0 && b.out_offset >= WINDOW) {
        if !full.blocks.iter().any(|s| s.bit >= b.bit && s.btype == 0) {
            continue;
        }
        let dict = &full.data[b.out_offset - WINDOW..b.out_offset];
        let mut d = Decompress::new(false);
        d.set_dictionary(dict).expect("set_dictionary");
        let mut aligned = Vec::new();
        let mut sh = BitShifter::new((b.bit % 8) as u32);
        sh.feed(&comp[(b.bit / 8) as usize..], &mut aligned);
        sh.finish(&mut aligned);
        let mut out = Vec::with_capacity(data.len());
        let ok = matches!(d.decompress_vec(&aligned, &mut out, FlushDecompress::None), Ok(Status::StreamEnd))
            && out == full.data[b.out_offset..];
        broken += usize::from(!ok);
        let rest = zlib_from(&comp, b.bit, dict, data.len() - b.out_offset, Feed::Realign);
        assert!(rest == full.data[b.out_offset..], "realigned handoff must always work");
    }
    assert!(broken > 0);
}
