//! The report: the one JSON document both front ends emit.
//!
//! # Wire format
//!
//! `serde_json::to_string_pretty(&report)` is the schema, versioned by [`SCHEMA_VERSION`] and
//! described field by field in `schema/report.schema.json` (a test validates real reports
//! against it). Field order is fixed by these declarations, so the same archive and options
//! give byte-identical JSON from the CLI and the browser module.
//!
//! Compatibility: within one schema version fields are only added, never removed or changed in
//! meaning; the lists of finding codes, eras and security kinds may grow.

use crate::Error;
use crate::code::Severity;
use crate::policy::{BaselineSummary, PolicyLevel};
use serde::Serialize;

mod finding;
pub use finding::Finding;
mod snapshot;
pub(crate) use finding::{BOUND_FROM, Effect, cap_per_code, cap_when_grown, omitted_findings};
pub use snapshot::{
    Compatibility, ContentCounts, ContentFlags, EraInfo, MetadataInfo, Part, SecretItem, SecretKind, Security,
    SnapshotInfo, TargetPrediction, VersionRange,
};

/// The version of the report schema. Bumped on any incompatible change.
pub const SCHEMA_VERSION: u32 = 1;

/// How deep verification goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// End records, central directory, every local header and the small JSON members.
    #[default]
    Quick,
    /// Quick, plus every entry decompressed and checked (CRC, exact sizes) and the database
    /// dumps streamed for truncation.
    Full,
}

/// Manager edition of a restore target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Edition {
    /// Premium (Stage and Composer databases are restored).
    #[default]
    Premium,
    /// Community.
    Community,
}

/// Where the restore target runs (only 7.0.1+ managers behave differently on Kubernetes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Runtime {
    /// One host or a VM-based cluster (`RUNTIME_ENVIRONMENT` is not k8s).
    #[default]
    SingleHost,
    /// A distributed manager on Kubernetes (`RUNTIME_ENVIRONMENT` k8s/kubernetes).
    Kubernetes,
}

/// What the target's restore does with the archive (spec §5.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    /// Restore completes and restores the snapshot's content.
    Restores,
    /// Restore refuses the archive before it changes anything.
    Refused,
    /// Restore fails part-way, after some entities were written.
    Aborts,
    /// Restore completes and reports success, but restores nothing.
    RestoresNothing,
    /// Restore completes, but named content is lost.
    Partial,
}

/// The overall result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    /// No errors and no warnings.
    Pass,
    /// Warnings, no errors.
    PassWithWarnings,
    /// At least one error.
    Fail,
}

impl Verdict {
    /// The kebab-case name used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Pass => "pass",
            Verdict::PassWithWarnings => "pass-with-warnings",
            Verdict::Fail => "fail",
        }
    }
}

/// The verifier that wrote the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Tool {
    /// Always `snapshot-verify`.
    pub name: &'static str,
    /// The core's version.
    pub version: &'static str,
}

/// The file that was verified.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FileInfo {
    /// The file's base name (no directories, so every front end writes the same).
    pub name: String,
    /// Its size in bytes.
    pub size: u64,
    /// Lowercase hex SHA-256 of the whole file, when the front end computed it.
    pub sha256: Option<String>,
}

/// Where a front end read the file from, when that was not a local file (the CLI's remote
/// sources): set by the front end with [`Report::set_source`]; absent from local reports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SourceInfo {
    /// The URL, without credentials, query string or fragment.
    pub url: String,
    /// Bytes of the file received, read-ahead and retries included.
    pub bytes_fetched: u64,
    /// Requests sent (HEAD, ranged GETs, retries).
    pub requests: u64,
}

/// What verification was asked to do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Settings {
    /// `quick` or `full`.
    pub level: Level,
    /// The manager version restore is predicted for, when one was given.
    pub target_version: Option<String>,
    /// The target's edition.
    pub edition: Edition,
    /// Restore is planned with `--restore-certificates` (C9); left out of the report when false.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub restore_certificates: bool,
    /// Where the target runs.
    pub runtime: Runtime,
    /// The effective policy: its directives in order, each selector once (see
    /// [`crate::policy`]); left out of the report when there is none.
    #[serde(skip_serializing_if = "crate::policy::Policy::is_empty")]
    pub policy: crate::policy::Policy,
}

/// Counts of findings and of entries.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Findings with severity error.
    pub errors: usize,
    /// Findings with severity warning.
    pub warnings: usize,
    /// Findings with severity info.
    pub infos: usize,
    /// Entries in the central directory.
    pub entries: u64,
    /// Entries whose data was decompressed and matched CRC and sizes (`full` level only).
    pub entries_verified: u64,
    /// Findings a policy allowed (counted as infos too); only present with a policy.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allowed: Option<usize>,
    /// What a baseline knew; only present when one was applied.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub baseline: Option<crate::policy::BaselineSummary>,
}

/// What a sampled data pass (`--sample`) checked. Present only when the options asked for a
/// sample at the full level; an unsampled report has no `sample` field.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SampleInfo {
    /// `percent`, `size` or `slice`.
    pub mode: &'static str,
    /// The sample in canonical form: `10%`, a byte count, or `K/N`.
    pub spec: String,
    /// The seed of the entry hash.
    pub seed: u64,
    /// Entries the unsampled data pass checks (files with data, readable).
    pub entries_total: u64,
    /// Of them, the entries this pass checked (the restore-critical ones included).
    pub entries_checked: u64,
    /// Restore-critical entries, always checked.
    pub critical_entries: u64,
    /// Declared compressed bytes of `entries_total`.
    pub bytes_total: u64,
    /// Declared compressed bytes of `entries_checked`: what the pass read.
    pub bytes_checked: u64,
    /// Names of the entries not checked, in central-directory order, at most 100.
    pub not_checked: Vec<String>,
    /// Entries not checked beyond the listed ones.
    pub not_checked_omitted: u64,
}

/// The ZIP container as the central directory describes it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ArchiveInfo {
    /// Entries listed.
    pub entries: u64,
    /// File entries (names not ending in `/`).
    pub files: u64,
    /// Directory entries.
    pub directories: u64,
    /// Whether ZIP64 end records are present.
    pub zip64: bool,
    /// Bytes before the archive proper (non-zero means prepended data).
    pub archive_offset: u64,
    /// Where the central directory starts.
    pub central_directory_offset: u64,
    /// Its size in bytes.
    pub central_directory_size: u64,
    /// Length of the archive comment.
    pub comment_length: u64,
    /// Sum of declared compressed sizes.
    pub compressed_size: u64,
    /// Sum of declared uncompressed sizes.
    pub uncompressed_size: u64,
    /// Entries stored without compression.
    pub stored: u64,
    /// Entries compressed with DEFLATE.
    pub deflated: u64,
    /// Entries with any other method.
    pub other_methods: u64,
}

/// The verification report. Only the core builds one, and it is read-only outside: its
/// accessors show every field, and the only changes a front end may make ([`Report::push_finding`],
/// [`Report::set_sha256`]) keep it in canonical order with consistent counts and verdict.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Report {
    schema_version: u32,
    tool: Tool,
    file: FileInfo,
    #[serde(skip_serializing_if = "Option::is_none")]
    source: Option<SourceInfo>,
    settings: Settings,
    verdict: Verdict,
    summary: Summary,
    #[serde(skip_serializing_if = "Option::is_none")]
    sample: Option<SampleInfo>,
    archive: Option<ArchiveInfo>,
    snapshot: SnapshotInfo,
    security: Security,
    findings: Vec<Finding>,
}

impl Report {
    /// A sealed report of the current schema and tool. `summary` supplies the entry counts;
    /// the finding counts and the verdict are computed here.
    pub(crate) fn new(
        file: FileInfo,
        settings: Settings,
        summary: Summary,
        archive: Option<ArchiveInfo>,
        snapshot: SnapshotInfo,
        security: Security,
        findings: Vec<Finding>,
    ) -> Report {
        let mut report = Report {
            schema_version: SCHEMA_VERSION,
            tool: Tool { name: "snapshot-verify", version: env!("CARGO_PKG_VERSION") },
            file,
            source: None,
            settings,
            verdict: Verdict::Pass,
            summary,
            sample: None,
            archive,
            snapshot,
            security,
            findings,
        };
        report.seal();
        report
    }

    /// [`SCHEMA_VERSION`].
    pub fn schema_version(&self) -> u32 {
        self.schema_version
    }

    /// Who wrote it.
    pub fn tool(&self) -> &Tool {
        &self.tool
    }

    /// What was verified.
    pub fn file(&self) -> &FileInfo {
        &self.file
    }

    /// Where the file was read from, when a front end read it remotely.
    pub fn source(&self) -> Option<&SourceInfo> {
        self.source.as_ref()
    }

    /// How.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// The overall result: `fail` when any finding is an error.
    pub fn verdict(&self) -> Verdict {
        self.verdict
    }

    /// Counts.
    pub fn summary(&self) -> &Summary {
        &self.summary
    }

    /// What a sampled data pass checked; `None` unless `--sample` was given at the full level.
    pub fn sample(&self) -> Option<&SampleInfo> {
        self.sample.as_ref()
    }

    /// Attaches the sample's account (the core's orchestration only).
    pub(crate) fn set_sample(&mut self, sample: Option<SampleInfo>) {
        self.sample = sample;
    }

    /// The container, when an end record was found.
    pub fn archive(&self) -> Option<&ArchiveInfo> {
        self.archive.as_ref()
    }

    /// The snapshot preview.
    pub fn snapshot(&self) -> &SnapshotInfo {
        &self.snapshot
    }

    /// The security inventory.
    pub fn security(&self) -> &Security {
        &self.security
    }

    /// Every finding, errors first.
    pub fn findings(&self) -> &[Finding] {
        &self.findings
    }

    /// Whether any finding is an error.
    pub fn has_errors(&self) -> bool {
        self.summary.errors > 0
    }

    /// Adds a finding a front end made (for example `verification-incomplete` after a time
    /// limit), keeping the canonical order, counts and verdict.
    pub fn push_finding(&mut self, finding: Finding) {
        self.findings.push(finding);
        self.seal();
    }

    /// Marks the findings `baseline` knows and counts the others in `summary.baseline`. Only
    /// findings it does not know should fail a run (the CLI's exit code uses
    /// `summary.baseline.new_errors` / `new_warnings`).
    pub fn apply_baseline(&mut self, baseline: &crate::policy::Baseline) {
        for f in &mut self.findings {
            f.baseline = baseline.contains(f);
        }
        self.summary.baseline = Some(crate::policy::BaselineSummary::default());
        self.seal();
    }

    /// Records the whole-file SHA-256 computed by the front end.
    pub fn set_sha256(&mut self, hex: String) {
        self.file.sha256 = Some(hex);
    }

    /// Records where the front end read the file from (a remote URL, what it cost).
    pub fn set_source(&mut self, source: SourceInfo) {
        self.source = Some(source);
    }

    /// The report as pretty JSON, exactly as both front ends emit it.
    pub fn to_json(&self) -> Result<String, Error> {
        serde_json::to_string_pretty(self).map_err(Error::Json)
    }

    /// Sorts findings into their canonical order and recomputes the verdict and counts.
    fn seal(&mut self) {
        let policy = &self.settings.policy;
        if !policy.is_empty() {
            self.findings.iter_mut().for_each(|f| policy.apply(f));
        }
        self.findings.sort_by(|a, b| {
            (a.severity, a.offset.is_none(), a.offset, &a.path, a.code, &a.message).cmp(&(
                b.severity,
                b.offset.is_none(),
                b.offset,
                &b.path,
                b.code,
                &b.message,
            ))
        });
        self.findings.dedup();
        let count = |s| self.findings.iter().filter(|f| f.severity == s).count();
        self.summary.errors = count(Severity::Error);
        self.summary.warnings = count(Severity::Warning);
        self.summary.infos = count(Severity::Info);
        self.summary.allowed = (!policy.is_empty())
            .then(|| self.findings.iter().filter(|f| f.policy.is_some_and(|m| m.level == PolicyLevel::Allow)).count());
        if self.summary.baseline.is_some() {
            let new = |s| self.findings.iter().filter(|f| !f.baseline && f.severity == s).count();
            self.summary.baseline = Some(BaselineSummary {
                known: self.findings.iter().filter(|f| f.baseline).count(),
                new_errors: new(Severity::Error),
                new_warnings: new(Severity::Warning),
            });
        }
        self.verdict = if self.summary.errors > 0 {
            Verdict::Fail
        } else if self.summary.warnings > 0 {
            Verdict::PassWithWarnings
        } else {
            Verdict::Pass
        };
        self.security.items.sort_by(|a, b| (a.kind, &a.path).cmp(&(b.kind, &b.path)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn as_str_matches_serde() {
        for kind in [
            SecretKind::PrivateKey,
            SecretKind::AgentKey,
            SecretKind::EncryptionKey,
            SecretKind::ClearSecret,
            SecretKind::EncryptedSecret,
            SecretKind::BrokerPassword,
            SecretKind::PasswordHash,
            SecretKind::ConfigCredential,
            SecretKind::Certificate,
        ] {
            assert_eq!(serde_json::to_value(kind).unwrap(), kind.as_str());
        }
        for v in [Verdict::Pass, Verdict::PassWithWarnings, Verdict::Fail] {
            assert_eq!(serde_json::to_value(v).unwrap(), v.as_str());
        }
    }
}
