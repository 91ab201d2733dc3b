//! The new-format writers (eras N0, N1): `mgmt/<type>/<i>.json` and per-tenant dump files.

use serde_json::{Value, json};

use super::Canary;
use super::builder::{Dumped, Gen, Style, TS, Tree, blueprint_yaml, plugin_yaml};
use super::formats::*;
use crate::zipw::{Entry, ZipBuilder};

impl Gen<'_> {
    /// The envelopes of one tenant (spec §3.6), in dump order. Items carry exactly the fields
    /// Cloudify's dump writes (N1: cloudify-common 7.0.4 `cloudify_rest_client/<type>.py`
    /// `<Type>Client.dump` `_include`; N0: cloudify-manager 7.0.0
    /// `snapshots/__init__.py` `INCLUDES`), so that Cloudify's own restore runs them to the end.
    pub(super) fn tenant_dumps(&mut self, k: usize) -> Vec<Dumped> {
        let v = self.s.version.clone();
        let n1 = self.s.era == super::Era::N1;
        let (t, bp, dep, ni, plugin, exec, key) = {
            let id = &self.ids[k];
            (
                id.tenant.clone(),
                id.bp.clone(),
                id.dep.clone(),
                id.ni.clone(),
                id.plugin.clone(),
                id.exec.clone(),
                id.secret_key.clone(),
            )
        };
        let common = json!({"created_at": TS, "created_by": "admin", "visibility": "tenant"});
        let with = |extra: Value| {
            let mut m = common.as_object().cloned().unwrap_or_default();
            m.extend(extra.as_object().cloned().unwrap_or_default());
            Value::Object(m)
        };
        let secret = |c: &mut Canary, key: &str| {
            let mut item = json!({"key": key, "value": c.secret("secret-value"),
            "visibility": "tenant", "is_hidden_value": true, "encrypted": false, "tenant_name": t,
            "creator": "admin", "created_at": TS});
            if n1 {
                item["provider"] = Value::Null;
                item["provider_options"] = Value::Null;
            }
            item
        };
        let secrets = vec![secret(&mut self.c, &key), secret(&mut self.c, &format!("{key}_replica"))];
        let broker_pass = self.c.secret("broker-pass");
        let agent_pass = self.c.secret("agent-rabbitmq-password");
        let mut execution = json!({"id": exec, "workflow_id": "install", "deployment_id": dep,
            "status": "terminated", "parameters": {}, "is_dry_run": false, "allow_custom_parameters": false,
            "created_by": "admin", "created_at": TS, "started_at": TS, "ended_at": TS, "error": ""});
        if n1 {
            execution["is_system_workflow"] = Value::Bool(false);
        }
        let mut event = json!({"timestamp": TS, "reported_timestamp": TS, "blueprint_id": bp,
            "deployment_id": dep, "deployment_display_name": dep, "workflow_id": "install",
            "message": "'install' workflow execution succeeded", "error_causes": null,
            "event_type": "workflow_succeeded", "operation": null, "source_id": null, "target_id": null,
            "node_instance_id": null, "type": "cloudify_event", "logger": null, "level": null,
            "manager_name": "manager-1", "agent_name": null});
        if n1 {
            event["_storage_id"] = json!(1);
        }
        vec![
            Dumped::new("sites", json!([with(json!({"name": format!("site-{t}"), "location": "32.1, 34.8"}))])),
            Dumped::new(
                "plugins",
                json!([{"id": plugin, "title": "cloudify-utilities-plugin", "visibility": "tenant",
                "uploaded_at": TS, "created_by": "admin"}]),
            ),
            Dumped::new("secrets", Value::Array(secrets)),
            Dumped::new(
                "blueprints",
                json!([with(json!({"id": bp, "main_file_name": "blueprint.yaml",
                "state": "uploaded", "description": null, "plan": {"nodes": []}, "labels": [],
                "error": null, "error_traceback": null, "is_hidden": false, "requirements": null}))]),
            ),
            Dumped::new(
                "deployments",
                json!([with(json!({"id": dep, "blueprint_id": bp, "display_name": dep,
                "inputs": {}, "workflows": [{"name": "install"}], "labels": []}))]),
            ),
            Dumped::new(
                "nodes",
                json!([{"id": "vm", "type": "cloudify.nodes.Compute", "number_of_instances": 1,
                "properties": {"ip": "10.0.0.5"}, "visibility": "tenant", "created_by": "admin"}]),
            )
            .source(None, &dep),
            Dumped::new(
                "node_instances",
                json!([{"id": ni, "node_id": "vm", "state": "started", "visibility": "tenant",
                "created_by": "admin", "runtime_properties": {"ip": "10.0.0.5", "cloudify_agent": {"name": ni,
                    "install_method": "remote", "broker_ip": "10.0.0.1", "broker_ssl_cert": "ca-cert-placeholder",
                    "broker_config": {"broker_ip": ["10.0.0.1"], "broker_vhost": format!("rabbitmq_vhost_{t}"),
                        "broker_user": format!("rabbitmq_user_{t}"), "broker_pass": broker_pass}}}}]),
            )
            .source(None, &dep),
            Dumped::new(
                "agents",
                json!([with(json!({"id": ni, "node_instance_id": ni, "state": "started",
                "rabbitmq_password": agent_pass, "rabbitmq_username": format!("rabbitmq_user_{t}"),
                "rabbitmq_exchange": ni, "version": v, "system": "centos core", "install_method": "remote",
                "ip": "10.0.0.5"}))]),
            )
            .source(None, &dep),
            Dumped::new("executions", json!([execution])),
            Dumped::new("events", json!([event])).source(Some("executions"), &exec),
            Dumped::new(
                "tasks_graphs",
                json!([{"id": uuid(&format!("graph {t}")), "name": "install",
                "execution_id": exec, "created_at": TS, "operations": []}]),
            )
            .source(None, &exec),
        ]
    }

    pub(super) fn mgmt_dumps(&mut self) -> Vec<Dumped> {
        let mut tenants = Vec::new();
        for id in &self.ids {
            tenants.push(json!({"name": id.tenant, "rabbitmq_password": self.c.secret("tenant-rabbitmq-password")}));
        }
        let roles: serde_json::Map<String, Value> =
            self.ids.iter().map(|id| (id.tenant.clone(), json!({"tenant-role": "user", "roles": ["user"]}))).collect();
        let hash = self.c.secret("admin-password-hash");
        vec![
            Dumped::new("tenants", Value::Array(tenants)),
            Dumped::new(
                "permissions",
                json!([{"role": "sys_admin", "permission": "all_tenants"},
                {"role": "user", "permission": "blueprint_upload"}]),
            ),
            Dumped::new(
                "user_groups",
                json!([{"name": "operators", "ldap_dn": null, "role": "default",
                "tenants": Value::Object(roles.clone())}]),
            ),
            Dumped::new(
                "users",
                json!([{"username": "admin", "role": "sys_admin", "tenant_roles":
                {"direct": Value::Object(roles), "groups": {}}, "first_login_at": TS, "last_login_at": TS,
                "created_at": TS, "password_hash": format!("$pbkdf2-sha256$29000${hash}")}]),
            ),
        ]
    }

    /// Composer and Stage dumps shared by N0 and N1.
    pub(super) fn ui_files(&self, t: &mut Tree) {
        let bp_zip = ZipBuilder::with(vec![
            Entry::dir("hello-draft/"),
            Entry::file("hello-draft/blueprint.yaml", blueprint_yaml("hello-draft")),
        ]);
        t.add("composer/blueprints.zip", bp_zip.build());
        let ui = |ty: &str, items: Value| envelope(ty, &items);
        t.add(
            "composer/blueprints.json",
            ui(
                "blueprints",
                json!([{"id": 1, "name": "hello-draft",
            "tenant": self.ids[0].tenant, "createdAt": TS, "updatedAt": TS}]),
            ),
        );
        t.add("composer/configuration.json", ui("configuration", json!({"prod.json": {"sessionTimeout": 3600}})));
        t.add("composer/favorites.json", ui("favorites", json!([])));
        t.add("stage/blueprint-layouts.json", ui("blueprint-layouts", json!([])));
        t.add("stage/configuration.json", ui("configuration", json!({"userConfig.json": {"maps": {}}})));
        t.add(
            "stage/page-groups.json",
            ui("page-groups", json!([{"id": "custom-group", "name": "Custom", "pages": []}])),
        );
        t.add("stage/pages.json", ui("pages", json!([{"id": "custom-page", "name": "Custom page", "layout": []}])));
        t.add("stage/templates.json", ui("templates", json!([{"id": "custom-template", "pages": ["custom-page"]}])));
        let widgets = ZipBuilder::with(vec![
            Entry::dir("customWidget/"),
            Entry::file("customWidget/widget.js", "Stage.defineWidget({id: 'customWidget'});\n"),
        ]);
        t.add("stage/widgets.zip", widgets.build());
        for id in &self.ids {
            t.add(
                format!("stage/{}/ua.json", id.tenant),
                ui(
                    "ua",
                    json!([{"username": "admin",
                "appDataVersion": 8, "mode": "main", "appData": {"pages": []}}]),
                ),
            );
        }
    }

    /// A plugin's "full archive" (zip of the wagon and its YAML) and a deployment workdir zip.
    pub(super) fn tenant_archives() -> (Vec<u8>, Vec<u8>) {
        let plugin = ZipBuilder::with(vec![
            Entry::file(
                "cloudify_utilities_plugin-1.23.0-py3-none-linux_x86_64.wgn",
                wagon("cloudify_utilities_plugin", "1.23.0"),
            ),
            Entry::file("plugin.yaml", plugin_yaml("cloudify_utilities_plugin", "1.23.0")),
        ])
        .build();
        let workdir = ZipBuilder::with(vec![Entry::file("hosts.ini", "[all]\n10.0.0.5\n")]).build();
        (plugin, workdir)
    }

    /// N0 (7.0.0 `legacy=False`): direct writes, `mgmt/<type>/<i>.json`, explicit tenant dirs.
    pub(super) fn n0(&mut self) -> ZipBuilder {
        let mut entries = vec![Entry::file("metadata.json", self.metadata())];
        for d in self.mgmt_dumps() {
            entries.push(Entry::file(format!("mgmt/{}/0.json", d.ty), d.envelope()));
        }
        for k in 0..self.ids.len() {
            let tenant = self.ids[k].tenant.clone();
            entries.push(Entry::dir(format!("tenants/{tenant}/")));
            for d in self.tenant_dumps(k) {
                let file = match (d.ty.as_str(), &d.source_id) {
                    ("events", Some(src)) => format!("executions_events/{src}.json"),
                    (ty, Some(src)) => format!("{ty}/{src}.json"),
                    (ty, None) => format!("{ty}/0.json"),
                };
                entries.push(Entry::file(format!("tenants/{tenant}/{file}"), d.envelope()));
            }
            let id = &self.ids[k];
            let (plugin, workdir) = Gen::tenant_archives();
            entries.push(Entry::file(format!("tenants/{tenant}/plugins_archives/{}.zip", id.plugin), plugin));
            // The bytes are the archive as uploaded, whatever the suffix says; a zip upload
            // keeps this fixture valid under both readings.
            let blueprint = ZipBuilder::with(vec![
                Entry::dir(format!("{}/", id.bp)),
                Entry::file(format!("{}/blueprint.yaml", id.bp), blueprint_yaml(&id.bp)),
            ]);
            entries.push(Entry::file(format!("tenants/{tenant}/blueprints_archives/{}.zip", id.bp), blueprint.build()));
            entries.push(Entry::file(
                format!("tenants/{tenant}/deployments_archives/{}.b64zip", id.dep),
                base64(&workdir, false),
            ));
        }
        let mut ui = Tree::default();
        self.ui_files(&mut ui);
        entries.extend(ui.entries(Style::FilesOnly));
        ZipBuilder::with(entries)
    }

    /// N1 (7.0.1+): numbered envelopes, archives by type, `shutil.make_archive` on Python 3.
    pub(super) fn n1(&mut self) -> ZipBuilder {
        let mut t = Tree::default();
        t.add("metadata.json", self.metadata());
        for (n, d) in self.mgmt_dumps().into_iter().enumerate() {
            t.add(format!("mgmt/{:08}.json", n + 1), d.envelope());
        }
        for k in 0..self.ids.len() {
            let tenant = self.ids[k].tenant.clone();
            for (n, d) in self.tenant_dumps(k).into_iter().enumerate() {
                t.add(format!("tenants/{tenant}/{:08}.json", n + 1), d.envelope());
            }
            let id = &self.ids[k];
            let (plugin, workdir) = Gen::tenant_archives();
            let blueprint = tar_gz(&[(&format!("{}/blueprint.yaml", id.bp), blueprint_yaml(&id.bp).as_bytes())]);
            t.add(format!("tenants/{tenant}/blueprints/{}.tar.gz", id.bp), blueprint);
            t.add(format!("tenants/{tenant}/plugins/{}.zip", id.plugin), plugin);
            t.add(format!("tenants/{tenant}/deployments/{}.b64zip", id.dep), base64(&workdir, false));
        }
        self.ui_files(&mut t);
        ZipBuilder::with(t.entries(Style::Py3Dirs))
    }
}
