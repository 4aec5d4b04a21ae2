//! `clinic-server`: runs the sync server, or one admin command against its database.
//!
//!   clinic-server [serve]                       listen (CLINIC_SERVER_LISTEN, DATABASE_URL)
//!   clinic-server --version                     prints the version (needs no database)
//!   clinic-server create-organisation NAME      prints the organisation's id
//!   clinic-server enrolment-code ORG_ID [HOURS] prints a one-time code (valid 24 hours unless told),
//!                                               and the certificate's fingerprint on a second line
//!   clinic-server revoke-device DEVICE_ID       the workstation is refused from now on
//!   clinic-server verify-audit ORG_ID           checks every workstation's audit chain (exit 1 on a problem)
//!   clinic-server publish-update PACKAGE --signature PACKAGE.sig --version X.Y.Z (--notes TEXT | --notes-file FILE) [--arch ARCH]
//!                                               offers a signed release of the app to every workstation
//!                                               (checked against CLINIC_SERVER_UPDATE_PUBLIC_KEY; docs/updates.md)
//!
//! HTTPS only, off loopback (DESIGN.md §5c): with CLINIC_SERVER_TLS_CERT and CLINIC_SERVER_TLS_KEY
//! (PEM files, made there if neither exists), else with a self-signed certificate it makes once in
//! CLINIC_SERVER_DATA (default ~/.local/share/clinic-server). On loopback, plain HTTP unless a
//! certificate is named.
//! `--config FILE` first reads `KEY=value` lines (the same names) into the environment.

use clinic_server::{admin, Config, Server};

#[tokio::main]
async fn main() {
    // Logs go to stderr: stdout carries what an admin command prints (an id, a code).
    tracing_subscriber::fmt().with_writer(std::io::stderr).with_env_filter(
        tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
    ).init();
    if let Err(problem) = run(std::env::args().skip(1).collect()).await {
        eprintln!("clinic-server: {problem}");
        std::process::exit(1);
    }
}

async fn run(mut args: Vec<String>) -> Result<(), String> {
    if args.first().map(String::as_str) == Some("--version") {
        println!("clinic-server {}", env!("CARGO_PKG_VERSION"));
        return Ok(());
    }
    if let Some(at) = args.iter().position(|a| a == "--config") {
        let file = args.get(at + 1).cloned().ok_or("--config needs a file")?;
        args.drain(at..at + 2);
        let text = std::fs::read_to_string(&file).map_err(|e| format!("cannot read {file}: {e}"))?;
        for line in text.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')) {
            let (key, value) = line.split_once('=').ok_or_else(|| format!("{file}: “{line}” is not KEY=value"))?;
            // Set before any thread starts reading the environment.
            unsafe { std::env::set_var(key.trim(), value.trim()) };
        }
    }
    let config = Config::from_env()?;
    let server = Server::connect(&config.database_url).await.map_err(|e| format!("database: {e}"))?;
    let arg = |i: usize, what: &str| args.get(i).cloned().ok_or_else(|| format!("give the {what}"));
    let uuid = |s: String| s.parse::<uuid::Uuid>().map_err(|_| format!("“{s}” is not an id"));
    match args.first().map(String::as_str).unwrap_or("serve") {
        "serve" => clinic_server::serve(&config, server).await,
        "create-organisation" => {
            let id = admin::create_organisation(&server.db, &arg(1, "organisation's name")?).await.map_err(|e| e.to_string())?;
            println!("{id}");
            Ok(())
        }
        "enrolment-code" => {
            let org = uuid(arg(1, "organisation's id")?)?;
            let hours = args.get(2).map(|h| h.parse::<i32>().map_err(|_| "HOURS is a whole number".to_string())).transpose()?.unwrap_or(24);
            println!("{}", admin::create_enrolment_code(&server.db, org, hours).await.map_err(|e| e.message)?);
            // The workstation needs both: it pins the certificate before it sends the code.
            if let Some(tls) = &config.tls {
                println!("certificate SHA-256 fingerprint: {}", tls.ensure()?);
            }
            Ok(())
        }
        "revoke-device" => admin::revoke_device(&server.db, uuid(arg(1, "device's id")?)?).await.map_err(|e| e.message),
        "verify-audit" => {
            let (checked, problems) = clinic_server::audit::verify(&server.db, uuid(arg(1, "organisation's id")?)?).await.map_err(|e| e.to_string())?;
            for (device, seq, problem) in &problems {
                println!("workstation {device}, entry {seq}: {problem}");
            }
            if !problems.is_empty() {
                return Err(format!("the audit trail is not intact: {} problem(s) in {checked} entries", problems.len()));
            }
            println!("the audit trail is intact: {checked} entries");
            Ok(())
        }
        "publish-update" => {
            let publication = publication(&args[1..])?;
            let published = clinic_server::updates::publish::publish(&server.db, config.update_public_key.as_deref(), publication).await
                .map_err(|refused| format!("{refused}. Nothing was published."))?;
            println!("published {} for {} ({} bytes, SHA-256 {})", published.version, published.platform, published.size, published.sha256);
            Ok(())
        }
        other => Err(format!("unknown command “{other}”: serve, create-organisation, enrolment-code, revoke-device, verify-audit or publish-update")),
    }
}

/// `publish-update`'s arguments: the package, then its options in any order.
fn publication(args: &[String]) -> Result<clinic_server::updates::publish::Publication, String> {
    const USAGE: &str = "publish-update PACKAGE --signature PACKAGE.sig --version X.Y.Z (--notes TEXT | --notes-file FILE) [--arch ARCH]";
    let (mut package, mut signature, mut version, mut notes, mut notes_file, mut arch) = (None, None, None, None, None, None);
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        let slot = match arg.as_str() {
            "--signature" => &mut signature,
            "--version" => &mut version,
            "--notes" => &mut notes,
            "--notes-file" => &mut notes_file,
            "--arch" => &mut arch,
            other if other.starts_with("--") => return Err(format!("unknown option “{other}”: {USAGE}")),
            _ if package.is_none() => {
                package = Some(arg.clone());
                continue;
            }
            _ => return Err(format!("give one package, not also “{arg}”: {USAGE}")),
        };
        let value = rest.next().ok_or_else(|| format!("{arg} needs a value: {USAGE}"))?;
        if slot.replace(value.clone()).is_some() {
            return Err(format!("{arg} is given twice: {USAGE}"));
        }
    }
    let notes = match (notes, notes_file) {
        (Some(text), None) => text,
        (None, Some(file)) => std::fs::read_to_string(&file).map_err(|e| format!("cannot read the notes {file}: {e}"))?,
        _ => return Err(format!("give the release notes, either --notes or --notes-file: {USAGE}")),
    };
    let missing = |what: &str| format!("give {what}: {USAGE}");
    Ok(clinic_server::updates::publish::Publication {
        package: package.ok_or_else(|| missing("the package"))?.into(),
        signature: signature.ok_or_else(|| missing("its --signature"))?.into(),
        version: version.ok_or_else(|| missing("its --version"))?,
        notes,
        arch,
    })
}
