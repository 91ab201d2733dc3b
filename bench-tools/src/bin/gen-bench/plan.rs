//! Archive plans: which files, in which order, from which source.

use std::collections::{BTreeMap, BTreeSet};

use snapshot_tests::cloudify;
use snapshot_tests::zipw::{DIR_ATTR, FILE_ATTR};

use crate::content::{NODES, Rng, WORDS, hash64};

/// Where an entry's bytes come from.
#[derive(Debug, Clone)]
pub(crate) enum Source {
    /// A directory entry.
    Dir,
    /// Bytes in memory (the small members of the base snapshot).
    Bytes(Vec<u8>),
    /// The base `pg_data` with generated `events` and `logs` rows inserted.
    PgData { base: Vec<u8>, events: u64, logs: u64 },
    /// A wagon: tar.gz of `package.json` and a wheel of incompressible bytes.
    Wagon { package: String, version: String, size: u64, seed: u64 },
    /// A generated blueprint file.
    Blueprint { seed: u64, kind: usize, scale: u32 },
}

/// Explicit directories (without the trailing `/`).
type Dirs = Vec<String>;

#[derive(Debug, Clone)]
pub(crate) struct Item {
    pub(crate) name: String,
    pub(crate) attr: u32,
    pub(crate) source: Source,
}

/// The base: the README's 6.4.0 sample snapshot (two tenants, neutral `example-…` secrets).
/// Returns its files (name, data, attr) and its explicit directories.
fn base_files() -> (Vec<(String, Vec<u8>, u32)>, Dirs) {
    let zip = cloudify::sample().zip();
    let mut files = Vec::new();
    let mut dirs = Vec::new();
    for e in zip.entries {
        let name = String::from_utf8(e.name).expect("sample names are UTF-8");
        if let Some(d) = name.strip_suffix('/') {
            dirs.push(d.to_owned());
        } else {
            files.push((name, e.data, e.external_attr));
        }
    }
    (files, dirs)
}

/// Orders files and directories the way the fixture writer (and Cloudify's `os.walk`-based
/// writer) does: per directory, first its sub-directory entries (sorted), then its files in
/// insertion order, then each sub-directory recursively.
fn walk(files: Vec<(String, Source, u32)>, explicit_dirs: &[String]) -> Vec<Item> {
    let parent = |p: &str| p.rsplit_once('/').map_or(String::new(), |(d, _)| d.to_owned());
    let mut dirs: BTreeSet<String> = explicit_dirs.iter().cloned().collect();
    for p in files.iter().map(|f| f.0.as_str()).chain(explicit_dirs.iter().map(String::as_str)) {
        let mut p = p;
        while let Some((d, _)) = p.rsplit_once('/') {
            if !dirs.insert(d.to_owned()) {
                break;
            }
            p = d;
        }
    }
    let mut children: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for d in &dirs {
        children.entry(parent(d)).or_default().push(d.clone());
    }
    let mut by_dir: BTreeMap<String, Vec<(String, Source, u32)>> = BTreeMap::new();
    for f in files {
        by_dir.entry(parent(&f.0)).or_default().push(f);
    }
    let mut out = Vec::new();
    let mut stack = vec![String::new()];
    // Depth-first with an explicit stack; children are pushed in reverse to keep sorted order.
    while let Some(dir) = stack.pop() {
        let subs = children.remove(&dir).unwrap_or_default();
        for d in &subs {
            out.push(Item { name: format!("{d}/"), attr: DIR_ATTR, source: Source::Dir });
        }
        for (name, source, attr) in by_dir.remove(&dir).unwrap_or_default() {
            out.push(Item { name, attr, source });
        }
        stack.extend(subs.into_iter().rev());
    }
    out
}

pub(crate) const TENANTS: [&str; 2] = ["default_tenant", "team-a"];

/// Blueprint files: `blueprints/<tenant>/<bp>/…`, 10 files per blueprint.
pub(crate) const BP_FILES: [&str; 10] = [
    "blueprint.yaml",
    "inputs.yaml",
    "README.md",
    "scripts/create.sh",
    "scripts/configure.sh",
    "scripts/start.sh",
    "scripts/delete.sh",
    "types/types.yaml",
    "resources/config.json",
    "resources/template.j2",
];

fn blueprints(per_tenant: usize, scale: u32, out: &mut Vec<(String, Source, u32)>) {
    for (t, tenant) in TENANTS.iter().enumerate() {
        for b in 0..per_tenant {
            let bp = bp_name(t, b);
            for (kind, file) in BP_FILES.iter().enumerate() {
                let seed = hash64(&[t as u64, b as u64, kind as u64, u64::from(scale)]);
                let mode = if file.ends_with(".sh") { 0o100_755 } else { 0o100_644 };
                out.push((
                    format!("blueprints/{tenant}/{bp}/{file}"),
                    Source::Blueprint { seed, kind, scale },
                    mode << 16,
                ));
            }
        }
    }
}

pub(crate) fn bp_name(t: usize, b: usize) -> String {
    let mut r = Rng::new(hash64(&[t as u64, b as u64, 77]));
    let w1 = r.pick(WORDS);
    let w2 = r.pick(NODES);
    format!("{w1}-{}-{b:04}", w2.replace('_', "-"))
}

pub(crate) const PLUGINS: [(&str, &str); 15] = [
    ("cloudify-openstack-plugin", "3.3.1"),
    ("cloudify-aws-plugin", "3.1.4"),
    ("cloudify-azure-plugin", "3.7.9"),
    ("cloudify-gcp-plugin", "1.9.0"),
    ("cloudify-vsphere-plugin", "2.19.12"),
    ("cloudify-kubernetes-plugin", "2.13.17"),
    ("cloudify-terraform-plugin", "0.19.13"),
    ("cloudify-ansible-plugin", "3.0.10"),
    ("cloudify-fabric-plugin", "2.0.21"),
    ("cloudify-utilities-plugin", "1.25.13"),
    ("cloudify-docker-plugin", "2.0.10"),
    ("cloudify-helm-plugin", "0.4.7"),
    ("cloudify-vcloud-plugin", "2.0.1"),
    ("cloudify-starlingx-plugin", "0.0.9"),
    ("cloudify-netconf-plugin", "0.4.4"),
];

fn wagons(n: usize, total: u64, out: &mut Vec<(String, Source, u32)>) {
    // Sizes between 0.4 and 1.6 of the mean, scaled to sum exactly to `total`.
    let mut r = Rng::new(0x5eed_0000_0000_0042);
    let weights: Vec<u64> = (0..n).map(|_| 400 + r.below(1200)).collect();
    let sum: u64 = weights.iter().sum();
    let mut left = total;
    for (i, w) in weights.iter().enumerate() {
        let size = if i + 1 == n { left } else { total * w / sum };
        left -= size;
        let (pkg, ver) = PLUGINS[i % PLUGINS.len()];
        let ver = if i >= PLUGINS.len() { format!("{ver}.{}", i / PLUGINS.len()) } else { ver.to_owned() };
        let id = cloudify::uuid(&format!("bench plugin {i}"));
        let file = pkg.replace('-', "_");
        out.push((
            format!("plugins/{id}/{file}-{ver}-py36-none-linux_x86_64.wgn"),
            Source::Wagon { package: file.clone(), version: ver.clone(), size, seed: 1000 + i as u64 },
            FILE_ATTR,
        ));
        let yaml = format!(
            "plugins:\n  {file}:\n    executor: central_deployment_agent\n    package_name: {pkg}\n    \
             package_version: '{ver}'\n"
        );
        out.push((format!("plugins/{id}/plugin.yaml"), Source::Bytes(yaml.into_bytes()), FILE_ATTR));
    }
}

/// The items of a snapshot: the base sample with `pg_data` grown, plus wagons and blueprints.
pub(crate) fn plan(events: u64, logs: u64, wagon_n: usize, wagon_bytes: u64, bps: usize, scale: u32) -> Vec<Item> {
    let (base, dirs) = base_files();
    let mut files: Vec<(String, Source, u32)> = base
        .into_iter()
        .map(|(name, data, attr)| {
            let source =
                if name == "pg_data" { Source::PgData { base: data, events, logs } } else { Source::Bytes(data) };
            (name, source, attr)
        })
        .collect();
    wagons(wagon_n, wagon_bytes, &mut files);
    blueprints(bps, scale, &mut files);
    walk(files, &dirs)
}
