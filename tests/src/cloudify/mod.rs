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

use std::io;
use std::path::Path;

use serde_json::json;

use crate::zipw::{self, Entry, ZipBuilder};

mod builder;
mod formats;
mod legacy;
mod legacy_data;
mod newfmt;
pub mod newfmt71;
pub mod rules;
#[cfg(test)]
mod tests;

use builder::{Gen, Ids};
pub use formats::{COMPOSER_REVISION, base64, envelope, head_revision, parse_version, py_json, tar_gz, uuid, wagon};
use formats::{cert_pem, filler_lines};

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
        // Unkeyed (community-made) L2–L4: rows of the restore table (7.x routes them to the new path).
        Snapshot::new(Era::L2).community(),
        Snapshot::new(Era::L3).community(),
        Snapshot::new(Era::L4).community(),
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
