//! `hash`: `sha256sum`-compatible checksums, files hashed in parallel and printed in order.

use super::available_threads;
use crate::cli::HashArgs;
use crate::exit::ExitStatus;
use crate::hash::{sha256_source, sha256sum_line};
use crate::inputs::{self, Expanded};
use anyhow::{Result, anyhow};
use std::collections::BTreeMap;
use std::io::{self, Write};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc;
use std::thread;

/// Prints `<hex>  <path>` for every file; unreadable ones are reported on stderr (exit 2).
pub fn hash(args: &HashArgs) -> Result<ExitStatus> {
    let (expanded, _) = inputs::expand(&args.paths, &inputs::Remote::from_args(&args.remote, args.shard));
    let stop = AtomicBool::new(false);
    let next = AtomicUsize::new(0);
    let workers = available_threads().min(expanded.len()).max(1);
    thread::scope(|s| {
        let (tx, rx) = mpsc::channel();
        for _ in 0..workers {
            let tx = tx.clone();
            let (expanded, next, stop) = (&expanded, &next, &stop);
            s.spawn(move || {
                loop {
                    let index = next.fetch_add(1, Ordering::Relaxed);
                    let Some(item) = expanded.get(index) else { break };
                    if stop.load(Ordering::Relaxed) {
                        break;
                    }
                    let result = hash_one(item, stop);
                    if tx.send((index, item, result)).is_err() {
                        break;
                    }
                }
            });
        }
        drop(tx);
        let mut status = ExitStatus::Success;
        let mut out = io::stdout().lock();
        let mut pending = BTreeMap::new();
        let mut printed = 0;
        let result = (|| {
            for (index, item, result) in rx {
                pending.insert(index, (item, result));
                while let Some((item, result)) = pending.remove(&printed) {
                    printed += 1;
                    match result {
                        Ok(line) => out.write_all(line.as_bytes())?,
                        Err(err) => {
                            status = ExitStatus::Error;
                            let name = match item {
                                Ok(input) => input.display(),
                                Err((arg, _)) => arg.clone(),
                            };
                            writeln!(io::stderr().lock(), "snapshot-verify: error: {name}: {err:#}").ok();
                        }
                    }
                }
            }
            out.flush()?;
            Ok(status)
        })();
        if result.is_err() {
            stop.store(true, Ordering::Relaxed);
        }
        result
    })
}

fn hash_one(item: &Expanded, stop: &AtomicBool) -> Result<String> {
    let input = match item {
        Ok(input) => input,
        Err((_, err)) => return Err(anyhow!("{err:#}")),
    };
    let src = input.open()?;
    let hex = sha256_source(src.hash_source(), &|| stop.load(Ordering::Relaxed));
    if let Some(err) = src.failure() {
        return Err(err.context("could not read the file"));
    }
    let hex = hex?.ok_or_else(|| anyhow!("stopped"))?;
    Ok(sha256sum_line(&hex, &input.display()))
}
