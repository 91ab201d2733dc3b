//! Expanding a URL ending in `/`, or with a glob in its key, into the archives under it.

use super::error::{Cause, RemoteError};
use super::store::{self, Stats};
use super::{Settings, Target, redact};
use futures_util::TryStreamExt;
use object_store::ObjectStore;
use object_store::path::Path;
use std::sync::Arc;
use url::Url;

/// Whether `url` names several objects: its key ends in `/` or holds a glob metacharacter.
pub fn is_listing(url: &Url) -> bool {
    url.path().ends_with('/') || url.path().contains(['*', '?', '[']) || url.path().contains("%5B")
}

/// The objects `url` names, sorted by key, with their keys: every `*.zip` (any case) under a
/// prefix ending in `/`, or every object whose key matches the glob (where `*` does not cross
/// `/`, `**` does). Listing needs a bucket URL (`s3://`, `gs://`, `az://`, `abfss://`, …),
/// whose path is the key.
pub fn list(url: &Url, settings: &Settings) -> Result<Vec<(String, Target)>, RemoteError> {
    if matches!(url.scheme(), "http" | "https") {
        return Err(RemoteError::new(
            Cause::Usage,
            format!(
                "{} names several objects, but HTTP(S) has no listing: name the archives, or use the bucket's s3://, gs:// or az:// URL",
                redact(url)
            ),
        ));
    }
    let key = super::percent_decode(url.path().trim_start_matches('/'));
    let glob_at = key.find(['*', '?', '[']);
    let prefix = match glob_at {
        Some(i) => key[..i].rfind('/').map_or("", |slash| &key[..=slash]),
        None => key.as_str(),
    };
    let pattern = match glob_at {
        Some(_) => Some(
            glob::Pattern::new(&key)
                .map_err(|e| RemoteError::new(Cause::Usage, format!("invalid glob pattern in {}: {e}", redact(url))))?,
        ),
        None => None,
    };
    let mut base = url.clone();
    base.set_path("/");
    let (store, _) = store::build(&base, settings, Arc::new(Stats::default()))?;
    let listed = list_prefix(store.as_ref(), prefix)?;
    let opts = glob::MatchOptions { require_literal_separator: true, ..glob::MatchOptions::new() };
    let mut found: Vec<String> = listed
        .into_iter()
        .filter(|k| k.starts_with(prefix))
        .filter(|k| match &pattern {
            Some(p) => p.matches_with(k, opts),
            None => k.len() >= 4 && k[k.len() - 4..].eq_ignore_ascii_case(".zip"),
        })
        .collect();
    found.sort();
    if found.is_empty() {
        let what = if pattern.is_some() { "no object matches" } else { "no *.zip under" };
        return Err(RemoteError::new(Cause::EmptyListing, format!("{what} {}", redact(url))));
    }
    Ok(found
        .into_iter()
        .map(|k| {
            let mut u = base.clone();
            u.set_path(&encode_key(&k));
            let target = Target { shown: redact(&u), url: u };
            (k, target)
        })
        .collect())
}

fn encode_key(key: &str) -> String {
    let mut out = String::with_capacity(key.len() + 1);
    if !key.starts_with('/') {
        out.push('/');
    }
    for b in key.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

fn list_prefix(store: &dyn ObjectStore, prefix: &str) -> Result<Vec<String>, RemoteError> {
    let prefix = Path::from(prefix.trim_end_matches('/'));
    let prefix = (!prefix.as_ref().is_empty()).then_some(prefix);
    super::source::block_on(async {
        store
            .list(prefix.as_ref())
            .map_ok(|meta| meta.location.to_string())
            .try_collect::<Vec<String>>()
            .await
            .map_err(RemoteError::from_store)
    })
}
