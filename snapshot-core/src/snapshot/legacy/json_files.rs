//! C5–C7: the manager's JSON files restore reads besides the database dump: `networks.json`,
//! `rest-security.conf` and `admin_account.json`.

use crate::Error;
use crate::code::Code;
use crate::report::{Finding, SecretKind};
use crate::snapshot::{Ctx, Semantics, base64, json_kind};
use serde_json::Value;

use super::v;

/// Secret-bearing keys of `rest-security.conf` (spec §6).
const REST_SECRETS: [&str; 4] = ["encryption_key", "secret_key", "hash_salt", "encoding_alphabet"];

/// C5: `networks.json` (4.2+), and the networks the target must define.
pub(super) fn networks(ctx: &mut Ctx, sem: &Semantics) -> Result<(), Error> {
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
                    let more = if names.len() > 10 { format!(" and {} more", names.len().saturating_sub(10)) } else { String::new() };
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
pub(super) fn rest_security(ctx: &mut Ctx, sem: &mut Semantics) -> Result<(), Error> {
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
pub(super) fn admin_account(ctx: &mut Ctx, sem: &mut Semantics) -> Result<(), Error> {
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
