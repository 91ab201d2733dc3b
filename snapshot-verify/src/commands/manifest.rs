//! `manifest create` and `manifest verify`.

use super::available_threads;
use crate::cli::{RemoteArgs, SimpleFormat};
use crate::exit::ExitStatus;
use crate::inputs::{self, Remote};
use crate::manifest::{self, Diff, MANIFEST_VERSION, Manifest};
use anyhow::{Context, Result, bail};
use serde_json::Value;
use std::io::{self, Write};
use std::path::Path;

/// Writes the manifest of `file` to stdout. Exit 1 when some entry's data could not be read
/// or did not match its CRC (the manifest is still written, with `data_ok: false`).
pub fn create(file: &str, remote: &RemoteArgs) -> Result<ExitStatus> {
    let (m, _) = create_any(file, remote)?;
    let mut out = io::stdout().lock();
    writeln!(out, "{}", serde_json::to_string_pretty(&m)?)?;
    out.flush()?;
    let bad = m.entries.iter().filter(|e| !e.data_ok).count();
    if bad > 0 {
        writeln!(
            io::stderr().lock(),
            "snapshot-verify: warning: {bad} entries could not be read or do not match their CRC; their sha256 is null"
        )
        .ok();
        return Ok(ExitStatus::Failure);
    }
    Ok(ExitStatus::Success)
}

/// Compares `file` with the manifest at `manifest_path`.
pub fn verify(file: &str, remote: &RemoteArgs, manifest_path: &Path, format: SimpleFormat) -> Result<ExitStatus> {
    let text = std::fs::read_to_string(manifest_path)
        .with_context(|| format!("could not read the manifest {}", manifest_path.display()))?;
    let value: Value =
        serde_json::from_str(&text).with_context(|| format!("{} is not JSON", manifest_path.display()))?;
    let tampered = manifest::tampered(&value);
    let recorded: Manifest = serde_json::from_value(value)
        .with_context(|| format!("{} is not a snapshot-verify manifest", manifest_path.display()))?;
    if recorded.manifest_version != MANIFEST_VERSION {
        bail!("manifest version {} is not supported (this build reads {MANIFEST_VERSION})", recorded.manifest_version);
    }
    let (now, shown) = create_any(file, remote)?;
    let file = Path::new(&shown);
    let diff = manifest::diff(&recorded, &now, tampered);
    let mut out = io::stdout().lock();
    match format {
        SimpleFormat::Json => writeln!(out, "{}", serde_json::to_string_pretty(&diff)?)?,
        SimpleFormat::Human => human(&mut out, file, manifest_path, &now, &diff)?,
    }
    out.flush()?;
    Ok(if diff.identical { ExitStatus::Success } else { ExitStatus::Failure })
}

/// The manifest of a path or a URL, and the file as shown (a URL without its query string).
fn create_any(file: &str, remote: &RemoteArgs) -> Result<(Manifest, String)> {
    let input = inputs::single(file, &Remote::from_args(remote, None))?;
    if !input.is_remote() {
        return Ok((manifest::create(&input.path, available_threads())?, input.display()));
    }
    let src = input.open()?;
    let made = manifest::create_from(&src, input.file_name(), available_threads());
    if let Some(err) = src.failure() {
        return Err(err.context("could not read the archive"));
    }
    let made = made?.ok_or_else(|| {
        anyhow::anyhow!("{} has no readable central directory; `snapshot-verify check` says why", input.display())
    })?;
    Ok((made, input.display()))
}

/// The `manifest verify` result for people.
pub fn human(out: &mut impl Write, file: &Path, manifest: &Path, now: &Manifest, d: &Diff) -> io::Result<()> {
    if d.identical {
        return writeln!(
            out,
            "{}: identical to {} ({} entries and the file's SHA-256 match)",
            file.display(),
            manifest.display(),
            now.entries.len()
        );
    }
    writeln!(out, "{}: DIFFERS from {} ({} differences)", file.display(), manifest.display(), d.count())?;
    if let Some(why) = &d.manifest_tampered {
        writeln!(out, "  manifest tampered: {why}")?;
    }
    if let Some([was, is]) = &d.file_sha256_changed {
        writeln!(out, "  file sha256 changed: {was} -> {is}")?;
    }
    if let Some([was, is]) = &d.file_size_changed {
        writeln!(out, "  file size changed: {was} -> {is} bytes")?;
    }
    for name in &d.added {
        writeln!(out, "  added    {name}")?;
    }
    for name in &d.missing {
        writeln!(out, "  missing  {name}")?;
    }
    for c in &d.changed {
        writeln!(out, "  changed  {} ({})", c.name, c.fields.join(", "))?;
    }
    Ok(())
}
