use std::time::{Duration, Instant};
use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};
use std::str::FromStr;

fn spin(us: u64) { let t = Instant::now(); while t.elapsed() < Duration::from_micros(us) { std::hint::spin_loop(); } }

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    rt.block_on(async {
        let opts = SqliteConnectOptions::from_str("sqlite:/tmp/rt/x.db").unwrap().create_if_missing(true);
        let pool = SqlitePoolOptions::new().max_connections(1).connect_with(opts).await.unwrap();
        for work in [0u64, 5, 10, 20, 50] {
            let mut v = Vec::new();
            for _ in 0..300 {
                let mut tx = pool.begin().await.unwrap();
                let t = Instant::now();
                for _ in 0..10 {
                    let _: i64 = sqlx::query_scalar("SELECT 1").fetch_one(&mut *tx).await.unwrap();
                    spin(work);
                }
                v.push(t.elapsed() - Duration::from_micros(10 * work));
                tx.rollback().await.unwrap();
            }
            v.sort();
            println!("work {work}µs between: 10 statements cost p50 {:?}", v[150]);
        }
    });
}
