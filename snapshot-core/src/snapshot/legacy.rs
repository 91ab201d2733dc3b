//! Legacy payload checks (E0–L6; spec §3.1–3.4, §3.7, rules C1–C15) and their preview counts
//! and security inventory.

use super::content::{Analyzer, Facts};
use super::{Ctx, Semantics};
use crate::Error;
use crate::zip::Entry;

/// What the legacy quick phase hands to [`conclude`].
#[derive(Debug, Default)]
pub(crate) struct LegacyState {}

/// What the es_data analyzer learned.
#[derive(Debug, Default)]
pub(crate) struct EsFacts {}

pub(crate) fn inspect(_ctx: &mut Ctx, _sem: &mut Semantics) -> Result<(), Error> {
    Ok(())
}

pub(crate) fn analyzer_for(_sem: &Semantics, _entry: &Entry) -> Option<Box<dyn Analyzer>> {
    None
}

pub(crate) fn conclude(_ctx: &mut Ctx, _sem: &mut Semantics, _facts: Vec<(usize, Facts)>) {}
