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
//! assert_eq!(report.findings()[0].code.as_str(), "not-a-snapshot");
//! ```

#![warn(missing_docs)]
#![deny(clippy::arithmetic_side_effects)]
#![warn(clippy::disallowed_methods, reason = "the core does no I/O, clock reads or threads")]

mod arith;
pub mod code;
mod crc;
mod data;
pub mod diff;
mod entries;
mod error;
mod options;
pub mod policy;
pub mod report;
pub mod sample;
pub mod sha256;
mod snapshot;
mod source;
mod verify;
mod zip;

pub use code::{Code, Severity};
pub use entries::{Entries, EntryInfo, list_entries, stream_entry};
pub use error::Error;
pub use options::{Limits, Options};
pub use policy::{Baseline, BaselineKey, Policy, PolicyLevel, Selector};
pub use report::{Edition, Finding, Level, Outcome, Report, Runtime};
pub use sample::{Sample, Sampling};
pub use source::{ReadAt, read_full};
pub use verify::{EntryJob, JobOutcome, RunningJob, Verifier, verify};
pub use zip::local_header_reads;
