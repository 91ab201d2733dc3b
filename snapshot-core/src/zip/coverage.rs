//! The byte-coverage map (hazards §7 check 2): every byte of the file belongs to exactly one
//! structure. Overlaps are zip bombs or damage; gaps hide entries or junk.

use super::descriptor::Expect;
use super::records::{EOCD64_LEN, LOCATOR_LEN, SIG_LOCAL};
use super::trailer::Trailer;
use super::{Archive, FLAG_DESCRIPTOR};
use crate::Error;
use crate::code::Code;
use crate::report::Finding;
use crate::source::{ReadAt, read_full};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Owner {
    Entry(usize),
    Directory,
    EndRecords,
}

pub(crate) fn check(
    src: &dyn ReadAt,
    archive: &mut Archive,
    trailer: &Trailer,
    gap_scan_bytes: u64,
    findings: &mut Vec<Finding>,
    omitted: &mut std::collections::BTreeMap<Code, u64>,
) -> Result<(), Error> {
    let mut ranges: Vec<(u64, u64, Owner)> = Vec::with_capacity(archive.entries.len().saturating_add(3));
    for e in &archive.entries {
        // An end past 2^64 saturates: the entry then covers the rest of the file and overlaps
        // what follows, rather than dropping out of the map and leaving its header "hidden".
        let Some(start) = e.data_offset else { continue };
        let data_end = start.saturating_add(e.compressed_size);
        let mut end = data_end;
        if e.flags & FLAG_DESCRIPTOR != 0 {
            let mut buf = [0u8; 24];
            let got = read_full(src, data_end, &mut buf)?;
            let want = Expect { crc: e.crc, csize: e.compressed_size, usize: e.uncompressed_size, wide: e.local_zip64 };
            let (len, problem) = super::descriptor::check(&buf[..got], want);
            end = end.saturating_add(len);
            if let Some(msg) = problem {
                findings.push(Finding::new(Code::DescriptorMismatch, msg).at_path(&e.name).at_offset(data_end));
            }
        }
        ranges.push((e.local_offset, end, Owner::Entry(e.index)));
    }
    ranges.push((archive.cd_offset, archive.cd_offset.saturating_add(archive.cd_size), Owner::Directory));
    let end_start = match trailer.eocd64_offset {
        Some(at) => at.min(trailer.eocd_offset.saturating_sub(LOCATOR_LEN)),
        None => trailer.eocd_offset,
    };
    let _ = EOCD64_LEN;
    ranges.push((end_start, trailer.end, Owner::EndRecords));
    ranges.sort_by_key(|r| (r.0, r.1));

    let mut cursor = trailer.concat;
    let mut owner_of_cursor: Option<Owner> = None;
    let mut scanned = 0u64;
    let mut next = crate::report::BOUND_FROM;
    for &(start, end, owner) in &ranges {
        crate::report::cap_when_grown(findings, omitted, &mut next);
        if start < cursor {
            match (owner_of_cursor, owner) {
                (Some(Owner::Entry(a)), Owner::Entry(b)) => {
                    let (first, second) = (&archive.entries[a], &archive.entries[b]);
                    findings.push(
                        Finding::new(
                            Code::EntriesOverlap,
                            format!(
                                "'{}' (entry {}) starts at byte {start}, inside '{}' (entry {}) which runs to byte {cursor}: overlapping entries are the zip-bomb construction; its data is not decompressed",
                                second.name,
                                b.saturating_add(1),
                                first.name,
                                a.saturating_add(1)
                            ),
                        )
                        .at_path(&second.name)
                        .at_offset(start),
                    );
                    archive.entries[b].readable = false;
                }
                (Some(Owner::Entry(a)), _) | (_, Owner::Entry(a)) => {
                    let e = &archive.entries[a];
                    findings.push(
                        Finding::new(
                            Code::EntryOverlapsCentralDirectory,
                            format!("'{}' overlaps the central directory or end records near byte {start}", e.name),
                        )
                        .at_path(&e.name)
                        .at_offset(start),
                    );
                    archive.entries[a].readable = false;
                }
                _ => findings.push(
                    Finding::new(
                        Code::CentralDirectoryOutOfBounds,
                        format!("the central directory overlaps the end records at byte {start}"),
                    )
                    .at_offset(start),
                ),
            }
        } else if start > cursor && cursor == 0 && !has_local_header(src, 0, start)? {
            findings.push(
                Finding::new(
                    Code::PrependedData,
                    format!(
                        "{start} bytes precede the first entry (a self-extractor stub or other prefix, with offsets adjusted to it); Cloudify never writes them"
                    ),
                )
                .at_offset(0),
            );
        } else if start > cursor {
            let budget = gap_scan_bytes.saturating_sub(scanned);
            scanned = scanned.saturating_add(start.saturating_sub(cursor).min(budget));
            gap(src, cursor, start, budget, findings)?;
        }
        if end > cursor {
            cursor = end;
            owner_of_cursor = Some(owner);
        }
    }
    Ok(())
}

/// Whether a local header signature sits in the first bytes of `[start, end)` (up to 1 MiB).
fn has_local_header(src: &dyn ReadAt, start: u64, end: u64) -> Result<bool, Error> {
    let mut buf = vec![0u8; end.saturating_sub(start).min(1 << 20) as usize];
    let got = read_full(src, start, &mut buf)?;
    Ok(memchr::memmem::find(&buf[..got], &SIG_LOCAL).is_some())
}

/// How many bytes a gap scan reads next: up to the budget's stop plus 3 (so a signature across
/// the stop is seen), never past the gap's end or the buffer. In u64 until the end, so a gap over
/// 4 GiB is not cut short on 32-bit targets.
fn read_len(to_stop: u64, to_end: u64, buf_len: usize) -> usize {
    (to_stop.saturating_add(3)).min(to_end).min(buf_len as u64) as usize
}

/// Reports a gap: a hidden local header when one is inside, otherwise unexplained bytes.
#[expect(
    clippy::arithmetic_side_effects,
    reason = "start < end (a gap); at < stop <= end; a match at i < got <= end - at; got >= 4 where 3 is taken off"
)]
fn gap(src: &dyn ReadAt, start: u64, end: u64, budget: u64, findings: &mut Vec<Finding>) -> Result<(), Error> {
    let mut buf = vec![0u8; (1 << 20).min(end - start) as usize + 3];
    let mut at = start;
    let stop = end.min(start.saturating_add(budget));
    while at < stop {
        let n = read_len(stop - at, end - at, buf.len());
        let got = read_full(src, at, &mut buf[..n])?;
        if let Some(i) = memchr::memmem::find(&buf[..got], &SIG_LOCAL) {
            findings.push(
                Finding::new(
                    Code::HiddenLocalHeader,
                    format!(
                        "a local header at byte {} lies in {} bytes the central directory does not list (bytes {start}–{end}): a hidden entry that streaming readers and some extractors see",
                        at + i as u64,
                        end - start
                    ),
                )
                .at_offset(at + i as u64),
            );
            return Ok(());
        }
        if got < 4 {
            break;
        }
        at += (got - 3) as u64;
    }
    findings.push(
        Finding::new(
            Code::UnexplainedBytes,
            format!("{} bytes at {start}–{end} belong to no entry or record", end - start),
        )
        .at_offset(start),
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::read_len;

    #[test]
    fn gap_reads_are_sized_in_u64() {
        // On wasm32 `(4 GiB as u64) as usize` would be 0: the scan must still read a full buffer.
        assert_eq!(read_len(1 << 32, 1 << 32, 1 << 20), 1 << 20);
        assert_eq!(read_len((1 << 32) + 1, u64::MAX, 4099), 4099);
        assert_eq!(read_len(10, 12, 1 << 20), 12);
        assert_eq!(read_len(10, 100, 1 << 20), 13);
        assert_eq!(read_len(u64::MAX, u64::MAX, 7), 7);
    }
}
