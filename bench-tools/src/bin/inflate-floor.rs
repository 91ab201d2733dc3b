//! The single-stream floor of issue 4: inflates one entry of a ZIP archive alone, on one thread,
//! with the verifier's inflater (flate2 on zlib-rs, raw DEFLATE) and CRC (crc32fast), as fast as
//! that pair goes, and checks CRC-32 and size against the central directory.
//!
//! ```text
//! inflate-floor [--repeat N] [--out-kib K] FILE ENTRY
//! inflate-floor --split FRACTION|auto FILE ENTRY
//! ```
//!
//! Prints one line: entry, sizes, seconds and GB/s of decompressed output (best of N runs).
//! Exit code 1 when the CRC or the size does not match. The archive parser here is minimal (end
//! record, ZIP64 end record, central directory, one local header): benchmark inputs only.
//!
//! `--split` is the probe behind ARCHITECTURE.md's "single-stream floor" section: with the
//! entry's compressed bytes in memory, it times one-thread zlib-rs, then decodes the stream on
//! two threads the way rapidgzip does (zlib-rs up to a block boundary found at FRACTION of the
//! compressed data, `deflate-split`'s marker decoder from there to the end, markers resolved
//! on both threads once the first part's window is known, CRCs combined), checks CRC and size,
//! and reports how much of the unknown window is still unresolved further on (why the
//! bounded-memory variant, which waits for a marker-free window, never hands over on
//! row-structured dumps).
#![allow(clippy::print_stdout, clippy::print_stderr)]
#![allow(clippy::disallowed_methods, reason = "a front end: it reads files and times itself")]

use std::fs::File;
use std::io;
use std::os::unix::fs::FileExt;
use std::process::ExitCode;
use std::time::Instant;

use flate2::{Decompress, FlushDecompress, Status};

const USAGE: &str =
    "usage: inflate-floor [--repeat N] [--out-kib K] FILE ENTRY\n       inflate-floor --split FRACTION|auto FILE ENTRY";
/// Compressed bytes per read.
const IN_CHUNK: usize = 4 << 20;
/// Decompressed bytes per inflate call (default): large enough to amortise calls and zlib's
/// window update, small enough that the CRC reads it back from L2.
const OUT_CHUNK: usize = 256 << 10;

fn main() -> ExitCode {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().is_some_and(|a| a == "--split") {
        let [_, fraction, file, entry] = args.as_slice() else {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        };
        // `auto`: try split points from 70 % to 95 % and report the best.
        let fraction: Option<f64> = fraction.parse().ok();
        return match split::probe(file, entry, fraction) {
            Ok(true) => ExitCode::SUCCESS,
            Ok(false) => ExitCode::FAILURE,
            Err(e) => {
                eprintln!("inflate-floor: {file}: {e}");
                ExitCode::from(2)
            }
        };
    }
    let (mut repeat, mut out_chunk) = (1usize, OUT_CHUNK);
    while args.len() >= 2 && args[0].starts_with("--") {
        let value: usize = args[1].parse().unwrap_or(0);
        match args[0].as_str() {
            "--repeat" => repeat = value.max(1),
            "--out-kib" => out_chunk = (value << 10).max(1 << 10),
            _ => break,
        }
        args.drain(..2);
    }
    let [file, entry] = args.as_slice() else {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    };
    match run(file, entry, repeat, out_chunk) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("inflate-floor: {file}: {e}");
            ExitCode::from(2)
        }
    }
}

fn run(path: &str, name: &str, repeat: usize, out_chunk: usize) -> io::Result<bool> {
    let file = File::open(path)?;
    let e = find_entry(&file, name)?;
    let mut best = f64::INFINITY;
    let mut ok = true;
    for _ in 0..repeat {
        let t = Instant::now();
        let (crc, out) = match e.method {
            8 => inflate(&file, e.data_offset, e.csize, out_chunk)?,
            0 => stored(&file, e.data_offset, e.csize)?,
            m => return Err(io::Error::other(format!("method {m} is not stored or deflate"))),
        };
        best = best.min(t.elapsed().as_secs_f64());
        if crc != e.crc || out != e.usize {
            eprintln!(
                "inflate-floor: {name}: CRC {crc:08x} / {out} bytes, but the directory says {:08x} / {} bytes",
                e.crc, e.usize
            );
            ok = false;
        }
    }
    println!(
        "{name}: {} -> {} bytes, crc {:08x} {}, {best:.3} s, {:.3} GB/s (decompressed)",
        e.csize,
        e.usize,
        e.crc,
        if ok { "ok" } else { "MISMATCH" },
        e.usize as f64 / best / 1e9
    );
    Ok(ok)
}

fn inflate(file: &File, offset: u64, csize: u64, out_chunk: usize) -> io::Result<(u32, u64)> {
    let mut input = vec![0u8; IN_CHUNK];
    let mut output = vec![0u8; out_chunk];
    let mut d = Decompress::new(false);
    let mut crc = crc32fast::Hasher::new();
    let (mut pos, end) = (offset, offset + csize);
    'read: while pos < end {
        let n = (end - pos).min(IN_CHUNK as u64) as usize;
        file.read_exact_at(&mut input[..n], pos)?;
        pos += n as u64;
        let mut at = 0;
        loop {
            let before = (d.total_in(), d.total_out());
            let status = d
                .decompress(&input[at..n], &mut output, FlushDecompress::None)
                .map_err(|e| io::Error::other(format!("corrupt DEFLATE stream: {e}")))?;
            at += (d.total_in() - before.0) as usize;
            let produced = (d.total_out() - before.1) as usize;
            crc.update(&output[..produced]);
            match status {
                Status::StreamEnd => break 'read,
                _ if at == n && produced < out_chunk => break,
                _ if produced == 0 && at == n => break,
                _ => {}
            }
        }
    }
    Ok((crc.finalize(), d.total_out()))
}

fn stored(file: &File, offset: u64, csize: u64) -> io::Result<(u32, u64)> {
    let mut input = vec![0u8; IN_CHUNK];
    let mut crc = crc32fast::Hasher::new();
    let (mut pos, end) = (offset, offset + csize);
    while pos < end {
        let n = (end - pos).min(IN_CHUNK as u64) as usize;
        file.read_exact_at(&mut input[..n], pos)?;
        crc.update(&input[..n]);
        pos += n as u64;
    }
    Ok((crc.finalize(), csize))
}

struct Found {
    method: u16,
    crc: u32,
    csize: u64,
    usize: u64,
    data_offset: u64,
}

fn u16_at(b: &[u8], at: usize) -> u16 {
    u16::from_le_bytes([b[at], b[at + 1]])
}
fn u32_at(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(b[at..at + 4].try_into().expect("4 bytes"))
}
fn u64_at(b: &[u8], at: usize) -> u64 {
    u64::from_le_bytes(b[at..at + 8].try_into().expect("8 bytes"))
}

fn bad(msg: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, msg.to_owned())
}

/// Finds `name` in the central directory and its data offset from the local header.
fn find_entry(file: &File, name: &str) -> io::Result<Found> {
    let size = file.metadata()?.len();
    let tail_len = size.min(65_557) as usize;
    let mut tail = vec![0u8; tail_len];
    file.read_exact_at(&mut tail, size - tail_len as u64)?;
    let eocd = (0..=tail_len.saturating_sub(22))
        .rev()
        .find(|&i| u32_at(&tail, i) == 0x0605_4b50)
        .ok_or_else(|| bad("no end of central directory record"))?;
    let mut cd_size = u64::from(u32_at(&tail, eocd + 12));
    let mut cd_offset = u64::from(u32_at(&tail, eocd + 16));
    let eocd_pos = size - tail_len as u64 + eocd as u64;
    if eocd_pos >= 20 {
        let mut loc = [0u8; 20];
        file.read_exact_at(&mut loc, eocd_pos - 20)?;
        if u32_at(&loc, 0) == 0x0706_4b50 {
            let mut rec = [0u8; 56];
            file.read_exact_at(&mut rec, u64_at(&loc, 8))?;
            if u32_at(&rec, 0) != 0x0606_4b50 {
                return Err(bad("bad ZIP64 end record"));
            }
            cd_size = u64_at(&rec, 40);
            cd_offset = u64_at(&rec, 48);
        }
    }
    let mut cd = vec![0u8; usize::try_from(cd_size).map_err(|_| bad("central directory too large"))?];
    file.read_exact_at(&mut cd, cd_offset)?;
    let mut at = 0;
    while at + 46 <= cd.len() && u32_at(&cd, at) == 0x0201_4b50 {
        let (n, x, c) = (u16_at(&cd, at + 28) as usize, u16_at(&cd, at + 30) as usize, u16_at(&cd, at + 32) as usize);
        let this = &cd[at + 46..at + 46 + n];
        if this == name.as_bytes() {
            let mut csize = u64::from(u32_at(&cd, at + 20));
            let mut usize = u64::from(u32_at(&cd, at + 24));
            let mut local = u64::from(u32_at(&cd, at + 42));
            // ZIP64 extra: the sentinel fields, in order.
            let extra = &cd[at + 46 + n..at + 46 + n + x];
            let mut e = 0;
            while e + 4 <= extra.len() {
                let (id, len) = (u16_at(extra, e), u16_at(extra, e + 2) as usize);
                if id == 1 {
                    let mut v = e + 4;
                    for field in [&mut usize, &mut csize, &mut local] {
                        if *field == 0xFFFF_FFFF && v + 8 <= e + 4 + len {
                            *field = u64_at(extra, v);
                            v += 8;
                        }
                    }
                }
                e += 4 + len;
            }
            let mut lfh = [0u8; 30];
            file.read_exact_at(&mut lfh, local)?;
            if u32_at(&lfh, 0) != 0x0403_4b50 {
                return Err(bad("no local header at the recorded offset"));
            }
            let data_offset = local + 30 + u64::from(u16_at(&lfh, 26)) + u64::from(u16_at(&lfh, 28));
            return Ok(Found { method: u16_at(&cd, at + 10), crc: u32_at(&cd, at + 16), csize, usize, data_offset });
        }
        at += 46 + n + x + c;
    }
    Err(bad(&format!("no entry named {name:?}")))
}

/// The two-core split probe (`--split`).
mod split {
    use super::{Found, bad, find_entry};
    use deflate_split::{WINDOW, decode_speculative, decode_until, find_block, resolve};
    use flate2::{Decompress, FlushDecompress, Status};
    use std::fs::File;
    use std::io;
    use std::os::unix::fs::FileExt;
    use std::time::Instant;

    /// zlib-rs over `data` (from its start up to `end` bytes, or to the stream's end): CRC,
    /// size and the last window of output.
    fn zlib(data: &[u8]) -> io::Result<(crc32fast::Hasher, u64, Vec<u8>)> {
        let mut d = Decompress::new(false);
        let mut out = vec![0u8; 256 << 10];
        let mut crc = crc32fast::Hasher::new();
        let mut tail = Vec::new();
        loop {
            let before = (d.total_in(), d.total_out());
            let status = d
                .decompress(&data[d.total_in() as usize..], &mut out, FlushDecompress::None)
                .map_err(|e| io::Error::other(format!("corrupt DEFLATE stream: {e}")))?;
            let produced = (d.total_out() - before.1) as usize;
            crc.update(&out[..produced]);
            let keep = produced.min(WINDOW);
            tail.drain(..(tail.len() + keep).saturating_sub(WINDOW));
            tail.extend_from_slice(&out[produced - keep..produced]);
            let consumed = d.total_in() - before.0;
            if status == Status::StreamEnd || (consumed == 0 && produced == 0) {
                return Ok((crc, d.total_out(), tail));
            }
        }
    }

    pub fn probe(path: &str, name: &str, fraction: Option<f64>) -> io::Result<bool> {
        let file = File::open(path)?;
        let e: Found = find_entry(&file, name)?;
        if e.method != 8 {
            return Err(bad("--split needs a deflated entry"));
        }
        let mut data = vec![0u8; usize::try_from(e.csize).map_err(|_| bad("entry too large"))?];
        file.read_exact_at(&mut data, e.data_offset)?;
        let bits = data.len() as u64 * 8;

        // One thread, from memory (best of 3, like the split below).
        let mut one = f64::INFINITY;
        let (mut crc, mut size) = (crc32fast::Hasher::new(), 0);
        for _ in 0..3 {
            let t = Instant::now();
            (crc, size, _) = zlib(&data)?;
            one = one.min(t.elapsed().as_secs_f64());
        }
        let one_ok = crc.finalize() == e.crc && size == e.usize;
        println!(
            "{name}: one thread, zlib-rs from memory: {one:.3} s ({:.2} GB/s), crc/size {}",
            e.usize as f64 / one / 1e9,
            ok(one_ok)
        );

        // How much of the unknown window is still unknown further on.
        let mid = (bits / 2) & !7;
        let start = find_block(&data, mid, bits).ok_or_else(|| bad("no block boundary after the middle"))?;
        let mut syms = vec![1u16; 64 << 20]; // non-zero: calloc would map lazy zero pages
        syms.clear(); // pages faulted in before timing
        let t = Instant::now();
        let spec = decode_speculative(&data, start, 64 << 20, &mut syms);
        let dt = t.elapsed().as_secs_f64();
        println!(
            "marker decoder from the middle: {:.0} MB/s of output; stopped with {spec:?} after {} MB",
            syms.len() as f64 / dt / 1e6,
            syms.len() >> 20
        );
        let mut line = String::from("unknown bytes in the 32 KiB window after");
        for mb in [1usize, 8, 32, 64] {
            let end = mb << 20;
            if end <= syms.len() {
                let unknown = syms[end - WINDOW..end].iter().filter(|&&s| s > 255).count();
                line += &format!(" {mb} MB: {:.0}%;", unknown as f64 * 100.0 / WINDOW as f64);
            }
        }
        println!("{}", line.trim_end_matches(';'));
        drop(syms);

        // Two threads: zlib-rs to the boundary, markers from it, then resolve on both. Best of
        // 3 per split point: the first run also pays for faulting in the marker buffer's pages.
        let fractions = match fraction {
            Some(f) => vec![f],
            None => vec![0.7, 0.75, 0.8, 0.85, 0.9, 0.95],
        };
        let mut best: Option<(f64, f64, bool, f64, usize)> = None;
        let mut all_ok = true;
        for f in fractions {
            for _ in 0..3 {
                let run = split_once(&data, &e, f)?;
                all_ok &= run.2;
                if best.is_none_or(|b| run.0 < b.0) {
                    best = Some(run);
                }
            }
        }
        let (two, decoded, _, at, held) = best.expect("at least one run");
        let two_ok = all_ok;
        println!(
            "two threads, best split at {at:.0}% of the compressed bytes: {two:.3} s (decode {decoded:.3} s, resolve {:.3} s) = {:.2}x one thread; crc/size {}; held {} MiB of markers",
            two - decoded,
            one / two,
            ok(two_ok),
            held >> 20
        );
        Ok(one_ok && two_ok)
    }

    /// One two-thread split decode: (seconds, of which decoding, CRC and size ok, split point in
    /// % of the compressed bits, bytes of markers held).
    fn split_once(data: &[u8], e: &Found, fraction: f64) -> io::Result<(f64, f64, bool, f64, usize)> {
        let bits = data.len() as u64 * 8;
        let t = Instant::now();
        let from = ((bits as f64 * fraction) as u64).min(bits);
        let b = find_block(data, from, bits).ok_or_else(|| bad("no block boundary at the split point"))?;
        let head = &data[..b.div_ceil(8) as usize];
        let (first, second) = std::thread::scope(|s| {
            let first = s.spawn(|| zlib(head));
            let second = s.spawn(|| {
                // Reserve what the entry's ratio predicts: growing by doubling would copy it.
                let ratio = e.usize as f64 / e.csize.max(1) as f64;
                let mut syms = Vec::with_capacity(((bits - b) as f64 / 8.0 * ratio * 1.02) as usize);
                decode_until(data, b, bits, usize::MAX, &mut syms).map(|r| (r, syms))
            });
            (first.join().expect("first part"), second.join().expect("second part"))
        });
        let (mut crc, head_size, window) = first?;
        let (reached, syms) = second.map_err(|e| io::Error::other(format!("second part: {e}")))?;
        let decoded = t.elapsed().as_secs_f64();
        let half = syms.len() / 2;
        // Resolve through a small reused buffer: CRC as it goes, nothing large allocated.
        let resolve_crc = |part: &[u16]| -> Result<crc32fast::Hasher, deflate_split::SpecError> {
            let mut h = crc32fast::Hasher::new();
            let mut bytes = Vec::with_capacity(1 << 18);
            for chunk in part.chunks(1 << 18) {
                bytes.clear();
                resolve(chunk, &window, &mut bytes)?;
                h.update(&bytes);
            }
            Ok(h)
        };
        let parts = std::thread::scope(|s| {
            let a = s.spawn(|| resolve_crc(&syms[..half]));
            let b = s.spawn(|| resolve_crc(&syms[half..]));
            (a.join().expect("resolve"), b.join().expect("resolve"))
        });
        for part in [parts.0, parts.1] {
            crc.combine(&part.map_err(|e| io::Error::other(format!("resolve: {e}")))?);
        }
        let two = t.elapsed().as_secs_f64();
        let size2 = head_size + syms.len() as u64;
        let two_ok = reached.last && crc.finalize() == e.crc && size2 == e.usize;
        Ok((two, decoded, two_ok, b as f64 * 100.0 / bits as f64, syms.len() * 2))
    }

    fn ok(good: bool) -> &'static str {
        if good { "ok" } else { "MISMATCH" }
    }
}
