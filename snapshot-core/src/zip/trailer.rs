//! Finding the end of the archive: every EOCD candidate, the ZIP64 locator and record, and the
//! one view Python's `zipfile` (and so Cloudify's restore) takes.

use super::Entry;
use super::records::*;
use crate::Error;
use crate::code::Code;
use crate::report::Finding;
use crate::source::{ReadAt, read_full};

/// The end records as resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Trailer {
    /// Where the chosen EOCD starts.
    pub eocd_offset: u64,
    /// Its comment length as declared.
    pub comment_len: u64,
    /// Where the ZIP64 record starts, when present.
    pub eocd64_offset: Option<u64>,
    /// Entry count (ZIP64 value when present).
    pub entries: u64,
    /// Central directory size.
    pub cd_size: u64,
    /// Central directory offset as declared (before adjusting for prepended data).
    pub cd_offset: u64,
    /// Bytes before the archive proper (Python's `concat`): added to every declared offset.
    pub concat: u64,
    /// Where the archive's own bytes end (EOCD plus its comment, clamped to the file).
    pub end: u64,
    /// The classic end record's entry count as declared (16 bits).
    pub classic_entries: u16,
    /// The other plausible end records in the tail (offset, declared entries), in file order:
    /// competing end records unless an entry's data explains them ([`check_rivals`]).
    pub rivals: Vec<(u64, u16)>,
}

/// How far back from the end an EOCD can start: the record plus the longest comment.
const TAIL_WINDOW: u64 = EOCD_LEN + u16::MAX as u64 + LOCATOR_LEN + EOCD64_LEN;

/// The last bytes of the file, where every end record must lie.
struct Tail {
    start: u64,
    bytes: Vec<u8>,
}

/// What the ZIP64 records (or the classic record alone) say about the central directory.
struct DirectoryView {
    entries: u64,
    cd_size: u64,
    cd_offset: u64,
    eocd64_offset: Option<u64>,
    /// The locator's position, the record offset it declares, and where Python reads the record.
    locator_target: Option<(u64, u64, u64)>,
}

/// Locates and cross-checks the end records. `Ok(None)` means no usable end record was found
/// (the caller then diagnoses truncation or "not a zip").
pub(crate) fn locate(src: &dyn ReadAt, findings: &mut Vec<Finding>) -> Result<Option<Trailer>, Error> {
    let size = src.size();
    let tail_start = size.saturating_sub(TAIL_WINDOW);
    let mut bytes = vec![0u8; size.saturating_sub(tail_start) as usize];
    let got = read_full(src, tail_start, &mut bytes)?;
    bytes.truncate(got);
    let tail = Tail { start: tail_start, bytes };

    let Some((eocd_offset, eocd, rivals)) = choose_eocd(src, &tail)? else {
        return Ok(None);
    };
    let (comment_len, end) = check_extent(src.size(), &tail, eocd_offset, &eocd, findings);
    let view = directory_view(src, eocd_offset, &eocd, findings)?;
    let mut trailer = resolve_concat(eocd_offset, comment_len, end, view, findings);
    check_declared_directory(src, &trailer, findings)?;
    trailer.rivals = rivals;
    trailer.classic_entries = eocd.entries;
    Ok(Some(trailer))
}

/// Picks the end record Python picks among every EOCD signature in the tail, with the other
/// plausible ones (offset, declared entries) for [`check_rivals`].
type Chosen = (u64, Eocd, Vec<(u64, u16)>);

fn choose_eocd(src: &dyn ReadAt, tail: &Tail) -> Result<Option<Chosen>, Error> {
    let size = src.size();
    // Every EOCD signature in the window, with the ones whose central directory plausibly
    // exists marked valid. Data that merely contains the four bytes is not a candidate.
    let mut candidates = Vec::new();
    for pos in find_all(&tail.bytes, &SIG_EOCD) {
        let Some(eocd) = Eocd::parse(&tail.bytes[pos..]) else { continue };
        let at = tail.start.saturating_add(pos as u64);
        let valid = plausible(src, at, &eocd)?;
        candidates.push((at, eocd, valid));
    }
    let mut valid: Vec<_> = candidates.iter().filter(|c| c.2).collect();
    if valid.is_empty() {
        // No candidate points at a real directory. A record whose comment ends exactly at the
        // end of the file is still the end record; its directory pointer is what is broken.
        valid.extend(
            candidates
                .iter()
                .rev()
                .find(|(at, e, _)| at.checked_add(EOCD_LEN.saturating_add(e.comment_len as u64)) == Some(size)),
        );
    }
    // Python takes the record in the last 22 bytes when its comment length is 0, else the last
    // signature in the window (`rfind`). Among plausible candidates that is the last one.
    let Some((&&(eocd_offset, eocd, _), others)) = valid.split_last() else {
        return Ok(None);
    };
    Ok(Some((eocd_offset, eocd, others.iter().map(|(at, e, _)| (*at, e.entries)).collect())))
}

/// Sorts the end records other than the chosen one. One that lies inside the data of an entry
/// the central directory lists is that entry's content (a stored nested zip): readers that
/// search backwards never reach it, only a reader that scans the tail forwards would stop there,
/// which is worth an info finding. Any other makes the archive ambiguous (an error).
pub(crate) fn check_rivals(trailer: &Trailer, entries: &[Entry], findings: &mut Vec<Finding>) {
    if trailer.rivals.is_empty() {
        return;
    }
    // Data spans that end before the central directory, by start, with the furthest end reached
    // so far: one binary search per record.
    let cd_start = trailer.cd_offset.saturating_add(trailer.concat);
    let mut spans: Vec<(u64, u64, usize)> = entries
        .iter()
        .enumerate()
        .filter_map(|(i, e)| Some((e.data_offset?, e.data_end().filter(|&end| end <= cd_start)?, i)))
        .collect();
    spans.sort_unstable();
    let mut reach: Vec<(u64, usize)> = Vec::with_capacity(spans.len());
    for &(_, end, i) in &spans {
        let best = reach.last().copied().filter(|&(e, _)| e >= end).unwrap_or((end, i));
        reach.push(best);
    }
    let eocd_offset = trailer.eocd_offset;
    let mut loose = Vec::new();
    for &(at, count) in &trailer.rivals {
        let before = spans.partition_point(|s| s.0 <= at);
        let holder = before.checked_sub(1).map(|k| reach[k]).filter(|&(end, _)| end >= at.saturating_add(EOCD_LEN));
        let Some((_, i)) = holder else {
            loose.push((at, count));
            continue;
        };
        let e = &entries[i];
        findings.push(
            Finding::new(
                Code::EmbeddedEndRecord,
                format!(
                    "an end-of-central-directory record ({count} entries) at byte {at} lies inside the data of '{}' (a stored nested archive): it is that entry's content; Python, Info-ZIP and Go search backwards and use the real one at byte {eocd_offset}, but a reader that scans the last 64 KiB forwards would stop at this one",
                    e.name
                ),
            )
            .at_path(&e.name)
            .at_offset(at),
        );
    }
    if !loose.is_empty() {
        let others: Vec<String> = loose.iter().map(|(at, n)| format!("byte {at} ({n} entries)")).collect();
        findings.push(
            Finding::new(
                Code::EndRecordAmbiguous,
                format!(
                    "{} end-of-central-directory records are present; Python's restore uses the last one (byte {eocd_offset}, {} entries), other readers may use {}",
                    loose.len().saturating_add(1),
                    trailer.classic_entries,
                    others.join(", ")
                ),
            )
            .at_offset(eocd_offset),
        );
    }
}

/// Where the archive ends (comment length against the file size), the comment itself and the
/// disk fields. Returns the declared comment length and the archive's end.
fn check_extent(size: u64, tail: &Tail, eocd_offset: u64, eocd: &Eocd, findings: &mut Vec<Finding>) -> (u64, u64) {
    let comment_len = eocd.comment_len as u64;
    let declared_end = eocd_offset.saturating_add(EOCD_LEN).saturating_add(comment_len);
    if declared_end > size {
        findings.push(
            Finding::new(
                Code::CommentLengthMismatch,
                format!(
                    "the end record declares a {comment_len}-byte comment but only {} bytes follow it: the file was cut or altered",
                    size.saturating_sub(eocd_offset).saturating_sub(EOCD_LEN)
                ),
            )
            .at_offset(eocd_offset),
        );
    } else if declared_end < size {
        findings.push(
            Finding::new(
                Code::TrailingData,
                format!(
                    "{} bytes follow the end of the archive at byte {declared_end}; Cloudify never writes them",
                    size.saturating_sub(declared_end)
                ),
            )
            .at_offset(declared_end),
        );
    }
    let end = declared_end.min(size);
    if comment_len > 0 {
        let start = crate::arith::to_usize(eocd_offset.saturating_add(EOCD_LEN).saturating_sub(tail.start));
        let comment = tail
            .bytes
            .get(start..start.saturating_add(crate::arith::to_usize(comment_len)).min(tail.bytes.len()))
            .unwrap_or(&[]);
        findings.push(
            Finding::new(
                Code::ArchiveComment,
                format!("the archive has a {comment_len}-byte comment; Cloudify never writes one"),
            )
            .at_offset(eocd_offset.saturating_add(EOCD_LEN)),
        );
        if has_any_signature(comment) {
            findings.push(
                Finding::new(
                    Code::SignatureInComment,
                    "the archive comment holds a ZIP record signature; some readers parse it as a structure",
                )
                .at_offset(eocd_offset.saturating_add(EOCD_LEN)),
            );
        }
    }
    if eocd.disk != 0 || eocd.cd_disk != 0 || eocd.entries != eocd.entries_this_disk {
        findings.push(
            Finding::new(
                Code::MultiDisk,
                format!(
                    "the end record names disk {} and central-directory disk {} ({} of {} entries on this disk); Cloudify readers support only single-disk archives",
                    eocd.disk, eocd.cd_disk, eocd.entries_this_disk, eocd.entries
                ),
            )
            .at_offset(eocd_offset),
        );
    }
    (comment_len, end)
}

/// The ZIP64 locator and record before the end record, cross-checked with it; the classic
/// record's values when there is no ZIP64 record.
fn directory_view(
    src: &dyn ReadAt,
    eocd_offset: u64,
    eocd: &Eocd,
    findings: &mut Vec<Finding>,
) -> Result<DirectoryView, Error> {
    let mut entries = eocd.entries as u64;
    let mut cd_size = eocd.cd_size as u64;
    let mut cd_offset = eocd.cd_offset as u64;
    let mut eocd64_offset = None;
    let mut locator_target: Option<(u64, u64, u64)> = None;

    // The ZIP64 locator sits immediately before the EOCD. Python reads the record immediately
    // before the locator and ignores the locator's offset field; other readers follow the field.
    let locator = if eocd_offset >= LOCATOR_LEN {
        let mut b = [0u8; LOCATOR_LEN as usize];
        read_full(src, eocd_offset.saturating_sub(LOCATOR_LEN), &mut b)?;
        Locator::parse(&b)
    } else {
        None
    };
    match locator {
        Some(loc) => {
            let loc_at = eocd_offset.saturating_sub(LOCATOR_LEN);
            let python_at = loc_at.checked_sub(EOCD64_LEN);
            if loc.disk != 0 || loc.total_disks > 1 {
                findings.push(
                    Finding::new(
                        Code::MultiDisk,
                        format!("the ZIP64 locator names disk {} of {}", loc.disk, loc.total_disks),
                    )
                    .at_offset(loc_at),
                );
            }
            let record = match python_at {
                Some(at) => {
                    let mut b = [0u8; EOCD64_LEN as usize];
                    read_full(src, at, &mut b)?;
                    Eocd64::parse(&b).map(|r| (at, r))
                }
                None => None,
            };
            match record {
                None => findings.push(
                    Finding::new(
                        Code::Zip64LocatorInvalid,
                        "a ZIP64 locator is present but no ZIP64 end record precedes it",
                    )
                    .at_offset(loc_at),
                ),
                Some((at, rec)) => {
                    // The locator's offset is relative to the archive start; checked against
                    // the prepended-data shift once that is known.
                    locator_target = Some((loc_at, loc.eocd64_offset, at));
                    check_zip64_record(eocd, at, &rec, findings);
                    entries = rec.entries;
                    cd_size = rec.cd_size;
                    cd_offset = rec.cd_offset;
                    eocd64_offset = Some(at);
                }
            }
        }
        None if eocd.needs_zip64() => findings.push(
            Finding::new(
                Code::Zip64LocatorInvalid,
                "the end record holds ZIP64 sentinels but no ZIP64 locator precedes it",
            )
            .at_offset(eocd_offset),
        ),
        None => {}
    }
    Ok(DirectoryView { entries, cd_size, cd_offset, eocd64_offset, locator_target })
}

/// The ZIP64 end record's own fields, and its agreement with the classic record.
fn check_zip64_record(eocd: &Eocd, at: u64, rec: &Eocd64, findings: &mut Vec<Finding>) {
    if rec.record_size != EOCD64_LEN - 12 || rec.version_needed < 45 {
        findings.push(
                Finding::new(
                    Code::Zip64RecordInvalid,
                    format!(
                        "the ZIP64 end record declares size {} and version {}; Cloudify's writer (Python zipfile) always writes 44 and 45; readers that honour the size read a different record",
                        rec.record_size, rec.version_needed
                    ),
                )
                .at_offset(at),
            );
    }
    if rec.disk != 0 || rec.cd_disk != 0 || rec.entries != rec.entries_this_disk {
        findings.push(Finding::new(Code::MultiDisk, "the ZIP64 end record names more than one disk").at_offset(at));
    }
    let mut disagree = Vec::new();
    if eocd.entries != u16::MAX && eocd.entries as u64 != rec.entries {
        disagree.push(format!("entries {} vs {}", eocd.entries, rec.entries));
    }
    if eocd.cd_size != u32::MAX && eocd.cd_size as u64 != rec.cd_size {
        disagree.push(format!("directory size {} vs {}", eocd.cd_size, rec.cd_size));
    }
    if eocd.cd_offset != u32::MAX && eocd.cd_offset as u64 != rec.cd_offset {
        disagree.push(format!("directory offset {} vs {}", eocd.cd_offset, rec.cd_offset));
    }
    if !disagree.is_empty() {
        findings.push(
            Finding::new(
                Code::Zip64Mismatch,
                format!(
                    "the classic and ZIP64 end records disagree ({}); Python's restore uses the ZIP64 values",
                    disagree.join(", ")
                ),
            )
            .at_offset(at),
        );
    }
}

/// C4 (H11a): with prepended bytes, Python (and Info-ZIP, 7-Zip) read the directory where it
/// physically ends; Go prefers the declared offset when a central record sits there. A record at
/// the declared offset is a second directory: the two families list different entries.
fn check_declared_directory(src: &dyn ReadAt, trailer: &Trailer, findings: &mut Vec<Finding>) -> Result<(), Error> {
    if trailer.concat == 0 || trailer.cd_size == 0 {
        return Ok(());
    }
    let mut sig = [0u8; 4];
    if read_full(src, trailer.cd_offset, &mut sig)? == 4 && sig == SIG_CENTRAL {
        findings.push(
            Finding::new(
                Code::EndRecordAmbiguous,
                format!(
                    "a central directory record sits at the declared offset {} as well as at byte {}, where Python finds the directory after adjusting for {} prepended bytes: Python, Info-ZIP and 7-Zip read one directory, readers that trust the declared offset (Go) the other",
                    trailer.cd_offset,
                    trailer.cd_offset.saturating_add(trailer.concat),
                    trailer.concat
                ),
            )
            .at_offset(trailer.cd_offset),
        );
    }
    Ok(())
}

/// Python's `concat` (prepended bytes) from where the directory is declared and where it ends,
/// and the locator's offset checked against it.
fn resolve_concat(
    eocd_offset: u64,
    comment_len: u64,
    end: u64,
    view: DirectoryView,
    findings: &mut Vec<Finding>,
) -> Trailer {
    let DirectoryView { entries, cd_size, cd_offset, eocd64_offset, locator_target } = view;
    // Python's `concat`: where the directory really ends minus where it says it ends.
    let cd_end_physical = eocd64_offset.unwrap_or(eocd_offset);
    let declared_cd_end = cd_offset.checked_add(cd_size);
    let concat = match declared_cd_end {
        Some(e) if e <= cd_end_physical => cd_end_physical.saturating_sub(e),
        _ => {
            findings.push(
                Finding::new(
                    Code::CentralDirectoryOutOfBounds,
                    format!(
                        "the central directory is declared at byte {cd_offset} with {cd_size} bytes, which runs past the end records at byte {cd_end_physical}"
                    ),
                )
                .at_offset(eocd_offset),
            );
            return Trailer {
                eocd_offset,
                comment_len,
                eocd64_offset,
                entries,
                cd_size: 0,
                cd_offset: cd_end_physical,
                concat: 0,
                end,
                classic_entries: 0,
                rivals: Vec::new(),
            };
        }
    };
    if let Some((loc_at, declared, actual)) = locator_target
        && declared.checked_add(concat) != Some(actual)
    {
        findings.push(
                Finding::new(
                    Code::Zip64LocatorInvalid,
                    format!(
                        "the ZIP64 locator points to byte {declared} but the ZIP64 end record is at byte {actual}; Python reads the record before the locator, readers that follow the locator see another"
                    ),
                )
                .at_offset(loc_at),
            );
    }
    if concat > 0 {
        findings.push(
            Finding::new(
                Code::PrependedData,
                format!(
                    "the central directory sits {concat} bytes later than declared: {concat} bytes were prepended; Python's restore shifts every offset silently, Info-ZIP warns, other readers fail"
                ),
            )
            .at_offset(0),
        );
    }
    Trailer {
        eocd_offset,
        comment_len,
        eocd64_offset,
        entries,
        cd_size,
        cd_offset,
        concat,
        end,
        classic_entries: 0,
        rivals: Vec::new(),
    }
}

/// Whether an EOCD candidate describes a central directory that exists: an empty archive, or a
/// central record signature where it says (allowing for prepended data), or ZIP64 sentinels
/// with a locator before it.
fn plausible(src: &dyn ReadAt, at: u64, eocd: &Eocd) -> Result<bool, Error> {
    if eocd.needs_zip64() {
        if at < LOCATOR_LEN {
            return Ok(false);
        }
        let mut sig = [0u8; 4];
        read_full(src, at.saturating_sub(LOCATOR_LEN), &mut sig)?;
        return Ok(sig == SIG_LOCATOR);
    }
    if eocd.entries == 0 && eocd.cd_size == 0 {
        return Ok(true);
    }
    let (size, offset) = (eocd.cd_size as u64, eocd.cd_offset as u64);
    let mut sig = [0u8; 4];
    // Physical directory start for Python's view (prepended data shifts it) and the declared one.
    for start in [at.saturating_sub(size), offset] {
        if read_full(src, start, &mut sig)? == 4 && sig == SIG_CENTRAL {
            return Ok(true);
        }
    }
    Ok(false)
}
