//! Throughput of the building blocks on a ~50 MB SQL-dump-like stream (flate2 level 6) and on random bytes.
//!
//! Run with `cargo run --release --manifest-path deflate-split/Cargo.toml --example speed`.
// A benchmark front end: it prints and reads the clock, which the workspace lints reserve for front ends.
#![allow(clippy::print_stdout, clippy::disallowed_methods)]

#[path = "../tests/common/mod.rs"]
mod common;

use std::time::Instant;

use deflate_split::{WINDOW, decode_speculative, decode_until, find_block, inflate, resolve};

fn mbs(bytes: u64, secs: f64) -> f64 {
    bytes as f64 / secs / 1e6
}

fn main() {
    let data = common::sql_like(50 << 20, 42);
    let comp = common::deflate(&data, 6);
    let total = comp.len() as u64 * 8;
    println!("input {:.1} MB, compressed {:.1} MB (level 6)", data.len() as f64 / 1e6, comp.len() as f64 / 1e6);

    let t = Instant::now();
    let full = inflate(&comp, data.len()).expect("decodes");
    let secs = t.elapsed().as_secs_f64();
    assert!(full.data == data);
    println!("inflate (plain, u8):        {:7.1} MB/s of output", mbs(data.len() as u64, secs));

    let t = Instant::now();
    let z = common::inflate_flate2(&comp);
    println!("flate2/zlib-rs reference:   {:7.1} MB/s of output", mbs(z.len() as u64, t.elapsed().as_secs_f64()));

    // find_block on random bytes: a pure scan (nothing to find).
    let random = common::Rng(7).bytes(16 << 20);
    let t = Instant::now();
    let mut hits = 0;
    let mut at = 0;
    while let Some(b) = find_block(&random, at, random.len() as u64 * 8) {
        hits += 1;
        at = b + 1;
    }
    let secs = t.elapsed().as_secs_f64();
    println!("find_block, random bytes:   {:7.1} MB/s scanned ({hits} false positives in 16 MiB)", mbs(16 << 20, secs));

    // find_block on the real stream from 200 evenly spaced offsets: MB/s of compressed data scanned.
    let t = Instant::now();
    let mut scanned = 0;
    let mut starts = Vec::new();
    for i in 0..200 {
        let from = total * i / 200;
        if let Some(b) = find_block(&comp, from, total) {
            scanned += b - from;
            starts.push(b);
        }
    }
    let secs = t.elapsed().as_secs_f64();
    println!(
        "find_block, real stream:    {:7.1} MB/s scanned ({:.1} KB per search on average)",
        mbs(scanned / 8, secs),
        scanned as f64 / 8.0 / 1e3 / starts.len() as f64
    );

    // Marker-mode decoding of whole chunks (the general path), then resolving.
    starts.dedup();
    let chunk_starts: Vec<u64> = starts.iter().copied().step_by(starts.len() / 16).collect();
    let t = Instant::now();
    let mut symbols = 0;
    let mut chunks = Vec::new();
    for (i, &s) in chunk_starts.iter().enumerate() {
        let stop = chunk_starts.get(i + 1).copied().unwrap_or(u64::MAX);
        let mut sym = Vec::new();
        decode_until(&comp, s, stop, 1 << 30, &mut sym).expect("chunk decodes");
        symbols += sym.len();
        chunks.push((s, sym));
    }
    let secs = t.elapsed().as_secs_f64();
    println!("decode_until (markers):     {:7.1} MB/s of output symbols", mbs(symbols as u64, secs));

    let t = Instant::now();
    let mut out = Vec::with_capacity(symbols);
    for (s, sym) in &chunks {
        let off = full.blocks.iter().find(|b| b.bit == *s).expect("true block").out_offset;
        resolve(sym, &data[off.saturating_sub(WINDOW)..off], &mut out).expect("resolves");
    }
    println!("resolve:                    {:7.1} MB/s", mbs(out.len() as u64, t.elapsed().as_secs_f64()));

    // decode_speculative from the middle, bounded to 16 MB of output.
    let mid = chunk_starts[chunk_starts.len() / 2];
    let t = Instant::now();
    let mut sym = Vec::new();
    let end = decode_speculative(&comp, mid, 16 << 20, &mut sym);
    println!(
        "decode_speculative:         {:7.1} MB/s of output symbols ({:.1} MB, {end:?})",
        mbs(sym.len() as u64, t.elapsed().as_secs_f64()),
        sym.len() as f64 / 1e6
    );
}
