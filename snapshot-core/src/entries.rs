//! Entry listing and content streaming for front ends that need per-entry data (manifests).

#![deny(clippy::arithmetic_side_effects, clippy::cast_possible_truncation)]

use crate::data::{DataCheck, Step, Tap};
use crate::source::ReadAt;
use crate::zip::{self, ParseLimits};
use crate::{Error, Limits};

/// One entry as the central directory lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryInfo {
    /// Position in the central directory.
    pub index: usize,
    /// The name (UTF-8, or CP437 when the raw name is not UTF-8).
    pub name: String,
    /// Compression method (0 stored, 8 deflate).
    pub method: u16,
    /// Declared CRC-32.
    pub crc32: u32,
    /// Declared compressed size.
    pub compressed_size: u64,
    /// Declared uncompressed size.
    pub uncompressed_size: u64,
    /// Whether the name marks a directory.
    pub is_dir: bool,
    /// Whether the data can be read (stored or deflate, not encrypted, sane headers).
    pub readable: bool,
}

/// An archive parsed once, for listing entries and streaming their content.
#[derive(Debug, Clone)]
pub struct Entries {
    archive: zip::Archive,
}

impl Entries {
    /// Parses the central directory, or `None` when the file has no readable one (verify it to
    /// learn why).
    pub fn open(src: &dyn ReadAt) -> Result<Option<Entries>, Error> {
        let mut findings = Vec::new();
        let limits = ParseLimits { max_entries: Limits::default().max_entries, gap_scan_bytes: 0 };
        Ok(zip::parse(src, limits, &mut findings)?.map(|archive| Entries { archive }))
    }

    /// Every entry, in central-directory order.
    pub fn list(&self) -> Vec<EntryInfo> {
        list(&self.archive)
    }

    /// Streams entry `index`'s decompressed content to `sink` in chunks. Returns whether the
    /// data matched its CRC and sizes; `Ok(false)` also when the entry is unreadable.
    pub fn stream(&self, src: &dyn ReadAt, index: usize, sink: &mut dyn FnMut(&[u8])) -> Result<bool, Error> {
        let Some(entry) = self.archive.entries.get(index) else { return Ok(false) };
        if !entry.readable || entry.data_offset.is_none() {
            return Ok(false);
        }
        if entry.compressed_size == 0 && entry.uncompressed_size == 0 {
            return Ok(entry.crc == 0);
        }
        let mut check = DataCheck::new(entry, Some(Tap(sink)), Limits::default().max_output);
        loop {
            if let Step::Done(outcome) = check.step(src, u64::MAX)? {
                return Ok(outcome.verified);
            }
        }
    }
}

/// Every entry of a parsed archive, in central-directory order.
pub(crate) fn list(archive: &zip::Archive) -> Vec<EntryInfo> {
    archive
        .entries
        .iter()
        .map(|e| EntryInfo {
            index: e.index,
            name: e.name.clone(),
            method: e.method,
            crc32: e.crc,
            compressed_size: e.compressed_size,
            uncompressed_size: e.uncompressed_size,
            is_dir: e.is_dir(),
            readable: e.readable && e.data_offset.is_some(),
        })
        .collect()
}

/// Lists the entries, or `None` when the file has no readable central directory.
pub fn list_entries(src: &dyn ReadAt) -> Result<Option<Vec<EntryInfo>>, Error> {
    Ok(Entries::open(src)?.map(|e| e.list()))
}

/// Streams one entry's content; parses the archive each call, so use [`Entries`] for many.
pub fn stream_entry(src: &dyn ReadAt, index: usize, sink: &mut dyn FnMut(&[u8])) -> Result<bool, Error> {
    match Entries::open(src)? {
        Some(entries) => entries.stream(src, index, sink),
        None => Ok(false),
    }
}
