//! Legacy payload checks (E0–L6; spec §3.1–3.4, §3.7, rules C1–C15) and their preview counts
//! and security inventory.
//!
//! The quick phase ([`inspect`]) works from names and sizes plus the small JSON members; the
//! database dumps are streamed in the data pass ([`analyzer_for`]) and judged in [`conclude`].
//! Secret values are read only to be counted: findings and inventory items carry key names,
//! paths and counts.

use super::base64;
use super::content::{Analyzer, Facts};
use super::sql::{Lines, SqlFacts, SqlScanner};
use super::target::human_bytes;
use super::version::Version;
use super::{Ctx, Era, Format, Semantics, json_kind};
use crate::Error;
use crate::code::Code;
use crate::report::{Finding, Level, SecretKind};
use crate::zip::{Archive, Entry};
use serde_json::{Map, Value};
use std::collections::{BTreeMap, BTreeSet};

const fn v(a: u32, b: u32, c: u32) -> Version {
    Version::new(a, b, c)
}

/// The database dumps at the archive root that the data pass streams.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Dump {
    Pg,
    Stage,
    Composer,
    Es,
}

impl Dump {
    const ALL: [Dump; 4] = [Dump::Pg, Dump::Stage, Dump::Composer, Dump::Es];

    fn name(self) -> &'static str {
        match self {
            Dump::Pg => "pg_data",
            Dump::Stage => "stage_data",
            Dump::Composer => "composer_data",
            Dump::Es => "es_data",
        }
    }
}

/// What the legacy quick phase hands to [`conclude`].
#[derive(Debug, Default)]
pub(crate) struct LegacyState {
    /// Entry index of each dump, the last copy of its name (the one Python's restore reads).
    dumps: Vec<(usize, Dump)>,
}

/// What the es_data analyzer learned. Counts and line numbers only, never line content.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct EsFacts {
    /// Non-blank lines.
    pub lines: u64,
    /// Valid hits per known `_type`.
    pub by_type: BTreeMap<&'static str, u64>,
    /// Lines that are not JSON.
    pub not_json: u64,
    /// JSON lines without `_type` or `_source` (or not an object).
    pub missing_fields: u64,
    /// Hits whose `_type` is not in [`ES_TYPES`].
    pub unknown_type: u64,
    /// Lines longer than [`super::sql::MAX_LINE`]: counted, not parsed.
    pub unchecked: u64,
    /// The first few bad line numbers.
    pub bad_lines: Vec<u64>,
    /// Whether the whole entry was read and matched its CRC and size.
    pub verified: bool,
}

/// The `_type`s 4.x's `estopg` converts (spec §3.7.1); any other is logged and dropped.
const ES_TYPES: &[&str] = &[
    "blueprint",
    "deployment",
    "node",
    "node_instance",
    "execution",
    "plugin",
    "deployment_updates",
    "deployment_update_steps",
    "deployment_modifications",
    "cloudify_event",
    "cloudify_log",
];

/// Files restore creates in its own working directory (spec §3.4.1), with what they hold.
const RESTORE_TIME_FILES: &[(&str, &str)] = &[
    ("license.json", "the target's license"),
    ("config.dump", "a dump of the target's config tables"),
    ("permissions.dump", "a dump of the target's permissions table"),
    ("manager_tables.dump", "a dump of the target's manager tables"),
];

/// The flat leaf keys restore accepts instead of `broker_config` (spec §3.7.2).
const FLAT_BROKER: [&str; 5] = ["broker_user", "broker_pass", "broker_ip", "broker_ssl_enabled", "broker_ssl_cert"];

/// Secret-bearing keys of `rest-security.conf` (spec §6).
const REST_SECRETS: [&str; 4] = ["encryption_key", "secret_key", "hash_salt", "encoding_alphabet"];

/// Key and certificate files listed one by one; more are summed into one item.
const MAX_KEY_ITEMS: usize = 100;

pub(crate) fn inspect(ctx: &mut Ctx, sem: &mut Semantics) -> Result<(), Error> {
    let a = ctx.archive;
    let pre4 = match sem.version {
        Some(s) => s < v(4, 0, 0),
        None => sem.era.map(Era::format) == Some(Format::Elasticsearch),
    };
    for d in Dump::ALL {
        if let Some(e) = a.by_name(d.name()).filter(|e| !e.is_dir()) {
            sem.legacy.dumps.push((e.index, d));
        }
    }
    payload(ctx, sem, pre4);
    let tenant_layout = preview(a, sem, pre4);
    agents(ctx, sem)?;
    sem.info.tenants.sort();
    sem.info.tenants.dedup();
    if tenant_layout {
        sem.info.counts.tenants = Some(sem.info.tenants.len() as u64);
    }
    networks(ctx, sem)?;
    rest_security(ctx, sem)?;
    admin_account(ctx, sem)?;
    premium_dumps(ctx, sem);
    credentials(ctx, sem);
    restore_time_files(ctx);
    if let Some(e) = a.by_name("influxdb_data") {
        let never = if sem.version.is_some_and(|s| s >= v(5, 0, 0)) { "; 5.0+ managers never write it" } else { "" };
        ctx.push(
            Finding::new(
                Code::InfluxdbIgnored,
                format!(
                    "influxdb_data ({}) holds InfluxDB metrics (the snapshot was made with include_metrics): 3.3 – 4.6 managers restore them, 5.0 and later ignore the file{never}",
                    human_bytes(e.uncompressed_size)
                ),
            )
            .at_path(&e.name),
        );
    }
    key_files(a, sem);
    config_credentials(ctx, sem)?;
    Ok(())
}

/// C1: the era's database dump, and dumps that are empty (pg_dump always writes a header).
fn payload(ctx: &mut Ctx, sem: &Semantics, pre4: bool) {
    let version = sem.info.snapshot_version.as_deref().unwrap_or("?");
    let (need, other) = if pre4 { ("es_data", "pg_data") } else { ("pg_data", "es_data") };
    if ctx.archive.by_name(need).is_none() {
        let instead = if ctx.archive.by_name(other).is_some() {
            format!(" (the archive has {other} instead, which does not match snapshot_version {version})")
        } else {
            String::new()
        };
        let why = if pre4 {
            "snapshots before 4.0 carry the manager's data in es_data; restore fails (4.x: \"Missing es dump file: …\")"
        } else {
            "snapshots from 4.0 on carry the manager database in pg_data and restore runs psql on it, which fails"
        };
        ctx.push(
            Finding::new(
                Code::PayloadMissing,
                format!("{need} is missing{instead}: {why}; use the archive exactly as the manager created it"),
            )
            .at_path(need),
        );
    }
    for (index, d) in &sem.legacy.dumps {
        let e = &ctx.archive.entries[*index];
        if *d != Dump::Es && e.uncompressed_size == 0 {
            let f = Finding::new(
                Code::SqlDumpInvalid,
                format!(
                    "{} is empty (0 bytes), so it is no pg_dump output (which always starts with a header): psql restores nothing from it; the dump failed when the snapshot was created, so create it again",
                    d.name()
                ),
            );
            ctx.push(f.at_path(&e.name));
        }
    }
}

/// F: tenants, blueprints, deployments and plugins from the file-server folders, and the
/// credentials and metrics flags. Returns whether paths are tenant-scoped (4.0+).
fn preview(a: &Archive, sem: &mut Semantics, pre4: bool) -> bool {
    // A 4.0 development build still wrote `uploaded-blueprints/<bp>/<bp>.<ext>`: a file two
    // levels down means the paths carry no tenant.
    let flat = pre4
        || a.entries
            .iter()
            .any(|e| !e.is_dir() && e.name.starts_with("uploaded-blueprints/") && e.name.split('/').count() == 3);
    let scoped = if flat { 1 } else { 2 };
    let mut tenants = BTreeSet::new();
    let mut found: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();
    for e in &a.entries {
        let parts: Vec<&str> = e.name.split('/').collect();
        // The first `depth` components below the top folder, when they name folders.
        let folder = |depth: usize| {
            (parts.len() > depth + 1 && parts[1..=depth].iter().all(|p| !p.is_empty()))
                .then(|| parts[1..=depth].join("/"))
        };
        let top = parts[0];
        if !flat && matches!(top, "blueprints" | "uploaded-blueprints" | "deployments" | "tenant-resources") {
            tenants.extend(folder(1));
        }
        let depth = match top {
            "uploaded-blueprints" | "deployments" if parts.len() > 1 => scoped,
            "plugins" if parts.len() > 1 => 1,
            _ => continue,
        };
        found.entry(top).or_default().extend(folder(depth));
    }
    let count = |top: &str| found.get(top).map(|s| s.len() as u64);
    let c = &mut sem.info.counts;
    c.blueprints = count("uploaded-blueprints");
    c.deployments = count("deployments");
    c.plugins = count("plugins");
    sem.info.tenants.extend(tenants);
    let flags = &mut sem.info.flags;
    flags.include_credentials = a.entries.iter().any(|e| !e.is_dir() && e.name.starts_with("snapshot-credentials/"));
    flags.metrics = a.by_name("influxdb_data").is_some();
    !flat
}

/// C2: `agents.json`, its nesting and leaves; the agents count, tenants (4.1+) and broker
/// passwords in clear.
fn agents(ctx: &mut Ctx, sem: &mut Semantics) -> Result<(), Error> {
    let Some(entry) = ctx.archive.by_name("agents.json") else {
        let hint = if sem.era == Some(Era::E0) {
            "; for 3.2 the cfy-snapshot32 CLI appends it after the archive is made, so re-run that tool"
        } else {
            ""
        };
        ctx.push(
            Finding::new(
                Code::AgentsMissing,
                format!("agents.json is missing: restore opens it unconditionally and fails with \"No such file or directory\"{hint}"),
            )
            .at_path("agents.json"),
        );
        return Ok(());
    };
    let value = match ctx.read_json(entry)? {
        None => return Ok(()),
        Some(Err(e)) => {
            let msg = format!("agents.json is not valid JSON ({e}): restore's json.load fails and the restore stops");
            ctx.push(Finding::new(Code::AgentsInvalid, msg).at_path("agents.json"));
            return Ok(());
        }
        Some(Ok(value)) => value,
    };
    // Restore picks the nesting by version: flat before 4.1, per tenant from 4.1.
    let nested = sem.era.is_some_and(|e| e >= Era::L2);
    let mut walk =
        AgentsWalk { want: if nested { 4 } else { 3 }, e0: sem.era == Some(Era::E0), ..AgentsWalk::default() };
    walk.visit(&value, 0, &mut Vec::new());
    if let (true, Value::Object(m)) = (nested, &value) {
        sem.info.tenants.extend(m.keys().cloned());
    }
    sem.info.counts.agents = Some(walk.agents);
    sem.add_secret(SecretKind::BrokerPassword, "agents.json: broker_pass", walk.broker_pass);
    sem.add_secret(SecretKind::ClearSecret, "agents.json: password", walk.vm_password);
    let shape = if nested {
        "tenant → deployment → node → node instance"
    } else {
        "deployment → node → node instance"
    };
    let version = sem.info.snapshot_version.as_deref().unwrap_or("?");
    let skipped = "logs \"Failed restoring agents for deployment …\" and skips the rest of that deployment's agents";
    for (problem, (n, first)) in walk.problems {
        let records = plural(n, "agent record");
        let msg = match problem {
            Problem::NotObject => format!(
                "agents.json has {} where objects belong (first: {first}): restore fails on them and {skipped}",
                plural(n, "non-object value")
            ),
            Problem::Depth => format!(
                "agents.json has {records} away from the nesting a {version} snapshot needs ({shape}; restore picks it by version), first: '{first}': restore {skipped}"
            ),
            Problem::NoBroker => format!(
                "agents.json has {records} with neither broker_config nor all of {} (first: '{first}'): restore raises KeyError, {skipped}",
                FLAT_BROKER.join(", ")
            ),
            Problem::Empty => format!(
                "agents.json has {records} that are empty objects (first: '{first}'); only 3.2 snapshots write {{}} (for instances that never started): restore raises KeyError, {skipped}"
            ),
            Problem::BrokerIp => format!(
                "agents.json has {records} whose broker_ip is neither a string nor a list of strings (first: '{first}'): the restored agents cannot reach their broker"
            ),
        };
        ctx.push(Finding::new(Code::AgentsShape, msg).at_path("agents.json"));
    }
    Ok(())
}

/// Kinds of `agents.json` shape problems, reported once each with a count and the first path.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Problem {
    NotObject,
    Depth,
    NoBroker,
    Empty,
    BrokerIp,
}

#[derive(Debug, Default)]
struct AgentsWalk {
    /// Depth of the leaves (the root is depth 0).
    want: usize,
    e0: bool,
    agents: u64,
    broker_pass: u64,
    vm_password: u64,
    problems: BTreeMap<Problem, (u64, String)>,
}

impl AgentsWalk {
    fn visit(&mut self, value: &Value, depth: usize, path: &mut Vec<String>) {
        let Value::Object(m) = value else {
            let at = if path.is_empty() { "the top level".to_string() } else { format!("'{}'", path.join("/")) };
            self.note(Problem::NotObject, &[format!("{at} is a JSON {}", json_kind(value))]);
            return;
        };
        if depth < self.want && looks_like_leaf(m) {
            self.note(Problem::Depth, path);
            self.leaf(m, path);
        } else if depth < self.want {
            for (k, child) in m {
                path.push(k.chars().take(100).collect());
                self.visit(child, depth + 1, path);
                path.pop();
            }
        } else if m.is_empty() {
            if !self.e0 {
                self.note(Problem::Empty, path);
            }
        } else if !looks_like_leaf(m) && m.values().all(|c| c.as_object().is_some_and(looks_like_leaf)) {
            // One level too deep: the records sit below the expected leaf.
            self.note(Problem::Depth, path);
            for (k, child) in m {
                path.push(k.chars().take(100).collect());
                child.as_object().inspect(|c| self.leaf(c, path));
                path.pop();
            }
        } else {
            self.leaf(m, path);
        }
    }

    fn leaf(&mut self, m: &Map<String, Value>, path: &[String]) {
        self.agents += 1;
        let filled = |v: Option<&Value>| u64::from(v.and_then(Value::as_str).is_some_and(|s| !s.is_empty()));
        self.vm_password += filled(m.get("password"));
        let broker = match m.get("broker_config") {
            Some(Value::Object(b)) => b,
            _ if FLAT_BROKER.iter().all(|k| m.contains_key(*k)) => m,
            _ => {
                self.note(Problem::NoBroker, path);
                self.broker_pass += filled(m.get("broker_pass"));
                return;
            }
        };
        self.broker_pass += filled(broker.get("broker_pass"));
        let ip_ok = match broker.get("broker_ip") {
            None | Some(Value::String(_)) => true,
            Some(Value::Array(list)) => list.iter().all(Value::is_string),
            Some(_) => false,
        };
        if !ip_ok {
            self.note(Problem::BrokerIp, path);
        }
    }

    fn note(&mut self, problem: Problem, path: &[String]) {
        let slot = self.problems.entry(problem).or_insert_with(|| (0, path.join("/")));
        slot.0 += 1;
    }
}

fn looks_like_leaf(m: &Map<String, Value>) -> bool {
    m.contains_key("broker_config") || FLAT_BROKER.iter().any(|k| m.contains_key(*k))
}

/// C5: `networks.json` (4.2+), and the networks the target must define.
fn networks(ctx: &mut Ctx, sem: &Semantics) -> Result<(), Error> {
    if sem.version.is_none_or(|s| s < v(4, 2, 0)) {
        return Ok(());
    }
    let Some(entry) = ctx.archive.by_name("networks.json") else {
        let msg = "networks.json is missing: restore of snapshots from 4.2 on opens it to check the networks of live agents against the target, and fails; use the archive exactly as the manager created it";
        ctx.push(Finding::new(Code::NetworksMissing, msg).at_path("networks.json"));
        return Ok(());
    };
    let invalid = |what: String| Finding::new(Code::NetworksInvalid, what).at_path("networks.json");
    match ctx.read_json(entry)? {
        None => {}
        Some(Err(e)) => ctx.push(invalid(format!("networks.json is not valid JSON ({e}): restore's network check fails"))),
        Some(Ok(value)) => match value.get("active_networks").and_then(Value::as_array) {
            Some(list) if list.iter().all(Value::is_string) => {
                // Every manager defines `default`; only other names need preparing.
                let names: Vec<&str> = list.iter().filter_map(Value::as_str).filter(|n| *n != "default").collect();
                if !names.is_empty() {
                    let shown: Vec<String> = names.iter().take(10).map(|n| format!("'{n}'")).collect();
                    let more = if names.len() > 10 { format!(" and {} more", names.len() - 10) } else { String::new() };
                    ctx.push(
                        Finding::new(
                            Code::NetworksActive,
                            format!(
                                "agents use the networks {}{more}: the target manager (and from 5.0 its brokers) must define networks of these names, or restore fails (\"… do not appear in the provider context …\" / \"… are used by agents, but are missing from the manager …\")",
                                shown.join(", ")
                            ),
                        )
                        .at_path("networks.json"),
                    );
                }
            }
            _ => ctx.push(invalid(format!(
                "networks.json holds a JSON {} without an active_networks list of strings: restore's network check fails",
                json_kind(&value)
            ))),
        },
    }
    Ok(())
}

/// C6: `rest-security.conf` (4.4+) and its encryption key; its keys are key material (S2).
fn rest_security(ctx: &mut Ctx, sem: &mut Semantics) -> Result<(), Error> {
    let needed = sem.version.is_some_and(|s| s >= v(4, 4, 0));
    let Some(entry) = ctx.archive.by_name("rest-security.conf") else {
        if needed {
            let msg = "rest-security.conf is missing: restore of snapshots from 4.4 on needs it (its encryption_key decrypts the secrets in pg_data) and fails; use the archive exactly as the manager created it";
            ctx.push(Finding::new(Code::RestSecurityMissing, msg).at_path("rest-security.conf"));
        }
        return Ok(());
    };
    let path = "rest-security.conf";
    let conf = match ctx.read_json(entry)? {
        Some(Ok(Value::Object(m))) => m,
        parsed => {
            sem.add_secret(SecretKind::EncryptionKey, path, 1);
            let why = match parsed {
                Some(Err(e)) => format!("is not valid JSON ({e})"),
                Some(Ok(other)) => format!("holds a JSON {}, not an object", json_kind(&other)),
                None => return Ok(()),
            };
            if needed {
                let msg =
                    format!("rest-security.conf {why}: restore merges it into the manager's configuration and fails");
                ctx.push(Finding::new(Code::RestSecurityInvalid, msg).at_path(path));
            }
            return Ok(());
        }
    };
    let secrets = REST_SECRETS.iter().filter(|k| conf.get(**k).is_some_and(|v| !v.is_null())).count();
    sem.add_secret(SecretKind::EncryptionKey, path, secrets as u64);
    let problem = match conf.get("encryption_key") {
        None => Some("is missing".to_string()),
        Some(Value::String(key)) => match base64::decoded_len(key.trim()) {
            Some(32 | 64) => None,
            Some(n) => Some(format!("decodes to {n} bytes")),
            None => Some("is not URL-safe base64".to_string()),
        },
        Some(other) => Some(format!("is a JSON {}", json_kind(other))),
    };
    if let (true, Some(problem)) = (needed, problem) {
        let msg = format!(
            "rest-security.conf's encryption_key {problem}; Cloudify's key is URL-safe base64 of 32 bytes (Fernet) or 64 bytes (Fernet256), so the secrets restored from pg_data will not decrypt on the target"
        );
        ctx.push(Finding::new(Code::EncryptionKeyInvalid, msg).at_path(path));
    }
    Ok(())
}

/// C7: `admin_account.json` (4.4+, or with `hash_salt.json`); the admin's password hash and the
/// 4.2–4.3 hash salt are inventoried.
fn admin_account(ctx: &mut Ctx, sem: &mut Semantics) -> Result<(), Error> {
    let salt = ctx.archive.by_name("hash_salt.json").is_some();
    if salt {
        sem.add_secret(SecretKind::EncryptionKey, "hash_salt.json", 1);
    }
    let needed = sem.version.is_some_and(|s| s >= v(4, 4, 0)) || salt;
    let path = "admin_account.json";
    let Some(entry) = ctx.archive.by_name(path) else {
        if needed {
            let why = if salt { "snapshots with hash_salt.json" } else { "snapshots from 4.4 on" };
            let msg = format!(
                "admin_account.json is missing: restore of {why} reads it to restore the admin user, and fails"
            );
            ctx.push(Finding::new(Code::AdminAccountMissing, msg).at_path(path));
        }
        return Ok(());
    };
    let why = match ctx.read_json(entry)? {
        None => return Ok(()),
        Some(Ok(Value::Object(m))) => {
            let has_hash = m.get("password").and_then(Value::as_str).is_some_and(|p| !p.is_empty());
            sem.add_secret(SecretKind::PasswordHash, "admin_account.json: password", u64::from(has_hash));
            let missing: Vec<&str> =
                ["id", "username", "password"].into_iter().filter(|k| !m.contains_key(*k)).collect();
            if missing.is_empty() {
                return Ok(());
            }
            format!("lacks {}", missing.join(", "))
        }
        Some(Ok(other)) => format!("holds a JSON {}, not an object", json_kind(&other)),
        Some(Err(e)) => format!("is not valid JSON even after trimming whitespace ({e})"),
    };
    if needed {
        let msg = format!(
            "admin_account.json {why}: restore needs the admin user's id, username and password from it and fails"
        );
        ctx.push(Finding::new(Code::AdminAccountInvalid, msg).at_path(path));
    }
    Ok(())
}

/// C8 without a target: a premium snapshot (its metadata has the Stage / Composer revision)
/// whose Stage or Composer dump is missing. With a target, `target.rs` says it precisely.
fn premium_dumps(ctx: &mut Ctx, sem: &Semantics) {
    if ctx.opts.target_version.is_some() {
        return;
    }
    let at_least = |x| sem.version.is_some_and(|s| s >= x);
    let has = |n: &str| ctx.archive.by_name(n).is_some();
    let mut out = Vec::new();
    if sem.metadata.contains_key("stage_schema_revision") && at_least(v(4, 0, 1)) && !has("stage_data") {
        out.push(Finding::new(
            Code::StageDataMissing,
            "metadata.json has stage_schema_revision (a premium snapshot) but stage_data is missing: premium managers restore Stage regardless and fail for snapshots from 4.3 on (older ones warn \"Could not restore stage\"); pass --target-version for a precise prediction",
        ).at_path("stage_data"));
    }
    if sem.metadata.contains_key("composer_schema_revision") && at_least(v(4, 2, 0)) && !has("composer_data") {
        out.push(Finding::new(
            Code::ComposerDataMissing,
            "metadata.json has composer_schema_revision (a premium snapshot) but composer_data is missing: premium managers with a Composer database run psql on it for snapshots from 4.2 on and fail; pass --target-version for a precise prediction",
        ).at_path("composer_data"));
    }
    ctx.findings.extend(out);
}

/// C13: `snapshot-credentials/<folder>/agent_key`, folders named by the era's pattern; the keys
/// are inventoried (S2).
fn credentials(ctx: &mut Ctx, sem: &mut Semantics) {
    // folder -> has agent_key
    let mut folders: BTreeMap<&str, bool> = BTreeMap::new();
    let mut stray = (0u64, None::<&str>);
    let mut keys = 0u64;
    for e in &ctx.archive.entries {
        let Some(rest) = e.name.strip_prefix("snapshot-credentials/") else { continue };
        let parts: Vec<&str> = rest.split('/').collect();
        if let [d, _, ..] = parts.as_slice()
            && !d.is_empty()
        {
            folders.entry(d).or_default();
        }
        match parts.as_slice() {
            [""] | [_, ""] => {}
            [d, "agent_key"] if !d.is_empty() => {
                folders.insert(d, true);
                keys += u64::from(e.uncompressed_size > 0);
            }
            _ => {
                stray.0 += 1;
                stray.1.get_or_insert(&e.name);
            }
        }
    }
    sem.add_secret(SecretKind::AgentKey, "snapshot-credentials/*/agent_key", keys);
    let mut out = Vec::new();
    let examples = |names: &[&str]| names.iter().take(3).map(|n| format!("'{n}'")).collect::<Vec<_>>().join(", ");
    let keyless: Vec<&str> = folders.iter().filter(|(_, k)| !**k).map(|(d, _)| *d).collect();
    if !keyless.is_empty() {
        out.push(format!(
            "snapshot-credentials/ has {} without agent_key (e.g. {}): the agents of those nodes get no SSH key on restore; take the keys from the original manager",
            plural(keyless.len() as u64, "folder"),
            examples(&keyless)
        ));
    }
    if let (n @ 1.., Some(first)) = stray {
        out.push(format!(
            "snapshot-credentials/ has {} other than <folder>/agent_key (first: '{first}'): Cloudify never writes them and restore ignores them",
            plural(n, "file")
        ));
    }
    // E0 names folders by Elasticsearch ids, so only 3.3+ has a pattern. Deployment and node
    // ids may hold `_` themselves, so the check is a lower bound on the separators.
    let scoped = sem.version.is_some_and(|s| s >= v(4, 1, 0));
    let (pattern, separators) = match sem.version {
        _ if scoped => ("<tenant>_<deployment_id>_<node_id>", 2),
        Some(s) if s >= v(3, 3, 0) => ("<deployment_id>_<node_id>", 1),
        _ => ("", 0),
    };
    let tenants = &sem.info.tenants;
    let ok = |d: &str| match (scoped, tenants.is_empty()) {
        (true, false) => tenants
            .iter()
            .any(|t| d.strip_prefix(t.as_str()).and_then(|r| r.strip_prefix('_')).is_some_and(|r| r.contains('_'))),
        _ => d.matches('_').count() >= separators,
    };
    let odd: Vec<&str> = folders.keys().copied().filter(|d| !ok(d)).collect();
    if !odd.is_empty() {
        out.push(format!(
            "snapshot-credentials/ has {} not following the {} naming {pattern} (e.g. {}): restore maps each folder to its node by that name, so these keys are probably not restored",
            plural(odd.len() as u64, "folder"),
            sem.info.snapshot_version.as_deref().unwrap_or("?"),
            examples(&odd)
        ));
    }
    for msg in out {
        ctx.push(Finding::new(Code::CredentialsLayout, msg).at_path("snapshot-credentials/"));
    }
}

/// C14: files only restore itself creates.
fn restore_time_files(ctx: &mut Ctx) {
    let mut out = Vec::new();
    for e in ctx.archive.entries.iter().filter(|e| !e.name.contains('/')) {
        let what = match RESTORE_TIME_FILES.iter().find(|(n, _)| *n == e.name) {
            Some((_, what)) => *what,
            None if e.name.ends_with(".new") || e.name.ends_with(".pre") => "a dump with restore's own SQL added",
            None => continue,
        };
        out.push(Finding::new(
            Code::RestoreTimeFile,
            format!(
                "'{}' is a file Cloudify's restore writes into its working directory ({what}); no snapshot contains it, so this archive was assembled by hand, probably from an extracted restore: re-create the snapshot with 'cfy snapshots create' or remove the file",
                e.name
            ),
        ).at_path(&e.name));
    }
    ctx.findings.extend(out);
}

/// S2: private keys and certificates anywhere in the archive, by name (agent keys are counted
/// by [`credentials`]).
fn key_files(a: &Archive, sem: &mut Semantics) {
    let mut listed = [0usize; 2];
    let mut rest = [0u64; 2];
    for e in a.entries.iter().filter(|e| !e.is_dir() && !e.name.starts_with("snapshot-credentials/")) {
        let base = e.name.rsplit('/').next().unwrap_or("").to_ascii_lowercase();
        let ext = base.rsplit_once('.').map_or("", |(_, x)| x);
        let kind = match ext {
            "p12" | "pfx" | "key" => SecretKind::PrivateKey,
            "pem" if base.contains("key") => SecretKind::PrivateKey,
            "pem" | "crt" | "cer" => SecretKind::Certificate,
            _ => continue,
        };
        let slot = usize::from(kind == SecretKind::Certificate);
        if listed[slot] < MAX_KEY_ITEMS {
            listed[slot] += 1;
            sem.add_secret(kind, e.name.clone(), 1);
        } else {
            rest[slot] += 1;
        }
    }
    sem.add_secret(SecretKind::PrivateKey, "(more files named like private keys)", rest[0]);
    sem.add_secret(SecretKind::Certificate, "(more certificate files)", rest[1]);
}

/// S3: Stage and Composer configuration files with database URLs and application secrets.
fn config_credentials(ctx: &mut Ctx, sem: &mut Semantics) -> Result<(), Error> {
    for path in ["stage/conf/app.json", "composer/backend/conf/prod.json"] {
        let Some(entry) = ctx.archive.by_name(path) else { continue };
        let count = match ctx.read_json(entry)? {
            Some(Ok(value)) => credential_values(&value, ""),
            _ => 1,
        };
        sem.add_secret(SecretKind::ConfigCredential, path, count);
    }
    Ok(())
}

/// Non-empty string values whose key names a credential, or URLs with a password in them.
fn credential_values(value: &Value, key: &str) -> u64 {
    match value {
        Value::Object(m) => m.iter().map(|(k, v)| credential_values(v, k)).sum(),
        Value::Array(list) => list.iter().map(|v| credential_values(v, key)).sum(),
        Value::String(s) if !s.is_empty() => {
            let k = key.to_ascii_lowercase();
            let named = ["password", "passwd", "secret", "token", "apikey", "api_key", "privatekey"]
                .iter()
                .any(|w| k.contains(w));
            let url_password = s.split_once("://").is_some_and(|(_, rest)| {
                rest.split('/')
                    .next()
                    .and_then(|auth| auth.rsplit_once('@'))
                    .is_some_and(|(user, _)| user.contains(':'))
            });
            u64::from(named || url_password)
        }
        _ => 0,
    }
}

/// The data-pass analyzer of a dump at the archive root (nested archives are `nested.rs`'s).
pub(crate) fn analyzer_for(sem: &Semantics, entry: &Entry) -> Option<Box<dyn Analyzer>> {
    let (_, dump) = sem.legacy.dumps.iter().find(|(i, _)| *i == entry.index)?;
    Some(match dump {
        Dump::Es => Box::new(EsScanner::default()),
        _ => Box::new(SqlScanner::new()),
    })
}

pub(crate) fn conclude(ctx: &mut Ctx, sem: &mut Semantics, facts: Vec<(usize, Facts)>) {
    if ctx.opts.level == Level::Quick {
        let dumps: Vec<String> = sem
            .legacy
            .dumps
            .iter()
            .map(|(i, _)| &ctx.archive.entries[*i])
            .filter(|e| e.uncompressed_size > 0)
            .map(|e| format!("{} ({})", e.name, human_bytes(e.uncompressed_size)))
            .collect();
        if !dumps.is_empty() {
            let were = if dumps.len() == 1 { "was" } else { "were" };
            ctx.push(Finding::new(
                Code::QuickLimit,
                format!(
                    "{} not streamed at the quick level, so whether they are complete, what they hold (row counts, tenants, users) and the secrets in them are not in this report; run with --level full",
                    dumps.join(", ") + " " + were
                ),
            ));
        }
    }
    for (index, facts) in facts {
        let entry = &ctx.archive.entries[index];
        let dump = sem.legacy.dumps.iter().find(|(i, _)| *i == index).map(|(_, d)| *d);
        match (facts, dump) {
            (Facts::Sql(f), Some(dump)) => sql(ctx, sem, dump, entry, &f),
            (Facts::EsData(f), _) => es(ctx, sem, entry, &f),
            _ => {}
        }
    }
}

/// C3, C4, C8 findings of one dump, and its counts and secrets.
fn sql(ctx: &mut Ctx, sem: &mut Semantics, dump: Dump, entry: &Entry, f: &SqlFacts) {
    let name = entry.name.as_str();
    let version = sem.info.snapshot_version.clone().unwrap_or_else(|| "?".into());
    if dump == Dump::Pg {
        // Secrets count even from a damaged dump: a lower bound is better than nothing.
        let clear = sem.version.is_none_or(|s| s < v(4, 4, 0));
        let kind = |clear_kind| if clear { clear_kind } else { SecretKind::EncryptedSecret };
        sem.add_secret(kind(SecretKind::ClearSecret), "pg_data: secrets.value", f.values("secrets", "value"));
        sem.add_secret(SecretKind::PasswordHash, "pg_data: users.password", f.values("users", "password"));
        let tenants_pw = f.values("tenants", "rabbitmq_password");
        sem.add_secret(kind(SecretKind::BrokerPassword), "pg_data: tenants.rabbitmq_password", tenants_pw);
        let agents_pw = f.values("agents", "rabbitmq_password");
        sem.add_secret(SecretKind::EncryptedSecret, "pg_data: agents.rabbitmq_password", agents_pw);
    }
    // A damaged entry already has its data findings; its partial content proves nothing more.
    if !f.verified || entry.uncompressed_size == 0 {
        return;
    }
    let mut out = Vec::new();
    if !f.header {
        out.push(Finding::new(
            Code::SqlDumpInvalid,
            format!("{name} does not start with the pg_dump header ('--', '-- PostgreSQL database dump'): it is not a plain-text pg_dump (perhaps a custom-format or compressed dump, or another file), and restore's psql -f fails on it"),
        ));
        ctx.findings.extend(out.into_iter().map(|x| x.at_path(name)));
        return;
    }
    if let Some(line) = f.bad_utf8_line {
        out.push(Finding::new(
            Code::SqlDumpInvalid,
            format!("{name} is not valid UTF-8 at line {line}: psql fails with 'invalid byte sequence for encoding \"UTF8\"' and the restore rolls back; the file was re-encoded or damaged, use the original"),
        ));
    }
    match &f.open_copy {
        Some((table, rows)) => out.push(Finding::new(
            Code::SqlDumpTruncated,
            format!("{name} ends inside the COPY block of table '{table}' after {}, without its '\\.' line{}: the dump was cut short, psql fails and the restore rolls back; use an intact copy of the snapshot",
                plural(*rows, "row"), if f.complete { "" } else { " and without the '-- PostgreSQL database dump complete' marker" }),
        )),
        None if !f.complete => out.push(Finding::new(
            Code::SqlDumpTruncated,
            format!("{name} lacks the '-- PostgreSQL database dump complete' line pg_dump writes last: the dump was cut short after {} lines, between two tables, so restore silently misses every table after the cut; use an intact copy of the snapshot", f.lines),
        )),
        None => {}
    }
    if dump == Dump::Pg && sem.version.is_some_and(|s| s >= v(4, 0, 0)) && f.complete && !f.delete {
        out.push(Finding::new(
            Code::SqlDumpNoDelete,
            format!("pg_data lacks the trailing \"DELETE FROM executions WHERE id = '…';\" that every {version} snapshot appends to drop its own create_snapshot execution, which otherwise comes back as 'started' after restore: the dump was edited or assembled by hand"),
        ));
    }
    if dump == Dump::Pg
        && let Some(s) = sem.version
    {
        for table in kept_tables(s) {
            if let Some(n @ 1..) = f.rows(table) {
                out.push(Finding::new(
                    Code::SqlKeptTable,
                    format!("pg_data holds {} for table '{table}', which {version} snapshots leave out because restore keeps the target's own rows there: they clash with those rows (psql fails on duplicate keys, or the target's settings are replaced); the dump was not written by a {version} snapshot, so remove that COPY block or re-create the snapshot", plural(n, "row")),
                ));
            }
        }
    }
    ctx.findings.extend(out.into_iter().map(|x| x.at_path(name)));
    // Counts from a cut dump would understate; the file-based ones stay.
    let whole = f.complete && f.open_copy.is_none();
    if dump != Dump::Pg || !whole || sem.era.map(Era::format) != Some(Format::Legacy) {
        return;
    }
    let c = &mut sem.info.counts;
    c.events = ["events", "logs"].iter().filter_map(|t| f.rows(t)).reduce(|a, b| a + b);
    // The trailing DELETE drops the snapshot's own execution on restore.
    c.executions = f.rows("executions").map(|n| n.saturating_sub(u64::from(f.delete)));
    c.secrets = f.rows("secrets");
    c.users = f.rows("users");
    c.blueprints = c.blueprints.or(f.rows("blueprints"));
    c.plugins = c.plugins.or(f.rows("plugins"));
    // deployments/ holds only the deployments that have files; the table holds all of them.
    c.deployments = f.rows("deployments").or(c.deployments);
    if let Some(rows) = f.rows("tenants") {
        sem.info.tenants.extend(f.tenant_names.iter().cloned());
        sem.info.tenants.sort();
        sem.info.tenants.dedup();
        c.tenants = Some(rows.max(sem.info.tenants.len() as u64));
    }
    // `--exclude-events` / `--exclude-logs` exist from 4.3; before, a missing table was not a choice.
    let excluded = |t: &str| match f.rows(t) {
        Some(_) => Some(false),
        None => sem.version.is_some_and(|s| s >= v(4, 3, 0)).then_some(true),
    };
    sem.info.flags.events_excluded = excluded("events");
    sem.info.flags.logs_excluded = excluded("logs");
}

/// The tables a `snapshot_version`'s `pg_dump` leaves out because restore keeps the target's
/// own rows (spec §3.7.3).
fn kept_tables(s: Version) -> Vec<&'static str> {
    let mut t = vec!["snapshots", "provider_context", "roles"];
    let steps: [(Version, &[&'static str]); 5] = [
        (v(4, 0, 1), &["alembic_version"]),
        (v(4, 6, 0), &["licenses"]),
        (v(5, 0, 0), &["config", "rabbitmq_brokers", "certificates", "managers"]),
        (v(5, 0, 5), &["db_nodes"]),
        (v(5, 2, 0), &["maintenance_mode", "usage_collector", "plugins_states"]),
    ];
    for (from, tables) in steps {
        if s >= from {
            t.extend_from_slice(tables);
        }
    }
    t
}

/// C12 findings for es_data, and the 3.x counts.
fn es(ctx: &mut Ctx, sem: &mut Semantics, entry: &Entry, f: &EsFacts) {
    if !f.verified {
        return;
    }
    let bad = f.not_json + f.missing_fields + f.unknown_type;
    if bad > 0 {
        let kinds: Vec<String> = [
            (f.not_json, "not JSON"),
            (f.missing_fields, "without _type or _source"),
            (f.unknown_type, "with an unknown _type"),
        ]
        .iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, what)| format!("{n} {what}"))
        .collect();
        let lines: Vec<String> = f.bad_lines.iter().map(u64::to_string).collect();
        let more = if bad > f.bad_lines.len() as u64 { ", …" } else { "" };
        ctx.push(
            Finding::new(
                Code::EsDataLineInvalid,
                format!(
                    "es_data has {bad} of {} lines that are not Elasticsearch hits restore can convert ({}; lines {}{more}): restore logs \"Bad line\" or \"Undefined type\" and drops those records",
                    f.lines,
                    kinds.join(", "),
                    lines.join(", ")
                ),
            )
            .at_path(&entry.name),
        );
    }
    if f.unchecked > 0 {
        ctx.push(
            Finding::new(
                Code::QuickLimit,
                format!("es_data has {} longer than 1 MiB, counted but not parsed", plural(f.unchecked, "line")),
            )
            .at_path(&entry.name),
        );
    }
    if sem.era.map(Era::format) != Some(Format::Elasticsearch) {
        return;
    }
    let n = |types: &[&str]| types.iter().filter_map(|t| f.by_type.get(t).copied()).reduce(|a, b| a + b);
    let c = &mut sem.info.counts;
    c.events = n(&["cloudify_event", "cloudify_log"]);
    c.executions = n(&["execution"]);
    c.blueprints = c.blueprints.or(n(&["blueprint"]));
    c.deployments = n(&["deployment"]).or(c.deployments);
    c.plugins = c.plugins.or(n(&["plugin"]));
}

/// The es_data line checker (C12).
#[derive(Debug, Default)]
struct EsScanner {
    lines: Lines,
    facts: EsFacts,
}

/// The fields of an Elasticsearch hit that `estopg` asserts.
#[derive(serde::Deserialize)]
struct Hit {
    #[serde(rename = "_type")]
    ty: Option<String>,
    #[serde(rename = "_source")]
    source: Option<serde::de::IgnoredAny>,
}

fn es_line(f: &mut EsFacts, line: &[u8], cut: bool, n: u64) {
    if line.trim_ascii().is_empty() {
        return;
    }
    f.lines += 1;
    if cut {
        f.unchecked += 1;
        return;
    }
    let problem = match serde_json::from_slice::<Hit>(line) {
        Ok(Hit { ty: Some(ty), source: Some(_) }) => match ES_TYPES.iter().find(|t| **t == ty) {
            Some(t) => {
                *f.by_type.entry(t).or_default() += 1;
                return;
            }
            None => &mut f.unknown_type,
        },
        Ok(_) => &mut f.missing_fields,
        Err(e) if e.classify() == serde_json::error::Category::Data => &mut f.missing_fields,
        Err(_) => &mut f.not_json,
    };
    *problem += 1;
    if f.bad_lines.len() < 5 {
        f.bad_lines.push(n);
    }
}

impl Analyzer for EsScanner {
    fn feed(&mut self, bytes: &[u8]) {
        let facts = &mut self.facts;
        self.lines.feed(bytes, |line, cut, n| es_line(facts, line, cut, n));
    }

    fn finish(mut self: Box<Self>, verified: bool) -> Facts {
        let facts = &mut self.facts;
        self.lines.finish(|line, cut, n| es_line(facts, line, cut, n));
        self.facts.verified = verified;
        Facts::EsData(self.facts)
    }
}

/// `1 thing`, `2 things`.
fn plural(n: u64, thing: &str) -> String {
    if n == 1 { format!("1 {thing}") } else { format!("{n} {thing}s") }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn es(chunks: &[&[u8]]) -> EsFacts {
        let mut s: Box<dyn Analyzer> = Box::new(EsScanner::default());
        for c in chunks {
            s.feed(c);
        }
        match s.finish(true) {
            Facts::EsData(f) => f,
            other => panic!("{other:?}"),
        }
    }

    const ES: &str = "{\"_index\": \"cloudify_storage\", \"_type\": \"blueprint\", \"_id\": \"bp\", \"_source\": {\"id\": \"bp\"}}\n\
        {\"_type\": \"cloudify_log\", \"_source\": {\"message\": {\"text\": \"é\"}}}\n\
        \n\
        not json at all\n\
        {\"_type\": \"provider_context\", \"_source\": {}}\n\
        {\"_source\": {}}\n\
        [1, 2]\n";

    #[test]
    fn es_lines_are_classified_at_every_split() {
        let whole = es(&[ES.as_bytes()]);
        assert_eq!(whole.lines, 6);
        assert_eq!(whole.by_type.get("blueprint"), Some(&1));
        assert_eq!(whole.by_type.get("cloudify_log"), Some(&1));
        assert_eq!((whole.not_json, whole.unknown_type, whole.missing_fields), (1, 1, 2));
        assert_eq!(whole.bad_lines, [4, 5, 6, 7]);
        let b = ES.as_bytes();
        for i in 0..=b.len() {
            assert_eq!(es(&[&b[..i], &b[i..]]), whole, "split at {i}");
        }
        // Without a final newline the last line still counts.
        assert_eq!(es(&[ES.trim_end().as_bytes()]), whole);
    }

    #[test]
    fn credentials_in_config_are_counted_by_key_and_url() {
        let app: Value = serde_json::json!({
            "db": {"url": "postgres://cloudify:pw@localhost:5432/stage", "options": {"ssl": false}},
            "github": {"username": "u", "password": "p"},
            "maps": {"accessToken": "t", "tilesUrl": "https://x/{z}"},
            "sessionSecret": "s", "empty": {"password": ""},
            "plain": "https://user@host/path"
        });
        assert_eq!(credential_values(&app, ""), 4);
    }

    #[test]
    fn kept_tables_grow_by_version() {
        assert!(!kept_tables(v(4, 0, 0)).contains(&"alembic_version"));
        assert!(kept_tables(v(4, 0, 1)).contains(&"alembic_version"));
        assert!(kept_tables(v(5, 0, 5)).contains(&"db_nodes"));
        assert!(!kept_tables(v(5, 0, 0)).contains(&"db_nodes"));
    }

    #[test]
    fn agents_walk_finds_shape_problems() {
        let walk = |value: Value, want: usize, e0: bool| {
            let mut w = AgentsWalk { want, e0, ..AgentsWalk::default() };
            w.visit(&value, 0, &mut Vec::new());
            w
        };
        let leaf =
            serde_json::json!({"version": "4.4.0", "broker_config": {"broker_ip": ["10.0.0.1"], "broker_pass": "x"}});
        let w = walk(serde_json::json!({"t": {"d": {"n": {"ni": leaf.clone()}}}}), 4, false);
        assert_eq!((w.agents, w.broker_pass), (1, 1));
        assert!(w.problems.is_empty());
        // A 4.1+ snapshot with the flat nesting: records one level too high.
        let w = walk(serde_json::json!({"d": {"n": {"ni": leaf.clone()}}}), 4, false);
        assert_eq!(w.problems.get(&Problem::Depth).map(|p| p.0), Some(1));
        // A 4.0 snapshot with tenant nesting: records one level too deep.
        let w = walk(serde_json::json!({"t": {"d": {"n": {"ni": leaf}}}}), 3, false);
        assert_eq!(w.problems.get(&Problem::Depth).map(|p| p.0), Some(1));
        assert_eq!(w.agents, 1);
        let w = walk(
            serde_json::json!({"d": {"n": {"a": {}, "b": {"version": "4.0"}, "c": {"broker_config": {"broker_ip": 5}}}, "m": 3}}),
            3,
            false,
        );
        let counts: Vec<(Problem, u64)> = w.problems.iter().map(|(p, (n, _))| (*p, *n)).collect();
        assert_eq!(
            counts,
            [(Problem::NotObject, 1), (Problem::NoBroker, 1), (Problem::Empty, 1), (Problem::BrokerIp, 1)]
        );
        assert!(walk(serde_json::json!({"d": {"n": {"a": {}}}}), 3, true).problems.is_empty());
    }
}
