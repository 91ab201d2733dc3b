//! A small HTTP/1.1 server with `Range`, `If-Match` and fault injection, bound to 127.0.0.1
//! and stopped when dropped. One request per connection (`Connection: close`); every loop is
//! bounded in time.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

/// What the server does wrong.
#[derive(Debug, Clone)]
pub enum Fault {
    /// Nothing.
    None,
    /// The first N requests get a 500.
    Fail500(usize),
    /// The first N connections are closed without an answer.
    Drop(usize),
    /// Every ranged GET waits this long before answering.
    Slow(Duration),
    /// Ranged GETs get the whole body with 200.
    IgnoreRange,
    /// Every request gets this status.
    Status(u16),
    /// After N ranged GETs the object is replaced (new bytes, new ETag).
    ReplaceAfter(usize),
    /// Every request must carry this query string (a presigned URL), else 403.
    RequireQuery(String),
}

struct State {
    body: Arc<Vec<u8>>,
    etag: String,
    fault: Fault,
    requests: usize,
    gets: usize,
    /// Bytes of bodies sent.
    sent: u64,
}

/// The running server.
pub struct Server {
    pub port: u16,
    stop: Arc<AtomicBool>,
    state: Arc<Mutex<State>>,
    accept: Option<thread::JoinHandle<()>>,
}

/// The longest a server lives, whatever the test does.
const LIFETIME: Duration = Duration::from_secs(300);

impl Server {
    /// Serves `body` at every path.
    pub fn start(body: Vec<u8>, fault: Fault) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
        listener.set_nonblocking(true).unwrap();
        let port = listener.local_addr().unwrap().port();
        let stop = Arc::new(AtomicBool::new(false));
        let state = Arc::new(Mutex::new(State {
            body: Arc::new(body),
            etag: "\"v1\"".into(),
            fault,
            requests: 0,
            gets: 0,
            sent: 0,
        }));
        let (stop2, state2) = (Arc::clone(&stop), Arc::clone(&state));
        let accept = thread::spawn(move || {
            let born = Instant::now();
            while !stop2.load(Ordering::Relaxed) && born.elapsed() < LIFETIME {
                match listener.accept() {
                    Ok((conn, _)) => {
                        let (stop3, state3) = (Arc::clone(&stop2), Arc::clone(&state2));
                        thread::spawn(move || serve(conn, &state3, &stop3));
                    }
                    Err(_) => thread::sleep(Duration::from_millis(5)),
                }
            }
        });
        Server { port, stop, state, accept: Some(accept) }
    }

    /// `http://127.0.0.1:PORT/PATH`.
    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}/{path}", self.port)
    }

    /// Requests served so far.
    pub fn requests(&self) -> usize {
        self.state.lock().unwrap().requests
    }

    /// Body bytes sent so far.
    pub fn sent(&self) -> u64 {
        self.state.lock().unwrap().sent
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(h) = self.accept.take() {
            let _ = h.join();
        }
    }
}

fn serve(conn: TcpStream, state: &Mutex<State>, stop: &AtomicBool) {
    conn.set_nonblocking(false).ok();
    conn.set_read_timeout(Some(Duration::from_secs(10))).ok();
    let mut reader = BufReader::new(conn.try_clone().unwrap());
    let mut line = String::new();
    if reader.read_line(&mut line).is_err() || line.is_empty() {
        return;
    }
    let mut parts = line.split_whitespace();
    let (method, target) = (parts.next().unwrap_or("").to_owned(), parts.next().unwrap_or("").to_owned());
    let (mut range, mut if_match) = (None, None);
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h).is_err() || h == "\r\n" || h.is_empty() {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            match k.trim().to_ascii_lowercase().as_str() {
                "range" => range = Some(v.trim().to_owned()),
                "if-match" => if_match = Some(v.trim().to_owned()),
                _ => {}
            }
        }
    }
    let mut conn = conn;
    let (body, etag, fault, nth, get_nth) = {
        let mut st = state.lock().unwrap();
        st.requests += 1;
        let ranged_get = method == "GET" && range.is_some();
        if ranged_get {
            st.gets += 1;
        }
        if let Fault::ReplaceAfter(n) = st.fault
            && ranged_get
            && st.gets > n
            && st.etag == "\"v1\""
        {
            let mut replaced = (*st.body).clone();
            for b in replaced.iter_mut().take(4096) {
                *b ^= 0x55;
            }
            st.body = Arc::new(replaced);
            st.etag = "\"v2\"".into();
        }
        (Arc::clone(&st.body), st.etag.clone(), st.fault.clone(), st.requests, st.gets)
    };
    let _ = get_nth;
    let status_only = |conn: &mut TcpStream, code: u16, why: &str| {
        let _ = write!(conn, "HTTP/1.1 {code} {why}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
    };
    match &fault {
        Fault::Fail500(n) if nth <= *n => return status_only(&mut conn, 500, "Internal Server Error"),
        Fault::Drop(n) if nth <= *n => return,
        Fault::Status(code) => return status_only(&mut conn, *code, "Refused"),
        Fault::RequireQuery(q) if target.split_once('?').is_none_or(|(_, got)| got != q) => {
            return status_only(&mut conn, 403, "Forbidden");
        }
        Fault::Slow(d) if method == "GET" => {
            let until = Instant::now() + *d;
            while Instant::now() < until && !stop.load(Ordering::Relaxed) {
                thread::sleep(Duration::from_millis(20));
            }
        }
        _ => {}
    }
    if let Some(want) = &if_match
        && *want != etag
    {
        return status_only(&mut conn, 412, "Precondition Failed");
    }
    let size = body.len() as u64;
    // Last-Modified: the GCS and Azure stores require it.
    let head = format!(
        "ETag: {etag}\r\nLast-Modified: Tue, 01 Dec 2026 00:00:00 GMT\r\nAccept-Ranges: bytes\r\nConnection: close\r\n"
    );
    if method == "HEAD" {
        let _ = write!(conn, "HTTP/1.1 200 OK\r\nContent-Length: {size}\r\n{head}\r\n");
        return;
    }
    let parsed = range.as_deref().and_then(|r| parse_range(r, size));
    if parsed.is_some_and(|(a, b)| a >= b) && !matches!(fault, Fault::IgnoreRange) {
        // Nothing to send (a suffix of an empty object): unsatisfiable, as RFC 9110 says.
        let _ = write!(
            conn,
            "HTTP/1.1 416 Range Not Satisfiable\r\nContent-Range: bytes */{size}\r\nContent-Length: 0\r\n{head}\r\n"
        );
        return;
    }
    let (code, from, to) = match (&fault, parsed) {
        (Fault::IgnoreRange, _) | (_, None) => (200, 0, size),
        (_, Some((a, b))) => (206, a, b),
    };
    let mut out = format!(
        "HTTP/1.1 {code} {}\r\nContent-Length: {}\r\n{head}",
        if code == 206 { "Partial Content" } else { "OK" },
        to - from
    );
    if code == 206 {
        out += &format!("Content-Range: bytes {from}-{}/{size}\r\n", to - 1);
    }
    out += "\r\n";
    if conn.write_all(out.as_bytes()).is_err() {
        return;
    }
    let mut sent = 0u64;
    for chunk in body[from as usize..to as usize].chunks(64 << 10) {
        if conn.write_all(chunk).is_err() {
            break;
        }
        sent += chunk.len() as u64;
    }
    state.lock().unwrap().sent += sent;
    let _ = conn.flush();
    let mut rest = Vec::new();
    let _ = conn.set_read_timeout(Some(Duration::from_millis(50)));
    let _ = conn.take(0).read_to_end(&mut rest);
}

/// `bytes=a-b` or `bytes=-n` → `a..b+1`, clamped.
fn parse_range(r: &str, size: u64) -> Option<(u64, u64)> {
    let spec = r.strip_prefix("bytes=")?;
    let (a, b) = spec.split_once('-')?;
    if a.is_empty() {
        let n: u64 = b.parse().ok()?;
        return Some((size.saturating_sub(n), size));
    }
    let a: u64 = a.parse().ok()?;
    let b: u64 = if b.is_empty() { size - 1 } else { b.parse().ok()? };
    (a < size).then_some((a, (b + 1).min(size)))
}
