//! HTTPS by default (DESIGN.md §5c): off loopback the server speaks HTTPS only, with a certificate
//! of its own when none is configured, whose fingerprint it prints with the enrolment code.

use std::collections::HashMap;
use std::process::{Child, Command, Stdio};

use clinic_server::{Config, TlsFiles};

use crate::harness::*;

fn settings(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
    let map: HashMap<String, String> = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    move |name| map.get(name).cloned()
}

#[tokio::test]
async fn off_loopback_the_server_refuses_plain_http() {
    let server = TestServer::start().await;
    let config = Config { listen: "0.0.0.0:0".into(), database_url: server.database_url.clone(), tls: None, update_public_key: None };
    let refused = tokio::time::timeout(std::time::Duration::from_secs(5), clinic_server::serve(&config, server.server.clone())).await;
    let problem = refused.expect("it does not start serving").expect_err("refused");
    assert!(problem.contains("HTTPS only"), "{problem}");

    // Configured from the environment, a listener off loopback always gets a certificate: the
    // server's own, in its data folder, unless one is named.
    let db = ("DATABASE_URL", "postgres://x/y");
    let off = Config::from_settings(settings(&[db, ("CLINIC_SERVER_LISTEN", "0.0.0.0:8787"), ("CLINIC_SERVER_DATA", "/srv/clinic")])).unwrap();
    assert_eq!(off.tls.map(|t| t.cert), Some("/srv/clinic/tls/certificate.pem".into()));
    let named = Config::from_settings(settings(&[db, ("CLINIC_SERVER_LISTEN", "192.168.1.10:8787"),
        ("CLINIC_SERVER_TLS_CERT", "/etc/c.pem"), ("CLINIC_SERVER_TLS_KEY", "/etc/k.pem")])).unwrap();
    assert_eq!(named.tls.map(|t| t.cert), Some("/etc/c.pem".into()));
    let home = Config::from_settings(settings(&[db, ("CLINIC_SERVER_LISTEN", "[::]:8787"), ("HOME", "/home/ana")])).unwrap();
    assert_eq!(home.tls.map(|t| t.cert), Some("/home/ana/.local/share/clinic-server/tls/certificate.pem".into()));
    for listen in ["127.0.0.1:8787", "[::1]:8787"] {
        assert!(Config::from_settings(settings(&[db, ("CLINIC_SERVER_LISTEN", listen)])).unwrap().tls.is_none(), "plain HTTP on {listen}");
    }
}

/// The server binary, stopped when dropped.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn clinic_server(database_url: &str, listen: &str, data: &std::path::Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_clinic-server"));
    command.env("DATABASE_URL", database_url).env("CLINIC_SERVER_LISTEN", listen).env("CLINIC_SERVER_DATA", data)
        .env_remove("CLINIC_SERVER_TLS_CERT").env_remove("CLINIC_SERVER_TLS_KEY").env("RUST_LOG", "warn");
    command
}

/// The SHA-256 fingerprint of the certificate served at `address`, as OpenSSL reads it (not our
/// code); waits up to 10 s for the server to answer. Off the test's runtime, which may be serving.
async fn served_fingerprint(address: &str) -> Option<String> {
    let command = format!("timeout 5 openssl s_client -connect {address} </dev/null 2>/dev/null | openssl x509 -noout -fingerprint -sha256");
    for _ in 0..100 {
        let command = command.clone();
        let shown = tokio::task::spawn_blocking(move || Command::new("sh").arg("-c").arg(command).output()).await.unwrap().ok()?;
        let text = String::from_utf8_lossy(&shown.stdout);
        if let Some((_, fingerprint)) = text.trim().split_once('=') {
            return Some(fingerprint.to_string());
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    None
}

#[tokio::test]
async fn off_loopback_the_server_makes_its_certificate_serves_it_and_prints_its_fingerprint() {
    let server = TestServer::start().await;
    let org = server.organisation("Riverside").await.to_string();
    let data = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("0.0.0.0:0").unwrap().local_addr().unwrap().port();
    let serve = |data: &std::path::Path| Running(clinic_server(&server.database_url, &format!("0.0.0.0:{port}"), data).arg("serve").spawn().unwrap());
    let mut running = serve(data.path());
    let served = served_fingerprint(&format!("127.0.0.1:{port}")).await.expect("the server answers over TLS off loopback");

    let printed = |data: &std::path::Path| {
        let out = clinic_server(&server.database_url, &format!("0.0.0.0:{port}"), data).args(["enrolment-code", &org])
            .stderr(Stdio::inherit()).output().unwrap();
        assert!(out.status.success());
        let out = String::from_utf8(out.stdout).unwrap();
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines.len(), 2, "the code, then the fingerprint: {out}");
        assert_eq!(lines[0].len(), 14, "a code: {out}");
        lines[1].strip_prefix("certificate SHA-256 fingerprint: ").expect("the fingerprint line").to_string()
    };
    assert_eq!(printed(data.path()), served, "the fingerprint printed with the code is the certificate served");
    assert!(reqwest::get(format!("http://127.0.0.1:{port}/health")).await.map_or(true, |r| !r.status().is_success()), "no plain http");

    // It keeps its certificate: started again, it serves the same one.
    drop(running);
    running = serve(data.path());
    let again = served_fingerprint(&format!("127.0.0.1:{port}")).await;
    assert_eq!(again.as_deref(), Some(served.as_str()), "the same certificate after a restart");
    drop(running);
}

#[tokio::test]
async fn with_a_configured_certificate_the_server_speaks_https() {
    let dir = tempfile::tempdir().unwrap();
    let (cert, key) = (dir.path().join("cert.pem"), dir.path().join("key.pem"));
    let made = Command::new("openssl")
        .args(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost",
            // Not a CA: rustls refuses a CA certificate as the server's own.
            "-addext", "basicConstraints=critical,CA:FALSE"])
        .arg("-keyout").arg(&key).arg("-out").arg(&cert)
        .stderr(Stdio::null()).status().expect("openssl");
    assert!(made.success());
    let server = TestServer::start().await;
    let files = TlsFiles { cert: cert.clone(), key };
    let url = server.serve_https(files.clone()).await;
    assert_eq!(files.ensure().unwrap().to_string(), served_fingerprint(url.trim_start_matches("https://")).await.unwrap(), "the configured one is served");
    let trusted = reqwest::Certificate::from_pem(&std::fs::read(&cert).unwrap()).unwrap();
    let https = reqwest::Client::builder().add_root_certificate(trusted).build().unwrap();
    let port = url.rsplit_once(':').unwrap().1;
    let answer = https.get(format!("https://localhost:{port}/health")).send().await.unwrap();
    assert_eq!(answer.status(), 200, "health over https");
    assert!(reqwest::get(format!("http://localhost:{port}/health")).await.map_or(true, |r| !r.status().is_success()), "no plain http");
}
