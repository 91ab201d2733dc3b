//! C2: `agents.json` (spec §3.7.2), its nesting and leaves; the agents count, tenants (4.1+)
//! and broker passwords in clear.

use super::plural;
use crate::Error;
use crate::code::Code;
use crate::report::{Finding, SecretKind};
use crate::snapshot::{Ctx, Era, Semantics, json_kind};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// The flat leaf keys restore accepts instead of `broker_config` (spec §3.7.2).
const FLAT_BROKER: [&str; 5] = ["broker_user", "broker_pass", "broker_ip", "broker_ssl_enabled", "broker_ssl_cert"];

/// C2: `agents.json`, its nesting and leaves; the agents count, tenants (4.1+) and broker
/// passwords in clear.
pub(super) fn agents(ctx: &mut Ctx, sem: &mut Semantics) -> Result<(), Error> {
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
                self.visit(child, depth.saturating_add(1), path);
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
        self.agents = self.agents.saturating_add(1);
        let filled = |v: Option<&Value>| u64::from(v.and_then(Value::as_str).is_some_and(|s| !s.is_empty()));
        self.vm_password = self.vm_password.saturating_add(filled(m.get("password")));
        let broker = match m.get("broker_config") {
            Some(Value::Object(b)) => b,
            _ if FLAT_BROKER.iter().all(|k| m.contains_key(*k)) => m,
            _ => {
                self.note(Problem::NoBroker, path);
                self.broker_pass = self.broker_pass.saturating_add(filled(m.get("broker_pass")));
                return;
            }
        };
        self.broker_pass = self.broker_pass.saturating_add(filled(broker.get("broker_pass")));
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
        slot.0 = slot.0.saturating_add(1);
    }
}

fn looks_like_leaf(m: &Map<String, Value>) -> bool {
    m.contains_key("broker_config") || FLAT_BROKER.iter().any(|k| m.contains_key(*k))
}

#[cfg(test)]
mod tests {
    use super::*;

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
