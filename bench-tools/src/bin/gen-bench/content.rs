//! Content: deterministic rows of `pg_data`, wagons and blueprint files.

use std::io::{self, Write};

use snapshot_tests::cloudify;

use crate::plan::{BP_FILES, PLUGINS, TENANTS, bp_name};

/// wyrand: small, fast, deterministic.
pub(crate) struct Rng(u64);

impl Rng {
    pub(crate) fn new(seed: u64) -> Rng {
        Rng(seed)
    }
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0xa076_1d64_78bd_642f);
        let t = u128::from(self.0) * u128::from(self.0 ^ 0xe703_7ed1_a0b4_28db);
        ((t >> 64) as u64) ^ (t as u64)
    }
    /// Uniform in `0..n`.
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next()) * u128::from(n)) >> 64) as u64
    }
    /// Uniform in `lo..=hi`.
    fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.below(hi - lo + 1)
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
    /// Uniform pick.
    pub(crate) fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[self.below(xs.len() as u64) as usize]
    }
    /// Skewed pick: low indices much more often (roughly Zipf-like).
    fn skew<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        let k = self.below(xs.len() as u64) + 1;
        xs[self.below(k) as usize]
    }
    fn fill(&mut self, buf: &mut [u8]) {
        let mut chunks = buf.chunks_exact_mut(8);
        for c in &mut chunks {
            c.copy_from_slice(&self.next().to_le_bytes());
        }
        let rest = chunks.into_remainder();
        let last = self.next().to_le_bytes();
        rest.copy_from_slice(&last[..rest.len()]);
    }
}

pub(crate) fn hash64(xs: &[u64]) -> u64 {
    let mut r = Rng::new(0x9e37_79b9_7f4a_7c15);
    for &x in xs {
        r.0 ^= x;
        r.next();
    }
    r.next()
}

#[rustfmt::skip]
pub(crate) const WORDS: &[&str] = &[
    "the", "instance", "node", "deployment", "agent", "task", "operation", "workflow", "execution", "started",
    "completed", "waiting", "for", "to", "of", "resource", "with", "on", "and", "in", "is", "plugin", "server",
    "network", "port", "volume", "connection", "retrying", "configured", "created", "deleted", "host", "service",
    "script", "output", "using", "request", "response", "status", "timeout", "attempt", "ready", "checking", "file",
    "downloaded", "uploaded", "install", "uninstall", "update", "scale", "heal", "relationship", "source", "target",
    "properties", "runtime", "key", "value", "from", "cache", "image", "flavor", "subnet", "router", "security",
    "group", "rule", "floating", "ip", "address", "keypair", "user", "password", "token", "session", "endpoint",
    "region", "zone", "tenant", "project", "cluster", "pod", "container", "namespace", "helm", "chart", "release",
    "terraform", "module", "plan", "apply", "state", "ansible", "playbook", "inventory", "fact", "handler", "role",
    "database", "schema", "migration", "backup", "restore", "snapshot", "manager", "broker", "queue", "exchange",
    "message", "event", "log", "level", "debug", "warning", "error", "critical", "exception", "traceback", "failed",
    "succeeded", "skipped", "cancelled", "pending", "running", "terminated", "load", "balancer", "listener", "pool",
    "member", "health", "monitor", "certificate", "secret", "config", "template", "rendered", "variable", "default",
    "override", "environment", "production", "staging", "development", "build", "artifact", "repository", "branch",
    "commit", "version", "upgrade", "rollback", "dependency", "requirement", "package", "wheel", "virtualenv",
    "python", "interpreter", "process", "thread", "worker", "daemon", "systemd", "unit", "journal", "socket",
    "listening", "bound", "accepted", "closed", "reset", "refused", "unreachable", "latency", "throughput", "bytes",
    "seconds", "milliseconds", "percent", "memory", "cpu", "disk", "quota", "limit", "exceeded", "allocated",
    "released", "attached", "detached", "mounted", "formatted", "partition", "filesystem", "ext4", "xfs", "lvm",
    "raid", "replica", "primary", "secondary", "leader", "follower", "election", "heartbeat", "lease", "lock",
];

#[rustfmt::skip]
pub(crate) const NODES: &[&str] = &[
    "vm", "host", "web_server", "app_server", "db", "database", "load_balancer", "network", "subnet", "router",
    "security_group", "keypair", "floating_ip", "volume", "port", "nodejs", "mongod", "nginx", "haproxy", "redis",
    "kafka", "zookeeper", "elasticsearch", "kibana", "prometheus", "grafana", "k8s_master", "k8s_node",
    "helm_release", "terraform_module", "ansible_playbook", "dns_record", "certificate", "bucket", "queue",
    "lambda_function", "vpc", "internet_gateway", "nat_gateway", "route_table",
];

const OPS: &[&str] = &[
    "cloudify.interfaces.lifecycle.create",
    "cloudify.interfaces.lifecycle.configure",
    "cloudify.interfaces.lifecycle.start",
    "cloudify.interfaces.lifecycle.stop",
    "cloudify.interfaces.lifecycle.delete",
    "cloudify.interfaces.lifecycle.precreate",
    "cloudify.interfaces.lifecycle.poststart",
    "cloudify.interfaces.cloudify_agent.create",
    "cloudify.interfaces.cloudify_agent.configure",
    "cloudify.interfaces.cloudify_agent.start",
    "cloudify.interfaces.monitoring.start",
    "cloudify.interfaces.validation.create",
    "cloudify.interfaces.relationship_lifecycle.preconfigure",
    "cloudify.interfaces.relationship_lifecycle.establish",
];

const TASKS: &[&str] = &[
    "script_runner.tasks.run",
    "cloudify_agent.installer.operations.create",
    "cloudify_agent.installer.operations.configure",
    "cloudify_agent.installer.operations.start",
    "fabric_plugin.tasks.run_script",
    "fabric_plugin.tasks.run_commands",
    "openstack_plugin.resources.compute.create",
    "openstack_plugin.resources.network.port.create",
    "cloudify_aws.ec2.resources.instances.create",
    "cloudify_aws.ec2.resources.eni.attach",
    "cloudify_azure.resources.compute.virtualmachine.create",
    "cloudify_kubernetes.tasks.resource_create",
    "cloudify_terraform.tasks.apply",
    "cloudify_ansible.tasks.run",
    "cloudify_common_sdk.tasks.execute",
    "vsphere_plugin.server_plugin.server.start",
    "cloudify.plugins.workflows.validate_agents",
];

#[rustfmt::skip]
const WORKFLOWS: &[&str] = &[
    "install", "uninstall", "heal", "scale", "execute_operation", "update", "start", "stop", "restart",
    "install_new_agents", "validate_agents", "check_status", "pull",
];

const LOGGERS: &[&str] = &["ctx", "cloudify_agent", "script_runner", "fabric_plugin", "cloudify.workflows", "plugin"];

/// Column values of the generated rows, kept between rows so workflow runs hang together.
struct Runs {
    r: Rng,
    next_id: u64,
    /// Microseconds since the Unix epoch.
    ts: i64,
    exec: u64,
    exec_id: String,
    workflow: &'static str,
    deployment: String,
    nodes: Vec<String>,
    tenant: u64,
}

impl Runs {
    fn new(seed: u64, first_id: u64) -> Runs {
        let mut runs = Runs {
            r: Rng::new(seed),
            next_id: first_id,
            ts: 1_672_531_200_000_000, // 2023-01-01
            exec: 0,
            exec_id: String::new(),
            workflow: "install",
            deployment: String::new(),
            nodes: Vec::new(),
            tenant: 0,
        };
        runs.new_run();
        runs
    }

    fn new_run(&mut self) {
        let r = &mut self.r;
        self.exec = r.range(3, 40_000);
        self.exec_id = uuid(r);
        self.workflow = r.skew(WORKFLOWS);
        self.tenant = r.below(2);
        self.deployment = format!("{}-{}-{}", r.pick(WORDS), r.pick(NODES).replace('_', "-"), r.below(500));
        let n = r.range(2, 9) as usize;
        self.nodes = (0..n).map(|_| format!("{}_{:06x}", r.pick(NODES), r.below(1 << 24))).collect();
        self.ts += r.range(60_000_000, 3_600_000_000) as i64;
    }

    fn tick(&mut self) {
        // Mostly milliseconds apart, sometimes seconds.
        self.ts +=
            if self.r.chance(90) { self.r.range(200, 90_000) as i64 } else { self.r.range(1, 30) as i64 * 1_000_000 };
    }

    /// One `events` row (12 columns, as in the fixture's schema).
    fn event(&mut self, out: &mut Vec<u8>) {
        self.tick();
        let r = &mut self.r;
        let node = self.nodes[r.below(self.nodes.len() as u64) as usize].clone();
        let task = r.skew(TASKS);
        let op = r.skew(OPS);
        let (etype, msg, with_node) = match r.below(100) {
            0..=2 => ("workflow_started", format!("Starting '{}' workflow execution", self.workflow), false),
            3..=5 => ("workflow_succeeded", format!("'{}' workflow execution succeeded", self.workflow), false),
            6..=20 => (
                "workflow_node_event",
                format!(
                    "{} node instance",
                    r.pick(&["Creating", "Configuring", "Starting", "Stopping", "Deleting", "Validating"])
                ),
                true,
            ),
            21..=45 => ("sending_task", format!("Sending task '{task}'"), true),
            46..=65 => ("task_started", format!("Task started '{task}'"), true),
            66..=88 => {
                let json = json_fragment(r);
                ("task_succeeded", format!("Task succeeded '{task}' ({json})"), true)
            }
            89..=94 => (
                "task_rescheduled",
                format!("Task rescheduled '{task}' -> {} [retry {}/60]", sentence(r, 4, 12), r.range(1, 60)),
                true,
            ),
            _ => ("task_failed", format!("Task failed '{task}' -> {}", traceback(r)), true),
        };
        let id = self.next_id;
        self.next_id += 1;
        let _ = write!(out, "{id}\t");
        put_ts(out, self.ts);
        out.push(b'\t');
        out.extend_from_slice(msg.as_bytes());
        out.extend_from_slice(b"\t\\N\t");
        out.extend_from_slice(etype.as_bytes());
        if with_node {
            let _ = write!(out, "\t{op}\t{node}");
        } else {
            out.extend_from_slice(b"\t\\N\t\\N");
        }
        let _ = write!(out, "\t{}\t0\t{}\t", self.exec, self.tenant);
        put_ts(out, self.ts + self.r.range(100, 5_000) as i64);
        out.extend_from_slice(b"\ttenant\n");
        if self.r.chance(1) {
            self.new_run();
        }
    }

    /// One `logs` row (13 columns).
    fn log(&mut self, out: &mut Vec<u8>) {
        self.tick();
        let r = &mut self.r;
        let node = self.nodes[r.below(self.nodes.len() as u64) as usize].clone();
        let op = r.skew(OPS);
        let (level, msg) = match r.below(100) {
            0..=19 => ("info", template(r, &node)),
            20..=34 => ("info", sentence(r, 5, 18)),
            35..=49 => ("debug", format!("Using runtime properties: {}", json_fragment(r))),
            50..=59 => ("info", format!("Downloading resource {} to /tmp/{}/{}", path(r), uuid(r), r.pick(&BP_FILES))),
            60..=69 => ("info", format!("[{}] out: {}", ip(r), sentence(r, 3, 14))),
            70..=77 => (
                "info",
                format!(
                    "Execution {} of '{}' on deployment {} {}",
                    self.exec_id,
                    self.workflow,
                    self.deployment,
                    sentence(r, 2, 6)
                ),
            ),
            78..=87 => (
                "debug",
                format!(
                    "Executing: /opt/mgmtworker/env/bin/python {} --node {node} --retries {}",
                    path(r),
                    r.below(10)
                ),
            ),
            88..=95 => (
                "warning",
                format!("{} ({} of {}): {}", sentence(r, 3, 8), r.range(1, 30), r.range(30, 60), sentence(r, 4, 10)),
            ),
            _ => ("error", traceback(r)),
        };
        let logger = r.skew(LOGGERS);
        let id = self.next_id;
        self.next_id += 1;
        let _ = write!(out, "{id}\t");
        put_ts(out, self.ts);
        out.push(b'\t');
        out.extend_from_slice(msg.as_bytes());
        let _ = write!(out, "\t\\N\t{logger}\t{level}\t{op}\t{node}\t{}\t0\t{}\t", self.exec, self.tenant);
        put_ts(out, self.ts + self.r.range(100, 5_000) as i64);
        out.extend_from_slice(b"\ttenant\n");
        if self.r.chance(1) {
            self.new_run();
        }
    }
}

fn uuid(r: &mut Rng) -> String {
    let (a, b) = (r.next(), r.next());
    format!(
        "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xFFFF,
        a & 0xFFF,
        0x8000 | (b >> 48 & 0x3FFF),
        b & 0xFFFF_FFFF_FFFF
    )
}

fn ip(r: &mut Rng) -> String {
    format!("10.{}.{}.{}", r.below(4), r.below(32), r.range(2, 254))
}

fn path(r: &mut Rng) -> String {
    let tenant = TENANTS[r.below(2) as usize];
    format!(
        "/opt/manager/resources/blueprints/{tenant}/{}/{}",
        bp_name(r.below(2) as usize, r.below(800) as usize),
        r.pick(&BP_FILES)
    )
}

fn sentence(r: &mut Rng, lo: u64, hi: u64) -> String {
    let n = r.range(lo, hi);
    let mut s = String::new();
    for i in 0..n {
        if i > 0 {
            s.push(' ');
        }
        match r.below(40) {
            0 => s.push_str(&r.range(0, 100_000).to_string()),
            1 => s.push_str(&ip(r)),
            2 => s.push_str(&format!("{}_{:06x}", r.pick(NODES), r.below(1 << 24))),
            _ => s.push_str(r.skew(WORDS)),
        }
    }
    s
}

/// A small JSON object such as runtime properties or a task result.
fn json_fragment(r: &mut Rng) -> String {
    const KEYS: &[&str] = &[
        "ip",
        "port",
        "name",
        "resource_id",
        "public_ip",
        "user",
        "state",
        "tags",
        "size",
        "id",
        "zone",
        "external_id",
        "return_code",
        "image",
        "flavor",
        "region",
    ];
    let n = r.range(1, 6);
    let mut s = String::from("{");
    for i in 0..n {
        if i > 0 {
            s.push_str(", ");
        }
        let key = r.skew(KEYS);
        let value = match key {
            "ip" | "public_ip" => format!("\"{}\"", ip(r)),
            "port" => r.pick(&["22", "80", "443", "5432", "5671", "8080", "53333", "6443"]).to_owned(),
            "resource_id" | "external_id" => format!("\"i-{:017x}\"", r.next() >> 4),
            "id" => format!("\"{}\"", uuid(r)),
            "user" => format!("\"{}\"", r.pick(&["centos", "ubuntu", "ec2-user", "cloudify", "admin"])),
            "tags" => format!("[\"{}\", \"{}\"]", r.skew(WORDS), r.skew(WORDS)),
            "size" | "return_code" => r.below(if key == "size" { 512 } else { 3 }).to_string(),
            "zone" | "region" => {
                format!("\"{}\"", r.pick(&["eu-west-1a", "us-east-1b", "nova", "westeurope", "us-central1-c"]))
            }
            "image" | "flavor" => {
                format!("\"{}\"", r.pick(&["centos-7-x86_64", "ubuntu-22.04", "m1.small", "t3.medium", "rhel-8.6"]))
            }
            _ => format!("\"{}\"", r.pick(&["running", "started", "available", "in-use", "active"])),
        };
        s.push_str(&format!("\"{key}\": {value}"));
    }
    s.push('}');
    s
}

/// A log message from a template, as plugins and scripts emit them.
fn template(r: &mut Rng, node: &str) -> String {
    match r.below(12) {
        0 => format!("Creating {node} with {} retries", r.range(1, 60)),
        1 => format!("Waiting for {node} to be ready ({}/{})", r.range(1, 30), 30),
        2 => format!("Resource {node} created: {}", json_fragment(r)),
        3 => format!("Setting up connection to {}:22 as {}", ip(r), r.pick(&["centos", "ubuntu", "ec2-user"])),
        4 => format!("Using existing resource i-{:017x}", r.next() >> 4),
        5 => format!("Uploading file {} to the manager", path(r)),
        6 => "Command finished with return code 0".to_owned(),
        7 => format!("Running playbook site.yml on hosts [{}]", ip(r)),
        8 => format!("Agent {node} is alive and well (attempt {})", r.range(1, 5)),
        9 => format!("Rendering template resources/template.j2 for {node}"),
        10 => format!("Validating {node}: nothing to do"),
        _ => format!("Executing operation {} on {node}", r.skew(OPS)),
    }
}

/// A Python traceback on one COPY line (newlines escaped as `\n`).
fn traceback(r: &mut Rng) -> String {
    let mut s = String::from("Traceback (most recent call last):\\n");
    for _ in 0..r.range(2, 6) {
        let module = r.pick(TASKS).replace('.', "/");
        s.push_str(&format!(
            "  File \\\"/opt/mgmtworker/env/lib/python3.6/site-packages/{module}.py\\\", line {}, in {}\\n    {}\\n",
            r.range(10, 2_000),
            r.skew(WORDS),
            sentence(r, 2, 7)
        ));
    }
    s.push_str(&format!(
        "{}Error: {}",
        r.pick(&["Runtime", "NonRecoverable", "Recoverable", "Connection", "Timeout", "Key", "Value", "Http"]),
        sentence(r, 4, 12)
    ));
    s
}

/// `YYYY-MM-DD HH:MM:SS.ffffff` of microseconds since the Unix epoch.
pub(crate) fn put_ts(out: &mut Vec<u8>, us: i64) {
    let (secs, frac) = (us.div_euclid(1_000_000), us.rem_euclid(1_000_000));
    let (days, sod) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    let _ = write!(out, "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02}.{frac:06}", sod / 3600, sod % 3600 / 60, sod % 60);
}

/// `pg_data`: the base dump with `events` rows and then `logs` rows inserted at the end of
/// their COPY blocks, written in ~1 MiB pieces.
pub(crate) fn write_pg_data(w: &mut dyn Write, base: &[u8], events: u64, logs: u64) -> io::Result<()> {
    let block_end = |table: &str, from: usize| -> usize {
        let start = find(base, format!("COPY public.{table} (").as_bytes(), from).expect("base dump has the table");
        find(base, b"\n\\.\n", start).expect("COPY block ends") + 1
    };
    let ev_at = block_end("events", 0);
    let log_at = block_end("logs", ev_at);
    let mut buf = Vec::with_capacity(1 << 21);
    w.write_all(&base[..ev_at])?;
    let mut runs = Runs::new(0xe7e7, 1000);
    rows(w, &mut buf, events, |b| runs.event(b))?;
    w.write_all(&base[ev_at..log_at])?;
    let mut runs = Runs::new(0x1095, 1000);
    rows(w, &mut buf, logs, |b| runs.log(b))?;
    w.write_all(&base[log_at..])
}

fn rows(w: &mut dyn Write, buf: &mut Vec<u8>, total: u64, mut row: impl FnMut(&mut Vec<u8>)) -> io::Result<()> {
    let mut written = 0u64;
    while written < total {
        buf.clear();
        while buf.len() < 1 << 20 && written + (buf.len() as u64) < total {
            row(buf);
        }
        w.write_all(buf)?;
        written += buf.len() as u64;
    }
    Ok(())
}

fn find(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    hay[from..].windows(needle.len()).position(|w| w == needle).map(|p| p + from)
}

/// A wagon: a tar.gz of `<package>/package.json` and a wheel of `size` incompressible bytes.
pub(crate) fn wagon(package: &str, version: &str, size: u64, seed: u64) -> Vec<u8> {
    let meta = format!(
        "{{\"build_server_os_properties\": {{\"distribution\": \"rhel\", \"distribution_release\": \"ootpa\", \
         \"distribution_version\": \"8.6\"}}, \"package_name\": \"{package}\", \"package_version\": \"{version}\", \
         \"supported_platform\": \"linux_x86_64\", \"wagon_version\": \"0.12.0\", \"wheels\": \
         [\"{package}-{version}-py3-none-any.whl\"]}}"
    );
    let mut wheel = vec![0u8; size.saturating_sub(4096) as usize];
    Rng::new(seed).fill(&mut wheel);
    cloudify::tar_gz(&[
        (&format!("{package}/package.json"), meta.as_bytes()),
        (&format!("{package}/wheels/{package}-{version}-py3-none-any.whl"), &wheel),
    ])
}

/// A blueprint file of kind `kind` (index into [`BP_FILES`]); `scale` multiplies its length.
pub(crate) fn blueprint_file(seed: u64, kind: usize, scale: u32) -> Vec<u8> {
    let mut r = Rng::new(seed);
    // Log-uniform-ish lengths: 150 B to ~2.5 KB per unit of scale.
    let spread = r.range(1, 2_400);
    let target = (150 + r.below(spread)) as usize * scale as usize;
    let mut s = String::with_capacity(target + 256);
    match BP_FILES[kind] {
        f if f.ends_with(".yaml") => {
            s.push_str("tosca_definitions_version: cloudify_dsl_1_4\n\nimports:\n  - cloudify/types/types.yaml\n");
            s.push_str(&format!("  - plugin:{}\n\nnode_templates:\n", PLUGINS[r.below(15) as usize].0));
            while s.len() < target {
                let node = format!("{}_{}", r.pick(NODES), r.below(20));
                s.push_str(&format!(
                    "  {node}:\n    type: cloudify.nodes.{}\n    properties:\n      {}: {{ get_input: {}_{} }}\n      \
                     {}: {}\n    relationships:\n      - type: cloudify.relationships.contained_in\n        target: {}\n",
                    r.pick(&["Compute", "Root", "WebServer", "DBMS", "ApplicationModule", "Network", "Subnet"]),
                    r.skew(WORDS),
                    r.skew(WORDS),
                    r.skew(WORDS),
                    r.skew(WORDS),
                    r.range(1, 9_999),
                    r.pick(NODES)
                ));
            }
        }
        f if f.ends_with(".sh") => {
            s.push_str("#!/bin/bash\nset -euo pipefail\n\n");
            while s.len() < target {
                s.push_str(&format!(
                    "ctx logger info \"{}\"\n{} {} {}\n",
                    sentence(&mut r, 3, 9),
                    r.pick(&["sudo yum install -y", "curl -fsSL -o /tmp/x", "systemctl restart", "echo", "mkdir -p"]),
                    r.skew(WORDS),
                    r.skew(WORDS)
                ));
            }
        }
        f if f.ends_with(".json") => {
            s.push('{');
            while s.len() < target {
                s.push_str(&format!("\"{}_{}\": {}, ", r.skew(WORDS), r.below(100), json_fragment(&mut r)));
            }
            s.push_str("\"end\": true}\n");
        }
        _ => {
            s.push_str(&format!("# {}\n\n", sentence(&mut r, 2, 5)));
            while s.len() < target {
                s.push_str(&sentence(&mut r, 6, 20));
                s.push_str(if r.chance(20) { "\n\n" } else { "\n" });
            }
        }
    }
    s.into_bytes()
}
