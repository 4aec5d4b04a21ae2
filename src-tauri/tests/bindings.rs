//! The window's TypeScript bindings are generated from the Rust commands and committed; this fails
//! when they are stale. `scripts/bindings` rewrites them.

use std::path::Path;

#[test]
fn typescript_bindings_are_current() {
    let committed = Path::new(env!("CARGO_MANIFEST_DIR")).join("../ui/src/lib/bindings.ts");
    if std::env::var_os("UPDATE_BINDINGS").is_some() {
        clinic_desk_lib::export_bindings(&committed).unwrap();
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let fresh = dir.path().join("bindings.ts");
    clinic_desk_lib::export_bindings(&fresh).unwrap();
    let fresh = std::fs::read_to_string(&fresh).unwrap();
    let committed = std::fs::read_to_string(&committed).unwrap_or_default();
    assert!(fresh == committed, "ui/src/lib/bindings.ts is stale: run scripts/bindings and commit the result");
}

/// Every command the window can call is granted to it, and nothing else is (build.rs derives the
/// capability from the same list the bindings come from: this checks the derivation).
#[test]
fn the_main_window_is_granted_exactly_the_app_commands() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bindings.ts");
    clinic_desk_lib::export_bindings(&path).unwrap();
    let bindings = std::fs::read_to_string(&path).unwrap();
    let mut commands: Vec<String> = bindings.split("__TAURI_INVOKE(\"").skip(1)
        .map(|rest| format!("allow-{}", rest.split('"').next().unwrap().replace('_', "-")))
        .collect();
    let capability: serde_json::Value =
        serde_json::from_str(include_str!(concat!(env!("OUT_DIR"), "/capabilities/main.json"))).unwrap();
    let mut granted: Vec<String> = capability["permissions"].as_array().unwrap().iter()
        .map(|p| p.as_str().unwrap().to_string())
        .collect();
    commands.sort();
    granted.sort();
    assert_eq!(granted, commands);
}
