//! Fixed-layout ZIP records (APPNOTE 6.3.10 §4.3) parsed from byte slices.
//!
//! Parsing is total: a slice too short for a record yields `None`, never a panic.

/// `PK\3\4`: local file header.
pub(crate) const SIG_LOCAL: [u8; 4] = *b"PK\x03\x04";
/// `PK\1\2`: central directory file header.
pub(crate) const SIG_CENTRAL: [u8; 4] = *b"PK\x01\x02";
/// `PK\5\6`: end of central directory record.
pub(crate) const SIG_EOCD: [u8; 4] = *b"PK\x05\x06";
/// `PK\6\6`: ZIP64 end of central directory record.
pub(crate) const SIG_EOCD64: [u8; 4] = *b"PK\x06\x06";
/// `PK\6\7`: ZIP64 end of central directory locator.
pub(crate) const SIG_LOCATOR: [u8; 4] = *b"PK\x06\x07";
/// `PK\7\8`: data descriptor (optional signature).
pub(crate) const SIG_DESCRIPTOR: [u8; 4] = *b"PK\x07\x08";

pub(crate) const EOCD_LEN: u64 = 22;
pub(crate) const LOCATOR_LEN: u64 = 20;
pub(crate) const EOCD64_LEN: u64 = 56;
pub(crate) const CENTRAL_LEN: usize = 46;
pub(crate) const LOCAL_LEN: usize = 30;

/// A little-endian cursor over a slice; every read is bounds-checked.
pub(crate) struct Le<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Le<'a> {
    pub(crate) fn new(buf: &'a [u8]) -> Le<'a> {
        Le { buf, pos: 0 }
    }
    pub(crate) fn bytes(&mut self, n: usize) -> Option<&'a [u8]> {
        let out = self.buf.get(self.pos..self.pos.checked_add(n)?)?;
        self.pos = self.pos.saturating_add(n); // checked above: within the buffer
        Some(out)
    }
    pub(crate) fn u16(&mut self) -> Option<u16> {
        self.bytes(2).map(|b| u16::from_le_bytes([b[0], b[1]]))
    }
    pub(crate) fn u32(&mut self) -> Option<u32> {
        self.bytes(4).map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }
    pub(crate) fn u64(&mut self) -> Option<u64> {
        self.bytes(8).map(|b| u64::from_le_bytes(b.try_into().unwrap_or([0; 8])))
    }
}

/// End of central directory record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Eocd {
    pub disk: u16,
    pub cd_disk: u16,
    pub entries_this_disk: u16,
    pub entries: u16,
    pub cd_size: u32,
    pub cd_offset: u32,
    pub comment_len: u16,
}

impl Eocd {
    pub(crate) fn parse(b: &[u8]) -> Option<Eocd> {
        let mut r = Le::new(b);
        (r.bytes(4)? == SIG_EOCD).then_some(())?;
        Some(Eocd {
            disk: r.u16()?,
            cd_disk: r.u16()?,
            entries_this_disk: r.u16()?,
            entries: r.u16()?,
            cd_size: r.u32()?,
            cd_offset: r.u32()?,
            comment_len: r.u16()?,
        })
    }

    /// Whether any field holds a ZIP64 sentinel, so a ZIP64 record must supply it.
    pub(crate) fn needs_zip64(&self) -> bool {
        self.entries == u16::MAX
            || self.entries_this_disk == u16::MAX
            || self.cd_size == u32::MAX
            || self.cd_offset == u32::MAX
    }
}

/// ZIP64 end of central directory locator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Locator {
    pub disk: u32,
    pub eocd64_offset: u64,
    pub total_disks: u32,
}

impl Locator {
    pub(crate) fn parse(b: &[u8]) -> Option<Locator> {
        let mut r = Le::new(b);
        (r.bytes(4)? == SIG_LOCATOR).then_some(())?;
        Some(Locator { disk: r.u32()?, eocd64_offset: r.u64()?, total_disks: r.u32()? })
    }
}

/// ZIP64 end of central directory record (the fixed part).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Eocd64 {
    pub record_size: u64,
    pub version_needed: u16,
    pub disk: u32,
    pub cd_disk: u32,
    pub entries_this_disk: u64,
    pub entries: u64,
    pub cd_size: u64,
    pub cd_offset: u64,
}

impl Eocd64 {
    pub(crate) fn parse(b: &[u8]) -> Option<Eocd64> {
        let mut r = Le::new(b);
        (r.bytes(4)? == SIG_EOCD64).then_some(())?;
        let record_size = r.u64()?;
        let _made_by = r.u16()?;
        Some(Eocd64 {
            record_size,
            version_needed: r.u16()?,
            disk: r.u32()?,
            cd_disk: r.u32()?,
            entries_this_disk: r.u64()?,
            entries: r.u64()?,
            cd_size: r.u64()?,
            cd_offset: r.u64()?,
        })
    }
}

/// The fixed 46 bytes of a central directory record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct CentralFixed {
    pub version_made_by: u16,
    pub version_needed: u16,
    pub flags: u16,
    pub method: u16,
    pub mtime: u16,
    pub mdate: u16,
    pub crc: u32,
    pub csize: u32,
    pub usize: u32,
    pub name_len: u16,
    pub extra_len: u16,
    pub comment_len: u16,
    pub disk_start: u16,
    pub internal_attr: u16,
    pub external_attr: u32,
    pub local_offset: u32,
}

impl CentralFixed {
    pub(crate) fn parse(b: &[u8]) -> Option<CentralFixed> {
        let mut r = Le::new(b);
        (r.bytes(4)? == SIG_CENTRAL).then_some(())?;
        Some(CentralFixed {
            version_made_by: r.u16()?,
            version_needed: r.u16()?,
            flags: r.u16()?,
            method: r.u16()?,
            mtime: r.u16()?,
            mdate: r.u16()?,
            crc: r.u32()?,
            csize: r.u32()?,
            usize: r.u32()?,
            name_len: r.u16()?,
            extra_len: r.u16()?,
            comment_len: r.u16()?,
            disk_start: r.u16()?,
            internal_attr: r.u16()?,
            external_attr: r.u32()?,
            local_offset: r.u32()?,
        })
    }

    pub(crate) fn variable_len(&self) -> usize {
        (self.name_len as usize).saturating_add(self.extra_len as usize).saturating_add(self.comment_len as usize)
    }
}

/// The fixed 30 bytes of a local file header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct LocalFixed {
    pub version_needed: u16,
    pub flags: u16,
    pub method: u16,
    pub mtime: u16,
    pub mdate: u16,
    pub crc: u32,
    pub csize: u32,
    pub usize: u32,
    pub name_len: u16,
    pub extra_len: u16,
}

impl LocalFixed {
    pub(crate) fn parse(b: &[u8]) -> Option<LocalFixed> {
        let mut r = Le::new(b);
        (r.bytes(4)? == SIG_LOCAL).then_some(())?;
        Some(LocalFixed {
            version_needed: r.u16()?,
            flags: r.u16()?,
            method: r.u16()?,
            mtime: r.u16()?,
            mdate: r.u16()?,
            crc: r.u32()?,
            csize: r.u32()?,
            usize: r.u32()?,
            name_len: r.u16()?,
            extra_len: r.u16()?,
        })
    }
}

/// What the extra fields of one header say, after a strict TLV walk.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Extras {
    /// The ZIP64 extended-information field's body (0x0001), if present.
    pub zip64: Option<Vec<u8>>,
    /// Info-ZIP Unicode Path (0x7075): version, CRC of the header name, UTF-8 name.
    pub unicode_path: Option<(u8, u32, Vec<u8>)>,
    /// Problems found in the walk, as sentences.
    pub problems: Vec<String>,
}

/// Walks extra fields as a strict sequence of (id, length, body) records.
pub(crate) fn parse_extras(mut b: &[u8]) -> Extras {
    let mut out = Extras::default();
    let mut seen: Vec<u16> = Vec::new();
    while !b.is_empty() {
        if b.len() < 4 {
            out.problems.push(format!("{} stray bytes after the last extra field", b.len()));
            break;
        }
        let id = u16::from_le_bytes([b[0], b[1]]);
        let len = u16::from_le_bytes([b[2], b[3]]) as usize;
        let Some(body) = b.get(4..len.saturating_add(4)) else {
            out.problems.push(format!(
                "extra field 0x{id:04x} declares {len} bytes but only {} remain",
                b.len().saturating_sub(4)
            ));
            break;
        };
        if seen.contains(&id) {
            out.problems.push(if id == 0x0001 {
                "the ZIP64 extra field appears twice".to_string()
            } else {
                format!("extra field 0x{id:04x} appears twice")
            });
            b = &b[len.saturating_add(4)..];
            continue;
        }
        seen.push(id);
        match id {
            0x0001 => out.zip64 = Some(body.to_vec()),
            0x7075 => {
                if body.len() < 5 {
                    out.problems.push("the Unicode Path extra field is too short".into());
                } else {
                    let crc = u32::from_le_bytes([body[1], body[2], body[3], body[4]]);
                    out.unicode_path = Some((body[0], crc, body[5..].to_vec()));
                }
            }
            _ => {}
        }
        b = &b[len.saturating_add(4)..];
    }
    out
}

/// Resolves the sentinel fields of a header from its ZIP64 extra field, in APPNOTE order
/// (uncompressed size, compressed size, local header offset). Returns the resolved values and
/// a problem sentence when a sentinel has no value to resolve it.
pub(crate) fn resolve_zip64(
    zip64: Option<&[u8]>,
    usize: u32,
    csize: u32,
    offset: Option<u32>,
) -> (u64, u64, Option<u64>, Option<String>) {
    let mut r = Le::new(zip64.unwrap_or(&[]));
    let mut problem = None;
    let mut take = |v: u32, what: &str| -> u64 {
        if v != u32::MAX {
            return v as u64;
        }
        match r.u64() {
            Some(x) => x,
            None => {
                problem
                    .get_or_insert_with(|| format!("the {what} is the ZIP64 sentinel but no ZIP64 value supplies it"));
                v as u64
            }
        }
    };
    let u = take(usize, "uncompressed size");
    let c = take(csize, "compressed size");
    let o = offset.map(|o| take(o, "local header offset"));
    (u, c, o, problem)
}

/// Finds every occurrence of a 4-byte signature in `hay`.
pub(crate) fn find_all(hay: &[u8], sig: &[u8; 4]) -> Vec<usize> {
    // A signature cannot overlap itself (no proper prefix is also a suffix), so memmem's
    // non-overlapping matches are all of them.
    memchr::memmem::find_iter(hay, sig).collect()
}

/// Whether `hay` contains any ZIP record signature.
pub(crate) fn has_any_signature(hay: &[u8]) -> bool {
    [SIG_LOCAL, SIG_CENTRAL, SIG_EOCD, SIG_EOCD64, SIG_LOCATOR].iter().any(|s| memchr::memmem::find(hay, s).is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_slices_parse_to_none() {
        assert_eq!(Eocd::parse(b"PK\x05\x06\0\0"), None);
        assert_eq!(CentralFixed::parse(&[0; 10]), None);
        assert_eq!(LocalFixed::parse(b"PK\x03\x04"), None);
    }

    #[test]
    fn extras_walk_reports_overruns_and_duplicates() {
        let ex = parse_extras(&[1, 0, 8, 0, 1, 2, 3, 4, 5, 6, 7, 8, 1, 0, 0, 0]);
        assert_eq!(ex.zip64.as_deref(), Some(&[1, 2, 3, 4, 5, 6, 7, 8][..]));
        assert_eq!(ex.problems, vec!["the ZIP64 extra field appears twice".to_string()]);
        let ex = parse_extras(&[0x55, 0x54, 9, 0, 1]);
        assert!(ex.problems[0].contains("declares 9 bytes"));
    }

    #[test]
    fn zip64_resolves_only_sentinels_in_order() {
        let body = [7u64.to_le_bytes(), 9u64.to_le_bytes()].concat();
        let (u, c, o, p) = resolve_zip64(Some(&body), u32::MAX, 5, Some(u32::MAX));
        assert_eq!((u, c, o, p), (7, 5, Some(9), None));
        let (_, _, _, p) = resolve_zip64(None, u32::MAX, 0, None);
        assert!(p.unwrap().contains("uncompressed size"));
    }
}
