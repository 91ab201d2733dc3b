//! The command line: every command, flag and default, and the exit-code table `--help` shows.

use clap::{ArgMatches, Args, CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum};
use snapshot_core::PolicyLevel;
use std::ffi::OsString;
use std::path::PathBuf;

/// The exit-code table, shown after `--help` (and kept in sync with [`crate::exit::ExitStatus`]).
pub const EXIT_CODES: &str = "\
Exit codes:
  0  no finding at or above the --fail-on threshold (default: no errors)
  1  findings at or above the threshold, a SHA-256 mismatch, an incomplete run (--max-duration),
     or differences found by `manifest verify` or `diff`
  2  could not run: usage error, unreadable or missing file, no file matched; for URLs also no
     credentials, access denied, no such bucket or key, an object replaced during the check,
     a server that ignores Range, TLS failure, timeouts after retries
With several files the worst result wins (2 over 1 over 0). A closed output pipe exits 0 quietly.
Severities are the effective ones under --allow/--warn/--deny and snapshot-verify.toml; with
--baseline only findings the baseline does not have count (docs/policy.md).";

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

    #[command(flatten)]
    pub remote: RemoteArgs,

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
    /// decompresses and checks every entry [default: full, or the config file's `level`].
    #[arg(long, value_enum)]
    pub level: Option<LevelArg>,

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

    /// The lowest finding severity that makes the exit code 1 [default: error, or the config
    /// file's `fail-on`].
    #[arg(long, value_enum)]
    pub fail_on: Option<FailOn>,

    /// Worker threads, shared by files verified in parallel and entries checked in parallel
    /// [default: the number of CPUs].
    #[arg(long, short = 'j', value_parser = clap::value_parser!(u16).range(1..))]
    pub jobs: Option<u16>,

    /// Stop starting new entry checks SECS seconds after the run began; files whose data was
    /// not fully checked (or hashed) by then are reported as incomplete (exit 1).
    #[arg(long, value_name = "SECS", value_parser = parse_seconds, allow_negative_numbers = true)]
    pub max_duration: Option<f64>,

    /// At --level full, check the data of a sample only: PERCENT (`10%`) or SIZE (`500M`,
    /// `2GiB`) of the compressed bytes, or slice K/N (`1/4`; N runs with one --seed and
    /// K = 1..N check every entry once). Restore-critical members are always checked; the
    /// report names the entries left out, and a run that leaves any out is never a plain pass.
    /// --sha256 still reads the whole file.
    #[arg(long, value_name = "PERCENT|SIZE|K/N", value_parser = snapshot_core::Sample::parse)]
    pub sample: Option<snapshot_core::Sample>,

    /// The seed that picks the sampled entries (0 to 2^53-1, default 0): the same seed picks
    /// the same entries, a new one others.
    #[arg(long, value_name = "N", requires = "sample", value_parser = snapshot_core::Sampling::parse_seed)]
    pub seed: Option<u64>,
    #[command(flatten)]
    pub policy: PolicyArgs,

    /// Count only findings REPORT.json does not have towards the exit code (a report written by
    /// `--format json`, or a file written by --write-baseline); matched by code, path and rule.
    #[arg(long, value_name = "REPORT.json")]
    pub baseline: Option<PathBuf>,

    /// Write every finding's code, path and rule to FILE, for a later --baseline.
    #[arg(long, value_name = "FILE")]
    pub write_baseline: Option<PathBuf>,
}

/// `--allow`, `--warn`, `--deny` and the config file (`check`, `inspect`, `codes`).
#[derive(Debug, Args, Clone, Default)]
pub struct PolicyArgs {
    /// Keep findings of CODE (a finding code, a family such as `security`, or a spec rule such
    /// as `S1`) in the report, but count them neither as errors nor as warnings. Repeatable.
    #[arg(long, value_name = "CODE", value_parser = parse_selector)]
    pub allow: Vec<String>,

    /// Make findings of CODE warnings. Repeatable.
    #[arg(long, value_name = "CODE", value_parser = parse_selector)]
    pub warn: Vec<String>,

    /// Make findings of CODE errors. Repeatable; a code beats a rule beats a family, and a later
    /// flag beats an earlier one.
    #[arg(long, value_name = "CODE", value_parser = parse_selector)]
    pub deny: Vec<String>,

    /// Read policy and defaults from FILE instead of the snapshot-verify.toml found in the
    /// working directory or its parents.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Do not look for a snapshot-verify.toml.
    #[arg(long, conflicts_with = "config")]
    pub no_config: bool,

    /// --allow/--warn/--deny in command-line order (filled in by [`Cli::try_parse_ordered`]).
    #[arg(skip)]
    pub order: Vec<(PolicyLevel, String)>,
}

impl PolicyArgs {
    /// The directives in the order given: command-line order when known, else every --allow,
    /// then every --warn, then every --deny.
    pub fn directives(&self) -> Vec<(PolicyLevel, String)> {
        if !self.order.is_empty() {
            return self.order.clone();
        }
        let lists =
            [(PolicyLevel::Allow, &self.allow), (PolicyLevel::Warn, &self.warn), (PolicyLevel::Deny, &self.deny)];
        lists.into_iter().flat_map(|(l, v)| v.iter().map(move |s| (l, s.clone()))).collect()
    }

    fn set_order(&mut self, m: &ArgMatches) {
        let mut all = Vec::new();
        for (level, id) in [(PolicyLevel::Allow, "allow"), (PolicyLevel::Warn, "warn"), (PolicyLevel::Deny, "deny")] {
            if let (Some(at), Ok(Some(values))) = (m.indices_of(id), m.try_get_many::<String>(id)) {
                all.extend(at.zip(values).map(|(i, v)| (i, level, v.clone())));
            }
        }
        all.sort_by_key(|(i, ..)| *i);
        self.order = all.into_iter().map(|(_, l, v)| (l, v)).collect();
    }
}

impl Cli {
    /// Parses `args` like `try_parse_from`, and also records the order of --allow, --warn and
    /// --deny (clap keeps one list per flag), so that a later flag overrides an earlier one.
    pub fn try_parse_ordered<I, T>(args: I) -> Result<Cli, clap::Error>
    where
        I: IntoIterator<Item = T>,
        T: Into<OsString> + Clone,
    {
        let matches = Cli::command().try_get_matches_from(args)?;
        let mut cli = Cli::from_arg_matches(&matches)?;
        if let Some((_, sub)) = matches.subcommand() {
            match &mut cli.command {
                Command::Check(a) => a.policy.set_order(sub),
                Command::Inspect(a) => a.policy.set_order(sub),
                Command::Codes(a) => a.policy.set_order(sub),
                _ => {}
            }
        }
        Ok(cli)
    }
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

    #[command(flatten)]
    pub policy: PolicyArgs,
}

/// `codes`.
#[derive(Debug, Args)]
pub struct CodesArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = SimpleFormat::Human)]
    pub format: SimpleFormat,

    /// With a policy (flags or a config file), also show each code's effective level.
    #[command(flatten)]
    pub policy: PolicyArgs,
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

    /// The target manager's edition [default: premium, or the config file's `edition`].
    #[arg(long, value_enum)]
    pub edition: Option<EditionArg>,

    /// Restore will run with --restore-certificates: check that ssl/ holds what legacy
    /// restore copies over the manager's certificates (new-format restore ignores the flag).
    #[arg(long)]
    pub restore_certificates: bool,
    /// Where the target manager runs (7.0.1+ on Kubernetes refuses legacy snapshots)
    /// [default: single-host, or the config file's `target-runtime`].
    #[arg(long, value_enum)]
    pub target_runtime: Option<RuntimeArg>,
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
pub(crate) fn parse_version(s: &str) -> Result<String, String> {
    let head = s.split('-').next().unwrap_or("");
    let numeric = head.split('.').filter(|p| p.parse::<u32>().is_ok()).count();
    if numeric >= 2 {
        Ok(s.to_owned())
    } else {
        Err(format!("`{s}` is not a manager version; expected X.Y.Z, e.g. 7.0.4"))
    }
}

/// `--allow`/`--warn`/`--deny`: a selector the core's catalogue knows, kept as written.
fn parse_selector(s: &str) -> Result<String, String> {
    snapshot_core::Selector::parse(s).map(|sel| sel.as_str().to_owned()).map_err(|e| e.to_string())
}

fn parse_percent(s: &str) -> Result<f64, String> {
    match s.trim_end_matches('%').parse::<f64>() {
        Ok(v) if v.is_finite() && v > 0.0 && v <= 100.0 => Ok(v),
        _ => Err(format!("`{s}` is not a percentage; expected a number above 0 and at most 100")),
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
        assert_eq!(parse_percent("10"), Ok(10.0));
        assert_eq!(parse_percent("12.5%"), Ok(12.5));
        for bad in ["0", "-5", "101", "nan", "x"] {
            assert!(parse_percent(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn policy_flags_keep_their_command_line_order() {
        let cli = Cli::try_parse_ordered([
            "snapshot-verify",
            "check",
            "--deny",
            "S1",
            "--allow",
            "security",
            "a.zip",
            "--warn",
            "S1",
            "--allow",
            "key-material",
        ])
        .unwrap();
        let Command::Check(a) = cli.command else { panic!("check") };
        let got: Vec<_> = a.policy.directives().into_iter().map(|(l, s)| format!("{}:{s}", l.as_str())).collect();
        assert_eq!(got, ["deny:S1", "allow:security", "warn:S1", "allow:key-material"]);
        assert!(Cli::try_parse_ordered(["snapshot-verify", "check", "--allow", "nope", "a.zip"]).is_err());
        assert!(Cli::try_parse_ordered(["snapshot-verify", "codes", "--config", "x", "--no-config"]).is_err());
    }
}
