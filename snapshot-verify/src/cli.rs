//! The command line: every command, flag and default, and the exit-code table `--help` shows.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// The exit-code table, shown after `--help` (and kept in sync with [`crate::exit::ExitStatus`]).
pub const EXIT_CODES: &str = "\
Exit codes:
  0  no finding at or above the --fail-on threshold (default: no errors)
  1  findings at or above the threshold, a SHA-256 mismatch, an incomplete run (--max-duration),
     or differences found by `manifest verify`
  2  could not run: usage error, unreadable or missing file, no file matched; for URLs also no
     credentials, access denied, no such bucket or key, an object replaced during the check,
     a server that ignores Range, TLS failure, timeouts after retries
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
}

/// `check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Archives, directories (searched recursively for *.zip) or glob patterns; or URLs
    /// (s3://, gs://, az://, abfss://, http(s)://, file://), a URL ending in `/` checking every
    /// *.zip under that prefix.
    #[arg(required = true, value_name = "FILE_OR_DIR_OR_GLOB_OR_URL")]
    pub paths: Vec<String>,

    #[command(flatten)]
    pub remote: RemoteArgs,

    /// Verify only shard K of N (0 <= K < N) of the files: a stable partition by the hash of
    /// each object's key (or path), for a CI matrix or a Kubernetes Indexed Job.
    #[arg(long, value_name = "K/N", value_parser = parse_shard)]
    pub shard: Option<(u32, u32)>,

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
    /// The archive (a path or a URL).
    pub file: String,

    #[command(flatten)]
    pub remote: RemoteArgs,

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
    /// Files, directories (searched recursively for *.zip) or glob patterns; or URLs.
    #[arg(required = true, value_name = "FILE")]
    pub paths: Vec<String>,

    #[command(flatten)]
    pub remote: RemoteArgs,

    /// Hash only shard K of N of the files (see `check --shard`).
    #[arg(long, value_name = "K/N", value_parser = parse_shard)]
    pub shard: Option<(u32, u32)>,
}

/// How to reach archives given as URLs.
#[derive(Debug, Args, Clone, Default)]
pub struct RemoteArgs {
    /// A store option for URLs (repeatable), e.g. aws_endpoint=http://fileserver:9000,
    /// aws_region=eu-west-1, aws_skip_signature=true; see docs/remote.md. The cloud's standard
    /// environment variables (AWS_*, GOOGLE_*, AZURE_*) are read too; options win.
    #[arg(long = "storage-option", value_name = "KEY=VALUE", value_parser = parse_key_value)]
    pub storage_options: Vec<(String, String)>,

    /// The most one request to a URL may take, in seconds (retried up to 3 times) [default: 30].
    #[arg(long, value_name = "SECS", value_parser = parse_seconds)]
    pub timeout: Option<f64>,
}

/// `manifest`.
#[derive(Debug, Subcommand)]
pub enum ManifestCommand {
    /// Write a manifest of FILE as JSON to standard output.
    #[command(after_help = EXIT_CODES)]
    Create {
        /// The archive (a path or a URL).
        file: String,
        #[command(flatten)]
        remote: RemoteArgs,
    },
    /// Compare FILE with a manifest: added, missing and changed entries, a changed whole-file
    /// hash, a tampered manifest. Exit 0 when identical, 1 on differences, 2 when it cannot run.
    #[command(after_help = EXIT_CODES)]
    Verify {
        /// The archive (a path or a URL).
        file: String,
        #[command(flatten)]
        remote: RemoteArgs,
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

fn parse_shard(s: &str) -> Result<(u32, u32), String> {
    let bad = || format!("`{s}` is not a shard: expected K/N with 0 <= K < N, e.g. 0/4");
    let (k, n) = s.split_once('/').ok_or_else(bad)?;
    let (k, n): (u32, u32) = (k.trim().parse().map_err(|_| bad())?, n.trim().parse().map_err(|_| bad())?);
    if n == 0 || k >= n {
        return Err(bad());
    }
    Ok((k, n))
}

fn parse_key_value(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((k, v)) if !k.trim().is_empty() => Ok((k.trim().to_owned(), v.to_owned())),
        // Never echo the argument: it may hold a secret.
        _ => Err("expected KEY=VALUE".to_owned()),
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
    }
}
