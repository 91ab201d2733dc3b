//! The legacy database dumps: `pg_data` (4.0+), `stage_data`, `composer_data`, `es_data` (3.x) and
//! `agents.json`.

use serde_json::{Value, json};

use super::Era;
use super::builder::{Dump, Gen, Ids, PG_TS, TS, row, wagon_name};
use super::formats::*;

impl Gen<'_> {
    /// `pg_data`: a `pg_dump -a` of the manager database with the tables of the version.
    pub(super) fn pg_data(&mut self) -> String {
        let v = self.v;
        let mut d = Dump::new(v >= (6, 0, 0));
        let enc = v >= (4, 4, 0);
        if v < (4, 0, 1) {
            d.copy("alembic_version", "version_num", &[row(&["333998bc1627"])]);
        }
        let mut tenants = Vec::new();
        let mut secrets = Vec::new();
        let mut agents = Vec::new();
        for id in &self.ids {
            let what = "tenant-rabbitmq-password";
            let pw = if enc { self.c.fernet(what) } else { self.c.secret(what) };
            let (k, t) = (id.k.to_string(), &id.tenant);
            tenants.push(row(&[&k, t, &pw, &format!("rabbitmq_user_{t}"), &format!("rabbitmq_vhost_{t}")]));
            let value = if enc { self.c.fernet("secret-value") } else { self.c.secret("secret-value") };
            secrets.push(row(&[&k, &id.secret_key, &value, PG_TS, PG_TS, &k, "0", "tenant", "t"]));
            if v < (4, 5, 5) {
                continue;
            }
            let pw = self.c.fernet("agent-rabbitmq-password");
            agents.push(row(&[
                &k,
                &id.ni,
                &id.ni,
                "10.0.0.5",
                "remote",
                "centos core",
                &self.s.version,
                "started",
                "tenant",
                &format!("rabbitmq_user_{t}"),
                &pw,
                &id.ni,
                PG_TS,
                PG_TS,
                &k,
                &k,
                "0",
            ]));
        }
        d.copy("tenants", "id, name, rabbitmq_password, rabbitmq_username, rabbitmq_vhost", &tenants);
        let (hash, token) = self.admin_creds();
        d.copy(
            "users",
            "id, username, active, created_at, email, first_name, last_login_at, last_name, \
                password, api_token_key, last_failed_login_at, failed_logins_counter",
            &[row(&[
                "0",
                "admin",
                "t",
                "\\N",
                "\\N",
                "\\N",
                PG_TS,
                "\\N",
                &format!("$pbkdf2-sha256$29000${hash}"),
                &token,
                "\\N",
                "0",
            ])],
        );
        let pickled = "\\\\x80037d71002e"; // a pickled empty dict, as bytea
        let rows = |f: &dyn Fn(&Ids, &str) -> Vec<String>| -> Vec<Vec<String>> {
            self.ids.iter().map(|id| f(id, &id.k.to_string())).collect()
        };
        let blueprints =
            rows(&|id, k| row(&[k, &id.bp, PG_TS, "blueprint.yaml", pickled, PG_TS, "\\N", k, "0", "tenant"]));
        d.copy(
            "blueprints",
            "_storage_id, id, created_at, main_file_name, plan, updated_at, description, \
                _tenant_id, _creator_id, visibility",
            &blueprints,
        );
        if v >= (5, 0, 0) {
            let sites =
                rows(&|id, k| row(&[k, "tenant", PG_TS, &format!("site-{}", id.tenant), "32.1", "34.8", k, "0"]));
            d.copy(
                "sites",
                "_storage_id, visibility, created_at, name, latitude, longitude, _tenant_id, _creator_id",
                &sites,
            );
        }
        let deployments = rows(&|id, k| row(&[k, &id.dep, PG_TS, "{}", "{}", pickled, k, k, "0", "tenant"]));
        d.copy(
            "deployments",
            "_storage_id, id, created_at, inputs, outputs, workflows, _blueprint_fk, \
                _tenant_id, _creator_id, visibility",
            &deployments,
        );
        let nodes =
            rows(&|_, k| row(&[k, "vm", "cloudify.nodes.Compute", "1", "1", "{\"ip\": \"10.0.0.5\"}", k, k, "0"]));
        d.copy(
            "nodes",
            "_storage_id, id, type, number_of_instances, deploy_number_of_instances, \
                properties, _deployment_fk, _tenant_id, _creator_id",
            &nodes,
        );
        let nis = rows(&|id, k| row(&[k, &id.ni, "started", "{\"ip\": \"10.0.0.5\"}", "3", k, k, "0"]));
        d.copy(
            "node_instances",
            "_storage_id, id, state, runtime_properties, version, _node_fk, \
                _tenant_id, _creator_id",
            &nis,
        );
        if v >= (4, 5, 5) {
            d.copy(
                "agents",
                "_storage_id, id, name, ip, install_method, system, version, state, visibility, \
                    rabbitmq_username, rabbitmq_password, rabbitmq_exchange, created_at, updated_at, \
                    _node_instance_fk, _tenant_id, _creator_id",
                &agents,
            );
        }
        let mut execs =
            rows(&|id, k| row(&[k, &id.exec, PG_TS, "", "f", "{}", "terminated", "install", k, k, "0", "tenant"]));
        let n = (self.ids.len() + 1).to_string();
        execs.push(row(&[
            &n,
            &self.snapshot_exec(),
            PG_TS,
            "",
            "t",
            "{}",
            "started",
            "create_snapshot",
            "\\N",
            "0",
            "0",
            "private",
        ]));
        d.copy(
            "executions",
            "_storage_id, id, created_at, error, is_system_workflow, parameters, status, \
                workflow_id, _deployment_fk, _tenant_id, _creator_id, visibility",
            &execs,
        );
        let events = rows(&|_, k| {
            row(&[
                k,
                PG_TS,
                "'install' workflow execution succeeded",
                "\\N",
                "workflow_succeeded",
                "\\N",
                "\\N",
                k,
                "0",
                k,
                PG_TS,
                "tenant",
            ])
        });
        d.copy(
            "events",
            "_storage_id, \"timestamp\", message, message_code, event_type, operation, node_id, \
                _execution_fk, _creator_id, _tenant_id, reported_timestamp, visibility",
            &events,
        );
        let logs = rows(&|_, k| {
            row(&[k, PG_TS, "Creating VM", "\\N", "ctx", "info", "\\N", "vm", k, "0", k, PG_TS, "tenant"])
        });
        d.copy(
            "logs",
            "_storage_id, \"timestamp\", message, message_code, logger, level, operation, node_id, \
                _execution_fk, _creator_id, _tenant_id, reported_timestamp, visibility",
            &logs,
        );
        let plugins = rows(&|id, k| {
            row(&[
                k,
                &id.plugin,
                &wagon_name(v),
                "centos",
                "core",
                "7.6.1810",
                "\\N",
                "cloudify-utilities-plugin",
                "\\N",
                "1.23.0",
                "linux_x86_64",
                pickled,
                PG_TS,
                pickled,
                k,
                "0",
                "global",
            ])
        });
        d.copy(
            "plugins",
            "_storage_id, id, archive_name, distribution, distribution_release, \
                distribution_version, excluded_wheels, package_name, package_source, package_version, \
                supported_platform, supported_py_versions, uploaded_at, wheels, _tenant_id, _creator_id, \
                visibility",
            &plugins,
        );
        d.copy(
            "secrets",
            "_storage_id, id, value, created_at, updated_at, _tenant_id, _creator_id, \
                visibility, is_hidden_value",
            &secrets,
        );
        d.copy("users_roles", "user_id, role_id", &[row(&["0", "1"])]);
        let users_tenants = rows(&|_, k| row(&["0", k, "3"]));
        d.copy("users_tenants", "user_id, tenant_id, role_id", &users_tenants);
        d.setval("users_id_seq", 1);
        d.setval("tenants_id_seq", self.ids.len());
        let table = if v >= (6, 0, 0) { "public.executions" } else { "executions" };
        format!("{}\nDELETE FROM {table} WHERE id = '{}';\n", d.finish(), self.snapshot_exec())
    }

    pub(super) fn stage_data(&self) -> String {
        let mut d = Dump::new(self.v >= (6, 0, 0));
        d.copy("\"Applications\"", "id, name, status, \"isPrivate\", extras, \"createdAt\", \"updatedAt\"", &[]);
        let apps: Vec<Vec<String>> = self
            .ids
            .iter()
            .map(|id| {
                let k = (id.k + 1).to_string();
                row(&[&k, "admin", "8", "{\"pages\": []}", PG_TS, PG_TS, "main", &id.tenant])
            })
            .collect();
        d.copy(
            "\"UserApps\"",
            "id, username, \"appDataVersion\", \"appData\", \"createdAt\", \"updatedAt\", mode, tenant",
            &apps,
        );
        if self.v >= (5, 1, 0) {
            d.copy("\"BlueprintUserData\"", "id, \"blueprintId\", username, layout, \"createdAt\", \"updatedAt\"", &[]);
        }
        d.setval("\"UserApps_id_seq\"", self.ids.len());
        d.finish()
    }

    pub(super) fn composer_data(&self) -> String {
        let mut d = Dump::new(self.v >= (6, 0, 0));
        let bps: Vec<Vec<String>> = self
            .ids
            .iter()
            .map(|id| {
                let k = (id.k + 1).to_string();
                row(&[&k, &format!("{}-draft", id.bp), &id.tenant, "{}", PG_TS, PG_TS])
            })
            .collect();
        d.copy("\"Blueprints\"", "id, name, tenant, data, \"createdAt\", \"updatedAt\"", &bps);
        d.copy("\"Favorites\"", "id, \"blueprintId\", username", &[]);
        d.setval("\"Blueprints_id_seq\"", self.ids.len());
        d.finish()
    }

    /// `es_data` (E0–E2): one Elasticsearch hit per line (spec §3.7.1).
    pub(super) fn es_data(&self) -> String {
        let v = self.v;
        let id = &self.ids[0];
        let hit = |index: &str, ty: &str, hid: &str, source: Value| {
            py_json(&json!({"_index": index, "_type": ty, "_id": hid, "_score": 0.0, "_source": source}))
        };
        let mut lines = vec![
            hit(
                "cloudify_storage",
                "blueprint",
                &id.bp,
                json!({"id": id.bp, "created_at": TS,
                "updated_at": TS, "main_file_name": "blueprint.yaml", "plan": {"nodes": []}}),
            ),
            hit(
                "cloudify_storage",
                "deployment",
                &id.dep,
                json!({"id": id.dep, "blueprint_id": id.bp,
                "created_at": TS, "inputs": {}, "outputs": {}, "workflows": [{"name": "install"}]}),
            ),
            hit(
                "cloudify_storage",
                "node",
                &format!("{}_vm", id.dep),
                json!({"id": "vm",
                "deployment_id": id.dep, "blueprint_id": id.bp, "type": "cloudify.nodes.Compute",
                "number_of_instances": 1, "properties": {"ip": "10.0.0.5"}}),
            ),
            hit(
                "cloudify_storage",
                "node_instance",
                &id.ni,
                json!({"id": id.ni, "node_id": "vm",
                "deployment_id": id.dep, "state": "started", "runtime_properties": {"ip": "10.0.0.5"}, "version": 3}),
            ),
            hit(
                "cloudify_storage",
                "execution",
                &id.exec,
                json!({"id": id.exec, "workflow_id": "install",
                "deployment_id": id.dep, "blueprint_id": id.bp, "status": "terminated", "created_at": TS,
                "error": "", "parameters": {}, "is_system_workflow": false}),
            ),
        ];
        if v >= (3, 3, 0) {
            lines.push(hit(
                "cloudify_storage",
                "plugin",
                &id.plugin,
                json!({"id": id.plugin,
                "package_name": "cloudify-utilities-plugin", "package_version": "1.23.0",
                "archive_name": "cloudify_utilities_plugin-1.23.0-py27-none-linux_x86_64-centos-Core.wgn",
                "supported_platform": "linux_x86_64", "uploaded_at": TS}),
            ));
        }
        if v >= (3, 4, 0) {
            lines.push(hit(
                "cloudify_storage",
                "deployment_modifications",
                &uuid("modification"),
                json!({"id": uuid("modification"), "deployment_id": id.dep, "status": "finished",
                    "created_at": TS, "modified_nodes": {}, "node_instances": {}}),
            ));
        }
        let ctx =
            json!({"deployment_id": id.dep, "workflow_id": "install", "execution_id": id.exec, "blueprint_id": id.bp});
        lines.push(hit(
            "cloudify_events",
            "cloudify_event",
            "AVb-event-0001",
            json!({"event_type": "workflow_succeeded",
            "timestamp": TS, "@timestamp": TS, "message": {"text": "'install' workflow execution succeeded",
            "arguments": null}, "context": ctx, "type": "cloudify_event"}),
        ));
        lines.push(hit(
            "cloudify_events",
            "cloudify_log",
            "AVb-log-0001",
            json!({"level": "info",
            "timestamp": TS, "@timestamp": TS, "message": {"text": "Creating VM"}, "context": ctx,
            "logger": "ctx", "type": "cloudify_log"}),
        ));
        lines.iter().map(|l| format!("{l}\n")).collect()
    }

    /// `agents.json` with the era's nesting and leaf shape (spec §3.7.2).
    pub(super) fn agents_json(&mut self) -> String {
        let (v, era) = (self.v, self.s.era);
        let mut root = serde_json::Map::new();
        let ids: Vec<(String, String, String)> = self
            .ids
            .iter()
            .take(if v < (4, 1, 0) { 1 } else { usize::MAX })
            .map(|id| (id.tenant.clone(), id.dep.clone(), id.ni.clone()))
            .collect();
        for (tenant, dep, ni) in ids {
            let ver = self.s.version.clone();
            let leaf = match era {
                Era::E0 => json!({"user": self.c.secret("vm-user"), "password": self.c.secret("vm-password"),
                    "name": ni, "queue": ni, "ip": "10.0.0.5", "manager_ip": "10.0.0.1", "windows": false,
                    "version": "3.2", "broker_ip": "10.0.0.1", "broker_ssl_enabled": false,
                    "broker_ssl_cert": "", "broker_user": self.c.secret("broker-user"),
                    "broker_pass": self.c.secret("broker-pass")}),
                Era::E1 => {
                    json!({"broker_user": self.c.secret("broker-user"), "broker_pass": self.c.secret("broker-pass"),
                    "broker_ip": "10.0.0.1", "broker_ssl_enabled": false, "broker_ssl_cert": "", "version": "3.3"})
                }
                _ if v < (4, 0, 0) => json!({"version": ver, "broker_config": {"broker_ip": "10.0.0.1",
                    "broker_user": self.c.secret("broker-user"), "broker_pass": self.c.secret("broker-pass"),
                    "broker_ssl_enabled": false, "broker_ssl_cert": "", "broker_port": 5672}}),
                _ if v < (4, 1, 0) => json!({"version": ver, "broker_config": {"broker_ip": "10.0.0.1",
                    "broker_user": self.c.secret("broker-user"), "broker_pass": self.c.secret("broker-pass"),
                    "broker_ssl_enabled": false, "cluster": [], "broker_port": 5672,
                    "broker_ssl_cert": cert_pem("broker")}}),
                _ if v < (4, 4, 0) => json!({"version": ver, "broker_config": {"broker_ip": "10.0.0.1",
                    "broker_ssl_cert": cert_pem("broker"), "broker_ssl_enabled": true,
                    "broker_user": self.c.secret("broker-user"), "broker_pass": self.c.secret("broker-pass"),
                    "broker_vhost": format!("rabbitmq_vhost_{tenant}")}}),
                _ => {
                    let ip = if v >= (5, 0, 5) { json!(["10.0.0.1"]) } else { json!("10.0.0.1") };
                    json!({"version": ver, "broker_config": {"broker_ip": ip,
                        "broker_ssl_cert": cert_pem("broker"), "broker_ssl_enabled": true}})
                }
            };
            let deps = json!({dep: {"vm": {ni: leaf}}});
            if v < (4, 1, 0) {
                root.extend(deps.as_object().cloned().unwrap_or_default());
            } else {
                root.insert(tenant, deps);
            }
        }
        py_json(&Value::Object(root))
    }
}
