//! ICD-10 search as you type: replays a doctor typing ~20 queries a key at a time over the whole
//! code set and prints the time per keystroke. The budget: p99 ≤ 5 ms. Asserts nothing.
//!
//!   cargo bench -p clinic-core --bench icd10

use std::time::{Duration, Instant};

use clinic_core::clinical::icd10;

/// What doctors type: codes with and without the dot, words and fragments of words.
const QUERIES: &[&str] = &[
    "e11", "E11.9", "i10", "J45.9", "z00.00", "s72.001a", "hypert", "hypertension", "diabetes mel", "diab type 2",
    "asthma", "low back pa", "otitis", "otitis media", "urinary tract inf", "pneumonia", "covid", "depress",
    "anxiety dis", "migraine", "fracture of femur", "acute bronchitis", "gastroenteritis", "conjunctivitis",
];
/// Rows in the drop-down.
const LIMIT: usize = 20;
const ROUNDS: usize = 50;

fn ms(d: Duration) -> String {
    format!("{:.3} ms", d.as_secs_f64() * 1000.0)
}

fn main() {
    // The first use decodes the embedded table and builds the index.
    let started = Instant::now();
    let known = icd10::lookup("E11.9").is_some();
    let build = started.elapsed();
    assert!(known);

    let mut samples = Vec::new();
    for _ in 0..ROUNDS {
        for query in QUERIES {
            for end in (1..=query.len()).filter(|&end| query.is_char_boundary(end)) {
                let started = Instant::now();
                let found = icd10::search(&query[..end], LIMIT);
                samples.push(started.elapsed());
                std::hint::black_box(found);
            }
        }
    }
    samples.sort();
    let at = |p: f64| samples[((samples.len() - 1) as f64 * p).round() as usize];
    println!("icd10 index built once in {}", ms(build));
    println!(
        "icd10 search as you type: p50 {}, p99 {}, max {} \
         ({} queries: {} typed a key at a time, {ROUNDS} times, at most {LIMIT} results)",
        ms(at(0.5)),
        ms(at(0.99)),
        ms(*samples.last().unwrap()),
        samples.len(),
        QUERIES.len(),
    );
    for query in QUERIES {
        let first: Vec<String> =
            icd10::search(query, 3).iter().map(|c| format!("{} {}", c.code, c.description)).collect();
        println!("  {query:>18} → {}", first.join(" · "));
    }
}
