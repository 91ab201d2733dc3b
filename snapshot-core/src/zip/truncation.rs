//! Diagnosis when no end record exists: not a ZIP at all, or a ZIP cut short (an interrupted
//! upload). Walks local headers from the start to say where the file ends and which entries are
//! intact, where today's tools only say "cannot find zipfile directory".

#![deny(clippy::arithmetic_side_effects, clippy::cast_possible_truncation)]

use super::records::*;
use super::{FLAG_DESCRIPTOR, names};
use crate::Error;
use crate::arith::to_u64;
use crate::code::Code;
use crate::report::Finding;
use crate::source::{ReadAt, read_full};

/// How many intact entry names a finding lists.
const LISTED: usize = 10;
/// How many local headers the walk reads at most.
const MAX_WALK: usize = 2_000_000;

pub(crate) fn diagnose(src: &dyn ReadAt, findings: &mut Vec<Finding>) -> Result<(), Error> {
    let size = src.size();
    let mut head = [0u8; 512];
    let got = read_full(src, 0, &mut head)?;
    let head = &head[..got];
    if !head.starts_with(&SIG_LOCAL) {
        findings.push(Finding::new(Code::NotAZip, format!("the file is not a ZIP archive: {}", sniff(head))));
        return Ok(());
    }
    let mut intact: Vec<String> = Vec::new();
    let mut pos = 0u64;
    let mut buf = vec![0u8; LOCAL_LEN];
    let message = loop {
        if intact.len() >= MAX_WALK {
            break format!("the file has no end record; the walk stopped after {} intact entries", intact.len());
        }
        // The 1-based number of the entry being walked (below MAX_WALK + 1).
        let number = intact.len().saturating_add(1);
        let got = read_full(src, pos, &mut buf[..4])?;
        if got < 4 {
            break format!(
                "the file ends at byte {size}, after {} complete entries and before the central directory: the directory and end record are missing",
                intact.len()
            );
        }
        if buf[..4] == SIG_CENTRAL {
            break central_cut(src, pos, intact.len(), size)?;
        }
        if buf[..4] != SIG_LOCAL {
            break format!(
                "the file has no end record, and byte {pos} (after {} intact entries) holds neither a local header nor the central directory",
                intact.len()
            );
        }
        let got = read_full(src, pos, &mut buf)?;
        let Some(local) = LocalFixed::parse(&buf[..got]) else {
            break format!("the file ends at byte {size}, inside the local header of entry {number}");
        };
        let name_len = usize::from(local.name_len);
        // At most 2 × 64 KiB: the lengths are u16.
        let mut var = vec![0u8; name_len.saturating_add(usize::from(local.extra_len))];
        // pos <= size (each step ends at a data end inside the file), so these cannot saturate.
        let header_start = pos.saturating_add(to_u64(LOCAL_LEN));
        let got = read_full(src, header_start, &mut var)?;
        if got < name_len {
            break format!("the file ends at byte {size}, inside the local header of entry {number}");
        }
        let name = names::decode(&var[..name_len], local.flags);
        if local.flags & FLAG_DESCRIPTOR != 0 {
            break format!(
                "the file has no end record; entry {} '{name}' uses a data descriptor, so the walk cannot find where its data ends",
                number
            );
        }
        let extras = parse_extras(&var[name_len..got]);
        let (_, csize, _, _) = resolve_zip64(extras.zip64.as_deref(), local.usize, local.csize, None);
        // The header was read whole, so it ends inside the file; the declared size may not.
        let header_end = header_start.saturating_add(to_u64(var.len()));
        let Some(data_end) = header_end.checked_add(csize) else {
            break format!(
                "the file ends at byte {size}, inside the data of entry {} '{name}', which declares {csize} compressed bytes from byte {header_end}: more than any file holds (its data would end past byte 2^64)",
                number
            );
        };
        if data_end > size {
            break format!(
                "the file ends at byte {size}, inside the data of entry {} '{name}', which needs bytes up to {data_end} ({} bytes missing)",
                number,
                data_end.saturating_sub(size)
            );
        }
        intact.push(name);
        pos = data_end;
    };
    let listed: Vec<&str> = intact.iter().take(LISTED).map(String::as_str).collect();
    let more = intact.len().saturating_sub(LISTED);
    findings.push(
        Finding::new(
            Code::Truncated,
            format!(
                "{message}. The file was cut, usually by an interrupted upload or copy. {} entries before the cut are intact{}",
                intact.len(),
                if listed.is_empty() {
                    String::new()
                } else {
                    format!(
                        ": {}{}",
                        listed.join(", "),
                        if more > 0 { format!(" and {more} more") } else { String::new() }
                    )
                }
            ),
        )
        .at_offset(size),
    );
    Ok(())
}

/// The walk reached the central directory: count its complete records to say where it was cut.
fn central_cut(src: &dyn ReadAt, start: u64, entries: usize, size: u64) -> Result<String, Error> {
    let mut pos = start;
    let mut records = 0usize;
    let mut buf = [0u8; CENTRAL_LEN];
    loop {
        let got = read_full(src, pos, &mut buf)?;
        let Some(fixed) = CentralFixed::parse(&buf[..got]) else { break };
        // At most 46 + 3 × 64 KiB past pos, and pos <= size.
        let next = pos.saturating_add(to_u64(CENTRAL_LEN.saturating_add(fixed.variable_len())));
        if next > size {
            break;
        }
        records = records.saturating_add(1);
        pos = next;
        if records > entries {
            break;
        }
    }
    let tail = if records >= entries {
        "the end record is missing or cut".to_string()
    } else {
        format!("the file ends inside the central directory after {records} of {entries} records")
    };
    Ok(format!(
        "all {entries} entries' data is present and the central directory starts at byte {start}, but {tail} (the file ends at byte {size})"
    ))
}

/// Names what a non-ZIP file looks like, from its first bytes.
fn sniff(head: &[u8]) -> String {
    let what = if head.starts_with(b"\x1f\x8b") {
        "it is a gzip file (a .tar.gz?), not a snapshot .zip"
    } else if head.len() >= 262 && &head[257..262] == b"ustar" {
        "it is a tar archive, not a snapshot .zip"
    } else if head.starts_with(b"BZh") {
        "it is a bzip2 file, not a snapshot .zip"
    } else if head.starts_with(b"\xfd7zXZ") {
        "it is an xz file, not a snapshot .zip"
    } else if head.starts_with(b"7z\xbc\xaf") {
        "it is a 7-Zip archive, not a snapshot .zip"
    } else if head.starts_with(b"%PDF") {
        "it is a PDF document"
    } else if head.starts_with(b"<") || head.starts_with(b"{") {
        "it looks like text (HTML, XML or JSON), perhaps an error page saved instead of the download"
    } else {
        "it has no ZIP end record and does not start with a local header"
    };
    what.to_string()
}
