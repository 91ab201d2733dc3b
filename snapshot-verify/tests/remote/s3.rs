//! An S3-compatible server in-process: `s3s-fs` over a temporary folder, on 127.0.0.1, with
//! SigV4 authentication on; stopped when dropped.

use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto::Builder as ConnBuilder;
use object_store::aws::AmazonS3Builder;
use object_store::path::Path;
use object_store::{ObjectStoreExt, PutPayload};
use s3s::auth::SimpleAuth;
use s3s::service::S3ServiceBuilder;
use std::time::Duration;

pub const KEY_ID: &str = "test-key-id";
pub const SECRET: &str = "test-secret-CANARY-7f3a9c";
pub const BUCKET: &str = "snapshots";

/// The running server and its folder.
pub struct S3 {
    pub port: u16,
    _dir: tempfile::TempDir,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl S3 {
    /// Starts a server with one empty bucket.
    pub fn start() -> S3 {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join(BUCKET)).unwrap();
        let root = dir.path().to_owned();
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let (port_tx, port_rx) = std::sync::mpsc::channel();
        let thread = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
            rt.block_on(async move {
                let fs = s3s_fs::FileSystem::new(root).unwrap();
                let mut b = S3ServiceBuilder::new(fs);
                b.set_auth(SimpleAuth::from_single(KEY_ID, SECRET));
                let service = b.build();
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
                port_tx.send(listener.local_addr().unwrap().port()).unwrap();
                let http = ConnBuilder::new(TokioExecutor::new());
                let mut rx = rx;
                // Bounded: the server stops when dropped, and after five minutes whatever happens.
                let deadline = tokio::time::sleep(Duration::from_secs(300));
                tokio::pin!(deadline);
                loop {
                    tokio::select! {
                        accepted = listener.accept() => {
                            let Ok((socket, _)) = accepted else { continue };
                            let conn = http.serve_connection(TokioIo::new(socket), service.clone()).into_owned();
                            tokio::spawn(async move { let _ = conn.await; });
                        }
                        _ = &mut rx => break,
                        () = &mut deadline => break,
                    }
                }
            });
            rt.shutdown_timeout(Duration::from_secs(1));
        });
        let port = port_rx.recv_timeout(Duration::from_secs(30)).expect("the S3 server starts");
        S3 { port, _dir: dir, stop: Some(tx), thread: Some(thread) }
    }

    /// `http://127.0.0.1:PORT`.
    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Uploads objects (through the S3 API, so that the server records their ETags).
    pub fn put(&self, objects: &[(String, Vec<u8>)]) {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let store = AmazonS3Builder::new()
            .with_bucket_name(BUCKET)
            .with_endpoint(self.endpoint())
            .with_allow_http(true)
            .with_region("us-east-1")
            .with_access_key_id(KEY_ID)
            .with_secret_access_key(SECRET)
            .build()
            .unwrap();
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        rt.block_on(async {
            for (key, bytes) in objects {
                store.put(&Path::from(key.as_str()), PutPayload::from(bytes.clone())).await.unwrap();
            }
            let _ = store.head(&Path::from(objects[0].0.as_str())).await.unwrap();
        });
    }

    /// The environment a client of this server needs (and nothing from the caller's).
    pub fn env(&self) -> Vec<(&'static str, String)> {
        vec![
            ("AWS_ACCESS_KEY_ID", KEY_ID.into()),
            ("AWS_SECRET_ACCESS_KEY", SECRET.into()),
            ("AWS_ENDPOINT_URL", self.endpoint()),
            ("AWS_ALLOW_HTTP", "true".into()),
            ("AWS_REGION", "us-east-1".into()),
        ]
    }
}

impl Drop for S3 {
    fn drop(&mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
