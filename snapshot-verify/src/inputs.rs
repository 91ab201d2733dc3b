//! Turning command-line arguments into the list of files to verify.
//!
//! An argument that names an existing file is used as is, whatever its extension. A directory
//! is searched recursively for `*.zip` (any case), in sorted order, without following
//! symbolic links to directories. Anything else that holds a glob metacharacter (`*`, `?`,
//! `[`) is expanded here, for shells (and CI runners) that pass patterns through unexpanded.
//! A path that does not exist is kept, so that opening it reports the operating system's error.
//! A file reached twice is verified once.
//!
//! URLs (`s3://`, `gs://`, `az://`, `abfss://`, `http(s)://`) name remote objects (see
//! [`crate::remote`]); one ending in `/`, or with a glob in its key, lists the `*.zip` objects
//! under it like a directory. `file://` URLs are paths. `--shard K/N` then keeps a stable 1/N
//! of the files (see [`crate::remote::in_shard`]).

use crate::source::FileSource;
use anyhow::{Context, Result, anyhow};
use snapshot_core::ReadAt;
use std::collections::HashSet;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// What the command line says about remote inputs, shared by every input of a run.
#[derive(Debug, Clone, Default)]
pub struct Remote {
    /// Storage options and timeout.
    #[cfg(feature = "remote")]
    pub settings: crate::remote::Settings,
    /// `--shard K/N`.
    pub shard: Option<(u32, u32)>,
}

impl Remote {
    /// From the command line's `--storage-option`, `--timeout` and `--shard`.
    pub fn from_args(args: &crate::cli::RemoteArgs, shard: Option<(u32, u32)>) -> Arc<Remote> {
        #[cfg(not(feature = "remote"))]
        let _ = args;
        Arc::new(Remote {
            #[cfg(feature = "remote")]
            settings: crate::remote::Settings {
                options: args.storage_options.clone(),
                timeout: args.timeout.map(std::time::Duration::from_secs_f64),
            },
            shard,
        })
    }
}

/// One file to verify.
#[derive(Debug, Clone)]
pub struct Input {
    /// The path as the user wrote it (or the directory they wrote, joined with what was found);
    /// for a URL, the URL as shown (no credentials or query string).
    pub path: PathBuf,
    /// The remote object, for a URL.
    #[cfg(feature = "remote")]
    pub remote: Option<(crate::remote::Target, Arc<Remote>)>,
}

impl Input {
    /// A local file.
    pub fn file(path: PathBuf) -> Input {
        Input {
            path,
            #[cfg(feature = "remote")]
            remote: None,
        }
    }

    /// The path (or URL) for output.
    pub fn display(&self) -> String {
        self.path.display().to_string()
    }

    /// The file's base name, for the report.
    pub fn file_name(&self) -> String {
        #[cfg(feature = "remote")]
        if let Some((target, _)) = &self.remote {
            return target.file_name();
        }
        self.path.file_name().map_or_else(|| self.display(), |n| n.to_string_lossy().into_owned())
    }

    /// Opens the file or the remote object.
    pub fn open(&self) -> Result<Opened> {
        #[cfg(feature = "remote")]
        if let Some((target, remote)) = &self.remote {
            let src = crate::remote::RemoteSource::open(target.url(), &remote.settings)?;
            return Ok(Opened::Remote(Box::new(src), target.shown().to_owned()));
        }
        Ok(Opened::File(FileSource::open(&self.path)?))
    }
}

/// An open input: the core's read seam over a file or a remote object.
pub enum Opened {
    /// A local file.
    File(FileSource),
    /// A remote object and its URL as shown.
    #[cfg(feature = "remote")]
    Remote(Box<crate::remote::RemoteSource>, String),
}

impl Opened {
    /// The source the whole-file hash reads: for a remote object, a view that shares the data
    /// pass's transfer.
    pub fn hash_source(&self) -> &dyn ReadAt {
        match self {
            Opened::File(f) => f,
            #[cfg(feature = "remote")]
            Opened::Remote(r, _) => r.hash_view(),
        }
    }

    /// What reading a remote object cost: `(bytes fetched, requests)`.
    pub fn fetched(&self) -> Option<(u64, u64)> {
        match self {
            Opened::File(_) => None,
            #[cfg(feature = "remote")]
            Opened::Remote(r, _) => Some(r.fetched()),
        }
    }

    /// The report's `source` object, for a remote object.
    pub fn source_info(&self) -> Option<snapshot_core::report::SourceInfo> {
        match self {
            Opened::File(_) => None,
            #[cfg(feature = "remote")]
            Opened::Remote(r, url) => {
                let (bytes_fetched, requests) = r.fetched();
                Some(snapshot_core::report::SourceInfo { url: url.clone(), bytes_fetched, requests })
            }
        }
    }

    /// Holds a remote source's whole-file hash until the data pass starts (`false` releases it;
    /// see `RemoteSource::hold_hash`); nothing for a local file.
    pub fn hold_hash(&self, hold: bool) {
        #[cfg(feature = "remote")]
        if let Opened::Remote(r, _) = self {
            r.hold_hash(hold);
        }
        let _ = hold;
    }

    /// The calling thread is done with the data pass (see `RemoteSource::leave_pass`); nothing
    /// for a local file.
    pub fn leave_pass(&self) {
        #[cfg(feature = "remote")]
        if let Opened::Remote(r, _) = self {
            r.leave_pass();
        }
    }

    /// Why a remote read failed during the run, if one did: such a run has no report (the core
    /// may have taken the failed read for a damaged archive).
    pub fn failure(&self) -> Option<anyhow::Error> {
        match self {
            Opened::File(_) => None,
            #[cfg(feature = "remote")]
            Opened::Remote(r, _) => r.failure().map(anyhow::Error::new),
        }
    }
}

impl ReadAt for Opened {
    fn size(&self) -> u64 {
        match self {
            Opened::File(f) => f.size(),
            #[cfg(feature = "remote")]
            Opened::Remote(r, _) => r.size(),
        }
    }

    fn read_at(&self, offset: u64, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Opened::File(f) => f.read_at(offset, buf),
            #[cfg(feature = "remote")]
            Opened::Remote(r, _) => r.read_at(offset, buf),
        }
    }
}

/// One argument of a one-file command (`inspect`, `manifest`): a path or a URL.
pub fn single(arg: &str, remote: &Arc<Remote>) -> Result<Input> {
    if !crate_is_url(arg) {
        return Ok(Input::file(PathBuf::from(arg)));
    }
    url_input(arg, remote)
}

fn crate_is_url(arg: &str) -> bool {
    arg.split_once("://").is_some_and(|(scheme, _)| {
        let mut c = scheme.chars();
        c.next().is_some_and(|c| c.is_ascii_alphabetic())
            && c.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
    }) && !Path::new(arg).exists()
}

#[cfg(feature = "remote")]
fn url_input(arg: &str, remote: &Arc<Remote>) -> Result<Input> {
    match crate::remote::Target::parse(arg)? {
        Some(target) => Ok(Input { path: PathBuf::from(target.shown()), remote: Some((target, Arc::clone(remote))) }),
        None => {
            let url = url::Url::parse(arg)?;
            let path = url.to_file_path().map_err(|()| anyhow!("`{arg}` is not a local file URL"))?;
            Ok(Input::file(path))
        }
    }
}

#[cfg(not(feature = "remote"))]
fn url_input(arg: &str, _: &Arc<Remote>) -> Result<Input> {
    match arg.strip_prefix("file://") {
        Some(path) => Ok(Input::file(PathBuf::from(path))),
        None => Err(anyhow!("this build reads local files only (built without the `remote` feature)")),
    }
}

/// A URL argument: one object, or the objects a listing URL names.
#[cfg(feature = "remote")]
fn expand_url(arg: &str, remote: &Arc<Remote>) -> Result<(Vec<(String, Input)>, bool)> {
    let parsed =
        url::Url::parse(arg).map_err(|e| anyhow!("`{}` is not a valid URL: {e}", crate::remote::redact_str(arg)))?;
    if parsed.scheme() != "file" && crate::remote::is_listing(&parsed) {
        let found = crate::remote::list(&parsed, &remote.settings)?;
        let inputs = found
            .into_iter()
            .map(|(key, target)| {
                (key, Input { path: PathBuf::from(target.shown()), remote: Some((target, Arc::clone(remote))) })
            })
            .collect();
        return Ok((inputs, true));
    }
    let input = url_input(arg, remote)?;
    let key = crate::remote::percent_decode(parsed.path().trim_start_matches('/'));
    let key = if input.is_remote() { key } else { input.display() };
    Ok((vec![(key, input)], false))
}

#[cfg(not(feature = "remote"))]
fn expand_url(arg: &str, remote: &Arc<Remote>) -> Result<(Vec<(String, Input)>, bool)> {
    let input = url_input(arg, remote)?;
    Ok((vec![(input.display(), input)], false))
}

impl Input {
    /// Whether it names a remote object.
    pub fn is_remote(&self) -> bool {
        #[cfg(feature = "remote")]
        return self.remote.is_some();
        #[cfg(not(feature = "remote"))]
        false
    }
}

/// What an argument expanded to: a file, or a reason it gave nothing (a directory without
/// archives, a pattern that matches nothing).
pub type Expanded = Result<Input, (String, anyhow::Error)>;

/// Expands every argument, in order. The flag says whether the arguments can name several
/// files (more than one argument, or a directory or pattern), which decides between one JSON
/// report and an array of them. With `--shard K/N` only the files of shard K are kept: remote
/// objects by their key, local files by their path as shown.
pub fn expand(args: &[String], remote: &Arc<Remote>) -> (Vec<Expanded>, bool) {
    let mut many = args.len() > 1 || remote.shard.is_some();
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    let shard = remote.shard;
    let keep = |key: &str| shard.is_none_or(|s| in_shard(key, s));
    // Keeps `input` unless another shard owns `shard_key` or `dedupe` was seen.
    let mut add = |out: &mut Vec<Expanded>, input: Input, shard_key: &str, dedupe: PathBuf| {
        if keep(shard_key) && seen.insert(dedupe) {
            out.push(Ok(input));
        }
    };
    for arg in args {
        let path = Path::new(arg);
        if crate_is_url(arg) {
            match expand_url(arg, remote) {
                Ok((inputs, listing)) => {
                    many |= listing;
                    for (key, input) in inputs {
                        let dedupe = PathBuf::from(input.display());
                        add(&mut out, input, &key, dedupe);
                    }
                }
                Err(err) => out.push(Err((redact_arg(arg), err))),
            }
            continue;
        }
        let found = if path.exists() {
            many |= path.is_dir();
            expand_path(path)
        } else if arg.contains(['*', '?', '[']) {
            many = true;
            expand_glob(arg)
        } else {
            Ok(vec![path.to_path_buf()])
        };
        match found {
            Ok(paths) => {
                for p in paths {
                    let dedupe = fs::canonicalize(&p).unwrap_or_else(|_| p.clone());
                    let key = p.display().to_string();
                    add(&mut out, Input::file(p), &key, dedupe);
                }
            }
            Err(err) => out.push(Err((arg.clone(), err))),
        }
    }
    (out, many)
}

/// An argument for output: a URL without credentials or query string.
fn redact_arg(arg: &str) -> String {
    #[cfg(feature = "remote")]
    return crate::remote::redact_str(arg);
    #[cfg(not(feature = "remote"))]
    arg.split(['?', '#']).next().unwrap_or(arg).to_owned()
}

/// `--shard K/N`: whether `key` falls in shard K of N: the 64-bit FNV-1a hash of the key's
/// bytes, mixed with MurmurHash3's 64-bit finalizer (FNV's low bits alone repeat for keys that
/// differ in a pattern), modulo N. It depends on nothing but the key and N, so it is stable
/// across runs, machines and versions, and a key added to a listing moves no other key. (Here,
/// not in `remote`, so that local shards do not depend on the build's features.)
pub fn in_shard(key: &str, (k, n): (u32, u32)) -> bool {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in key.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    h ^= h >> 33;
    h % u64::from(n.max(1)) == u64::from(k)
}

fn expand_path(path: &Path) -> Result<Vec<PathBuf>> {
    if !path.is_dir() {
        return Ok(vec![path.to_path_buf()]);
    }
    let mut found = Vec::new();
    walk(path, &mut found)?;
    if found.is_empty() {
        return Err(anyhow!("no *.zip files in directory {}", path.display()));
    }
    found.sort();
    Ok(found)
}

fn expand_glob(pattern: &str) -> Result<Vec<PathBuf>> {
    let opts = glob::MatchOptions { require_literal_leading_dot: true, ..glob::MatchOptions::new() };
    let mut found = Vec::new();
    for entry in glob::glob_with(pattern, opts).with_context(|| format!("invalid glob pattern `{pattern}`"))? {
        let path = entry.context("could not read a directory while expanding the pattern")?;
        found.extend(expand_path(&path)?);
    }
    if found.is_empty() {
        return Err(anyhow!("no file matches `{pattern}`"));
    }
    Ok(found)
}

fn walk(dir: &Path, found: &mut Vec<PathBuf>) -> Result<()> {
    let entries = fs::read_dir(dir).with_context(|| format!("could not read directory {}", dir.display()))?;
    for entry in entries {
        let entry = entry.with_context(|| format!("could not read directory {}", dir.display()))?;
        let path = entry.path();
        let kind = entry.file_type().with_context(|| format!("could not stat {}", path.display()))?;
        if kind.is_dir() {
            walk(&path, found)?;
        } else if is_zip_name(&path) && (kind.is_file() || path.is_file()) {
            found.push(path);
        }
    }
    Ok(())
}

fn is_zip_name(path: &Path) -> bool {
    path.extension().is_some_and(|e| e.eq_ignore_ascii_case("zip"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directories_recurse_into_zips_sorted_and_globs_expand_once() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        fs::create_dir(d.join("sub")).unwrap();
        for name in ["b.zip", "a.ZIP", "notes.txt", "sub/c.zip"] {
            fs::write(d.join(name), b"x").unwrap();
        }
        let args = vec![
            d.display().to_string(),
            format!("{}/*.zip", d.display()),
            d.join("missing.zip").display().to_string(),
            format!("{}/*.none", d.display()),
        ];
        let none = Arc::new(Remote::default());
        let (got, many) = expand(&args, &none);
        assert!(many);
        assert!(!expand(&args[2..3], &none).1);
        let names: Vec<String> = got
            .iter()
            .map(|r| match r {
                Ok(i) => i.path.strip_prefix(d).unwrap().display().to_string(),
                Err((arg, _)) => format!("error: {}", Path::new(arg).file_name().unwrap().to_string_lossy()),
            })
            .collect();
        assert_eq!(names, ["a.ZIP", "b.zip", "sub/c.zip", "missing.zip", "error: *.none"]);
    }
}
