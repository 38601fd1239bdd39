//! The security model, against a real server on an ephemeral loopback port with raw HTTP:
//! loopback by default, a token elsewhere, files only from inside the run folder, GET/HEAD
//! only, size and rate limits, a same-origin Content-Security-Policy, no listings.

mod common;

use common::{get, make_run, options, raw, request, start};
use nedra_server::security::CONTENT_SECURITY_POLICY;

#[test]
fn the_default_address_is_loopback() {
    let o = nedra_server::Options::new(vec![]);
    assert!(o.bind.ip().is_loopback());
    assert_eq!(o.bind.port(), 8765);
    assert!(o.token.is_none());
}

#[test]
fn loopback_needs_no_token() {
    let dir = tempfile::tempdir().unwrap();
    let (addr, token) = start(options(&make_run(dir.path())));
    assert!(token.is_none());
    assert_eq!(get(addr, "/").status, 200);
    assert_eq!(get(addr, "/api/runs").status, 200);
    // Only for this machine's loopback names (no DNS rebinding).
    let port = addr.port();
    for host in [
        format!("localhost:{port}"),
        format!("127.0.0.1:{port}"),
        format!("[::1]:{port}"),
        "LOCALHOST".to_string(),
    ] {
        let r = raw(
            addr,
            format!("GET /api/runs HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n")
                .as_bytes(),
        );
        assert_eq!(r.status, 200, "{host}");
    }
    for host in [
        format!("evil.example:{port}"),
        "127.0.0.1.evil.example".to_string(),
        "10.0.0.1".to_string(),
        String::new(),
    ] {
        let r = raw(
            addr,
            format!("GET /api/runs HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n")
                .as_bytes(),
        );
        assert_eq!(r.status, 403, "{host:?}");
    }
}

#[test]
fn outside_loopback_a_token_is_generated_and_required() {
    let dir = tempfile::tempdir().unwrap();
    let mut o = options(&make_run(dir.path()));
    o.bind = "0.0.0.0:0".parse().unwrap(); // reached below through 127.0.0.1 only
    let server = nedra_server::Server::bind(o).unwrap();
    assert!(server.token_generated());
    let token = server.token().unwrap().to_string();
    assert_eq!(token.len(), 32);
    assert!(server.url().ends_with(&format!("/?token={token}")));
    let port = server.local_addr().port();
    std::thread::spawn(move || server.run());
    let addr = std::net::SocketAddr::from(([127, 0, 0, 1], port));
    for target in [
        "/",
        "/api/runs",
        "/runs/run/tiles/score/7/73/41.png",
        "/nothing",
    ] {
        let r = get(addr, target);
        assert_eq!(r.status, 401, "{target}");
        assert!(r.header("www-authenticate").is_some());
    }
    assert_eq!(get(addr, "/?token=wrong-token-0000").status, 401);
    assert_eq!(get(addr, &format!("/?token={}", &token[..31])).status, 401);
    let bearer = format!("Authorization: Bearer {token}");
    assert_eq!(request(addr, "GET", "/api/runs", &[&bearer]).status, 200);
    assert_eq!(
        request(addr, "GET", "/api/runs", &["Authorization: Bearer nope"]).status,
        401
    );
    let page = get(addr, &format!("/?token={token}"));
    assert_eq!(page.status, 200);
    let cookie = page.header("set-cookie").unwrap().to_string();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"));
    let cookie = format!("Cookie: {}", cookie.split(';').next().unwrap());
    assert_eq!(
        request(addr, "GET", "/assets/app.js", &[&cookie]).status,
        200
    );
    assert_eq!(
        request(addr, "GET", "/assets/app.js", &["Cookie: nedra_token=nope"]).status,
        401
    );
    let tile = get(
        addr,
        &format!("/runs/run/tiles/score/7/73/41.png?token={token}"),
    );
    assert_eq!(tile.status, 200);
}

#[test]
fn a_given_token_is_required_and_checked() {
    let dir = tempfile::tempdir().unwrap();
    let mut o = options(&make_run(dir.path()));
    o.token = Some("s3cret-token_1".into());
    let (addr, token) = start(o);
    assert_eq!(token.as_deref(), Some("s3cret-token_1"));
    assert_eq!(get(addr, "/api/runs").status, 401);
    assert_eq!(get(addr, "/api/runs?token=s3cret-token_1").status, 200);
    let mut bad = options(&make_run(&dir.path().join("b")));
    bad.token = Some("short".into());
    assert!(matches!(
        nedra_server::Server::bind(bad),
        Err(nedra_server::Error::Token { .. })
    ));
}

#[test]
fn nothing_outside_the_run_folder_can_be_read() {
    let dir = tempfile::tempdir().unwrap();
    let (addr, _) = start(options(&make_run(dir.path())));
    let ok = get(addr, "/runs/run/files/run.json");
    assert_eq!(ok.status, 200);
    assert!(ok.text().contains("nedra-run/2"));
    assert_eq!(get(addr, "/runs/run/files/success_rate.csv").status, 200);
    for target in [
        "/runs/run/files/../secret.txt",
        "/runs/run/files/evidence/../../secret.txt",
        "/runs/run/files/%2e%2e/secret.txt",
        "/runs/run/files/%2E%2E/secret.txt",
        "/runs/run/files/%2e%2e%2fsecret.txt",
        "/runs/run/files/evidence%2f..%2f..%2fsecret.txt",
        "/runs/run/files/..%5csecret.txt",
        "/runs/run/files//etc/passwd",
        "/runs/run/files/%2fetc%2fpasswd",
        "/runs/run/files/link.txt",
        "/runs/run/files/.stages",
        "/runs/run/files/run.json%00.txt",
        "/runs/..%2f..%2fsecret.txt/files/run.json",
        "/runs/run/../../secret.txt",
        "/../secret.txt",
        "/assets/..%2f..%2fCargo.toml",
        "/assets/%2e%2e/build.rs",
        "/runs/run/tiles/..%2fscore/7/73/41.png",
        "/etc/passwd",
        "/runs/run/files/score.tif",
    ] {
        let r = get(addr, target);
        assert_eq!(r.status, 404, "{target}: {}", r.text());
        assert!(!r.text().contains("SECRET"), "{target}");
        assert!(!r.text().contains("root:"), "{target}");
    }
}

#[test]
fn folders_are_never_listed() {
    let dir = tempfile::tempdir().unwrap();
    let (addr, _) = start(options(&make_run(dir.path())));
    for target in [
        "/runs/run/files/",
        "/runs/run/files/evidence",
        "/runs/run/files/evidence/",
        "/runs/run/",
        "/runs/run",
        "/runs/",
        "/assets/",
    ] {
        assert_eq!(get(addr, target).status, 404, "{target}");
    }
}

#[test]
fn only_get_and_head_are_allowed() {
    let dir = tempfile::tempdir().unwrap();
    let (addr, _) = start(options(&make_run(dir.path())));
    for method in [
        "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "CONNECT",
    ] {
        let target = if method == "CONNECT" {
            "127.0.0.1:1"
        } else {
            "/api/runs"
        };
        let r = request(addr, method, target, &["Content-Length: 0"]);
        assert_eq!(r.status, 405, "{method}");
        if method != "CONNECT" {
            assert_eq!(r.header("allow"), Some("GET, HEAD"), "{method}");
        }
    }
    let head = request(addr, "HEAD", "/api/runs", &[]);
    assert_eq!(head.status, 200);
    assert!(head.body.is_empty());
}

#[test]
fn every_response_carries_the_same_origin_policy() {
    let dir = tempfile::tempdir().unwrap();
    let (addr, _) = start(options(&make_run(dir.path())));
    for target in [
        "/",
        "/assets/app.js",
        "/runs/run/tiles/score/7/73/41.png",
        "/nothing",
    ] {
        let r = get(addr, target);
        assert_eq!(
            r.header("content-security-policy"),
            Some(CONTENT_SECURITY_POLICY),
            "{target}"
        );
        assert_eq!(r.header("x-content-type-options"), Some("nosniff"));
        assert_eq!(r.header("x-frame-options"), Some("DENY"));
    }
    assert!(CONTENT_SECURITY_POLICY.starts_with("default-src 'self';"));
    assert!(!CONTENT_SECURITY_POLICY.contains("http"));
    assert!(!CONTENT_SECURITY_POLICY.contains("unsafe"));
    assert!(!CONTENT_SECURITY_POLICY.contains('*'));
}

#[test]
fn oversized_requests_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (addr, _) = start(options(&make_run(dir.path())));
    let long = format!("/api/runs?{}", "a".repeat(3000));
    assert_eq!(get(addr, &long).status, 414);
    let r = request(addr, "GET", "/api/runs", &["Content-Length: 100000"]);
    assert_eq!(r.status, 413);
    let huge_header = format!("X-Filler: {}", "b".repeat(200_000));
    let r = request(addr, "GET", "/api/runs", &[&huge_header]);
    assert_eq!(r.status, 431);
    // Garbage is refused and the server keeps serving.
    let r = raw(addr, b"\x16\x03\x01 not http at all\r\n\r\n");
    assert_eq!(r.status, 400);
    assert_eq!(get(addr, "/api/runs").status, 200);
}

#[test]
fn a_client_over_the_rate_limit_is_told_to_wait() {
    let dir = tempfile::tempdir().unwrap();
    let mut o = options(&make_run(dir.path()));
    o.rate_limit_per_s = 5;
    let (addr, _) = start(o);
    let statuses: Vec<u16> = (0..30).map(|_| get(addr, "/api/runs").status).collect();
    let limited = statuses.iter().filter(|s| **s == 429).count();
    assert!(statuses[..8].iter().all(|s| *s == 200), "{statuses:?}");
    assert!(limited >= 10, "{statuses:?}");
    let r = get(addr, "/api/runs");
    if r.status == 429 {
        assert_eq!(r.header("retry-after"), Some("1"));
    }
}

#[test]
fn a_folder_without_run_json_is_refused_with_a_clear_message() {
    let dir = tempfile::tempdir().unwrap();
    let e = match nedra_server::Server::bind(options(dir.path())) {
        Err(e) => e.to_string(),
        Ok(_) => panic!("served a folder without run.json"),
    };
    assert!(e.contains(&dir.path().display().to_string()), "{e}");
    assert!(e.contains("run.json"), "{e}");
}

#[test]
fn odd_requests_get_an_error_status_and_the_server_keeps_serving() {
    let dir = tempfile::tempdir().unwrap();
    let (addr, _) = start(options(&make_run(dir.path())));
    let long_segment = format!("/runs/{}/layers", "r".repeat(1500));
    for target in [
        "/runs/run/point?lon=abc&lat=1",
        "/runs/run/point?lon=NaN&lat=1",
        "/runs/run/point?lon=1e999&lat=1",
        "/runs/run/point?lon=200&lat=95",
        "/runs/run/point",
        "/runs/run/tiles/score/99999999999/0/0.png",
        "/runs/run/tiles/score/3/0/99999999999.png",
        "/runs/run/tiles/score/%zz/0/0.png",
        "/runs/%ff%fe/layers",
        "/runs/run/legend/%00",
        "/runs/run/files/%c0%ae%c0%ae/secret.txt",
        long_segment.as_str(),
        "/assets/\u{442}\u{435}\u{441}\u{442}",
        "*",
    ] {
        let status = get(addr, target).status;
        assert!((400..500).contains(&status), "{target}: {status}");
    }
    assert_eq!(get(addr, "/runs/run/point?lon=27.8&lat=53.2").status, 200);
    assert_eq!(get(addr, "/runs/run/point?lon=0&lat=0").status, 200);
}
