//! The preview's sizes by top-level part (spec §9 F).

#![deny(clippy::arithmetic_side_effects, clippy::cast_possible_truncation)]

use crate::report::Part;
use crate::zip::Archive;
use std::collections::BTreeMap;

/// Parts listed in a preview; the rest are summed into one.
const MAX_PARTS: usize = 100;

/// Sizes by top-level part, largest first (F).
pub(super) fn parts(archive: &Archive) -> Vec<Part> {
    let mut by: BTreeMap<String, Part> = BTreeMap::new();
    for e in &archive.entries {
        let name = match e.name.split_once('/') {
            Some((head, _)) => format!("{head}/"),
            None => e.name.clone(),
        };
        let p = by.entry(name.clone()).or_insert(Part { name, entries: 0, compressed_size: 0, uncompressed_size: 0 });
        p.entries = p.entries.saturating_add(1);
        p.compressed_size = p.compressed_size.saturating_add(e.compressed_size);
        p.uncompressed_size = p.uncompressed_size.saturating_add(e.uncompressed_size);
    }
    let mut parts: Vec<Part> = by.into_values().collect();
    parts.sort_by(|a, b| b.uncompressed_size.cmp(&a.uncompressed_size).then_with(|| a.name.cmp(&b.name)));
    // A snapshot has a few dozen top-level parts; an archive of loose files may have millions.
    if parts.len() > MAX_PARTS {
        let rest = parts.split_off(MAX_PARTS.saturating_sub(1));
        let mut other = Part {
            name: format!("({} other parts)", rest.len()),
            entries: 0,
            compressed_size: 0,
            uncompressed_size: 0,
        };
        for p in rest {
            other.entries = other.entries.saturating_add(p.entries);
            other.compressed_size = other.compressed_size.saturating_add(p.compressed_size);
            other.uncompressed_size = other.uncompressed_size.saturating_add(p.uncompressed_size);
        }
        parts.push(other);
    }
    parts
}
