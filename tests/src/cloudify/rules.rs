//! Archives for the restore rules read from Cloudify's restore code (issue 12 point 4): C9
//! (`--restore-certificates` and `ssl/`), C10/C11 (`pg_data` rows against the file server
//! folders), D6a/D8a (new-format items against their archives), and the genuine layouts these
//! rules must leave without an error.
//!
//! Each [`RuleCase`] starts from a genuine era snapshot and changes one thing; it says which
//! options the check runs with and which codes, at which severity, must appear. The 7.1-era
//! layouts are in [`super::newfmt71`].

use super::{Era, Snapshot, uuid};
use crate::zipw::{Entry, ZipBuilder};

/// How a case is checked: the options of `snapshot-verify check` that matter to it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RuleOptions {
    /// `--restore-certificates`.
    pub restore_certificates: bool,
    /// `--level full` (the C10/C11 checks read `pg_data` in the data pass).
    pub full: bool,
    /// `--target-version`.
    pub target_version: Option<&'static str>,
}

/// One archive and what the verifier must say about it.
#[derive(Clone, Debug)]
pub struct RuleCase {
    /// Short kebab-case name, unique across the rule cases.
    pub name: &'static str,
    /// The spec rule (`C9`, `C10`, `C11a`, `D6a`, …).
    pub rule: &'static str,
    /// The archive.
    pub bytes: Vec<u8>,
    /// The options it is checked with.
    pub options: RuleOptions,
    /// `(code, severity)` that must appear (`"error"`, `"warning"` or `"info"`).
    pub expect: &'static [(&'static str, &'static str)],
    /// Codes that must not appear.
    pub absent: &'static [&'static str],
    /// A genuine layout: no error finding at all.
    pub genuine: bool,
    /// What the case builds.
    pub about: &'static str,
}

impl RuleCase {
    /// The corpus file name, e.g. `rules-C9-no-ssl.zip`.
    pub fn file_name(&self) -> String {
        format!("rules-{}-{}.zip", self.rule, self.name)
    }
}

/// The C9 codes, none of which may appear without `--restore-certificates`.
pub const C9_CODES: [&str; 4] =
    ["certificates-complete", "certificates-incomplete", "certificates-fallback", "certificates-ignored"];
/// The C10/C11 and D6a/D8a codes.
pub const FILE_CODES: [&str; 5] = [
    "plugin-files-missing",
    "blueprint-upload-missing",
    "blueprint-files-missing",
    "archive-unreferenced",
    "deployment-archive-missing",
];

const CERTS: RuleOptions = RuleOptions { restore_certificates: true, full: false, target_version: None };
const FULL: RuleOptions = RuleOptions { restore_certificates: false, full: true, target_version: None };

/// The entry names of an archive, as text.
fn names(z: &ZipBuilder) -> Vec<String> {
    z.entries.iter().map(|e| String::from_utf8_lossy(&e.name).into_owned()).collect()
}

/// `base` without every entry whose name starts with one of `prefixes`.
fn without(mut z: ZipBuilder, prefixes: &[&str]) -> ZipBuilder {
    for p in prefixes {
        z.remove_prefix(p);
    }
    z
}

/// A premium 5.1.0 snapshot (`ssl/` with the internal CA, internal and external certificates).
fn l5() -> ZipBuilder {
    Snapshot::new(Era::L5).zip()
}

/// The id of the generated plugin of `default_tenant`.
fn plugin_id() -> String {
    uuid("plugin default_tenant")
}

/// Every rule case.
pub fn rule_cases() -> Vec<RuleCase> {
    let mut v = Vec::new();
    certificates(&mut v);
    legacy_files(&mut v);
    new_archives(&mut v);
    v.extend(super::newfmt71::cases());
    v
}

#[allow(clippy::too_many_arguments, reason = "a table row")]
fn case(
    v: &mut Vec<RuleCase>,
    rule: &'static str,
    name: &'static str,
    options: RuleOptions,
    expect: &'static [(&'static str, &'static str)],
    absent: &'static [&'static str],
    genuine: bool,
    about: &'static str,
    zip: ZipBuilder,
) {
    v.push(RuleCase { name, rule, bytes: zip.build(), options, expect, absent, genuine, about });
}

/// C9: what `ssl/` holds for a restore with `--restore-certificates`.
fn certificates(v: &mut Vec<RuleCase>) {
    case(
        v,
        "C9",
        "genuine-l6",
        CERTS,
        &[("certificates-complete", "info")],
        &["certificates-incomplete"],
        true,
        "A genuine 6.4.0 snapshot: ssl/ holds the internal CA certificate and key and the internal certificate and key.",
        Snapshot::new(Era::L6).zip(),
    );
    case(
        v,
        "C9",
        "genuine-e2",
        CERTS,
        &[("certificates-fallback", "info")],
        &["certificates-incomplete"],
        true,
        "A genuine 3.4.0 snapshot, written before ssl/ existed: restore falls back to the target's own internal certificate as CA.",
        Snapshot::new(Era::E2).zip(),
    );
    case(
        v,
        "C9",
        "no-ssl",
        CERTS,
        &[("certificates-incomplete", "warning")],
        &[],
        false,
        "A 5.1.0 snapshot re-packed without ssl/: the target's CA is replaced by its own internal certificate.",
        without(l5(), &["ssl/"]),
    );
    case(
        v,
        "C9",
        "no-ssl-without-flag",
        FULL,
        &[],
        &C9_CODES,
        false,
        "The same archive checked without --restore-certificates: no C9 finding.",
        without(l5(), &["ssl/"]),
    );
    case(
        v,
        "C9",
        "no-ca-cert",
        CERTS,
        &[("certificates-fallback", "info")],
        &["certificates-incomplete"],
        false,
        "ssl/ without cloudify_internal_ca_cert.pem (and its key) but with the internal certificate and key: the snapshot's internal certificate becomes the CA, as for old self-signed managers.",
        without(l5(), &["ssl/cloudify_internal_ca_cert.pem", "ssl/cloudify_internal_ca_key.pem"]),
    );
    case(
        v,
        "C9",
        "ca-without-internal-cert",
        CERTS,
        &[("certificates-incomplete", "warning")],
        &[],
        false,
        "ssl/ with the CA certificate and key but without the internal certificate and key: the CA is replaced, the target keeps a certificate signed by its old CA.",
        without(l5(), &["ssl/cloudify_internal_cert.pem", "ssl/cloudify_internal_key.pem"]),
    );
    case(
        v,
        "C9",
        "ca-cert-without-key",
        CERTS,
        &[("certificates-incomplete", "warning")],
        &[],
        false,
        "ssl/ with the CA certificate but not its key: nothing can be issued from the restored CA.",
        without(l5(), &["ssl/cloudify_internal_ca_key.pem"]),
    );
    case(
        v,
        "C9",
        "external-only",
        CERTS,
        &[("certificates-incomplete", "warning")],
        &[],
        false,
        "ssl/ holds only the external certificate: no CA and no internal certificate, so the fallback copies the target's own files.",
        without(l5(), &["ssl/cloudify_internal", "ssl/rabbitmq", "ssl/status", "ssl/certificate_metadata"]),
    );
    case(
        v,
        "C9a",
        "new-format-ignores-flag",
        CERTS,
        &[("certificates-ignored", "info")],
        &["certificates-incomplete"],
        true,
        "A genuine 7.0.4 new-format snapshot: 7.x restore ignores --restore-certificates on the new path.",
        Snapshot::new(Era::N1).zip(),
    );
}

/// C10, C11, C11a, C11b: `pg_data` rows against the file server folders.
fn legacy_files(v: &mut Vec<RuleCase>) {
    let plugin = plugin_id();
    let no_wagon = without(l5(), &[&format!("plugins/{plugin}/")]);
    case(
        v,
        "C10",
        "plugin-row-without-wagon",
        FULL,
        &[("plugin-files-missing", "warning")],
        &[],
        false,
        "A 5.1.0 snapshot whose plugin row has no plugins/<id>/ folder: 5.1+ restores a plugin that cannot be installed.",
        no_wagon.clone(),
    );
    case(
        v,
        "C10",
        "plugin-row-without-wagon-on-5.0.5",
        RuleOptions { target_version: Some("5.0.5"), ..FULL },
        &[("plugin-files-missing", "error")],
        &[],
        false,
        "The same archive predicted on 5.0.5, whose restore installs every plugin from its wagon and fails.",
        no_wagon,
    );
    case(
        v,
        "C11",
        "blueprint-row-without-upload",
        FULL,
        &[("blueprint-upload-missing", "warning")],
        &["blueprint-files-missing"],
        false,
        "A blueprint row without uploaded-blueprints/<t>/<id>/<id>.tar.gz: downloading the blueprint fails.",
        without(l5(), &["uploaded-blueprints/default_tenant/hello-world/"]),
    );
    case(
        v,
        "C11b",
        "blueprint-row-without-files",
        FULL,
        &[("blueprint-files-missing", "warning")],
        &["blueprint-upload-missing"],
        false,
        "A blueprint row without blueprints/<t>/<id>/blueprint.yaml: its resources are gone from the file server.",
        without(l5(), &["blueprints/default_tenant/hello-world/"]),
    );
    let mut orphans = l5();
    orphans.entries.push(Entry::file("plugins/00000000-0000-4000-8000-00000000dead/old.wgn", "not used"));
    orphans.entries.push(Entry::file("uploaded-blueprints/default_tenant/gone/gone.zip", "not used"));
    case(
        v,
        "C11a",
        "orphan-folders",
        FULL,
        &[("archive-unreferenced", "info")],
        &["plugin-files-missing"],
        false,
        "A plugin folder and an uploaded blueprint that no pg_data row refers to.",
        orphans,
    );
    case(
        v,
        "C10",
        "genuine-flat-l0",
        FULL,
        &[],
        &FILE_CODES,
        true,
        "A 4.0.0 development-build layout: file server folders without the tenant level.",
        flat_l0(),
    );
    case(
        v,
        "C11b",
        "flat-blueprint-row-without-files",
        FULL,
        &[("blueprint-files-missing", "warning")],
        &[],
        false,
        "The same without its blueprints/<id>/ folder.",
        without(flat_l0(), &["blueprints/hello-world/"]),
    );
    let mut rowless = l5();
    let pg = rowless.entry_mut("pg_data");
    let text = String::from_utf8_lossy(&pg.data).into_owned();
    pg.data = text
        .lines()
        .filter(|l| !l.contains(&format!("\t{plugin}\t")))
        .map(|l| format!("{l}\n"))
        .collect::<String>()
        .into_bytes();
    case(
        v,
        "C11a",
        "plugin-folder-without-row",
        FULL,
        &[("archive-unreferenced", "info")],
        &["plugin-files-missing"],
        false,
        "A 5.1.0 snapshot whose pg_data lists no plugin while plugins/<id>/ holds a wagon: restore copies it, nothing uses it.",
        rowless,
    );
    for (name, era, version) in [
        ("genuine-l0", Era::L0, "4.0.0"),
        ("genuine-l2", Era::L2, "4.3.0"),
        ("genuine-l4", Era::L4, "5.0.5"),
        ("genuine-l6", Era::L6, "7.0.4"),
    ] {
        case(
            v,
            "C10",
            name,
            FULL,
            &[],
            &FILE_CODES,
            true,
            "A genuine legacy snapshot: every plugin, blueprint and deployment row has its files.",
            Snapshot::new(era).version(version).tenants(&["default_tenant", "team-a"]).zip(),
        );
    }
}

/// A 4.0.0 snapshot in the layout of the 4.0.0 development builds: blueprints, uploaded
/// blueprints and deployments without the tenant level.
fn flat_l0() -> ZipBuilder {
    let mut z = Snapshot::new(Era::L0).zip();
    let tops = ["blueprints/", "uploaded-blueprints/", "deployments/"];
    z.entries.retain(|e| !tops.iter().any(|t| e.name == format!("{t}default_tenant/").into_bytes()));
    for e in &mut z.entries {
        let name = String::from_utf8_lossy(&e.name).into_owned();
        if let Some(t) = tops.iter().find(|t| name.starts_with(*t)) {
            e.name = name.replacen(&format!("{t}default_tenant/"), t, 1).into_bytes();
        }
    }
    z
}

/// D6a, D7, D8a: new-format items against the archives restore looks up.
fn new_archives(v: &mut Vec<RuleCase>) {
    let n1 = || Snapshot::new(Era::N1).zip();
    let dep = names(&n1()).into_iter().find(|n| n.ends_with(".b64zip")).expect("a deployment archive");
    case(
        v,
        "D8a",
        "deployment-without-workdir",
        RuleOptions::default(),
        &[("deployment-archive-missing", "info")],
        &[],
        false,
        "A deployment item without its .b64zip: restore creates it with an empty working directory (Cloudify leaves the file out when the directory is empty).",
        without(n1(), &[&dep]),
    );
    let mut orphan = n1();
    orphan
        .entries
        .push(Entry::file("tenants/default_tenant/plugins/not-a-plugin.zip", crate::zipw::ZipBuilder::new().build()));
    case(
        v,
        "D6a",
        "orphan-plugin-archive",
        RuleOptions::default(),
        &[("archive-unreferenced", "info")],
        &[],
        false,
        "A plugin archive no plugin item refers to: restore never reads it.",
        orphan,
    );
    let plugin = plugin_id();
    let mut moved = n1();
    let at = format!("tenants/default_tenant/plugins/{plugin}.zip");
    let mut entry = moved.remove(&at);
    entry.name = format!("tenants/default_tenant/plugins_archives/{plugin}.zip").into_bytes();
    moved.entries.push(entry);
    case(
        v,
        "D7",
        "plugin-archive-in-7.0.0-folder",
        RuleOptions::default(),
        &[("plugin-archive-missing", "error")],
        &[],
        false,
        "An N1 archive whose plugin archive sits in the 7.0.0 folder plugins_archives/: 7.0.1+ restore does not find it and aborts.",
        moved,
    );
}
