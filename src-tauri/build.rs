//! The app's commands are declared once: the `collect_commands!` list in src/lib.rs (which also
//! gives the window its TypeScript bindings and the invoke handler). From that list this derives
//! what Tauri's access control needs: an `allow-…` permission for each command, and the main
//! window's capability granting exactly those, written into OUT_DIR. The window is granted no
//! other command (no file system, no shell, no SQL): the app's plugins grant it nothing either.

use std::path::PathBuf;

fn main() {
    println!("cargo:rerun-if-changed=src/lib.rs");
    let lib = std::fs::read_to_string("src/lib.rs").expect("src/lib.rs");
    let names = command_names(&lib);
    assert!(names.len() > 10, "no collect_commands! list found in src/lib.rs");

    // Command names are Rust identifiers: nothing in them needs escaping in JSON.
    let permissions: Vec<String> = names.iter().map(|n| format!("\"allow-{}\"", n.replace('_', "-"))).collect();
    let capability = format!(
        "{{\"identifier\": \"main\", \"description\": \"The main window: the app's own commands and nothing else.\", \
         \"windows\": [\"main\"], \"permissions\": [{}]}}\n",
        permissions.join(", "));
    let dir = PathBuf::from(std::env::var("OUT_DIR").expect("OUT_DIR")).join("capabilities");
    std::fs::create_dir_all(&dir).expect("OUT_DIR/capabilities");
    std::fs::write(dir.join("main.json"), capability).expect("the capability");

    // tauri-build keeps both for the whole build.
    let pattern: &'static str = Box::leak(format!("{}/*.json", dir.display()).into_boxed_str());
    let commands: &'static [&'static str] = Box::leak(names.into_iter().map(|n| &*Box::leak(n.into_boxed_str())).collect());
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .capabilities_path_pattern(pattern)
            .app_manifest(tauri_build::AppManifest::new().commands(commands)),
    )
    .expect("tauri build");
}

/// The commands' names in `collect_commands![ commands::…::name, … ]`, in order.
fn command_names(lib: &str) -> Vec<String> {
    let Some((_, list)) = lib.split_once("collect_commands![") else { return Vec::new() };
    let list = list.split_once(']').map_or("", |(list, _)| list);
    list.lines()
        .map(|line| line.split_once("//").map_or(line, |(code, _)| code))
        .flat_map(|code| code.split(','))
        .map(str::trim)
        .filter(|path| !path.is_empty())
        .map(|path| path.rsplit("::").next().unwrap().to_string())
        .collect()
}
