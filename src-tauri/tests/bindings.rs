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
