//! `gs://` and `az://` end to end, against the local Range server ([`super::http`]): the GCS
//! store talks the XML API to the `gcs_base_url` of a service-account key with OAuth turned
//! off, and the Azure store talks to an Azurite-style endpoint (`AZURE_STORAGE_USE_EMULATOR`,
//! `AZURITE_BLOB_STORAGE_URL`). Both only need ranged GETs, HEADs and `Last-Modified`, which the
//! server gives at every path; nothing leaves 127.0.0.1.

use super::http::{Fault, Server};
use super::{comparable, json, local, run};
use snapshot_tests::cloudify::sample;

/// Checks `url` at both levels with `env`, and compares each report with the local file's.
fn parity(url: &str, env: &[(&str, String)], server: &Server, path: &str) {
    for level in ["quick", "full"] {
        let l = run(&["check", path, "--level", level, "--sha256", "--format", "json"], &[]);
        let r = run(&["check", url, "--level", level, "--sha256", "--format", "json"], env);
        assert_eq!(l.code, r.code, "{url} {level}: {}", r.stderr);
        let rj = json(&r.stdout);
        assert_eq!(rj["source"]["url"], url, "{}", rj["source"]);
        assert!(rj["source"]["requests"].as_u64() >= Some(1), "{}", rj["source"]);
        assert_eq!(comparable(rj), comparable(json(&l.stdout)), "{url} {level}");
    }
    assert!(server.requests() >= 2, "the store sent its requests (one run at each level) to the local server");
    let r = run(&["inspect", url, "--format", "json"], env);
    assert_eq!(r.code, 0, "{}", r.stderr);
}

#[test]
fn gs_urls_read_through_the_gcs_store() {
    let bytes = sample().bytes();
    let dir = tempfile::tempdir().unwrap();
    let path = local(dir.path(), "sample.zip", &bytes);
    let server = Server::start(bytes, Fault::None);
    let key = format!(
        r#"{{"private_key":"","private_key_id":"","client_email":"ci@example.invalid",
            "gcs_base_url":"http://127.0.0.1:{}","disable_oauth":true}}"#,
        server.port
    );
    let env = [("GOOGLE_SERVICE_ACCOUNT_KEY", key)];
    parity("gs://backups/nightly/sample.zip", &env, &server, &path);
    // Without credentials: the could-not-run error names what to set, before any request.
    let before = server.requests();
    let r = run(&["check", "gs://backups/nightly/sample.zip"], &[]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("GOOGLE_APPLICATION_CREDENTIALS"), "{}", r.stderr);
    assert_eq!(server.requests(), before);
}

#[test]
fn az_and_abfss_urls_read_through_the_azure_store() {
    let bytes = sample().bytes();
    let dir = tempfile::tempdir().unwrap();
    let path = local(dir.path(), "sample.zip", &bytes);
    let server = Server::start(bytes, Fault::None);
    let env = [
        ("AZURE_STORAGE_USE_EMULATOR", "true".to_owned()),
        ("AZURITE_BLOB_STORAGE_URL", format!("http://127.0.0.1:{}", server.port)),
    ];
    parity("az://snapshots/nightly/sample.zip", &env, &server, &path);
    let r = run(&["check", "abfss://snapshots@devstoreaccount1.dfs.core.windows.net/nightly/sample.zip"], &env);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let r = run(&["check", "az://snapshots/nightly/sample.zip"], &[]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("AZURE_STORAGE_ACCOUNT_KEY"), "{}", r.stderr);
}
