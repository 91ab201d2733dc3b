//! Fields beside the data that Python ignores but other readers use: the data descriptor after
//! an entry's data (H22a), entry comments (H12a) and MS-DOS timestamps (H23b).

use super::extra::Problem;
use super::records::{Le, SIG_DESCRIPTOR, has_any_signature};
use crate::code::{Code, Severity};

/// The entry values a descriptor must repeat.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Expect {
    pub crc: u32,
    pub csize: u64,
    pub usize: u64,
    /// 64-bit sizes: the local header carries a ZIP64 extra field (APPNOTE 4.3.9.2).
    pub wide: bool,
}

/// Reads one descriptor form from `buf`: (CRC, compressed, uncompressed, length).
/// A data descriptor's length: 12 or 20 bytes of fields (CRC and 32- or 64-bit sizes), plus 4
/// for the optional signature.
fn descriptor_len(signed: bool, wide: bool) -> u64 {
    match (signed, wide) {
        (true, true) => 24,
        (true, false) => 16,
        (false, true) => 20,
        (false, false) => 12,
    }
}

fn form(buf: &[u8], signed: bool, wide: bool) -> Option<(u32, u64, u64, u64)> {
    let mut r = Le::new(buf);
    if signed && r.bytes(4)? != SIG_DESCRIPTOR {
        return None;
    }
    let crc = r.u32()?;
    let (c, u) = if wide { (r.u64()?, r.u64()?) } else { (r.u32()? as u64, r.u32()? as u64) };
    let len = descriptor_len(signed, wide);
    Some((crc, c, u, len))
}

/// Checks the descriptor at the start of `buf` (up to 24 bytes read at the data's end). Returns
/// how many bytes it occupies (for the coverage map) and, when it disagrees with the central
/// directory, the message of a `descriptor-mismatch` error.
pub(crate) fn check(buf: &[u8], want: Expect) -> (u64, Option<String>) {
    let matches = |f: Option<(u32, u64, u64, u64)>| {
        f.filter(|&(crc, c, u, _)| crc == want.crc && c == want.csize && u == want.usize).map(|f| f.3)
    };
    let found = |wide| matches(form(buf, true, wide)).or_else(|| matches(form(buf, false, wide)));
    if let Some(len) = found(want.wide) {
        return (len, None);
    }
    if let Some(len) = found(!want.wide) {
        let msg = format!(
            "the data descriptor is {}-bit but the entry {} ZIP64 sizes in its local header; Info-ZIP and Java ZipInputStream read it as {}-bit and get other sizes, Python reads the central directory",
            if want.wide { 32 } else { 64 },
            if want.wide { "has" } else { "has no" },
            if want.wide { 64 } else { 32 },
        );
        return (len, Some(msg));
    }
    let signed = buf.starts_with(&SIG_DESCRIPTOR);
    let len = descriptor_len(signed, want.wide);
    let msg = match form(buf, signed, want.wide) {
        Some((crc, c, u, _)) => format!(
            "the data descriptor says CRC {crc:08x}, {c} compressed / {u} uncompressed bytes, the central directory CRC {:08x}, {} / {}; Python, Info-ZIP and 7-Zip use the central values, streaming readers (Java ZipInputStream, bsdtar reading a pipe) the descriptor",
            want.crc, want.csize, want.usize
        ),
        None => {
            "the entry's flags promise a data descriptor after its data but the file ends first; streaming readers fail"
                .into()
        }
    };
    (len, Some(msg))
}

/// Entry comments: Cloudify never writes one, and a record signature inside one is a structure
/// that signature-scanning readers see and Python does not.
pub(crate) fn check_comment(comment: &[u8], push: &mut impl FnMut(Problem)) {
    if comment.is_empty() {
        return;
    }
    push(Problem {
        code: Code::EntryComment,
        severity: Severity::Warning,
        message: format!("the entry has a {}-byte comment; Cloudify never writes entry comments", comment.len()),
        effect: None,
    });
    if has_any_signature(comment) {
        push(Problem {
            code: Code::SignatureInComment,
            severity: Severity::Error,
            message: "the entry comment holds a ZIP record signature; streaming and signature-scanning readers parse the structure hidden there, Python does not".into(),
            effect: None,
        });
    }
}

/// Describes an impossible MS-DOS date or time (month 0 or 13+, day 0, hour 24+, minute 60+,
/// seconds field 30+), or `None`.
pub(crate) fn dos_datetime(date: u16, time: u16) -> Option<String> {
    let (day, month) = (date & 0x1f, (date >> 5) & 0x0f);
    let (sec2, min, hour) = (time & 0x1f, (time >> 5) & 0x3f, time >> 11);
    let bad = day == 0 || month == 0 || month > 12 || hour > 23 || min > 59 || sec2 > 29;
    bad.then(|| {
        format!(
            "the MS-DOS timestamp is impossible (date {:04}-{month:02}-{day:02}, time {hour:02}:{min:02}:{:02}); readers set different modification times (Info-ZIP the current time, 7-Zip and bsdtar a normalised one)",
            1980u16.saturating_add(date >> 9),
            sec2.saturating_mul(2)
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dd(signed: bool, crc: u32, c: u32, u: u32) -> Vec<u8> {
        let mut v = if signed { SIG_DESCRIPTOR.to_vec() } else { Vec::new() };
        [crc, c, u].iter().for_each(|x| v.extend(x.to_le_bytes()));
        v
    }

    #[test]
    fn descriptor_forms() {
        let want = Expect { crc: 7, csize: 10, usize: 20, wide: false };
        assert_eq!(check(&dd(true, 7, 10, 20), want), (16, None));
        assert_eq!(check(&dd(false, 7, 10, 20), want), (12, None));
        let (len, msg) = check(&dd(true, 7, 0, 20), want);
        assert_eq!(len, 16);
        assert!(msg.unwrap().contains("streaming readers"));
        let mut wide = SIG_DESCRIPTOR.to_vec();
        wide.extend(7u32.to_le_bytes());
        wide.extend(10u64.to_le_bytes());
        wide.extend(20u64.to_le_bytes());
        let (len, msg) = check(&wide, want);
        assert_eq!(len, 24);
        assert!(msg.unwrap().contains("64-bit"));
        assert_eq!(check(&wide, Expect { wide: true, ..want }), (24, None));
        assert!(check(&[], want).1.unwrap().contains("ends first"));
    }

    #[test]
    fn dos_times() {
        assert_eq!(dos_datetime((44 << 9) | (1 << 5) | 1, 0), None);
        assert!(dos_datetime((44 << 9) | (13 << 5) | 1, 0).is_some());
        assert!(dos_datetime(0, 0).is_some());
        assert!(dos_datetime((44 << 9) | (1 << 5) | 1, 24 << 11).is_some());
        assert!(dos_datetime((44 << 9) | (1 << 5) | 1, 30).is_some());
    }

    #[test]
    fn comments() {
        let mut got = Vec::new();
        check_comment(b"", &mut |p| got.push(p.code));
        assert!(got.is_empty());
        check_comment(b"x PK\x03\x04", &mut |p| got.push(p.code));
        assert_eq!(got, vec![Code::EntryComment, Code::SignatureInComment]);
    }
}
