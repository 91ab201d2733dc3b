//! What the quick level will read, guessed from the central directory so that it can be
//! fetched in a few parallel GETs instead of one round trip per local header.
//!
//! This is a prefetch hint, never a finding: it reads the end records and the central directory
//! through the source (the cache serves the core the same bytes again), and any inconsistency
//! just ends the hint. The core parses the archive itself, with all its checks.

use snapshot_core::{ReadAt, read_full};
use std::ops::Range;

const EOCD: u32 = 0x0605_4b50;
const ZIP64_LOCATOR: u32 = 0x0706_4b50;
const ZIP64_EOCD: u32 = 0x0606_4b50;
const CENTRAL: u32 = 0x0201_4b50;
/// The most central-directory bytes the hint reads.
const MAX_CD: u64 = 64 << 20;
/// Bytes assumed for a local header's name and extra field beyond the central directory's.
const HEADER_SLACK: u64 = 64;
/// Small JSON members (metadata.json and its kind) are read at the quick level: prefetch them.
const SMALL_JSON: u64 = 1 << 20;
/// Ranges closer than this are fetched as one.
const GAP: u64 = 64 << 10;

/// The byte ranges the quick level will read (the central directory, every local header and
/// the small JSON members), merged, at most `budget` bytes; empty when the end records do not
/// parse.
pub fn wanted(src: &dyn ReadAt, budget: usize) -> Vec<Range<u64>> {
    let Some((cd, count)) = central_directory(src) else { return Vec::new() };
    let mut ranges = vec![cd.clone()];
    if cd.end - cd.start <= MAX_CD {
        let mut buf = vec![0u8; (cd.end - cd.start) as usize];
        if read_full(src, cd.start, &mut buf).ok() == Some(buf.len()) {
            ranges.extend(local_ranges(&buf, count, src.size()));
        }
    }
    let size = src.size();
    merge(ranges.into_iter().map(|r| r.start.min(size)..r.end.min(size)).collect(), budget as u64)
}

fn u16_at(b: &[u8], at: usize) -> Option<u64> {
    Some(u64::from(u16::from_le_bytes(b.get(at..at + 2)?.try_into().ok()?)))
}
fn u32_at(b: &[u8], at: usize) -> Option<u64> {
    Some(u64::from(u32::from_le_bytes(b.get(at..at + 4)?.try_into().ok()?)))
}
fn u64_at(b: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_le_bytes(b.get(at..at + 8)?.try_into().ok()?))
}

/// The central directory's range and entry count, from the (ZIP64) end records.
fn central_directory(src: &dyn ReadAt) -> Option<(Range<u64>, u64)> {
    let size = src.size();
    let tail_len = size.min(65_557);
    let mut tail = vec![0u8; tail_len as usize];
    let tail_start = size - tail_len;
    if read_full(src, tail_start, &mut tail).ok()? != tail.len() {
        return None;
    }
    let at = (0..tail.len().saturating_sub(21)).rev().find(|&i| u32_at(&tail, i) == Some(u64::from(EOCD)))?;
    let (mut count, mut cd_size, mut cd_offset) =
        (u16_at(&tail, at + 10)?, u32_at(&tail, at + 12)?, u32_at(&tail, at + 16)?);
    if count == 0xFFFF || cd_size == 0xFFFF_FFFF || cd_offset == 0xFFFF_FFFF {
        let loc = at.checked_sub(20)?;
        if u32_at(&tail, loc)? != u64::from(ZIP64_LOCATOR) {
            return None;
        }
        let z = u64_at(&tail, loc + 8)?;
        let mut rec = [0u8; 56];
        if read_full(src, z, &mut rec).ok()? != rec.len() || u32_at(&rec, 0)? != u64::from(ZIP64_EOCD) {
            return None;
        }
        (count, cd_size, cd_offset) = (u64_at(&rec, 32)?, u64_at(&rec, 40)?, u64_at(&rec, 48)?);
    }
    let end = cd_offset.checked_add(cd_size)?;
    (end <= size).then_some((cd_offset..end, count))
}

/// The reads the core makes of every entry's local header (`snapshot_core::local_header_reads`:
/// prefetching exactly these leaves the quick level no read of its own to wait for; the local
/// name and extra field are taken from the central directory, so a header that differs costs
/// one read of the core's own at most) and the data of the small JSON members, from the central
/// directory of a file of `size` bytes.
fn local_ranges(cd: &[u8], count: u64, size: u64) -> Vec<Range<u64>> {
    let mut out = Vec::new();
    let mut headers = Vec::new();
    let mut at = 0usize;
    for _ in 0..count {
        let Some(entry) = record(cd, at) else { break };
        // The local name and extra field may be a little longer than the central directory's.
        let end = entry.header.end.saturating_add(HEADER_SLACK);
        out.push(entry.header.start..end);
        if entry.json && entry.compressed <= SMALL_JSON {
            out.push(entry.header.end..end.saturating_add(entry.compressed));
        }
        headers.push(entry.header);
        at = entry.next;
    }
    out.extend(snapshot_core::local_header_reads(headers, size));
    out
}

struct Record {
    header: Range<u64>,
    compressed: u64,
    json: bool,
    next: usize,
}

fn record(cd: &[u8], at: usize) -> Option<Record> {
    if u32_at(cd, at)? != u64::from(CENTRAL) {
        return None;
    }
    let (name_len, extra_len, comment_len) = (u16_at(cd, at + 28)?, u16_at(cd, at + 30)?, u16_at(cd, at + 32)?);
    let (mut compressed, mut offset) = (u32_at(cd, at + 20)?, u32_at(cd, at + 42)?);
    let uncompressed = u32_at(cd, at + 24)?;
    let name_at = at + 46;
    let name = cd.get(name_at..name_at + name_len as usize)?;
    let extra = cd.get(name_at + name_len as usize..name_at + (name_len + extra_len) as usize)?;
    // The ZIP64 extra field holds, in order, whichever of the three sizes are saturated.
    let mut e = 0usize;
    while e + 4 <= extra.len() {
        let (id, len) = (u16_at(extra, e)?, u16_at(extra, e + 2)? as usize);
        if id == 1 {
            let mut v = e + 4;
            if uncompressed == 0xFFFF_FFFF {
                v += 8;
            }
            if compressed == 0xFFFF_FFFF {
                compressed = u64_at(extra, v)?;
                v += 8;
            }
            if offset == 0xFFFF_FFFF {
                offset = u64_at(extra, v)?;
            }
        }
        e += 4 + len;
    }
    let header_end = offset.checked_add(30 + name_len + extra_len)?;
    let json = name.len() >= 5 && name[name.len() - 5..].eq_ignore_ascii_case(b".json");
    Some(Record {
        header: offset..header_end,
        compressed,
        json,
        next: name_at + (name_len + extra_len + comment_len) as usize,
    })
}

/// Sorts and merges ranges closer than [`GAP`], keeping at most `budget` bytes.
fn merge(mut ranges: Vec<Range<u64>>, budget: u64) -> Vec<Range<u64>> {
    ranges.sort_by_key(|r| r.start);
    let mut out: Vec<Range<u64>> = Vec::new();
    for r in ranges.into_iter().filter(|r| r.start < r.end) {
        match out.last_mut() {
            Some(last) if r.start <= last.end.saturating_add(GAP) => last.end = last.end.max(r.end),
            _ => out.push(r),
        }
    }
    let mut total = 0u64;
    out.retain(|r| {
        total = total.saturating_add(r.end - r.start);
        total <= budget
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use snapshot_tests::zipw::{Entry, ZipBuilder};

    #[test]
    fn the_hint_names_every_local_header_and_small_json_member() {
        let mut zip = ZipBuilder::new();
        zip = zip.push(Entry::file("metadata.json", b"{\"snapshot_version\":\"7.0.0\"}".to_vec()));
        let big: Vec<u8> = (0..300_000u32).map(|k| (k.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
        zip = zip.push(Entry::file("dump.bin", big).stored());
        zip = zip.push(Entry::file("tail.json", b"{}".to_vec()));
        let bytes = zip.build();
        let (cd, count) = central_directory(&bytes).unwrap();
        assert_eq!(count, 3);
        assert!(cd.end <= bytes.len() as u64);
        let ranges = wanted(&bytes, 1 << 30);
        // The first member and its header, then a gap over the big stored entry, then the rest.
        assert_eq!(ranges.len(), 2, "{ranges:?}");
        assert_eq!(ranges[0].start, 0);
        assert!(ranges[1].end >= cd.end);
        // The core's header windows run up to 1 MiB on; the hint stops at the end of the file
        // (a block past it could never be fetched).
        assert!(ranges.iter().all(|r| r.end <= bytes.len() as u64), "{ranges:?}");
        assert!(wanted(&b"not a zip".to_vec(), 1 << 30).is_empty());
    }
}
