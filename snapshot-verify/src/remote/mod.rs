//! Archives where they live: `s3://`, `gs://`, `az://`/`abfss://` and `http(s)://` URLs read
//! with ranged requests through the `object_store` crate (`file://` URLs are plain files).
//!
//! - `store` builds one store per archive from the URL, the cloud's standard environment
//!   variables and `--storage-option key=value`, with bounded retries and a per-request timeout,
//!   and counts every HTTP request it sends.
//! - [`RemoteSource`] is the core's read seam over an object: a HEAD first (size, ETag,
//!   version), then ranged GETs pinned to that ETag/version through a shared block cache with
//!   read-ahead and bounded parallel prefetch (memory stays flat).
//! - [`list`] expands a URL ending in `/` (or with a glob in its key) into the `*.zip` objects
//!   under it.
//!
//! Nothing here prints, logs or returns a credential, a signature or a query string: URLs are
//! shown through [`redact`], and errors are rebuilt from their kind (see the `error` module).

mod cache;
mod error;
mod hints;
mod list;
mod source;
mod store;

pub use list::{is_listing, list};
pub use source::{HashView, RemoteSource};

use std::time::Duration;
use url::Url;

/// What every remote input of a run shares: the command line's storage options and timeout.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    /// `--storage-option key=value`, in order (later ones win).
    pub options: Vec<(String, String)>,
    /// `--timeout`: the most one request may take.
    pub timeout: Option<Duration>,
}

/// The default per-request timeout.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// Whether `arg` is a URL (`scheme://…`) rather than a path.
pub fn is_url(arg: &str) -> bool {
    let Some((scheme, _)) = arg.split_once("://") else { return false };
    let mut chars = scheme.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
}

/// A remote object to verify.
#[derive(Debug, Clone)]
pub struct Target {
    /// The URL as given (it may hold a presigned query string: never shown).
    url: Url,
    /// The URL for output: no user, password, query or fragment.
    shown: String,
}

impl Target {
    /// Parses a URL argument; `Ok(None)` for `file://` URLs, which are local paths.
    pub fn parse(arg: &str) -> anyhow::Result<Option<Target>> {
        let url = Url::parse(arg).map_err(|e| anyhow::anyhow!("`{}` is not a valid URL: {e}", redact_str(arg)))?;
        if url.scheme() == "file" {
            return Ok(None);
        }
        store::scheme_of(&url)?;
        Ok(Some(Target { shown: redact(&url), url }))
    }

    /// The URL for output.
    pub fn shown(&self) -> &str {
        &self.shown
    }

    /// The URL as given.
    pub fn url(&self) -> &Url {
        &self.url
    }

    /// The object's base name (the last segment of its key).
    pub fn file_name(&self) -> String {
        let path = self.url.path().trim_end_matches('/');
        let last = path.rsplit('/').next().unwrap_or(path);
        percent_decode(last)
    }
}

/// `url` without user, password, query string or fragment: what output may show.
pub fn redact(url: &Url) -> String {
    let mut shown = url.clone();
    // In abfs(s)://container@account… the user part is the container, not a credential.
    if !matches!(url.scheme(), "abfs" | "abfss") {
        let _ = shown.set_username("");
    }
    let _ = shown.set_password(None);
    shown.set_query(None);
    shown.set_fragment(None);
    shown.to_string()
}

/// [`redact`] for text that may not even parse as a URL: cuts at `?` or `#` and drops a
/// `user:password@` part.
pub fn redact_str(arg: &str) -> String {
    if let Ok(url) = Url::parse(arg) {
        return redact(&url);
    }
    let cut = arg.find(['?', '#']).map_or(arg, |i| &arg[..i]);
    match (cut.find("://"), cut.rfind('@')) {
        (Some(s), Some(at)) if at > s => format!("{}{}", &cut[..s + 3], &cut[at + 1..]),
        _ => cut.to_owned(),
    }
}

pub(crate) fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%'
            && let (Some(h), Some(l)) = (bytes.get(i + 1).and_then(|&b| hex(b)), bytes.get(i + 2).and_then(|&b| hex(b)))
        {
            out.push((h * 16 + l) as u8);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

pub use crate::inputs::in_shard;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_told_from_paths_and_shown_without_secrets() {
        assert!(is_url("s3://b/k.zip") && is_url("https://h/x") && is_url("file:///tmp/a.zip"));
        assert!(!is_url("/tmp/a.zip") && !is_url("./s3:/x") && !is_url("1x://y"));
        let t =
            Target::parse("https://user:pw@host:9000/b/dir/a%20b.zip?X-Amz-Signature=SECRET#frag").unwrap().unwrap();
        assert_eq!(t.shown(), "https://host:9000/b/dir/a%20b.zip");
        assert_eq!(t.file_name(), "a b.zip");
        assert!(Target::parse("file:///tmp/a.zip").unwrap().is_none());
        assert!(Target::parse("ftp://h/a.zip").unwrap_err().to_string().contains("ftp"));
        assert_eq!(redact_str("s3://k:SECRET@b/x?sig=SECRET"), "s3://b/x");
        assert_eq!(redact_str("not a url?token=SECRET"), "not a url");
    }

    #[test]
    fn shards_partition_every_key_exactly_once_and_are_stable() {
        let keys: Vec<String> = (0..1000).map(|i| format!("snapshots/s{i}/s{i}.zip")).collect();
        let mut counts = [0usize; 4];
        for key in &keys {
            let owners: Vec<u32> = (0..4).filter(|&k| in_shard(key, (k, 4))).collect();
            assert_eq!(owners.len(), 1, "{key}");
            counts[owners[0] as usize] += 1;
        }
        assert!(counts.iter().all(|&c| c > 200 && c < 300), "{counts:?}");
        // Pinned values: the partition must never change between versions.
        assert!(in_shard("snapshots/a/a.zip", (fnv_mod("snapshots/a/a.zip", 7), 7)));
        assert_eq!(fnv_mod("snapshots/a/a.zip", 1000), 776, "computed independently (Python)");
    }

    fn fnv_mod(key: &str, n: u32) -> u32 {
        (0..n).find(|&k| in_shard(key, (k, n))).unwrap()
    }
}
