//! The nested archives of the new format (D6–D8): each blueprint and plugin item has its
//! archive where restore looks for it, and each archive is what its folder says. The verdict on
//! the bytes is the nested-archive module's ([`nested::quick_problem`]); this reads them.

use super::NewState;
use super::classify::{Item, archive_place};
use crate::Error;
use crate::code::Code;
use crate::report::Finding;
use crate::snapshot::{Ctx, Era, nested};
use crate::source::read_full;
use crate::zip::{Entry, METHOD_DEFLATE, METHOD_STORED};
use std::collections::BTreeMap;

/// Nested archives up to this size are read whole (zip end record, full base64 decode); larger
/// ones only have their first bytes sniffed.
pub(super) const READ_WHOLE: u64 = 1 << 20;
/// Most archives sniffed, so a hostile list of a million archives stays cheap.
pub(super) const SNIFF_LIMIT: u64 = 20_000;

/// D6, D7: each blueprint and plugin item needs its archive where restore looks for it.
pub(super) fn missing(era: Era, st: &NewState, files: &BTreeMap<&str, &Entry>, out: &mut Vec<Finding>) {
    for (kind, items) in [(Item::Blueprint, &st.blueprints), (Item::Plugin, &st.plugins)] {
        let (dir, suffix) = archive_place(era, kind);
        let (code, what) = match kind {
            Item::Blueprint => (Code::BlueprintArchiveMissing, "blueprint"),
            _ => (Code::PluginArchiveMissing, "plugin"),
        };
        for (t, id) in items {
            let path = format!("tenants/{t}/{dir}/{id}{suffix}");
            if files.contains_key(path.as_str()) {
                continue;
            }
            let prefix = format!("tenants/{t}/{dir}/{id}.");
            let near = files.range(prefix.as_str()..).next().filter(|(n, _)| n.starts_with(&prefix));
            let near = near.map_or(String::new(), |(n, _)| {
                format!(" ({n} is there, but restore looks only for the {suffix} name)")
            });
            out.push(Finding::new(
                code,
                format!("{what} '{id}' of tenant '{t}' has no archive at {path}{near}; restore cannot upload it (\"Error restoring {what} {id}\") and whatever uses it fails too"),
            ).at_path(path));
        }
    }
}

/// D6–D8: the archives are what their names say.
pub(super) fn check(
    ctx: &mut Ctx,
    st: &mut NewState,
    out: &mut Vec<Finding>,
    archives: Vec<(Item, &Entry)>,
) -> Result<(), Error> {
    for (kind, entry) in archives {
        if let Some(problem) = nested_problem(ctx, st, kind, entry)? {
            let consequence = match kind {
                Item::Blueprint => {
                    "restore uploads it as the blueprint archive, which must be a zip, tar, tar.gz or tar.bz2"
                }
                Item::Plugin => "restore uploads it as the plugin's zip of wagon and plugin YAML",
                Item::Deployment => {
                    "restore hands it to the REST service as the deployment's base64-encoded zip of its working directory"
                }
            };
            out.push(
                Finding::new(Code::NestedArchiveInvalid, format!("{problem}; {consequence}")).at_path(&entry.name),
            );
        }
    }

    Ok(())
}

/// What is wrong with a nested archive, if anything: small ones are read whole (zip end record,
/// full base64 decode), larger ones only sniffed for their magic number.
fn nested_problem(ctx: &mut Ctx, st: &mut NewState, kind: Item, entry: &Entry) -> Result<Option<String>, Error> {
    let size = entry.uncompressed_size;
    let small = size <= READ_WHOLE.min(ctx.json_budget).min(ctx.opts.limits.max_json_member);
    let bytes = if small {
        ctx.read_small(entry)?
    } else if st.sniffs >= SNIFF_LIMIT {
        st.unsniffed += 1;
        None
    } else {
        st.sniffs += 1;
        head(ctx, entry)?
    };
    let Some(bytes) = bytes else { return Ok(None) };
    let whole = bytes.len() as u64 == size;
    let nested = match kind {
        Item::Blueprint => nested::Kind::AnyBlueprint,
        Item::Plugin => nested::Kind::Zip,
        Item::Deployment => nested::Kind::B64Zip,
    };
    Ok(nested::quick_problem(nested, &bytes, whole))
}

/// The first bytes of an entry (enough for magic numbers), decompressing at most 16 KiB.
fn head(ctx: &Ctx, entry: &Entry) -> Result<Option<Vec<u8>>, Error> {
    const WANT: usize = 512;
    let Some(at) = entry.data_offset.filter(|_| entry.readable) else { return Ok(None) };
    let mut input = vec![0; entry.compressed_size.min(16 << 10) as usize];
    let got = read_full(ctx.src, at, &mut input)?;
    input.truncate(got);
    let want = WANT.min(usize::try_from(entry.uncompressed_size).unwrap_or(WANT));
    match entry.method {
        METHOD_STORED => {
            input.truncate(want);
            Ok(Some(input))
        }
        METHOD_DEFLATE => {
            let mut out = vec![0; want];
            let mut d = flate2::Decompress::new(false);
            // A corrupt stream is the data pass's finding, not a nested-archive one.
            if d.decompress(&input, &mut out, flate2::FlushDecompress::None).is_err() {
                return Ok(None);
            }
            out.truncate(d.total_out() as usize);
            Ok(Some(out))
        }
        _ => Ok(None),
    }
}
