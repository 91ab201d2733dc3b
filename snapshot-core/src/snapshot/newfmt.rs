//! New-format payload checks (N0, N1; spec §3.5, §3.6, §5.3.8, rules D1–D13) and their preview
//! counts and security inventory.

use super::content::Facts;
use super::{Ctx, Semantics};
use crate::Error;

/// What the new-format quick phase hands to [`conclude`].
#[derive(Debug, Default)]
pub(crate) struct NewState {}

pub(crate) fn inspect(_ctx: &mut Ctx, _sem: &mut Semantics) -> Result<(), Error> {
    Ok(())
}

pub(crate) fn conclude(_ctx: &mut Ctx, _sem: &mut Semantics, _facts: Vec<(usize, Facts)>) {}
