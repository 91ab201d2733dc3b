//! Exit statuses: one enum, ordered so that the worst of several results wins.

use std::process::ExitCode;

/// How a run ended. See [`crate::cli::EXIT_CODES`] for the table `--help` shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub enum ExitStatus {
    /// 0: nothing at or above the failure threshold.
    #[default]
    Success,
    /// 1: findings at or above the threshold, a checksum mismatch, an incomplete run, or
    /// manifest differences.
    Failure,
    /// 2: could not run (usage, unreadable file).
    Error,
}

impl ExitStatus {
    /// The numeric code.
    pub fn code(self) -> u8 {
        match self {
            ExitStatus::Success => 0,
            ExitStatus::Failure => 1,
            ExitStatus::Error => 2,
        }
    }
}

impl From<ExitStatus> for ExitCode {
    fn from(s: ExitStatus) -> ExitCode {
        ExitCode::from(s.code())
    }
}
