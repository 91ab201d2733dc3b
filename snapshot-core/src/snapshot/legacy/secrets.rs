//! The legacy security inventory beyond the dumps: C13 (`snapshot-credentials/`), S2 (key and
//! certificate files by name) and S3 (credentials in the Stage and Composer configuration).

use super::{plural, v};
use crate::Error;
use crate::code::Code;
use crate::report::{Finding, SecretKind};
use crate::snapshot::{Ctx, Semantics};
use crate::zip::Archive;
use serde_json::Value;
use std::collections::BTreeMap;

/// Key and certificate files listed one by one; more are summed into one item.
const MAX_KEY_ITEMS: usize = 100;

/// C13: `snapshot-credentials/<folder>/agent_key`, folders named by the era's pattern; the keys
/// are inventoried (S2).
pub(super) fn credentials(ctx: &mut Ctx, sem: &mut Semantics) {
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
                keys = keys.saturating_add(u64::from(e.uncompressed_size > 0));
            }
            _ => {
                stray.0 = stray.0.saturating_add(1);
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

/// S2: private keys and certificates anywhere in the archive, by name (agent keys are counted
/// by [`credentials`]).
pub(super) fn key_files(a: &Archive, sem: &mut Semantics) {
    let mut listed = [0usize; 2];
    let mut rest = [0u64; 2];
    for e in a.entries.iter().filter(|e| !e.is_dir() && !e.name.starts_with("snapshot-credentials/")) {
        let base = e.name.rsplit('/').next().unwrap_or("");
        // Every extension below has three letters: others are skipped before the lower-casing
        // (an allocation per file).
        if base.rsplit_once('.').is_none_or(|(_, x)| x.len() != 3) {
            continue;
        }
        let base = base.to_ascii_lowercase();
        let ext = base.rsplit_once('.').map_or("", |(_, x)| x);
        let kind = match ext {
            "p12" | "pfx" | "key" => SecretKind::PrivateKey,
            "pem" if base.contains("key") => SecretKind::PrivateKey,
            "pem" | "crt" | "cer" => SecretKind::Certificate,
            _ => continue,
        };
        let slot = usize::from(kind == SecretKind::Certificate);
        if listed[slot] < MAX_KEY_ITEMS {
            listed[slot] = listed[slot].saturating_add(1);
            sem.add_secret(kind, e.name.clone(), 1);
        } else {
            rest[slot] = rest[slot].saturating_add(1);
        }
    }
    sem.add_secret(SecretKind::PrivateKey, "(more files named like private keys)", rest[0]);
    sem.add_secret(SecretKind::Certificate, "(more certificate files)", rest[1]);
}

/// S3: Stage and Composer configuration files with database URLs and application secrets.
pub(super) fn config_credentials(ctx: &mut Ctx, sem: &mut Semantics) -> Result<(), Error> {
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
pub(super) fn credential_values(value: &Value, key: &str) -> u64 {
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
