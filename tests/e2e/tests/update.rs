//! The end-to-end update (docs/updates.md): version N's .deb is installed with apt and set up as a
//! clinic enrolled with its sync server; the server's admin publishes version N+1, signed; in the
//! installed app's window the admin asks for updates, sees N+1 with its notes, and installs it. The
//! updater downloads it, checks its signature and `dpkg -i`s it, and the app starts again as N+1,
//! from the same place, on the same clinic.
//!
//! Run by scripts/check-update, which builds the two packages and runs this as root (the updater
//! installs with `sudo dpkg -i` when no polkit agent is there to ask). A plain `cargo test` does not
//! run it (`test = false` in Cargo.toml): it needs both packages and installs into this machine's
//! /usr. Without them it fails, saying which is missing.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use clinic_desk_e2e::server::SyncServer;
use clinic_desk_e2e::{App, ADMIN_PASSWORD, STAFF_PASSWORD};

const SHORT: Duration = Duration::from_secs(10);
/// Download, signature check, dpkg and the new process's start, on a busy 2-core machine.
const INSTALLED: Duration = Duration::from_secs(180);
const PROGRAM: &str = "/usr/bin/clinic-desk";
const TEST_ONLY_KEY: &str = include_str!("../../updates/TEST-ONLY-update-signing.key.pub");

#[test]
fn the_installed_app_updates_itself_from_the_clinics_server() {
    let from = package("CLINIC_UPDATE_FROM");
    let to = package("CLINIC_UPDATE_TO");
    let (old, new) = (deb_field(&from, "Version"), deb_field(&to, "Version"));
    let _installed = Installed::with_apt(&from);
    assert_eq!(installed_version().as_deref(), Some(old.as_str()));

    let server = SyncServer::start();
    let org = server.command(&["create-organisation", "Harbour Health"]);
    let enrolment = server.command(&["enrolment-code", &org]);
    let signature = PathBuf::from(format!("{}.sig", to.display()));
    let published = server.command_with(&[("CLINIC_SERVER_UPDATE_PUBLIC_KEY", TEST_ONLY_KEY.trim())], &[
        "publish-update", to.to_str().unwrap(), "--signature", signature.to_str().unwrap(), "--version", &new,
        "--notes", "Receipts print faster.",
    ]);
    assert!(published.starts_with(&format!("published {new} for linux-x86_64-deb")), "{published}");

    let workstation = Workstation(std::env::temp_dir().join(format!("clinic-desk-update-{}", std::process::id())));
    let data = &workstation.0;
    let _ = std::fs::remove_dir_all(data);
    let args = ["--data-dir", data.to_str().unwrap()];
    // The window WebDriver started stays open until the app has started again: ending its session
    // would close the app, wherever the update had got to.
    let app = App::start_program("update", Path::new(PROGRAM), &args);
    app.set_up_harbour_health();
    app.add_staff("Rita Sousa", "rita", "Receptionist");
    app.connect_to(&server.url, &enrolment);

    app.click_button("This workstation");
    app.wait_for_text(&format!("This workstation runs Clinic Desk {old}."), SHORT);
    app.click_button("Check for updates");
    app.wait_for_text(&format!("Update available: version {new} (this workstation runs {old})"), SHORT);
    app.wait_for_text("Receipts print faster.", SHORT);
    app.shot("01-update-available");
    app.assert_accessible("an update available");
    app.click_button("Install");
    app.wait_for_text("Clinic Desk closes and starts again", SHORT);
    app.shot("02-install-asked");
    let before = app_processes(data);
    assert_eq!(before.len(), 1, "one window runs on {}: {before:?}", data.display());
    let before = before[0];
    app.click_button("Install and restart");

    // The updater installed N+1 over N, and the app started again from the same program, now N+1's.
    let started = Instant::now();
    while installed_version().as_deref() != Some(new.as_str()) {
        assert!(started.elapsed() < INSTALLED, "version {new} was never installed: dpkg says {:?}", installed_version());
        std::thread::sleep(Duration::from_millis(500));
    }
    let again = loop {
        let running = app_processes(data);
        if let [pid] = running[..] && pid != before {
            break pid;
        }
        assert!(started.elapsed() < INSTALLED, "the app did not start again (running: {running:?}, before: {before})");
        std::thread::sleep(Duration::from_millis(500));
    };
    assert_eq!(std::fs::read_link(format!("/proc/{again}/exe")).unwrap(), Path::new(PROGRAM), "the new process runs the installed file");
    let said = Command::new(PROGRAM).arg("--version").output().unwrap();
    assert_eq!(String::from_utf8_lossy(&said.stdout).trim(), format!("Clinic Desk {new}"));
    // The window it opened runs outside WebDriver: it is closed, and opened again in a session.
    std::thread::sleep(Duration::from_secs(3));
    Command::new("kill").arg(again.to_string()).status().unwrap();
    while Path::new(&format!("/proc/{again}")).exists() {
        assert!(started.elapsed() < INSTALLED + SHORT, "the restarted app did not close");
        std::thread::sleep(Duration::from_millis(200));
    }
    drop(app);

    // The same clinic, at version N+1: its staff log in, and the server offers nothing newer.
    let app = App::start_program("update", Path::new(PROGRAM), &args);
    app.log_in("rita", STAFF_PASSWORD);
    app.wait_for_text("Find a patient", SHORT);
    app.click_button("Switch user");
    app.log_in("ada", ADMIN_PASSWORD);
    app.click_button("Settings");
    app.click_button("This workstation");
    app.click_button("Check for updates");
    app.wait_for_text(&format!("This workstation runs Clinic Desk {new}. It is the latest the clinic's server offers"), SHORT);
    assert!(!app.text("body").contains("Update available"));
    app.shot("03-updated");
    app.click_button("Audit trail");
    app.wait_for_text("approve_update", SHORT);
    // Still enrolled: it syncs with the server as before.
    app.click_button("Sync");
    app.wait_for_text("Last synced", SHORT);
    app.wait_for_text("Synced", Duration::from_secs(30));
    app.shot("04-still-syncing");
}

/// A package given by the environment variable `name` (scripts/check-update sets both).
fn package(name: &str) -> PathBuf {
    let path = PathBuf::from(std::env::var_os(name).unwrap_or_else(|| panic!("{name}: the .deb (scripts/check-update sets it)")));
    assert!(path.is_file(), "{name}: no such package {}", path.display());
    path
}

fn deb_field(deb: &Path, field: &str) -> String {
    let out = Command::new("dpkg-deb").args(["-f"]).arg(deb).arg(field).output().expect("dpkg-deb");
    assert!(out.status.success(), "dpkg-deb -f {}", deb.display());
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

/// The version of clinic-desk dpkg has installed, if any.
fn installed_version() -> Option<String> {
    let out = Command::new("dpkg-query").args(["-W", "-f=${Status} ${Version}", "clinic-desk"]).output().ok()?;
    let said = String::from_utf8(out.stdout).ok()?;
    said.strip_prefix("install ok installed ").map(str::to_string)
}

/// The processes of the installed app with this data folder (the one WebDriver started, or the one it started again).
fn app_processes(data: &Path) -> Vec<u32> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").expect("/proc").flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else { continue };
        let args = std::fs::read(entry.path().join("cmdline")).unwrap_or_default();
        let mut args = args.split(|b| *b == 0);
        let program = args.next().unwrap_or_default();
        if program == PROGRAM.as_bytes() && args.any(|a| a == data.as_os_str().as_encoded_bytes()) {
            found.push(pid);
        }
    }
    found
}

/// The workstation's data folder: after the test, whatever happened, no window is left running
/// on it (one started again outside WebDriver, say) and the folder is removed.
struct Workstation(PathBuf);

impl Drop for Workstation {
    fn drop(&mut self) {
        for pid in app_processes(&self.0) {
            let _ = Command::new("kill").arg(pid.to_string()).status();
        }
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// clinic-desk installed with apt for the test, and purged after it whatever happened.
struct Installed;

impl Installed {
    fn with_apt(deb: &Path) -> Installed {
        assert_eq!(installed_version(), None, "clinic-desk is already installed on this machine: remove it first (apt-get purge clinic-desk)");
        let status = apt().arg("install").arg(deb).status().expect("apt-get");
        assert!(status.success(), "apt-get install {}", deb.display());
        Installed
    }
}

impl Drop for Installed {
    fn drop(&mut self) {
        let purged = apt().args(["purge", "clinic-desk"]).status().is_ok_and(|s| s.success());
        if !purged {
            eprintln!("clinic-desk could not be purged: remove it by hand (apt-get purge clinic-desk), or the next run refuses to start");
        }
    }
}

fn apt() -> Command {
    let mut apt = Command::new("apt-get");
    apt.env("DEBIAN_FRONTEND", "noninteractive").args(["-o", "DPkg::Lock::Timeout=120", "-y", "-q"]);
    apt
}
