//! Local headers: each one read (in file order, through one moving window) and compared with
//! its central record field by field.

use super::records::*;
use super::{Entry, FLAG_DESCRIPTOR, FLAG_ENCRYPTED, FLAG_STRONG_ENCRYPTION, FLAG_UTF8, extra, names};
use crate::Error;
use crate::code::Code;
use crate::report::Finding;
use crate::source::{ReadAt, read_full};

/// Reads every entry's local header, in file order so dense headers come from a few large reads.
pub(super) fn check_locals(
    src: &dyn ReadAt,
    entries: &mut [Entry],
    findings: &mut Vec<Finding>,
    omitted: &mut std::collections::BTreeMap<Code, u64>,
) -> Result<(), Error> {
    let mut order: Vec<usize> = (0..entries.len()).collect();
    order.sort_by_key(|&i| entries[i].local_offset);
    let mut window = HeaderWindow { src, buf: Vec::new(), len: 0, start: 0 };
    let mut next = crate::report::BOUND_FROM;
    for i in order {
        let entry = &mut entries[i];
        check_local(&mut window, entry, findings)?;
        crate::report::cap_when_grown(findings, omitted, &mut next);
    }
    Ok(())
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
    let var_len = (local.name_len as usize).saturating_add(local.extra_len as usize);
    let var = window.read(at.saturating_add(LOCAL_LEN as u64), var_len)?;
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
    let (later, lzip64) = local_extras(entry, &local, lname, lextra, at);
    let (lu, lc, _, problem) = resolve_zip64(lzip64, local.usize, local.csize, None);
    let descriptor = local.flags & FLAG_DESCRIPTOR != 0;
    if let Some(problem) = problem.filter(|_| !descriptor) {
        push(Code::Zip64ExtraInvalid, format!("local header: {problem}"));
    }
    // With a data descriptor the local values may be zero; non-zero ones are what streaming
    // readers believe, so they must agree too.
    if local.crc != entry.crc && (!descriptor || local.crc != 0) {
        push(
            Code::LocalCrcMismatch,
            format!(
                "the local header's CRC-32 is {:08x} but the central directory's is {:08x}; Info-ZIP checks the data against one, Python's restore against the other",
                local.crc, entry.crc
            ),
        );
    }
    if (lc != entry.compressed_size || lu != entry.uncompressed_size) && (!descriptor || lc != 0 || lu != 0) {
        push(
            Code::LocalSizeMismatch,
            format!(
                "the local header declares {lc} compressed / {lu} uncompressed bytes but the central directory {} / {}",
                entry.compressed_size, entry.uncompressed_size
            ),
        );
    }
    findings.extend(later);
    entry.local_zip64 = lzip64.is_some();
    entry.data_offset = Some(at.saturating_add(LOCAL_LEN as u64).saturating_add(var_len as u64));
    Ok(())
}

/// The local header's extra fields (H23, H19): the walk's problems, a signed-length confusion,
/// and the name bsdtar takes from a local Unicode Path field. Returns the findings and the
/// local ZIP64 body.
fn local_extras<'a>(
    entry: &Entry,
    local: &LocalFixed,
    lname: &[u8],
    lextra: &'a [u8],
    at: u64,
) -> (Vec<Finding>, Option<&'a [u8]>) {
    let ctx = extra::Ctx {
        local: true,
        name: lname,
        comment: &[],
        flags: local.flags,
        sentinels: extra::Sentinels {
            usize: local.usize == u32::MAX,
            csize: local.csize == u32::MAX,
            ..extra::Sentinels::default()
        },
    };
    let lextras = extra::walk(lextra, &ctx);
    let mut out: Vec<Finding> = lextras
        .problems
        .iter()
        .map(|p| {
            Finding::new(p.code, format!("local header extra fields: {}", p.message))
                .severity(p.severity)
                .at_path(&entry.name)
                .at_offset(at)
        })
        .collect();
    let mut push = |code: Code, msg: String| out.push(Finding::new(code, msg).at_path(&entry.name).at_offset(at));
    if local.extra_len >= 0x8000 {
        push(
            Code::ExtraFieldMalformed,
            format!(
                "the local header declares {} bytes of extra fields; readers that read the length as a signed 16-bit number (old Java and Android) misplace the data",
                local.extra_len
            ),
        );
    }
    if let Some(bsdtar) = extra::unicode_path_local(&lextras.unicode_paths, lname) {
        let central = entry.unicode_name.as_deref().unwrap_or(entry.raw());
        if bsdtar != central && names::decode(&bsdtar, local.flags) != names::decode(central, entry.flags) {
            push(
                Code::LocalNameMismatch,
                format!(
                    "the local header's Unicode Path extra field makes the name '{}', the central directory's '{}'; bsdtar uses the local one, Python 3.12+, Info-ZIP and 7-Zip the central one",
                    String::from_utf8_lossy(&bsdtar),
                    String::from_utf8_lossy(central)
                ),
            );
        }
    }
    (out, lextras.zip64)
}

/// Reads of local headers in file order through one moving window: headers of densely packed
/// entries (100,000 small files) come from a few 1 MiB reads, while headers gigabytes apart cost
/// one small read each.
struct HeaderWindow<'a> {
    src: &'a dyn ReadAt,
    /// Zeroed once as it grows (to at most a window, or the largest header), then reused.
    buf: Vec<u8>,
    /// How many bytes of `buf`, from `start`, hold the file.
    len: usize,
    start: u64,
}

impl HeaderWindow<'_> {
    const WINDOW: usize = 1 << 20;

    /// Up to `len` bytes at `at`; fewer only at the end of the file.
    fn read(&mut self, at: u64, len: usize) -> Result<&[u8], Error> {
        let end = self.start.saturating_add(self.len as u64);
        let inside = at >= self.start && at.saturating_add(len as u64) <= end;
        if !inside {
            // Close ahead of the last window: the headers are dense, read a full window.
            let dense = at >= end && at.saturating_sub(end) < Self::WINDOW as u64 && self.len > 0;
            let want = if dense { Self::WINDOW.max(len) } else { len.max(4096) };
            let want = (self.src.size().saturating_sub(at)).min(want as u64) as usize;
            if self.buf.len() < want {
                self.buf.resize(want, 0);
            }
            self.len = read_full(self.src, at, &mut self.buf[..want])?;
            self.start = at;
        }
        let s = crate::arith::to_usize(at.saturating_sub(self.start));
        let e = s.saturating_add(len).min(self.len);
        Ok(self.buf.get(s..e).unwrap_or(&[]))
    }
}
