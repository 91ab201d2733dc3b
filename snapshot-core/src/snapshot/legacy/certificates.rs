//! C9: what a legacy restore run with `--restore-certificates` finds in `ssl/` (spec §3.7.6,
//! §11.4). Names only: certificate and key contents are never read.
//!
//! Cloudify's side (7.0.4 and 6.4.2 `snapshots/snapshot_restore.py`
//! `SnapshotRestore._restore_certificate`, with `snapshots/utils.py` `copy_snapshot_path`): the
//! archive's `ssl/` is copied to `/etc/cloudify/ssl_from_snapshot_<id>` (a missing `ssl/` is
//! logged "Source not found … Skipping"), and after the workflow a shell line moves every file
//! of it over `/etc/cloudify/ssl/` (5.1.0: five named files, one `mv -f` each) and reboots unless
//! `--no-reboot`. When the archive has no `cloudify_internal_ca_cert.pem`, the same line then
//! copies `cloudify_internal_cert.pem` / `_key.pem` over the CA certificate and key ("old
//! managers with self-signed certs"). A failing `mv` or `cp` is never reported: the execution
//! has already succeeded.

use super::super::version::Version;
use super::super::{Ctx, Era, Semantics};
use crate::code::Code;
use crate::report::Finding;
use std::collections::BTreeSet;

const CA_CERT: &str = "cloudify_internal_ca_cert.pem";
const CA_KEY: &str = "cloudify_internal_ca_key.pem";
const CERT: &str = "cloudify_internal_cert.pem";
const KEY: &str = "cloudify_internal_key.pem";

/// The C9 finding, only when restore is planned with `--restore-certificates`.
pub(super) fn certificates(ctx: &mut Ctx, sem: &Semantics) {
    if !ctx.opts.restore_certificates {
        return;
    }
    // `mv -f <dir>/*` moves what sits directly in ssl/ (folders included).
    let files: BTreeSet<&str> = ctx
        .archive
        .entries
        .iter()
        .filter(|e| !e.is_dir())
        .filter_map(|e| e.name.strip_prefix("ssl/"))
        .filter_map(|rest| rest.split('/').next())
        .filter(|f| !f.is_empty())
        .collect();
    let before_ssl = match sem.version {
        Some(v) => v < Version::new(4, 0, 1),
        None => matches!(sem.era, Some(Era::E0 | Era::E1 | Era::E2 | Era::E2b | Era::L0)),
    };
    let has = |f: &str| files.contains(f);
    let with_flag = "with --restore-certificates";
    let fallback_own = "restore then copies the target's own cloudify_internal_cert.pem and _key.pem over its CA certificate and key (its fallback for a missing cloudify_internal_ca_cert.pem), so the target's CA becomes its own leaf certificate and agents and the broker that trust the old CA no longer verify";
    let finding = if files.is_empty() && before_ssl {
        Finding::new(
            Code::CertificatesFallback,
            format!(
                "{with_flag}: snapshots written before 4.0.1 carry no ssl/, so restore logs \"Source not found … Skipping\", the move of the snapshot's certificates fails unnoticed, and {fallback_own}; restore without the flag keeps the target's certificates"
            ),
        )
    } else if files.is_empty() {
        Finding::new(
            Code::CertificatesIncomplete,
            format!("{with_flag}: the archive has no ssl/ (Cloudify writes it from 4.0.1 on, so it was re-packed without it); no certificate comes from the snapshot, and {fallback_own}"),
        )
        .at_path("ssl/")
    } else {
        let missing: Vec<&str> = [CA_CERT, CA_KEY, CERT, KEY].into_iter().filter(|f| !has(f)).collect();
        let n = files.len();
        if missing.is_empty() {
            Finding::new(
                Code::CertificatesComplete,
                format!("{with_flag}: ssl/ holds the internal CA certificate and key and the internal certificate and key ({n} files in all); after the workflow restore moves them over /etc/cloudify/ssl/ and reboots the manager unless --no-reboot"),
            )
            .at_path("ssl/")
        } else if !has(CA_CERT) && has(CERT) && has(KEY) {
            Finding::new(
                Code::CertificatesFallback,
                format!("{with_flag}: ssl/ has no {CA_CERT}, so restore makes the snapshot's cloudify_internal_cert.pem and _key.pem the CA certificate and key (its fallback for managers with self-signed certificates); the other {n} files are moved over /etc/cloudify/ssl/"),
            )
            .at_path("ssl/")
        } else {
            let consequence = if !has(CA_CERT) {
                format!("without the internal certificate and key either, {fallback_own}")
            } else if !has(CERT) || !has(KEY) {
                "the snapshot's CA replaces the target's, but the target keeps its own internal certificate, signed by its old CA: TLS between agents, the broker and the REST service fails until certificates are issued again".to_owned()
            } else {
                "the restored CA certificate has no key next to it, so no certificate can be issued from it afterwards"
                    .to_owned()
            };
            Finding::new(
                Code::CertificatesIncomplete,
                format!("{with_flag}: ssl/ lacks {} ({n} files present); {consequence}", missing.join(", ")),
            )
            .at_path("ssl/")
        }
    };
    let revisions = ["schema_revision", "stage_schema_revision", "composer_schema_revision"];
    let keyed = revisions.iter().all(|k| sem.metadata.contains_key(*k));
    let note = match ctx.opts.target_version.as_deref().and_then(Version::parse) {
        Some(t) if t < Version::new(4, 1, 0) => {
            " (the target is older than 4.1, whose restore has no --restore-certificates at all)"
        }
        // 7.x snapshots/snapshot_restore.py _is_legacy_snapshot: all three keys or the new path.
        Some(t) if t >= Version::new(7, 0, 0) && !keyed => {
            " (but on this target the archive takes the new-format restore path, as metadata.json lacks one of the three revision keys, and that path ignores --restore-certificates)"
        }
        _ => "",
    };
    let message = format!("{}{note}", finding.message);
    ctx.push(Finding { message, ..finding });
}
