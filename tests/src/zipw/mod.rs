//! A low-level ZIP writer that produces faithful archives (byte-compatible in structure with
//! Python's `zipfile`, which wrote every Cloudify snapshot) and, on request, deliberately broken
//! ones.
//!
//! Every field a hostile case may want to falsify is reachable: per-entry overrides for the local
//! header and the central directory separately, raw extra fields, data descriptors, ZIP64 extras,
//! aliased and hidden local headers, and overrides for every end-record field. Output is
//! deterministic: no clock, no randomness, fixed DOS timestamps.
//!
//! [`write_big_zip64`] streams a multi-GiB archive to a file with a sparse hole for its one huge
//! stored member, so ZIP64 tests cost neither disk nor time.

mod big;
mod bytes;
mod records;

pub use big::{crc_of_zeros, write_big_zip64};
pub use bytes::{crc32, deflate, empty_eocd, flip_byte, patch_u16, patch_u32, patch_u64, put16, put32, put64};
use records::{central_record, descriptor, local_header};

/// `external_attr` Python gives a regular file with mode `0o644`.
pub const FILE_ATTR: u32 = 0o100_644 << 16;
/// `external_attr` Python 3 gives a directory: mode `0o40755` plus the MS-DOS directory bit.
pub const DIR_ATTR: u32 = (0o40_755 << 16) | 0x10;
/// `external_attr` of the CentOS 7 Python 2.7 directory entries (spec §2.2 (a)): no DOS bit.
pub const PY27_DIR_ATTR: u32 = 0x41ED_0000;
/// Fixed DOS time of every entry (12:00:00).
pub const DOS_TIME: u16 = 12 << 11;
/// Fixed DOS date of every entry (2024-05-17).
pub const DOS_DATE: u16 = ((2024 - 1980) << 9) | (5 << 5) | 17;
/// Python's `ZIP64_LIMIT`: sizes and offsets above it get ZIP64 fields.
const ZIP64_LIMIT: u64 = (1 << 31) - 1;

const SIG_LFH: u32 = 0x0403_4b50;
const SIG_CDH: u32 = 0x0201_4b50;
const SIG_DD: u32 = 0x0807_4b50;
const SIG_EOCD64: u32 = 0x0606_4b50;
const SIG_LOCATOR: u32 = 0x0706_4b50;
const SIG_EOCD: u32 = 0x0605_4b50;

/// Compression method of an entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    /// Method 0: the data is stored as is.
    Stored,
    /// Method 8: raw DEFLATE, compressed by the writer with flate2.
    Deflate,
    /// Any other method number; the data is written as given (use [`Entry::raw_compressed`]).
    Other(u16),
}

impl Method {
    /// The method number written in the headers.
    pub fn code(self) -> u16 {
        match self {
            Method::Stored => 0,
            Method::Deflate => 8,
            Method::Other(m) => m,
        }
    }
}

/// How a data descriptor follows an entry's data (general-purpose flag bit 3).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Descriptor {
    /// With the optional `PK\x07\x08` signature.
    Signed,
    /// Without a signature (CRC and sizes only).
    Unsigned,
}

/// Raw values that replace what the writer would put in one header (local or central).
/// `None` keeps the computed value.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Fields {
    /// File name bytes.
    pub name: Option<Vec<u8>>,
    /// Compression method number.
    pub method: Option<u16>,
    /// General-purpose flags.
    pub flags: Option<u16>,
    /// CRC-32.
    pub crc: Option<u32>,
    /// The 32-bit compressed size field.
    pub compressed_size: Option<u32>,
    /// The 32-bit uncompressed size field.
    pub uncompressed_size: Option<u32>,
}

/// One archive entry, built in builder style: `Entry::file("a", b"x").stored().mode(0o600)`.
#[derive(Clone, Debug)]
pub struct Entry {
    /// Name as written (raw bytes: hostile names need not be UTF-8).
    pub name: Vec<u8>,
    /// Uncompressed data; CRC and uncompressed size are computed from it.
    pub data: Vec<u8>,
    /// Compression method.
    pub method: Method,
    /// Bytes written as the compressed stream instead of compressing `data`.
    pub raw: Option<Vec<u8>>,
    /// External attributes (Unix mode in the high 16 bits).
    pub external_attr: u32,
    /// Host system in "version made by" (3 = Unix, 0 = MS-DOS).
    pub create_system: u8,
    /// Spec version in "version made by" (20; raised to 45 for ZIP64 entries).
    pub version_made_by: u8,
    /// "Version needed to extract" (20; raised to 45 for ZIP64 entries).
    pub version_needed: u16,
    /// General-purpose flags written in both headers (bit 3 is added for a data descriptor).
    pub flags: u16,
    /// DOS time.
    pub mtime: u16,
    /// DOS date.
    pub mdate: u16,
    /// Extra field bytes appended in the local header.
    pub lfh_extra: Vec<u8>,
    /// Extra field bytes appended in the central directory record.
    pub cd_extra: Vec<u8>,
    /// Overrides for the local header.
    pub lfh: Fields,
    /// Overrides for the central directory record.
    pub cd: Fields,
    /// Data descriptor after the data, if any.
    pub descriptor: Option<Descriptor>,
    /// Force ZIP64 extras with `0xFFFFFFFF` sentinels even when the values fit in 32 bits.
    pub zip64: bool,
    /// Whether the entry is listed in the central directory (`false`: a hidden local entry).
    pub central: bool,
    /// Write no local header; the central record points at the local header of entry `i`
    /// (an earlier entry), so two central records share one local header.
    pub alias_of: Option<usize>,
    /// Replaces the local-header offset written in the central record.
    pub local_offset: Option<u32>,
    /// Bytes written just before this entry's local header (a gap the directory does not cover).
    pub pad_before: Vec<u8>,
    /// Entry comment (central directory only).
    pub comment: Vec<u8>,
}

impl Entry {
    /// A regular file, deflated, mode `0o644`, as Python writes it.
    pub fn file(name: impl Into<Vec<u8>>, data: impl Into<Vec<u8>>) -> Entry {
        Entry {
            name: name.into(),
            data: data.into(),
            method: Method::Deflate,
            raw: None,
            external_attr: FILE_ATTR,
            create_system: 3,
            version_made_by: 20,
            version_needed: 20,
            flags: 0,
            mtime: DOS_TIME,
            mdate: DOS_DATE,
            lfh_extra: Vec::new(),
            cd_extra: Vec::new(),
            lfh: Fields::default(),
            cd: Fields::default(),
            descriptor: None,
            zip64: false,
            central: true,
            alias_of: None,
            local_offset: None,
            pad_before: Vec::new(),
            comment: Vec::new(),
        }
    }

    /// A directory entry as Python 3 writes it: stored, empty, [`DIR_ATTR`]. `name` should end
    /// with `/`.
    pub fn dir(name: impl Into<Vec<u8>>) -> Entry {
        Entry { method: Method::Stored, external_attr: DIR_ATTR, ..Entry::file(name, Vec::new()) }
    }

    /// Turns a directory entry into the CentOS 7 Python 2.7 variant (spec §2.2 (a)): method 8
    /// with zero compressed bytes, CRC 0, `external_attr` [`PY27_DIR_ATTR`].
    pub fn py27(mut self) -> Entry {
        self.method = Method::Deflate;
        self.raw = Some(Vec::new());
        self.external_attr = PY27_DIR_ATTR;
        self
    }

    /// Uses method 0.
    pub fn stored(mut self) -> Entry {
        self.method = Method::Stored;
        self
    }

    /// Uses the given method.
    pub fn method(mut self, method: Method) -> Entry {
        self.method = method;
        self
    }

    /// Writes `bytes` as the compressed stream instead of compressing the data.
    pub fn raw_compressed(mut self, bytes: impl Into<Vec<u8>>) -> Entry {
        self.raw = Some(bytes.into());
        self
    }

    /// Sets the Unix mode (type and permission bits), keeping the MS-DOS directory bit.
    pub fn mode(mut self, mode: u32) -> Entry {
        self.external_attr = (mode << 16) | (self.external_attr & 0xFFFF);
        self
    }

    /// Sets the whole `external_attr`.
    pub fn attr(mut self, attr: u32) -> Entry {
        self.external_attr = attr;
        self
    }

    /// Sets the host system of "version made by".
    pub fn system(mut self, system: u8) -> Entry {
        self.create_system = system;
        self
    }

    /// Sets the general-purpose flags of both headers.
    pub fn flags(mut self, flags: u16) -> Entry {
        self.flags = flags;
        self
    }

    /// Overrides local-header fields.
    pub fn lfh(mut self, fields: Fields) -> Entry {
        self.lfh = fields;
        self
    }

    /// Overrides central-record fields.
    pub fn cd(mut self, fields: Fields) -> Entry {
        self.cd = fields;
        self
    }

    /// Overrides the same fields in both headers.
    pub fn both(self, fields: Fields) -> Entry {
        self.lfh(fields.clone()).cd(fields)
    }

    /// Appends raw extra-field bytes to both headers.
    pub fn extra(mut self, bytes: &[u8]) -> Entry {
        self.lfh_extra.extend_from_slice(bytes);
        self.cd_extra.extend_from_slice(bytes);
        self
    }

    /// Adds a data descriptor.
    pub fn descriptor(mut self, descriptor: Descriptor) -> Entry {
        self.descriptor = Some(descriptor);
        self
    }

    /// Forces ZIP64 extras with sentinels in both headers.
    pub fn zip64(mut self) -> Entry {
        self.zip64 = true;
        self
    }

    /// Leaves the entry out of the central directory (a hidden local entry).
    pub fn hidden(mut self) -> Entry {
        self.central = false;
        self
    }

    /// Makes the central record point at entry `i`'s local header instead of writing one.
    pub fn alias_of(mut self, i: usize) -> Entry {
        self.alias_of = Some(i);
        self
    }

    /// Writes `bytes` just before the local header.
    pub fn pad_before(mut self, bytes: impl Into<Vec<u8>>) -> Entry {
        self.pad_before = bytes.into();
        self
    }

    /// Whether the name ends with `/`.
    pub fn is_dir(&self) -> bool {
        self.name.last() == Some(&b'/')
    }

    /// The computed values both headers start from.
    fn resolve(&self) -> Resolved {
        let payload = match (&self.raw, self.method) {
            (Some(raw), _) => raw.clone(),
            (None, Method::Deflate) => deflate(&self.data),
            (None, _) => self.data.clone(),
        };
        Resolved { crc: crc32(&self.data), usize: self.data.len() as u64, csize: payload.len() as u64, payload }
    }
}

/// What an entry's headers describe: real CRC and sizes, and the bytes to write.
struct Resolved {
    payload: Vec<u8>,
    crc: u32,
    usize: u64,
    csize: u64,
}

/// Overrides for the fields an end record holds; `None` keeps the computed value. Applied to the
/// classic EOCD (truncated to its field widths) or to the ZIP64 end record.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EndFields {
    /// Number of this disk.
    pub disk: Option<u32>,
    /// Disk where the central directory starts.
    pub cd_disk: Option<u32>,
    /// Entries on this disk.
    pub entries_on_disk: Option<u64>,
    /// Total entries.
    pub entries: Option<u64>,
    /// Central directory size.
    pub cd_size: Option<u64>,
    /// Central directory offset.
    pub cd_offset: Option<u64>,
}

/// Byte positions of the structures [`ZipBuilder::build_with_layout`] wrote, as file offsets.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Layout {
    /// One span per entry, in `entries` order.
    pub entries: Vec<Span>,
    /// Start of the central directory.
    pub cd_offset: usize,
    /// Size of the central directory.
    pub cd_size: usize,
    /// The ZIP64 end record, when written.
    pub eocd64_offset: Option<usize>,
    /// The ZIP64 locator, when written.
    pub locator_offset: Option<usize>,
    /// The classic end record.
    pub eocd_offset: usize,
}

/// Where one entry's structures sit in the file.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Span {
    /// Local header (for an alias: the shared one).
    pub lfh: usize,
    /// First data byte.
    pub data: usize,
    /// End of the data (and of the data descriptor, if any).
    pub end: usize,
    /// The central record, if the entry is listed.
    pub cd_record: Option<usize>,
}

/// An archive under construction: entries plus archive-level options and overrides.
#[derive(Clone, Debug, Default)]
pub struct ZipBuilder {
    /// Entries in write order.
    pub entries: Vec<Entry>,
    /// Archive comment.
    pub comment: Vec<u8>,
    /// Bytes before the first local header.
    pub prepend: Vec<u8>,
    /// Whether the recorded offsets count `prepend` (a proper self-extractor). When `false`
    /// (default) they are relative to the archive start, like a zip concatenated after a stub.
    pub prepend_counted: bool,
    /// Bytes after the end record (trailing data).
    pub append: Vec<u8>,
    /// Writes the ZIP64 end record and locator even when nothing needs them, with the classic
    /// end-record fields set to their `0xFFFF`/`0xFFFFFFFF` sentinels.
    pub zip64_end: bool,
    /// Overrides for the classic end record.
    pub eocd: EndFields,
    /// Overrides for the ZIP64 end record.
    pub eocd64: EndFields,
    /// Replaces the comment-length field of the classic end record.
    pub comment_len: Option<u16>,
    /// Replaces the "size of record" field of the ZIP64 end record.
    pub eocd64_record_size: Option<u64>,
    /// Replaces the ZIP64 end-record offset written in the locator.
    pub locator_offset: Option<u64>,
    /// Replaces the "total disks" field of the locator.
    pub locator_disks: Option<u32>,
}

impl ZipBuilder {
    /// An empty archive.
    pub fn new() -> ZipBuilder {
        ZipBuilder::default()
    }

    /// An archive with these entries.
    pub fn with(entries: Vec<Entry>) -> ZipBuilder {
        ZipBuilder { entries, ..ZipBuilder::default() }
    }

    /// Appends an entry (builder style).
    pub fn push(mut self, entry: Entry) -> ZipBuilder {
        self.entries.push(entry);
        self
    }

    /// Forces ZIP64 everywhere: extras with sentinels on every entry and the ZIP64 end records.
    /// The archive stays valid; it is what Python writes when everything is large.
    pub fn force_zip64(mut self) -> ZipBuilder {
        self.zip64_end = true;
        self.entries.iter_mut().for_each(|e| e.zip64 = true);
        self
    }

    /// Index of the first entry with this name.
    pub fn find(&self, name: &str) -> Option<usize> {
        self.entries.iter().position(|e| e.name == name.as_bytes())
    }

    /// The first entry with this name. Panics if there is none (a bug in the calling fixture).
    pub fn entry_mut(&mut self, name: &str) -> &mut Entry {
        let i = self.find(name).unwrap_or_else(|| panic!("no entry named {name:?}"));
        &mut self.entries[i]
    }

    /// Removes and returns the first entry with this name. Panics if there is none.
    pub fn remove(&mut self, name: &str) -> Entry {
        let i = self.find(name).unwrap_or_else(|| panic!("no entry named {name:?}"));
        self.entries.remove(i)
    }

    /// Removes every entry whose name starts with `prefix`.
    pub fn remove_prefix(&mut self, prefix: &str) {
        self.entries.retain(|e| !e.name.starts_with(prefix.as_bytes()));
    }

    /// The archive bytes.
    pub fn build(&self) -> Vec<u8> {
        self.build_with_layout().0
    }

    /// The archive bytes and where each structure went, for cases that patch bytes afterwards.
    pub fn build_with_layout(&self) -> (Vec<u8>, Layout) {
        let mut out = self.prepend.clone();
        // Offsets written into the archive are relative to this base.
        let base = if self.prepend_counted { 0 } else { self.prepend.len() as u64 };
        let resolved: Vec<Resolved> = self.entries.iter().map(Entry::resolve).collect();
        let mut spans = Vec::with_capacity(self.entries.len());
        for (e, r) in self.entries.iter().zip(&resolved) {
            if let Some(i) = e.alias_of {
                let target: &Span = spans.get(i).expect("alias_of must name an earlier entry");
                spans.push(Span { cd_record: None, ..*target });
                continue;
            }
            out.extend_from_slice(&e.pad_before);
            let lfh = out.len();
            out.extend_from_slice(&local_header(e, r));
            let data = out.len();
            out.extend_from_slice(&r.payload);
            out.extend_from_slice(&descriptor(e, r));
            spans.push(Span { lfh, data, end: out.len(), cd_record: None });
        }
        let cd_offset = out.len();
        let mut count = 0u64;
        for ((e, r), span) in self.entries.iter().zip(&resolved).zip(&mut spans) {
            if e.central {
                span.cd_record = Some(out.len());
                out.extend_from_slice(&central_record(e, r, span.lfh as u64 - base));
                count += 1;
            }
        }
        let cd_size = out.len() - cd_offset;
        let (eocd64_offset, locator_offset) =
            self.write_end(&mut out, count, cd_size as u64, cd_offset as u64 - base, base, 0);
        let eocd_offset = out.len() - 22 - self.comment.len() - self.append.len();
        let layout = Layout { entries: spans, cd_offset, cd_size, eocd64_offset, locator_offset, eocd_offset };
        (out, layout)
    }

    /// Writes the end records (ZIP64 ones when needed or forced), the comment and the appended
    /// bytes. `origin` is the file position of `out[0]`, `base` the file position of the
    /// archive start. Returns the offsets (in `out`) of the ZIP64 end record and locator.
    fn write_end(
        &self,
        out: &mut Vec<u8>,
        count: u64,
        cd_size: u64,
        cd_offset: u64,
        base: u64,
        origin: u64,
    ) -> (Option<usize>, Option<usize>) {
        let need64 = self.zip64_end || count >= 0xFFFF || cd_size > ZIP64_LIMIT || cd_offset > ZIP64_LIMIT;
        let mut offsets = (None, None);
        if need64 {
            let at = out.len();
            let f = &self.eocd64;
            put32(out, SIG_EOCD64);
            put64(out, self.eocd64_record_size.unwrap_or(44));
            put16(out, 45);
            put16(out, 45);
            put32(out, f.disk.unwrap_or(0));
            put32(out, f.cd_disk.unwrap_or(0));
            put64(out, f.entries_on_disk.unwrap_or(count));
            put64(out, f.entries.unwrap_or(count));
            put64(out, f.cd_size.unwrap_or(cd_size));
            put64(out, f.cd_offset.unwrap_or(cd_offset));
            let locator = out.len();
            put32(out, SIG_LOCATOR);
            put32(out, 0);
            put64(out, self.locator_offset.unwrap_or(origin + at as u64 - base));
            put32(out, self.locator_disks.unwrap_or(1));
            offsets = (Some(at), Some(locator));
        }
        // Python clamps each field to its width; a forced ZIP64 end uses the sentinels outright.
        let (n, size, offset) = if self.zip64_end {
            (0xFFFF, 0xFFFF_FFFF, 0xFFFF_FFFF)
        } else {
            (count.min(0xFFFF), cd_size.min(0xFFFF_FFFF), cd_offset.min(0xFFFF_FFFF))
        };
        let f = &self.eocd;
        put32(out, SIG_EOCD);
        put16(out, f.disk.unwrap_or(0) as u16);
        put16(out, f.cd_disk.unwrap_or(0) as u16);
        put16(out, f.entries_on_disk.unwrap_or(n) as u16);
        put16(out, f.entries.unwrap_or(n) as u16);
        put32(out, f.cd_size.unwrap_or(size) as u32);
        put32(out, f.cd_offset.unwrap_or(offset) as u32);
        put16(out, self.comment_len.unwrap_or(self.comment.len() as u16));
        out.extend_from_slice(&self.comment);
        out.extend_from_slice(&self.append);
        offsets
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_is_deterministic() {
        let zip = ZipBuilder::with(vec![
            Entry::dir("d/"),
            Entry::dir("p/").py27(),
            Entry::file("d/a.txt", b"hello hello hello".as_slice()),
            Entry::file("b", vec![7u8; 3000]).stored().zip64().descriptor(Descriptor::Signed),
        ]);
        assert_eq!(zip.build(), zip.build());
    }

    #[test]
    fn layout_points_at_signatures() {
        let mut zip = ZipBuilder::with(vec![Entry::file("a", b"x".as_slice())]);
        zip.prepend = b"stub".to_vec();
        zip.zip64_end = true;
        let (bytes, l) = zip.build_with_layout();
        let sig = |at: usize| u32::from_le_bytes(bytes[at..at + 4].try_into().unwrap());
        assert_eq!(sig(l.entries[0].lfh), SIG_LFH);
        assert_eq!(sig(l.entries[0].cd_record.unwrap()), SIG_CDH);
        assert_eq!(sig(l.eocd64_offset.unwrap()), SIG_EOCD64);
        assert_eq!(sig(l.locator_offset.unwrap()), SIG_LOCATOR);
        assert_eq!(sig(l.eocd_offset), SIG_EOCD);
    }

    #[test]
    fn zero_crc_matches_direct_hash() {
        for n in [0, 1, (1 << 20) - 1, 1 << 20, (3 << 20) + 17] {
            assert_eq!(crc_of_zeros(n), crc32(&vec![0; n as usize]), "n = {n}");
        }
    }
}
