//! A small HTTP/1.1 server on 127.0.0.1 for tests (and the registry benchmark): fixed replies per
//! path, scripted faults, and a log of what was asked. Hand-rolled on std's `TcpListener`,
//! a thread per connection, keep-alive: the faults we need (a truncated body, a connection that
//! never answers, a slow drip) are easier to script here than in a framework, and it adds no
//! dependency. Shared by `verifier/tests` and `cli/tests` through `#[path]`.

#![allow(dead_code)]

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// One scripted reply.
#[derive(Debug, Clone)]
pub enum Reply {
    /// A complete response. With an `ETag` header, a request whose `If-None-Match` carries the
    /// same tag gets `304 Not Modified` instead.
    Full {
        /// Status code.
        status: u16,
        /// Extra headers.
        headers: Vec<(String, String)>,
        /// Body.
        body: Vec<u8>,
    },
    /// Declares `Content-Length: declared` but sends `body` (shorter) and closes.
    Truncated {
        /// The declared length.
        declared: usize,
        /// What is actually sent.
        body: Vec<u8>,
    },
    /// No `Content-Length`: sends the body and closes (close-delimited).
    Unframed(Vec<u8>),
    /// Reads the request and never answers.
    Hang,
    /// Sends the headers, then the body one byte per `every`.
    Drip {
        /// Body.
        body: Vec<u8>,
        /// Pause between bytes.
        every: Duration,
    },
    /// Closes the connection without answering.
    Close,
}

impl Reply {
    /// `200` with a body.
    pub fn ok(body: impl Into<Vec<u8>>) -> Reply {
        Reply::Full {
            status: 200,
            headers: Vec::new(),
            body: body.into(),
        }
    }

    /// A status with an empty body.
    pub fn status(status: u16) -> Reply {
        Reply::Full {
            status,
            headers: Vec::new(),
            body: Vec::new(),
        }
    }

    /// Adds a header (to `Full` replies).
    pub fn header(mut self, k: &str, v: &str) -> Reply {
        if let Reply::Full { headers, .. } = &mut self {
            headers.push((k.to_owned(), v.to_owned()));
        }
        self
    }
}

/// One request as the server saw it.
#[derive(Debug, Clone)]
pub struct Logged {
    /// Request target (path and query).
    pub path: String,
    /// Headers, names lower-cased.
    pub headers: Vec<(String, String)>,
}

impl Logged {
    /// A header's value.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

#[derive(Default)]
struct State {
    /// Per path, the replies still to give; the last one repeats.
    routes: HashMap<String, Vec<Reply>>,
    log: Vec<Logged>,
}

/// A running server (until the process ends).
#[derive(Clone)]
pub struct Server {
    /// `http://127.0.0.1:PORT` (no trailing slash).
    pub base: String,
    state: Arc<Mutex<State>>,
}

impl Server {
    /// Starts a server on a free port.
    pub fn start() -> Server {
        let l = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
        let addr = l.local_addr().expect("local addr");
        let state: Arc<Mutex<State>> = Arc::default();
        let st = state.clone();
        std::thread::spawn(move || {
            for stream in l.incoming() {
                let Ok(s) = stream else { continue };
                let st = st.clone();
                std::thread::spawn(move || serve(s, st));
            }
        });
        Server {
            base: format!("http://{addr}"),
            state,
        }
    }

    /// `base` + `/`.
    pub fn url(&self) -> String {
        format!("{}/", self.base)
    }

    /// Replies for `path` (`/a`, `/se/rd/serde`), in order; the last one repeats.
    pub fn route(&self, path: &str, replies: Vec<Reply>) {
        assert!(!replies.is_empty());
        self.state
            .lock()
            .unwrap()
            .routes
            .insert(path.to_owned(), replies);
    }

    /// One reply for `path`, every time.
    pub fn set(&self, path: &str, reply: Reply) {
        self.route(path, vec![reply]);
    }

    /// Requests for `path` so far.
    pub fn hits(&self, path: &str) -> usize {
        self.log().iter().filter(|l| l.path == path).count()
    }

    /// Every request so far.
    pub fn log(&self) -> Vec<Logged> {
        self.state.lock().unwrap().log.clone()
    }

    /// Requests so far.
    pub fn requests(&self) -> usize {
        self.state.lock().unwrap().log.len()
    }
}

fn next_reply(st: &Mutex<State>, req: &Logged) -> Reply {
    let mut st = st.lock().unwrap();
    if req.path == "/__requests" {
        // For the benchmark script: how many requests were served so far.
        return Reply::ok(st.log.len().to_string());
    }
    st.log.push(req.clone());
    let path = req.path.split('?').next().unwrap_or("");
    let key = if st.routes.contains_key(&req.path) {
        req.path.clone()
    } else {
        path.to_owned()
    };
    match st.routes.get_mut(&key) {
        Some(q) if q.len() > 1 => q.remove(0),
        Some(q) => q[0].clone(),
        None => Reply::status(404),
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        301 => "Moved Permanently",
        302 => "Found",
        304 => "Not Modified",
        404 => "Not Found",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "Status",
    }
}

fn serve(s: TcpStream, st: Arc<Mutex<State>>) {
    // Head and body go out in one write, and without Nagle's delay: otherwise every keep-alive
    // request would wait for a delayed ACK (~40 ms).
    let _ = s.set_nodelay(true);
    let Ok(read_half) = s.try_clone() else { return };
    let mut r = BufReader::new(read_half);
    let mut w = s;
    loop {
        let mut line = String::new();
        match r.read_line(&mut line) {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
        let path = line.split_whitespace().nth(1).unwrap_or("/").to_owned();
        let mut headers = Vec::new();
        loop {
            let mut h = String::new();
            match r.read_line(&mut h) {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
            let h = h.trim_end();
            if h.is_empty() {
                break;
            }
            if let Some((k, v)) = h.split_once(':') {
                headers.push((k.trim().to_ascii_lowercase(), v.trim().to_owned()));
            }
        }
        let req = Logged { path, headers };
        match next_reply(&st, &req) {
            Reply::Full {
                status,
                headers,
                body,
            } => {
                let etag = headers
                    .iter()
                    .find(|(k, _)| k.eq_ignore_ascii_case("etag"))
                    .map(|(_, v)| v.clone());
                let not_modified = status == 200
                    && etag.is_some()
                    && req.header("if-none-match") == etag.as_deref();
                let (status, body) = if not_modified {
                    (304, Vec::new())
                } else {
                    (status, body)
                };
                let mut head = format!("HTTP/1.1 {status} {}\r\n", reason(status));
                for (k, v) in &headers {
                    head.push_str(&format!("{k}: {v}\r\n"));
                }
                head.push_str(&format!("Content-Length: {}\r\n\r\n", body.len()));
                let mut msg = head.into_bytes();
                msg.extend_from_slice(&body);
                if w.write_all(&msg).is_err() {
                    return;
                }
            }
            Reply::Truncated { declared, body } => {
                let _ = write!(
                    w,
                    "HTTP/1.1 200 OK\r\nContent-Length: {declared}\r\nConnection: close\r\n\r\n"
                );
                let _ = w.write_all(&body);
                let _ = w.flush();
                return;
            }
            Reply::Unframed(body) => {
                let _ = write!(w, "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n");
                let _ = w.write_all(&body);
                let _ = w.flush();
                return;
            }
            Reply::Hang => {
                std::thread::sleep(Duration::from_secs(60));
                return;
            }
            Reply::Drip { body, every } => {
                let _ = write!(
                    w,
                    "HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n",
                    body.len()
                );
                for b in body {
                    if w.write_all(&[b]).and_then(|()| w.flush()).is_err() {
                        return;
                    }
                    std::thread::sleep(every);
                }
            }
            Reply::Close => return,
        }
    }
}
