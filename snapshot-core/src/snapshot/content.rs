//! Content analyzers: streaming consumers of an entry's decompressed bytes during the data pass
//! (`--level full`), and the facts they hand back.
//!
//! The data pass itself ([`crate::data`]) knows ZIP data only; an analyzer rides on it as its
//! [`ContentSink`], attached by the orchestration (`verify.rs`) or by a nested archive's check.

#![deny(clippy::arithmetic_side_effects, clippy::cast_possible_truncation)]

use super::sql::SqlFacts;
use crate::data::ContentSink;

/// Consumes an entry's decompressed bytes in order, in chunks of any size.
pub(crate) trait Analyzer: Send {
    /// The next chunk of decompressed bytes.
    fn feed(&mut self, bytes: &[u8]);
    /// Called once at the end. `verified` is false when the data was damaged or cut short.
    fn finish(self: Box<Self>, verified: bool) -> Facts;
}

/// What an analyzer learned.
#[derive(Debug)]
pub(crate) enum Facts {
    /// A pg_dump text dump (pg_data, stage_data, composer_data).
    Sql(SqlFacts),
    /// es_data: lines that are not valid Elasticsearch hits, and counts by type.
    EsData(super::legacy::EsFacts),
    /// A nested archive's verification.
    Nested(super::nested::NestedFacts),
}

/// An analyzer is the data pass's sink. Its facts come back boxed: most entries have none, and a
/// data pass holds one outcome per entry.
impl ContentSink for Box<dyn Analyzer> {
    type Output = Box<Facts>;

    fn feed(&mut self, bytes: &[u8]) {
        Analyzer::feed(&mut **self, bytes);
    }

    fn finish(self, verified: bool) -> Box<Facts> {
        Box::new(Analyzer::finish(self, verified))
    }
}
