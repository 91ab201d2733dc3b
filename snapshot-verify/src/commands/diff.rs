//! `diff OLD NEW`: verify both archives (in parallel, at `--level`), then hand their reports and
//! entry lists to the core's [`snapshot_core::diff::diff`] and render the result.
//!
//! Inputs go through the same expansion and opening as `check` (`inputs::expand`,
//! [`engine::verify_file`]), so whatever `check` accepts as one file, `diff` accepts too.

use super::check::available_threads;
use crate::cli::{DiffArgs, LevelArg, PolicyArgs};
use crate::config::Config;
use crate::engine::{self, Checked, Plan};
use crate::exit::ExitStatus;
use crate::inputs::{self, Input};
use crate::render::diff as render;
use anyhow::{Context, Result, bail};
use snapshot_core::diff::{DiffOptions, Side, diff as compare};
use std::io::{self, Write};
use std::sync::atomic::AtomicBool;
use std::sync::mpsc;
use std::thread;

/// `diff`.
pub fn diff(args: DiffArgs) -> Result<ExitStatus> {
    let remote = inputs::Remote::from_args(&args.remote, None);
    let old = one_input(&args.old, &remote)?;
    let new = one_input(&args.new, &remote)?;
    let jobs = args.jobs.map_or_else(available_threads, usize::from);
    let plan = Plan {
        // No snapshot-verify.toml: a diff compares what the two archives hold, under the
        // catalogue's severities, whatever policy a check in the same folder uses.
        opts: Config::default().options(args.level, &args.target, &PolicyArgs::default())?,
        sha256: false,
        expected: None,
        threads: (jobs / 2).max(1),
        deadline: None,
        cancel: AtomicBool::new(false),
        entries: true,
    };
    // Progress events are not shown: the receiver is dropped, and sends fail quietly.
    let (tx, _) = mpsc::channel();
    let (a, b) = if jobs < 2 {
        (engine::verify_file(0, &old, &plan, &tx), engine::verify_file(1, &new, &plan, &tx))
    } else {
        // The two archives side by side, each with half of the threads.
        thread::scope(|s| {
            let (plan, tx_a) = (&plan, tx.clone());
            let a = s.spawn(move || engine::verify_file(0, &old, plan, &tx_a));
            let b = engine::verify_file(1, &new, plan, &tx);
            (a.join().unwrap_or_else(|p| std::panic::resume_unwind(p)), b)
        })
    };
    let a = checked(a)?;
    let b = checked(b)?;
    let opts = DiffOptions { max_listed: args.max_listed, drop_percent: args.fail_on_drop };
    let d = compare(
        Side { report: &a.report, entries: &a.entries },
        Side { report: &b.report, entries: &b.entries },
        &opts,
    );
    let mut out = io::stdout().lock();
    render::render(&mut out, &d, args.format, args.level == LevelArg::Full)?;
    out.flush()?;
    Ok(status(&d))
}

/// The exit status: with a drop threshold, losses decide; otherwise any difference.
pub fn status(d: &snapshot_core::diff::Diff) -> ExitStatus {
    let differs = if d.losses.is_some() { d.has_losses() } else { !d.identical };
    if differs { ExitStatus::Failure } else { ExitStatus::Success }
}

/// The one file an argument names (a directory or a pattern must name exactly one).
fn one_input(arg: &str, remote: &std::sync::Arc<inputs::Remote>) -> Result<Input> {
    let (mut expanded, _) = inputs::expand(std::slice::from_ref(&arg.to_owned()), remote);
    if expanded.len() != 1 {
        bail!("{arg}: names {} archives; diff compares exactly two files", expanded.len());
    }
    expanded.remove(0).map_err(|(arg, err)| err.context(arg))
}

fn checked(outcome: engine::Outcome) -> Result<Checked> {
    let file = outcome.file;
    outcome.result.with_context(|| file.clone())
}
