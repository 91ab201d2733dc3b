//! S1 for the new format (§6): counts of non-empty sensitive values, never the values.

use crate::report::SecretKind;
use crate::snapshot::Semantics;
use serde_json::Value;

/// S1 for the new format (§6): counts of non-empty sensitive values, never the values.
pub(super) fn inventory(sem: &mut Semantics, name: &str, ty: &str, items: &[Value]) {
    let filled = |v: Option<&Value>| match v {
        None | Some(Value::Null) => false,
        Some(Value::String(s)) => !s.is_empty(),
        Some(_) => true,
    };
    let count = |get: &dyn Fn(&Value) -> Option<&Value>| items.iter().filter(|i| filled(get(i))).count() as u64;
    match ty {
        "secrets" => {
            // Exported decrypted (`encrypted: false`); a true flag means the value is ciphertext.
            let encrypted = |i: &Value| i.get("encrypted").and_then(Value::as_bool) == Some(true);
            let clear = count(&|i| i.get("value").filter(|_| !encrypted(i)));
            let sealed = count(&|i| i.get("value").filter(|_| encrypted(i)));
            sem.add_secret(SecretKind::ClearSecret, format!("{name}: secrets"), clear);
            sem.add_secret(SecretKind::EncryptedSecret, format!("{name}: secrets"), sealed);
        }
        "tenants" | "agents" => sem.add_secret(
            SecretKind::BrokerPassword,
            format!("{name}: {ty}.rabbitmq_password"),
            count(&|i| i.get("rabbitmq_password")),
        ),
        "users" => sem.add_secret(
            SecretKind::PasswordHash,
            format!("{name}: users.password_hash"),
            count(&|i| i.get("password_hash")),
        ),
        "node_instances" => sem.add_secret(
            SecretKind::BrokerPassword,
            format!("{name}: node_instances.broker_pass"),
            count(&|i| {
                let agent = i.pointer("/runtime_properties/cloudify_agent")?;
                agent.pointer("/broker_config/broker_pass").or_else(|| agent.get("broker_pass"))
            }),
        ),
        _ => {}
    }
}
