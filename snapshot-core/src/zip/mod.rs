//! The ZIP container: end records, central directory, local headers, byte coverage, names.
//!
//! [`parse`] builds the [`Archive`] model Python's `zipfile` would build (central directory
//! authoritative, offsets shifted by prepended data, last EOCD in the tail) and records every
//! way the file departs from it, or from what other readers would see, as findings.

mod coverage;
mod names;
pub(crate) mod records;
mod trailer;
mod truncation;

use crate::Error;
use crate::code::Code;
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
}

impl Archive {
    /// Entries by exact name, last copy wins (Python's `NameToInfo`).
    pub(crate) fn by_name(&self, name: &str) -> Option<&Entry> {
        self.entries.iter().rev().find(|e| e.name == name)
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
    let size = src.size();
    if size == 0 {
        findings.push(Finding::new(Code::EmptyFile, "the file is empty (0 bytes)"));
        return Ok(None);
    }
    let Some(trailer) = trailer::locate(src, findings)? else {
        truncation::diagnose(src, findings)?;
        return Ok(None);
    };
    let cd_start = trailer.cd_offset + trailer.concat;
    let cd_end = cd_start + trailer.cd_size;
    if trailer.entries > trailer.cd_size / CENTRAL_LEN as u64 {
        findings.push(
            Finding::new(
                Code::TooManyEntries,
                format!(
                    "the end record declares {} entries, but a {}-byte central directory holds at most {}",
                    trailer.entries,
                    trailer.cd_size,
                    trailer.cd_size / CENTRAL_LEN as u64
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
                        entries.len() + 1,
                        trailer.entries
                    ),
                )
                .at_offset(pos),
            );
            break;
        };
        let var_len = fixed.variable_len();
        let Some(var) = reader.get(pos + CENTRAL_LEN as u64, var_len)? else {
            findings.push(
                Finding::new(
                    Code::CentralDirectoryInvalid,
                    format!("the central directory record at byte {pos} runs past the end of the directory"),
                )
                .at_offset(pos),
            );
            break;
        };
        let raw_name = var[..fixed.name_len as usize].to_vec();
        let extra = &var[fixed.name_len as usize..fixed.name_len as usize + fixed.extra_len as usize];
        let entry = central_entry(entries.len(), pos, &fixed, raw_name, extra, trailer.concat, findings);
        entries.push(entry);
        pos += (CENTRAL_LEN + var_len) as u64;
    }
    let records = entries.len() as u64;
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
                    pos - cd_start
                ),
            )
            .at_offset(cd_start),
        );
    }
    if pos > cd_end {
        findings.push(
            Finding::new(
                Code::CentralDirectorySizeMismatch,
                format!("the central directory's records run {} bytes past its declared size", pos - cd_end),
            )
            .at_offset(cd_end),
        );
    }

    let mut omitted = std::collections::BTreeMap::new();
    // In file order, so dense local headers come from a few large reads.
    let mut order: Vec<usize> = (0..entries.len()).collect();
    order.sort_by_key(|&i| entries[i].local_offset);
    let mut window = HeaderWindow { src, buf: Vec::new(), start: 0 };
    for i in order {
        let entry = &mut entries[i];
        check_local(&mut window, entry, findings)?;
        if findings.len() > 4 * crate::report::PER_CODE * 8 {
            crate::report::cap_per_code(findings, &mut omitted);
        }
    }
    for entry in &mut entries {
        names::check_entry(entry, findings);
        let encrypted = entry.flags & (FLAG_ENCRYPTED | FLAG_STRONG_ENCRYPTION) != 0;
        if encrypted || !matches!(entry.method, METHOD_STORED | METHOD_DEFLATE) {
            entry.readable = false;
        }
        if findings.len() > 4 * crate::report::PER_CODE * 8 {
            crate::report::cap_per_code(findings, &mut omitted);
        }
    }
    names::check_collisions(&entries, findings);
    let archive = Archive {
        size,
        zip64: trailer.eocd64_offset.is_some(),
        concat: trailer.concat,
        cd_offset: cd_start,
        cd_size: trailer.cd_size,
        comment_len: trailer.comment_len,
        entries,
    };
    let mut archive = archive;
    coverage::check(src, &mut archive, &trailer, limits.gap_scan_bytes, findings, &mut omitted)?;
    crate::report::cap_per_code(findings, &mut omitted);
    findings.extend(crate::report::omitted_findings(&omitted));
    Ok(Some(archive))
}

/// Builds an entry from its central record and reports what the record alone shows.
fn central_entry(
    index: usize,
    at: u64,
    fixed: &CentralFixed,
    raw_name: Vec<u8>,
    extra: &[u8],
    concat: u64,
    findings: &mut Vec<Finding>,
) -> Entry {
    let name = names::decode(&raw_name, fixed.flags);
    let extras = parse_extras(extra);
    for problem in &extras.problems {
        findings.push(
            Finding::new(Code::ExtraFieldMalformed, format!("central directory extra fields: {problem}"))
                .at_path(&name)
                .at_offset(at),
        );
    }
    let (usize, csize, offset, problem) =
        resolve_zip64(extras.zip64.as_deref(), fixed.usize, fixed.csize, Some(fixed.local_offset));
    if let Some(problem) = problem {
        findings.push(Finding::new(Code::Zip64ExtraInvalid, problem).at_path(&name).at_offset(at));
    }
    if let Some((version, crc, uname)) = &extras.unicode_path {
        let name_crc = crc32fast::hash(&raw_name);
        let differs = uname.as_slice() != raw_name.as_slice() && String::from_utf8_lossy(uname) != name;
        if *version != 1 || *crc != name_crc || differs || std::str::from_utf8(uname).is_err() {
            findings.push(
                Finding::new(
                    Code::UnicodePathMismatch,
                    format!(
                        "the Unicode Path extra field names '{}' (version {version}, name CRC {}); Python 3.12+ and Info-ZIP may extract that name instead",
                        String::from_utf8_lossy(uname),
                        if *crc == name_crc { "matches" } else { "does not match" }
                    ),
                )
                .at_path(&name)
                .at_offset(at),
            );
        }
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
        raw_name: (name.as_bytes() != raw_name.as_slice()).then(|| raw_name.into_boxed_slice()),
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
    }
}

/// Reads the entry's local header and compares it with the central record field by field.
fn check_local(window: &mut HeaderWindow, entry: &mut Entry, findings: &mut Vec<Finding>) -> Result<(), Error> {
    let at = entry.local_offset;
    let size = window.src.size();
    let Some(local) = LocalFixed::parse(window.read(at, LOCAL_LEN)?) else {
        let msg = if at >= size {
            format!("the central directory says the local header is at byte {at}, past the end of the file")
        } else {
            format!("the central directory says the local header is at byte {at}, but there is none")
        };
        findings.push(Finding::new(Code::LocalHeaderMissing, msg).at_path(&entry.name).at_offset(at));
        entry.readable = false;
        return Ok(());
    };
    let var_len = local.name_len as usize + local.extra_len as usize;
    let var = window.read(at + LOCAL_LEN as u64, var_len)?.to_vec();
    if var.len() < var_len {
        findings.push(
            Finding::new(Code::Truncated, format!("the file ends inside the local header of '{}'", entry.name))
                .at_path(&entry.name)
                .at_offset(at),
        );
        entry.readable = false;
        return Ok(());
    }
    let (lname, lextra) = var.split_at(local.name_len as usize);
    let name = &entry.name;
    let mut push = |code: Code, msg: String| findings.push(Finding::new(code, msg).at_path(name).at_offset(at));
    if lname != entry.raw() {
        push(
            Code::LocalNameMismatch,
            format!(
                "the local header names '{}' but the central directory names '{}'; Python's restore refuses the entry, Info-ZIP extracts the central name",
                names::decode(lname, local.flags),
                name
            ),
        );
    }
    if local.method != entry.method {
        push(
            Code::LocalMethodMismatch,
            format!(
                "the local header says method {} but the central directory says {}; Info-ZIP decodes with the local one, Python's restore with the central one",
                local.method, entry.method
            ),
        );
        entry.readable = false;
    }
    let relevant = FLAG_ENCRYPTED | FLAG_DESCRIPTOR | FLAG_UTF8 | FLAG_STRONG_ENCRYPTION;
    if local.flags & relevant != entry.flags & relevant {
        push(
            Code::LocalFlagsMismatch,
            format!(
                "the local header's flags 0x{:04x} differ from the central directory's 0x{:04x} (encryption, data descriptor or UTF-8 bits)",
                local.flags, entry.flags
            ),
        );
    }
    let lextras = parse_extras(lextra);
    for problem in &lextras.problems {
        push(Code::ExtraFieldMalformed, format!("local header extra fields: {problem}"));
    }
    if local.flags & FLAG_DESCRIPTOR == 0 {
        let (lu, lc, _, problem) = resolve_zip64(lextras.zip64.as_deref(), local.usize, local.csize, None);
        if let Some(problem) = problem {
            push(Code::Zip64ExtraInvalid, format!("local header: {problem}"));
        }
        if local.crc != entry.crc {
            push(
                Code::LocalCrcMismatch,
                format!(
                    "the local header's CRC-32 is {:08x} but the central directory's is {:08x}; Info-ZIP checks the data against one, Python's restore against the other",
                    local.crc, entry.crc
                ),
            );
        }
        if lc != entry.compressed_size || lu != entry.uncompressed_size {
            push(
                Code::LocalSizeMismatch,
                format!(
                    "the local header declares {lc} compressed / {lu} uncompressed bytes but the central directory {} / {}",
                    entry.compressed_size, entry.uncompressed_size
                ),
            );
        }
    }
    entry.data_offset = Some(at + LOCAL_LEN as u64 + var_len as u64);
    Ok(())
}

/// Reads of local headers in file order through one moving window: headers of densely packed
/// entries (100,000 small files) come from a few 1 MiB reads, while headers gigabytes apart cost
/// one small read each.
struct HeaderWindow<'a> {
    src: &'a dyn ReadAt,
    buf: Vec<u8>,
    start: u64,
}

impl HeaderWindow<'_> {
    const WINDOW: usize = 1 << 20;

    /// Up to `len` bytes at `at`; fewer only at the end of the file.
    fn read(&mut self, at: u64, len: usize) -> Result<&[u8], Error> {
        let end = self.start + self.buf.len() as u64;
        let inside = at >= self.start && at.saturating_add(len as u64) <= end;
        if !inside {
            // Close ahead of the last window: the headers are dense, read a full window.
            let dense = at >= end && at - end < Self::WINDOW as u64 && !self.buf.is_empty();
            let want = if dense { Self::WINDOW.max(len) } else { len.max(4096) };
            let want = (self.src.size().saturating_sub(at)).min(want as u64) as usize;
            self.buf.resize(want, 0);
            let got = read_full(self.src, at, &mut self.buf)?;
            self.buf.truncate(got);
            self.start = at;
        }
        let s = (at - self.start) as usize;
        let e = (s + len).min(self.buf.len());
        Ok(self.buf.get(s..e).unwrap_or(&[]))
    }
}

/// Sequential reads of a byte range through one large buffer, so a central directory of
/// 100,000 records costs a few reads, and memory stays bounded whatever the directory declares.
pub(crate) struct Chunked<'a> {
    src: &'a dyn ReadAt,
    buf: Vec<u8>,
    buf_start: u64,
    end: u64,
}

const CHUNK: usize = 4 << 20;

impl<'a> Chunked<'a> {
    pub(crate) fn new(src: &'a dyn ReadAt, start: u64, end: u64) -> Chunked<'a> {
        Chunked { src, buf: Vec::new(), buf_start: start, end: end.min(src.size()) }
    }

    /// The bytes `[offset, offset + len)`, or `None` when they run past the range's end.
    pub(crate) fn get(&mut self, offset: u64, len: usize) -> Result<Option<&[u8]>, Error> {
        let Some(want_end) = offset.checked_add(len as u64) else { return Ok(None) };
        if want_end > self.end {
            return Ok(None);
        }
        let buf_end = self.buf_start + self.buf.len() as u64;
        if offset < self.buf_start || want_end > buf_end {
            let n = (self.end - offset).min(CHUNK.max(len) as u64) as usize;
            self.buf.resize(n, 0);
            let got = read_full(self.src, offset, &mut self.buf)?;
            self.buf.truncate(got);
            self.buf_start = offset;
            if got < len {
                return Ok(None);
            }
        }
        let s = (offset - self.buf_start) as usize;
        Ok(Some(&self.buf[s..s + len]))
    }
}
