//! The server's defences: an access token, files only from inside a run folder, GET/HEAD only,
//! limits on the request's size and rate, and headers that keep the page same-origin.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// The Content-Security-Policy of every response: everything from this server only. MapLibre
/// needs its worker (served here) and images it makes from `blob:` and `data:` URLs.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; img-src 'self' data: blob:; \
     worker-src 'self' blob:; child-src 'self' blob:; object-src 'none'; base-uri 'none'; \
     form-action 'none'; frame-ancestors 'none'";

/// The longest request target accepted (path and query), bytes.
pub const MAX_URI_BYTES: usize = 2048;
/// The largest total size of a request's header lines accepted, bytes.
pub const MAX_HEADER_BYTES: usize = 16 * 1024;
/// The largest request body accepted, bytes (GET and HEAD requests carry none).
pub const MAX_BODY_BYTES: usize = 1024;

/// Whether the server may listen on `addr` without a token.
pub fn is_loopback(addr: &SocketAddr) -> bool {
    addr.ip().is_loopback()
}

/// A new random token: 32 hexadecimal digits (128 bits from the operating system).
///
/// # Errors
/// The operating system's error when /dev/urandom cannot be read.
pub fn generate_token() -> std::io::Result<String> {
    use std::io::Read;
    let mut bytes = [0u8; 16];
    std::fs::File::open("/dev/urandom")?.read_exact(&mut bytes)?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// Compares two secrets in time that does not depend on where they differ.
fn same_secret(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The file `relative` (a `/`-separated path from a URL, already percent-decoded) inside the
/// run folder `root` (canonical), or None when it is not a plain file inside it: a `..`, `.`
/// or empty part, an absolute path, a backslash or NUL, a hidden part, a folder (no listings),
/// or a symbolic link that leads out of the folder.
pub fn file_inside(root: &Path, relative: &str) -> Option<PathBuf> {
    if relative.is_empty() || relative.contains(['\\', '\0']) {
        return None;
    }
    let parts: Vec<&str> = relative.split('/').collect();
    if parts
        .iter()
        .any(|p| p.is_empty() || *p == "." || *p == ".." || p.starts_with('.'))
    {
        return None;
    }
    let joined = root.join(relative);
    if !joined
        .strip_prefix(root)
        .ok()?
        .components()
        .all(|c| matches!(c, Component::Normal(_)))
    {
        return None;
    }
    let real = joined.canonicalize().ok()?;
    (real.starts_with(root) && real.is_file()).then_some(real)
}

/// A token bucket per client address: `per_second` requests a second on average, bursts of
/// twice that.
pub struct RateLimit {
    per_second: f64,
    buckets: Mutex<HashMap<IpAddr, (f64, Instant)>>,
}

/// Client addresses remembered at most; beyond that the table starts again.
const MAX_CLIENTS: usize = 10_000;

impl RateLimit {
    /// A limit of `per_second` requests a second per client (0: no limit).
    pub fn new(per_second: u32) -> RateLimit {
        RateLimit {
            per_second: f64::from(per_second),
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Whether `client` may make one more request now.
    pub fn allow(&self, client: IpAddr) -> bool {
        if self.per_second <= 0.0 {
            return true;
        }
        let burst = 2.0 * self.per_second;
        let now = Instant::now();
        let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        if buckets.len() >= MAX_CLIENTS && !buckets.contains_key(&client) {
            buckets.clear();
        }
        let (tokens, last) = buckets.entry(client).or_insert((burst, now));
        *tokens = (*tokens + now.duration_since(*last).as_secs_f64() * self.per_second).min(burst);
        *last = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

/// What the guard checks.
pub struct Guard {
    /// The access token, if one is required.
    pub token: Option<String>,
    /// The rate limit.
    pub rate: RateLimit,
}

/// Whether the request's `Host` names this machine by loopback (`localhost`, `127.x.x.x`,
/// `[::1]`). A server without a token answers only such requests, so that a web page whose
/// own name was re-pointed at 127.0.0.1 (DNS rebinding) cannot read it through a browser.
fn host_is_loopback(request: &Request) -> bool {
    let host = request
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .or_else(|| request.uri().host())
        .unwrap_or("");
    let name = match host.strip_prefix('[') {
        Some(rest) => rest.split(']').next().unwrap_or(""),
        None => host.rsplit_once(':').map_or(host, |(name, _)| name),
    };
    name.eq_ignore_ascii_case("localhost")
        || name.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// The cookie that carries the token after the page was opened with `?token=`, so that the
/// page's own files, tiles and API calls need not repeat it.
pub const TOKEN_COOKIE: &str = "nedra_token";

/// Where a request's token came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TokenSource {
    Header,
    Query,
    Cookie,
}

/// The token of a request: `Authorization: Bearer T`, the query parameter `token=T`, or the
/// cookie [`TOKEN_COOKIE`].
fn request_token(request: &Request) -> Option<(String, TokenSource)> {
    if let Some(value) = request.headers().get(header::AUTHORIZATION) {
        return value
            .to_str()
            .ok()
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(|t| (t.trim().to_string(), TokenSource::Header));
    }
    let query = request.uri().query().and_then(|q| {
        q.split('&')
            .find_map(|pair| pair.strip_prefix("token="))
            .map(|t| (t.to_string(), TokenSource::Query))
    });
    query.or_else(|| {
        request
            .headers()
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .find_map(|c| c.trim().strip_prefix(TOKEN_COOKIE)?.strip_prefix('='))
            .map(|t| (t.to_string(), TokenSource::Cookie))
    })
}

fn plain(status: StatusCode, message: &'static str) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        message,
    )
        .into_response()
}

/// The middleware in front of every route: method, size, rate and token checks.
pub async fn guard(
    State(guard): State<Arc<Guard>>,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    request: Request,
    next: Next,
) -> Response {
    if request.method() != Method::GET && request.method() != Method::HEAD {
        let mut response = plain(
            StatusCode::METHOD_NOT_ALLOWED,
            "nedra serve is read-only: only GET and HEAD\n",
        );
        response
            .headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
        return response;
    }
    if request.uri().to_string().len() > MAX_URI_BYTES {
        return plain(StatusCode::URI_TOO_LONG, "request target too long\n");
    }
    let header_bytes: usize = request
        .headers()
        .iter()
        .map(|(name, value)| name.as_str().len() + value.len() + 4)
        .sum();
    if header_bytes > MAX_HEADER_BYTES {
        return plain(
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            "request headers too large\n",
        );
    }
    let declared_body = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok())
        .unwrap_or(0);
    if declared_body > MAX_BODY_BYTES as u64 {
        return plain(StatusCode::PAYLOAD_TOO_LARGE, "request body too large\n");
    }
    if !guard.rate.allow(client.ip()) {
        let mut response = plain(StatusCode::TOO_MANY_REQUESTS, "too many requests\n");
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        return response;
    }
    let Some(expected) = &guard.token else {
        if !host_is_loopback(&request) {
            return plain(
                StatusCode::FORBIDDEN,
                "this nedra server answers only requests for localhost or 127.0.0.1\n",
            );
        }
        return next.run(request).await;
    };
    let given = request_token(&request);
    let Some((_, source)) = given.filter(|(t, _)| same_secret(t.as_bytes(), expected.as_bytes()))
    else {
        let mut response = plain(
            StatusCode::UNAUTHORIZED,
            "this nedra server needs its access token: open the URL it printed (…/?token=…)\n",
        );
        response.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Bearer realm=\"nedra\""),
        );
        return response;
    };
    let mut response = next.run(request).await;
    if source == TokenSource::Query {
        let cookie = format!("{TOKEN_COOKIE}={expected}; Path=/; HttpOnly; SameSite=Strict");
        if let Ok(value) = HeaderValue::from_str(&cookie) {
            response.headers_mut().insert(header::SET_COOKIE, value);
        }
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_files_inside_the_run_are_found() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("run");
        std::fs::create_dir_all(root.join("evidence")).unwrap();
        std::fs::write(root.join("run.json"), "{}").unwrap();
        std::fs::write(root.join("evidence/a.csv"), "x").unwrap();
        std::fs::write(dir.path().join("secret.txt"), "s").unwrap();
        std::os::unix::fs::symlink(dir.path().join("secret.txt"), root.join("link.txt")).unwrap();
        std::os::unix::fs::symlink(root.join("run.json"), root.join("inside.json")).unwrap();
        let root = root.canonicalize().unwrap();
        assert!(file_inside(&root, "run.json").is_some());
        assert!(file_inside(&root, "evidence/a.csv").is_some());
        assert!(file_inside(&root, "inside.json").is_some());
        for bad in [
            "",
            "../secret.txt",
            "evidence/../../secret.txt",
            "/etc/passwd",
            "evidence",
            "evidence/",
            "./run.json",
            "link.txt",
            ".stages",
            "a\\..\\secret.txt",
            "missing.json",
        ] {
            assert_eq!(file_inside(&root, bad), None, "{bad:?}");
        }
    }

    #[test]
    fn the_rate_limit_allows_a_burst_then_refuses() {
        let limit = RateLimit::new(5);
        let client: IpAddr = "127.0.0.1".parse().unwrap();
        let allowed = (0..20).filter(|_| limit.allow(client)).count();
        assert!((10..=11).contains(&allowed), "{allowed}");
        assert!(RateLimit::new(0).allow(client));
    }

    #[test]
    fn tokens_are_random_and_compared_whole() {
        let (a, b) = (generate_token().unwrap(), generate_token().unwrap());
        assert_eq!(a.len(), 32);
        assert_ne!(a, b);
        assert!(same_secret(a.as_bytes(), a.as_bytes()));
        assert!(!same_secret(a.as_bytes(), &a.as_bytes()[..31]));
        assert!(!same_secret(a.as_bytes(), b.as_bytes()));
    }
}
