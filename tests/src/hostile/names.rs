//! Names, entry types and modes (H1, H2, H8, H9, H19–H21, A9).

use super::*;

impl Cases {
    /// H1, H2, H8, H9, H19–H21, A9: names, types and modes.
    pub(super) fn names_and_modes(&mut self) {
        let name = |n: &[u8]| l5().push(Entry::file(n, b"x\n".as_slice()));
        const PY: &str = "unzip -t and testzip() pass it; Python's extractall rewrites it silently.";
        self.add("H1", "dotdot", &["path-traversal"], PY, name(b"../x"));
        self.add("H1", "nested-dotdot", &["path-traversal"], PY, name(b"blueprints/../../x"));
        self.add("H1", "absolute", &["absolute-path"], PY, name(b"/etc/cron.d/x"));
        self.add("H1", "drive-letter", &["absolute-path"], PY, name(b"C:/x"));
        self.add("H1", "drive-relative", &["absolute-path"], PY, name(b"C:x"));
        self.add("H1", "drive-backslash", &["absolute-path", "backslash-in-name"], PY, name(b"C:\\x"));
        self.add("H1", "unc", &["absolute-path", "backslash-in-name"], PY, name(b"\\\\srv\\share\\x"));
        self.add_err(
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
        self.add_err(
            "H1",
            "control-char",
            &["control-char-in-name"],
            "A BEL control character in the name; terminals and logs render it, Info-ZIP strips it, Python keeps it.",
            name(b"blueprints/default_tenant/a\x07b.yaml"),
        );
        self.add_warn(
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
        self.add_err(
            "H8",
            "duplicate-first-corrupt",
            &["duplicate-name-conflict", "crc-mismatch"],
            "Two agents.json entries; the first is corrupt. testzip() only reads the last copy and passes; unzip -t \
             reports the bad CRC.",
            with(l5(), |z| {
                let mut first = agents.clone();
                lying_stream(&mut first, b"{\"corrupt\": true}");
                z.entries.insert(0, first);
            }),
        );
        self.add_err(
            "H8",
            "duplicate-metadata",
            &["duplicate-name-conflict"],
            "Two metadata.json entries with different versions; Python's restore keeps the last one, unzip -n, 7zz -aos \
             and bsdtar -k extract the first, listings show both.",
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
        self.add_err(
            "H19",
            "unicode-path-differs",
            &["unicode-path-mismatch", "path-traversal"],
            "blueprint.yaml carries an Info-ZIP Unicode Path extra naming '../../etc/cron.d/evil'; Python 3.12+ and \
             Info-ZIP use that name instead.",
            with(l5(), |z| {
                let e = z.entry_mut(yaml);
                e.lfh_extra = upath.clone();
                e.cd_extra = upath;
            }),
        );
        self.add_warn(
            "H20",
            "non-ascii-without-flag",
            &["name-encoding-ambiguous"],
            "A UTF-8 name without the UTF-8 flag: Python decodes it as CP437, others guess UTF-8.",
            name("blueprints/default_tenant/café.yaml".as_bytes()),
        );
        self.add_err(
            "H20",
            "utf8-flag-invalid",
            &["name-not-utf8"],
            "A name flagged UTF-8 that is not valid UTF-8.",
            l5().push(Entry::file(b"blueprints/default_tenant/bad\xff\xfe.yaml".as_slice(), "x\n").flags(0x800)),
        );
        self.add_err(
            "H21",
            "directory-with-data",
            &["directory-with-data"],
            "A directory entry (trailing slash, directory mode) carrying 5 bytes of data. Go rejects it; unzip and \
             Python do not.",
            l5().push(
                Entry::dir("deployments/default_tenant/hello-world-dep/notes/").raw_compressed(b"data!".as_slice()),
            ),
        );
        self.add_err(
            "H21",
            "directory-without-slash",
            &["directory-with-data"],
            "An entry with directory attributes (S_IFDIR and the DOS bit) but no trailing slash.",
            l5().push(Entry::file("deployments/default_tenant/hello-world-dep/workdir", "x\n").attr(zipw::DIR_ATTR)),
        );
        self.zipdiff_names(yaml);
    }
}

impl Cases {
    /// ZipDiff's name classes (A3, A4, B1–B4) and the name rules of zipdetails' corpus.
    fn zipdiff_names(&mut self, yaml: &'static str) {
        let name = |n: &[u8]| l5().push(Entry::file(n, b"x\n".as_slice()));
        let up = |version: u8, crc_of: &[u8], target: &[u8]| {
            let mut body = vec![version];
            body.extend(zipw::crc32(crc_of).to_le_bytes());
            body.extend(target);
            let mut f = vec![0x75, 0x70];
            f.extend((body.len() as u16).to_le_bytes());
            f.extend(body);
            f
        };
        let y = yaml.as_bytes();
        let with_up = |lfh: Vec<u8>, cd: Vec<u8>, flags: u16| {
            with(l5(), |z| {
                let e = z.entry_mut(yaml);
                e.lfh_extra = lfh;
                e.cd_extra = cd;
                e.flags |= flags;
            })
        };
        let two = [up(1, y, b"a.yaml"), up(1, y, b"b.yaml")].concat();
        self.add_err(
            "H19",
            "unicode-path-two",
            &["unicode-path-mismatch"],
            "Two Unicode Path fields naming different files: 7-Zip, bsdtar and yauzl use the first, Python 3.12+ and \
             Info-ZIP the last, Python up to 3.11 neither.",
            with_up(two.clone(), two, 0),
        );
        self.add_err(
            "H19",
            "unicode-path-version0",
            &["unicode-path-mismatch"],
            "A version-0 Unicode Path naming another file: 7-Zip and bsdtar use it, Python and Info-ZIP do not.",
            with_up(up(0, y, b"other.yaml"), up(0, y, b"other.yaml"), 0),
        );
        self.add_err(
            "H19",
            "unicode-path-with-utf8-flag",
            &["unicode-path-mismatch"],
            "The UTF-8 flag plus a Unicode Path naming another file: Python 3.12+, bsdtar and yauzl use it, Info-ZIP \
             and 7-Zip do not.",
            with_up(up(1, y, b"other.yaml"), up(1, y, b"other.yaml"), 0x800),
        );
        self.add_err(
            "H19",
            "unicode-path-short",
            &["unicode-path-mismatch"],
            "A 2-byte Unicode Path field in the central directory: Python 3.12+ refuses to open the archive, older \
             Pythons ignore it.",
            with_up(Vec::new(), vec![0x75, 0x70, 2, 0, 1, 0], 0),
        );
        self.add_err(
            "H19",
            "unicode-path-local-differs",
            &["local-name-mismatch"],
            "The local header's Unicode Path names x.yaml, the central one y.yaml: bsdtar uses the local copy, \
             Python 3.12+, Info-ZIP and 7-Zip the central one.",
            with_up(up(1, y, b"x.yaml"), up(1, y, b"y.yaml"), 0),
        );
        self.add_warn(
            "H19",
            "unicode-path-bad-crc",
            &["unicode-path-mismatch"],
            "A Unicode Path field whose CRC does not match the name: Python, Info-ZIP and 7-Zip ignore it.",
            with_up(up(1, b"not the name", b"other.yaml"), up(1, b"not the name", b"other.yaml"), 0),
        );
        self.add_err(
            "H20",
            "non-ascii-cp437",
            &["name-encoding-ambiguous"],
            "A CP437 name (0x82) without the UTF-8 flag and not UTF-8: Python writes 'café', Info-ZIP and 7-Zip other \
             bytes.",
            name(b"blueprints/default_tenant/caf\x82.yaml"),
        );
        self.add_err(
            "H21",
            "directory-by-unix-mode",
            &["directory-with-data"],
            "No trailing slash, Unix mode S_IFDIR only (no DOS bit), made on Unix: 7-Zip and bsdtar create a \
             directory, Python, Info-ZIP and Java a file.",
            l5().push(Entry::file("deployments/default_tenant/hello-world-dep/workdir", "x\n").attr(0o040_755 << 16)),
        );
        self.add_err(
            "H21",
            "directory-by-dos-attr",
            &["directory-with-data"],
            "No trailing slash, MS-DOS directory attribute, made on MS-DOS: 7-Zip and bsdtar create a directory, the \
             others a file.",
            l5().push(Entry::file("deployments/default_tenant/hello-world-dep/workdir", "x\n").system(0).attr(0x10)),
        );
        self.add_err(
            "H21",
            "backslash-no-slash",
            &["backslash-in-name"],
            "'notes\\readme.txt' with no slash: bsdtar writes notes/readme.txt, Python's restore one file with a \
             backslash in its name.",
            name(b"notes\\readme.txt"),
        );
        self.add_warn(
            "H8",
            "duplicate-same-content",
            &["duplicate-name"],
            "networks.json twice with identical content: every extractor writes the same bytes; Go's fs.FS and \
             adm-zip refuse duplicate names.",
            with(l5(), |z| {
                let copy = z.entry_mut("networks.json").clone();
                z.entries.insert(0, copy);
            }),
        );
        self.add_err(
            "H9",
            "dot-suffix",
            &["name-collision"],
            "'…/blueprint.yaml/.' beside blueprint.yaml: Python writes it over blueprint.yaml, Info-ZIP and 7-Zip \
             fail.",
            l5().push(Entry::file("blueprints/default_tenant/hello-world/blueprint.yaml/.", "x\n")),
        );
        self.add_err(
            "H9",
            "dot-prefix-collision",
            &["name-collision"],
            "'./networks.json' beside networks.json with other content: one path to Python, Info-ZIP, 7-Zip and \
             bsdtar (last copy wins, and restore reads it); Go, yauzl and Java list two entries.",
            l5().push(Entry::file("./networks.json", "{}")),
        );
        self.add_warn(
            "H1",
            "windows-illegal-char",
            &["windows-unsafe-name"],
            "A pipe character in a file name: every Linux reader writes it, Windows extractors cannot.",
            name(b"blueprints/default_tenant/a|b.yaml"),
        );
    }
}
