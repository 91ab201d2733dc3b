//! C3, C4, C8: the pg_dump text dumps (`pg_data`, `stage_data`, `composer_data`, spec §3.7.3)
//! as the data pass found them, and the counts and secrets they hold.

use super::{Dump, plural, v};
use crate::code::Code;
use crate::report::{Finding, SecretKind};
use crate::snapshot::sql::SqlFacts;
use crate::snapshot::version::Version;
use crate::snapshot::{Ctx, Era, Format, Semantics};
use crate::zip::Entry;

/// C3, C4, C8 findings of one dump, and its counts and secrets.
pub(super) fn sql(ctx: &mut Ctx, sem: &mut Semantics, dump: Dump, entry: &Entry, f: &SqlFacts) {
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
    c.events = ["events", "logs"].iter().filter_map(|t| f.rows(t)).reduce(u64::saturating_add);
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
pub(super) fn kept_tables(s: Version) -> Vec<&'static str> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kept_tables_grow_by_version() {
        assert!(!kept_tables(v(4, 0, 0)).contains(&"alembic_version"));
        assert!(kept_tables(v(4, 0, 1)).contains(&"alembic_version"));
        assert!(kept_tables(v(5, 0, 5)).contains(&"db_nodes"));
        assert!(!kept_tables(v(5, 0, 0)).contains(&"db_nodes"));
    }
}
