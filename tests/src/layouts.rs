//! Genuine layouts that look like container hazards, and the hostile variants they must be told
//! apart from.
//!
//! A Cloudify 5.0.5 manager stores its uploaded blueprint archives uncompressed
//! (`uploaded-blueprints/<tenant>/<bp>/<bp>.zip`, method 0), so each nested zip's own end
//! record, central directory and local headers lie inside the outer entry's data, a few KB
//! before the snapshot's real end record when the blueprint is the last member. Those records
//! are content. A second end record appended after the archive, or placed outside every entry's
//! data, is not.

use crate::cloudify::{Era, Snapshot};
use crate::zipw::{self, Entry, ZipBuilder};

/// Where the stored nested archive goes among the snapshot's entries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Place {
    /// The last member: its end record lies within the last 64 KiB of the outer file.
    Last,
    /// Half-way through the entries, with the rest of the snapshot after it.
    Middle,
}

/// The tenant and blueprint of the stored nested archive.
pub const TENANT: &str = "default_tenant";
/// The blueprint whose uploaded archive is stored as a zip.
pub const BLUEPRINT: &str = "stored-bp";

/// The outer entry name of the stored blueprint archive.
pub fn nested_name() -> String {
    format!("uploaded-blueprints/{TENANT}/{BLUEPRINT}/{BLUEPRINT}.zip")
}

/// A blueprint archive as `cfy blueprints upload` makes it: a zip of the blueprint folder.
pub fn blueprint_zip() -> ZipBuilder {
    let yaml = format!(
        "tosca_definitions_version: cloudify_dsl_1_3\n\nimports:\n  - http://cloudify.co/spec/cloudify/5.0.5/types.yaml\n\n\
         node_templates:\n  {BLUEPRINT}_host:\n    type: cloudify.nodes.Root\n"
    );
    let readme = "A blueprint uploaded as a zip.\n".repeat(40);
    ZipBuilder::with(vec![
        Entry::dir(format!("{BLUEPRINT}/")),
        Entry::file(format!("{BLUEPRINT}/blueprint.yaml"), yaml.into_bytes()),
        Entry::file(format!("{BLUEPRINT}/README.md"), readme.into_bytes()),
        // A stored member, so a test can corrupt its bytes in place.
        Entry::file(format!("{BLUEPRINT}/scripts/install.sh"), b"#!/bin/bash\necho installing\n".to_vec()).stored(),
    ])
}

/// A 5.0.5 (L4) snapshot with [`blueprint_zip`] stored (method 0) at `place`.
pub fn stored_nested(place: Place) -> ZipBuilder {
    with_nested(place, blueprint_zip().build())
}

/// As [`stored_nested`] (last member), but one byte of the nested archive's stored member is
/// flipped: the nested archive has a CRC error, the snapshot's own structure is sound.
pub fn stored_nested_corrupt() -> ZipBuilder {
    let (mut inner, layout) = blueprint_zip().build_with_layout();
    zipw::flip_byte(&mut inner, layout.entries[3].data + 3);
    with_nested(Place::Last, inner)
}

/// Hostile: a genuine snapshot with a stored nested archive, plus a second (empty) end record
/// appended after the real one, which Python's restore then takes.
pub fn appended_end_record() -> Vec<u8> {
    let mut zip = stored_nested(Place::Last);
    zip.append = zipw::empty_eocd();
    zip.build()
}

/// Hostile: a genuine snapshot with a stored nested archive, plus a second (empty) end record in
/// bytes between two entries that no entry's data covers, within the last 64 KiB.
pub fn end_record_between_entries() -> Vec<u8> {
    let mut zip = stored_nested(Place::Last);
    let last = zip.entries.len() - 1;
    zip.entries[last].pad_before = zipw::empty_eocd();
    zip.build()
}

fn with_nested(place: Place, inner: Vec<u8>) -> ZipBuilder {
    let mut zip = Snapshot::new(Era::L4).zip();
    let entry = Entry::file(nested_name(), inner).stored();
    match place {
        Place::Last => zip.entries.push(entry),
        Place::Middle => {
            let at = zip.entries.len() / 2;
            zip.entries.insert(at, entry);
        }
    }
    zip
}
