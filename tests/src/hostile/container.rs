//! The container: the file and its end records (A1, H10–H14, H24).

use super::*;

impl Cases {
    /// A1, H10–H14, H24: the file and its end records.
    pub(super) fn container(&mut self) {
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
}

impl Cases {
    /// ZipDiff's C1/C5 variants that hide records in an entry comment, and C4 (two directories).
    pub(super) fn zipdiff_container(&mut self) {
        let (orig, l) = l5().build_with_layout();
        let mut bytes = vec![0u8; l.cd_offset];
        bytes.extend_from_slice(&orig[l.cd_offset..l.cd_offset + l.cd_size]);
        bytes.extend_from_slice(&orig);
        self.raw_err(
            "H11",
            "two-directories",
            &["end-record-ambiguous"],
            "A copy of the central directory prepended so that it sits exactly at the declared offset: Python, \
             Info-ZIP and 7-Zip adjust for the prefix and read the real directory, Go reads the copy.",
            bytes,
        );
        self.add_warn(
            "H12",
            "entry-comment",
            &["entry-comment"],
            "networks.json carries a file comment; Cloudify never writes one and every reader ignores it.",
            with(l5(), |z| z.entry_mut("networks.json").comment = b"reviewed".to_vec()),
        );
        self.add(
            "H12",
            "entry-comment-signature",
            &["entry-comment", "signature-in-comment"],
            "A local header signature inside networks.json's file comment: signature-scanning readers see a record \
             Python does not.",
            with(l5(), |z| z.entry_mut("networks.json").comment = b"PK\x03\x04 hidden local header".to_vec()),
        );
        self.0.last_mut().expect("just pushed").errors = &["signature-in-comment"];
    }
}
