//! First run: the organisation, its first site, this workstation and the first admin.

use chrono_tz::Tz;
use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;

use crate::auth::{hash_password, Password, Role, Roles, Session};
use clinic_sync::signing::Signer;
use crate::clinic::{Clinic, Device};
use crate::domain::{optional_text, required_text, Currency, PersonName};
use crate::error::{Code, Error, Result};
use crate::ops::staff::Username;
use crate::write::{Changes, Write};

#[derive(Debug, Clone, Deserialize, specta::Type)]
pub struct ClinicSetup {
    pub organisation_name: String,
    pub site_name: String,
    /// 2–4 letters that start every record number of this site; made from the site name when empty.
    pub site_code: Option<String>,
    pub address: String,
    pub time_zone: String,
    pub currency: String,
    pub tax_id: Option<String>,
    pub admin_full_name: String,
    pub admin_username: String,
    pub admin_password: String,
    pub device_name: String,
}

pub fn parse_time_zone(raw: &str) -> Result<Tz> {
    raw.trim().parse::<Tz>().map_err(|_| {
        Error::invalid("time_zone", format!("“{}” is not a time zone; use a name like Europe/Lisbon or America/New_York.", raw.trim()))
    })
}

fn site_code(raw: Option<&str>, site_name: &str) -> Result<String> {
    let code = match raw.map(str::trim).filter(|c| !c.is_empty()) {
        Some(code) => code.to_ascii_uppercase(),
        None => {
            let initials: String = site_name.split_whitespace().filter_map(|w| w.chars().next()).filter(char::is_ascii_alphabetic).collect();
            let letters: String = site_name.chars().filter(char::is_ascii_alphabetic).collect();
            let pick = if initials.len() >= 2 { initials } else { letters };
            pick.to_ascii_uppercase().chars().take(3).collect()
        }
    };
    if !(2..=4).contains(&code.len()) || !code.chars().all(|c| c.is_ascii_uppercase()) {
        return Err(Error::invalid("site_code", "The site code is 2 to 4 letters A–Z, e.g. HC."));
    }
    Ok(code)
}

/// Creates the clinic and logs its first admin in.
pub async fn set_up_clinic(clinic: &Clinic, input: ClinicSetup) -> Result<Session> {
    if clinic.is_set_up() {
        return Err(Error::new(Code::Setup, "This workstation is already set up."));
    }
    let organisation = required_text("organisation_name", "The organisation's name", &input.organisation_name, 120)?;
    let site_name = required_text("site_name", "The site's name", &input.site_name, 120)?;
    let code = site_code(input.site_code.as_deref(), &site_name)?;
    let address = required_text("address", "The address", &input.address, 300)?;
    let tz = parse_time_zone(&input.time_zone)?;
    let currency = Currency::parse(&input.currency)?;
    let tax_id = optional_text("tax_id", input.tax_id.as_deref(), 40)?;
    let admin_name = PersonName::parse("admin_full_name", &input.admin_full_name)?;
    let username = Username::parse("admin_username", &input.admin_username)?;
    let password = Password::parse("admin_password", &input.admin_password)?;
    let device_name = required_text("device_name", "The workstation's name", &input.device_name, 60)?;
    let key = crate::auth::new_key(password.as_str()).await?;
    let hash = hash_password(password).await?;

    let admin_id = Uuid::now_v7();
    let device = Device { id: Uuid::now_v7(), org_id: Uuid::now_v7(), site_id: Uuid::now_v7(), number: 1 };
    clinic.adopt_device(device).await?;

    let valid = ValidSetUp { organisation, site_name, code, address, tz, currency, tax_id, admin_name, username, hash, key, device_name };
    // The clinic knows its device from here on, for the write below; if that write fails, it
    // forgets it again, so nothing claims to be set up without being saved.
    let saved = save_set_up(clinic, &valid, device, admin_id).await;
    if saved.is_err() {
        clinic.forget_device();
    }
    saved?;
    Ok(Session::new(clinic, admin_id, valid.username.as_str().to_string(), valid.admin_name.as_str().to_string(), Roles::of(&[Role::Admin]), valid.key.0))
}

struct ValidSetUp {
    organisation: String,
    site_name: String,
    code: String,
    address: String,
    tz: Tz,
    currency: Currency,
    tax_id: Option<String>,
    admin_name: PersonName,
    username: Username,
    hash: String,
    /// The admin's signing key and its sealed form.
    key: (Signer, String),
    device_name: String,
}

async fn save_set_up(clinic: &Clinic, v: &ValidSetUp, device: Device, admin_id: Uuid) -> Result<()> {
    let ValidSetUp { organisation, site_name, code, address, tz, currency, tax_id, admin_name, username, hash, key, device_name } = v;
    let (org_id, site_id) = (device.org_id, device.site_id);
    let mut w = Write::begin_as(clinic, Some(admin_id)).await?;
    w.signed_by(key.0.clone());
    let already: i64 = sqlx::query_scalar!("SELECT count(*) FROM device").fetch_one(w.conn()).await?;
    if already > 0 {
        return Err(Error::new(Code::Setup, "This workstation is already set up."));
    }
    let now = w.now;
    sqlx::query!("INSERT INTO device (id, org_id, site_id, number, name, created_at) VALUES (?, ?, ?, 1, ?, ?)",
        device.id, org_id, site_id, device_name, now).execute(w.conn()).await?;
    sqlx::query!("INSERT INTO series (name, next) VALUES ('device_seq', 1), ('mrn', 1)").execute(w.conn()).await?;
    // The admin first: the server learns their public key from it, and checks the rest with it.
    crate::ops::staff::insert_staff(&mut w, admin_id, admin_name.as_str(), username.as_str(), hash, Roles::of(&[Role::Admin]), key).await?;
    w.insert("organisation", org_id, &[("name", json!(organisation))]).await?;
    w.insert("site", site_id, &[("name", json!(site_name)), ("code", json!(code)), ("address", json!(address)),
        ("time_zone", json!(tz.name())), ("currency", json!(currency.code())), ("tax_id", json!(tax_id))]).await?;

    w.audit("set_up", "organisation", Some(org_id), crate::audit::Details::facts(json!({"organisation": organisation, "site": site_name, "admin": username.as_str()})));
    w.commit().await
}

/// What use cases need to know of the workstation's site.
#[derive(Clone)]
pub(crate) struct SiteSettings {
    pub code: String,
    pub time_zone: Tz,
    pub currency: Currency,
    /// Minutes idle before a session must be unlocked again.
    pub idle_lock_minutes: i64,
    /// The largest discount a receptionist may give, in basis points (none set: the default).
    pub discount_limit_bp: Option<i64>,
    /// The note every invoice prints.
    pub invoice_note: Option<String>,
}

/// The idle lock when a site has not chosen one, and the longest allowed (HIPAA's automatic log-off:
/// an unattended workstation must lock itself soon).
pub const DEFAULT_IDLE_LOCK_MINUTES: i64 = 10;
pub const MAX_IDLE_LOCK_MINUTES: i64 = 30;

fn idle_lock_minutes(raw: i64) -> Result<i64> {
    if !(1..=MAX_IDLE_LOCK_MINUTES).contains(&raw) {
        return Err(Error::invalid(
            "idle_lock_minutes",
            format!("Lock after 1 to {MAX_IDLE_LOCK_MINUTES} idle minutes: a workstation left unattended must lock itself soon."),
        ));
    }
    Ok(raw)
}

/// The site's settings, read once and kept by the clinic until they change.
/// The wall time now at the workstation's site, in the site's time zone (not the workstation's,
/// nor UTC): what "today" and "upcoming" mean on every screen, near midnight as at noon.
pub async fn site_now(clinic: &Clinic) -> Result<chrono::NaiveDateTime> {
    Ok(clinic.clock().now().with_timezone(&site_zone(clinic).await?).naive_local())
}

/// The workstation's site's time zone: what a day is there.
pub(crate) async fn site_zone(clinic: &Clinic) -> Result<Tz> {
    let mut conn = clinic.store().pool().acquire().await?;
    Ok(site_settings(clinic, &mut conn).await?.time_zone)
}

pub(crate) async fn site_settings(clinic: &Clinic, conn: &mut sqlx::SqliteConnection) -> Result<SiteSettings> {
    if let Some(site) = clinic.cached_site() {
        return Ok(site);
    }
    let site = load_site_settings(conn, clinic.device()?.site_id).await?;
    clinic.cache_site(site.clone());
    Ok(site)
}

async fn load_site_settings(conn: &mut sqlx::SqliteConnection, site_id: Uuid) -> Result<SiteSettings> {
    let row = sqlx::query!("SELECT code, time_zone, currency, idle_lock_minutes, discount_limit_bp, invoice_note FROM site WHERE id = ?", site_id)
        .fetch_optional(conn)
        .await?
        .ok_or_else(|| Error::new(Code::Setup, "This workstation's site is missing."))?;
    Ok(SiteSettings {
        code: row.code, time_zone: parse_time_zone(&row.time_zone)?, currency: Currency::parse(&row.currency)?,
        idle_lock_minutes: row.idle_lock_minutes.unwrap_or(DEFAULT_IDLE_LOCK_MINUTES),
        discount_limit_bp: row.discount_limit_bp, invoice_note: row.invoice_note,
    })
}

#[derive(Debug, Clone, Deserialize, specta::Type)]
pub struct SiteDetails {
    pub name: String,
    pub address: String,
    pub time_zone: String,
    pub currency: String,
    pub tax_id: Option<String>,
    /// Minutes idle before a session must be unlocked again: 1–30.
    pub idle_lock_minutes: i64,
}

/// Corrects the site's details. Appointments keep their instants: changing the time zone shows
/// them at the wall times of the new zone (for a zone that was set wrong at first run).
pub async fn update_site_details(clinic: &Clinic, session: &Session, input: SiteDetails) -> Result<()> {
    let mut w = Write::begin(clinic, session, crate::auth::Permission::ManageClinic).await?;
    let name = required_text("name", "The site's name", &input.name, 120)?;
    let address = required_text("address", "The address", &input.address, 300)?;
    let zone = parse_time_zone(&input.time_zone)?;
    let currency = Currency::parse(&input.currency)?;
    let tax_id = optional_text("tax_id", input.tax_id.as_deref(), 40)?;
    let idle = idle_lock_minutes(input.idle_lock_minutes)?;
    let site_id = w.site_id();
    let old = sqlx::query!("SELECT name, address, time_zone, currency, tax_id, idle_lock_minutes, version FROM site WHERE id = ?", site_id)
        .fetch_one(w.conn())
        .await?;
    let mut changes = Changes::default();
    changes.set("name", &old.name, &name).set("address", &old.address, &address).set("time_zone", &old.time_zone, zone.name())
        .set("currency", &old.currency, currency.code()).set("tax_id", &old.tax_id, &tax_id)
        // A site that never chose one keeps none while the default is what is asked for.
        .set("idle_lock_minutes", old.idle_lock_minutes, (old.idle_lock_minutes.is_some() || idle != DEFAULT_IDLE_LOCK_MINUTES).then_some(idle));
    if changes.is_empty() {
        w.nothing_changed().await;
        return Ok(());
    }
    w.update("site", site_id, old.version, &changes).await?;
    w.audit("update", "site", Some(site_id), crate::audit::Details::of(&changes));
    w.commit().await?;
    clinic.forget_site_settings();
    Ok(())
}

/// The site's details as the settings show them (any logged-in staff member may read them).
#[derive(Debug, Clone, serde::Serialize, specta::Type)]
pub struct SiteInfo {
    pub name: String,
    pub code: String,
    pub address: String,
    pub time_zone: String,
    pub currency: String,
    pub tax_id: Option<String>,
    /// The window locks itself after as many idle minutes as the core does.
    pub idle_lock_minutes: i64,
}

pub async fn site_details(clinic: &Clinic, session: &Session) -> Result<SiteInfo> {
    crate::auth::authorize_any(clinic, session, &[]).await?;
    let site_id = clinic.device()?.site_id;
    Ok(sqlx::query_as!(
        SiteInfo,
        r#"SELECT name, code, address, time_zone, currency, tax_id, coalesce(idle_lock_minutes, ?) AS "idle_lock_minutes!: i64"
           FROM site WHERE id = ?"#,
        DEFAULT_IDLE_LOCK_MINUTES, site_id
    )
    .fetch_one(clinic.store().pool())
    .await?)
}

/// The clinic as its printed documents name it: organisation and site, address, tax id, logo.
pub(crate) async fn letterhead(conn: &mut sqlx::SqliteConnection, site_id: Uuid) -> Result<crate::print::ClinicDetails> {
    use base64::Engine;
    let site = sqlx::query!("SELECT s.name, s.address, s.tax_id, s.logo, o.name AS organisation FROM site s JOIN organisation o ON o.id = s.org_id WHERE s.id = ?", site_id)
        .fetch_one(conn).await?;
    Ok(crate::print::ClinicDetails {
        name: format!("{} — {}", site.organisation, site.name), address: site.address, phone: None, tax_id: site.tax_id,
        logo: site.logo.and_then(|l| base64::engine::general_purpose::STANDARD.decode(l).ok()),
    })
}
