//! The ZIP container: end records, central directory, local headers, byte coverage, names.
//!
//! [`parse`] builds the [`Archive`] model Python's `zipfile` would build (central directory
//! authoritative, offsets shifted by prepended data, last EOCD in the tail) and records every
//! way the file departs from it, or from what other readers would see, as findings.

mod collisions;
mod coverage;
mod descriptor;
mod extra;
mod local;
pub use local::local_header_reads;
mod names;
pub(crate) mod records;
mod trailer;
mod truncation;

use crate::Error;
use crate::code::{Code, Severity};
use crate::report::Finding;
use crate::source::{ReadAt, read_full};
use records::*;

/// General-purpose flag bits.
pub(crate) const FLAG_ENCRYPTED: u16 = 1;
pub(crate) const FLAG_DESCRIPTOR: u16 = 1 << 3;
pub(crate) const FLAG_STRONG_ENCRYPTION: u16 = 1 << 6;
pub(crate) const FLAG_UTF8: u16 = 1 << 11;

/// Compression methods Cloudify writes.
pub(crate) const METHOD_STORED: u16 = 0;
pub(crate) const METHOD_DEFLATE: u16 = 8;

/// One entry, as the central directory lists it and its local header confirms it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Entry {
    /// Position in the central directory.
    pub index: usize,
    /// The name as decoded (UTF-8, else CP437), for reports and path logic.
    pub name: String,
    /// The raw name bytes, kept only when they differ from `name` (not UTF-8): most archives
    /// hold one copy of each name, which matters at 100,000 entries.
    raw_name: Option<Box<[u8]>>,
    pub flags: u16,
    pub method: u16,
    pub crc: u32,
    pub compressed_size: u64,
    pub uncompressed_size: u64,
    pub external_attr: u32,
    /// High byte of "version made by": 0 MS-DOS, 3 Unix.
    pub create_system: u8,
    /// Where the central record starts.
    pub central_offset: u64,
    /// Where the local header starts (after adjusting for prepended data).
    pub local_offset: u64,
    /// Where the data starts, when the local header could be read.
    pub data_offset: Option<u64>,
    /// Whether the data may be decompressed: false for entries whose headers are broken, whose
    /// data overlaps another entry, or that are encrypted or use an unknown method.
    pub readable: bool,
    /// The name Python 3.12+ extracts when a central Unicode Path extra field (0x7075) changes it.
    pub unicode_name: Option<Box<[u8]>>,
    /// Whether the local header carries a ZIP64 extra field (a data descriptor is then 64-bit).
    pub local_zip64: bool,
}

impl Entry {
    /// The raw name bytes as the central directory stores them.
    pub(crate) fn raw(&self) -> &[u8] {
        self.raw_name.as_deref().unwrap_or(self.name.as_bytes())
    }

    /// Whether the name marks a directory.
    pub(crate) fn is_dir(&self) -> bool {
        self.name.ends_with('/')
    }

    /// The Unix mode, when the entry was made on Unix (or any system that sets the high bits).
    pub(crate) fn unix_mode(&self) -> Option<u32> {
        let mode = self.external_attr >> 16;
        (mode != 0).then_some(mode)
    }

    /// Where the data ends (exclusive), when known.
    pub(crate) fn data_end(&self) -> Option<u64> {
        self.data_offset?.checked_add(self.compressed_size)
    }

    /// The bytes a data check reads: the declared compressed size from the data's start (or,
    /// for an entry whose local header could not be read, from the local header's offset).
    pub(crate) fn data_span(&self) -> std::ops::Range<u64> {
        let start = self.data_offset.unwrap_or(self.local_offset);
        start..start.saturating_add(self.compressed_size)
    }
}

/// The parsed container.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Archive {
    pub size: u64,
    pub entries: Vec<Entry>,
    pub zip64: bool,
    pub concat: u64,
    pub cd_offset: u64,
    pub cd_size: u64,
    pub comment_len: u64,
    /// Indices of the entries whose name has no `/` (in order): the files restore reads by name
    /// sit at the top, so [`Archive::by_name`] looks there without walking 100,000 entries.
    top: Vec<usize>,
}

impl Archive {
    /// The entries whose name has no `/`, in order.
    pub(crate) fn top_level(&self) -> impl Iterator<Item = &Entry> {
        self.top.iter().filter_map(|&i| self.entries.get(i))
    }

    /// Entries by exact name, last copy wins (Python's `NameToInfo`).
    pub(crate) fn by_name(&self, name: &str) -> Option<&Entry> {
        if name.contains('/') {
            return self.entries.iter().rev().find(|e| e.name == name);
        }
        self.top.iter().rev().filter_map(|&i| self.entries.get(i)).find(|e| e.name == name)
    }
}

/// Limits that keep work bounded on hostile input.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ParseLimits {
    pub max_entries: u64,
    pub gap_scan_bytes: u64,
}

/// Parses the container. `Ok(None)` means there is no archive to speak of (empty file, not a
/// ZIP, or truncated before the central directory); the findings say which.
pub(crate) fn parse(
    src: &dyn ReadAt,
    limits: ParseLimits,
    findings: &mut Vec<Finding>,
) -> Result<Option<Archive>, Error> {
    let mut omitted = std::collections::BTreeMap::new();
    let archive = parse_counted(src, limits, findings, &mut omitted)?;
    findings.extend(crate::report::omitted_findings(&omitted));
    Ok(archive)
}

/// [`parse`], leaving the findings past each code's cap counted in `omitted` for the caller to
/// summarise once, with the rest of its report.
pub(crate) fn parse_counted(
    src: &dyn ReadAt,
    limits: ParseLimits,
    findings: &mut Vec<Finding>,
    omitted: &mut std::collections::BTreeMap<crate::Code, u64>,
) -> Result<Option<Archive>, Error> {
    let size = src.size();
    if size == 0 {
        findings.push(Finding::new(Code::EmptyFile, "the file is empty (0 bytes)"));
        return Ok(None);
    }
    let Some(trailer) = trailer::locate(src, findings)? else {
        truncation::diagnose(src, findings)?;
        return Ok(None);
    };
    let cd_start = trailer.cd_offset.saturating_add(trailer.concat);
    let mut entries = read_directory(src, &trailer, limits, findings)?;
    local::check_locals(src, &mut entries, findings, omitted)?;
    check_entries(&mut entries, findings, omitted);
    collisions::check_collisions(src, &entries, findings)?;
    let mut archive = Archive {
        size,
        zip64: trailer.eocd64_offset.is_some(),
        concat: trailer.concat,
        cd_offset: cd_start,
        cd_size: trailer.cd_size,
        comment_len: trailer.comment_len,
        top: entries.iter().enumerate().filter(|(_, e)| !e.name.as_bytes().contains(&b'/')).map(|(i, _)| i).collect(),
        entries,
    };
    trailer::check_rivals(&trailer, &archive.entries, findings);
    coverage::check(src, &mut archive, &trailer, limits.gap_scan_bytes, findings, omitted)?;
    crate::report::cap_per_code(findings, omitted);
    Ok(Some(archive))
}

/// Reads the central directory's records into entries, and reports how the records disagree
/// with the end record's count and size.
fn read_directory(
    src: &dyn ReadAt,
    trailer: &trailer::Trailer,
    limits: ParseLimits,
    findings: &mut Vec<Finding>,
) -> Result<Vec<Entry>, Error> {
    let cd_start = trailer.cd_offset.saturating_add(trailer.concat);
    let cd_end = cd_start.saturating_add(trailer.cd_size);
    #[expect(clippy::arithmetic_side_effects, reason = "division by the non-zero record length")]
    let max_records = trailer.cd_size / CENTRAL_LEN as u64;
    if trailer.entries > max_records {
        findings.push(
            Finding::new(
                Code::TooManyEntries,
                format!(
                    "the end record declares {} entries, but a {}-byte central directory holds at most {}",
                    trailer.entries, trailer.cd_size, max_records
                ),
            )
            .at_offset(trailer.eocd_offset),
        );
    }
    let mut entries = Vec::new();
    let mut reader = Chunked::new(src, cd_start, cd_end);
    let mut pos = cd_start;
    while pos < cd_end {
        if entries.len() as u64 >= limits.max_entries {
            findings.push(
                Finding::new(
                    Code::TooManyEntries,
                    format!(
                        "the central directory holds more than {} entries; verification stops there",
                        limits.max_entries
                    ),
                )
                .at_offset(pos),
            );
            break;
        }
        let Some(fixed) = reader.get(pos, CENTRAL_LEN)?.and_then(CentralFixed::parse) else {
            findings.push(
                Finding::new(
                    Code::CentralDirectoryInvalid,
                    format!(
                        "no central directory record at byte {pos} (record {} of {}); the directory is damaged",
                        entries.len().saturating_add(1),
                        trailer.entries
                    ),
                )
                .at_offset(pos),
            );
            break;
        };
        let var_len = fixed.variable_len();
        let Some(var) = reader.get(pos.saturating_add(CENTRAL_LEN as u64), var_len)? else {
            findings.push(
                Finding::new(
                    Code::CentralDirectoryInvalid,
                    format!("the central directory record at byte {pos} runs past the end of the directory"),
                )
                .at_offset(pos),
            );
            break;
        };
        let (raw_name, rest) = var.split_at(fixed.name_len as usize);
        let (extra, comment) = rest.split_at(fixed.extra_len as usize);
        let entry = central_entry(entries.len(), pos, &fixed, raw_name, (extra, comment), trailer.concat, findings);
        entries.push(entry);
        pos = pos.saturating_add(crate::arith::to_u64(CENTRAL_LEN.saturating_add(var_len)));
    }
    check_directory_extent(trailer, entries.len() as u64, pos, findings);
    Ok(entries)
}

/// Compares the records read (`records`, ending at `pos`) with the end record's entry count and
/// directory size.
fn check_directory_extent(trailer: &trailer::Trailer, records: u64, pos: u64, findings: &mut Vec<Finding>) {
    let cd_start = trailer.cd_offset.saturating_add(trailer.concat);
    let cd_end = cd_start.saturating_add(trailer.cd_size);
    if records != trailer.entries {
        findings.push(
            Finding::new(
                Code::EntryCountMismatch,
                format!(
                    "the end record declares {} entries but the central directory holds {records} records{}",
                    trailer.entries,
                    if trailer.entries % 65536 == records % 65536 && trailer.entries != records {
                        " (equal only modulo 65,536)"
                    } else {
                        ""
                    }
                ),
            )
            .at_offset(trailer.eocd_offset),
        );
    } else if pos != cd_end && pos < cd_end {
        findings.push(
            Finding::new(
                Code::CentralDirectorySizeMismatch,
                format!(
                    "the end record declares a {}-byte central directory but its records end after {} bytes",
                    trailer.cd_size,
                    pos.saturating_sub(cd_start)
                ),
            )
            .at_offset(cd_start),
        );
    }
    if pos > cd_end {
        findings.push(
            Finding::new(
                Code::CentralDirectorySizeMismatch,
                format!(
                    "the central directory's records run {} bytes past its declared size",
                    pos.saturating_sub(cd_end)
                ),
            )
            .at_offset(cd_end),
        );
    }
}

/// Names, types, modes and methods of every entry; marks encrypted entries and unknown methods
/// unreadable.
fn check_entries(
    entries: &mut [Entry],
    findings: &mut Vec<Finding>,
    omitted: &mut std::collections::BTreeMap<Code, u64>,
) {
    let mut next = crate::report::BOUND_FROM;
    for entry in entries {
        names::check_entry(entry, findings);
        let encrypted = entry.flags & (FLAG_ENCRYPTED | FLAG_STRONG_ENCRYPTION) != 0;
        if encrypted || !matches!(entry.method, METHOD_STORED | METHOD_DEFLATE) {
            entry.readable = false;
        }
        crate::report::cap_when_grown(findings, omitted, &mut next);
    }
}

/// Builds an entry from its central record and reports what the record alone shows.
fn central_entry(
    index: usize,
    at: u64,
    fixed: &CentralFixed,
    raw_name: &[u8],
    tail: (&[u8], &[u8]),
    concat: u64,
    findings: &mut Vec<Finding>,
) -> Entry {
    let name = names::decode(raw_name, fixed.flags);
    let (extra, comment) = tail;
    let ctx = extra::Ctx {
        local: false,
        name: raw_name,
        comment,
        flags: fixed.flags,
        sentinels: extra::Sentinels {
            usize: fixed.usize == u32::MAX,
            csize: fixed.csize == u32::MAX,
            offset: fixed.local_offset == u32::MAX,
            disk: fixed.disk_start == u16::MAX,
        },
    };
    let extras = extra::walk(extra, &ctx);
    let mut push = |p: extra::Problem| {
        let f = Finding::new(p.code, p.message).severity(p.severity).at_path(&name).at_offset(at);
        findings.push(match p.effect {
            Some(effect) => f.with_effect(effect),
            None => f,
        });
    };
    for p in extras.problems.iter().cloned() {
        push(extra::Problem { message: format!("central directory extra fields: {}", p.message), ..p });
    }
    let (usize, csize, offset, problem) =
        resolve_zip64(extras.zip64, fixed.usize, fixed.csize, Some(fixed.local_offset));
    if let Some(message) = problem {
        push(extra::Problem { code: Code::Zip64ExtraInvalid, severity: Severity::Error, message, effect: None });
    }
    let (up_problem, unicode_name) = extra::unicode_path_central(&extras.unicode_paths, &ctx);
    up_problem.into_iter().for_each(&mut push);
    descriptor::check_comment(comment, &mut push);
    if let Some(message) = descriptor::dos_datetime(fixed.mdate, fixed.mtime) {
        push(extra::Problem { code: Code::DosDatetimeInvalid, severity: Severity::Warning, message, effect: None });
    }
    if fixed.disk_start != 0 {
        findings.push(
            Finding::new(Code::MultiDisk, format!("the entry starts on disk {}", fixed.disk_start))
                .at_path(&name)
                .at_offset(at),
        );
    }
    Entry {
        index,
        raw_name: (name.as_bytes() != raw_name).then(|| raw_name.into()),
        name,
        flags: fixed.flags,
        method: fixed.method,
        crc: fixed.crc,
        compressed_size: csize,
        uncompressed_size: usize,
        external_attr: fixed.external_attr,
        create_system: (fixed.version_made_by >> 8) as u8,
        central_offset: at,
        local_offset: offset.unwrap_or(0).saturating_add(concat),
        data_offset: None,
        readable: true,
        unicode_name,
        local_zip64: false,
    }
}

/// Sequential reads of a byte range through one large buffer, so a central directory of
/// 100,000 records costs a few reads, and memory stays bounded whatever the directory declares.
pub(crate) struct Chunked<'a> {
    src: &'a dyn ReadAt,
    buf: Vec<u8>,
    /// How many bytes of `buf`, from `buf_start`, hold the source.
    len: usize,
    buf_start: u64,
    end: u64,
}

const CHUNK: usize = 4 << 20;

impl<'a> Chunked<'a> {
    pub(crate) fn new(src: &'a dyn ReadAt, start: u64, end: u64) -> Chunked<'a> {
        Chunked { src, buf: Vec::new(), len: 0, buf_start: start, end: end.min(src.size()) }
    }

    /// The bytes `[offset, offset + len)`, or `None` when they run past the range's end.
    pub(crate) fn get(&mut self, offset: u64, len: usize) -> Result<Option<&[u8]>, Error> {
        let Some(want_end) = offset.checked_add(len as u64) else { return Ok(None) };
        if want_end > self.end {
            return Ok(None);
        }
        let buf_end = self.buf_start.saturating_add(self.len as u64);
        if offset < self.buf_start || want_end > buf_end {
            let n = self.end.saturating_sub(offset).min(CHUNK.max(len) as u64) as usize;
            // Zeroed only as it grows: a directory read in several chunks fills the same bytes.
            if self.buf.len() < n {
                self.buf.resize(n, 0);
            }
            let got = read_full(self.src, offset, &mut self.buf[..n])?;
            self.len = got;
            self.buf_start = offset;
            if got < len {
                return Ok(None);
            }
        }
        let s = crate::arith::to_usize(offset.saturating_sub(self.buf_start));
        let e = s.saturating_add(len);
        Ok(self.buf.get(s..e).filter(|_| e <= self.len))
    }
}
