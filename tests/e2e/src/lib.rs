//! A small W3C WebDriver client for driving the real Clinic Desk window through tauri-driver.
//! The test command starts Xvfb, a D-Bus session with a keyring, and tauri-driver on port 4444.

pub mod server;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use base64::Engine;
use serde_json::{json, Value};

/// The password of the admin [`App::set_up_harbour_health`] makes.
pub const ADMIN_PASSWORD: &str = "a long admin password";
/// The password of the staff [`App::add_staff`] adds.
pub const STAFF_PASSWORD: &str = "a long desk password";

/// The key under which W3C WebDriver returns an element reference.
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

/// One window at a time: tauri-driver runs a single session.
static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

pub struct App {
    _turn: Option<std::sync::MutexGuard<'static, ()>>,
    agent: ureq::Agent,
    base: String,
    pub screenshots: PathBuf,
}

/// Whether the end-to-end environment is there; the test command sets CLINIC_E2E and then a
/// missing driver is a failure, not a skip.
pub fn required() -> bool {
    std::env::var_os("CLINIC_E2E").is_some()
}

pub fn driver_url() -> String {
    std::env::var("TAURI_DRIVER_URL").unwrap_or_else(|_| "http://127.0.0.1:4444".into())
}

/// A binary this workspace built (the app, the sync server), in the debug target folder (or the
/// release one, with `CLINIC_APP_PROFILE=release`: the figures, on what clinics run).
pub fn built(name: &str) -> PathBuf {
    app_binary().with_file_name(name)
}

fn app_binary() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|| {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target")
    });
    let profile = std::env::var("CLINIC_APP_PROFILE").unwrap_or_else(|_| "debug".into());
    std::path::absolute(target.join(profile).join("clinic-desk")).expect("absolute path")
}

impl App {
    /// Starts the app in a new WebDriver session.
    pub fn start(test_name: &str) -> App {
        App::start_with(test_name, &[])
    }

    /// Starts the app with command-line arguments (e.g. `--data-dir` for a store of its own).
    pub fn start_with(test_name: &str, args: &[&str]) -> App {
        App::start_program(test_name, &app_binary(), args)
    }

    /// Starts another copy of the app than this build's: the one a package installed, say.
    pub fn start_program(test_name: &str, program: &std::path::Path, args: &[&str]) -> App {
        let screenshots = app_binary().parent().unwrap().parent().unwrap().join("e2e-screenshots").join(test_name);
        std::fs::create_dir_all(&screenshots).unwrap();
        let turn = ONE_AT_A_TIME.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        App::session(Some(turn), &driver_url(), program, screenshots, args)
    }

    /// A second window beside this one (another workstation on the same machine), through the
    /// second tauri-driver the test command starts (each driver runs one session).
    pub fn start_beside(&self, test_name: &str, args: &[&str]) -> App {
        let screenshots = self.screenshots.parent().unwrap().join(test_name);
        std::fs::create_dir_all(&screenshots).unwrap();
        let second = std::env::var("TAURI_DRIVER_URL_2").unwrap_or_else(|_| "http://127.0.0.1:4447".into());
        App::session(None, &second, &app_binary(), screenshots, args)
    }

    fn session(turn: Option<std::sync::MutexGuard<'static, ()>>, driver: &str, program: &std::path::Path, screenshots: PathBuf, args: &[&str]) -> App {
        let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).build().into();
        let mut app = App { _turn: turn, agent, base: driver.to_string(), screenshots };
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "wry",
            "tauri:options": {"application": program, "args": args}
        }}});
        let session = app.post("/session", caps);
        let id = session["sessionId"].as_str().unwrap_or_else(|| panic!("no session: {session}")).to_string();
        app.base = format!("{}/session/{id}", app.base);
        app
    }

    fn post(&self, path: &str, body: Value) -> Value {
        let mut response = self.agent.post(&format!("{}{path}", self.base)).header("Content-Type", "application/json")
            .send(body.to_string()).unwrap_or_else(|e| panic!("WebDriver POST {path}: {e}"));
        let text = response.body_mut().read_to_string().unwrap();
        serde_json::from_str::<Value>(&text).unwrap_or(Value::Null)["value"].clone()
    }

    fn get(&self, path: &str) -> Value {
        let mut response = self.agent.get(&format!("{}{path}", self.base)).call().unwrap_or_else(|e| panic!("WebDriver GET {path}: {e}"));
        let text = response.body_mut().read_to_string().unwrap();
        serde_json::from_str::<Value>(&text).unwrap_or(Value::Null)["value"].clone()
    }

    /// The first element matching a CSS selector, waiting up to `wait` for it.
    pub fn find(&self, css: &str, wait: Duration) -> String {
        let started = Instant::now();
        loop {
            let found = self.post("/element", json!({"using": "css selector", "value": css}));
            if let Some(id) = found[ELEMENT].as_str() {
                return id.to_string();
            }
            if started.elapsed() > wait {
                self.screenshot("not-found");
                panic!("no element {css} after {wait:?}: {found}");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Waits until the page's text contains `text`.
    pub fn wait_for_text(&self, text: &str, wait: Duration) {
        let started = Instant::now();
        while !self.text("body").contains(text) {
            if started.elapsed() > wait {
                self.screenshot("text-missing");
                panic!("the window never showed “{text}”; it shows:\n{}", self.text("body"));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    pub fn click(&self, css: &str) {
        let id = self.find(css, Duration::from_secs(10));
        self.post(&format!("/element/{id}/click"), json!({}));
    }

    pub fn type_into(&self, css: &str, text: &str) {
        let id = self.find(css, Duration::from_secs(10));
        self.post(&format!("/element/{id}/value"), json!({"text": text}));
    }

    pub fn text(&self, css: &str) -> String {
        let id = self.find(css, Duration::from_secs(10));
        self.get(&format!("/element/{id}/text")).as_str().unwrap_or_default().to_string()
    }

    /// Runs JavaScript in the window and returns its result. A WebDriver error (the window stopped
    /// answering, the script threw) fails the test with that error, never passes as a value.
    pub fn execute(&self, script: &str, args: Value) -> Value {
        let answer = self.post("/execute/sync", json!({"script": script, "args": args}));
        if let Some(error) = answer.get("error").and_then(Value::as_str) {
            self.screenshot("webdriver-error");
            panic!("WebDriver: {error}: {} (running: {})", answer["message"], script.lines().next().unwrap_or_default());
        }
        answer
    }

    /// Waits until `script` returns true (what is awaited is named in the failure).
    pub fn wait_for(&self, what: &str, script: &str) {
        let started = Instant::now();
        while self.execute(script, json!([])) != Value::Bool(true) {
            if started.elapsed() > Duration::from_secs(10) {
                self.screenshot("never-ready");
                panic!("{what} never came; the window shows:\n{}", self.text("body"));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Waits until the chart's free times are the ones asked for last (the list is busy until then).
    pub fn wait_for_free_times(&self) {
        self.wait_for("the free times", "return document.querySelector('.slots').getAttribute('aria-busy') === 'false'");
    }

    /// The value of a form field, once it has one (a form fills some fields as it opens).
    pub fn value(&self, css: &str) -> String {
        let started = Instant::now();
        loop {
            let value = self.execute("const e = document.querySelector(arguments[0]); return e ? e.value : '';", json!([css]));
            match value.as_str() {
                Some(v) if !v.is_empty() => return v.to_string(),
                _ if started.elapsed() > Duration::from_secs(10) => panic!("{css} never had a value"),
                _ => std::thread::sleep(Duration::from_millis(100)),
            }
        }
    }

    /// The first weekday after the clinic's today, as the open chart's booking form has it (the
    /// site's date, from the app): where a story books, whatever date it runs on.
    pub fn next_weekday(&self) -> String {
        use chrono::Datelike;
        let today = self.value("input[name=day]");
        let mut day = chrono::NaiveDate::parse_from_str(&today, "%Y-%m-%d").unwrap_or_else(|e| panic!("the day {today}: {e}"));
        loop {
            day = day.succ_opt().expect("a next day");
            if !matches!(day.weekday(), chrono::Weekday::Sat | chrono::Weekday::Sun) {
                return day.to_string();
            }
        }
    }

    /// Sets a form field as a person would (the `input` and `change` events fire).
    pub fn set_value(&self, css: &str, value: &str) {
        self.find(css, Duration::from_secs(10));
        self.execute(
            "const e = document.querySelector(arguments[0]); e.value = arguments[1];
             e.dispatchEvent(new Event('input', {bubbles: true})); e.dispatchEvent(new Event('change', {bubbles: true}));",
            json!([css, value]),
        );
    }

    /// Presses a key (WebDriver key codes, e.g. "\u{E007}" for Enter) in the focused element.
    pub fn press(&self, css: &str, key: &str) {
        self.type_into(css, key);
    }

    /// Clicks the first button whose text is `label`.
    pub fn click_button(&self, label: &str) {
        let started = Instant::now();
        loop {
            let clicked = self.execute(
                "const b = [...document.querySelectorAll('button')].find(b => b.textContent.trim() === arguments[0]);
                 if (b) { b.click(); return true; } return false;",
                json!([label]),
            );
            if clicked == Value::Bool(true) {
                return;
            }
            if started.elapsed() > Duration::from_secs(10) {
                self.screenshot("button-missing");
                panic!("no button “{label}”; the window shows:\n{}", self.text("body"));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Types into each named input of a form, as a person would.
    pub fn fill(&self, fields: &[(&str, &str)]) {
        for (name, value) in fields {
            self.type_into(&format!("input[name={name}]"), value);
        }
    }

    /// Opens the demo clinic from the first screen and goes on to its login (its logins'
    /// password is `clinic_core::demo::DEMO_PASSWORD`).
    pub fn open_demo_clinic(&self) {
        self.wait_for_text("Welcome to Clinic Desk", Duration::from_secs(20));
        self.click_button("Open the demo clinic");
        self.wait_for_text("The demo clinic is ready", Duration::from_secs(180));
        self.click_button("Continue");
    }

    /// Sets up a new clinic on the first screen — Harbour Health in Lisbon, its admin Ada Lopes
    /// (`ada`, [`ADMIN_PASSWORD`]) — and passes the recovery code step: the admin is left on Staff.
    pub fn set_up_harbour_health(&self) {
        self.wait_for_text("Set up your clinic", Duration::from_secs(20));
        self.fill(&[("organisation_name", "Harbour Health"), ("site_name", "Harbour Clinic"), ("address", "1 Quay Street"),
            ("admin_full_name", "Ada Lopes"), ("admin_username", "ada"), ("admin_password", ADMIN_PASSWORD)]);
        self.set_value("input[name=time_zone]", "Europe/Lisbon");
        self.click_button("Create the clinic");
        self.wait_for_text("Your recovery code", Duration::from_secs(10));
        self.click("label.check input");
        self.click_button("Done");
        self.wait_for_text("Add a staff member", Duration::from_secs(10));
    }

    /// Adds a staff member on Settings → Staff, with [`STAFF_PASSWORD`].
    pub fn add_staff(&self, name: &str, username: &str, role: &str) {
        self.fill(&[("full_name", name), ("username", username), ("password", STAFF_PASSWORD)]);
        self.choose("select[name=role]", role);
        self.click_button("Add");
        self.wait_for_text(&format!("{name} can now log in as {username}."), Duration::from_secs(10));
    }

    /// Connects this workstation's clinic to the sync server on Settings → Sync. The server runs
    /// on this computer over plain http://, so no fingerprint is pinned (the pinned HTTPS path is
    /// tested in clinic-server's tests/convergence/pinning.rs).
    pub fn connect_to(&self, server_url: &str, enrolment_code: &str) {
        self.click_button("Sync");
        self.type_into("input[name=server_url]", server_url);
        self.type_into("input[name=enrolment_code]", enrolment_code);
        self.click_button("Connect");
        self.wait_for_text("Last synced", Duration::from_secs(10));
    }

    /// Logs in on the login screen. The boxes are set, not typed: the form focuses its username box
    /// as it appears, and keys typed just then can land in the wrong box (seen after "Switch user").
    pub fn log_in(&self, username: &str, password: &str) {
        self.wait_for_text("Log in", Duration::from_secs(10));
        self.set_value("input[name=username]", username);
        self.set_value("input[name=password]", password);
        self.click("button[type=submit]");
    }

    /// Picks the option of a select whose text starts with `label`, as a person would (the change
    /// bubbles, as a person's does: the window listens for it on the page). Waits for the option,
    /// since a form may still be loading its choices.
    pub fn choose(&self, select: &str, label: &str) {
        self.find(select, Duration::from_secs(10));
        let started = Instant::now();
        loop {
            let chosen = self.execute(
                "const s = document.querySelector(arguments[0]); const o = [...s.options].find(o => o.text.startsWith(arguments[1]));
                 if (!o) return [...s.options].map(o => o.text); s.value = o.value; s.dispatchEvent(new Event('change', {bubbles: true})); return true;",
                json!([select, label]),
            );
            if chosen == json!(true) {
                return;
            }
            if started.elapsed() > Duration::from_secs(10) {
                self.screenshot("option-missing");
                panic!("no option {label} in {select}; it offers {chosen}");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    pub fn has_button(&self, label: &str) -> bool {
        self.execute("return [...document.querySelectorAll('button')].some(b => b.textContent.trim() === arguments[0]);", json!([label]))
            == Value::Bool(true)
    }

    /// Serious and critical accessibility violations of what the window shows now, as found by
    /// axe-core (from the UI's node modules).
    pub fn accessibility_problems(&self) -> Vec<String> {
        let axe = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../ui/node_modules/axe-core/axe.min.js");
        let source = std::fs::read_to_string(&axe).unwrap_or_else(|e| panic!("{}: {e} (run npm install in ui/)", axe.display()));
        self.execute(&source, json!([]));
        let found = self.post("/execute/async", json!({"script": "
            const done = arguments[arguments.length - 1];
            axe.run(document, { resultTypes: ['violations'] }).then(r => done(
                r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
                 .map(v => `${v.impact} ${v.id}: ${v.help} — ${v.nodes.map(n => n.target.join(' ')).slice(0, 3).join(', ')}`)));",
            "args": []}));
        found.as_array().unwrap_or_else(|| panic!("axe did not run: {found}")).iter().map(|v| v.as_str().unwrap_or_default().to_string()).collect()
    }

    /// Asserts axe-core finds nothing serious on the current screen.
    pub fn assert_accessible(&self, screen: &str) {
        let problems = self.accessibility_problems();
        if !problems.is_empty() {
            self.screenshot(&format!("inaccessible-{screen}"));
        }
        assert!(problems.is_empty(), "accessibility of {screen}:\n{}", problems.join("\n"));
    }

    /// The element that has the keyboard focus: its `id` attribute.
    pub fn focused_id(&self) -> String {
        let active = self.get("/element/active");
        let id = active[ELEMENT].as_str().unwrap_or_default().to_string();
        self.get(&format!("/element/{id}/attribute/id")).as_str().unwrap_or_default().to_string()
    }

    /// Kills the app's process as a power cut would (SIGKILL: nothing flushed, no clean-up): the one
    /// running this build's binary with `argument` on its command line (its `--data-dir`, say).
    /// The window's WebDriver session dies with it; start the app again to go on.
    pub fn kill_app(&self, argument: &str) {
        let binary = app_binary().canonicalize().expect("the app binary");
        let mut killed = Vec::new();
        for entry in std::fs::read_dir("/proc").expect("/proc").flatten() {
            let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else { continue };
            let runs_the_app = std::fs::read_link(entry.path().join("exe")).is_ok_and(|exe| exe == binary);
            let args = std::fs::read(entry.path().join("cmdline")).unwrap_or_default();
            if runs_the_app && args.split(|b| *b == 0).any(|a| a == argument.as_bytes()) {
                let status = std::process::Command::new("kill").args(["-KILL", &pid.to_string()]).status().expect("kill");
                assert!(status.success(), "kill -KILL {pid}");
                killed.push(pid);
            }
        }
        assert_eq!(killed.len(), 1, "one app process runs with {argument}: {killed:?}");
    }

    /// A screenshot once the window has painted what the test just did (one taken at once showed
    /// the screen before).
    pub fn shot(&self, name: &str) -> PathBuf {
        std::thread::sleep(Duration::from_millis(300));
        self.screenshot(name)
    }

    /// Scrolls the element into the middle of the window, for the screenshot.
    pub fn show(&self, css: &str) {
        self.execute("document.querySelector(arguments[0])?.scrollIntoView({block: 'center'})", json!([css]));
    }

    /// Clicks the button `label` in the first of the `rows` (list items, table rows) that names
    /// `who` and has one, waiting for it (lists are read again after each action).
    pub fn act_on(&self, rows: &str, who: &str, label: &str) {
        self.wait_for(&format!("“{label}” for {who}"),
            &format!("const row = [...document.querySelectorAll({rows:?})].find(r => r.textContent.includes({who:?})
                     && [...r.querySelectorAll('button')].some(b => b.textContent.trim() === {label:?}));
                 if (!row) return false;
                 [...row.querySelectorAll('button')].find(b => b.textContent.trim() === {label:?}).click(); return true;"));
    }

    /// Saves a PNG of the window as `<name>.png` in this test's screenshot folder.
    pub fn screenshot(&self, name: &str) -> PathBuf {
        let png = self.get("/screenshot");
        let bytes = base64::engine::general_purpose::STANDARD.decode(png.as_str().unwrap_or_default()).unwrap_or_default();
        let path = self.screenshots.join(format!("{name}.png"));
        std::fs::write(&path, bytes).unwrap();
        path
    }
}

/// The text of a PDF as `pdftotext -layout` reads it (poppler-utils), to check what a printed
/// document says; a PNG of its first page is kept beside the test's screenshots as `<name>.png`.
pub fn pdf_text(app: &App, path: &str, name: &str) -> String {
    let pdf = std::process::Command::new("pdftotext").args(["-layout", path, "-"]).output().expect("pdftotext (poppler-utils)");
    assert!(pdf.status.success(), "pdftotext {path}: {}", String::from_utf8_lossy(&pdf.stderr));
    let page = app.screenshots.join(name);
    let _ = std::process::Command::new("pdftoppm").args(["-png", "-r", "80", "-singlefile", path]).arg(&page).status();
    String::from_utf8_lossy(&pdf.stdout).into_owned()
}

impl Drop for App {
    fn drop(&mut self) {
        let _ = self.agent.delete(&self.base).call();
    }
}
