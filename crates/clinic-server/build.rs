// Migrations are embedded with `sqlx::migrate!`; rebuild when one is added, so none fails to ship.
fn main() {
    println!("cargo:rerun-if-changed=../../migrations/server");
}
