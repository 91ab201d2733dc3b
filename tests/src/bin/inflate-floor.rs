//! The single-stream floor of issue 4: inflates one entry of a ZIP archive alone, on one thread,
//! with the verifier's inflater (flate2 on zlib-rs, raw DEFLATE) and CRC (crc32fast), as fast as
//! that pair goes, and checks CRC-32 and size against the central directory.
//!
//! ```text
//! inflate-floor [--repeat N] [--out-kib K] FILE ENTRY
//! ```
//!
//! Prints one line: entry, sizes, seconds and GB/s of decompressed output (best of N runs).
//! Exit code 1 when the CRC or the size does not match. The archive parser here is minimal (end
//! record, ZIP64 end record, central directory, one local header): benchmark inputs only.
#![allow(clippy::print_stdout, clippy::print_stderr)]
#![allow(clippy::disallowed_methods, reason = "a front end: it reads files and times itself")]

use std::fs::File;
use std::io;
use std::os::unix::fs::FileExt;
use std::process::ExitCode;
use std::time::Instant;

use flate2::{Decompress, FlushDecompress, Status};

const USAGE: &str = "usage: inflate-floor [--repeat N] [--out-kib K] FILE ENTRY";
/// Compressed bytes per read.
const IN_CHUNK: usize = 4 << 20;
/// Decompressed bytes per inflate call (default): large enough to amortise calls and zlib's
/// window update, small enough that the CRC reads it back from L2.
const OUT_CHUNK: usize = 256 << 10;

fn main() -> ExitCode {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
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
