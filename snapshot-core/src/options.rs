//! What to verify and how: the level, the restore target and the work bounds.

use crate::report::{Edition, Level, Runtime};
use crate::sample::Sampling;

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
    /// Restore will run with `--restore-certificates` (rule C9): say whether the archive's `ssl/`
    /// holds what legacy restore copies, and that new-format restore ignores the flag.
    pub restore_certificates: bool,
    /// Where the target runs.
    pub runtime: Runtime,
    /// The file's base name, as it should appear in the report.
    pub file_name: String,
    /// Work bounds.
    pub limits: Limits,
    /// At [`Level::Full`], check only a sample of the entries' data (restore-critical members
    /// always); see [`crate::sample`]. `None` checks every entry. Ignored at [`Level::Quick`].
    pub sample: Option<Sampling>,
    /// Per-code severities a team chose, applied once to the finished report (empty: none).
    pub policy: crate::policy::Policy,
}
