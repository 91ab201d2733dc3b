//! The Cloudify checklist's `metadata.json` rules (B1–B13).

use super::*;

impl Cases {
    /// B1–B13: metadata.json.
    pub(super) fn metadata(&mut self) {
        self.add(
            "B1",
            "no-metadata",
            &["not-a-snapshot"],
            "A 5.1.0 snapshot without metadata.json. Restore fails with KeyError or 'No metadata found'.",
            without(l5(), "metadata.json"),
        );
        self.add(
            "B1",
            "metadata-in-folder",
            &["metadata-not-at-root"],
            "A snapshot re-zipped with its folder: every entry sits under 'snapshot-5.1.0/'.",
            with(l5(), |z| {
                for e in &mut z.entries {
                    e.name.splice(0..0, b"snapshot-5.1.0/".iter().copied());
                }
                z.entries.insert(0, Entry::dir("snapshot-5.1.0/"));
            }),
        );
        self.add(
            "B2",
            "metadata-invalid-json",
            &["metadata-invalid-json"],
            "metadata.json cut mid-object.",
            with(l5(), |z| set(z, "metadata.json", "{\"snapshot_version\": \"5.1.0\", \"schema_rev")),
        );
        self.add(
            "B2",
            "metadata-not-object",
            &["metadata-not-object"],
            "metadata.json is a JSON list.",
            with(l5(), |z| set(z, "metadata.json", "[\"5.1.0\"]")),
        );
        self.add(
            "B3",
            "version-missing",
            &["version-missing"],
            "metadata.json without snapshot_version.",
            with(l5(), |z| {
                meta(z, |m| {
                    m.remove("snapshot_version");
                })
            }),
        );
        self.add(
            "B3",
            "version-one-component",
            &["version-invalid"],
            "snapshot_version '5': Cloudify's parser raises IndexError instead of a clean error.",
            with(l5(), |z| meta_set(z, "snapshot_version", json!("5"))),
        );
        self.add(
            "B3",
            "version-not-strict",
            &["version-not-strict"],
            "snapshot_version '5.1.0.dev1': 3.4.x and 4.0.x managers reject non-numeric components.",
            with(l5(), |z| meta_set(z, "snapshot_version", json!("5.1.0.dev1"))),
        );
        self.add(
            "B7",
            "no-has-cloudify-events",
            &["has-cloudify-events-missing"],
            "A 3.3 snapshot without has_cloudify_events; 3.x restore raises KeyError.",
            with(Snapshot::new(Era::E1).zip(), |z| {
                meta(z, |m| {
                    m.remove("has_cloudify_events");
                })
            }),
        );
        self.add(
            "B8",
            "schema-revision-unknown",
            &["schema-revision-unknown"],
            "schema_revision 'deadbeef0000' is no Cloudify database revision: alembic fails.",
            with(l5(), |z| meta_set(z, "schema_revision", json!("deadbeef0000"))),
        );
        self.add(
            "B8",
            "schema-revision-too-new",
            &["schema-revision-inconsistent"],
            "A 5.1.0 snapshot claiming the 7.0 head revision.",
            with(l5(), |z| meta_set(z, "schema_revision", json!("edd6d829a209"))),
        );
        self.add(
            "B9",
            "stage-revision-noise",
            &["stage-revision-noise"],
            "stage_schema_revision with an npm log line before the migration name (the 4.5.5/4.6 fixtures); 4.6 \
             managers fail Stage restore.",
            with(l5(), |z| {
                let noisy = "Trying to fetch user config from: /opt/cloudify-stage/conf\n\
                             20200123095213-5_1-CreateBlueprintUserData.js";
                meta_set(z, "stage_schema_revision", json!(noisy));
            }),
        );
        self.add(
            "B9",
            "stage-revision-malformed",
            &["stage-revision-malformed"],
            "stage_schema_revision that is not a migration name.",
            with(l5(), |z| meta_set(z, "stage_schema_revision", json!("latest"))),
        );
        self.add(
            "B11",
            "routing-community",
            &["routing-hazard"],
            "A community-edition 5.1.0 snapshot: no stage or composer revision, so 7.0.x routes it to the new-format \
             restore, which restores nothing.",
            Snapshot::new(Era::L5).community().zip(),
        );
        self.add(
            "B11",
            "routing-4.0.1",
            &["routing-hazard"],
            "A premium 4.0.1 snapshot: no composer revision, so 7.0.x takes the new-format path.",
            Snapshot::new(Era::L1).zip(),
        );
        self.add(
            "B11",
            "keys-stripped-premium-4.3",
            &["routing-hazard"],
            "A premium 4.3.0 snapshot whose composer_schema_revision was removed: 7.0.x takes the new-format path, \
             where stage/conf/app.json names a Stage tenant 'conf' with entity 'app', and restore aborts with \
             AttributeError.",
            with(Snapshot::new(Era::L2).version("4.3.0").zip(), |z| {
                meta(z, |m| {
                    m.remove("composer_schema_revision");
                })
            }),
        );
        self.add(
            "B12",
            "execution-id-invalid",
            &["execution-id-invalid"],
            "A 7.0.4 snapshot whose execution_id is not a UUID.",
            with(n1(), |z| meta_set(z, "execution_id", json!("12345"))),
        );
        self.add(
            "B13",
            "metadata-unknown-key",
            &["metadata-unknown-key"],
            "metadata.json with a key no Cloudify version writes.",
            with(l5(), |z| meta_set(z, "created_by", json!("backup-script"))),
        );
        self.add(
            "1.2",
            "era-mismatch",
            &["era-mismatch"],
            "A pg_data (4.0+) payload whose metadata claims a 3.4.0 snapshot with has_cloudify_events.",
            with(l5(), |z| {
                meta(z, |m| {
                    m.insert("snapshot_version".into(), json!("3.4.0"));
                    m.insert("has_cloudify_events".into(), json!(true));
                })
            }),
        );
    }
}
