//! Local headers: each one read (in file order, through one moving window) and compared with
//! its central record field by field.

use super::records::*;
use super::{Entry, FLAG_DESCRIPTOR, FLAG_ENCRYPTED, FLAG_STRONG_ENCRYPTION, FLAG_UTF8, extra, names};
use crate::Error;
use crate::code::Code;
use crate::report::Finding;
use crate::source::{ReadAt, read_full};
use std::ops::Range;

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

/// The local-header pass's window over dense headers.
const WINDOW: u64 = 1 << 20;
/// Its smallest read.
const HEADER_READ: u64 = 4096;

/// Reads of local headers in file order through one moving window: headers of densely packed
/// entries (100,000 small files) come from a few 1 MiB reads, while headers gigabytes apart cost
/// one small read each ([`next_window`]).
struct HeaderWindow<'a> {
    src: &'a dyn ReadAt,
    /// Zeroed once as it grows (to at most a window, or the largest header), then reused.
    buf: Vec<u8>,
    /// How many bytes of `buf`, from `start`, hold the file.
    len: usize,
    start: u64,
}

impl HeaderWindow<'_> {
    /// Up to `len` bytes at `at`; fewer only at the end of the file.
    fn read(&mut self, at: u64, len: usize) -> Result<&[u8], Error> {
        let last = self.start..self.start.saturating_add(self.len as u64);
        if let Some(next) = next_window(&last, at, len as u64, self.src.size()) {
            let want = crate::arith::to_usize(next.end.saturating_sub(next.start));
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

/// The window a local-header pass reads next for `len` bytes at `at`, after the window `last`
/// (empty before the first read), in a file of `size` bytes; `None` when `last` holds them. Close
/// ahead of the last window the headers are dense: a full [`WINDOW`]; else at least
/// [`HEADER_READ`] bytes.
fn next_window(last: &Range<u64>, at: u64, len: u64, size: u64) -> Option<Range<u64>> {
    if at >= last.start && at.saturating_add(len) <= last.end {
        return None;
    }
    let dense = at >= last.end && at.saturating_sub(last.end) < WINDOW && !last.is_empty();
    let want = if dense { WINDOW.max(len) } else { len.max(HEADER_READ) };
    Some(at..at.saturating_add(size.saturating_sub(at).min(want)))
}

/// The reads the quick phase makes of the local headers at `headers` (each header's whole extent,
/// its name and extra field as the central directory gives them) in a file of `size` bytes: the
/// fixed part, then the name and extra field, through the same moving window, in file order. Pure,
/// so that a remote source can fetch exactly these ranges ahead of the check.
pub fn local_header_reads(mut headers: Vec<Range<u64>>, size: u64) -> Vec<Range<u64>> {
    headers.sort_by_key(|h| h.start);
    let mut reads: Vec<Range<u64>> = Vec::new();
    for h in headers {
        let fixed = crate::arith::to_u64(LOCAL_LEN);
        let var_at = h.start.saturating_add(fixed);
        for (at, len) in [(h.start, fixed), (var_at, h.end.saturating_sub(var_at))] {
            let last = reads.last().cloned().unwrap_or(0..0);
            reads.extend(next_window(&last, at, len, size));
        }
    }
    reads
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_read_plan_is_the_window_walk() {
        // Dense headers (700 bytes apart): a first small read, then each window starts at the
        // first header it did not hold.
        let dense: Vec<Range<u64>> = (0..2000u64).map(|i| i * 700..i * 700 + 90).collect();
        let size = 10 << 20;
        let (second, third) = (6 * 700, 1504 * 700);
        assert_eq!(local_header_reads(dense, size), vec![0..4096, second..second + WINDOW, third..third + WINDOW]);
        // Headers far apart: one small read each, in file order; the last is clipped to the file.
        let far = vec![(8 << 20)..(8 << 20) + 100, 0..100, (size - 60)..size];
        assert_eq!(local_header_reads(far, size), vec![0..4096, (8 << 20)..(8 << 20) + 4096, (size - 60)..size]);
        // A header past the end of the file: its reads are empty.
        let past = size + 10;
        let one: Vec<Range<u64>> = std::iter::once(past..past + 50).collect();
        assert_eq!(local_header_reads(one, size), [past..past, past + 30..past + 30]);
    }

    #[test]
    fn the_window_reads_what_the_plan_says() {
        // The same walk drives the real reads: count the bytes each read asks for.
        struct Counting(Vec<u8>, std::cell::RefCell<Vec<Range<u64>>>);
        impl ReadAt for Counting {
            fn size(&self) -> u64 {
                self.0.size()
            }
            fn read_at(&self, offset: u64, buf: &mut [u8]) -> std::io::Result<usize> {
                self.1.borrow_mut().push(offset..offset + buf.len() as u64);
                self.0.read_at(offset, buf)
            }
        }
        let src = Counting(vec![0u8; 3 << 20], std::cell::RefCell::new(Vec::new()));
        let headers: Vec<Range<u64>> = (0..3000u64).map(|i| i * 900..i * 900 + 80).collect();
        let mut window = HeaderWindow { src: &src, buf: Vec::new(), len: 0, start: 0 };
        for h in &headers {
            window.read(h.start, LOCAL_LEN).unwrap();
            window.read(h.start + 30, (h.end - h.start - 30) as usize).unwrap();
        }
        assert_eq!(*src.1.borrow(), local_header_reads(headers, src.size()));
    }
}
