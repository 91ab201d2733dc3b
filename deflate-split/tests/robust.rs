//! Agreement with flate2 on everything it produces, robustness on garbage and corrupted streams, and the false
//! positive rate of `find_block`.

mod common;

use common::{Rng, deflate, inflate_flate2, mixed, sql_like};
use deflate_split::{SpecEnd, decode_speculative, decode_until, find_block, inflate};
use flate2::{Compress, Compression, FlushCompress, FlushDecompress};
use proptest::prelude::*;

/// Raw deflate with a flush of the given kind every `every` bytes (empty stored blocks, mid-stream alignment).
fn deflate_flushing(data: &[u8], level: u32, every: usize, flush: FlushCompress) -> Vec<u8> {
    let mut c = Compress::new(Compression::new(level), false);
    let mut out = Vec::with_capacity(data.len() + 1024);
    let chunks: Vec<&[u8]> = data.chunks(every.max(1)).collect();
    for (i, chunk) in chunks.iter().enumerate() {
        let f = if i + 1 == chunks.len() { FlushCompress::Finish } else { flush };
        let mut input = *chunk;
        loop {
            out.reserve(chunk.len() + 1024);
            let before = c.total_in();
            let status = c.compress_vec(input, &mut out, f).expect("compress");
            input = &input[(c.total_in() - before) as usize..];
            let done = f != FlushCompress::Finish || status == flate2::Status::StreamEnd;
            if input.is_empty() && done && out.len() < out.capacity() {
                break;
            }
        }
    }
    if chunks.is_empty() {
        c.compress_vec(&[], &mut out, FlushCompress::Finish).expect("compress");
    }
    out
}

fn assert_plain(comp: &[u8], data: &[u8]) {
    let got = inflate(comp, data.len()).expect("decodes");
    assert_eq!(inflate_flate2(comp), data);
    assert!(got.data == data, "differs from flate2");
    assert_eq!(got.end_bit.div_ceil(8), comp.len() as u64);
    // Marker mode from bit 0 yields the same bytes, ending Final (or Clean once past 32 KiB).
    let mut sym = Vec::new();
    match decode_speculative(comp, 0, data.len(), &mut sym) {
        Ok(SpecEnd::Final { bit }) => assert_eq!(bit, got.end_bit),
        Ok(SpecEnd::Clean { bit }) => assert!(got.blocks.iter().any(|b| b.bit == bit)),
        Err(e) => panic!("{e}"),
    }
    assert!(sym.iter().zip(data).all(|(&s, &b)| s == u16::from(b)));
}

#[test]
fn plain_decode_matches_flate2() {
    let mut inputs = vec![
        Vec::new(),
        b"a".to_vec(),
        b"abcabcabcabcabcabc".to_vec(),
        vec![0; 1 << 20],
        vec![7; 100_000],
        Rng(1).bytes(300_000),
        sql_like(2 << 20, 1),
        mixed(2 << 20, 2),
        common::drifting_words(1 << 20, 3),
    ];
    inputs.extend((0..50).map(|i| sql_like(i * 37, i as u64)));
    for data in &inputs {
        for level in 0..=9 {
            assert_plain(&deflate(data, level), data);
        }
    }
    // Sync and full flushes: empty stored blocks and byte alignment mid-stream.
    let data = mixed(1 << 20, 4);
    for (every, flush) in [(10_000, FlushCompress::Sync), (77_777, FlushCompress::Full), (5000, FlushCompress::Partial)]
    {
        for level in [1, 6, 9] {
            assert_plain(&deflate_flushing(&data, level, every, flush), &data);
        }
    }
}

#[test]
fn false_positive_rate_on_random_bytes() {
    let data = Rng(0x5eed).bytes(1 << 20);
    let total = data.len() as u64 * 8;
    let mut hits = 0;
    let mut at = 0;
    while let Some(b) = find_block(&data, at, total) {
        hits += 1;
        at = b + 1;
    }
    // Loose bound: random data yields a confirmed candidate a handful of times per MB at most.
    assert!(hits <= 4, "{hits} false positives in 1 MiB of random bytes");
}

#[test]
fn no_false_positives_in_real_streams() {
    // Every hit of a scan over a real stream must be a true dynamic block start.
    for (data, level) in [(sql_like(3 << 20, 5), 6), (mixed(3 << 20, 6), 9), (common::drifting_words(2 << 20, 7), 2)] {
        let comp = deflate(&data, level);
        let full = inflate(&comp, data.len()).expect("decodes");
        let total = comp.len() as u64 * 8;
        let mut at = 0;
        let mut hits = 0;
        while let Some(b) = find_block(&comp, at, total) {
            assert!(full.blocks.iter().any(|x| x.bit == b && x.btype == 2 && !x.last), "false positive at {b}");
            hits += 1;
            at = b + 1;
        }
        assert_eq!(hits, full.blocks.iter().filter(|x| x.btype == 2 && !x.last).count());
    }
}

/// Runs every entry point on `data`; checks ranges and limits.
fn exercise(data: &[u8], from_bit: u64, max_out: usize) {
    let total = data.len() as u64 * 8;
    let to = from_bit.saturating_add(4096);
    if let Some(b) = find_block(data, from_bit, to) {
        assert!(b >= from_bit && b < to.min(total));
        let mut sym = vec![1, 2, 3];
        let r = decode_speculative(data, b, max_out, &mut sym);
        assert!(sym.len() <= max_out + 3, "{r:?}");
        if let Ok(SpecEnd::Clean { bit } | SpecEnd::Final { bit }) = r {
            assert!(bit > b && bit <= total);
        }
    }
    let mut sym = Vec::new();
    let _ = decode_speculative(data, from_bit, max_out, &mut sym);
    assert!(sym.len() <= max_out);
    let mut sym = Vec::new();
    let _ = decode_until(data, from_bit, from_bit + 5000, max_out, &mut sym);
    assert!(sym.len() <= max_out);
    if let Ok(r) = inflate(data, max_out) {
        assert!(r.data.len() <= max_out && r.end_bit <= total);
    }
}

/// Differential check: `inflate` accepts exactly the streams zlib accepts (up to `limit` output bytes), with the
/// same output.
fn same_verdict_as_zlib(comp: &[u8], limit: usize) {
    let mut d = flate2::Decompress::new(false);
    let mut z = Vec::with_capacity(limit);
    let zlib = matches!(d.decompress_vec(comp, &mut z, FlushDecompress::Finish), Ok(flate2::Status::StreamEnd));
    match inflate(comp, z.capacity()) {
        Ok(ours) => assert!(zlib && ours.data == z, "we accept what zlib rejects, or differ"),
        Err(e) => assert!(!zlib || z.len() == z.capacity(), "zlib accepts what we reject: {e}"),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn flate2_streams_roundtrip(data in proptest::collection::vec(any::<u8>(), 0..5000), level in 0u32..10, text in any::<bool>()) {
        let data = if text { sql_like(data.len() * 8, data.first().copied().unwrap_or(0).into()) } else { data };
        assert_plain(&deflate(&data, level), &data);
    }

    #[test]
    fn garbage_never_panics(data in proptest::collection::vec(any::<u8>(), 0..3000), from in 0u64..30000, max_out in 0usize..100_000) {
        exercise(&data, from, max_out);
    }

    #[test]
    fn biased_garbage_never_panics(seed in any::<u64>(), len in 0usize..3000, from in 0u64..2000, max_out in 0usize..100_000) {
        // Mostly-zero bytes reach the deeper decoding paths far more often than uniform bytes.
        let mut r = Rng(seed | 1);
        let data: Vec<u8> = (0..len).map(|_| { let v = r.next(); (v as u8) & (v >> 8) as u8 & (v >> 16) as u8 }).collect();
        exercise(&data, from, max_out);
        same_verdict_as_zlib(&data, 1 << 20);
    }

    #[test]
    fn bit_flipped_streams_never_panic(seed in any::<u64>(), flips in 1usize..8, level in 1u32..10, max_out in 0usize..300_000) {
        let data = mixed(200_000, seed);
        let mut comp = deflate(&data, level);
        let mut r = Rng(seed | 1);
        for _ in 0..flips {
            let bit = r.below(comp.len() as u64 * 8);
            comp[(bit / 8) as usize] ^= 1 << (bit % 8);
        }
        same_verdict_as_zlib(&comp, data.len() * 2);
        let from = r.below(comp.len() as u64 * 8);
        exercise(&comp, from, max_out);
        exercise(&comp, 0, max_out);
        if let Some(b) = find_block(&comp, from, comp.len() as u64 * 8) {
            let mut sym = Vec::new();
            let _ = decode_speculative(&comp, b, max_out, &mut sym);
            prop_assert!(sym.len() <= max_out);
        }
    }
}
