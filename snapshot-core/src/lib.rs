//! The core of snapshot-verify: verifies a Cloudify Manager snapshot archive and returns a
//! [`Report`] of findings.
//!
//! It checks the ZIP container (end records, every central and local header, byte coverage,
//! names and modes, and at [`Level::Full`] every entry's data), classifies the snapshot's era,
//! checks its metadata and payload against what each Cloudify version's restore needs, predicts
//! restore on a target manager, inventories secrets without ever reading their values into the
//! report, and builds a preview.
//!
//! It reads only through [`ReadAt`], holds neither the archive nor any entry in memory, and does
//! no file system access, printing, clock reads or threading of its own: the CLI and the
//! browser module supply those. Problems in the archive are findings, never errors; [`Error`]
//! means verification could not run.
//!
//! ```
//! use snapshot_core::{verify, Options};
//! let empty_zip = b"PK\x05\x06\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0".to_vec();
//! let report = verify(&empty_zip, &Options::default()).unwrap();
//! assert_eq!(report.findings[0].code.as_str(), "not-a-snapshot");
//! ```

#![warn(missing_docs)]
#![warn(clippy::disallowed_methods, reason = "the core does no I/O, clock reads or threads")]

pub mod code;
mod data;
mod entries;
mod error;
pub mod report;
pub mod sha256;
mod snapshot;
mod source;
mod verify;
mod zip;

pub use code::{Code, Severity};
pub use entries::{Entries, EntryInfo, list_entries, stream_entry};
pub use error::Error;
pub use report::{Edition, Finding, Level, Report};
pub use source::{ReadAt, read_full};
pub use verify::{EntryJob, JobOutcome, Verifier};

/// Bounds that keep time and memory finite on hostile input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Central directory records read at most.
    pub max_entries: u64,
    /// Largest JSON member read whole in the quick phase.
    pub max_json_member: u64,
    /// Total decompressed bytes of JSON members the quick phase reads.
    pub quick_json_budget: u64,
    /// Total decompressed output of the data pass.
    pub max_output: u64,
    /// Bytes of unlisted gaps scanned for hidden local headers.
    pub gap_scan: u64,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_entries: 2_000_000,
            max_json_member: 32 << 20,
            quick_json_budget: 256 << 20,
            max_output: 1 << 40,
            gap_scan: 64 << 20,
        }
    }
}

/// What to verify and how.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Options {
    /// Quick (structure and small members) or full (every entry's data).
    pub level: Level,
    /// The manager version to predict restore on.
    pub target_version: Option<String>,
    /// The target's edition.
    pub edition: Edition,
    /// The file's base name, as it should appear in the report.
    pub file_name: String,
    /// Work bounds.
    pub limits: Limits,
}

/// Verifies an archive in one call, sequentially. Front ends that want progress, cancellation
/// or parallelism drive a [`Verifier`] instead; the report is the same.
pub fn verify(src: &dyn ReadAt, opts: &Options) -> Result<Report, Error> {
    let mut v = Verifier::new(src, opts.clone())?;
    while !v.step(src, u64::MAX)? {}
    Ok(v.finish(src))
}
