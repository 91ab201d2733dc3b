//! The Cloudify checklist's legacy payload rules (C1–C15).

use super::*;

impl Cases {
    /// C1–C15: the legacy payload.
    pub(super) fn legacy_payload(&mut self) {
        self.add(
            "C1",
            "no-pg-data",
            &["payload-missing"],
            "A 5.1.0 snapshot without pg_data; restore's psql -f fails.",
            without(l5(), "pg_data"),
        );
        self.add(
            "C1",
            "no-es-data",
            &["payload-missing"],
            "A 3.3 snapshot without es_data.",
            without(Snapshot::new(Era::E1).zip(), "es_data"),
        );
        self.add(
            "C2",
            "no-agents",
            &["agents-missing"],
            "A 5.1.0 snapshot without agents.json; restore opens it unconditionally.",
            without(l5(), "agents.json"),
        );
        self.add(
            "C2",
            "agents-invalid-json",
            &["agents-invalid"],
            "agents.json cut mid-object.",
            with(l5(), |z| set(z, "agents.json", "{\"default_tenant\": {\"hello-world-dep\"")),
        );
        self.add(
            "C2",
            "agents-leaf-shape",
            &["agents-shape"],
            "An agents.json leaf with neither broker_config nor the five flat broker keys; restore skips the \
             deployment's agents with a KeyError.",
            with(l5(), |z| {
                set(
                    z,
                    "agents.json",
                    py_json(&json!({"default_tenant": {"hello-world-dep": {"vm": {"vm_1": {"version": "5.1.0"}}}}})),
                )
            }),
        );
        let flat = json!({"hello-world-dep": {"vm": {"vm_1": {"version": "5.1.0", "broker_config":
            {"broker_ip": ["10.0.0.1"], "broker_ssl_cert": "", "broker_ssl_enabled": true}}}}});
        self.add(
            "C2",
            "agents-flat-nesting",
            &["agents-shape"],
            "A 5.1.0 agents.json nested like 4.0 (deployment first, no tenant level).",
            with(l5(), |z| set(z, "agents.json", py_json(&flat))),
        );
        let cut = |z: &mut ZipBuilder, name: &str, at: &str| {
            edit_text(z, name, |t| {
                let i = t.find(at).expect("marker in dump");
                t[..i].to_owned()
            })
        };
        self.add(
            "C3",
            "pg-data-unterminated-copy",
            &["sql-dump-truncated"],
            "pg_data cut inside the COPY users block: no '\\.' terminator, no 'dump complete' marker. Both testers \
             pass the zip; restore's psql fails.",
            with(l5(), |z| cut(z, "pg_data", "0\tadmin")),
        );
        self.add(
            "C3",
            "pg-data-no-complete-marker",
            &["sql-dump-truncated"],
            "pg_data whose COPY blocks are complete but which lacks '-- PostgreSQL database dump complete' and the \
             DELETE line.",
            with(l5(), |z| cut(z, "pg_data", "--\n-- PostgreSQL database dump complete")),
        );
        self.add(
            "C3",
            "pg-data-custom-format",
            &["sql-dump-invalid"],
            "pg_data in pg_dump's custom (binary) format instead of plain SQL.",
            with(l5(), |z| {
                set(z, "pg_data", b"PGDMP\x01\x0e\x00\x04\x08\x01\x01\x01\x00\x00\x00\x00\x0b\x00".to_vec())
            }),
        );
        self.add(
            "C3",
            "pg-data-no-delete",
            &["sql-dump-no-delete"],
            "pg_data without the trailing DELETE of the snapshot's own execution.",
            with(l5(), |z| {
                edit_text(z, "pg_data", |t| t[..t.find("\nDELETE FROM").expect("DELETE")].to_owned() + "\n")
            }),
        );
        let kept = "--\n-- Data for Name: provider_context; Type: TABLE DATA; Schema: public; Owner: cloudify\n--\n\n\
                    COPY provider_context (id, name, context) FROM stdin;\n\
                    CLOUDIFY_PROVIDER_CONTEXT\tprovider\t\\\\x80037d71002e\n\\.\n\n\n";
        self.add(
            "C4",
            "pg-data-kept-table",
            &["sql-kept-table"],
            "pg_data with data for provider_context, which restore keeps: the insert clashes.",
            with(l5(), |z| {
                edit_text(z, "pg_data", |t| {
                    let end = t.find("--\n-- PostgreSQL database dump complete").expect("complete marker");
                    format!("{}{kept}{}", &t[..end], &t[end..])
                })
            }),
        );
        self.add(
            "C8",
            "stage-data-truncated",
            &["sql-dump-truncated"],
            "stage_data cut inside a COPY block.",
            with(l5(), |z| cut(z, "stage_data", "\\.\n\n\n--\n-- Data for Name: UserApps")),
        );
        self.add(
            "C5",
            "no-networks",
            &["networks-missing"],
            "A 5.1.0 snapshot without networks.json; the restore validator opens it.",
            without(l5(), "networks.json"),
        );
        self.add(
            "C5",
            "networks-invalid",
            &["networks-invalid"],
            "networks.json without active_networks.",
            with(l5(), |z| set(z, "networks.json", "{\"networks\": 3}")),
        );
        self.add(
            "C6",
            "no-rest-security",
            &["rest-security-missing"],
            "A 5.1.0 snapshot without rest-security.conf.",
            without(l5(), "rest-security.conf"),
        );
        self.add(
            "C6",
            "rest-security-invalid",
            &["rest-security-invalid"],
            "rest-security.conf that is a JSON list.",
            with(l5(), |z| set(z, "rest-security.conf", "[]")),
        );
        self.add(
            "C6",
            "encryption-key-short",
            &["encryption-key-invalid"],
            "rest-security.conf whose encryption_key decodes to 20 bytes.",
            with(l5(), |z| edit_json(z, "rest-security.conf", |v| v["encryption_key"] = json!(base64(&[7; 20], true)))),
        );
        self.add(
            "C7",
            "no-admin-account",
            &["admin-account-missing"],
            "A 5.1.0 snapshot without admin_account.json.",
            without(l5(), "admin_account.json"),
        );
        self.add(
            "C7",
            "admin-account-invalid",
            &["admin-account-invalid"],
            "admin_account.json without a password.",
            with(l5(), |z| set(z, "admin_account.json", " {\"id\":0,\"username\":\"admin\"}\n\n")),
        );
        self.add(
            "C7",
            "hash-salt-without-admin",
            &["admin-account-missing"],
            "A 4.3 snapshot with hash_salt.json but no admin_account.json: restore needs both.",
            without(Snapshot::new(Era::L2).zip(), "admin_account.json"),
        );
        self.add(
            "C8",
            "no-stage-data",
            &["stage-data-missing"],
            "A premium 5.1.0 snapshot without stage_data: premium managers fail the restore.",
            without(l5(), "stage_data"),
        );
        self.add(
            "C8",
            "no-composer-data",
            &["composer-data-missing"],
            "A premium 5.1.0 snapshot without composer_data.",
            without(l5(), "composer_data"),
        );
        self.add(
            "C12",
            "es-data-bad-lines",
            &["es-data-line-invalid"],
            "es_data with a non-JSON line and a line of unknown _type; 4.x conversion skips them with a warning.",
            with(Snapshot::new(Era::E2).zip(), |z| {
                edit_text(z, "es_data", |t| {
                    t + "this line is not json\n{\"_index\": \"cloudify_storage\", \"_type\": \"widget\", \"_id\": \
                     \"w\", \"_source\": {}}\n"
                })
            }),
        );
        self.add(
            "C13",
            "credentials-without-agent-key",
            &["credentials-layout"],
            "A snapshot-credentials/ folder holding key.pem instead of agent_key.",
            l5().push(Entry::file("snapshot-credentials/default_tenant_hello-world-dep_db/key.pem", "not a key\n")),
        );
        self.add(
            "C14",
            "restore-time-file",
            &["restore-time-file"],
            "license.json, which only restore creates (in its temp dir): the archive was assembled by hand.",
            l5().push(Entry::file("license.json", "{}")),
        );
        self.add(
            "C15",
            "influxdb-data",
            &["influxdb-ignored"],
            "influxdb_data in a 5.1.0 snapshot; restore ignores it from 5.0 on.",
            l5().push(Entry::file(
                "influxdb_data",
                "{\"name\": \"cpu\", \"columns\": [\"time\"], \"points\": [[1]]}\n",
            )),
        );
    }
}
