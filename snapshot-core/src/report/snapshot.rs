//! What the report says about the archive as a Cloudify snapshot: era, metadata, counts, the
//! restore prediction and the security inventory (split from `report/mod.rs`, which keeps the
//! report itself).

use super::*;

/// A Cloudify snapshot era (spec §1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EraInfo {
    /// `E0`, `E1`, `E2`, `E2b`, `L0`…`L6`, `N0`, `N0b` (the N0 layout labelled 7.0.1+) or `N1`.
    pub id: &'static str,
    /// Which managers write it, e.g. `5.1 – 6.2`.
    pub produced_by: &'static str,
    /// `elasticsearch` (es_data), `legacy` (pg_data) or `new` (JSON envelopes).
    pub format: &'static str,
}

/// The revision keys and other fields of `metadata.json`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct MetadataInfo {
    /// `schema_revision`, when present.
    pub schema_revision: Option<String>,
    /// The last line of `stage_schema_revision` (the line restore uses), when present.
    pub stage_schema_revision: Option<String>,
    /// `composer_schema_revision`, when present.
    pub composer_schema_revision: Option<String>,
    /// `execution_id` (N1), when present.
    pub execution_id: Option<String>,
    /// `has_cloudify_events` (3.x), when present.
    pub has_cloudify_events: Option<bool>,
}

/// Counts of what the snapshot holds. `None` means not known at this level.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ContentCounts {
    /// Tenants.
    pub tenants: Option<u64>,
    /// Blueprints.
    pub blueprints: Option<u64>,
    /// Deployments.
    pub deployments: Option<u64>,
    /// Plugins.
    pub plugins: Option<u64>,
    /// Agents (node instances with agent data).
    pub agents: Option<u64>,
    /// Secrets.
    pub secrets: Option<u64>,
    /// Users.
    pub users: Option<u64>,
    /// Executions.
    pub executions: Option<u64>,
    /// Events and logs.
    pub events: Option<u64>,
}

/// Sizes of one top-level part of the archive (`pg_data`, `blueprints/`, `tenants/`…).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Part {
    /// The first path component, with a trailing `/` for folders.
    pub name: String,
    /// Entries under it.
    pub entries: u64,
    /// Their declared compressed size.
    pub compressed_size: u64,
    /// Their declared uncompressed size.
    pub uncompressed_size: u64,
}

/// Flags of how the snapshot was made.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ContentFlags {
    /// Agent SSH keys were included (`snapshot-credentials/` holds files).
    pub include_credentials: bool,
    /// InfluxDB metrics were included.
    pub metrics: bool,
    /// Events were excluded from the dump (`None` when not known at this level).
    pub events_excluded: Option<bool>,
    /// Logs were excluded from the dump (`None` when not known at this level).
    pub logs_excluded: Option<bool>,
}

/// A range of manager versions, inclusive at both ends; `None` is open.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VersionRange {
    /// Lowest accepting version.
    pub from: Option<String>,
    /// Highest accepting version.
    pub to: Option<String>,
    /// What holds on that range (restore path, edition conditions).
    pub note: String,
}

/// The restore prediction for the given target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TargetPrediction {
    /// The target version as given.
    pub version: String,
    /// The target's edition.
    pub edition: Edition,
    /// Where the target runs.
    pub runtime: Runtime,
    /// `legacy` or `new`: the restore code path the target takes for this archive.
    pub restore_path: &'static str,
    /// What the target's restore does with the archive.
    pub outcome: Outcome,
    /// Whether restore is predicted to restore the snapshot's content: the outcome is `restores`
    /// and the archive has no error finding.
    pub restorable: bool,
    /// The messages Cloudify's restore would fail or warn with, quoted.
    pub messages: Vec<String>,
}

/// Which managers accept the snapshot, and the prediction for the target.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Compatibility {
    /// Manager versions whose restore accepts the snapshot.
    pub accepted_by: Vec<VersionRange>,
    /// The prediction for `--target-version`, when one was given.
    pub target: Option<TargetPrediction>,
}

/// What the archive holds as a Cloudify snapshot.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SnapshotInfo {
    /// Whether this is a Cloudify snapshot (it has `metadata.json` at the root).
    pub is_snapshot: bool,
    /// The era, when it could be classified.
    pub era: Option<EraInfo>,
    /// `snapshot_version` as written.
    pub snapshot_version: Option<String>,
    /// Other metadata fields.
    pub metadata: MetadataInfo,
    /// Tenant names, sorted.
    pub tenants: Vec<String>,
    /// What it holds.
    pub counts: ContentCounts,
    /// How it was made.
    pub flags: ContentFlags,
    /// Sizes by top-level part, largest first.
    pub parts: Vec<Part>,
    /// Estimated temporary disk a legacy restore needs (spec A10), in bytes.
    pub restore_disk_estimate: Option<u64>,
    /// Restore compatibility.
    pub compatibility: Compatibility,
}

/// Kinds of sensitive content (spec §6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SecretKind {
    /// A PEM or PKCS#12 private key.
    PrivateKey,
    /// An agent SSH key in `snapshot-credentials/`.
    AgentKey,
    /// `rest-security.conf`: the key that decrypts every secret in the same archive.
    EncryptionKey,
    /// Secrets stored in clear text.
    ClearSecret,
    /// Secrets stored encrypted (decryptable with the archive's own key when it is present).
    EncryptedSecret,
    /// RabbitMQ / broker passwords in clear text.
    BrokerPassword,
    /// User password hashes.
    PasswordHash,
    /// Database connection strings or application secrets in configuration files.
    ConfigCredential,
    /// A certificate (public, listed for completeness).
    Certificate,
}

impl SecretKind {
    /// The kebab-case name used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            SecretKind::PrivateKey => "private-key",
            SecretKind::AgentKey => "agent-key",
            SecretKind::EncryptionKey => "encryption-key",
            SecretKind::ClearSecret => "clear-secret",
            SecretKind::EncryptedSecret => "encrypted-secret",
            SecretKind::BrokerPassword => "broker-password",
            SecretKind::PasswordHash => "password-hash",
            SecretKind::ConfigCredential => "config-credential",
            SecretKind::Certificate => "certificate",
        }
    }
}

/// One kind of sensitive content at one path. Never holds the value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SecretItem {
    /// What it is.
    pub kind: SecretKind,
    /// Where it is: an entry path, optionally with a field (`agents.json: broker_pass`).
    pub path: String,
    /// How many values of this kind the path holds.
    pub count: u64,
}

/// The security inventory (spec §6, S1–S4).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Security {
    /// Items, sorted by kind then path.
    pub items: Vec<SecretItem>,
}
