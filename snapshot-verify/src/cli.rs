//! The command line: every command, flag and default, and the exit-code table `--help` shows.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// The exit-code table, shown after `--help` (and kept in sync with [`crate::exit::ExitStatus`]).
pub const EXIT_CODES: &str = "\
Exit codes:
  0  no finding at or above the --fail-on threshold (default: no errors)
  1  findings at or above the threshold, a SHA-256 mismatch, an incomplete run (--max-duration),
     or differences found by `manifest verify` or `diff`
  2  could not run: usage error, unreadable or missing file, no file matched
With several files the worst result wins (2 over 1 over 0). A closed output pipe exits 0 quietly.";

/// Verifies Cloudify Manager snapshot archives: ZIP integrity, hostile-archive checks, era and
/// version, restore prediction and a secret inventory, before restore or in CI.
#[derive(Debug, Parser)]
#[command(name = "snapshot-verify", version, after_help = EXIT_CODES, max_term_width = 100)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Verify archives (default level: full, every entry's data is checked).
    #[command(after_help = EXIT_CODES)]
    Check(CheckArgs),
    /// Preview one archive at the quick level: era, version, contents, compatibility, secrets.
    #[command(after_help = EXIT_CODES)]
    Inspect(InspectArgs),
    /// List every finding code with its severity, spec rule and description.
    Codes(CodesArgs),
    /// Print SHA-256 checksums in `sha256sum` format (`sha256sum -c` accepts them).
    #[command(after_help = EXIT_CODES)]
    Hash(HashArgs),
    /// Create or verify a manifest: per-entry sizes, CRC and SHA-256, with its own checksum.
    #[command(subcommand)]
    Manifest(ManifestCommand),
    /// Compare two snapshots: entries added, removed and changed; era, version, tenants, counts,
    /// secret inventory (never values) and findings.
    #[command(after_help = DIFF_EXIT_CODES)]
    Diff(DiffArgs),
    /// Print a shell completion script to standard output.
    Completions(CompletionsArgs),
    /// Print the manual page (roff) to standard output, or write one page per command to a
    /// directory.
    Man(ManArgs),
}

/// The exit codes of `diff`, shown after its `--help`.
pub const DIFF_EXIT_CODES: &str = "\
Exit codes (like diff(1)):
  0  no differences (with --fail-on-drop: no loss at that threshold)
  1  differences (with --fail-on-drop: a tenant disappeared, or a count dropped by at least PCT %)
  2  could not run: usage error, unreadable or missing file";

/// `diff`.
#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The older archive.
    #[arg(value_name = "OLD")]
    pub old: String,

    /// The newer archive.
    #[arg(value_name = "NEW")]
    pub new: String,

    /// How deep to read both archives: `quick` compares central directories and small members,
    /// `full` also decompresses and checks every entry of both (data findings join the diff).
    #[arg(long, value_enum, default_value_t = LevelArg::Quick)]
    pub level: LevelArg,

    /// Output format.
    #[arg(long, value_enum, default_value_t = DiffFormat::Human)]
    pub format: DiffFormat,

    /// Make the exit code answer "was something lost?" instead of "did anything change?": 1 when
    /// a tenant disappeared or a count (whole snapshot or per tenant) dropped by at least PCT
    /// percent, 0 otherwise, whatever else changed.
    #[arg(long, value_name = "PCT", value_parser = parse_percent)]
    pub fail_on_drop: Option<f64>,

    /// The most entries listed per kind of change (added, removed, changed); counts stay exact.
    #[arg(long, value_name = "N", default_value_t = 1000)]
    pub max_listed: usize,

    #[command(flatten)]
    pub target: TargetArgs,

    /// Worker threads, shared by the two archives [default: the number of CPUs].
    #[arg(long, short = 'j', value_parser = clap::value_parser!(u16).range(1..))]
    pub jobs: Option<u16>,
}

/// `diff --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DiffFormat {
    /// Sections for people.
    Human,
    /// One JSON document (schema/diff-v1.json).
    Json,
    /// Tables for job summaries and merge-request comments.
    Markdown,
    /// One JSON object per line: one per difference, then a summary.
    Jsonl,
}

/// `completions`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell.
    #[arg(value_enum)]
    pub shell: ShellArg,
}

/// Shells `completions` writes for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ShellArg {
    /// Bash (source it, or put it in bash-completion's directory).
    Bash,
    /// Zsh (put it on $fpath as `_snapshot-verify`).
    Zsh,
    /// Fish (put it in ~/.config/fish/completions/).
    Fish,
    /// PowerShell (dot-source it from $PROFILE).
    Powershell,
    /// Elvish.
    Elvish,
}

/// `man`.
#[derive(Debug, Args)]
pub struct ManArgs {
    /// Write `snapshot-verify.1` and one `snapshot-verify-COMMAND.1` per command into DIR
    /// instead of printing the main page.
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

/// `check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Archives, directories (searched recursively for *.zip) or glob patterns.
    #[arg(required = true, value_name = "FILE_OR_DIR_OR_GLOB")]
    pub paths: Vec<String>,

    /// How deep to verify: `quick` reads the structure and small members, `full` also
    /// decompresses and checks every entry.
    #[arg(long, value_enum, default_value_t = LevelArg::Full)]
    pub level: LevelArg,

    #[command(flatten)]
    pub target: TargetArgs,

    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,

    /// Compute the SHA-256 of each whole file (concurrently with verification) and record it
    /// in the report.
    #[arg(long)]
    pub sha256: bool,

    /// Fail unless the file's SHA-256 is HEX; `@FILE` reads a sha256sum-format file and uses
    /// the line naming this archive (or its only line). Implies --sha256.
    #[arg(long, value_name = "HEX|@FILE")]
    pub expect_sha256: Option<String>,

    /// The lowest finding severity that makes the exit code 1.
    #[arg(long, value_enum, default_value_t = FailOn::Error)]
    pub fail_on: FailOn,

    /// Worker threads, shared by files verified in parallel and entries checked in parallel
    /// [default: the number of CPUs].
    #[arg(long, short = 'j', value_parser = clap::value_parser!(u16).range(1..))]
    pub jobs: Option<u16>,

    /// Stop starting new entry checks SECS seconds after the run began; files whose data was
    /// not fully checked (or hashed) by then are reported as incomplete (exit 1).
    #[arg(long, value_name = "SECS", value_parser = parse_seconds, allow_negative_numbers = true)]
    pub max_duration: Option<f64>,
}

/// `inspect`.
#[derive(Debug, Args)]
pub struct InspectArgs {
    /// The archive.
    pub file: PathBuf,

    #[command(flatten)]
    pub target: TargetArgs,

    /// Output format.
    #[arg(long, value_enum, default_value_t = SimpleFormat::Human)]
    pub format: SimpleFormat,
}

/// `codes`.
#[derive(Debug, Args)]
pub struct CodesArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = SimpleFormat::Human)]
    pub format: SimpleFormat,
}

/// `hash`.
#[derive(Debug, Args)]
pub struct HashArgs {
    /// Files, directories (searched recursively for *.zip) or glob patterns.
    #[arg(required = true, value_name = "FILE")]
    pub paths: Vec<String>,
}

/// `manifest`.
#[derive(Debug, Subcommand)]
pub enum ManifestCommand {
    /// Write a manifest of FILE as JSON to standard output.
    #[command(after_help = EXIT_CODES)]
    Create {
        /// The archive.
        file: PathBuf,
    },
    /// Compare FILE with a manifest: added, missing and changed entries, a changed whole-file
    /// hash, a tampered manifest. Exit 0 when identical, 1 on differences, 2 when it cannot run.
    #[command(after_help = EXIT_CODES)]
    Verify {
        /// The archive.
        file: PathBuf,
        /// The manifest written by `manifest create`.
        manifest: PathBuf,
        /// Output format.
        #[arg(long, value_enum, default_value_t = SimpleFormat::Human)]
        format: SimpleFormat,
    },
}

/// The restore target to predict.
#[derive(Debug, Args, Clone)]
pub struct TargetArgs {
    /// Predict restore on this manager version (X.Y.Z; X.Y means X.Y.0).
    #[arg(long, value_name = "X.Y.Z", value_parser = parse_version)]
    pub target_version: Option<String>,

    /// The target manager's edition.
    #[arg(long, value_enum, default_value_t = EditionArg::Premium)]
    pub edition: EditionArg,

    /// Restore will run with --restore-certificates: check that ssl/ holds what legacy
    /// restore copies over the manager's certificates (new-format restore ignores the flag).
    #[arg(long)]
    pub restore_certificates: bool,
    /// Where the target manager runs (7.0.1+ on Kubernetes refuses legacy snapshots).
    #[arg(long, value_enum, default_value_t = RuntimeArg::SingleHost)]
    pub target_runtime: RuntimeArg,
}

/// `--level`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LevelArg {
    /// Structure, names, metadata and small members.
    Quick,
    /// Quick plus every entry's data.
    Full,
}

impl From<LevelArg> for snapshot_core::Level {
    fn from(l: LevelArg) -> Self {
        match l {
            LevelArg::Quick => snapshot_core::Level::Quick,
            LevelArg::Full => snapshot_core::Level::Full,
        }
    }
}

/// `--edition`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum EditionArg {
    /// Premium (restores Stage and Composer data).
    Premium,
    /// Community.
    Community,
}

impl From<EditionArg> for snapshot_core::Edition {
    fn from(e: EditionArg) -> Self {
        match e {
            EditionArg::Premium => snapshot_core::Edition::Premium,
            EditionArg::Community => snapshot_core::Edition::Community,
        }
    }
}

/// `--target-runtime`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RuntimeArg {
    /// One host or a VM-based cluster.
    SingleHost,
    /// A distributed manager on Kubernetes.
    Kubernetes,
}

impl From<RuntimeArg> for snapshot_core::Runtime {
    fn from(r: RuntimeArg) -> Self {
        match r {
            RuntimeArg::SingleHost => snapshot_core::Runtime::SingleHost,
            RuntimeArg::Kubernetes => snapshot_core::Runtime::Kubernetes,
        }
    }
}

/// `check --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Verdict and preview first, then findings by severity; a summary table for several files.
    Human,
    /// The report (an array of reports for several files).
    Json,
    /// One JSON event per line: file-start, progress, finding, file-done, summary.
    Jsonl,
    /// JUnit XML: one testsuite per file, one testcase per check family.
    Junit,
    /// GitHub Actions workflow-command annotations.
    Github,
    /// A Markdown summary table and findings, for job summaries and merge-request comments.
    Markdown,
}

/// `--format` of the commands with only two.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SimpleFormat {
    /// For people.
    Human,
    /// For programs.
    Json,
}

/// `--fail-on`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    /// Exit 1 when there are errors.
    Error,
    /// Exit 1 when there are errors or warnings.
    Warning,
}

/// `--target-version`: what the core's version parser (Cloudify's lenient one) accepts, kept as
/// written (the report echoes it): the part before the first `-`, split on `.`, with at least
/// two numeric components. The core would report anything else as `target-unknown-version` and
/// predict nothing, so a typo is a usage error here instead of a silent non-prediction.
fn parse_version(s: &str) -> Result<String, String> {
    let head = s.split('-').next().unwrap_or("");
    let numeric = head.split('.').filter(|p| p.parse::<u32>().is_ok()).count();
    if numeric >= 2 {
        Ok(s.to_owned())
    } else {
        Err(format!("`{s}` is not a manager version; expected X.Y.Z, e.g. 7.0.4"))
    }
}

fn parse_percent(s: &str) -> Result<f64, String> {
    match s.trim_end_matches('%').parse::<f64>() {
        Ok(v) if v.is_finite() && v > 0.0 && v <= 100.0 => Ok(v),
        _ => Err(format!("`{s}` is not a percentage; expected a number above 0 and at most 100")),
    }
}

fn parse_seconds(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(v) if v.is_finite() && v > 0.0 && v < 1e9 => Ok(v),
        _ => Err(format!("`{s}` is not a positive number of seconds")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn versions_are_what_the_core_parses() {
        for ok in ["7.0.4", "5.1", "5.0.5.1", "4.0.1-ga", "4.m1.2"] {
            assert_eq!(parse_version(ok).as_deref(), Ok(ok));
        }
        for bad in ["banana", "7", "", "-1", "x.y.z", "7.x"] {
            assert!(parse_version(bad).unwrap_err().contains(&format!("`{bad}`")), "{bad}");
        }
        assert!(parse_seconds("-1").is_err() && parse_seconds("0").is_err() && parse_seconds("nan").is_err());
        assert_eq!(parse_seconds("1.5"), Ok(1.5));
        assert_eq!(parse_percent("10"), Ok(10.0));
        assert_eq!(parse_percent("12.5%"), Ok(12.5));
        for bad in ["0", "-5", "101", "nan", "x"] {
            assert!(parse_percent(bad).is_err(), "{bad}");
        }
    }
}
