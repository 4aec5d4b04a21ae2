//! Backups in the real window: the admin of the demo clinic chooses a backup folder, makes the
//! recovery code (shown once), backs up now and sees the backup listed; a typo in the code is
//! refused at its box. Then the workstation is lost: on a new computer (an empty data folder, the
//! same keychain service but no key for it), "Restore from a backup" with the backup file and
//! the code brings the clinic back, and the admin logs in to it.

use std::time::Duration;

use clinic_desk_e2e::{required, App};

const SHORT: Duration = Duration::from_secs(10);
const MORNING: &str = "2026-11-23T09:40:00Z";

#[test]
fn a_backup_is_made_and_restored_on_a_new_computer() {
    if !required() {
        eprintln!("not run: set CLINIC_E2E with tauri-driver (scripts/test does)");
        return;
    }
    let root = std::env::temp_dir().join(format!("clinic-desk-backups-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    let (old, new, usb) = (root.join("old-computer"), root.join("new-computer"), root.join("usb"));
    std::fs::create_dir_all(&usb).unwrap();

    let (backup, code) = {
        let app = App::start_with("backups", &["--data-dir", old.to_str().unwrap(), "--clock", MORNING]);
        app.open_demo_clinic();
        app.log_in("admin", "demo-clinic");
        app.click_button("Settings");
        app.click_button("Backups");
        app.wait_for_text("There is no recovery code yet", SHORT);
        app.set_value("input[name=folder]", usb.to_str().unwrap());
        app.click_button("Use this folder");
        app.wait_for_text(&format!("Backups go to {}.", usb.display()), SHORT);
        app.click_button("Make the recovery code");
        app.wait_for_text("Your recovery code", SHORT);
        let code = app.text("[data-recovery-code]");
        assert_eq!(code.len(), 29, "six groups of four: {code}");
        app.shot("01-recovery-code");
        app.assert_accessible("the recovery code");
        app.click("label.check input");
        app.click_button("Done");
        app.wait_for_text("Backups made now open with recovery sheet", SHORT);
        app.click_button("Back up now");
        app.wait_for_text("Backed up and checked:", Duration::from_secs(60));
        app.wait_for_text("Backups kept", SHORT);
        app.shot("02-backed-up");
        app.assert_accessible("the backups page");
        let backup = std::fs::read_dir(usb.join("clinic-desk-backups")).unwrap().flatten()
            .flat_map(|d| std::fs::read_dir(d.path()).unwrap().flatten())
            .map(|f| f.path()).find(|p| p.extension().is_some_and(|e| e == "cdbackup")).expect("a backup file");

        // A typo in the code is caught at its box before anything is tried.
        app.click_button("Restore…");
        app.wait_for_text("Restore from a backup", SHORT);
        let mut typo = code.clone().into_bytes();
        typo[0] = if typo[0] == b'A' { b'B' } else { b'A' };
        app.set_value("input[name=code]", std::str::from_utf8(&typo).unwrap());
        app.click_button("Check the backup");
        app.wait_for_text("This recovery code has a typo", SHORT);
        app.show("input[name=code]");
        app.shot("03-typo-refused");
        (backup, code)
    };

    // The workstation is lost. A new computer, with the USB disk and the recovery sheet.
    let app = App::start_with("backups-new-computer", &["--data-dir", new.to_str().unwrap(), "--clock", MORNING]);
    app.wait_for_text("Welcome to Clinic Desk", Duration::from_secs(20));
    app.click_button("Restore from a backup…");
    app.set_value("input[name=backup]", backup.to_str().unwrap());
    app.set_value("input[name=code]", &code.to_lowercase().replace('-', " "));
    app.click_button("Check the backup");
    app.wait_for_text("A backup of", SHORT);
    app.shot("04-backup-checked");
    app.assert_accessible("the restore form");
    app.click_button("Restore this backup");
    app.wait_for_text("Restored the backup made", Duration::from_secs(60));
    assert!(!app.text("body").contains("What it replaced"), "a new computer's empty store is not kept as if it were a clinic");
    app.log_in("admin", "demo-clinic");
    app.click_button("Settings");
    app.click_button("Backups");
    app.wait_for_text("Backups kept", SHORT);
    assert_eq!(app.value("input[name=folder]"), usb.to_str().unwrap(), "it carries on backing up to the same folder");
    app.shot("05-restored");
    let _ = std::fs::remove_dir_all(&root);
}
