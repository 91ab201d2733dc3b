//! The 7.1-era layouts (spec §11.6): archives labelled 7.1.0 in each of the two new-format
//! layouts, and the Composer blueprints rule every new-format restore applies.
//!
//! - N0b: the 7.0.0 layout (`mgmt/<type>/<i>.json`, `tenants/<t>/plugins/0.json`, archives in
//!   `tenants/<t>/plugins_archives/`) with a 7.1.0 label, as cloudify-manager's hand-made test
//!   resources and the development builds before PR #4219 have it. Only 7.0.0's restore reads it.
//! - N1 at 7.1.0: numbered envelopes `tenants/<t>/NNNNNNNN.json` and archives at
//!   `tenants/<t>/<type>/<id>.<ext>`, as 7.0.1+ and develop after #4219 write them.
//! - Composer: `composer/blueprints.*` must be exactly one `.json` and one other file, or
//!   `_new_restore_composer` raises.

use super::rules::{RuleCase, RuleOptions};
use super::{Era, Snapshot};
use crate::zipw::{Entry, ZipBuilder};

/// A 7.1.0-labelled archive in the 7.0.0 layout, with or without plugins and blueprints.
pub fn n0b(with_archives: bool) -> ZipBuilder {
    let mut z = Snapshot::new(Era::N0).version("7.1.0").zip();
    if !with_archives {
        for prefix in [
            "tenants/default_tenant/plugins",
            "tenants/default_tenant/blueprints",
            "tenants/default_tenant/deployments",
            "tenants/default_tenant/nodes",
            "tenants/default_tenant/node_instances",
            "tenants/default_tenant/agents",
        ] {
            z.remove_prefix(prefix);
        }
    }
    z
}

/// A 7.1.0-labelled archive in the N1 layout.
pub fn n1_71() -> ZipBuilder {
    Snapshot::new(Era::N1).version("7.1.0").zip()
}

/// `z` with the `composer/blueprints.*` files replaced by `files`.
fn composer(mut z: ZipBuilder, files: &[&str]) -> ZipBuilder {
    z.remove_prefix("composer/blueprints.");
    for f in files {
        let data: Vec<u8> = if f.ends_with(".json") {
            br#"{"type": "blueprints", "items": []}"#.to_vec()
        } else {
            ZipBuilder::with(vec![Entry::file("a/blueprint.yaml", "tosca_definitions_version: x\n")]).build()
        };
        z.entries.push(Entry::file(format!("composer/{f}"), data));
    }
    z
}

/// The 7.1-era cases.
pub(super) fn cases() -> Vec<RuleCase> {
    let none = RuleOptions::default();
    let row = |name, rule, expect, absent, genuine, about, zip: ZipBuilder| RuleCase {
        name,
        rule,
        bytes: zip.build(),
        options: none,
        expect,
        absent,
        genuine,
        about,
    };
    vec![
        row(
            "n0b-7.1.0",
            "D1",
            &[("new-format-variant", "warning")],
            &["plugin-archive-missing", "blueprint-archive-missing"],
            true,
            "The 7.0.0 layout labelled 7.1.0 (plugins/0.json with plugins_archives/): sub-era N0b; 7.0.0 restores it, 7.0.1+ aborts at its first plugin.",
            n0b(true),
        ),
        row(
            "n0b-7.1.0-no-archives",
            "D1",
            &[("new-format-variant", "warning")],
            &[],
            true,
            "The same without plugins, blueprints and deployments: 7.0.1+ restores only the tenant dumps.",
            n0b(false),
        ),
        row(
            "n1-7.1.0",
            "D1",
            &[],
            &["new-format-variant", "plugin-archive-missing", "archive-unreferenced"],
            true,
            "The N1 layout labelled 7.1.0 (tenants/<t>/NNNNNNNN.json, tenants/<t>/<type>/<id>.<ext>).",
            n1_71(),
        ),
        row(
            "composer-genuine",
            "D9",
            &[],
            &["composer-blueprints-count"],
            true,
            "composer/blueprints.json and composer/blueprints.zip: exactly one JSON and one other file.",
            composer(n1_71(), &["blueprints.json", "blueprints.zip"]),
        ),
        row(
            "composer-two-snapshots",
            "D9",
            &[("composer-blueprints-count", "error")],
            &[],
            false,
            "composer/blueprints.json with two other blueprints files: \"Cannot find blueprints' snapshot\".",
            composer(n1_71(), &["blueprints.json", "blueprints.zip", "blueprints.tar"]),
        ),
        row(
            "composer-no-metadata",
            "D9",
            &[("composer-blueprints-count", "error")],
            &[],
            false,
            "composer/blueprints.zip without blueprints.json: \"Cannot find blueprints' metadata\".",
            composer(n0b(true), &["blueprints.zip"]),
        ),
        row(
            "composer-double-suffix",
            "D9",
            &[("composer-blueprints-count", "error")],
            &[],
            false,
            "composer/blueprints.json with composer/blueprints.tar.gz: restore takes the entity up to the last dot, 'blueprints.tar', and aborts with AttributeError.",
            composer(n1_71(), &["blueprints.json", "blueprints.tar.gz"]),
        ),
    ]
}
