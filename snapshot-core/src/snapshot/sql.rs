//! A streaming scanner for plain-text `pg_dump` output (spec §3.7.3, rule C3): header, COPY
//! blocks and their terminators, row counts per table, the completion marker and the trailing
//! DELETE. Memory is one partial line, whatever the dump's size.

/// What the scanner learned about one dump.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct SqlFacts {}
