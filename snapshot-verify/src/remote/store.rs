//! Building one `object_store` store for a URL: the scheme picks the cloud, its standard
//! environment variables and `--storage-option` configure it, and every request goes through
//! [`Counted`], which counts it (and, for a presigned HTTP(S) URL, puts the query string back:
//! object_store's HTTP store keeps only the path).

use super::Settings;
use super::error::{Cause, RemoteError};
use async_trait::async_trait;
use object_store::client::{
    HttpClient, HttpConnector, HttpError, HttpRequest, HttpResponse, HttpService, ReqwestConnector,
};
use object_store::path::Path;
use object_store::{BackoffConfig, ClientOptions, ObjectStore, ObjectStoreScheme, RetryConfig};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use url::Url;

/// What a source cost: HTTP requests sent (retries included) and body bytes received.
#[derive(Debug, Default)]
pub struct Stats {
    /// Requests sent.
    pub requests: AtomicU64,
    /// Bytes of object data received.
    pub bytes: AtomicU64,
}

impl Stats {
    /// `(bytes, requests)` so far.
    pub fn get(&self) -> (u64, u64) {
        (self.bytes.load(Ordering::Relaxed), self.requests.load(Ordering::Relaxed))
    }
}

/// Which store a URL needs; an error names a scheme this build cannot read.
pub fn scheme_of(url: &Url) -> anyhow::Result<ObjectStoreScheme> {
    let scheme = match url.scheme() {
        "http" | "https" if url.query().is_some() => ObjectStoreScheme::Http,
        "s3" | "s3a" | "gs" | "az" | "azure" | "abfs" | "abfss" | "adl" | "http" | "https" => {
            ObjectStoreScheme::parse(url).map(|(s, _)| s).map_err(|_| unsupported(url))?
        }
        _ => return Err(unsupported(url)),
    };
    Ok(scheme)
}

fn unsupported(url: &Url) -> anyhow::Error {
    anyhow::anyhow!(
        "unsupported URL scheme `{}://`: use s3://, gs://, az:// (abfss://), http(s):// or file://",
        url.scheme()
    )
}

/// The store for `url`, and the object's (or prefix's) path in it.
pub fn build(url: &Url, settings: &Settings, stats: Arc<Stats>) -> Result<(Arc<dyn ObjectStore>, Path), RemoteError> {
    // reqwest is built without a default crypto provider; ring is the one this build has.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let scheme = scheme_of(url).map_err(|e| RemoteError::new(Cause::Usage, e.to_string()))?;
    let timeout = settings.timeout.unwrap_or(super::DEFAULT_TIMEOUT);
    let client = ClientOptions::new()
        .with_timeout(timeout)
        .with_connect_timeout(timeout.min(Duration::from_secs(10)))
        // A URL the user wrote with http:// (or an http:// endpoint) is their choice.
        .with_allow_http(true);
    let retry = RetryConfig {
        backoff: BackoffConfig {
            init_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_secs(2),
            base: 2.0,
        },
        max_retries: 3,
        retry_timeout: timeout.saturating_mul(3),
    };
    let query = if scheme == ObjectStoreScheme::Http { url.query().map(str::to_owned) } else { None };
    let connector = Counter { query, stats };
    let bad_option = |key: &str| {
        RemoteError::new(Cause::Usage, format!("--storage-option `{key}` is not an option of the {scheme:?} store"))
    };
    let store: Arc<dyn ObjectStore> = match scheme {
        ObjectStoreScheme::AmazonS3 => {
            use object_store::aws::{AmazonS3Builder, AmazonS3ConfigKey as K};
            let mut b = AmazonS3Builder::from_env().with_url(url.as_str()).with_client_options(client);
            for (key, value) in &settings.options {
                b = b.with_config(key.to_ascii_lowercase().parse().map_err(|_| bad_option(key))?, value);
            }
            let set = |k: K| b.get_config_value(&k).is_some_and(|v| !v.is_empty());
            let skip = b.get_config_value(&K::SkipSignature).is_some_and(|v| v == "true");
            if !(skip
                || set(K::AccessKeyId)
                || set(K::WebIdentityTokenFile)
                || set(K::ContainerCredentialsRelativeUri)
                || set(K::ContainerCredentialsFullUri)
                || set(K::MetadataEndpoint))
            {
                return Err(no_credentials(
                    "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN), or \
                     AWS_WEB_IDENTITY_TOKEN_FILE; for a public bucket --storage-option aws_skip_signature=true; \
                     for EC2 instance credentials --storage-option aws_metadata_endpoint=http://169.254.169.254",
                ));
            }
            Arc::new(b.with_retry(retry).with_http_connector(connector).build().map_err(RemoteError::from_store)?)
        }
        ObjectStoreScheme::GoogleCloudStorage => {
            use object_store::gcp::{GoogleCloudStorageBuilder, GoogleConfigKey as K};
            let mut b = GoogleCloudStorageBuilder::from_env().with_url(url.as_str()).with_client_options(client);
            for (key, value) in &settings.options {
                b = b.with_config(key.to_ascii_lowercase().parse().map_err(|_| bad_option(key))?, value);
            }
            let set = |k: K| b.get_config_value(&k).is_some_and(|v| !v.is_empty());
            let adc = std::env::var_os("HOME").is_some_and(|h| {
                std::path::Path::new(&h).join(".config/gcloud/application_default_credentials.json").is_file()
            });
            let skip = b.get_config_value(&K::SkipSignature).is_some_and(|v| v == "true");
            if !(skip || adc || set(K::ServiceAccount) || set(K::ServiceAccountKey) || set(K::ApplicationCredentials)) {
                return Err(no_credentials(
                    "GOOGLE_APPLICATION_CREDENTIALS or GOOGLE_SERVICE_ACCOUNT (a key file), or run \
                     `gcloud auth application-default login`; for a public bucket --storage-option google_skip_signature=true",
                ));
            }
            Arc::new(b.with_retry(retry).with_http_connector(connector).build().map_err(RemoteError::from_store)?)
        }
        ObjectStoreScheme::MicrosoftAzure => {
            use object_store::azure::{AzureConfigKey as K, MicrosoftAzureBuilder};
            let mut b = MicrosoftAzureBuilder::from_env().with_url(url.as_str()).with_client_options(client);
            for (key, value) in &settings.options {
                b = b.with_config(key.to_ascii_lowercase().parse().map_err(|_| bad_option(key))?, value);
            }
            let set = |k: K| b.get_config_value(&k).is_some_and(|v| !v.is_empty() && v != "false");
            if ![
                K::AccessKey,
                K::SasKey,
                K::Token,
                K::ClientSecret,
                K::FederatedTokenFile,
                K::UseEmulator,
                K::SkipSignature,
                K::UseAzureCli,
                K::MsiEndpoint,
            ]
            .into_iter()
            .any(set)
            {
                return Err(no_credentials(
                    "AZURE_STORAGE_ACCOUNT_KEY, AZURE_STORAGE_SAS_KEY, AZURE_STORAGE_TOKEN, \
                     AZURE_CLIENT_ID + AZURE_CLIENT_SECRET + AZURE_TENANT_ID, or AZURE_FEDERATED_TOKEN_FILE; \
                     --storage-option azure_use_azure_cli=true or azure_msi_endpoint=… for a managed identity",
                ));
            }
            Arc::new(b.with_retry(retry).with_http_connector(connector).build().map_err(RemoteError::from_store)?)
        }
        ObjectStoreScheme::Http => {
            use object_store::http::HttpBuilder;
            let base = &url[..url::Position::BeforePath];
            let mut b = HttpBuilder::new().with_url(base).with_client_options(client);
            for (key, value) in &settings.options {
                b = b.with_config(key.to_ascii_lowercase().parse().map_err(|_| bad_option(key))?, value);
            }
            Arc::new(b.with_retry(retry).with_http_connector(connector).build().map_err(RemoteError::from_store)?)
        }
        _ => return Err(RemoteError::new(Cause::Usage, unsupported(url).to_string())),
    };
    let path = object_path(url, scheme)?;
    Ok((store, path))
}

fn no_credentials(what: &str) -> RemoteError {
    RemoteError::new(Cause::NoCredentials, format!("no credentials found: set {what}"))
}

/// The object's path inside its store.
fn object_path(url: &Url, scheme: ObjectStoreScheme) -> Result<Path, RemoteError> {
    let raw = if scheme == ObjectStoreScheme::Http {
        url.path().to_owned()
    } else {
        let (_, path) = ObjectStoreScheme::parse(url).map_err(|e| RemoteError::new(Cause::Usage, e.to_string()))?;
        path.to_string()
    };
    // `from_url_path` percent-decodes; an empty or `/`-only path is the store's root.
    Path::from_url_path(raw.trim_start_matches('/')).map_err(|e| RemoteError::new(Cause::Usage, e.to_string()))
}

/// The connector every store gets: reqwest, counted, with a presigned URL's query string.
#[derive(Debug)]
struct Counter {
    query: Option<String>,
    stats: Arc<Stats>,
}

impl HttpConnector for Counter {
    fn connect(&self, options: &ClientOptions) -> object_store::Result<HttpClient> {
        let inner = ReqwestConnector::default().connect(options)?;
        Ok(HttpClient::new(Counted { inner, query: self.query.clone(), stats: Arc::clone(&self.stats) }))
    }
}

#[derive(Debug)]
struct Counted {
    inner: HttpClient,
    query: Option<String>,
    stats: Arc<Stats>,
}

#[async_trait]
impl HttpService for Counted {
    async fn call(&self, mut req: HttpRequest) -> Result<HttpResponse, HttpError> {
        if let Some(query) = &self.query {
            let uri = req.uri().to_string();
            let joined = if uri.contains('?') { format!("{uri}&{query}") } else { format!("{uri}?{query}") };
            if let Ok(uri) = joined.parse() {
                *req.uri_mut() = uri;
            }
        }
        self.stats.requests.fetch_add(1, Ordering::Relaxed);
        self.inner.execute(req).await
    }
}
