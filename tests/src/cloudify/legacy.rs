//! The legacy writers (eras E0 – L6): one ZIP of the manager's folders, metadata, file server,
//! certificates, Stage and Composer copies, REST security config, admin account.

use serde_json::{Value, json};

use super::Era;
use super::builder::{Gen, Ids, Style, Tree, blueprint_yaml, plugin_yaml, wagon_name};
use super::formats::*;
use crate::zipw::{Entry, ZipBuilder};

impl Gen<'_> {
    pub(super) fn premium(&self) -> bool {
        self.s.premium
    }

    /// The ID of the `create_snapshot` execution that wrote the archive.
    pub(super) fn snapshot_exec(&self) -> String {
        uuid(&format!("create_snapshot {}", self.s.version))
    }

    pub(super) fn metadata(&self) -> String {
        let v = self.v;
        let mut m = serde_json::Map::new();
        m.insert("snapshot_version".into(), json!(self.s.version));
        match self.s.era {
            Era::E0 | Era::E1 | Era::E2 | Era::E2b => {
                m.insert("has_cloudify_events".into(), json!(true));
            }
            Era::N0 => {}
            Era::N1 => {
                m.insert("execution_id".into(), json!(self.snapshot_exec()));
            }
            _ => {
                if let Some(rev) = head_revision(v) {
                    m.insert("schema_revision".into(), json!(rev));
                }
                if self.premium() && v >= (4, 0, 1) {
                    m.insert("stage_schema_revision".into(), json!(stage_revision(v)));
                }
                if self.premium() && v >= (4, 1, 0) {
                    m.insert("composer_schema_revision".into(), json!(COMPOSER_REVISION));
                }
            }
        }
        py_json(&Value::Object(m))
    }

    /// E0–L6: the tree of a legacy snapshot, walked by the era's writer.
    pub(super) fn legacy(&mut self) -> ZipBuilder {
        let (v, era) = (self.v, self.s.era);
        let es = v < (4, 0, 0);
        let mut t = Tree::default();
        if v >= (4, 4, 0) {
            t.add_mode("rest-security.conf", self.rest_security(), 0o600);
        }
        if es {
            t.add("es_data", self.es_data());
        } else {
            t.add("pg_data", self.pg_data());
        }
        if v >= (4, 2, 0) {
            t.add("admin_account.json", self.admin_account());
        }
        if self.premium() && v >= (4, 0, 1) {
            t.add("stage_data", self.stage_data());
        }
        if self.premium() && v >= (4, 2, 0) {
            t.add("composer_data", self.composer_data());
        }
        if v >= (4, 2, 0) {
            let networks = if v < (5, 0, 0) {
                json!({"active_networks": ["default"], "networks": {"default": "10.0.0.1"}})
            } else {
                json!({"active_networks": ["default"]})
            };
            t.add("networks.json", py_json(&networks));
        }
        if ((4, 2, 0)..(4, 4, 0)).contains(&v) {
            t.add("hash_salt.json", py_json(&json!(self.c.secret("hash-salt"))));
        }
        if era == Era::E0 {
            t.add("manager.json", py_json(&json!({"MANAGEMENT_IP": "10.0.0.1"})));
        }
        t.add("metadata.json", self.metadata());
        let agents = self.agents_json();
        if era != Era::E0 {
            t.add("agents.json", agents.clone());
        }
        if v >= (4, 0, 1) {
            self.ssl(&mut t);
        }
        self.file_server(&mut t);
        if self.premium() && v >= (4, 1, 0) {
            self.stage_and_composer_copies(&mut t);
        }
        let style = match era {
            Era::E0 | Era::E1 | Era::E2 => Style::FilesOnly,
            _ if v <= (5, 0, 5) => Style::Py27Dirs,
            _ => Style::Py3Dirs,
        };
        let mut entries = t.entries(style);
        if era == Era::E0 {
            // The CLI side reopens the zip in mode 'a' and appends agents.json last.
            entries.push(Entry::file("agents.json", agents));
        }
        ZipBuilder::with(entries)
    }

    /// `blueprints/`, `uploaded-blueprints/`, `deployments/`, `plugins/`,
    /// `snapshot-credentials/` and the 4.4+ resource folders.
    pub(super) fn file_server(&mut self, t: &mut Tree) {
        let (v, era) = (self.v, self.s.era);
        let ids: Vec<&Ids> = if v < (4, 0, 0) { self.ids.iter().take(1).collect() } else { self.ids.iter().collect() };
        for id in ids {
            // 3.x has no tenants in paths.
            let scope = if v < (4, 0, 0) { String::new() } else { format!("{}/", id.tenant) };
            let yaml = blueprint_yaml(&id.bp);
            let script = b"#!/bin/bash\nctx logger info \"installing\"\n".to_vec();
            t.add(format!("blueprints/{scope}{}/blueprint.yaml", id.bp), yaml.clone());
            t.add(format!("blueprints/{scope}{}/scripts/install.sh", id.bp), script.clone());
            let archive = tar_gz(&[
                (&format!("{}/blueprint.yaml", id.bp), yaml.as_bytes()),
                (&format!("{}/scripts/install.sh", id.bp), &script),
            ]);
            t.add(format!("uploaded-blueprints/{scope}{0}/{0}.tar.gz", id.bp), archive);
            if v >= (3, 4, 0) {
                t.add(format!("deployments/{scope}{}/hosts.ini", id.dep), "[all]\n10.0.0.5\n");
            }
            if era != Era::E0 && v >= (3, 3, 0) {
                let (name, ver) = ("cloudify_utilities_plugin", "1.23.0");
                t.add(format!("plugins/{}/{}", id.plugin, wagon_name(v)), wagon(name, ver));
                if v >= (4, 3, 0) {
                    t.add(format!("plugins/{}/plugin.yaml", id.plugin), plugin_yaml(name, ver));
                }
            }
            let cred_dir = match v {
                _ if era == Era::E0 => format!("AVb-node-{:04}", id.k),
                _ if v < (4, 1, 0) => format!("{}_vm", id.dep),
                _ => format!("{}_{}_vm", id.tenant, id.dep),
            };
            let key = self.c.pem_key("agent-key");
            t.add_mode(format!("snapshot-credentials/{cred_dir}/agent_key"), key, 0o600);
            if v >= (4, 4, 0) {
                t.dir(format!("tenant-resources/{}", id.tenant));
            }
        }
        if v >= (4, 4, 0) {
            t.dir("global-resources");
            t.dir("authenticators");
        }
    }

    /// `ssl/` as copied from `/etc/cloudify/ssl` (spec §3.7.6).
    pub(super) fn ssl(&mut self, t: &mut Tree) {
        let v = self.v;
        t.add("ssl/cloudify_internal_ca_cert.pem", cert_pem("internal-ca"));
        t.add("ssl/cloudify_internal_ca_key.pem", self.c.pem_key("internal-ca-key"));
        t.add("ssl/cloudify_internal_cert.pem", cert_pem("internal"));
        t.add("ssl/cloudify_internal_key.pem", self.c.pem_key("internal-key"));
        t.add("ssl/cloudify_internal_ca_cert.srl", "B376CF53007472A5\n");
        t.add("ssl/cloudify_external_cert.pem", cert_pem("external"));
        t.add("ssl/cloudify_external_key.pem", self.c.pem_key("external-key"));
        if v < (5, 0, 0) {
            let mut p12 = b"0\x82\x09\xa1\x02\x01\x030\x82\x09g\x06\x09*\x86H\x86\xf7\r\x01\x07\x01".to_vec();
            p12.extend_from_slice(self.c.secret("p12").as_bytes());
            t.add("ssl/cloudify_internal.p12", p12);
        } else {
            t.add("ssl/rabbitmq-cert.pem", cert_pem("rabbitmq"));
            t.add("ssl/rabbitmq-key.pem", self.c.pem_key("rabbitmq-key"));
            t.add("ssl/status_reporter_cert.pem", cert_pem("status-reporter"));
        }
        let meta = json!({"hostname": "manager-1", "network_names": ["default"],
            "broker_addresses": ["10.0.0.1"], "manager_addresses": ["10.0.0.1"]});
        t.add_mode("ssl/certificate_metadata", py_json(&meta), 0o600);
    }

    /// Stage and Composer file copies (spec §3.4.1; premium only).
    pub(super) fn stage_and_composer_copies(&mut self, t: &mut Tree) {
        let v = self.v;
        if v <= (5, 0, 5) {
            let app = json!({"db": {"url": format!("postgres://cloudify:{}@localhost:5432/stage",
                    self.c.secret("stage-db-password")),
                    "options": {"dialectOptions": {"ssl": false}}},
                "github": {"username": "secret(github-username)", "password": self.c.secret("github-password")},
                "maps": {"accessToken": self.c.secret("maps-token")},
                "proxy": {"timeouts": {"blueprintUpload": 70000, "delete": 10000, "get": 30000}}});
            t.add("stage/conf/app.json", py_json(&app));
            t.add(
                "stage/conf/manager.json",
                "{\n  \"ip\":\"127.0.0.1\",\n  \"apiVersion\": \"v3.1\",\n  \
                                              \"protocol\" : \"https\",\n  \"port\": \"53333\"\n}",
            );
            t.add(
                "stage/conf/userConfig.json",
                py_json(&json!({"maps": {"tilesUrl": "https://tiles/{z}/{x}/{y}.png"}})),
            );
            t.add("stage/conf/log4jsConfig.json", py_json(&json!({"appenders": [{"type": "console"}]})));
            t.add("stage/conf/me.json.template", "{}\n");
            t.add("stage/conf/README.md", "# Stage configuration\n");
            let prod = json!({"db": {"url": format!("postgres://cloudify:{}@localhost:5432/composer",
                    self.c.secret("composer-db-password"))},
                "sessionSecret": self.c.secret("composer-session-secret"),
                "managerConfig": {"ca": "/etc/cloudify/ssl/cloudify_internal_ca_cert.pem", "ip": "localhost"}});
            t.add("composer/backend/conf/prod.json", py_json(&prod));
            t.add("composer/backend/conf/featuresConf.json", py_json(&json!({"features": {}})));
            t.add("composer/backend/conf/logsConf.json", py_json(&json!({"level": "info"})));
            t.add("composer/backend/conf/TopologyRules.json", py_json(&json!({"rules": []})));
            t.add("composer/backend/conf/conf_example.js", "module.exports = {};\n");
            t.add("composer/backend/conf/README.md", "# Composer configuration\n");
        }
        if v < (4, 3, 0) {
            t.add("stage/dist/widgets/customWidget/widget.js", "Stage.defineWidget({id: 'customWidget'});\n");
            t.add("stage/dist/templates/custom.json", py_json(&json!({"name": "custom", "pages": []})));
        } else {
            t.dir("stage/dist/userData/templates/pages");
            t.dir("stage/dist/userData/widgets");
        }
        t.dir("composer/backend/dev");
    }

    pub(super) fn rest_security(&mut self) -> String {
        let conf = json!({
            "encoding_alphabet": self.c.secret("encoding-alphabet"),
            "encoding_block_size": 24,
            "encoding_min_length": 5,
            "encryption_key": self.c.key32(),
            "hash_salt": self.c.secret("hash-salt"),
            "secret_key": self.c.secret("secret-key"),
        });
        py_json(&conf)
    }

    /// The admin's password hash and API token key, shared by `pg_data` and `admin_account.json`.
    pub(super) fn admin_creds(&mut self) -> (String, String) {
        let c = &mut self.c;
        self.admin.get_or_insert_with(|| (c.secret("admin-password-hash"), c.secret("api-token-key"))).clone()
    }

    /// `psql -t` output of `row_to_json`: one JSON object, a leading space, trailing blank lines.
    pub(super) fn admin_account(&mut self) -> String {
        let (hash, token) = self.admin_creds();
        format!(
            " {{\"id\":0,\"username\":\"admin\",\"active\":true,\"created_at\":null,\"email\":null,\
             \"first_name\":null,\"last_login_at\":\"2024-05-17T12:00:00.000000\",\"last_name\":null,\
             \"password\":\"$pbkdf2-sha256$29000${hash}\",\"api_token_key\":\"{token}\",\
             \"last_failed_login_at\":null,\"failed_logins_counter\":0}}\n\n"
        )
    }
}
