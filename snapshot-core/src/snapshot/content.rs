//! Content analyzers: streaming consumers of an entry's decompressed bytes during the data pass
//! (`--level full`), and the facts they hand back.

use super::sql::SqlFacts;

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
    /// The whole content (small members only).
    Bytes(Vec<u8>),
    /// A pg_dump text dump (pg_data, stage_data, composer_data).
    Sql(SqlFacts),
    /// es_data: lines that are not valid Elasticsearch hits, and counts by type.
    EsData(super::legacy::EsFacts),
    /// A nested archive's verification.
    Nested(super::nested::NestedFacts),
}
