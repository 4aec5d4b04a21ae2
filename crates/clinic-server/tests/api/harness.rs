//! A real server on port 0 over a fresh database, and a workstation's view of it.

use std::collections::BTreeMap;

use clinic_server::{admin, app, Server};
use clinic_sync::*;
use serde_json::{json, Value};
use uuid::Uuid;

/// The PostgreSQL to create test databases in: CLINIC_TEST_DATABASE_URL (the test command sets it,
/// from DATABASE_URL or a throwaway cluster), else the local server.
fn admin_url() -> String {
    std::env::var("CLINIC_TEST_DATABASE_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

pub struct TestServer {
    pub url: String,
    pub server: Server,
    /// The server's own database (an admin command run as its own process connects to it).
    pub database_url: String,
    pub http: reqwest::Client,
}

impl TestServer {
    pub async fn start() -> TestServer {
        // The server's own error logs, shown with a failing test's output.
        let _ = tracing_subscriber::fmt().with_test_writer().with_env_filter("clinic_server=warn").try_init();
        // The tests' own HTTP clients use the workspace's one TLS provider (reqwest has none built in).
        let _ = rustls::crypto::ring::default_provider().install_default();
        let admin = admin_url();
        let name = format!("clinic_test_{}", Uuid::now_v7().simple());
        let pool = sqlx::PgPool::connect(&admin).await.expect("PostgreSQL for the server tests");
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}"))).execute(&pool).await.unwrap();
        let (base, _) = admin.rsplit_once('/').unwrap();
        let database_url = format!("{base}/{name}");
        let server = Server::connect(&database_url).await.unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let app = app(server.clone());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        TestServer { url, database_url, server, http: reqwest::Client::new() }
    }

    /// The same server also over HTTPS, as `clinic-server serve` runs it, on another port of
    /// 127.0.0.1, with the certificate in `files` (made there when neither file exists): its address.
    pub async fn serve_https(&self, files: clinic_server::TlsFiles) -> String {
        let listen = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().to_string();
        let config = clinic_server::Config { listen: listen.clone(), database_url: self.database_url.clone(), tls: Some(files), update_public_key: None };
        let server = self.server.clone();
        tokio::spawn(async move { clinic_server::serve(&config, server).await.unwrap() });
        for _ in 0..100 {
            if tokio::net::TcpStream::connect(&listen).await.is_ok() {
                return format!("https://{listen}");
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("the https server did not start");
    }

    pub async fn organisation(&self, name: &str) -> Uuid {
        admin::create_organisation(&self.server.db, name).await.unwrap()
    }

    pub async fn code(&self, org: Uuid) -> String {
        admin::create_enrolment_code(&self.server.db, org, 1).await.unwrap()
    }

    pub async fn post(&self, path: &str, token: Option<&str>, body: Value) -> (u16, Value) {
        let mut request = self.http.post(format!("{}{path}", self.url)).json(&body);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.unwrap();
        (response.status().as_u16(), response.json().await.unwrap_or(Value::Null))
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> (u16, Value) {
        let mut request = self.http.get(format!("{}{path}", self.url));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.unwrap();
        (response.status().as_u16(), response.json().await.unwrap_or(Value::Null))
    }

    /// Counts of what the server holds: nothing may change after a refused request.
    pub async fn counts(&self) -> (i64, i64, i64) {
        sqlx::query_as("SELECT (SELECT count(*) FROM record), (SELECT count(*) FROM change_log), (SELECT count(*) FROM applied_mutation)")
            .fetch_one(&self.server.db).await.unwrap()
    }
}

/// A workstation as the server sees it: its token, and the mutations it makes.
pub struct Desk {
    pub token: String,
    pub device_id: Uuid,
    pub clinic_id: Uuid,
    pub number: i64,
    seq: i64,
    /// The last entry of its audit chain: (number, hash).
    chain: (i64, String),
}

impl Desk {
    /// Enrols the workstation that holds the clinic (it brings the clinic's id).
    pub async fn first(server: &TestServer, org: Uuid) -> Desk {
        Desk::enrol(server, org, Some(LocalClinic { clinic_id: Uuid::now_v7(), device_number: 1 })).await.unwrap()
    }

    pub async fn enrol(server: &TestServer, org: Uuid, clinic: Option<LocalClinic>) -> Result<Desk, (u16, Value)> {
        let device_id = Uuid::now_v7();
        let code = server.code(org).await;
        let (status, body) = server.post("/v1/enrol", None, json!({"code": code, "device_id": device_id, "device_name": "Front desk", "clinic": clinic})).await;
        if status != 200 {
            return Err((status, body));
        }
        let e: Enrolment = serde_json::from_value(body).unwrap();
        Ok(Desk { token: e.token, device_id, clinic_id: e.clinic_id, number: e.device_number, seq: 0, chain: (0, audit_chain::GENESIS.into()) })
    }

    /// The clinic's record of `entity` that a new record refers to unless told otherwise (the server
    /// takes a reference only to a record it holds): the same on every desk of the clinic, made by
    /// `set_up`.
    pub fn fixture(&self, entity: &str) -> Uuid {
        let place = entities::ENTITIES.iter().position(|e| e.name == entity).expect("a declared entity") as u8;
        let mut bytes = self.clinic_id.into_bytes();
        bytes[15] ^= place + 1;
        Uuid::from_bytes(bytes)
    }

    /// A mutation with these fields; a new record gets an example value for every other field it
    /// needs (from the declaration; a reference, the clinic's fixture), so each test names only
    /// what it is about.
    pub fn mutation(&mut self, user: Uuid, entity: &str, id: Uuid, op: Op, base: Option<i64>, fields: &[(&str, Value)]) -> Mutation {
        let mut m = self.exact(user, entity, id, op, base, fields);
        if (op, entity) == (Op::Insert, "staff") && !m.changes.contains_key("public_key") {
            m.changes.insert("public_key".into(), FieldChange { old: Value::Null, new: json!(signer_of(id).public_key()) });
        }
        if let (Op::Insert, Some(kind)) = (op, clinic_sync::entity(entity)) {
            for (i, field) in kind.fields.iter().enumerate() {
                if field.presence == entities::Presence::Required && !m.changes.contains_key(field.name) {
                    let value = match field.kind {
                        entities::Kind::Ref(target) => json!(self.fixture(target)),
                        kind => example(kind, i),
                    };
                    m.changes.insert(field.name.into(), FieldChange { old: Value::Null, new: value });
                }
            }
        }
        signed(m)
    }

    /// A mutation with exactly these fields.
    pub fn exact(&mut self, user: Uuid, entity: &str, id: Uuid, op: Op, base: Option<i64>, fields: &[(&str, Value)]) -> Mutation {
        self.seq += 1;
        // One clock for every desk of the test: a mutation made later has a later stamp.
        static CLOCK: std::sync::atomic::AtomicI64 = std::sync::atomic::AtomicI64::new(1_790_000_000_000);
        let at = CLOCK.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        signed(Mutation {
            mutation_id: Uuid::now_v7(), device_seq: self.seq, hlc: format!("{:016x}-{}", (at as u64) << 20, self.device_id.simple()),
            at, entity: entity.into(), entity_id: id, op,
            changes: fields.iter().map(|(k, v)| (k.to_string(), FieldChange { old: Value::Null, new: v.clone() })).collect::<BTreeMap<_, _>>(),
            base_version: base, user_id: Some(user), signature: None,
        })
    }

    /// The next entry of this workstation's audit chain, numbered and linked as a workstation
    /// writes it (`audit_mutation` sends it).
    pub fn next_audit_entry(&mut self, staff: Uuid, action: &str) -> audit_chain::ChainEntry {
        let (seq, prev_hash) = self.chain.clone();
        let mut entry = audit_chain::ChainEntry {
            id: Uuid::now_v7(), org_id: self.clinic_id, device_id: self.device_id, seq: seq + 1, at: 1_790_000_000_000, staff_id: Some(staff),
            action: action.into(), entity: "staff".into(), entity_id: Some(staff), details: "{}".into(), prev_hash, hash: String::new(),
        };
        entry.hash = entry.computed_hash();
        self.chain = (entry.seq, entry.hash.clone());
        entry
    }

    /// An audit entry as a workstation pushes it.
    pub fn audit_mutation(&mut self, entry: &audit_chain::ChainEntry) -> Mutation {
        let fields = [("device_id", json!(entry.device_id)), ("seq", json!(entry.seq)), ("at", json!(entry.at)), ("staff_id", json!(entry.staff_id)),
            ("action", json!(entry.action)), ("entity", json!(entry.entity)), ("entity_id", json!(entry.entity_id)), ("details", json!(entry.details)),
            ("prev_hash", json!(entry.prev_hash)), ("hash", json!(entry.hash))];
        self.exact(entry.staff_id.expect("an author"), "audit_event", entry.id, Op::Insert, None, &fields)
    }

    pub async fn push(&self, server: &TestServer, mutations: &[Mutation]) -> Vec<Outcome> {
        let (status, body) = server.post("/v1/sync/push", Some(&self.token), json!({"mutations": mutations})).await;
        assert_eq!(status, 200, "{body}");
        serde_json::from_value::<PushResponse>(body).unwrap().results.into_iter().map(|r| r.outcome).collect()
    }

    /// Everything after `cursor`, all pages.
    pub async fn pull_all(&self, server: &TestServer) -> Vec<Record> {
        let (mut cursor, mut all) = (0, Vec::new());
        loop {
            let (status, body) = server.get(&format!("/v1/sync/pull?cursor={cursor}&limit=2"), Some(&self.token)).await;
            assert_eq!(status, 200, "{body}");
            let page: PullResponse = serde_json::from_value(body).unwrap();
            all.extend(page.records);
            cursor = page.next_cursor;
            if !page.has_more {
                return all;
            }
        }
    }

    /// The set-up of a clinic: its first admin, and a receptionist, a manager and a doctor; and
    /// the records new ones refer to by default (`fixture`): its site, a bookable doctor of its
    /// own, a visit type and a patient.
    pub async fn set_up(&mut self, server: &TestServer) -> Staff {
        let staff = Staff { admin: Uuid::now_v7(), reception: Uuid::now_v7(), manager: Uuid::now_v7(), doctor: Uuid::now_v7() };
        let mut batch = vec![self.mutation(staff.admin, "staff", staff.admin, Op::Insert, None, &[("full_name", json!("Ada Admin")), ("roles", json!("admin")), ("active", json!(true))])];
        for (id, role) in [(staff.reception, "receptionist"), (staff.manager, "manager"), (staff.doctor, "doctor"), (self.fixture("staff"), "doctor")] {
            batch.push(self.mutation(staff.admin, "staff", id, Op::Insert, None, &[("full_name", json!(role)), ("roles", json!(role)), ("active", json!(true))]));
        }
        let fixtures = [(staff.admin, "site"), (staff.manager, "appointment_type"), (staff.manager, "practitioner"), (staff.reception, "patient")];
        for (by, entity) in fixtures {
            let fields = if entity == "patient" { patient_fields("Fixture") } else { Vec::new() };
            batch.push(self.mutation(by, entity, self.fixture(entity), Op::Insert, None, &fields));
        }
        let outcomes = self.push(server, &batch).await;
        assert!(outcomes.iter().all(|o| matches!(o, Outcome::Applied { .. })), "{outcomes:?}");
        staff
    }
}

/// The code of a refusal (also one answered again as a duplicate); none for a change taken.
pub fn refusal(outcome: &Outcome) -> Option<&str> {
    match outcome {
        Outcome::Rejected { code, .. } => Some(code),
        Outcome::Duplicate { first } => refusal(first),
        _ => None,
    }
}

/// The signing key of the staff member `id` in these tests: made from the id, so every desk of a
/// test signs as the same person (the staff records `set_up` makes carry its public half).
pub fn signer_of(id: Uuid) -> signing::Signer {
    use sha2::Digest;
    signing::Signer::from_seed(&sha2::Sha256::digest(id.as_bytes()).into())
}

/// The mutation signed by the author it names (audit entries go unsigned, as workstations send them).
pub fn signed(mut m: Mutation) -> Mutation {
    m.signature = match m.user_id {
        Some(author) if m.entity != "audit_event" => Some(signer_of(author).sign(&m)),
        _ => None,
    };
    m
}

/// A value a field of this kind can hold; texts are distinct (unique keys), times rise with the
/// field's place (an end after its start).
pub fn example(kind: entities::Kind, place: usize) -> Value {
    use entities::Kind;
    let distinct = Uuid::now_v7().simple().to_string();
    match kind {
        Kind::Id | Kind::Ref(_) => json!(Uuid::now_v7()),
        Kind::Username => json!(format!("user{}", &distinct[distinct.len() - 12..])),
        Kind::Text(max) => json!(distinct[distinct.len() - max.min(12)..]),
        Kind::OneOf(words) => json!(words[0]),
        Kind::Int(min, max) => json!(0.clamp(min, max)),
        Kind::Bool => json!(false),
        Kind::Instant => json!(1_790_000_000_000_i64 + place as i64 * 60_000),
        Kind::Date => json!("1980-01-01"),
        Kind::List(_) => json!([]),
        Kind::Hours => json!([{"weekday": "Mon", "start": "09:00", "end": "17:00", "breaks": []}]),
        Kind::Contact => json!({"name": "Rui", "relation": "son", "phone": "+351900000002"}),
        Kind::Roles => json!("receptionist"),
        Kind::Zone => json!("Europe/Lisbon"),
        Kind::Currency => json!("EUR"),
        Kind::Charges => json!([{"description": "Consultation", "item_id": null, "quantity": 1, "unit_price": 6000, "discount": {"kind": "none"}, "tax_rate_bp": 0}]),
        Kind::Discount => json!({"kind": "none"}),
        Kind::Credits => json!([{"line": 0, "quantity": 1}]),
        Kind::Amounts => json!({"cash": 6000}),
    }
}

/// A server with one organisation (Riverside), its first workstation and its staff, set up.
pub async fn riverside() -> (TestServer, Uuid, Desk, Staff) {
    let server = TestServer::start().await;
    let org = server.organisation("Riverside").await;
    let mut desk = Desk::first(&server, org).await;
    let staff = desk.set_up(&server).await;
    (server, org, desk, staff)
}

pub struct Staff {
    pub admin: Uuid,
    pub reception: Uuid,
    pub manager: Uuid,
    pub doctor: Uuid,
}

pub fn patient_fields(given: &str) -> Vec<(&'static str, Value)> {
    vec![("given_name", json!(given)), ("family_name", json!("Silva")), ("sex", json!("female")), ("birth_date", json!("1980-01-01")),
        ("phones", json!(["+351900000001"])), ("allergies", json!([]))]
}

pub fn appointment_fields(practitioner: Uuid, starts: i64) -> Vec<(&'static str, Value)> {
    vec![("practitioner_id", json!(practitioner)), ("starts_at", json!(starts)),
        ("ends_at", json!(starts + 1_800_000)), ("busy_until", json!(starts + 1_800_000)), ("status", json!("booked")),
        ("double_booked", json!(false))]
}
