//! The real sync server (this workspace's `clinic-server` binary) on a fresh PostgreSQL database,
//! for the stories with several workstations. It can be stopped and started again on the same
//! address, as a server that goes away and comes back.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct SyncServer {
    pub url: String,
    listen: String,
    database_url: String,
    admin_url: String,
    name: String,
    child: Option<Child>,
}

impl SyncServer {
    pub fn start() -> SyncServer {
        let admin_url = std::env::var("CLINIC_TEST_DATABASE_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
        let name = format!("clinic_e2e_{}_{}", std::process::id(), std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos());
        psql(&admin_url, &format!("CREATE DATABASE {name}"));
        let database_url = format!("{}/{name}", admin_url.rsplit_once('/').unwrap().0);
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let listen = format!("127.0.0.1:{port}");
        let mut server = SyncServer { url: format!("http://{listen}"), listen, database_url, admin_url, name, child: None };
        server.resume();
        server
    }

    /// Runs one admin command of the server binary (e.g. `create-organisation NAME`); its output.
    pub fn command(&self, args: &[&str]) -> String {
        self.command_with(&[], args)
    }

    /// An admin command with more settings in its environment (the update key of `publish-update`).
    pub fn command_with(&self, env: &[(&str, &str)], args: &[&str]) -> String {
        let out = Command::new(crate::built("clinic-server")).args(args).env("DATABASE_URL", &self.database_url)
            .envs(env.iter().copied()).stderr(Stdio::inherit()).output().expect("clinic-server");
        assert!(out.status.success(), "clinic-server {args:?} failed");
        String::from_utf8(out.stdout).unwrap().trim().to_string()
    }

    /// The server goes away (as a network cut would make it).
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// The server comes back on the same address, and answers.
    pub fn resume(&mut self) {
        let child = Command::new(crate::built("clinic-server"))
            .env("DATABASE_URL", &self.database_url).env("CLINIC_SERVER_LISTEN", &self.listen).env("RUST_LOG", "warn")
            .spawn().expect("clinic-server");
        self.child = Some(child);
        let started = Instant::now();
        while ureq::get(&format!("{}/health", self.url)).call().is_err() {
            assert!(started.elapsed() < Duration::from_secs(20), "the sync server did not start");
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for SyncServer {
    fn drop(&mut self) {
        self.stop();
        psql(&self.admin_url, &format!("DROP DATABASE IF EXISTS {}", self.name));
    }
}

fn psql(url: &str, sql: &str) {
    let status = Command::new("psql").arg(url).args(["-q", "-c", sql]).status().expect("psql");
    assert!(status.success(), "psql: {sql}");
}
