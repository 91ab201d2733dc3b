//! The nested archives of the new format (D6–D8): each blueprint and plugin item has its
//! archive where restore looks for it, and each archive is what its folder says. The verdict on
//! the bytes is the nested-archive module's ([`nested::quick_problem`]); this reads them.

use super::classify::{Item, archive_place};
use super::{NewState, clip};
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

/// D6, D7, D8a: each blueprint, plugin and deployment item needs its archive where restore
/// looks for it (7.0.4 snapshots/snapshot_restore.py `_get_associated_archive`; 7.0.0 looks in
/// the `<type>_archives` folders instead).
pub(super) fn missing(era: Era, st: &NewState, files: &BTreeMap<&str, &Entry>, out: &mut Vec<Finding>) {
    let kinds = [(Item::Blueprint, &st.blueprints), (Item::Plugin, &st.plugins), (Item::Deployment, &st.deployments)];
    for (kind, items) in kinds {
        let (dir, suffix) = archive_place(era, kind);
        for (t, id) in items {
            let path = format!("tenants/{t}/{dir}/{id}{suffix}");
            if files.contains_key(path.as_str()) {
                continue;
            }
            let near =
                near(era, kind, files, t, id).map_or(String::new(), |(n, why)| format!(" ({n} is there, but {why})"));
            let (code, message) = match kind {
                Item::Blueprint => (
                    Code::BlueprintArchiveMissing,
                    format!(
                        "blueprint '{}' of tenant '{}' has no archive at {path}{near}; restore hands the REST client no file for it (cloudify_rest_client blueprints.py BlueprintsClient.restore) and aborts with TypeError at this blueprint: nothing after it in restore order is restored",
                        clip(id),
                        clip(t)
                    ),
                ),
                Item::Plugin => (
                    Code::PluginArchiveMissing,
                    format!(
                        "plugin '{}' of tenant '{}' has no archive at {path}{near}; restore hands the REST client no file for it (cloudify_rest_client plugins.py PluginsClient.restore) and aborts with TypeError at this plugin: nothing after it in restore order is restored",
                        clip(id),
                        clip(t)
                    ),
                ),
                Item::Deployment => (
                    Code::DeploymentArchiveMissing,
                    format!(
                        "deployment '{}' of tenant '{}' has no working-directory archive at {path}{near}; restore creates it with an empty working directory (Cloudify leaves the file out only when the directory was empty, so any files it held are lost)",
                        clip(id),
                        clip(t)
                    ),
                ),
            };
            out.push(Finding::new(code, message).at_path(path));
        }
    }
}

/// An archive of the item that restore will not find: another suffix in the right folder, or
/// the other layout's folder (N0 `<type>_archives/` in an N1 archive, or the reverse).
fn near(era: Era, kind: Item, files: &BTreeMap<&str, &Entry>, t: &str, id: &str) -> Option<(String, String)> {
    let (dir, suffix) = archive_place(era, kind);
    let other = if era == Era::N0 { Era::N1 } else { Era::N0 };
    let (other_dir, _) = archive_place(other, kind);
    let tries = [
        (dir, format!("restore looks only for the {suffix} name")),
        (
            other_dir,
            format!(
                "that is the {} layout: this restore looks only in tenants/<t>/{dir}/",
                if era == Era::N0 { "7.0.1+" } else { "7.0.0" }
            ),
        ),
    ];
    tries.into_iter().find_map(|(d, why)| {
        let prefix = format!("tenants/{t}/{d}/{id}.");
        let hit = files.range(prefix.as_str()..).next().filter(|(n, _)| n.starts_with(&prefix));
        hit.map(|(n, _)| (clip(n), why))
    })
}

/// D6a: archives no item refers to; restore never reads them.
pub(super) fn unreferenced(era: Era, st: &NewState, archives: &[(Item, &Entry)], out: &mut Vec<Finding>) {
    if st.unread_tenant {
        return; // an unread dump may hold the item
    }
    for (kind, entry) in archives {
        let (_, suffix) = archive_place(era, *kind);
        let parts: Vec<&str> = entry.name.split('/').collect();
        let (Some(t), Some(file)) = (parts.get(1), parts.last()) else { continue };
        if !st.tenants.contains(*t) {
            continue; // restore never discovers the tenant: tenant-dir-missing says so
        }
        let id = file.strip_suffix(suffix).unwrap_or(file);
        let (items, what) = match kind {
            Item::Blueprint => (&st.blueprints, "blueprint"),
            Item::Plugin => (&st.plugins, "plugin"),
            Item::Deployment => (&st.deployments, "deployment"),
        };
        if !items.contains(&((*t).to_owned(), id.to_owned())) {
            out.push(Finding::new(
                Code::ArchiveUnreferenced,
                format!("no {what} item of tenant '{}' has id '{}'; restore looks archives up by item and never reads this one", clip(t), clip(id)),
            ).at_path(&entry.name));
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
        st.unsniffed = st.unsniffed.saturating_add(1);
        None
    } else {
        st.sniffs = st.sniffs.saturating_add(1);
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
