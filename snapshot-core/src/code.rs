//! The finding catalogue: every finding the verifier can emit, with its stable kebab-case code,
//! its default severity and the rule of the spec it implements.
//!
//! Rule IDs name the spec: `A1`–`A10`, `B1`–`B13`, `C1`–`C15`, `D1`–`D13`, `S1`–`S4` and `F` are
//! the checklist of `cloudify-snapshot-format.md` §9; `H1`–`H24` are the hazard classes of
//! `zip-hazards.md` §3 (where the Cloudify rule and the hazard class both apply, both are named);
//! `H1-routing` is the 7.x routing hazard of the format spec §5.3.7; `ADV` marks advisories from
//! the Cloudify documentation.
//!
//! Each code also belongs to a [`Family`], the check group front ends report it under (the
//! CLI's JUnit test cases, the `codes` listing, the browser's catalogue).
//!
//! Codes are a contract: they never change meaning, and a removed code is never reused. The
//! `codes` test snapshots the whole list, so every change to it is a reviewed diff.

use serde::Serialize;

/// How many findings of one code a report lists by default; the rest are counted into one
/// summary finding (see [`Code::listed_at_most`]).
pub const LISTED_PER_CODE: usize = 100;

/// How bad a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Restore on the stated target fails, crashes, restores nothing or extracts something
    /// hostile; or the archive is damaged.
    Error,
    /// Restore degrades or skips data silently, the result is risky, or the archive holds
    /// something Cloudify's writer never produces.
    Warning,
    /// Preview facts and advisories.
    Info,
}

impl Severity {
    /// The lowercase name used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

/// The check group a code belongs to. It follows from the first rule the code implements: the
/// ZIP container rules split into `container` (end records, directory, headers, coverage: A1,
/// A2, H4, H6, H7, H10–H14, H24), `data` (methods, encryption, CRC and sizes: A3–A5, H3,
/// H15–H18, H21, H22, and F, the "not inspected" note) and `names` (A6–A9, H1, H2, H8, H9, H19,
/// H20, H23); B rules and the era check are `metadata`; C and D rules, nested archives (H5) and
/// the disk estimate (A10) are `payload`; codes named `target-*` and the restore advisories
/// (ADV) are `target`; S rules are `security`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Family {
    /// End records, central directory, local headers and byte coverage.
    Container,
    /// Compression methods, encryption, CRC and sizes of the entries' data.
    Data,
    /// Entry names, paths and modes.
    Names,
    /// `metadata.json` and the era.
    Metadata,
    /// The payload: dumps, JSON members, nested archives.
    Payload,
    /// The restore prediction and advisories for a target manager.
    Target,
    /// The security inventory.
    Security,
}

impl Family {
    /// Every family, in report order.
    pub const ALL: [Family; 7] = [
        Family::Container,
        Family::Data,
        Family::Names,
        Family::Metadata,
        Family::Payload,
        Family::Target,
        Family::Security,
    ];

    /// The stable lowercase name.
    pub fn as_str(self) -> &'static str {
        match self {
            Family::Container => "container",
            Family::Data => "data",
            Family::Names => "names",
            Family::Metadata => "metadata",
            Family::Payload => "payload",
            Family::Target => "target",
            Family::Security => "security",
        }
    }
}

macro_rules! catalogue {
    ($( $(#[$doc:meta])* $variant:ident = $code:literal, $sev:ident, $fam:ident, $rule:literal, $desc:literal; )*) => {
        /// A stable finding code. See the module docs.
        // Descriptions name paths like `tenants/<t>/`, which rustdoc would read as HTML.
        #[allow(rustdoc::invalid_html_tags)]
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        #[non_exhaustive]
        pub enum Code {
            $( $(#[$doc])* #[doc = $desc] $variant, )*
        }

        impl Code {
            /// Every code, in catalogue order.
            pub const ALL: &'static [Code] = &[ $( Code::$variant, )* ];

            /// The stable kebab-case code.
            pub fn as_str(self) -> &'static str {
                match self { $( Code::$variant => $code, )* }
            }

            /// The severity a finding with this code has unless the check says otherwise
            /// (some rules are an error on one target and a warning on another).
            pub fn default_severity(self) -> Severity {
                match self { $( Code::$variant => Severity::$sev, )* }
            }

            /// The check group this code belongs to.
            pub fn family(self) -> Family {
                match self { $( Code::$variant => Family::$fam, )* }
            }

            /// The spec rule (or rules, separated by `/`) this code implements.
            pub fn rule(self) -> &'static str {
                match self { $( Code::$variant => $rule, )* }
            }

            /// One sentence saying what the code means.
            pub fn description(self) -> &'static str {
                match self { $( Code::$variant => $desc, )* }
            }

            /// Looks a code up by its kebab-case name.
            pub fn from_name(name: &str) -> Option<Code> {
                match name { $( $code => Some(Code::$variant), )* _ => None }
            }
        }
    };
}

catalogue! {
    // ---- Container: end records and central directory (A1, A2, H10–H14, H24) ----
    NotAZip = "not-a-zip", Error, Container, "A1",
        "The file has no ZIP end record and does not start with a local header: it is not a ZIP archive.";
    Truncated = "truncated", Error, Container, "A1/H14",
        "The file ends before the structures it declares: it was cut, usually by an interrupted upload or copy.";
    EmptyFile = "empty-file", Error, Container, "A1",
        "The file is empty.";
    EndRecordAmbiguous = "end-record-ambiguous", Error, Container, "A1/H10/H11a",
        "More than one end-of-central-directory record is present, or (H11a) a second central directory sits at the declared offset while Python adjusts for prepended data; readers disagree on which one is the archive and list different entries.";
    EmbeddedEndRecord = "embedded-end-record", Info, Container, "H10",
        "An end record of a stored nested archive lies in the last 64 KiB inside an entry's data; readers that search backwards ignore it, a reader that scans forwards would stop there.";
    CommentLengthMismatch = "comment-length-mismatch", Error, Container, "A1/H12",
        "The end record's comment length does not end exactly at the end of the file.";
    TrailingData = "trailing-data", Warning, Container, "A1/H12",
        "Bytes follow the end of the archive; Cloudify never writes them and readers treat them differently.";
    PrependedData = "prepended-data", Warning, Container, "A1/H11",
        "Bytes precede the archive (a stub or a second archive); Python adjusts silently, other readers do not.";
    ArchiveComment = "archive-comment", Warning, Container, "A1/H12",
        "The archive has a comment; Cloudify never writes one.";
    SignatureInComment = "signature-in-comment", Error, Container, "A1/H10/H12/H12a",
        "A ZIP record signature hides inside the archive comment or an entry comment (H12a): streaming and signature-scanning readers parse a structure there that Python and Info-ZIP do not, so they see different entries.";
    EntryComment = "entry-comment", Warning, Container, "H12a",
        "An entry has a file comment; Cloudify never writes one. Every reader ignores it (a warning: they agree), but comments can hide records from readers that scan for signatures (then `signature-in-comment`).";
    Zip64LocatorInvalid = "zip64-locator-invalid", Error, Container, "A1/A2/H13",
        "The ZIP64 end-record locator is damaged or points to no ZIP64 end record.";
    Zip64RecordInvalid = "zip64-record-invalid", Error, Container, "A1/A2/H13",
        "The ZIP64 end record is damaged (bad signature, size or version).";
    Zip64Mismatch = "zip64-mismatch", Error, Container, "A1/A2/H13",
        "The ZIP64 end record disagrees with the classic end record (entries, central directory size or offset).";
    Zip64ExtraInvalid = "zip64-extra-invalid", Error, Container, "A2/H13/H13a",
        "A field holds the ZIP64 sentinel but no usable ZIP64 extra field supplies it (Python 3 refuses the archive, Info-ZIP reads on), or two ZIP64 extra fields differ (H13a: Python reads the first, Java ZipInputStream the last); readers see different sizes or offsets.";
    MultiDisk = "multi-disk", Error, Container, "A1/H13",
        "The archive claims to span several disks; no Cloudify reader supports that.";
    CentralDirectoryOutOfBounds = "central-directory-out-of-bounds", Error, Container, "A1/H13",
        "The central directory's declared position or size lies outside the file.";
    CentralDirectoryInvalid = "central-directory-invalid", Error, Container, "A1",
        "A central directory record is damaged (bad signature or lengths running past the directory).";
    EntryCountMismatch = "entry-count-mismatch", Error, Container, "A1/H24",
        "The end record's entry count differs from the number of records in the central directory.";
    CentralDirectorySizeMismatch = "central-directory-size-mismatch", Error, Container, "A1/H24",
        "The end record's central directory size differs from the bytes the records occupy.";
    TooManyEntries = "too-many-entries", Error, Container, "A1",
        "The archive declares more entries than its central directory can hold.";

    // ---- Local headers against the central directory (H6) ----
    LocalHeaderMissing = "local-header-missing", Error, Container, "A1/H6",
        "A central directory record points to a position that holds no local header.";
    LocalNameMismatch = "local-name-mismatch", Error, Container, "A1/H6",
        "The local header's name differs from the central directory's; Python refuses the entry, Info-ZIP uses the central name.";
    LocalMethodMismatch = "local-method-mismatch", Error, Container, "A1/H6",
        "The local header's compression method differs from the central directory's; Info-ZIP and Python read different data.";
    LocalFlagsMismatch = "local-flags-mismatch", Error, Container, "A1/H6",
        "The local header's flags (encryption, data descriptor, UTF-8) differ from the central directory's.";
    LocalCrcMismatch = "local-crc-mismatch", Error, Container, "A1/H6",
        "The local header's CRC-32 differs from the central directory's; Info-ZIP checks one, Python the other.";
    LocalSizeMismatch = "local-size-mismatch", Error, Container, "A1/H6",
        "The local header's sizes differ from the central directory's.";

    // ---- Byte coverage (H4, H7) ----
    EntriesOverlap = "entries-overlap", Error, Container, "A1/H4",
        "Two entries share bytes: the overlapping-file zip bomb construction, or a damaged directory.";
    EntryOverlapsCentralDirectory = "entry-overlaps-central-directory", Error, Container, "A1/H4",
        "An entry's data runs into the central directory.";
    HiddenLocalHeader = "hidden-local-header", Error, Container, "H7",
        "A local header sits in bytes the central directory does not list: a hidden entry that streaming readers extract.";
    UnexplainedBytes = "unexplained-bytes", Warning, Container, "H7",
        "Bytes between structures belong to no entry or record.";

    // ---- Methods, flags and data (A3–A5, H3, H15–H18, H21, H22) ----
    UnsupportedMethod = "unsupported-method", Error, Data, "A3/H16",
        "The entry uses a compression method other than stored or deflate; Cloudify never writes it and it cannot be verified.";
    EncryptedEntry = "encrypted-entry", Error, Data, "A4/H15",
        "The entry is encrypted; restore cannot extract it without a password.";
    DataDescriptor = "data-descriptor", Warning, Data, "H22",
        "The entry uses a data descriptor; Cloudify's writer never does. A warning when every reader gets the same bytes; an error for a stored entry, whose end streaming readers (Java ZipInputStream) cannot find while Python reads the central sizes.";
    DescriptorMismatch = "descriptor-mismatch", Error, Data, "H22/H22a",
        "The data descriptor after the entry's data disagrees with the central directory (CRC, sizes or 32/64-bit width) or is missing; Python, Info-ZIP and 7-Zip read the central values, streaming readers (Java ZipInputStream, bsdtar on a pipe) the descriptor, so they extract different bytes.";
    CrcMismatch = "crc-mismatch", Error, Data, "A5/H17",
        "The entry's data does not match its CRC-32: the data is corrupt.";
    SizeMismatch = "size-mismatch", Error, Data, "A5/H18",
        "The entry decompresses to a different size than it declares.";
    CompressedSizeMismatch = "compressed-size-mismatch", Error, Data, "A5/H18",
        "The entry's compressed stream does not end exactly at its declared compressed size.";
    DeflateInvalid = "deflate-invalid", Error, Data, "A5",
        "The entry's DEFLATE stream is corrupt.";
    RatioImpossible = "ratio-impossible", Error, Data, "H3",
        "The entry declares a DEFLATE ratio above the 1032:1 the format allows: its sizes lie (zip bomb sign).";
    OutputBudgetExceeded = "output-budget-exceeded", Error, Data, "H3",
        "Decompression stopped at the output budget before the entry ended.";
    DirectoryWithData = "directory-with-data", Warning, Data, "H21",
        "File or directory is ambiguous (A4): an error when readers disagree (a slash-named entry with data: extractors drop it, ZipFile.read() and streams return it; no slash but a Unix directory mode: 7-Zip and bsdtar make a directory, Python, Info-ZIP and Java a file; the MS-DOS directory bit from a DOS/NTFS host: 7-Zip and bsdtar make a directory), a warning when they all agree and only the attributes contradict the name.";
    VerificationIncomplete = "verification-incomplete", Error, Data, "A5",
        "Verification stopped (time limit or cancel) before every entry's data was checked; unchecked data counts as a failure.";
    DataNotVerified = "data-not-verified", Error, Data, "A5",
        "The entry's data could not be verified (unsupported method, encryption, or a broken header); it counts as a failure.";
    DataSampled = "data-sampled", Warning, Data, "A5",
        "The data pass was sampled (`--sample`): only the entries and compressed bytes the report's `sample` lists were decompressed and checked; the rest of the data is unverified. Restore-critical members are always checked. Info when the sample covered every entry.";

    // ---- Names, types and modes (A6–A9, H1, H2, H8, H9, H19, H20, H23) ----
    PathTraversal = "path-traversal", Error, Names, "A6/H1",
        "The entry name has `..` components that escape the extraction root (zip slip).";
    AbsolutePath = "absolute-path", Error, Names, "A6/H1",
        "The entry name is absolute (leading `/`, drive letter or UNC prefix).";
    BackslashInName = "backslash-in-name", Warning, Names, "A6/H1/H21a",
        "The entry name holds a backslash. An error when the name has no slash (H21a): bsdtar (any host) and Info-ZIP (MS-DOS host) split it into directories, Python's restore and 7-Zip write one file; a warning beside slashes, where every Linux reader writes it literally and only Windows tools split it.";
    NulInName = "nul-in-name", Error, Names, "A6/H1",
        "The entry name holds a NUL byte; C tools truncate it there.";
    ControlCharInName = "control-char-in-name", Error, Names, "A6/H1",
        "The entry name holds control characters; Info-ZIP strips them (and can overwrite the file named without them), Python, 7-Zip and bsdtar keep them: readers write different names.";
    EmptyName = "empty-name", Error, Names, "A6/H1",
        "The entry has an empty name, or one that is only separators and dots.";
    WindowsUnsafeName = "windows-unsafe-name", Warning, Names, "H1",
        "The entry name is a Windows device name (CON, PRN, AUX, NUL, COM0-9, LPT0-9, CONIN$, CONOUT$, with any extension), holds a character Windows forbids (< > : \" | ? *) or ends with a dot or space. A warning: every Linux reader (Python's restore, Info-ZIP, 7-Zip, bsdtar) agrees; Windows extractors write another name or to the device. A genuine blueprint file named like aux.py gets it too.";
    DuplicateName = "duplicate-name", Warning, Names, "A7/H8",
        "Two entries have the same name and the same content (CRC, size and stored bytes); a warning because every extractor writes the same bytes (Python keeps the last copy and testzip() checks only that one), though Go's fs.FS and adm-zip refuse duplicate names.";
    DuplicateNameConflict = "duplicate-name-conflict", Error, Names, "A7/H8",
        "Two entries have the same name and different content (CRC, size or stored bytes); an error because readers extract different bytes: Python, and so Cloudify's restore (metadata.json, the dumps, agents.json, rest-security.conf), reads the last copy, while listings and extractors that keep the first file (unzip -n, 7-Zip -aos, bsdtar -k) show the first, and adm-zip refuses the archive.";
    NameCollision = "name-collision", Warning, Names, "H9",
        "Two names land on one path: Python's extraction path (B3: `a//b`, `./a/b`, `../a/b` are all `a/b`; Python, Info-ZIP, 7-Zip and bsdtar keep the last copy, Go, yauzl and Java list two), case or backslash folding (B4: only case-insensitive file systems and Windows tools merge them), or a file and a directory share a path; warnings, as extractors on Linux agree. An error for a last component `.` (`a/b/.`: Python writes `a/b`, Info-ZIP and 7-Zip fail).";
    NameEncodingAmbiguous = "name-encoding-ambiguous", Warning, Names, "A8/H20",
        "A non-ASCII name without the UTF-8 flag. An error when the bytes are not UTF-8 (Python writes its CP437 reading, Info-ZIP Latin-1 or raw bytes, 7-Zip and bsdtar raw bytes: no two agree); a warning when they are UTF-8 (Python 3 restores write CP437 mojibake, Python 2 restores, Info-ZIP, 7-Zip and bsdtar the UTF-8 bytes).";
    NameNotUtf8 = "name-not-utf8", Error, Names, "A8/H20",
        "A name flagged as UTF-8 is not valid UTF-8; every Python (2.7 to 3.13) raises UnicodeDecodeError opening the archive, so restore fails, while Info-ZIP drops the bad bytes and 7-Zip keeps them.";
    UnicodePathMismatch = "unicode-path-mismatch", Warning, Names, "H19",
        "The Info-ZIP Unicode Path extra field (0x7075) names another path. An error when a common reader applies it (Python 3.12+ and Info-ZIP the last valid copy, 7-Zip and yauzl the first; Python up to 3.11, Java and Go ignore it) or when it is short or invalid UTF-8 (Python 3.12+ refuses the archive); a warning when its CRC or version makes every common reader ignore it.";
    ExtraFieldMalformed = "extra-field-malformed", Warning, Names, "H23",
        "An extra field breaks its format's length rules (ZIP64, NTFS, UT, Unix UX/Ux/ux, Unicode Comment, Xceed, growth hint, minizip-ng hash and signature, WinZip AES) or appears twice; a warning when only metadata is affected and every reader extracts the same bytes. An error when a field runs past the extra area: Python 3.7+, Java ZipFile, bsdtar and yauzl refuse the archive (central copy) or bsdtar the entry (local copy), while Info-ZIP and 7-Zip read on.";
    DosDatetimeInvalid = "dos-datetime-invalid", Warning, Names, "H23/H23b",
        "The entry's MS-DOS date or time is impossible (month 0 or 13+, day 0, hour 24+, …); every reader extracts the same bytes but sets a different modification time (Info-ZIP the current time, 7-Zip and bsdtar a normalised one).";
    SymlinkEntry = "symlink-entry", Error, Names, "H2",
        "The entry is a symbolic link; Cloudify never writes one and links let later entries escape the root.";
    SpecialFileEntry = "special-file-entry", Error, Names, "H2",
        "The entry is a device, FIFO, socket or other non-regular file.";
    SpecialModeBits = "special-mode-bits", Warning, Names, "A9/H2",
        "The entry has setuid, setgid or sticky bits, which restore applies with chmod from 6.3 on.";
    WorldWritable = "world-writable", Warning, Names, "A9/H2",
        "The entry's mode is world-writable; restore applies it with chmod from 6.3 on.";
    UnreadableMode = "unreadable-mode", Warning, Names, "A9",
        "The entry records no Unix owner-read permission; restore on 6.3+ extracts it with that mode and cannot read it back.";

    // ---- Nested archives (H5) ----
    NestedArchiveInvalid = "nested-archive-invalid", Warning, Payload, "H5/D8",
        "A nested archive (blueprint, plugin or deployment archive) is not the valid archive its name says.";
    NestingTooDeep = "nesting-too-deep", Warning, Payload, "H5",
        "Nested archives go deeper than the verification budget allows.";

    // ---- metadata.json (B1–B13) ----
    NotASnapshot = "not-a-snapshot", Error, Metadata, "B1",
        "The archive has no metadata.json at all: it is not a Cloudify snapshot.";
    MetadataNotAtRoot = "metadata-not-at-root", Error, Metadata, "B1",
        "metadata.json is only present inside a folder (a re-zip wrapped the snapshot); restore needs it at the root.";
    MetadataInvalidJson = "metadata-invalid-json", Error, Metadata, "B2",
        "metadata.json is not valid JSON.";
    MetadataNotObject = "metadata-not-object", Error, Metadata, "B2",
        "metadata.json is valid JSON but not an object.";
    VersionMissing = "version-missing", Error, Metadata, "B3",
        "metadata.json has no snapshot_version string.";
    VersionInvalid = "version-invalid", Error, Metadata, "B3",
        "snapshot_version has fewer than two numeric components; Cloudify's version parser crashes on it.";
    VersionNotStrict = "version-not-strict", Warning, Metadata, "B3",
        "snapshot_version has non-numeric components, which 3.4.x and 4.0.x managers reject.";
    HasCloudifyEventsMissing = "has-cloudify-events-missing", Warning, Metadata, "B7",
        "A 3.x snapshot lacks the boolean has_cloudify_events that 3.x restore reads.";
    SchemaRevisionUnknown = "schema-revision-unknown", Error, Metadata, "B8",
        "schema_revision is not a known Cloudify database revision; alembic fails on restore.";
    SchemaRevisionInconsistent = "schema-revision-inconsistent", Warning, Metadata, "B8",
        "schema_revision is newer than the head revision of the snapshot_version it claims.";
    StageRevisionNoise = "stage-revision-noise", Warning, Metadata, "B9",
        "stage_schema_revision holds several lines (npm or log noise); 4.6 managers fail Stage restore, 5.0+ keep the last line.";
    StageRevisionMalformed = "stage-revision-malformed", Warning, Metadata, "B9",
        "stage_schema_revision does not look like a Stage migration name.";
    ComposerRevisionFirstMigration = "composer-revision-first-migration", Info, Metadata, "B10",
        "composer_schema_revision holds the first migration (a known Cloudify bug, normalised by 6.0+ restore).";
    RoutingHazard = "routing-hazard", Warning, Metadata, "B11/H1-routing",
        "A legacy payload without all three revision keys: 7.0.x managers route it to the new-format restore, which restores nothing or fails. Reported without --target-version; with one, the target's prediction says it.";
    ExecutionIdInvalid = "execution-id-invalid", Warning, Metadata, "B12",
        "execution_id is not a UUID string.";
    MetadataUnknownKey = "metadata-unknown-key", Info, Metadata, "B13",
        "metadata.json holds a key no Cloudify version writes.";
    EraMismatch = "era-mismatch", Warning, Metadata, "§1.2",
        "The payload markers and the metadata disagree about the snapshot's era.";

    // ---- Legacy payload (C1–C15) ----
    PayloadMissing = "payload-missing", Error, Payload, "C1",
        "The database dump the era needs (es_data before 4.0, pg_data from 4.0) is missing.";
    AgentsMissing = "agents-missing", Error, Payload, "C2",
        "agents.json is missing; restore opens it unconditionally.";
    AgentsInvalid = "agents-invalid", Error, Payload, "C2",
        "agents.json is not valid JSON.";
    AgentsShape = "agents-shape", Warning, Payload, "C2",
        "agents.json does not have the nesting or leaf shape restore reads; the affected deployments' agents are skipped.";
    SqlDumpInvalid = "sql-dump-invalid", Error, Payload, "C3",
        "A database dump is not a plain-text pg_dump (bad header or encoding).";
    SqlDumpTruncated = "sql-dump-truncated", Error, Payload, "C3",
        "A database dump is cut short: a COPY block is unterminated or the 'dump complete' marker is missing.";
    SqlDumpNoDelete = "sql-dump-no-delete", Warning, Payload, "C3",
        "pg_data lacks the trailing DELETE of the snapshot's own execution.";
    SqlKeptTable = "sql-kept-table", Warning, Payload, "C4",
        "pg_data holds data for a table restore keeps, which clashes after restore truncates the others.";
    NetworksMissing = "networks-missing", Error, Payload, "C5",
        "networks.json is missing; restore of snapshots from 4.2 on opens it.";
    NetworksInvalid = "networks-invalid", Error, Payload, "C5",
        "networks.json is not an object with an active_networks list of strings.";
    NetworksActive = "networks-active", Info, Payload, "C5",
        "Agents use networks other than default; the target manager must define networks of these names or restore fails.";
    RestSecurityMissing = "rest-security-missing", Error, Payload, "C6",
        "rest-security.conf is missing; restore of snapshots from 4.4 on needs it.";
    RestSecurityInvalid = "rest-security-invalid", Error, Payload, "C6",
        "rest-security.conf is not a JSON object.";
    EncryptionKeyInvalid = "encryption-key-invalid", Warning, Payload, "C6",
        "rest-security.conf's encryption_key is missing or does not decode to 32 or 64 bytes.";
    AdminAccountMissing = "admin-account-missing", Error, Payload, "C7",
        "admin_account.json is missing; restore of snapshots from 4.4 on (or with hash_salt.json) needs it.";
    AdminAccountInvalid = "admin-account-invalid", Error, Payload, "C7",
        "admin_account.json is not a JSON object with id, username and password.";
    StageDataMissing = "stage-data-missing", Warning, Payload, "C8",
        "stage_data is missing; premium managers fail the restore for snapshots from 4.3 on.";
    ComposerDataMissing = "composer-data-missing", Warning, Payload, "C8",
        "composer_data is missing; premium managers with a Composer database fail the restore.";
    EsDataLineInvalid = "es-data-line-invalid", Warning, Payload, "C12",
        "An es_data line is not JSON with _type and _source, or has an unknown _type; restore skips it.";
    CredentialsLayout = "credentials-layout", Warning, Payload, "C13",
        "A snapshot-credentials/ folder does not follow the era's naming or lacks agent_key.";
    RestoreTimeFile = "restore-time-file", Warning, Payload, "C14",
        "A file restore creates for itself is present: the archive was assembled by hand.";
    InfluxdbIgnored = "influxdb-ignored", Info, Payload, "C15",
        "influxdb_data is present; restore ignores it from 5.0 on.";

    // ---- Restore rules read from Cloudify's restore code (C9–C11, issue 12) ----
    CertificatesComplete = "certificates-complete", Info, Payload, "C9",
        "With --restore-certificates: ssl/ holds the internal CA certificate and key and the internal certificate and key that legacy restore moves over the manager's (snapshots/snapshot_restore.py SnapshotRestore._restore_certificate).";
    CertificatesIncomplete = "certificates-incomplete", Warning, Payload, "C9",
        "With --restore-certificates: ssl/ is missing or lacks certificates legacy restore copies, so the manager ends up with a CA that does not match its certificates (snapshots/snapshot_restore.py SnapshotRestore._restore_certificate, snapshots/utils.py copy_snapshot_path); the failing shell commands run after the workflow and are never reported.";
    CertificatesFallback = "certificates-fallback", Info, Payload, "C9b",
        "With --restore-certificates: the archive has no cloudify_internal_ca_cert.pem, so legacy restore makes the internal certificate and key the CA (its fallback for old self-signed managers; snapshots/snapshot_restore.py SnapshotRestore._restore_certificate).";
    CertificatesIgnored = "certificates-ignored", Info, Payload, "C9a",
        "With --restore-certificates: 7.x restores new-format snapshots through the new path, which ignores the flag (snapshots/snapshot_restore.py SnapshotRestore.restore returns after _new_restore).";
    PluginFilesMissing = "plugin-files-missing", Warning, Payload, "C10",
        "A plugin row of pg_data has no wagon at plugins/<id>/<archive_name>: an error on 4.0–5.0.5 targets, whose restore installs every plugin and fails without --ignore-plugin-failure; 5.1+ restores a plugin that cannot be installed (snapshots/snapshot_restore.py SnapshotRestore._restore_files_to_manager copies the folder as it is).";
    BlueprintUploadMissing = "blueprint-upload-missing", Warning, Payload, "C11",
        "A blueprint row of pg_data has no uploaded-blueprints/<t>/<id>/<id>.<ext> archive: restore keeps the blueprint, but downloading it fails (snapshots/utils.py copy_files_between_manager_and_snapshot copies the folder as it is).";
    BlueprintFilesMissing = "blueprint-files-missing", Warning, Payload, "C11b",
        "A blueprint row of pg_data has no main file in blueprints/<t>/<id>/: restore keeps the blueprint, but its resources are gone from the file server and deployments from it fail (snapshots/utils.py copy_files_between_manager_and_snapshot).";
    ArchiveUnreferenced = "archive-unreferenced", Info, Payload, "C11a/D6a",
        "Files or an archive no pg_data row or dump item refers to: legacy restore copies them to the file server unused, new-format restore never reads them (snapshots/snapshot_restore.py _get_associated_archive looks archives up by item).";

    // ---- New payload (D1–D13) ----
    NewFormatVariant = "new-format-variant", Warning, Payload, "D1",
        "An N0 (7.0.0) layout, also when labelled 7.0.1+ (sub-era N0b): only 7.0.0 managers understand it (snapshots/snapshot_restore.py scan_snapshot, _get_associated_archive differ between 7.0.0 and 7.0.1+).";
    TenantDirMissing = "tenant-dir-missing", Error, Payload, "D2",
        "Files sit under tenants/<t>/ without a tenants/<t>/ directory entry; restore never discovers that tenant.";
    TenantEmpty = "tenant-empty", Warning, Payload, "D2",
        "A tenants/<t>/ directory entry has no files under it; 7.0.1–7.0.4 restore probably crashes with TypeError.";
    EnvelopeInvalid = "envelope-invalid", Error, Payload, "D3",
        "A dump file is not valid JSON of the shape {type, items}.";
    EnvelopeUnknownType = "envelope-unknown-type", Warning, Payload, "D4",
        "A dump file's type is not one restore processes; it is silently ignored.";
    EnvelopeItemInvalid = "envelope-item-invalid", Error, Payload, "D5",
        "A dump item lacks a field restore requires (its dedup key or a required field); restore crashes with KeyError.";
    BlueprintArchiveMissing = "blueprint-archive-missing", Error, Payload, "D6",
        "A blueprint item has no blueprint archive where restore looks for it; restore aborts there (snapshots/snapshot_restore.py _get_associated_archive returns None, cloudify_rest_client blueprints.py BlueprintsClient.restore raises TypeError).";
    PluginArchiveMissing = "plugin-archive-missing", Error, Payload, "D7",
        "A plugin item has no plugin archive where restore looks for it; restore aborts there (snapshots/snapshot_restore.py _get_associated_archive returns None, cloudify_rest_client plugins.py PluginsClient.restore raises TypeError).";
    ComposerBlueprintsCount = "composer-blueprints-count", Error, Payload, "D9",
        "composer/ needs exactly one blueprints.json and one other blueprints.* file.";
    StageEntryUnexpected = "stage-entry-unexpected", Warning, Payload, "D10",
        "A stage/ entry is not a known Stage entity or tenant.";
    UiEntryAborts = "ui-entry-aborts", Error, Payload, "D9a/D10a",
        "A composer/ or stage/ file whose entity (its name up to the last dot) is not an attribute of Cloudify's Composer or Stage client: 7.0.x restore raises AttributeError and aborts (snapshots/snapshot_restore.py SnapshotRestore.scan_snapshot, _new_restore_composer, _new_restore_stage).";
    EnvelopeSourceMissing = "envelope-source-missing", Warning, Payload, "D11",
        "A nodes, node_instances, agents, events or tasks_graphs dump lacks source_id (or events lack source).";
    DanglingReference = "dangling-reference", Warning, Payload, "D12",
        "A dump item refers to an entity the snapshot does not hold.";
    UnexpectedFile = "unexpected-file", Info, Payload, "D13",
        "A file new-format restore does not recognise; it is logged and skipped.";
    DeploymentArchiveMissing = "deployment-archive-missing", Info, Payload, "D8a",
        "A deployment item has no working-directory archive where restore looks for it; restore creates the deployment with an empty working directory (snapshots/snapshot_restore.py _get_associated_archive; Cloudify omits the file when the directory is empty).";

    // ---- Target prediction (B4–B6, D1, D13, §5.3–5.4) ----
    TargetSnapshotNewer = "target-snapshot-newer", Error, Target, "B4",
        "The snapshot comes from a newer manager than the target; restore refuses it.";
    TargetSnapshotUnsupported = "target-snapshot-unsupported", Error, Target, "B4/B5",
        "The target manager refuses snapshots of this version.";
    TargetFormatUnsupported = "target-format-unsupported", Error, Target, "D1/§5.4",
        "The target manager cannot read this snapshot format at all.";
    TargetRoutesNewPath = "target-routes-new-path", Error, Target, "B11/H1-routing",
        "On this target the archive takes the new-format restore path: its files are skipped as unexpected and restore completes without restoring anything, or aborts (7.0.x snapshots/snapshot_restore.py SnapshotRestore._is_legacy_snapshot, scan_snapshot).";
    TargetRuntimeRefusesLegacy = "target-runtime-refuses-legacy", Error, Target, "B11a",
        "A 7.0.1+ manager on Kubernetes refuses legacy-path snapshots: \"legacy snapshots cannot be restored on a distributed manager\" (7.0.4 snapshots/snapshot_restore.py SnapshotRestore.restore, snapshots/utils.py is_split_services_environment).";
    TargetRestoreAborts = "target-restore-aborts", Error, Target, "§5.4",
        "Restore on this target fails part-way, after some entities were written, for a reason no error finding of the archive states (for example an empty tenants/<t>/ folder: TypeError in 7.0.x snapshots/snapshot_restore.py SnapshotRestore._new_restore_parse_and_restore).";
    TargetArchiveCorrupt = "target-archive-corrupt", Error, Target, "A5/§5.4",
        "The target's restore cannot open or extract the archive (Python's zipfile raises on a name flagged UTF-8 that is not, or an extra field running past its record; extractall fails on a file another entry uses as a directory): nothing is restored.";
    TargetVersionUnchecked = "target-version-unchecked", Warning, Target, "B6/D13",
        "New-format restore runs no version check; a snapshot newer than the target restores unchecked.";
    TargetFileRequired = "target-file-required", Error, Target, "C8/§5.5",
        "The target's restore needs a file this snapshot lacks.";
    TargetUnknownVersion = "target-unknown-version", Warning, Target, "§5.4",
        "The target version is outside the versions the spec covers; the prediction may be wrong.";

    // ---- Security inventory (S1–S3) ----
    SecretsInClear = "secrets-in-clear", Warning, Security, "S1",
        "The snapshot holds secrets or passwords in clear text; handle the file as a secret.";
    KeyMaterial = "key-material", Warning, Security, "S2",
        "The snapshot holds private keys or the key that decrypts its own secrets; handle the file as a secret.";
    PasswordHashes = "password-hashes", Info, Security, "S1",
        "The snapshot holds user password hashes.";

    // ---- Advisories from the Cloudify docs and the preview (A10, ADV, F) ----
    AdviceInstallNewAgents = "advice-install-new-agents", Info, Target, "ADV",
        "After restoring onto a newer manager, run install_new_agents for the snapshot's agents.";
    AdviceDuplicatedEvents = "advice-duplicated-events", Info, Target, "ADV",
        "3.x snapshots restored onto the manager that made them can duplicate events (known issue).";
    AdviceRestoreDisk = "advice-restore-disk", Info, Payload, "A10",
        "Estimated temporary disk a legacy restore needs.";
    QuickLimit = "quick-limit", Info, Data, "F",
        "Part of the payload was not inspected at this level or budget; run --level full for a complete check.";
}

impl Code {
    /// How many findings of this code a report lists; the rest are counted into one summary
    /// finding, so an archive with a million bad entries still gives a bounded, readable report.
    /// The one cap policy of the report: [`LISTED_PER_CODE`], except where one archive fault
    /// naturally repeats for every entry that refers to it.
    pub fn listed_at_most(self) -> usize {
        match self {
            // One missing entity is referred to by every deployment, node and execution of it.
            Code::DanglingReference => 5,
            _ => LISTED_PER_CODE,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn codes_are_unique_kebab_case_and_round_trip() {
        let mut seen = HashSet::new();
        for &code in Code::ALL {
            let name = code.as_str();
            assert!(seen.insert(name), "duplicate code {name}");
            assert!(
                name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
                "{name} is not kebab-case"
            );
            assert_eq!(Code::from_name(name), Some(code));
            assert!(!code.rule().is_empty() && code.description().ends_with('.'));
        }
    }

    #[test]
    fn family_names_match_serde_and_the_examples_land_where_expected() {
        for family in Family::ALL {
            assert_eq!(serde_json::to_value(family).unwrap(), family.as_str());
        }
        let cases = [
            ("truncated", "container"),
            ("hidden-local-header", "container"),
            ("crc-mismatch", "data"),
            ("ratio-impossible", "data"),
            ("quick-limit", "data"),
            ("path-traversal", "names"),
            ("symlink-entry", "names"),
            ("windows-unsafe-name", "names"),
            ("not-a-snapshot", "metadata"),
            ("era-mismatch", "metadata"),
            ("routing-hazard", "metadata"),
            ("payload-missing", "payload"),
            ("nested-archive-invalid", "payload"),
            ("advice-restore-disk", "payload"),
            ("tenant-empty", "payload"),
            ("target-file-required", "target"),
            ("target-routes-new-path", "target"),
            ("advice-install-new-agents", "target"),
            ("secrets-in-clear", "security"),
        ];
        for (name, want) in cases {
            assert_eq!(Code::from_name(name).unwrap().family().as_str(), want, "{name}");
        }
    }

    /// Adding, renaming or re-rating a code is a reviewed diff of this snapshot.
    #[test]
    fn catalogue_snapshot() {
        let listing: Vec<String> = Code::ALL
            .iter()
            .map(|c| {
                let (code, severity, family) = (c.as_str(), c.default_severity().as_str(), c.family().as_str());
                format!("{code:<36} {severity:<8} {family:<9} {}", c.rule())
            })
            .collect();
        insta::assert_snapshot!(listing.join("\n"));
    }
}
