//! Why a remote read could not run, in words that name the cause and never a secret.
//!
//! object_store's errors carry request URIs, and a server's error body can echo a signature
//! (S3's `SignatureDoesNotMatch` does), so their text is never shown: a [`RemoteError`] is
//! rebuilt from the error's kind, its HTTP status and the kind of transport failure, and has no
//! `source()` through which the original text could be printed.

use std::fmt;

/// The cause of a remote failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cause {
    /// A bad URL or option.
    Usage,
    /// No credentials were configured.
    NoCredentials,
    /// 401.
    Unauthenticated,
    /// 403.
    AccessDenied,
    /// 404.
    NotFound,
    /// The object changed during the check (412, or a different ETag, version or size).
    Changed,
    /// The server answered a ranged request with the whole body (or another range).
    RangeIgnored,
    /// The TLS handshake or certificate check failed.
    Tls,
    /// No answer within the timeout.
    Timeout,
    /// Could not connect, or the connection dropped.
    Connection,
    /// The server kept failing (5xx).
    Server,
    /// A listing held no archive.
    EmptyListing,
    /// Anything else.
    Other,
}

/// A remote failure: a cause and a message free of credentials and query strings.
#[derive(Debug, Clone)]
pub struct RemoteError {
    cause: Cause,
    message: String,
}

impl RemoteError {
    /// A failure with this cause and message.
    pub fn new(cause: Cause, message: impl Into<String>) -> RemoteError {
        RemoteError { cause, message: message.into() }
    }

    /// Its cause.
    pub fn cause(&self) -> Cause {
        self.cause
    }

    /// Classifies an object_store error without keeping its text.
    pub fn from_store(err: object_store::Error) -> RemoteError {
        use object_store::Error as E;
        let text = chain_text(&err);
        let status = status_of(&text);
        let (cause, message) = match (&err, status) {
            (E::NotFound { .. }, _) | (_, Some(404)) => {
                (Cause::NotFound, "no such bucket or key (HTTP 404)".to_owned())
            }
            (E::PermissionDenied { .. }, _) | (_, Some(403)) => (
                Cause::AccessDenied,
                "access denied (HTTP 403): the credentials in use may not read this object, or a presigned URL expired"
                    .to_owned(),
            ),
            (E::Unauthenticated { .. }, _) | (_, Some(401)) => {
                (Cause::Unauthenticated, "not authenticated (HTTP 401): the credentials were refused".to_owned())
            }
            (E::Precondition { .. }, _) | (_, Some(412)) => (Cause::Changed, changed()),
            (E::UnknownConfigurationKey { key, .. }, _) => {
                (Cause::Usage, format!("`{key}` is not a storage option of this store"))
            }
            _ if text.contains("non-partial response")
                || text.contains("range request not supported")
                || text.contains("requested ") && text.contains(", got ") =>
            {
                (Cause::RangeIgnored, range_ignored())
            }
            _ if text.contains("content-range header not present") || text.contains("content_range") => {
                (Cause::RangeIgnored, range_ignored())
            }
            (_, Some(code)) if code >= 500 => {
                (Cause::Server, format!("the server kept failing (HTTP {code}) after retries"))
            }
            (_, Some(code)) => (Cause::Other, format!("the server refused the request (HTTP {code})")),
            _ if text.contains("certificate") || text.contains("tls") || text.contains("handshake") => (
                Cause::Tls,
                "TLS failure: the server's certificate was not accepted or the TLS handshake failed".to_owned(),
            ),
            _ if text.contains("timed out") || text.contains("timeout") || text.contains("deadline") => {
                (Cause::Timeout, "no answer within the timeout (after retries); raise it with --timeout".to_owned())
            }
            _ if text.contains("connect") || text.contains("connection") || text.contains("reset") => (
                Cause::Connection,
                "could not reach the server, or it dropped the connection (after retries)".to_owned(),
            ),
            _ if text.contains("body") || text.contains("decod") => {
                (Cause::Connection, "the response was cut off (after retries)".to_owned())
            }
            _ => (Cause::Other, "the request failed".to_owned()),
        };
        RemoteError { cause, message }
    }
}

/// The message for an object replaced during the check.
pub fn changed() -> String {
    "the object changed during the check (its ETag, version or size no longer match the first \
     request): no report mixes two versions; verify it again"
        .to_owned()
}

/// The message for a server that ignores `Range`.
pub fn range_ignored() -> String {
    "the server ignored the Range header (it answered with the whole object or another range): \
     stopped reading instead of downloading it; download the file and check the copy"
        .to_owned()
}

impl fmt::Display for RemoteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for RemoteError {}

/// The HTTP status in the error's text (object_store's retry error is not public; its text
/// says `status code: NNN`).
fn status_of(text: &str) -> Option<u16> {
    let at = text.find("status code: ")? + "status code: ".len();
    text.get(at..at + 3)?.parse().ok()
}

/// The chain's text, lower-cased: read for classification only, never shown.
fn chain_text(err: &object_store::Error) -> String {
    let mut text = String::new();
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(e) = cur {
        text.push_str(&e.to_string().to_ascii_lowercase());
        text.push('\n');
        if let Some(h) = e.downcast_ref::<object_store::client::HttpError>() {
            use object_store::client::HttpErrorKind as K;
            text.push_str(match h.kind() {
                K::Connect => "connect\n",
                K::Timeout => "timeout\n",
                K::Request | K::Interrupted => "connection\n",
                K::Decode => "decode\n",
                _ => "",
            });
        }
        cur = e.source();
    }
    text
}
