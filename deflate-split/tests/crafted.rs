//! Hand-made streams: DEFLATE corner cases, marker semantics and zlib's header validation rules.

mod common;

use common::{BitWriter, Code, canonical, dynamic_header, dynamic_header_cl, fixed_lit, plain_lens};
use deflate_split::{
    BitShifter, MARKER_BASE, SpecEnd, SpecError, WINDOW, clean_tail, decode_speculative, decode_until, find_block,
    inflate, resolve,
};
use flate2::{Decompress, FlushDecompress, Status};

const M: u16 = MARKER_BASE;
const W: u16 = WINDOW as u16;

fn inv(msg: &'static str) -> Result<SpecEnd, SpecError> {
    Err(SpecError::Invalid(msg))
}

/// What zlib says about a raw stream: Ok(output) or Err(message).
fn zlib(data: &[u8]) -> Result<Vec<u8>, String> {
    let mut d = Decompress::new(false);
    let mut out = Vec::with_capacity(1 << 16);
    match d.decompress_vec(data, &mut out, FlushDecompress::Finish) {
        Ok(Status::StreamEnd) => Ok(out),
        Ok(s) => Err(format!("{s:?}")),
        Err(e) => Err(e.to_string()),
    }
}

/// Fixed block header, then literal/length symbols with (extra value, bits), then distance codes.
enum Tok {
    Lit(u32),
    Match { len_sym: u32, len_extra: (u32, u32), dist_sym: u32, dist_extra: (u32, u32) },
}

fn fixed_block(w: &mut BitWriter, last: bool, toks: &[Tok]) {
    w.put(u32::from(last), 1).put(1, 2);
    for t in toks {
        match *t {
            Tok::Lit(s) => {
                w.code(fixed_lit(s));
            }
            Tok::Match { len_sym, len_extra, dist_sym, dist_extra } => {
                w.code(fixed_lit(len_sym))
                    .put(len_extra.0, len_extra.1)
                    .code((dist_sym, 5))
                    .put(dist_extra.0, dist_extra.1);
            }
        }
    }
    w.code(fixed_lit(256));
}

fn m(len_sym: u32, dist_sym: u32) -> Tok {
    Tok::Match { len_sym, len_extra: (0, 0), dist_sym, dist_extra: (0, 0) }
}

#[test]
fn overlapping_copy_and_length_258() {
    let mut w = BitWriter::default();
    // 'x', copy 3 from 1 back; 'a', length 258 (symbol 285) from 1 back; length 258 via 284 + extra 31.
    let toks = [
        Tok::Lit(u32::from(b'x')),
        m(257, 0),
        Tok::Lit(u32::from(b'a')),
        m(285, 0),
        Tok::Match { len_sym: 284, len_extra: (31, 5), dist_sym: 0, dist_extra: (0, 0) },
    ];
    fixed_block(&mut w, true, &toks);
    let data = w.finish();
    let mut want = b"xxxx".to_vec();
    want.extend(std::iter::repeat_n(b'a', 1 + 258 + 258));
    assert_eq!(inflate(&data, 10_000).expect("valid").data, want);
    assert_eq!(zlib(&data).expect("zlib agrees"), want);
    assert_eq!(inflate(&data, want.len() - 1), Err(SpecError::TooLong));
}

#[test]
fn markers_from_the_unknown_window() {
    let mut w = BitWriter::default();
    // Length 5 from 3 back at the very start: markers W-3, W-2, W-1, W-3, W-2 (copying markers copies them).
    // Then 'q'; length 4 (symbol 258) from 32768 back (distance symbol 29, extra 8191) at output position 6:
    // markers 6..=9; then length 3 from 2 back, overlapping itself: positions 8, 9, 10 again.
    let toks = [
        m(259, 2),
        Tok::Lit(u32::from(b'q')),
        Tok::Match { len_sym: 258, len_extra: (0, 0), dist_sym: 29, dist_extra: (8191, 13) },
        m(257, 1),
    ];
    fixed_block(&mut w, true, &toks);
    let data = w.finish();
    let mut sym = vec![7u16];
    let end = decode_speculative(&data, 0, 1000, &mut sym).expect("decodes");
    assert!(matches!(end, SpecEnd::Final { .. }));
    // Output position 6 copies from 32768 back: marker k = WINDOW + 6 - 32768 = 6.
    let want = [7, M + W - 3, M + W - 2, M + W - 1, M + W - 3, M + W - 2, u16::from(b'q'), M + 6, M + 7, M + 8, M + 9];
    let want: Vec<u16> = want.iter().copied().chain([M + 8, M + 9, M + 8]).collect();
    assert_eq!(sym, want);
    // Resolve against a full window and against a short right-aligned one.
    let window: Vec<u8> = (0..WINDOW).map(|i| (i % 251) as u8).collect();
    let mut out = Vec::new();
    resolve(&sym[1..], &window, &mut out).expect("resolves");
    let wb = |k: usize| window[k];
    assert_eq!(
        out,
        [wb(WINDOW - 3), wb(WINDOW - 2), wb(WINDOW - 1), wb(WINDOW - 3), wb(WINDOW - 2), b'q', 6, 7, 8, 9, 8, 9, 8]
    );
    let mut out = Vec::new();
    resolve(&sym[1..6], b"XYZ", &mut out).expect("short window suffices for the first markers");
    assert_eq!(out, b"XYZXY");
    assert!(resolve(&sym[1..], b"XYZ", &mut Vec::new()).is_err());
    // Plain decoding rejects the same stream.
    assert_eq!(inflate(&data, 1000), Err(SpecError::Invalid("invalid distance too far back")));
    assert!(zlib(&data).is_err());
}

#[test]
fn invalid_fixed_symbols_and_stored_lengths() {
    for (sym, dist, msg) in [
        (286, 0, "invalid literal/length code"),
        (287, 0, "invalid literal/length code"),
        (257, 30, "invalid distance code"),
        (257, 31, "invalid distance code"),
    ] {
        let mut w = BitWriter::default();
        fixed_block(&mut w, true, &[Tok::Lit(65), m(sym, dist)]);
        let data = w.finish();
        assert_eq!(decode_speculative(&data, 0, 1000, &mut Vec::new()), inv(msg), "symbol {sym} distance {dist}");
        assert!(zlib(&data).is_err());
    }
    // Stored: LEN must equal !NLEN.
    let mut w = BitWriter::default();
    w.put(1, 1).put(0, 2).align().put(3, 16).put(!3 & 0xffff, 16);
    w.out.extend_from_slice(b"abc");
    let good = w.finish();
    assert_eq!(inflate(&good, 10).expect("stored").data, b"abc");
    let mut bad = good.clone();
    bad[3] ^= 1;
    assert_eq!(decode_speculative(&bad, 0, 10, &mut Vec::new()), inv("invalid stored block lengths"));
    assert!(zlib(&bad).is_err());
    // Stored data cut short, and a reserved block type.
    assert_eq!(decode_speculative(&good[..good.len() - 1], 0, 10, &mut Vec::new()), Err(SpecError::NeedInput));
    assert_eq!(decode_speculative(&[0b111], 0, 10, &mut Vec::new()), inv("invalid block type"));
}

#[test]
fn bfinal_and_block_sequence() {
    // Stored "ab" (not last, at bit 0), fixed "c" + copy (not last), stored empty (last).
    let mut w = BitWriter::default();
    w.put(0, 1).put(0, 2).align().put(2, 16).put(!2 & 0xffff, 16);
    w.out.extend_from_slice(b"ab");
    let second = w.bit_len();
    fixed_block(&mut w, false, &[Tok::Lit(u32::from(b'c')), m(257, 2)]);
    let third = w.bit_len();
    w.put(1, 1).put(0, 2).align().put(0, 16).put(0xffff, 16);
    let end = w.bit_len();
    w.out.extend_from_slice(b"trailing garbage");
    let data = w.finish();
    let full = inflate(&data, 100).expect("valid");
    assert_eq!(full.data, b"abcabc");
    let bits: Vec<(u64, usize, u8, bool)> =
        full.blocks.iter().map(|b| (b.bit, b.out_offset, b.btype, b.last)).collect();
    assert_eq!(bits, [(0, 0, 0, false), (second, 2, 1, false), (third, 6, 0, true)]);
    assert_eq!(full.end_bit, end);
    let mut sym = Vec::new();
    assert_eq!(decode_speculative(&data, second, 100, &mut sym), Ok(SpecEnd::Final { bit: end }));
    assert_eq!(sym, [u16::from(b'c'), M + W - 2, M + W - 1, u16::from(b'c')]);
    let mut sym = Vec::new();
    let r = decode_until(&data, 0, second + 1, 100, &mut sym).expect("decodes");
    assert_eq!((r.bit, r.last, sym.len()), (third, false, 6));
}

/// A dynamic block: literal/length code lens `lit` (257.. entries), distance lens `dist`, then `body` written by
/// the caller using the returned codes.
fn dynamic(w: &mut BitWriter, last: bool, lit: &[u32], dist: &[u32]) -> (Vec<Code>, Vec<Code>) {
    let mut all = lit.to_vec();
    all.extend_from_slice(dist);
    dynamic_header(w, last, lit.len() as u32 - 257, dist.len() as u32 - 1, &plain_lens(&all));
    (canonical(lit), canonical(dist))
}

/// Lit/len lens: 'a' = 1, EOB = 2, symbol 257 (length 3) = 2. Complete.
fn small_lit() -> Vec<u32> {
    let mut l = vec![0; 258];
    l[usize::from(b'a')] = 1;
    l[256] = 2;
    l[257] = 2;
    l
}

#[test]
fn dynamic_blocks_accepted_like_zlib() {
    for dist in [vec![1, 1], vec![1], vec![0]] {
        // Complete distance code, a single one-bit code, and an empty one (no matches then).
        let mut w = BitWriter::default();
        let (lc, dc) = dynamic(&mut w, false, &small_lit(), &dist);
        w.code(lc[usize::from(b'a')]);
        if dist[0] != 0 {
            w.code(lc[257]).code(dc[0]);
        }
        w.code(lc[256]);
        let second = w.bit_len();
        fixed_block(&mut w, true, &[Tok::Lit(u32::from(b'z'))]);
        let data = w.finish();
        let want: &[u8] = if dist[0] != 0 { b"aaaaz" } else { b"az" };
        assert_eq!(inflate(&data, 100).expect("valid").data, want, "dist {dist:?}");
        assert_eq!(zlib(&data).expect("zlib agrees"), want);
        assert_eq!(find_block(&data, 0, 1), Some(0), "dist {dist:?}");
        assert_eq!(find_block(&data, 1, second), None);
    }
    // Using the unused half of a single-code distance code is an error.
    let mut w = BitWriter::default();
    let (lc, _) = dynamic(&mut w, true, &small_lit(), &[1]);
    w.code(lc[usize::from(b'a')]).code(lc[257]).put(1, 1).code(lc[256]);
    let data = w.finish();
    assert_eq!(decode_speculative(&data, 0, 100, &mut Vec::new()), inv("invalid distance code"));
    assert!(zlib(&data).is_err());
}

#[test]
fn dynamic_headers_rejected_like_zlib() {
    let lit = small_lit();
    let mut cases: Vec<(&str, BitWriter, &str)> = Vec::new();
    let with = |f: &dyn Fn(&mut BitWriter)| {
        let mut w = BitWriter::default();
        f(&mut w);
        w
    };
    let lens = |l: &[u32], d: &[u32]| [l, d].concat();
    // HLIT = 30 (287 codes) and HDIST = 30 (31 codes).
    cases.push(("hlit", with(&|w| dynamic_header(w, false, 30, 0, &[])), "too many length or distance symbols"));
    cases.push(("hdist", with(&|w| dynamic_header(w, false, 0, 30, &[])), "too many length or distance symbols"));
    // Code-length code incomplete (symbol 0..=12 at length 4 only) and over-subscribed.
    let mut cl = common::CL_LENS;
    cl[16] = 0;
    cases.push(("cl incomplete", with(&|w| dynamic_header_cl(w, false, 1, 1, &cl, &[])), "invalid code lengths set"));
    let mut cl = common::CL_LENS;
    cl[13] = 4;
    cases.push(("cl over", with(&|w| dynamic_header_cl(w, false, 1, 1, &cl, &[])), "invalid code lengths set"));
    // Repeat-previous first; a zero run overrunning the code count.
    cases.push(("repeat first", with(&|w| dynamic_header(w, false, 1, 1, &[(16, 0)])), "invalid bit length repeat"));
    let overrun = [(18, 127), (18, 127), (18, 0)];
    cases.push(("overrun", with(&|w| dynamic_header(w, false, 1, 0, &overrun)), "invalid bit length repeat"));
    // No end-of-block code; incomplete (two codes) and over-subscribed literal/length codes; bad distances.
    let mut no_eob = lit.clone();
    no_eob[256] = 0;
    let l = lens(&no_eob, &[1, 1]);
    cases.push((
        "no eob",
        with(&|w| dynamic_header(w, false, 1, 1, &plain_lens(&l))),
        "invalid code -- missing end-of-block",
    ));
    let mut inc = lit.clone();
    inc[257] = 3;
    let l = lens(&inc, &[1, 1]);
    cases.push((
        "lit incomplete",
        with(&|w| dynamic_header(w, false, 1, 1, &plain_lens(&l))),
        "invalid literal/lengths set",
    ));
    let mut over = lit.clone();
    over[b'b' as usize] = 2;
    let l = lens(&over, &[1, 1]);
    cases.push(("lit over", with(&|w| dynamic_header(w, false, 1, 1, &plain_lens(&l))), "invalid literal/lengths set"));
    let l = lens(&lit, &[2, 2]);
    cases.push((
        "dist incomplete",
        with(&|w| dynamic_header(w, false, 1, 1, &plain_lens(&l))),
        "invalid distances set",
    ));
    let l = lens(&lit, &[1, 1, 1]);
    cases.push(("dist over", with(&|w| dynamic_header(w, false, 1, 2, &plain_lens(&l))), "invalid distances set"));
    for (name, mut w, msg) in cases {
        // Pad with a valid final block so only the header is at fault.
        w.code(fixed_lit(256));
        fixed_block(&mut w, true, &[]);
        w.out.extend_from_slice(&[0; 64]);
        let data = w.finish();
        assert_eq!(decode_speculative(&data, 0, 100, &mut Vec::new()), inv(msg), "{name}");
        assert!(zlib(&data).is_err(), "{name}: zlib accepts it");
        assert_eq!(find_block(&data, 0, 64), None, "{name}");
    }
}

#[test]
fn find_block_needs_a_valid_next_header() {
    let build = |next: &dyn Fn(&mut BitWriter)| {
        let mut w = BitWriter::default();
        let (lc, _) = dynamic(&mut w, false, &small_lit(), &[1, 1]);
        w.code(lc[usize::from(b'a')]).code(lc[256]);
        next(&mut w);
        w.out.extend_from_slice(&[0; 16]);
        w.finish()
    };
    let ok_stored = build(&|w| {
        w.put(1, 1).put(0, 2).align().put(0, 16).put(0xffff, 16);
    });
    assert_eq!(find_block(&ok_stored, 0, 1), Some(0));
    let bad_stored = build(&|w| {
        w.put(1, 1).put(0, 2).align().put(0, 16).put(0xfffe, 16);
    });
    assert_eq!(find_block(&bad_stored, 0, 1), None);
    let bad_type = build(&|w| {
        w.put(0, 1).put(3, 2);
    });
    assert_eq!(find_block(&bad_type, 0, 1), None);
    let bad_dynamic = build(&|w| dynamic_header(w, true, 30, 0, &[]));
    assert_eq!(find_block(&bad_dynamic, 0, 1), None);
    // A final dynamic block is not a candidate.
    let mut w = BitWriter::default();
    let (lc, _) = dynamic(&mut w, true, &small_lit(), &[1, 1]);
    w.code(lc[256]);
    fixed_block(&mut w, true, &[]);
    assert_eq!(find_block(&w.finish(), 0, 1), None);
    // Data ending inside the candidate: None, not a guess.
    assert_eq!(find_block(&ok_stored[..4], 0, 1), None);
}

#[test]
fn bit_shifter_matches_bit_extraction() {
    let mut r = common::Rng(99);
    let input = r.bytes(1000);
    let bit = |b: usize| (input[b / 8] >> (b % 8)) & 1;
    for start in 0..24usize {
        let mut sh = BitShifter::new((start % 8) as u32);
        let mut out = Vec::new();
        let mut rest = &input[start / 8..];
        let mut piece = 0;
        while !rest.is_empty() {
            let n = piece.min(rest.len());
            sh.feed(&rest[..n], &mut out);
            rest = &rest[n..];
            piece = (piece * 3 + 1) % 17;
        }
        sh.finish(&mut out);
        let nbits = input.len() * 8 - start;
        assert_eq!(out.len(), nbits.div_ceil(8));
        for i in 0..out.len() * 8 {
            let want = if i < nbits { bit(start + i) } else { 0 };
            assert_eq!((out[i / 8] >> (i % 8)) & 1, want, "start {start} bit {i}");
        }
    }
}

#[test]
fn clean_tail_and_resolve_edges() {
    assert_eq!(clean_tail(&[]), Some(vec![]));
    assert_eq!(clean_tail(&[1, 2, 3]), Some(vec![1, 2, 3]));
    assert_eq!(clean_tail(&[1, M, 3]), None);
    let mut long = vec![M; 10];
    long.extend((0..WINDOW).map(|i| (i % 256) as u16));
    let tail = clean_tail(&long).expect("marker is outside the last window");
    assert_eq!(tail.len(), WINDOW);
    assert_eq!(tail[..3], [0, 1, 2]);
    let mut out = Vec::new();
    resolve(&[M + W - 1, 65, M], &(0..=255u8).cycle().take(WINDOW + 5).collect::<Vec<_>>(), &mut out).expect("ok");
    // Only the last WINDOW bytes of a longer window count: byte WINDOW-1 of it is (WINDOW + 4) % 256.
    assert_eq!(out, [((WINDOW + 4) % 256) as u8, 65, 5]);
    assert!(resolve(&[M], &[], &mut Vec::new()).is_err());
}
