//! The security summary (spec §6, S1/S2): the inventory as the findings a reader sees first.

#![deny(clippy::arithmetic_side_effects, clippy::cast_possible_truncation)]

use super::{Ctx, Semantics};
use crate::arith::SaturatingSum;
use crate::code::Code;
use crate::report::{Finding, SecretItem, SecretKind};

/// Turns the inventory into the S1/S2 findings a reader sees first.
pub(super) fn security_summary(ctx: &mut Ctx, sem: &Semantics) {
    let count = |kinds: &[SecretKind]| -> (u64, Vec<&str>) {
        let items: Vec<&SecretItem> = sem.security.items.iter().filter(|i| kinds.contains(&i.kind)).collect();
        (items.iter().map(|i| i.count).saturating_sum(), items.iter().map(|i| i.path.as_str()).collect())
    };
    let list = |paths: Vec<&str>| {
        let mut p: Vec<&str> = paths;
        p.dedup();
        let more = p.len().saturating_sub(5);
        let mut s = p.into_iter().take(5).collect::<Vec<_>>().join(", ");
        if more > 0 {
            s.push_str(&format!(" and {more} more"));
        }
        s
    };
    let (n, paths) = count(&[SecretKind::ClearSecret, SecretKind::BrokerPassword, SecretKind::ConfigCredential]);
    if n > 0 {
        ctx.push(Finding::new(
            Code::SecretsInClear,
            format!(
                "{n} secret or password values in clear text ({}); anyone holding this file can read them",
                list(paths)
            ),
        ));
    }
    let (n, paths) = count(&[SecretKind::PrivateKey, SecretKind::AgentKey, SecretKind::EncryptionKey]);
    if n > 0 {
        let decrypts = sem.security.items.iter().any(|i| i.kind == SecretKind::EncryptionKey)
            && sem.security.items.iter().any(|i| i.kind == SecretKind::EncryptedSecret);
        ctx.push(Finding::new(
            Code::KeyMaterial,
            format!(
                "{n} private keys or encryption keys ({}){}",
                list(paths),
                if decrypts { "; rest-security.conf decrypts the encrypted secrets in the same archive" } else { "" }
            ),
        ));
    }
    let (n, paths) = count(&[SecretKind::PasswordHash]);
    if n > 0 {
        ctx.push(Finding::new(Code::PasswordHashes, format!("{n} user password hashes ({})", list(paths))));
    }
}
