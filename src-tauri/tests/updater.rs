//! The app's updater (tauri-plugin-updater, set up by `updates::updater`) against a real sync
//! server over pinned HTTPS (docs/updates.md): the manifest, the download and its signature check
//! against the key the app trusts; a bad signature, a package signed as another version, an older
//! version and another certificate refused, with nothing installed. The server is in this process
//! on a fresh PostgreSQL database (CLINIC_TEST_DATABASE_URL, as the server's own tests).

mod support;

use support::{another_key, package, signed_with, world};

#[tokio::test]
async fn the_workstation_finds_a_signed_release_downloads_it_and_checks_its_signature() {
    let w = world().await;
    let (updater, _) = w.updater().await;
    assert!(updater.check().await.unwrap().is_none(), "nothing published: nothing to update to");

    let bytes = package(300_000, 1);
    w.publish(&bytes, "0.2.0", "0.2.0").await.unwrap();
    let update = updater.check().await.unwrap().expect("0.2.0 is newer than the 0.1.0 running");
    assert_eq!((update.current_version.as_str(), update.version.as_str()), ("0.1.0", "0.2.0"));
    assert_eq!(update.body.as_deref(), Some("Version 0.2.0: the week view prints."));
    assert!(update.download_url.as_str().starts_with(&format!("{}/v1/updates/{}/0.2.0/package", w.url, support::PLATFORM)), "{}", update.download_url);
    let downloaded = update.download(|_, _| {}, || {}).await.expect("downloaded and its signature checked");
    assert_eq!(downloaded, bytes);
    update.verify(&downloaded).unwrap();

    // An app installed from an rpm, or not from a package at all, is offered nothing.
    let source = w.source().await;
    for platform in ["linux-x86_64-rpm", "linux-x86_64-unknown"] {
        let other = clinic_desk_lib::updates::updater(w.app.handle(), &source, platform, Default::default()).unwrap();
        assert!(other.check().await.unwrap().is_none(), "{platform}");
    }
}

#[tokio::test]
async fn a_package_with_a_bad_signature_is_refused_and_nothing_is_installed() {
    let w = world().await;
    let bytes = package(100_000, 2);
    w.publish(&bytes, "0.2.0", "0.2.0").await.unwrap();
    // The server's database changed behind its back (the server refuses such a release itself):
    // the workstation checks every package against the key built into the app, whoever serves it.
    let forged = signed_with(&another_key(), &bytes, "0.2.0");
    sqlx::query("UPDATE app_release SET signature = $1").bind(&forged).execute(&w.server.db).await.unwrap();
    let (updater, _) = w.updater().await;
    let update = updater.check().await.unwrap().expect("offered");
    let refused = update.download(|_, _| {}, || {}).await.unwrap_err();
    assert!(matches!(refused, tauri_plugin_updater::Error::Minisign(_)), "{refused:?}");
    let said = clinic_desk_lib::updates::refusal("installing the update", refused);
    assert!(said.message.contains("signature is not the clinic software's") && said.message.contains("nothing was installed"), "{}", said.message);
    // Installing checks first: the bytes never reach the package manager.
    assert!(matches!(update.install(&bytes), Err(tauri_plugin_updater::Error::Minisign(_))));
}

#[tokio::test]
async fn a_package_announced_as_another_version_than_it_was_signed_as_is_refused() {
    let w = world().await;
    let bytes = package(100_000, 3);
    w.publish(&bytes, "0.2.0", "0.2.0").await.unwrap();
    // A manifest claiming 0.3.0 for the package signed as 0.2.0 (an old, genuine release passed off as new).
    sqlx::query("UPDATE app_release SET minor = 3").execute(&w.server.db).await.unwrap();
    let (updater, _) = w.updater().await;
    let update = updater.check().await.unwrap().expect("offered as 0.3.0");
    let refused = update.download(|_, _| {}, || {}).await.unwrap_err();
    assert!(matches!(&refused, tauri_plugin_updater::Error::SignedVersionMismatch { signed, announced } if signed == "0.2.0" && announced == "0.3.0"), "{refused:?}");
    let said = clinic_desk_lib::updates::refusal("installing the update", refused);
    assert!(said.message.contains("signed as 0.2.0"), "{}", said.message);
}

#[tokio::test]
async fn an_older_version_offered_is_no_update_and_is_said_so() {
    let w = world().await;
    let (updater, older) = w.updater().await;
    // The server never offers one (it answers 204), so the manifest is given as a server that did would.
    let offered = serde_json::json!({"version": "0.0.9", "notes": "old", "url": format!("{}/v1/updates/{}/0.0.9/package", w.url, support::PLATFORM),
        "signature": support::sign(b"old", "0.0.9")});
    assert!(updater.restore_update(offered).unwrap().is_none());
    let said = older.lock().unwrap().clone().expect("said so");
    assert!(said.contains("offers version 0.0.9, older than the 0.1.0 running here: it was not installed"), "{said}");
    // The same version is no update either, and nothing to say.
    *older.lock().unwrap() = None;
    let same = serde_json::json!({"version": "0.1.0", "url": format!("{}/x", w.url), "signature": "x"});
    assert!(updater.restore_update(same).unwrap().is_none());
    assert!(older.lock().unwrap().is_none());
}

#[tokio::test]
async fn another_certificate_than_the_pinned_one_is_refused_before_anything_is_asked() {
    let w = world().await;
    w.publish(&package(1_000, 4), "0.2.0", "0.2.0").await.unwrap();
    sqlx::query("UPDATE sync_state SET server_fingerprint = ?").bind(["00"; 32].join(":")).execute(w.clinic.store().pool()).await.unwrap();
    let (updater, _) = w.updater().await;
    let refused = updater.check().await.err().expect("refused");
    assert!(matches!(refused, tauri_plugin_updater::Error::Reqwest(_)), "{refused:?}");
}

#[tokio::test]
async fn the_app_trusts_the_key_in_its_configuration() {
    // tauri.conf.json carries the TEST-ONLY key's public half until the release key is made; a
    // release build that still does refuses to update (updates.rs), which this keeps honest.
    let config: serde_json::Value = serde_json::from_str(include_str!("../tauri.conf.json")).unwrap();
    let updater = &config["plugins"]["updater"];
    assert_eq!(updater["requireSignedVersion"], true, "the signed version must be checked");
    assert!(updater["pubkey"].as_str().is_some_and(|k| !k.is_empty()));
}
