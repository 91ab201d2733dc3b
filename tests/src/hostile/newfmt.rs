//! The Cloudify checklist's new payload rules (D1–D13).

use super::*;

impl Cases {
    /// D1–D13: the new payload.
    pub(super) fn new_payload(&mut self) {
        const T: &str = "tenants/default_tenant/";
        self.add(
            "D1",
            "n0-archive",
            &["new-format-variant"],
            "A 7.0.0 new-format (N0) archive: only 7.0.0 managers understand mgmt/<type>/<i>.json.",
            Snapshot::new(Era::N0).zip(),
        );
        self.add(
            "D2",
            "tenant-dir-missing",
            &["tenant-dir-missing"],
            "A 7.0.4 snapshot without the tenants/default_tenant/ directory entry: restore never discovers the \
             tenant and silently skips its data.",
            without(n1(), T),
        );
        self.add(
            "D2",
            "tenant-empty",
            &["tenant-empty"],
            "A tenants/empty-tenant/ directory entry with no files: 7.0.1–7.0.4 restore probably crashes with \
             TypeError.",
            with(n1(), |z| {
                let i = z.find(T).expect("tenant dir");
                z.entries.insert(i, Entry::dir("tenants/empty-tenant/"));
            }),
        );
        self.add(
            "D3",
            "envelope-not-object",
            &["envelope-invalid"],
            "tenants/default_tenant/00000001.json is a JSON list, not {type, items}.",
            with(n1(), |z| set(z, "tenants/default_tenant/00000001.json", "[1, 2]")),
        );
        self.add(
            "D3",
            "envelope-invalid-json",
            &["envelope-invalid"],
            "tenants/default_tenant/00000001.json cut mid-object; json.load crashes the restore.",
            with(n1(), |z| set(z, "tenants/default_tenant/00000001.json", "{\"type\": \"sites\", \"items\": [")),
        );
        self.add(
            "D4",
            "envelope-unknown-type",
            &["envelope-unknown-type"],
            "A dump of type 'widgets', which restore silently ignores.",
            with(n1(), |z| {
                let i = z.find("tenants/default_tenant/00000011.json").expect("last dump") + 1;
                z.entries
                    .insert(i, Entry::file("tenants/default_tenant/00000012.json", envelope("widgets", &json!([]))));
            }),
        );
        self.add(
            "D4",
            "mgmt-tenant-type",
            &["envelope-unknown-type"],
            "A blueprints dump under mgmt/, which holds only tenants, permissions, user_groups and users.",
            with(n1(), |z| {
                let i = z.find("mgmt/00000004.json").expect("users dump") + 1;
                z.entries.insert(
                    i,
                    Entry::file(
                        "mgmt/00000005.json",
                        envelope("blueprints", &json!([{"id": "x", "main_file_name": "b.yaml"}])),
                    ),
                );
            }),
        );
        self.add(
            "D5",
            "blueprint-without-id",
            &["envelope-item-invalid"],
            "A blueprints item without id: restore crashes with KeyError.",
            with(n1(), |z| {
                set(
                    z,
                    "tenants/default_tenant/00000004.json",
                    envelope(
                        "blueprints",
                        &json!([{"main_file_name": "blueprint.yaml", "created_at": "2024-05-17T12:00:00.000Z"}]),
                    ),
                )
            }),
        );
        self.add(
            "D5",
            "plugin-without-uploaded-at",
            &["envelope-item-invalid"],
            "A plugins item without uploaded_at, which the client's restore() requires.",
            with(n1(), |z| {
                edit_json(z, "tenants/default_tenant/00000002.json", |v| {
                    v["items"][0].as_object_mut().expect("item").remove("uploaded_at");
                })
            }),
        );
        self.add(
            "D6",
            "blueprint-archive-missing",
            &["blueprint-archive-missing"],
            "The hello-world blueprint item without tenants/default_tenant/blueprints/hello-world.tar.gz.",
            without(n1(), "tenants/default_tenant/blueprints/hello-world.tar.gz"),
        );
        self.add(
            "D7",
            "plugin-archive-missing",
            &["plugin-archive-missing"],
            "A plugin item without its tenants/default_tenant/plugins/<id>.zip.",
            with(n1(), |z| z.remove_prefix("tenants/default_tenant/plugins/")),
        );
        self.add(
            "D8",
            "b64zip-not-base64",
            &["nested-archive-invalid"],
            "A deployment workdir .b64zip that is not base64.",
            with(n1(), |z| {
                let e = z.entries.iter_mut().find(|e| e.name.ends_with(b".b64zip")).expect("b64zip");
                e.data = b"!!! not base64 !!!".to_vec();
            }),
        );
        self.add(
            "D9",
            "composer-two-archives",
            &["composer-blueprints-count"],
            "composer/ with blueprints.zip and blueprints.tar.gz: restore cannot pick the snapshot.",
            n1().push(Entry::file("composer/blueprints.tar.gz", tar_gz(&[("x/blueprint.yaml", b"x")]))),
        );
        self.add(
            "D9",
            "composer-no-metadata",
            &["composer-blueprints-count"],
            "composer/ without blueprints.json: 'Cannot find blueprints' metadata in composer snapshot'.",
            without(n1(), "composer/blueprints.json"),
        );
        self.add(
            "D10",
            "stage-unknown-entity",
            &["stage-entry-unexpected"],
            "stage/unknown-entity.json, not a Stage entity.",
            n1().push(Entry::file("stage/unknown-entity.json", envelope("unknown-entity", &json!([])))),
        );
        self.add(
            "D10",
            "stage-unknown-tenant",
            &["stage-entry-unexpected"],
            "stage/ghost-tenant/ua.json for a tenant the snapshot does not hold.",
            with(n1(), |z| {
                z.entries.push(Entry::dir("stage/ghost-tenant/"));
                z.entries.push(Entry::file("stage/ghost-tenant/ua.json", envelope("ua", &json!([]))));
            }),
        );
        self.add(
            "D11",
            "nodes-without-source",
            &["envelope-source-missing"],
            "A nodes dump without source_id.",
            with(n1(), |z| {
                set(
                    z,
                    "tenants/default_tenant/00000006.json",
                    envelope(
                        "nodes",
                        &json!([{"id": "vm", "type": "cloudify.nodes.Compute", "number_of_instances": 1,
                        "visibility": "tenant", "created_by": "admin"}]),
                    ),
                )
            }),
        );
        self.add(
            "D11",
            "events-without-source",
            &["envelope-source-missing"],
            "An events dump without source (executions or execution_groups).",
            with(n1(), |z| {
                edit_json(z, "tenants/default_tenant/00000010.json", |v| {
                    v.as_object_mut().expect("envelope").remove("source");
                })
            }),
        );
        self.add(
            "D12",
            "deployment-dangling-blueprint",
            &["dangling-reference"],
            "A deployment whose blueprint_id names a blueprint the snapshot does not hold.",
            with(n1(), |z| {
                edit_json(z, "tenants/default_tenant/00000005.json", |v| {
                    v["items"][0]["blueprint_id"] = json!("missing-bp")
                })
            }),
        );
        self.add(
            "D13",
            "unexpected-root-file",
            &["unexpected-file"],
            "notes.txt at the root of a new-format snapshot; restore logs 'Unexpected file' and skips it.",
            n1().push(Entry::file("notes.txt", "remember to restore on 7.0.4\n")),
        );
    }
}
