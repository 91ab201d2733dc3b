//! The snapshot eras of spec §1 and the classifier of §1.2: which Cloudify version wrote an
//! archive, judged from its payload and `metadata.json`.

use super::version::Version;
use super::{Ctx, Semantics};
use crate::code::Code;
use crate::report::{EraInfo, Finding};

/// The snapshot eras of spec §1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Era {
    E0,
    E1,
    E2,
    E2b,
    L0,
    L1,
    L2,
    L3,
    L4,
    L5,
    L6,
    N0,
    N1,
}

/// The broad payload format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Format {
    Elasticsearch,
    Legacy,
    New,
}

impl Era {
    pub(crate) fn info(self) -> EraInfo {
        let (id, produced_by, format) = match self {
            Era::E0 => ("E0", "3.2 / 3.2.1 (cfy-snapshot32 tool)", "elasticsearch"),
            Era::E1 => ("E1", "3.3 – 3.3.1", "elasticsearch"),
            Era::E2 => ("E2", "3.4.0 – 3.4.1", "elasticsearch"),
            Era::E2b => ("E2b", "3.4.2", "elasticsearch"),
            Era::L0 => ("L0", "4.0.0", "legacy"),
            Era::L1 => ("L1", "4.0.1", "legacy"),
            Era::L2 => ("L2", "4.1 – 4.3", "legacy"),
            Era::L3 => ("L3", "4.4 – 4.6", "legacy"),
            Era::L4 => ("L4", "5.0.0 – 5.0.5", "legacy"),
            Era::L5 => ("L5", "5.1 – 6.2", "legacy"),
            Era::L6 => ("L6", "6.3 – 6.4, 7.0.x legacy", "legacy"),
            Era::N0 => ("N0", "7.0.0 (new format)", "new"),
            Era::N1 => ("N1", "7.0.1+ (new format)", "new"),
        };
        EraInfo { id, produced_by, format }
    }

    /// The era as reported, with the sub-era the layout and the version together tell apart:
    /// an N0 layout labelled 7.0.1 or later is `N0b`, a 7.1 development build or test resource
    /// written before cloudify-manager PR #4219 (spec §11.6). Restore treats it as N0 (it goes
    /// by layout), so the classifier keeps [`Era::N0`] and only the report names the sub-era.
    pub(crate) fn info_at(self, version: Option<Version>) -> EraInfo {
        match self {
            Era::N0 if version.is_some_and(|v| v >= Version::new(7, 0, 1)) => EraInfo {
                id: "N0b",
                produced_by: "7.1 development builds and test resources (7.0.0 layout, labelled 7.0.1+)",
                format: "new",
            },
            era => era.info(),
        }
    }

    pub(crate) fn format(self) -> Format {
        match self {
            Era::E0 | Era::E1 | Era::E2 | Era::E2b => Format::Elasticsearch,
            Era::N0 | Era::N1 => Format::New,
            _ => Format::Legacy,
        }
    }

    /// The legacy sub-era by `snapshot_version` (spec §1 table).
    fn by_version(format: Format, v: Version) -> Era {
        let at = |a, b, c| Version::new(a, b, c);
        match format {
            Format::Elasticsearch if v < at(3, 3, 0) => Era::E0,
            Format::Elasticsearch if v < at(3, 4, 0) => Era::E1,
            Format::Elasticsearch if v < at(3, 4, 2) => Era::E2,
            Format::Elasticsearch => Era::E2b,
            Format::Legacy if v < at(4, 0, 1) => Era::L0,
            Format::Legacy if v < at(4, 1, 0) => Era::L1,
            Format::Legacy if v < at(4, 4, 0) => Era::L2,
            Format::Legacy if v < at(5, 0, 0) => Era::L3,
            Format::Legacy if v < at(5, 1, 0) => Era::L4,
            Format::Legacy if v < at(6, 3, 0) => Era::L5,
            Format::Legacy => Era::L6,
            Format::New if v < at(7, 0, 1) => Era::N0,
            Format::New => Era::N1,
        }
    }
}

/// The classifier of spec §1.2.
pub(super) fn classify(ctx: &mut Ctx, sem: &mut Semantics) {
    let a = ctx.archive;
    let has = |n: &str| a.by_name(n).is_some();
    let under = |p: &str| a.entries.iter().any(|e| e.name.starts_with(p));
    let revisions = ["schema_revision", "stage_schema_revision", "composer_schema_revision"];
    let legacy_by_meta = revisions.iter().all(|k| sem.metadata.contains_key(*k));
    let (pg, es) = (has("pg_data"), has("es_data"));
    let new = under("mgmt/") || under("tenants/");
    let format = if pg {
        Format::Legacy
    } else if es {
        Format::Elasticsearch
    } else if new {
        Format::New
    } else {
        // No payload: guess from the version so the payload checks can name what is missing.
        match sem.version {
            Some(v) if v >= Version::new(7, 0, 0) && !legacy_by_meta => Format::New,
            Some(v) if v >= Version::new(4, 0, 0) => Format::Legacy,
            Some(_) => Format::Elasticsearch,
            None => return,
        }
    };
    let era = match (format, sem.version) {
        (Format::New, _) => {
            let n1 = a.entries.iter().any(|e| is_n1_dump(&e.name)) || sem.metadata.contains_key("execution_id");
            if n1 { Era::N1 } else { Era::N0 }
        }
        (f, Some(v)) => Era::by_version(f, v),
        (Format::Legacy, None) => Era::L0,
        (Format::Elasticsearch, None) => Era::E0,
    };
    sem.era = Some(era);
    sem.info.era = Some(era.info_at(sem.version));
    if matches!(era, Era::E1 | Era::E2 | Era::E2b) && !sem.metadata.contains_key("has_cloudify_events") {
        ctx.push(
            Finding::new(
                Code::HasCloudifyEventsMissing,
                "metadata.json lacks has_cloudify_events, which 3.3 and 3.4 write and 3.x restore reads (KeyError)",
            )
            .at_path("metadata.json"),
        );
    }

    let mut mismatch = Vec::new();
    // 4.0 development builds wrote both dumps (spec §8, CM@c900ab1bc `snap_4.0.zip`; its restore
    // reads pg_data): a genuine layout, not a mismatch.
    let dev_4_0 = sem.version.is_some_and(|v| v >= Version::new(4, 0, 0) && v < Version::new(4, 1, 0));
    if pg && es && !dev_4_0 {
        mismatch.push("it carries both es_data (3.x) and pg_data (4.0+)".to_string());
    }
    if (pg || es) && new {
        mismatch.push("it carries a legacy dump and new-format mgmt/ or tenants/ files".to_string());
    }
    if let Some(v) = sem.version {
        let by_version = if v >= Version::new(7, 0, 0) && !legacy_by_meta {
            Format::New
        } else if v >= Version::new(4, 0, 0) {
            Format::Legacy
        } else {
            Format::Elasticsearch
        };
        if by_version != format && !(format == Format::Legacy && by_version == Format::New) {
            mismatch.push(format!(
                "snapshot_version {} implies {} but the payload is {}",
                v,
                format_name(by_version),
                format_name(format)
            ));
        }
    }
    if legacy_by_meta && format == Format::New {
        mismatch.push("metadata has all three revision keys (legacy) but the payload is new-format".to_string());
    }
    if !mismatch.is_empty() {
        let info = era.info_at(sem.version);
        ctx.push(Finding::new(
            Code::EraMismatch,
            format!("classified as {} ({}), but {}", info.id, info.produced_by, mismatch.join("; ")),
        ));
    }
    // With a target version the restore table says what that target does (7.0.x:
    // `target-routes-new-path`, an error; 6.4 and older: nothing), so the advisory is for the
    // no-target case only.
    if format != Format::New && !legacy_by_meta && ctx.opts.target_version.is_none() {
        let missing: Vec<&str> = revisions.iter().copied().filter(|k| !sem.metadata.contains_key(*k)).collect();
        ctx.push(
            Finding::new(
                Code::RoutingHazard,
                format!(
                    "metadata.json lacks {}: 7.0.x managers treat only archives with all three revision keys as legacy and send this one down the new-format restore, which restores nothing or fails; restore it on 6.4 or older",
                    missing.join(", ")
                ),
            )
            .at_path("metadata.json"),
        );
    }
}

/// `mgmt/00000001.json` or `tenants/<t>/00000001.json` (N1 numbering).
fn is_n1_dump(name: &str) -> bool {
    let parts: Vec<&str> = name.split('/').collect();
    let file = match parts.as_slice() {
        ["mgmt", f] | ["tenants", _, f] => *f,
        _ => return false,
    };
    file.len() == 13 && file.ends_with(".json") && file[..8].bytes().all(|b| b.is_ascii_digit())
}

fn format_name(f: Format) -> &'static str {
    match f {
        Format::Elasticsearch => "an es_data (3.x) snapshot",
        Format::Legacy => "a pg_data (legacy) snapshot",
        Format::New => "a new-format (7.x) snapshot",
    }
}
