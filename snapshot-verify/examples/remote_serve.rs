//! A Range-capable HTTP server over a folder, for the remote rows of `scripts/bench.sh`.
//!
//! ```text
//! remote_serve DIR [LATENCY_MS]
//! ```
//!
//! Binds 127.0.0.1 on a free port, prints `port=N` on stdout, and serves `GET`/`HEAD` of
//! `/BUCKET/NAME` as `DIR/NAME` (the first path segment is ignored, so the same server answers
//! `http://127.0.0.1:N/b/NAME` and path-style S3 reads of `s3://b/NAME` with
//! `AWS_ENDPOINT_URL=http://127.0.0.1:N`; signatures are not checked). Every request waits
//! LATENCY_MS first. It stops when its standard input closes, and after an hour in any case.

#![allow(clippy::print_stdout, clippy::disallowed_methods, reason = "a benchmark helper")]

use std::fs::File;
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::thread;
use std::time::{Duration, Instant};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let dir = PathBuf::from(args.first().map_or(".", String::as_str));
    let latency = Duration::from_millis(args.get(1).and_then(|s| s.parse().ok()).unwrap_or(0));
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
    println!("port={}", listener.local_addr().unwrap().port());
    std::io::stdout().flush().ok();
    thread::spawn(|| {
        let mut sink = Vec::new();
        let _ = std::io::stdin().read_to_end(&mut sink);
        std::process::exit(0);
    });
    let born = Instant::now();
    listener.set_nonblocking(true).unwrap();
    while born.elapsed() < Duration::from_secs(3600) {
        match listener.accept() {
            Ok((conn, _)) => {
                let dir = dir.clone();
                thread::spawn(move || {
                    let _ = serve(conn, &dir, latency);
                });
            }
            Err(_) => thread::sleep(Duration::from_millis(2)),
        }
    }
}

/// Serves requests on one connection (keep-alive) until the client closes it.
fn serve(conn: TcpStream, dir: &Path, latency: Duration) -> std::io::Result<()> {
    conn.set_nonblocking(false)?;
    // A response is written in two parts (head, body): without this, Nagle's algorithm holds the
    // body of a small response until the client's delayed ACK, 40 ms later.
    conn.set_nodelay(true)?;
    conn.set_read_timeout(Some(Duration::from_secs(60)))?;
    let mut reader = BufReader::new(conn.try_clone()?);
    let mut conn = conn;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 {
            return Ok(());
        }
        let mut parts = line.split_whitespace();
        let (method, target) = (parts.next().unwrap_or("").to_owned(), parts.next().unwrap_or("").to_owned());
        let mut range = None;
        loop {
            let mut h = String::new();
            if reader.read_line(&mut h)? == 0 || h == "\r\n" {
                break;
            }
            if let Some((k, v)) = h.split_once(':')
                && k.trim().eq_ignore_ascii_case("range")
            {
                range = Some(v.trim().to_owned());
            }
        }
        thread::sleep(latency);
        let path = target.split('?').next().unwrap_or("");
        let name = path.trim_start_matches('/').split_once('/').map_or("", |(_, n)| n);
        let file = (!name.contains("..")).then(|| dir.join(name)).and_then(|p| File::open(p).ok());
        let Some(mut file) = file else {
            write!(conn, "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")?;
            continue;
        };
        let meta = file.metadata()?;
        let size = meta.len();
        let mtime =
            meta.modified().ok().and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok()).map_or(0, |d| d.as_secs());
        let head = format!("ETag: \"{size:x}-{mtime:x}\"\r\nAccept-Ranges: bytes\r\n");
        if method == "HEAD" {
            write!(conn, "HTTP/1.1 200 OK\r\nContent-Length: {size}\r\n{head}\r\n")?;
            continue;
        }
        let (from, to) = range
            .as_deref()
            .and_then(|r| r.strip_prefix("bytes="))
            .and_then(|r| r.split_once('-'))
            .and_then(|(a, b)| {
                if a.is_empty() {
                    let n: u64 = b.parse().ok()?;
                    return Some((size.saturating_sub(n), size));
                }
                let a: u64 = a.parse().ok()?;
                let b: u64 = if b.is_empty() { size - 1 } else { b.parse().ok()? };
                Some((a, (b + 1).min(size)))
            })
            .unwrap_or((0, size));
        write!(
            conn,
            "HTTP/1.1 206 Partial Content\r\nContent-Length: {}\r\nContent-Range: bytes {from}-{}/{size}\r\n{head}\r\n",
            to - from,
            to.saturating_sub(1)
        )?;
        file.seek(SeekFrom::Start(from))?;
        std::io::copy(&mut (&mut file).take(to - from), &mut conn)?;
    }
}
