//! The writers that produced genuine Cloudify snapshots over time, applied to the same content
//! (issue 12, point 2), and where their nested archives land.
//!
//! A snapshot that one of these wrote and nobody altered is genuine, so every variant here must
//! verify without an error and without a structural warning, however much its bytes look like a
//! hazard: stored nested archives carry their own local headers, central directories and end
//! records inside the outer entry's data, the last one within the 64 KiB a reader searches for
//! the outer end record.
//!
//! - [`Writer::Py27`]: CentOS 7 Python 2.7 `zipfile` (`make_zip64_archive`, 4.x–5.0.5):
//!   directory entries deflated with no data (method 8, 0 compressed bytes).
//! - [`Writer::Py3`]: Python 3 `zipfile` (5.1+, 7.x): directory entries stored.
//! - [`Writer::ZipRepack`]: an operator who unpacked a snapshot and packed it again with
//!   Info-ZIP `zip -r` 3.0: "version made by" 3.0 on Unix, an extended-timestamp (`UT`, 0x5455)
//!   extra of 9 bytes in the local header and 5 in the central one, a Unix `ux` (0x7875) extra of
//!   11 bytes in both, directories stored, and members that deflate does not shrink (nested
//!   archives) stored.

use crate::cloudify::Snapshot;
use crate::layouts;
use crate::zipw::{Entry, Method, PY27_DIR_ATTR, ZipBuilder};

/// Who packed the snapshot's files.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Writer {
    /// The era's own writer, as [`Snapshot::zip`] builds it.
    AsBuilt,
    /// Python 2.7 `zipfile` with deflated empty directory entries.
    Py27,
    /// Python 3 `zipfile` with stored directory entries.
    Py3,
    /// Info-ZIP `zip -r` 3.0 over the unpacked snapshot.
    ZipRepack,
}

impl Writer {
    /// Every writer.
    pub const ALL: [Writer; 4] = [Writer::AsBuilt, Writer::Py27, Writer::Py3, Writer::ZipRepack];

    /// A short name for file names and messages.
    pub fn name(self) -> &'static str {
        match self {
            Writer::AsBuilt => "as-built",
            Writer::Py27 => "py27",
            Writer::Py3 => "py3",
            Writer::ZipRepack => "zip-r",
        }
    }
}

/// How the snapshot's nested archives (wagons, blueprint and plugin archives, Stage and
/// Composer bundles) are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Nested {
    /// As the writer compresses them.
    AsWritten,
    /// Every nested archive stored (method 0).
    Stored,
    /// Stored, with a nested ZIP as the last member: its end record lies within the last 64 KiB.
    StoredLast,
    /// Stored, with a nested ZIP half-way through the members.
    StoredMiddle,
}

impl Nested {
    /// Every placement.
    pub const ALL: [Nested; 4] = [Nested::AsWritten, Nested::Stored, Nested::StoredLast, Nested::StoredMiddle];

    /// A short name for file names and messages.
    pub fn name(self) -> &'static str {
        match self {
            Nested::AsWritten => "nested-as-written",
            Nested::Stored => "nested-stored",
            Nested::StoredLast => "nested-zip-last",
            Nested::StoredMiddle => "nested-zip-middle",
        }
    }
}

/// `s` as `writer` would have packed it, with its nested archives placed as `nested` says.
pub fn genuine(s: &Snapshot, writer: Writer, nested: Nested) -> ZipBuilder {
    let mut zip = s.zip();
    if nested != Nested::AsWritten {
        for e in zip.entries.iter_mut().filter(|e| is_nested_archive(&e.name)) {
            e.method = Method::Stored;
        }
    }
    if let Some(place) = match nested {
        Nested::StoredLast => Some(layouts::Place::Last),
        Nested::StoredMiddle => Some(layouts::Place::Middle),
        _ => None,
    } {
        place_nested_zip(&mut zip, place);
    }
    for e in &mut zip.entries {
        match writer {
            Writer::AsBuilt => {}
            Writer::Py27 if e.is_dir() => *e = Entry::dir(std::mem::take(&mut e.name)).py27(),
            Writer::Py3 if e.is_dir() => *e = Entry::dir(std::mem::take(&mut e.name)),
            Writer::Py27 | Writer::Py3 => {}
            Writer::ZipRepack => info_zip(e),
        }
    }
    zip
}

/// Whether a member is itself an archive (by the names Cloudify gives them).
pub fn is_nested_archive(name: &[u8]) -> bool {
    [&b".zip"[..], b".wgn", b".tar.gz", b".tgz", b".tar"].iter().any(|ext| name.ends_with(ext))
}

/// Moves a stored nested ZIP to `place`: the snapshot's own when it has one (the new format's
/// plugin, blueprint, Stage and Composer archives), else a blueprint uploaded as a zip next to
/// the snapshot's other uploaded blueprints, as a 5.0.5 manager stores it.
fn place_nested_zip(zip: &mut ZipBuilder, place: layouts::Place) {
    let own = zip.entries.iter().position(|e| e.name.ends_with(b".zip") && !e.is_dir());
    let entry = match own {
        Some(i) => zip.entries.remove(i),
        None => {
            let folder = zip
                .entries
                .iter()
                .find(|e| e.name.starts_with(b"uploaded-blueprints/") && is_nested_archive(&e.name))
                .map(|e| blueprints_folder(&e.name))
                .unwrap_or_else(|| b"uploaded-blueprints/".to_vec());
            let bp = layouts::BLUEPRINT.as_bytes();
            let name = [&folder[..], bp, b"/", bp, b".zip"].concat();
            Entry::file(name, layouts::blueprint_zip().build()).stored()
        }
    };
    match place {
        layouts::Place::Last => zip.entries.push(entry),
        layouts::Place::Middle => {
            let at = zip.entries.len() / 2;
            zip.entries.insert(at, entry);
        }
    }
}

/// `uploaded-blueprints/<tenant>/` from `uploaded-blueprints/<tenant>/<bp>/<bp>.tar.gz` (and
/// `uploaded-blueprints/` for the tenant-less 3.x layout).
fn blueprints_folder(archive: &[u8]) -> Vec<u8> {
    let slashes: Vec<usize> = archive.iter().enumerate().filter(|(_, b)| **b == b'/').map(|(i, _)| i).collect();
    match slashes.len() {
        n if n >= 2 => archive[..=slashes[n - 2]].to_vec(),
        _ => b"uploaded-blueprints/".to_vec(),
    }
}

/// Rewrites one member as Info-ZIP `zip -r` 3.0 writes it (measured with `zip -qr` on Debian).
fn info_zip(e: &mut Entry) {
    const MTIME: [u8; 4] = 0x6510_e348u32.to_le_bytes();
    let ut_local = [&[0x55, 0x54, 9, 0, 3][..], &MTIME, &MTIME].concat();
    let ut_central = [&[0x55, 0x54, 5, 0, 3][..], &MTIME].concat();
    let ux = [0x75, 0x78, 11, 0, 1, 4, 0, 0, 0, 0, 4, 0, 0, 0, 0];
    if e.is_dir() {
        e.method = Method::Stored;
        e.raw = None;
        if e.external_attr == PY27_DIR_ATTR {
            e.external_attr |= 0x10;
        }
    } else if is_nested_archive(&e.name) {
        // Deflate does not shrink an archive's compressed bytes, so `zip` keeps them stored.
        e.method = Method::Stored;
    }
    e.create_system = 3;
    e.version_made_by = 30;
    e.version_needed = if e.method == Method::Stored { 10 } else { 20 };
    e.lfh_extra = [ut_local, ux.to_vec()].concat();
    e.cd_extra = [ut_central, ux.to_vec()].concat();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_blueprints_folder_is_the_tenants() {
        assert_eq!(blueprints_folder(b"uploaded-blueprints/t/bp/bp.tar.gz"), b"uploaded-blueprints/t/");
        assert_eq!(blueprints_folder(b"uploaded-blueprints/bp/bp.tar.gz"), b"uploaded-blueprints/");
        assert_eq!(blueprints_folder(b"x.zip"), b"uploaded-blueprints/");
    }

    #[test]
    fn nested_archives_are_known_by_name() {
        assert!(is_nested_archive(b"plugins/p/x.wgn"));
        assert!(is_nested_archive(b"tenants/t/plugins/p.zip"));
        assert!(!is_nested_archive(b"metadata.json"));
    }
}
