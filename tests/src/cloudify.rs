//! Cloudify snapshots written the way each era's manager writes them (format spec §2.1 writers,
//! §3 layouts, §3.7 nested formats, §4 metadata).
//!
//! [`Snapshot`] picks an era, a `snapshot_version` and an edition; [`Snapshot::build`] returns
//! the [`ZipBuilder`] (so a test can still break it) and every secret value it planted. Every
//! secret goes through [`Canary`], so a test can assert that no report echoes any of them.
//! Output is deterministic and small (a few KB to a few tens of KB).
//!
//! What version-dependent content follows from the version number, not only from the era, so
//! `Snapshot::new(Era::L2).version("4.1.0")` leaves out `networks.json` as 4.1 did.

use std::collections::BTreeSet;
use std::io::{self, Write};
use std::path::Path;

use flate2::Compression;
use flate2::write::GzEncoder;
use serde_json::{Value, json};

use crate::zipw::{self, Entry, ZipBuilder};

/// Snapshot eras of the format spec §1.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Era {
    /// 3.2 / 3.2.1 `cfy-snapshot32` tool: `es_data`, `manager.json`, file entries only.
    E0,
    /// 3.3 / 3.3.1: `es_data`, Python 2.7 `make_archive`, file entries only.
    E1,
    /// 3.4.0 – 3.4.1: as E1 plus `deployments/`.
    E2,
    /// 3.4.2: as E2, written by `make_zip64_archive` with directory entries.
    E2b,
    /// 4.0.0: `pg_data`, metadata holds only `snapshot_version`.
    L0,
    /// 4.0.1: adds `schema_revision`, `ssl/`, `stage_data`.
    L1,
    /// 4.1 – 4.3: tenant-nested `agents.json`, Stage and Composer copies; `networks.json` from 4.2.
    L2,
    /// 4.4 – 4.6: adds `rest-security.conf`.
    L3,
    /// 5.0.0 – 5.0.5.
    L4,
    /// 5.1 – 6.2: Python 3 writer, reduced Stage and Composer copies.
    L5,
    /// 6.3 – 6.4 and 7.0.x legacy.
    L6,
    /// 7.0.0 new format: `mgmt/<type>/<i>.json`.
    N0,
    /// 7.0.1+ new format: numbered envelopes, `execution_id`.
    N1,
}

impl Era {
    /// Every era, oldest first.
    pub const ALL: [Era; 13] = [
        Era::E0,
        Era::E1,
        Era::E2,
        Era::E2b,
        Era::L0,
        Era::L1,
        Era::L2,
        Era::L3,
        Era::L4,
        Era::L5,
        Era::L6,
        Era::N0,
        Era::N1,
    ];

    /// The spec's name for the era (`"E2b"`, `"L5"`, …).
    pub fn name(self) -> &'static str {
        match self {
            Era::E0 => "E0",
            Era::E1 => "E1",
            Era::E2 => "E2",
            Era::E2b => "E2b",
            Era::L0 => "L0",
            Era::L1 => "L1",
            Era::L2 => "L2",
            Era::L3 => "L3",
            Era::L4 => "L4",
            Era::L5 => "L5",
            Era::L6 => "L6",
            Era::N0 => "N0",
            Era::N1 => "N1",
        }
    }

    /// The `snapshot_version` a manager of this era writes by default.
    pub fn default_version(self) -> &'static str {
        match self {
            Era::E0 => "3.2",
            Era::E1 => "3.3",
            Era::E2 => "3.4.0",
            Era::E2b => "3.4.2",
            Era::L0 => "4.0.0",
            Era::L1 => "4.0.1",
            Era::L2 => "4.3.0",
            Era::L3 => "4.6.0",
            Era::L4 => "5.0.5",
            Era::L5 => "5.1.0",
            Era::L6 => "6.4.0",
            Era::N0 => "7.0.0",
            Era::N1 => "7.0.4",
        }
    }
}

/// Plants secret values and remembers them. Each value is `<prefix>-<NNNN>-<what>`; with the
/// prefix `CANARY` a test can search any output for the planted strings.
#[derive(Clone, Debug)]
pub struct Canary {
    prefix: &'static str,
    planted: Vec<String>,
}

impl Canary {
    /// A planter whose values start with `prefix` (`"CANARY"` in tests).
    pub fn new(prefix: &'static str) -> Canary {
        Canary { prefix, planted: Vec::new() }
    }

    /// A new secret value such as `CANARY-0007-broker-pass`. `what` must be `[a-z0-9_-]`, so the
    /// value needs no escaping in JSON, SQL or PEM and appears verbatim in the archive.
    pub fn secret(&mut self, what: &str) -> String {
        let s = format!("{}-{:04}-{what}", self.prefix, self.planted.len() + 1);
        self.planted.push(s.clone());
        s
    }

    /// A secret as a Fernet ciphertext looks in `pg_data` from 4.4 on (`gAAAAAB…`).
    pub fn fernet(&mut self, what: &str) -> String {
        format!("gAAAAAB{}", self.secret(what))
    }

    /// A URL-safe base64 text that decodes to exactly 32 bytes (a Fernet-128 key) and is itself
    /// the planted marker.
    pub fn key32(&mut self) -> String {
        let mut k = format!("{}-{:04}-encryption-key", self.prefix, self.planted.len() + 1);
        while k.len() < 42 {
            k.push('x');
        }
        k.push_str("A="); // 'A' carries no stray low bits, so strict decoders accept it
        self.planted.push(k.clone());
        k
    }

    /// A PEM private key whose first body line is the planted marker.
    pub fn pem_key(&mut self, what: &str) -> String {
        format!(
            "-----BEGIN RSA PRIVATE KEY-----\n{}\n{}-----END RSA PRIVATE KEY-----\n",
            self.secret(what),
            filler_lines(what, 3)
        )
    }

    /// Every value planted so far.
    pub fn planted(&self) -> &[String] {
        &self.planted
    }
}

/// A snapshot and the secret values planted in it.
#[derive(Clone, Debug)]
pub struct Built {
    /// The archive, still open to mutation.
    pub zip: ZipBuilder,
    /// Every planted secret value, each of which appears verbatim in some entry.
    pub canaries: Vec<String>,
}

/// What to write: era, version, edition, tenants. Build with [`Snapshot::build`].
#[derive(Clone, Debug)]
pub struct Snapshot {
    /// Era, which selects the writer and the layout.
    pub era: Era,
    /// `snapshot_version` as written; version-dependent content follows from it.
    pub version: String,
    /// Premium edition (Stage and Composer data, their revision keys).
    pub premium: bool,
    /// Tenant names (3.x snapshots use only the first tenant's data, without tenant paths).
    pub tenants: Vec<String>,
    /// Prefix of planted secrets: `CANARY` (default) or something neutral for samples.
    pub canary_prefix: &'static str,
}

impl Snapshot {
    /// A premium snapshot of `era` at its default version with one tenant, `default_tenant`.
    pub fn new(era: Era) -> Snapshot {
        Snapshot {
            era,
            version: era.default_version().to_owned(),
            premium: true,
            tenants: vec!["default_tenant".to_owned()],
            canary_prefix: "CANARY",
        }
    }

    /// Sets `snapshot_version`.
    pub fn version(mut self, version: &str) -> Snapshot {
        self.version = version.to_owned();
        self
    }

    /// Community edition: no Stage or Composer data, no `stage_schema_revision` or
    /// `composer_schema_revision`.
    pub fn community(mut self) -> Snapshot {
        self.premium = false;
        self
    }

    /// Sets the tenants.
    pub fn tenants(mut self, tenants: &[&str]) -> Snapshot {
        self.tenants = tenants.iter().map(|t| (*t).to_owned()).collect();
        self
    }

    /// Writes the archive.
    pub fn build(&self) -> Built {
        let mut g = Gen {
            s: self,
            v: parse_version(&self.version),
            c: Canary::new(self.canary_prefix),
            ids: self.tenants.iter().enumerate().map(|(k, t)| Ids::new(k, t)).collect(),
            admin: None,
        };
        let zip = match self.era {
            Era::N0 => g.n0(),
            Era::N1 => g.n1(),
            _ => g.legacy(),
        };
        Built { zip, canaries: g.c.planted }
    }

    /// The archive, still open to mutation.
    pub fn zip(&self) -> ZipBuilder {
        self.build().zip
    }

    /// The archive bytes.
    pub fn bytes(&self) -> Vec<u8> {
        self.zip().build()
    }

    /// The secret values [`Snapshot::build`] plants.
    pub fn canaries(&self) -> Vec<String> {
        self.build().canaries
    }

    /// A file name for the sample, e.g. `era-L5-5.1.0.zip` or `era-L5-5.1.0-community.zip`.
    pub fn file_name(&self) -> String {
        let edition = if self.premium { "" } else { "-community" };
        format!("era-{}-{}{edition}.zip", self.era.name(), self.version)
    }
}

/// The era samples of the corpus: every era at its default version, plus the variants whose
/// layout differs (other versions inside an era, community editions).
pub fn era_samples() -> Vec<Snapshot> {
    let mut samples: Vec<Snapshot> = Era::ALL.iter().map(|&e| Snapshot::new(e)).collect();
    samples.extend([
        Snapshot::new(Era::L2).version("4.1.0"),
        Snapshot::new(Era::L2).version("4.2.0"),
        Snapshot::new(Era::L3).version("4.4.0"),
        Snapshot::new(Era::L3).version("4.5.5"),
        Snapshot::new(Era::L4).version("5.0.0"),
        Snapshot::new(Era::L5).version("6.0.0"),
        Snapshot::new(Era::L6).version("7.0.4"),
        Snapshot::new(Era::N1).version("7.0.1"),
        Snapshot::new(Era::L1).community(),
        Snapshot::new(Era::L5).community(),
        Snapshot::new(Era::L6).community(),
    ]);
    samples
}

/// A legacy snapshot with secrets in every place format spec §6 lists: a premium 4.5.5 snapshot
/// of two tenants (`rest-security.conf`, Fernet-encrypted secrets and tenant and agent RabbitMQ
/// passwords in `pg_data`, Stage and Composer configs with database URLs and tokens, PKI keys and
/// a `.p12`, agent SSH keys, password hashes and API token keys) that also carries the places of
/// older eras: `hash_salt.json` (4.2–4.3) and an `agents.json` leaf with clear broker credentials
/// (≤ 4.3) and VM login credentials (3.2).
pub fn canary_snapshot_legacy() -> Built {
    let mut built = Snapshot::new(Era::L3).version("4.5.5").tenants(&["default_tenant", "team-a"]).build();
    let mut c = Canary { prefix: "CANARY", planted: std::mem::take(&mut built.canaries) };
    built.zip.entries.push(Entry::file("hash_salt.json", py_json(&json!(c.secret("hash-salt")))));
    let leaf = json!({"version": "4.3.0", "user": c.secret("vm-user"), "password": c.secret("vm-password"),
        "broker_config": {"broker_ip": "10.0.0.1", "broker_ssl_enabled": true,
            "broker_ssl_cert": cert_pem("broker"), "broker_user": c.secret("broker-user"),
            "broker_pass": c.secret("broker-pass"), "broker_vhost": "/"}});
    let agents = json!({"default_tenant": {"hello-world-dep": {"vm": {"vm_old": leaf}}}});
    built.zip.entry_mut("agents.json").data = py_json(&agents).into_bytes();
    built.canaries = c.planted;
    built
}

/// A 7.0.4 new-format snapshot with secrets in every place format spec §6 lists for N1:
/// `secrets` items in clear, tenant and agent RabbitMQ passwords, user password hashes, broker
/// credentials inside node-instance runtime properties.
pub fn canary_snapshot_new() -> Built {
    Snapshot::new(Era::N1).tenants(&["default_tenant", "team-a"]).build()
}

/// The sample snapshot bundled for the README's walkthrough: a premium 6.4.0 legacy snapshot of
/// two tenants with blueprints, plugins, agents and deployments. Its secrets are neutral
/// `example-…` strings, not canaries and not real secrets.
pub fn sample() -> Snapshot {
    Snapshot { canary_prefix: "example", ..Snapshot::new(Era::L6).tenants(&["default_tenant", "team-a"]) }
}

/// Writes a 5.1.0 legacy snapshot holding one huge stored member
/// (`deployments/default_tenant/big-dep/disk.img`, `huge_size` zero bytes) to `path`, streaming
/// and sparse (see [`zipw::write_big_zip64`]). `agents.json` goes after the huge member, so its
/// local-header offset needs ZIP64 once `huge_size` passes 2 GiB. Returns the file length.
pub fn write_big_snapshot(path: &Path, huge_size: u64) -> io::Result<u64> {
    let mut zip = Snapshot::new(Era::L5).zip();
    let agents = zip.remove("agents.json");
    zip.entries.push(agents);
    zipw::write_big_zip64(path, &zip.entries, "deployments/default_tenant/big-dep/disk.img", huge_size)
}

/// `(major, minor, service)` by Cloudify's lenient parser (spec §4.1): the part before `-`,
/// numeric dot components only, missing ones 0.
pub fn parse_version(v: &str) -> (u32, u32, u32) {
    let nums: Vec<u32> = v.split('-').next().unwrap_or("").split('.').filter_map(|p| p.parse().ok()).collect();
    (nums.first().copied().unwrap_or(0), nums.get(1).copied().unwrap_or(0), nums.get(2).copied().unwrap_or(0))
}

/// The head `schema_revision` of a version (spec §4.2), `None` before 4.0.1.
pub fn head_revision(v: (u32, u32, u32)) -> Option<&'static str> {
    const HEADS: [((u32, u32, u32), &str); 21] = [
        ((4, 0, 1), "9aa6f74c9653"),
        ((4, 1, 0), "3496c876cd1a"),
        ((4, 2, 0), "f1dab814a4a0"),
        ((4, 3, 0), "3483e421713d"),
        ((4, 4, 0), "c7652b2a97a4"),
        ((4, 5, 0), "a6d00b128933"),
        ((4, 5, 5), "1fbd6bf39e84"),
        ((4, 6, 0), "9516df019579"),
        ((5, 0, 0), "423a1643f365"),
        ((5, 0, 5), "62a8d746d13b"),
        ((5, 1, 0), "387fcd049efb"),
        ((5, 1, 1), "5ce2b0cbb6f3"),
        ((5, 2, 0), "9d261e90b1f3"),
        ((5, 3, 0), "396303c07e35"),
        ((6, 0, 0), "b92770a7b6ca"),
        ((6, 1, 0), "a31cb9e704d3"),
        ((6, 2, 0), "03ad040e6f78"),
        ((6, 3, 0), "8e8314b1d848"),
        ((6, 4, 0), "272e61bf5f4a"),
        ((7, 0, 0), "edd6d829a209"),
        ((99, 0, 0), "edd6d829a209"),
    ];
    HEADS.iter().rev().find(|(from, _)| v >= *from).map(|(_, rev)| *rev)
}

/// A plausible last Stage migration of a version (`YYYYMMDDHHMMSS-<ver>-<Name>.js`).
fn stage_revision(v: (u32, u32, u32)) -> &'static str {
    match v {
        _ if v < (4, 1, 0) => "20170425133017-4_0-init.js",
        _ if v < (4, 2, 0) => "20170712092130-4_1-UserAppsManagerIp.js",
        _ if v < (5, 0, 0) => "20171011082922-4_2-UserAppsRoleColumnRemoval.js",
        _ if v < (5, 1, 0) => "20190423064931-5_0-CreateWidgetBackendTable.js",
        _ if v < (6, 0, 0) => "20200123095213-5_1-CreateBlueprintUserData.js",
        _ => "20210519093609-6_0-UserAppsTenantColumnAdd.js",
    }
}

/// The Composer revision every fixture holds (a known Cloudify bug, spec §4).
pub const COMPOSER_REVISION: &str = "20170601133017-4_1-init.js";

/// Serialises JSON the way Python's `json.dumps` does by default: `", "` and `": "` separators,
/// keys sorted (Python 2 wrote them in arbitrary order).
pub fn py_json(v: &Value) -> String {
    let mut out = String::new();
    write_py(&mut out, v);
    out
}

fn write_py(out: &mut String, v: &Value) {
    match v {
        Value::Array(items) => {
            out.push('[');
            for (i, x) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_py(out, x);
            }
            out.push(']');
        }
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            out.push('{');
            for (i, k) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                out.push_str(&Value::String(k.clone()).to_string());
                out.push_str(": ");
                write_py(out, &map[k]);
            }
            out.push('}');
        }
        other => out.push_str(&other.to_string()),
    }
}

/// Base64 (standard or URL-safe alphabet, with padding).
pub fn base64(data: &[u8], url_safe: bool) -> String {
    let alphabet: &[u8; 64] = if url_safe {
        b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    } else {
        b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    };
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let n = chunk.iter().enumerate().fold(0u32, |n, (i, &b)| n | (u32::from(b) << (16 - 8 * i)));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(alphabet[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// A gzip-compressed ustar archive of `files` (fixed mtime, so deterministic).
pub fn tar_gz(files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut tar = Vec::new();
    for (name, data) in files {
        let mut h = [0u8; 512];
        h[..name.len()].copy_from_slice(name.as_bytes());
        let octal = |h: &mut [u8; 512], at: usize, width: usize, v: u64| {
            h[at..at + width].copy_from_slice(format!("{v:0w$o}\0", w = width - 1).as_bytes());
        };
        octal(&mut h, 100, 8, 0o644);
        octal(&mut h, 108, 8, 0);
        octal(&mut h, 116, 8, 0);
        octal(&mut h, 124, 12, data.len() as u64);
        octal(&mut h, 136, 12, 1_715_947_200);
        h[148..156].fill(b' ');
        h[156] = b'0';
        h[257..265].copy_from_slice(b"ustar\x0000");
        h[265..269].copy_from_slice(b"root");
        h[297..301].copy_from_slice(b"root");
        let sum: u32 = h.iter().map(|&b| u32::from(b)).sum();
        h[148..156].copy_from_slice(format!("{sum:06o}\0 ").as_bytes());
        tar.extend_from_slice(&h);
        tar.extend_from_slice(data);
        tar.resize(tar.len().next_multiple_of(512), 0);
    }
    tar.resize(tar.len() + 1024, 0);
    tar.resize(tar.len().next_multiple_of(10240), 0);
    let mut gz = GzEncoder::new(Vec::new(), Compression::new(6));
    gz.write_all(&tar).expect("writing to a Vec cannot fail");
    gz.finish().expect("writing to a Vec cannot fail")
}

/// A deterministic UUID-shaped string derived from `label`.
pub fn uuid(label: &str) -> String {
    let a = zipw::crc32(label.as_bytes());
    let b = zipw::crc32(format!("{label}#").as_bytes());
    let c = zipw::crc32(format!("{label}##").as_bytes());
    format!("{a:08x}-{:04x}-4{:03x}-a{:03x}-{:04x}{c:08x}", b >> 16, b & 0xFFF, (c >> 20) & 0xFFF, a & 0xFFFF)
}

/// A plugin wagon: a `.wgn` is a tar.gz holding `<package>/package.json`.
pub fn wagon(package: &str, version: &str) -> Vec<u8> {
    let meta = py_json(&json!({"package_name": package, "package_version": version,
        "supported_platform": "linux_x86_64", "build_server_os_properties":
        {"distribution": "centos", "distribution_release": "core", "distribution_version": "7.6.1810"},
        "wheels": [format!("{package}-{version}-py3-none-any.whl")], "wagon_version": "0.10.0"}));
    tar_gz(&[(&format!("{package}/package.json"), meta.as_bytes())])
}

/// Lines of base64 filler, 64 characters each, derived from `seed`.
fn filler_lines(seed: &str, lines: usize) -> String {
    let text = base64(format!("snapshot-tests filler for {seed} ").repeat(lines * 3).as_bytes(), false);
    text.as_bytes().chunks(64).take(lines).map(|l| format!("{}\n", String::from_utf8_lossy(l))).collect()
}

/// A (fake) PEM certificate: public material, not a secret.
fn cert_pem(seed: &str) -> String {
    format!("-----BEGIN CERTIFICATE-----\n{}-----END CERTIFICATE-----\n", filler_lines(seed, 6))
}

const TS: &str = "2024-05-17T12:00:00.000Z";
const PG_TS: &str = "2024-05-17 12:00:00.000000";

/// The entity IDs of one tenant.
struct Ids {
    tenant: String,
    k: usize,
    bp: String,
    dep: String,
    ni: String,
    plugin: String,
    exec: String,
    secret_key: String,
}

impl Ids {
    fn new(k: usize, tenant: &str) -> Ids {
        const BPS: [&str; 3] = ["hello-world", "nodecellar", "db-cluster"];
        let bp = if k < BPS.len() { BPS[k].to_owned() } else { format!("bp-{k}") };
        Ids {
            tenant: tenant.to_owned(),
            k,
            dep: format!("{bp}-dep"),
            ni: format!("vm_{:06x}", zipw::crc32(tenant.as_bytes()) & 0xFF_FFFF),
            plugin: uuid(&format!("plugin {tenant}")),
            exec: uuid(&format!("install {tenant}")),
            secret_key: format!("db_password_{k}"),
            bp,
        }
    }
}

/// How the era's writer lays out directories.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Style {
    /// Python 2.7 `make_archive` and the 3.2 tool: file entries only.
    FilesOnly,
    /// `make_zip64_archive` on CentOS 7 Python 2.7: deflated, empty directory entries.
    Py27Dirs,
    /// `make_zip64_archive` / `make_archive` on Python 3: stored directory entries.
    Py3Dirs,
}

/// Files to archive, walked like `os.walk` by the era's writer.
#[derive(Default)]
struct Tree {
    files: Vec<(String, Vec<u8>, u32)>,
    dirs: BTreeSet<String>,
}

impl Tree {
    fn add(&mut self, path: impl Into<String>, data: impl Into<Vec<u8>>) {
        self.add_mode(path, data, 0o644);
    }

    fn add_mode(&mut self, path: impl Into<String>, data: impl Into<Vec<u8>>, mode: u32) {
        self.files.push((path.into(), data.into(), mode));
    }

    /// A directory that exists even if it stays empty.
    fn dir(&mut self, path: impl Into<String>) {
        self.dirs.insert(path.into());
    }

    /// Entries in writer order: per directory (top-down, sub-directories sorted) first the
    /// sub-directory entries, then the files in insertion order.
    fn entries(&self, style: Style) -> Vec<Entry> {
        let mut dirs = self.dirs.clone();
        for p in self.files.iter().map(|f| f.0.as_str()).chain(self.dirs.iter().map(String::as_str)) {
            let mut p = p;
            while let Some((parent, _)) = p.rsplit_once('/') {
                dirs.insert(parent.to_owned());
                p = parent;
            }
        }
        let mut out = Vec::new();
        self.walk("", &dirs, style, &mut out);
        out
    }

    fn walk(&self, dir: &str, dirs: &BTreeSet<String>, style: Style, out: &mut Vec<Entry>) {
        let parent = |p: &str| p.rsplit_once('/').map_or("", |(d, _)| d).to_owned();
        let subdirs: Vec<&String> = dirs.iter().filter(|d| parent(d) == dir).collect();
        for d in &subdirs {
            match style {
                Style::FilesOnly => {}
                Style::Py27Dirs => out.push(Entry::dir(format!("{d}/")).py27()),
                Style::Py3Dirs => out.push(Entry::dir(format!("{d}/"))),
            }
        }
        for (path, data, mode) in self.files.iter().filter(|f| parent(&f.0) == dir) {
            out.push(Entry::file(path.as_str(), data.clone()).mode(0o100_000 | mode));
        }
        for d in subdirs {
            self.walk(d, dirs, style, out);
        }
    }
}

/// A plain-text `pg_dump -a` being written.
struct Dump {
    text: String,
    public: bool,
}

impl Dump {
    /// The header of pg_dump 9.5 (`SET search_path`) or of a newer pg_dump (`public.` names).
    fn new(newer: bool) -> Dump {
        let text = if newer {
            "--\n-- PostgreSQL database dump\n--\n\n-- Dumped from database version 14.7\n\
             -- Dumped by pg_dump version 14.7\n\nSET statement_timeout = 0;\nSET lock_timeout = 0;\n\
             SET idle_in_transaction_session_timeout = 0;\nSET client_encoding = 'UTF8';\n\
             SET standard_conforming_strings = on;\nSELECT pg_catalog.set_config('search_path', '', false);\n\
             SET check_function_bodies = false;\nSET xmloption = content;\n\
             SET client_min_messages = warning;\nSET row_security = off;\n\n"
        } else {
            "--\n-- PostgreSQL database dump\n--\n\n-- Dumped from database version 9.5.3\n\
             -- Dumped by pg_dump version 9.5.3\n\nSET statement_timeout = 0;\nSET lock_timeout = 0;\n\
             SET client_encoding = 'UTF8';\nSET standard_conforming_strings = on;\n\
             SET check_function_bodies = false;\nSET client_min_messages = warning;\n\
             SET row_security = off;\n\nSET search_path = public, pg_catalog;\n\n"
        };
        Dump { text: text.to_owned(), public: newer }
    }

    /// A `COPY … FROM stdin;` block; each row is a list of column values (`\N` for NULL).
    fn copy(&mut self, table: &str, cols: &str, rows: &[Vec<String>]) {
        let name = if self.public { format!("public.{table}") } else { table.to_owned() };
        self.text += &format!(
            "--\n-- Data for Name: {}; Type: TABLE DATA; Schema: public; Owner: cloudify\n--\n\n\
             COPY {name} ({cols}) FROM stdin;\n",
            table.trim_matches('"')
        );
        for row in rows {
            self.text += &row.join("\t");
            self.text.push('\n');
        }
        self.text += "\\.\n\n\n";
    }

    fn setval(&mut self, seq: &str, n: usize) {
        let name = if self.public { format!("public.{seq}") } else { seq.to_owned() };
        self.text += &format!(
            "--\n-- Name: {seq}; Type: SEQUENCE SET; Schema: public; Owner: cloudify\n--\n\n\
             SELECT pg_catalog.setval('{name}', {n}, true);\n\n\n"
        );
    }

    fn finish(self) -> String {
        self.text + "--\n-- PostgreSQL database dump complete\n--\n\n"
    }
}

fn row(cols: &[&str]) -> Vec<String> {
    cols.iter().map(|c| (*c).to_owned()).collect()
}

/// Generation state: the spec, its parsed version, the canary planter and the tenants' IDs.
struct Gen<'a> {
    s: &'a Snapshot,
    v: (u32, u32, u32),
    c: Canary,
    ids: Vec<Ids>,
    /// The admin's password hash and API token key, planted once, shared by `pg_data` and
    /// `admin_account.json`.
    admin: Option<(String, String)>,
}

impl Gen<'_> {
    fn premium(&self) -> bool {
        self.s.premium
    }

    /// The ID of the `create_snapshot` execution that wrote the archive.
    fn snapshot_exec(&self) -> String {
        uuid(&format!("create_snapshot {}", self.s.version))
    }

    fn metadata(&self) -> String {
        let v = self.v;
        let mut m = serde_json::Map::new();
        m.insert("snapshot_version".into(), json!(self.s.version));
        match self.s.era {
            Era::E0 | Era::E1 | Era::E2 | Era::E2b => {
                m.insert("has_cloudify_events".into(), json!(true));
            }
            Era::N0 => {}
            Era::N1 => {
                m.insert("execution_id".into(), json!(self.snapshot_exec()));
            }
            _ => {
                if let Some(rev) = head_revision(v) {
                    m.insert("schema_revision".into(), json!(rev));
                }
                if self.premium() && v >= (4, 0, 1) {
                    m.insert("stage_schema_revision".into(), json!(stage_revision(v)));
                }
                if self.premium() && v >= (4, 1, 0) {
                    m.insert("composer_schema_revision".into(), json!(COMPOSER_REVISION));
                }
            }
        }
        py_json(&Value::Object(m))
    }

    /// E0–L6: the tree of a legacy snapshot, walked by the era's writer.
    fn legacy(&mut self) -> ZipBuilder {
        let (v, era) = (self.v, self.s.era);
        let es = v < (4, 0, 0);
        let mut t = Tree::default();
        if v >= (4, 4, 0) {
            t.add_mode("rest-security.conf", self.rest_security(), 0o600);
        }
        if es {
            t.add("es_data", self.es_data());
        } else {
            t.add("pg_data", self.pg_data());
        }
        if v >= (4, 2, 0) {
            t.add("admin_account.json", self.admin_account());
        }
        if self.premium() && v >= (4, 0, 1) {
            t.add("stage_data", self.stage_data());
        }
        if self.premium() && v >= (4, 2, 0) {
            t.add("composer_data", self.composer_data());
        }
        if v >= (4, 2, 0) {
            let networks = if v < (5, 0, 0) {
                json!({"active_networks": ["default"], "networks": {"default": "10.0.0.1"}})
            } else {
                json!({"active_networks": ["default"]})
            };
            t.add("networks.json", py_json(&networks));
        }
        if ((4, 2, 0)..(4, 4, 0)).contains(&v) {
            t.add("hash_salt.json", py_json(&json!(self.c.secret("hash-salt"))));
        }
        if era == Era::E0 {
            t.add("manager.json", py_json(&json!({"MANAGEMENT_IP": "10.0.0.1"})));
        }
        t.add("metadata.json", self.metadata());
        let agents = self.agents_json();
        if era != Era::E0 {
            t.add("agents.json", agents.clone());
        }
        if v >= (4, 0, 1) {
            self.ssl(&mut t);
        }
        self.file_server(&mut t);
        if self.premium() && v >= (4, 1, 0) {
            self.stage_and_composer_copies(&mut t);
        }
        let style = match era {
            Era::E0 | Era::E1 | Era::E2 => Style::FilesOnly,
            _ if v <= (5, 0, 5) => Style::Py27Dirs,
            _ => Style::Py3Dirs,
        };
        let mut entries = t.entries(style);
        if era == Era::E0 {
            // The CLI side reopens the zip in mode 'a' and appends agents.json last.
            entries.push(Entry::file("agents.json", agents));
        }
        ZipBuilder::with(entries)
    }

    /// `blueprints/`, `uploaded-blueprints/`, `deployments/`, `plugins/`,
    /// `snapshot-credentials/` and the 4.4+ resource folders.
    fn file_server(&mut self, t: &mut Tree) {
        let (v, era) = (self.v, self.s.era);
        let ids: Vec<&Ids> = if v < (4, 0, 0) { self.ids.iter().take(1).collect() } else { self.ids.iter().collect() };
        for id in ids {
            // 3.x has no tenants in paths.
            let scope = if v < (4, 0, 0) { String::new() } else { format!("{}/", id.tenant) };
            let yaml = blueprint_yaml(&id.bp);
            let script = b"#!/bin/bash\nctx logger info \"installing\"\n".to_vec();
            t.add(format!("blueprints/{scope}{}/blueprint.yaml", id.bp), yaml.clone());
            t.add(format!("blueprints/{scope}{}/scripts/install.sh", id.bp), script.clone());
            let archive = tar_gz(&[
                (&format!("{}/blueprint.yaml", id.bp), yaml.as_bytes()),
                (&format!("{}/scripts/install.sh", id.bp), &script),
            ]);
            t.add(format!("uploaded-blueprints/{scope}{0}/{0}.tar.gz", id.bp), archive);
            if v >= (3, 4, 0) {
                t.add(format!("deployments/{scope}{}/hosts.ini", id.dep), "[all]\n10.0.0.5\n");
            }
            if era != Era::E0 && v >= (3, 3, 0) {
                let (name, ver) = ("cloudify_utilities_plugin", "1.23.0");
                t.add(format!("plugins/{}/{}", id.plugin, wagon_name(v)), wagon(name, ver));
                if v >= (4, 3, 0) {
                    t.add(format!("plugins/{}/plugin.yaml", id.plugin), plugin_yaml(name, ver));
                }
            }
            let cred_dir = match v {
                _ if era == Era::E0 => format!("AVb-node-{:04}", id.k),
                _ if v < (4, 1, 0) => format!("{}_vm", id.dep),
                _ => format!("{}_{}_vm", id.tenant, id.dep),
            };
            let key = self.c.pem_key("agent-key");
            t.add_mode(format!("snapshot-credentials/{cred_dir}/agent_key"), key, 0o600);
            if v >= (4, 4, 0) {
                t.dir(format!("tenant-resources/{}", id.tenant));
            }
        }
        if v >= (4, 4, 0) {
            t.dir("global-resources");
            t.dir("authenticators");
        }
    }

    /// `ssl/` as copied from `/etc/cloudify/ssl` (spec §3.7.6).
    fn ssl(&mut self, t: &mut Tree) {
        let v = self.v;
        t.add("ssl/cloudify_internal_ca_cert.pem", cert_pem("internal-ca"));
        t.add("ssl/cloudify_internal_ca_key.pem", self.c.pem_key("internal-ca-key"));
        t.add("ssl/cloudify_internal_cert.pem", cert_pem("internal"));
        t.add("ssl/cloudify_internal_key.pem", self.c.pem_key("internal-key"));
        t.add("ssl/cloudify_internal_ca_cert.srl", "B376CF53007472A5\n");
        t.add("ssl/cloudify_external_cert.pem", cert_pem("external"));
        t.add("ssl/cloudify_external_key.pem", self.c.pem_key("external-key"));
        if v < (5, 0, 0) {
            let mut p12 = b"0\x82\x09\xa1\x02\x01\x030\x82\x09g\x06\x09*\x86H\x86\xf7\r\x01\x07\x01".to_vec();
            p12.extend_from_slice(self.c.secret("p12").as_bytes());
            t.add("ssl/cloudify_internal.p12", p12);
        } else {
            t.add("ssl/rabbitmq-cert.pem", cert_pem("rabbitmq"));
            t.add("ssl/rabbitmq-key.pem", self.c.pem_key("rabbitmq-key"));
            t.add("ssl/status_reporter_cert.pem", cert_pem("status-reporter"));
        }
        let meta = json!({"hostname": "manager-1", "network_names": ["default"],
            "broker_addresses": ["10.0.0.1"], "manager_addresses": ["10.0.0.1"]});
        t.add_mode("ssl/certificate_metadata", py_json(&meta), 0o600);
    }

    /// Stage and Composer file copies (spec §3.4.1; premium only).
    fn stage_and_composer_copies(&mut self, t: &mut Tree) {
        let v = self.v;
        if v <= (5, 0, 5) {
            let app = json!({"db": {"url": format!("postgres://cloudify:{}@localhost:5432/stage",
                    self.c.secret("stage-db-password")),
                    "options": {"dialectOptions": {"ssl": false}}},
                "github": {"username": "secret(github-username)", "password": self.c.secret("github-password")},
                "maps": {"accessToken": self.c.secret("maps-token")},
                "proxy": {"timeouts": {"blueprintUpload": 70000, "delete": 10000, "get": 30000}}});
            t.add("stage/conf/app.json", py_json(&app));
            t.add(
                "stage/conf/manager.json",
                "{\n  \"ip\":\"127.0.0.1\",\n  \"apiVersion\": \"v3.1\",\n  \
                                              \"protocol\" : \"https\",\n  \"port\": \"53333\"\n}",
            );
            t.add(
                "stage/conf/userConfig.json",
                py_json(&json!({"maps": {"tilesUrl": "https://tiles/{z}/{x}/{y}.png"}})),
            );
            t.add("stage/conf/log4jsConfig.json", py_json(&json!({"appenders": [{"type": "console"}]})));
            t.add("stage/conf/me.json.template", "{}\n");
            t.add("stage/conf/README.md", "# Stage configuration\n");
            let prod = json!({"db": {"url": format!("postgres://cloudify:{}@localhost:5432/composer",
                    self.c.secret("composer-db-password"))},
                "sessionSecret": self.c.secret("composer-session-secret"),
                "managerConfig": {"ca": "/etc/cloudify/ssl/cloudify_internal_ca_cert.pem", "ip": "localhost"}});
            t.add("composer/backend/conf/prod.json", py_json(&prod));
            t.add("composer/backend/conf/featuresConf.json", py_json(&json!({"features": {}})));
            t.add("composer/backend/conf/logsConf.json", py_json(&json!({"level": "info"})));
            t.add("composer/backend/conf/TopologyRules.json", py_json(&json!({"rules": []})));
            t.add("composer/backend/conf/conf_example.js", "module.exports = {};\n");
            t.add("composer/backend/conf/README.md", "# Composer configuration\n");
        }
        if v < (4, 3, 0) {
            t.add("stage/dist/widgets/customWidget/widget.js", "Stage.defineWidget({id: 'customWidget'});\n");
            t.add("stage/dist/templates/custom.json", py_json(&json!({"name": "custom", "pages": []})));
        } else {
            t.dir("stage/dist/userData/templates/pages");
            t.dir("stage/dist/userData/widgets");
        }
        t.dir("composer/backend/dev");
    }

    fn rest_security(&mut self) -> String {
        let conf = json!({
            "encoding_alphabet": self.c.secret("encoding-alphabet"),
            "encoding_block_size": 24,
            "encoding_min_length": 5,
            "encryption_key": self.c.key32(),
            "hash_salt": self.c.secret("hash-salt"),
            "secret_key": self.c.secret("secret-key"),
        });
        py_json(&conf)
    }

    /// The admin's password hash and API token key, shared by `pg_data` and `admin_account.json`.
    fn admin_creds(&mut self) -> (String, String) {
        let c = &mut self.c;
        self.admin.get_or_insert_with(|| (c.secret("admin-password-hash"), c.secret("api-token-key"))).clone()
    }

    /// `psql -t` output of `row_to_json`: one JSON object, a leading space, trailing blank lines.
    fn admin_account(&mut self) -> String {
        let (hash, token) = self.admin_creds();
        format!(
            " {{\"id\":0,\"username\":\"admin\",\"active\":true,\"created_at\":null,\"email\":null,\
             \"first_name\":null,\"last_login_at\":\"2024-05-17T12:00:00.000000\",\"last_name\":null,\
             \"password\":\"$pbkdf2-sha256$29000${hash}\",\"api_token_key\":\"{token}\",\
             \"last_failed_login_at\":null,\"failed_logins_counter\":0}}\n\n"
        )
    }

    /// `pg_data`: a `pg_dump -a` of the manager database with the tables of the version.
    fn pg_data(&mut self) -> String {
        let v = self.v;
        let mut d = Dump::new(v >= (6, 0, 0));
        let enc = v >= (4, 4, 0);
        if v < (4, 0, 1) {
            d.copy("alembic_version", "version_num", &[row(&["333998bc1627"])]);
        }
        let mut tenants = Vec::new();
        let mut secrets = Vec::new();
        let mut agents = Vec::new();
        for id in &self.ids {
            let what = "tenant-rabbitmq-password";
            let pw = if enc { self.c.fernet(what) } else { self.c.secret(what) };
            let (k, t) = (id.k.to_string(), &id.tenant);
            tenants.push(row(&[&k, t, &pw, &format!("rabbitmq_user_{t}"), &format!("rabbitmq_vhost_{t}")]));
            let value = if enc { self.c.fernet("secret-value") } else { self.c.secret("secret-value") };
            secrets.push(row(&[&k, &id.secret_key, &value, PG_TS, PG_TS, &k, "0", "tenant", "t"]));
            if v < (4, 5, 5) {
                continue;
            }
            let pw = self.c.fernet("agent-rabbitmq-password");
            agents.push(row(&[
                &k,
                &id.ni,
                &id.ni,
                "10.0.0.5",
                "remote",
                "centos core",
                &self.s.version,
                "started",
                "tenant",
                &format!("rabbitmq_user_{t}"),
                &pw,
                &id.ni,
                PG_TS,
                PG_TS,
                &k,
                &k,
                "0",
            ]));
        }
        d.copy("tenants", "id, name, rabbitmq_password, rabbitmq_username, rabbitmq_vhost", &tenants);
        let (hash, token) = self.admin_creds();
        d.copy(
            "users",
            "id, username, active, created_at, email, first_name, last_login_at, last_name, \
                password, api_token_key, last_failed_login_at, failed_logins_counter",
            &[row(&[
                "0",
                "admin",
                "t",
                "\\N",
                "\\N",
                "\\N",
                PG_TS,
                "\\N",
                &format!("$pbkdf2-sha256$29000${hash}"),
                &token,
                "\\N",
                "0",
            ])],
        );
        let pickled = "\\\\x80037d71002e"; // a pickled empty dict, as bytea
        let rows = |f: &dyn Fn(&Ids, &str) -> Vec<String>| -> Vec<Vec<String>> {
            self.ids.iter().map(|id| f(id, &id.k.to_string())).collect()
        };
        let blueprints =
            rows(&|id, k| row(&[k, &id.bp, PG_TS, "blueprint.yaml", pickled, PG_TS, "\\N", k, "0", "tenant"]));
        d.copy(
            "blueprints",
            "_storage_id, id, created_at, main_file_name, plan, updated_at, description, \
                _tenant_id, _creator_id, visibility",
            &blueprints,
        );
        if v >= (5, 0, 0) {
            let sites =
                rows(&|id, k| row(&[k, "tenant", PG_TS, &format!("site-{}", id.tenant), "32.1", "34.8", k, "0"]));
            d.copy(
                "sites",
                "_storage_id, visibility, created_at, name, latitude, longitude, _tenant_id, _creator_id",
                &sites,
            );
        }
        let deployments = rows(&|id, k| row(&[k, &id.dep, PG_TS, "{}", "{}", pickled, k, k, "0", "tenant"]));
        d.copy(
            "deployments",
            "_storage_id, id, created_at, inputs, outputs, workflows, _blueprint_fk, \
                _tenant_id, _creator_id, visibility",
            &deployments,
        );
        let nodes =
            rows(&|_, k| row(&[k, "vm", "cloudify.nodes.Compute", "1", "1", "{\"ip\": \"10.0.0.5\"}", k, k, "0"]));
        d.copy(
            "nodes",
            "_storage_id, id, type, number_of_instances, deploy_number_of_instances, \
                properties, _deployment_fk, _tenant_id, _creator_id",
            &nodes,
        );
        let nis = rows(&|id, k| row(&[k, &id.ni, "started", "{\"ip\": \"10.0.0.5\"}", "3", k, k, "0"]));
        d.copy(
            "node_instances",
            "_storage_id, id, state, runtime_properties, version, _node_fk, \
                _tenant_id, _creator_id",
            &nis,
        );
        if v >= (4, 5, 5) {
            d.copy(
                "agents",
                "_storage_id, id, name, ip, install_method, system, version, state, visibility, \
                    rabbitmq_username, rabbitmq_password, rabbitmq_exchange, created_at, updated_at, \
                    _node_instance_fk, _tenant_id, _creator_id",
                &agents,
            );
        }
        let mut execs =
            rows(&|id, k| row(&[k, &id.exec, PG_TS, "", "f", "{}", "terminated", "install", k, k, "0", "tenant"]));
        let n = (self.ids.len() + 1).to_string();
        execs.push(row(&[
            &n,
            &self.snapshot_exec(),
            PG_TS,
            "",
            "t",
            "{}",
            "started",
            "create_snapshot",
            "\\N",
            "0",
            "0",
            "private",
        ]));
        d.copy(
            "executions",
            "_storage_id, id, created_at, error, is_system_workflow, parameters, status, \
                workflow_id, _deployment_fk, _tenant_id, _creator_id, visibility",
            &execs,
        );
        let events = rows(&|_, k| {
            row(&[
                k,
                PG_TS,
                "'install' workflow execution succeeded",
                "\\N",
                "workflow_succeeded",
                "\\N",
                "\\N",
                k,
                "0",
                k,
                PG_TS,
                "tenant",
            ])
        });
        d.copy(
            "events",
            "_storage_id, \"timestamp\", message, message_code, event_type, operation, node_id, \
                _execution_fk, _creator_id, _tenant_id, reported_timestamp, visibility",
            &events,
        );
        let logs = rows(&|_, k| {
            row(&[k, PG_TS, "Creating VM", "\\N", "ctx", "info", "\\N", "vm", k, "0", k, PG_TS, "tenant"])
        });
        d.copy(
            "logs",
            "_storage_id, \"timestamp\", message, message_code, logger, level, operation, node_id, \
                _execution_fk, _creator_id, _tenant_id, reported_timestamp, visibility",
            &logs,
        );
        let plugins = rows(&|id, k| {
            row(&[
                k,
                &id.plugin,
                &wagon_name(v),
                "centos",
                "core",
                "7.6.1810",
                "\\N",
                "cloudify-utilities-plugin",
                "\\N",
                "1.23.0",
                "linux_x86_64",
                pickled,
                PG_TS,
                pickled,
                k,
                "0",
                "global",
            ])
        });
        d.copy(
            "plugins",
            "_storage_id, id, archive_name, distribution, distribution_release, \
                distribution_version, excluded_wheels, package_name, package_source, package_version, \
                supported_platform, supported_py_versions, uploaded_at, wheels, _tenant_id, _creator_id, \
                visibility",
            &plugins,
        );
        d.copy(
            "secrets",
            "_storage_id, id, value, created_at, updated_at, _tenant_id, _creator_id, \
                visibility, is_hidden_value",
            &secrets,
        );
        d.copy("users_roles", "user_id, role_id", &[row(&["0", "1"])]);
        let users_tenants = rows(&|_, k| row(&["0", k, "3"]));
        d.copy("users_tenants", "user_id, tenant_id, role_id", &users_tenants);
        d.setval("users_id_seq", 1);
        d.setval("tenants_id_seq", self.ids.len());
        let table = if v >= (6, 0, 0) { "public.executions" } else { "executions" };
        format!("{}\nDELETE FROM {table} WHERE id = '{}';\n", d.finish(), self.snapshot_exec())
    }

    fn stage_data(&self) -> String {
        let mut d = Dump::new(self.v >= (6, 0, 0));
        d.copy("\"Applications\"", "id, name, status, \"isPrivate\", extras, \"createdAt\", \"updatedAt\"", &[]);
        let apps: Vec<Vec<String>> = self
            .ids
            .iter()
            .map(|id| {
                let k = (id.k + 1).to_string();
                row(&[&k, "admin", "8", "{\"pages\": []}", PG_TS, PG_TS, "main", &id.tenant])
            })
            .collect();
        d.copy(
            "\"UserApps\"",
            "id, username, \"appDataVersion\", \"appData\", \"createdAt\", \"updatedAt\", mode, tenant",
            &apps,
        );
        if self.v >= (5, 1, 0) {
            d.copy("\"BlueprintUserData\"", "id, \"blueprintId\", username, layout, \"createdAt\", \"updatedAt\"", &[]);
        }
        d.setval("\"UserApps_id_seq\"", self.ids.len());
        d.finish()
    }

    fn composer_data(&self) -> String {
        let mut d = Dump::new(self.v >= (6, 0, 0));
        let bps: Vec<Vec<String>> = self
            .ids
            .iter()
            .map(|id| {
                let k = (id.k + 1).to_string();
                row(&[&k, &format!("{}-draft", id.bp), &id.tenant, "{}", PG_TS, PG_TS])
            })
            .collect();
        d.copy("\"Blueprints\"", "id, name, tenant, data, \"createdAt\", \"updatedAt\"", &bps);
        d.copy("\"Favorites\"", "id, \"blueprintId\", username", &[]);
        d.setval("\"Blueprints_id_seq\"", self.ids.len());
        d.finish()
    }

    /// `es_data` (E0–E2): one Elasticsearch hit per line (spec §3.7.1).
    fn es_data(&self) -> String {
        let v = self.v;
        let id = &self.ids[0];
        let hit = |index: &str, ty: &str, hid: &str, source: Value| {
            py_json(&json!({"_index": index, "_type": ty, "_id": hid, "_score": 0.0, "_source": source}))
        };
        let mut lines = vec![
            hit(
                "cloudify_storage",
                "blueprint",
                &id.bp,
                json!({"id": id.bp, "created_at": TS,
                "updated_at": TS, "main_file_name": "blueprint.yaml", "plan": {"nodes": []}}),
            ),
            hit(
                "cloudify_storage",
                "deployment",
                &id.dep,
                json!({"id": id.dep, "blueprint_id": id.bp,
                "created_at": TS, "inputs": {}, "outputs": {}, "workflows": [{"name": "install"}]}),
            ),
            hit(
                "cloudify_storage",
                "node",
                &format!("{}_vm", id.dep),
                json!({"id": "vm",
                "deployment_id": id.dep, "blueprint_id": id.bp, "type": "cloudify.nodes.Compute",
                "number_of_instances": 1, "properties": {"ip": "10.0.0.5"}}),
            ),
            hit(
                "cloudify_storage",
                "node_instance",
                &id.ni,
                json!({"id": id.ni, "node_id": "vm",
                "deployment_id": id.dep, "state": "started", "runtime_properties": {"ip": "10.0.0.5"}, "version": 3}),
            ),
            hit(
                "cloudify_storage",
                "execution",
                &id.exec,
                json!({"id": id.exec, "workflow_id": "install",
                "deployment_id": id.dep, "blueprint_id": id.bp, "status": "terminated", "created_at": TS,
                "error": "", "parameters": {}, "is_system_workflow": false}),
            ),
        ];
        if v >= (3, 3, 0) {
            lines.push(hit(
                "cloudify_storage",
                "plugin",
                &id.plugin,
                json!({"id": id.plugin,
                "package_name": "cloudify-utilities-plugin", "package_version": "1.23.0",
                "archive_name": "cloudify_utilities_plugin-1.23.0-py27-none-linux_x86_64-centos-Core.wgn",
                "supported_platform": "linux_x86_64", "uploaded_at": TS}),
            ));
        }
        if v >= (3, 4, 0) {
            lines.push(hit(
                "cloudify_storage",
                "deployment_modifications",
                &uuid("modification"),
                json!({"id": uuid("modification"), "deployment_id": id.dep, "status": "finished",
                    "created_at": TS, "modified_nodes": {}, "node_instances": {}}),
            ));
        }
        let ctx =
            json!({"deployment_id": id.dep, "workflow_id": "install", "execution_id": id.exec, "blueprint_id": id.bp});
        lines.push(hit(
            "cloudify_events",
            "cloudify_event",
            "AVb-event-0001",
            json!({"event_type": "workflow_succeeded",
            "timestamp": TS, "@timestamp": TS, "message": {"text": "'install' workflow execution succeeded",
            "arguments": null}, "context": ctx, "type": "cloudify_event"}),
        ));
        lines.push(hit(
            "cloudify_events",
            "cloudify_log",
            "AVb-log-0001",
            json!({"level": "info",
            "timestamp": TS, "@timestamp": TS, "message": {"text": "Creating VM"}, "context": ctx,
            "logger": "ctx", "type": "cloudify_log"}),
        ));
        lines.iter().map(|l| format!("{l}\n")).collect()
    }

    /// `agents.json` with the era's nesting and leaf shape (spec §3.7.2).
    fn agents_json(&mut self) -> String {
        let (v, era) = (self.v, self.s.era);
        let mut root = serde_json::Map::new();
        let ids: Vec<(String, String, String)> = self
            .ids
            .iter()
            .take(if v < (4, 1, 0) { 1 } else { usize::MAX })
            .map(|id| (id.tenant.clone(), id.dep.clone(), id.ni.clone()))
            .collect();
        for (tenant, dep, ni) in ids {
            let ver = self.s.version.clone();
            let leaf = match era {
                Era::E0 => json!({"user": self.c.secret("vm-user"), "password": self.c.secret("vm-password"),
                    "name": ni, "queue": ni, "ip": "10.0.0.5", "manager_ip": "10.0.0.1", "windows": false,
                    "version": "3.2", "broker_ip": "10.0.0.1", "broker_ssl_enabled": false,
                    "broker_ssl_cert": "", "broker_user": self.c.secret("broker-user"),
                    "broker_pass": self.c.secret("broker-pass")}),
                Era::E1 => {
                    json!({"broker_user": self.c.secret("broker-user"), "broker_pass": self.c.secret("broker-pass"),
                    "broker_ip": "10.0.0.1", "broker_ssl_enabled": false, "broker_ssl_cert": "", "version": "3.3"})
                }
                _ if v < (4, 0, 0) => json!({"version": ver, "broker_config": {"broker_ip": "10.0.0.1",
                    "broker_user": self.c.secret("broker-user"), "broker_pass": self.c.secret("broker-pass"),
                    "broker_ssl_enabled": false, "broker_ssl_cert": "", "broker_port": 5672}}),
                _ if v < (4, 1, 0) => json!({"version": ver, "broker_config": {"broker_ip": "10.0.0.1",
                    "broker_user": self.c.secret("broker-user"), "broker_pass": self.c.secret("broker-pass"),
                    "broker_ssl_enabled": false, "cluster": [], "broker_port": 5672,
                    "broker_ssl_cert": cert_pem("broker")}}),
                _ if v < (4, 4, 0) => json!({"version": ver, "broker_config": {"broker_ip": "10.0.0.1",
                    "broker_ssl_cert": cert_pem("broker"), "broker_ssl_enabled": true,
                    "broker_user": self.c.secret("broker-user"), "broker_pass": self.c.secret("broker-pass"),
                    "broker_vhost": format!("rabbitmq_vhost_{tenant}")}}),
                _ => {
                    let ip = if v >= (5, 0, 5) { json!(["10.0.0.1"]) } else { json!("10.0.0.1") };
                    json!({"version": ver, "broker_config": {"broker_ip": ip,
                        "broker_ssl_cert": cert_pem("broker"), "broker_ssl_enabled": true}})
                }
            };
            let deps = json!({dep: {"vm": {ni: leaf}}});
            if v < (4, 1, 0) {
                root.extend(deps.as_object().cloned().unwrap_or_default());
            } else {
                root.insert(tenant, deps);
            }
        }
        py_json(&Value::Object(root))
    }

    /// The envelopes of one tenant (spec §3.6), in dump order.
    fn tenant_dumps(&mut self, k: usize) -> Vec<Dumped> {
        let v = self.s.version.clone();
        let (t, bp, dep, ni, plugin, exec, key) = {
            let id = &self.ids[k];
            (
                id.tenant.clone(),
                id.bp.clone(),
                id.dep.clone(),
                id.ni.clone(),
                id.plugin.clone(),
                id.exec.clone(),
                id.secret_key.clone(),
            )
        };
        let common = json!({"created_at": TS, "created_by": "admin", "visibility": "tenant"});
        let with = |extra: Value| {
            let mut m = common.as_object().cloned().unwrap_or_default();
            m.extend(extra.as_object().cloned().unwrap_or_default());
            Value::Object(m)
        };
        let secret = |c: &mut Canary, key: &str| {
            json!({"key": key, "value": c.secret("secret-value"),
            "visibility": "tenant", "is_hidden_value": true, "encrypted": false, "tenant_name": t,
            "creator": "admin", "created_at": TS, "provider": null, "provider_options": null})
        };
        let secrets = vec![secret(&mut self.c, &key), secret(&mut self.c, &format!("{key}_replica"))];
        let broker_pass = self.c.secret("broker-pass");
        let agent_pass = self.c.secret("agent-rabbitmq-password");
        vec![
            Dumped::new("sites", json!([with(json!({"name": format!("site-{t}"), "location": "32.1, 34.8"}))])),
            Dumped::new(
                "plugins",
                json!([with(json!({"id": plugin, "title": "cloudify-utilities-plugin",
                "package_name": "cloudify-utilities-plugin", "package_version": "1.23.0",
                "archive_name": "cloudify_utilities_plugin-1.23.0-py3-none-linux_x86_64.wgn",
                "uploaded_at": TS, "supported_platform": "linux_x86_64", "wheels": []}))]),
            ),
            Dumped::new("secrets", Value::Array(secrets)),
            Dumped::new(
                "blueprints",
                json!([with(json!({"id": bp, "main_file_name": "blueprint.yaml",
                "state": "uploaded", "description": null, "plan": {"nodes": []}, "labels": []}))]),
            ),
            Dumped::new(
                "deployments",
                json!([with(json!({"id": dep, "blueprint_id": bp, "display_name": dep,
                "inputs": {}, "workflows": [{"name": "install"}], "labels": []}))]),
            ),
            Dumped::new(
                "nodes",
                json!([with(json!({"id": "vm", "type": "cloudify.nodes.Compute",
                "number_of_instances": 1, "properties": {"ip": "10.0.0.5"}}))]),
            )
            .source(None, &dep),
            Dumped::new(
                "node_instances",
                json!([with(json!({"id": ni, "node_id": "vm", "state": "started",
                "runtime_properties": {"ip": "10.0.0.5", "cloudify_agent": {"name": ni,
                    "broker_config": {"broker_ip": ["10.0.0.1"], "broker_vhost": format!("rabbitmq_vhost_{t}"),
                        "broker_user": format!("rabbitmq_user_{t}"), "broker_pass": broker_pass}}}}))]),
            )
            .source(None, &dep),
            Dumped::new(
                "agents",
                json!([with(json!({"id": ni, "node_instance_id": ni, "state": "started",
                "rabbitmq_password": agent_pass, "rabbitmq_username": format!("rabbitmq_user_{t}"),
                "rabbitmq_exchange": ni, "version": v, "system": "centos core", "install_method": "remote",
                "ip": "10.0.0.5"}))]),
            )
            .source(None, &dep),
            Dumped::new(
                "executions",
                json!([with(json!({"id": exec, "workflow_id": "install",
                "deployment_id": dep, "blueprint_id": bp, "status": "terminated", "parameters": {},
                "is_system_workflow": false, "error": ""}))]),
            ),
            Dumped::new(
                "events",
                json!([{"timestamp": TS, "reported_timestamp": TS,
                "message": "'install' workflow execution succeeded", "event_type": "workflow_succeeded",
                "type": "cloudify_event", "context": {"deployment_id": dep}}]),
            )
            .source(Some("executions"), &exec),
            Dumped::new(
                "tasks_graphs",
                json!([{"id": uuid(&format!("graph {t}")), "name": "install",
                "execution_id": exec, "created_at": TS, "operations": []}]),
            )
            .source(None, &exec),
        ]
    }

    fn mgmt_dumps(&mut self) -> Vec<Dumped> {
        let mut tenants = Vec::new();
        for id in &self.ids {
            tenants.push(json!({"name": id.tenant, "rabbitmq_password": self.c.secret("tenant-rabbitmq-password")}));
        }
        let roles: serde_json::Map<String, Value> =
            self.ids.iter().map(|id| (id.tenant.clone(), json!({"tenant-role": "user", "roles": ["user"]}))).collect();
        let hash = self.c.secret("admin-password-hash");
        vec![
            Dumped::new("tenants", Value::Array(tenants)),
            Dumped::new(
                "permissions",
                json!([{"role": "sys_admin", "permission": "all_tenants"},
                {"role": "user", "permission": "blueprint_upload"}]),
            ),
            Dumped::new(
                "user_groups",
                json!([{"name": "operators", "ldap_dn": null, "role": "default",
                "tenants": Value::Object(roles.clone())}]),
            ),
            Dumped::new(
                "users",
                json!([{"username": "admin", "role": "sys_admin", "tenant_roles":
                {"direct": Value::Object(roles), "groups": {}}, "first_login_at": TS, "last_login_at": TS,
                "created_at": TS, "password_hash": format!("$pbkdf2-sha256$29000${hash}")}]),
            ),
        ]
    }

    /// Composer and Stage dumps shared by N0 and N1.
    fn ui_files(&self, t: &mut Tree) {
        let bp_zip = ZipBuilder::with(vec![
            Entry::dir("hello-draft/"),
            Entry::file("hello-draft/blueprint.yaml", blueprint_yaml("hello-draft")),
        ]);
        t.add("composer/blueprints.zip", bp_zip.build());
        let ui = |ty: &str, items: Value| envelope(ty, &items);
        t.add(
            "composer/blueprints.json",
            ui(
                "blueprints",
                json!([{"id": 1, "name": "hello-draft",
            "tenant": self.ids[0].tenant, "createdAt": TS, "updatedAt": TS}]),
            ),
        );
        t.add("composer/configuration.json", ui("configuration", json!({"prod.json": {"sessionTimeout": 3600}})));
        t.add("composer/favorites.json", ui("favorites", json!([])));
        t.add("stage/blueprint-layouts.json", ui("blueprint-layouts", json!([])));
        t.add("stage/configuration.json", ui("configuration", json!({"userConfig.json": {"maps": {}}})));
        t.add(
            "stage/page-groups.json",
            ui("page-groups", json!([{"id": "custom-group", "name": "Custom", "pages": []}])),
        );
        t.add("stage/pages.json", ui("pages", json!([{"id": "custom-page", "name": "Custom page", "layout": []}])));
        t.add("stage/templates.json", ui("templates", json!([{"id": "custom-template", "pages": ["custom-page"]}])));
        let widgets = ZipBuilder::with(vec![
            Entry::dir("customWidget/"),
            Entry::file("customWidget/widget.js", "Stage.defineWidget({id: 'customWidget'});\n"),
        ]);
        t.add("stage/widgets.zip", widgets.build());
        for id in &self.ids {
            t.add(
                format!("stage/{}/ua.json", id.tenant),
                ui(
                    "ua",
                    json!([{"username": "admin",
                "appDataVersion": 8, "mode": "main", "appData": {"pages": []}}]),
                ),
            );
        }
    }

    /// A plugin's "full archive" (zip of the wagon and its YAML) and a deployment workdir zip.
    fn tenant_archives() -> (Vec<u8>, Vec<u8>) {
        let plugin = ZipBuilder::with(vec![
            Entry::file(
                "cloudify_utilities_plugin-1.23.0-py3-none-linux_x86_64.wgn",
                wagon("cloudify_utilities_plugin", "1.23.0"),
            ),
            Entry::file("plugin.yaml", plugin_yaml("cloudify_utilities_plugin", "1.23.0")),
        ])
        .build();
        let workdir = ZipBuilder::with(vec![Entry::file("hosts.ini", "[all]\n10.0.0.5\n")]).build();
        (plugin, workdir)
    }

    /// N0 (7.0.0 `legacy=False`): direct writes, `mgmt/<type>/<i>.json`, explicit tenant dirs.
    fn n0(&mut self) -> ZipBuilder {
        let mut entries = vec![Entry::file("metadata.json", self.metadata())];
        for d in self.mgmt_dumps() {
            entries.push(Entry::file(format!("mgmt/{}/0.json", d.ty), d.envelope()));
        }
        for k in 0..self.ids.len() {
            let tenant = self.ids[k].tenant.clone();
            entries.push(Entry::dir(format!("tenants/{tenant}/")));
            for d in self.tenant_dumps(k) {
                let file = match (d.ty.as_str(), &d.source_id) {
                    ("events", Some(src)) => format!("executions_events/{src}.json"),
                    (ty, Some(src)) => format!("{ty}/{src}.json"),
                    (ty, None) => format!("{ty}/0.json"),
                };
                entries.push(Entry::file(format!("tenants/{tenant}/{file}"), d.envelope()));
            }
            let id = &self.ids[k];
            let (plugin, workdir) = Gen::tenant_archives();
            entries.push(Entry::file(format!("tenants/{tenant}/plugins_archives/{}.zip", id.plugin), plugin));
            // The bytes are the archive as uploaded, whatever the suffix says; a zip upload
            // keeps this fixture valid under both readings.
            let blueprint = ZipBuilder::with(vec![
                Entry::dir(format!("{}/", id.bp)),
                Entry::file(format!("{}/blueprint.yaml", id.bp), blueprint_yaml(&id.bp)),
            ]);
            entries.push(Entry::file(format!("tenants/{tenant}/blueprints_archives/{}.zip", id.bp), blueprint.build()));
            entries.push(Entry::file(
                format!("tenants/{tenant}/deployments_archives/{}.b64zip", id.dep),
                base64(&workdir, false),
            ));
        }
        let mut ui = Tree::default();
        self.ui_files(&mut ui);
        entries.extend(ui.entries(Style::FilesOnly));
        ZipBuilder::with(entries)
    }

    /// N1 (7.0.1+): numbered envelopes, archives by type, `shutil.make_archive` on Python 3.
    fn n1(&mut self) -> ZipBuilder {
        let mut t = Tree::default();
        t.add("metadata.json", self.metadata());
        for (n, d) in self.mgmt_dumps().into_iter().enumerate() {
            t.add(format!("mgmt/{:08}.json", n + 1), d.envelope());
        }
        for k in 0..self.ids.len() {
            let tenant = self.ids[k].tenant.clone();
            for (n, d) in self.tenant_dumps(k).into_iter().enumerate() {
                t.add(format!("tenants/{tenant}/{:08}.json", n + 1), d.envelope());
            }
            let id = &self.ids[k];
            let (plugin, workdir) = Gen::tenant_archives();
            let blueprint = tar_gz(&[(&format!("{}/blueprint.yaml", id.bp), blueprint_yaml(&id.bp).as_bytes())]);
            t.add(format!("tenants/{tenant}/blueprints/{}.tar.gz", id.bp), blueprint);
            t.add(format!("tenants/{tenant}/plugins/{}.zip", id.plugin), plugin);
            t.add(format!("tenants/{tenant}/deployments/{}.b64zip", id.dep), base64(&workdir, false));
        }
        self.ui_files(&mut t);
        ZipBuilder::with(t.entries(Style::Py3Dirs))
    }
}

/// One dump file of the new format: `{"type", ["source",] ["source_id",] "latest_timestamp", "items"}`.
struct Dumped {
    ty: String,
    source: Option<&'static str>,
    source_id: Option<String>,
    items: Value,
}

impl Dumped {
    fn new(ty: &str, items: Value) -> Dumped {
        Dumped { ty: ty.to_owned(), source: None, source_id: None, items }
    }

    fn source(mut self, source: Option<&'static str>, id: &str) -> Dumped {
        self.source = source;
        self.source_id = Some(id.to_owned());
        self
    }

    /// The file text, keys in the order `_write_files` writes them.
    fn envelope(&self) -> String {
        let mut s = format!("{{\"type\": {}", json!(self.ty));
        if let Some(src) = self.source {
            s += &format!(", \"source\": {}", json!(src));
        }
        if let Some(id) = &self.source_id {
            s += &format!(", \"source_id\": {}", json!(id));
        }
        s += &format!(", \"latest_timestamp\": {}", json!(TS));
        s + &format!(", \"items\": {}}}", py_json(&self.items))
    }
}

/// Builds a new-format envelope `{"type": ty, "items": items}` as the 7.x writer does.
pub fn envelope(ty: &str, items: &Value) -> String {
    format!("{{\"type\": {}, \"items\": {}}}", json!(ty), py_json(items))
}

/// The wagon file name a legacy manager of version `v` stores.
fn wagon_name(v: (u32, u32, u32)) -> String {
    let py = if v >= (5, 1, 0) { "py27.py36" } else { "py27" };
    format!("cloudify_utilities_plugin-1.23.0-{py}-none-linux_x86_64-centos-Core.wgn")
}

fn blueprint_yaml(name: &str) -> String {
    format!(
        "tosca_definitions_version: cloudify_dsl_1_3\n\ndescription: {name}\n\nimports:\n  \
         - http://cloudify.co/spec/cloudify/5.1/types.yaml\n\nnode_templates:\n  vm:\n    \
         type: cloudify.nodes.Compute\n    properties:\n      ip: 10.0.0.5\n      agent_config:\n        \
         install_method: remote\n"
    )
}

fn plugin_yaml(package: &str, version: &str) -> String {
    format!(
        "plugins:\n  utilities:\n    executor: central_deployment_agent\n    package_name: {package}\n    \
         package_version: '{version}'\n"
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;
    use std::process::Command;

    /// A scratch directory under the system temp dir, removed on drop.
    struct Scratch(PathBuf);

    impl Scratch {
        fn new(tag: &str) -> Scratch {
            let dir = std::env::temp_dir().join(format!("snapshot-tests-{tag}-{}", std::process::id()));
            std::fs::create_dir_all(&dir).expect("create scratch dir");
            Scratch(dir)
        }
    }

    impl Drop for Scratch {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    /// Checks each archive the way Cloudify's Python reads it: `testzip()` is `None`, every
    /// JSON member parses, SQL dumps are complete, nested archives open, and `unzip -l` lists it.
    const PY_CHECK: &str = r#"
import base64, io, json, subprocess, sys, tarfile, zipfile
def nested(name, data):
    if name.endswith(('.tar.gz', '.wgn')):
        tarfile.open(fileobj=io.BytesIO(data)).getnames()
    elif name.endswith('.zip'):
        z = zipfile.ZipFile(io.BytesIO(data))
        assert z.testzip() is None, name
        for i in z.infolist():
            nested(i.filename, z.read(i))
    elif name.endswith('.b64zip'):
        nested('workdir.zip', base64.b64decode(data, validate=True))
bad = []
for path in sys.argv[1:]:
    try:
        z = zipfile.ZipFile(path)
        assert z.testzip() is None, 'testzip'
        meta = json.loads(z.read('metadata.json'))
        new = 'execution_id' in meta or meta['snapshot_version'] == '7.0.0'
        for i in z.infolist():
            n, d = i.filename, z.read(i)
            if n.endswith('.json') or n in ('rest-security.conf', 'agents.json'):
                v = json.loads(d)
                if new and n.startswith(('mgmt/', 'tenants/', 'stage/', 'composer/')):
                    assert set(v) >= {'type', 'items'}, n
            if n == 'admin_account.json':
                assert set(json.loads(d.strip())) >= {'id', 'username', 'password'}
            if n in ('pg_data', 'stage_data', 'composer_data'):
                t = d.decode()
                assert t.startswith('--\n-- PostgreSQL database dump'), n
                assert t.count(' FROM stdin;\n') == t.count('\n\\.\n'), n
                tail = t.split('-- PostgreSQL database dump complete\n', 1)[1]
                assert ('DELETE FROM' in tail) == (n == 'pg_data'), n
            if n == 'es_data':
                for line in d.decode().splitlines():
                    assert {'_type', '_source'} <= set(json.loads(line))
            nested(n, d)
        listed = subprocess.run(['unzip', '-l', path], capture_output=True)
        assert listed.returncode == 0, 'unzip -l rc %d' % listed.returncode
    except Exception as e:
        bad.append('%s: %s: %s' % (path, type(e).__name__, e))
print('\n'.join(bad))
sys.exit(1 if bad else 0)
"#;

    #[test]
    fn python_reads_every_era_sample() {
        let scratch = Scratch::new("eras");
        let mut archives: Vec<(String, Vec<u8>)> = era_samples().iter().map(|s| (s.file_name(), s.bytes())).collect();
        archives.push(("sample.zip".into(), sample().bytes()));
        archives.push(("zip64.zip".into(), Snapshot::new(Era::L5).zip().force_zip64().build()));
        let mut paths = Vec::new();
        for (i, (name, bytes)) in archives.iter().enumerate() {
            let path = scratch.0.join(format!("{i:02}-{name}"));
            std::fs::write(&path, bytes).expect("write sample");
            paths.push(path);
        }
        let out = Command::new("python3").arg("-c").arg(PY_CHECK).args(&paths).output().expect("run python3");
        assert!(
            out.status.success(),
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// Our Python 2.7 and Python 3 writers produce the header fields (of `0o755` directories and
    /// `0o644` files) of the real 5.1.0 fixture (written on CentOS 7 Python 2.7) and of CPython 3's
    /// `shutil.make_archive`.
    #[test]
    fn headers_match_the_real_writers() {
        let Some(real) = crate::real_fixtures_dir() else { return };
        let scratch = Scratch::new("headers");
        let (py27, py3) = (scratch.0.join("py27.zip"), scratch.0.join("py3.zip"));
        std::fs::write(&py27, Snapshot::new(Era::L4).bytes()).expect("write");
        std::fs::write(&py3, Snapshot::new(Era::L5).bytes()).expect("write");
        let script = r#"
import sys, zipfile, tempfile, os
def kinds(path):
    return {(i.is_dir(), i.compress_type, i.external_attr, i.create_system, i.create_version,
             i.extract_version, i.flag_bits) for i in zipfile.ZipFile(path).infolist()
            if i.external_attr >> 16 in (0o40755, 0o100644)}
real, py27, py3 = sys.argv[1:]
assert kinds(py27) == kinds(real), (kinds(py27), kinds(real))
d = tempfile.mkdtemp()
os.makedirs(os.path.join(d, 'a', 'b'))
with open(os.path.join(d, 'a', 'f.txt'), 'w') as f: f.write('x')
os.chmod(os.path.join(d, 'a', 'f.txt'), 0o644)
os.chmod(os.path.join(d, 'a', 'b'), 0o755); os.chmod(os.path.join(d, 'a'), 0o755)
import shutil
made = shutil.make_archive(os.path.join(d, 'out'), 'zip', os.path.join(d, 'a'))
assert kinds(py3) == kinds(made), (kinds(py3), kinds(made))
shutil.rmtree(d)
"#;
        let out = Command::new("python3")
            .args(["-c", script])
            .arg(real.join("snap-5.1.0-dev-legacy.zip"))
            .args([&py27, &py3])
            .output()
            .expect("run python3");
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }

    #[test]
    fn era_samples_are_deterministic() {
        for s in era_samples() {
            assert!(s.bytes() == s.bytes(), "{} differs between runs", s.file_name());
        }
    }

    #[test]
    fn big_zip64_snapshot_lists_in_python() {
        let scratch = Scratch::new("big");
        let path = scratch.0.join("big.zip");
        let huge: u64 = 9 << 29; // 4.5 GiB
        let len = write_big_snapshot(&path, huge).expect("write big snapshot");
        assert!(len > huge);
        let agents = Snapshot::new(Era::L5).zip().entry_mut("agents.json").data.clone();
        let script = r#"
import sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
big = z.getinfo('deployments/default_tenant/big-dep/disk.img')
assert big.file_size == int(sys.argv[2]) and big.compress_type == 0, big
agents = z.getinfo('agents.json')
assert agents.header_offset > 2**32, agents.header_offset
assert z.read('agents.json') == sys.argv[3].encode(), 'agents.json differs'
assert z.read('metadata.json').startswith(b'{')
"#;
        let out = Command::new("python3")
            .args(["-c", script])
            .arg(&path)
            .arg(huge.to_string())
            .arg(String::from_utf8(agents).expect("utf-8"))
            .output()
            .expect("run python3");
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let listed = Command::new("unzip").arg("-l").arg(&path).output().expect("run unzip");
        assert!(listed.status.success(), "{}", String::from_utf8_lossy(&listed.stdout));
    }

    #[test]
    fn versions_parse_leniently() {
        assert_eq!(parse_version("3.3"), (3, 3, 0));
        assert_eq!(parse_version("5.0.5.1"), (5, 0, 5));
        assert_eq!(parse_version("7.0.4-ga"), (7, 0, 4));
        assert_eq!(head_revision((5, 1, 0)), Some("387fcd049efb"));
        assert_eq!(head_revision((4, 0, 0)), None);
        assert_eq!(head_revision((7, 0, 4)), Some("edd6d829a209"));
    }

    #[test]
    fn base64_matches_known_vectors() {
        assert_eq!(base64(b"", false), "");
        assert_eq!(base64(b"f", false), "Zg==");
        assert_eq!(base64(b"fo", false), "Zm8=");
        assert_eq!(base64(b"foobar", false), "Zm9vYmFy");
        assert_eq!(base64(&[0xfb, 0xff], true), "-_8=");
    }

    #[test]
    fn key32_is_valid_urlsafe_base64_of_32_bytes() {
        let k = Canary::new("CANARY").key32();
        assert_eq!(k.len(), 44);
        assert!(k.ends_with("A=") && k.starts_with("CANARY-0001-"));
    }

    #[test]
    fn every_canary_is_in_the_archive() {
        for built in [canary_snapshot_legacy(), canary_snapshot_new()] {
            let text: Vec<u8> = built.zip.entries.iter().flat_map(|e| e.data.clone()).collect();
            assert!(built.canaries.len() > 10);
            for c in &built.canaries {
                assert!(c.contains("CANARY-"));
                assert!(text.windows(c.len()).any(|w| w == c.as_bytes()), "{c} not planted");
            }
        }
    }

    #[test]
    fn versions_drive_the_content() {
        let names = |s: Snapshot| -> Vec<String> {
            s.zip().entries.iter().map(|e| String::from_utf8_lossy(&e.name).into_owned()).collect()
        };
        let l2_41 = names(Snapshot::new(Era::L2).version("4.1.0"));
        assert!(!l2_41.contains(&"networks.json".to_owned()));
        let l3 = names(Snapshot::new(Era::L3));
        assert!(l3.contains(&"rest-security.conf".to_owned()) && l3.contains(&"networks.json".to_owned()));
        let community = Snapshot::new(Era::L5).community();
        assert!(!names(community.clone()).contains(&"stage_data".to_owned()));
        let meta = community.zip().entry_mut("metadata.json").data.clone();
        assert!(!String::from_utf8_lossy(&meta).contains("stage_schema_revision"));
    }
}
