//! Turning command-line arguments into the list of files to verify.
//!
//! An argument that names an existing file is used as is, whatever its extension. A directory
//! is searched recursively for `*.zip` (any case), in sorted order, without following
//! symbolic links to directories. Anything else that holds a glob metacharacter (`*`, `?`,
//! `[`) is expanded here, for shells (and CI runners) that pass patterns through unexpanded.
//! A path that does not exist is kept, so that opening it reports the operating system's error.
//! A file reached twice is verified once.

use anyhow::{Context, Result, anyhow};
use std::collections::HashSet;
use std::fs;
use std::path::{Path, PathBuf};

/// One file to verify.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Input {
    /// The path as the user wrote it (or the directory they wrote, joined with what was found).
    pub path: PathBuf,
}

impl Input {
    /// The path for output.
    pub fn display(&self) -> String {
        self.path.display().to_string()
    }
}

/// What an argument expanded to: a file, or a reason it gave nothing (a directory without
/// archives, a pattern that matches nothing).
pub type Expanded = Result<Input, (String, anyhow::Error)>;

/// Expands every argument, in order. The flag says whether the arguments can name several
/// files (more than one argument, or a directory or pattern), which decides between one JSON
/// report and an array of them.
pub fn expand(args: &[String]) -> (Vec<Expanded>, bool) {
    let mut many = args.len() > 1;
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    let mut push = |out: &mut Vec<Expanded>, path: PathBuf| {
        let key = fs::canonicalize(&path).unwrap_or_else(|_| path.clone());
        if seen.insert(key) {
            out.push(Ok(Input { path }));
        }
    };
    for arg in args {
        let path = Path::new(arg);
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
            Ok(paths) => paths.into_iter().for_each(|p| push(&mut out, p)),
            Err(err) => out.push(Err((arg.clone(), err))),
        }
    }
    (out, many)
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
        let (got, many) = expand(&args);
        assert!(many);
        assert!(!expand(&args[2..3]).1);
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
