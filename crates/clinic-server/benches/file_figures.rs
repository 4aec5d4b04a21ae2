//! The attachments' figures, printed (not asserted): run with
//! `cargo bench -p clinic-server --bench file_figures`, against CLINIC_TEST_DATABASE_URL (default:
//! the local PostgreSQL), on a fresh database. Real encrypted workstations and a real server.
//!
//! 1. Storing a 10 MB attachment on a workstation (checked, hashed, sealed, made durable, its
//!    record written): the time of `add_attachment`.
//! 2. Moving attachments between workstations through the server: desk A sends 5 × 10 MB in its
//!    round, desk B opens each (fetched, sealed at rest, checked): MB/s each way and end to end.
//! 3. The server alone: the same files sent in 8 MiB requests and fetched back over plain HTTP,
//!    one at a time, with no workstation's work around them.
//! 4. A photo's thumbnail: 12-megapixel JPEGs of ~10 MB (a phone's) stored on desk A (the write
//!    path, which leaves the thumbnail to a background task), fetched by desk B, whose first
//!    `attachment_thumbnail` makes it (read, opened, checked, decoded, shrunk, sealed, kept).

#[path = "../tests/api/harness.rs"]
#[allow(dead_code)]
mod harness;
#[path = "../tests/convergence/desks.rs"]
#[allow(dead_code)]
mod desks;

use std::time::{Duration, Instant};

use clinic_core::ops::attachments::{add_attachment, attachment_thumbnail, open_attachment, AttachmentInput};
use harness::TestServer;

const MB: usize = 1_000_000;

#[tokio::main]
async fn main() {
    let files = std::env::var("FILE_BENCH_FILES").ok().and_then(|s| s.parse().ok()).unwrap_or(5);
    let server = TestServer::start().await;
    let org = server.organisation("Harbour Health").await;
    let (a, _) = desks::enrolled_clinic(&server.url, &server.code(org).await).await;
    let b = desks::Desk::empty().await;
    b.enrol(&server.url, &server.code(org).await, None).await.unwrap();
    let receptionist = a.log_in("rita").await;
    let patient = desks::register(&a, &receptionist, "Ana").await;
    let (doctor_a, doctor_b) = (a.log_in("house").await, b.log_in("house").await);

    // 1. Each 10 MB file its own bytes (the same bytes would be kept once, and cost nothing).
    let mut stored = Vec::new();
    let mut times = Vec::new();
    for seed in 0..files {
        let input = scan(patient.id, 10 * MB, seed as u8);
        let started = Instant::now();
        stored.push(add_attachment(&a.clinic, &doctor_a, input).await.unwrap());
        times.push(started.elapsed());
    }
    times.sort();
    println!("store a 10 MB attachment: p50 {:.0} ms, slowest {:.0} ms over {files} (budget 300 ms)",
        ms(times[times.len() / 2]), ms(*times.last().unwrap()));

    // 2. A sends them in its round (the records first, then the bytes); B opens each one.
    let total = stored.iter().map(|s| s.size as f64).sum::<f64>() / MB as f64;
    let started = Instant::now();
    let round = a.sync().await;
    let up = started.elapsed();
    assert_eq!(round.files_sent, files, "{round:?}");
    b.sync().await;
    let started = Instant::now();
    for attachment in &stored {
        let opened = open_attachment(&b.clinic, &doctor_b, attachment.id).await.unwrap();
        assert_eq!(opened.bytes.len() as i64, attachment.size);
    }
    let down = started.elapsed();
    println!("transfer {files} × 10 MB between workstations through the server: A → server {:.0} MB/s, server → B {:.0} MB/s, \
        end to end {:.0} MB/s ({total:.0} MB in {:.2} s; budget 50 MB/s)",
        total / up.as_secs_f64(), total / down.as_secs_f64(), total / (up + down).as_secs_f64(), (up + down).as_secs_f64());

    // 3. What of that is the server's (and PostgreSQL's) own.
    server_alone(&server, files).await;

    // 4. Photos: stored on A, fetched and opened on B, whose first look at each makes its thumbnail.
    let (mut stored_in, mut made_in, mut read_in) = (Vec::new(), Vec::new(), Vec::new());
    let photos: Vec<AttachmentInput> = (0..3).map(|seed| photo(patient.id, seed)).collect();
    let size = photos.iter().map(|p| p.bytes.len()).sum::<usize>() as f64 / photos.len() as f64 / MB as f64;
    for input in photos {
        let started = Instant::now();
        let added = add_attachment(&a.clinic, &doctor_a, input).await.unwrap();
        stored_in.push(started.elapsed());
        // A's thumbnail is being made in the background meanwhile; let it finish before the next.
        attachment_thumbnail(&a.clinic, &doctor_a, added.id).await.unwrap().unwrap();
        a.sync().await;
        b.sync().await;
        open_attachment(&b.clinic, &doctor_b, added.id).await.unwrap();
        let started = Instant::now();
        let thumbnail = attachment_thumbnail(&b.clinic, &doctor_b, added.id).await.unwrap().unwrap();
        made_in.push(started.elapsed());
        let started = Instant::now();
        attachment_thumbnail(&b.clinic, &doctor_b, added.id).await.unwrap().unwrap();
        read_in.push(started.elapsed());
        assert!(thumbnail.bytes.len() < 100_000);
    }
    println!("a 4000 × 3000 photo ({size:.1} MB JPEG): stored in {} ms; its thumbnail made in {} ms, then read back in {} ms",
        each(&stored_in), each(&made_in), each(&read_in));
}

/// Every time, in ms.
fn each(times: &[Duration]) -> String {
    times.iter().map(|t| format!("{:.1}", ms(*t))).collect::<Vec<_>>().join(", ")
}

/// A 12-megapixel JPEG of about 10 MB, as a phone takes: a smooth picture with a camera's noise
/// (made-up noise, so each seed is its own photo).
fn photo(patient_id: uuid::Uuid, seed: u8) -> AttachmentInput {
    let mut noise = noise(seed);
    let pixels = image::RgbImage::from_fn(4000, 3000, |x, y| {
        let grain = (noise() % 56) as u32;
        image::Rgb([((x / 16 + grain) % 256) as u8, ((y / 12 + grain / 2) % 256) as u8, ((x + y) / 28 % 256) as u8])
    });
    let mut bytes = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut bytes, 90).encode_image(&pixels).unwrap();
    AttachmentInput { patient_id, encounter_id: None, file_name: format!("photo {seed}.jpg"), description: None, bytes }
}

/// The server alone: an enrolled workstation's token sending `files` × 10 MB straight over HTTP,
/// one at a time, and fetching them back.
async fn server_alone(server: &TestServer, files: usize) {
    use sha2::Digest;
    let org = server.organisation("Bare").await;
    let desk = harness::Desk::first(server, org).await;
    let bodies: Vec<Vec<u8>> = (0..files).map(|seed| scan(uuid::Uuid::nil(), 10 * MB, 100 + seed as u8).bytes).collect();
    let started = Instant::now();
    for body in &bodies {
        let name = hex::encode(sha2::Sha256::digest(body));
        for (i, piece) in body.chunks(8 * 1024 * 1024).enumerate() {
            let response = server.http.put(format!("{}/v1/files/{name}/chunks?offset={}&size={}", server.url, i * 8 * 1024 * 1024, body.len()))
                .bearer_auth(&desk.token).header("content-type", "application/octet-stream").body(piece.to_vec()).send().await.unwrap();
            assert_eq!(response.status(), 200);
        }
    }
    let up = started.elapsed();
    let started = Instant::now();
    for body in &bodies {
        let name = hex::encode(sha2::Sha256::digest(body));
        let got = server.http.get(format!("{}/v1/files/{name}/content", server.url)).bearer_auth(&desk.token).send().await.unwrap().bytes().await.unwrap();
        assert_eq!(got.len(), body.len());
    }
    let down = started.elapsed();
    let total = (files * 10) as f64;
    println!("the server alone: {files} × 10 MB in {:.0} MB/s, out {:.0} MB/s", total / up.as_secs_f64(), total / down.as_secs_f64());
}

/// A made-up PDF of `len` bytes, different for each seed.
fn scan(patient_id: uuid::Uuid, len: usize, seed: u8) -> AttachmentInput {
    let mut bytes = b"%PDF-1.7\n".to_vec();
    let mut noise = noise(seed);
    bytes.extend((0..len - bytes.len()).map(|_| noise() as u8));
    AttachmentInput { patient_id, encounter_id: None, file_name: format!("scan {seed}.pdf"), description: None, bytes }
}

/// Made-up bytes that do not compress (xorshift), different for each seed.
fn noise(seed: u8) -> impl FnMut() -> u64 {
    let mut state = 0x9E37_79B9_7F4A_7C15u64 ^ seed as u64;
    move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
