//! Attachments between real workstations: the record syncs like any other, its bytes on their
//! own endpoints; another desk fetches them when it opens the attachment, or ahead of time for
//! the day's patients. A file that has not reached the server does not hold up the records. A
//! picture's thumbnail is made by each desk from the bytes it holds, and never travels.

use chrono::NaiveDate;
use clinic_core::ops::attachments::{add_attachment, attachment_thumbnail, open_attachment, patient_attachments, AttachmentInput};
use clinic_core::ops::calendar::{book_appointment, BookingInput};
use clinic_core::Code;
use uuid::Uuid;

use crate::desks::*;
use crate::server_harness::TestServer;
use crate::stories::{assert_converged, two_desks_and_a_patient};

/// A made-up PDF of about `len` bytes.
fn pdf(len: usize, seed: u8) -> Vec<u8> {
    let mut bytes = b"%PDF-1.7\n".to_vec();
    bytes.extend((0..len).map(|i| (i as u8).wrapping_mul(13).wrapping_add(seed)));
    bytes
}

fn scan(patient_id: Uuid, bytes: Vec<u8>) -> AttachmentInput {
    AttachmentInput { patient_id, encounter_id: None, file_name: "referral letter.pdf".into(), description: Some("From Dr. Lobo".into()), bytes }
}

/// A real PNG photo of `width` × `height`, named `file_name`.
fn photo(patient_id: Uuid, file_name: &str, width: u32, height: u32) -> AttachmentInput {
    let pixels = image::RgbImage::from_fn(width, height, |x, y| image::Rgb([(x % 256) as u8, (y % 256) as u8, 90]));
    let mut bytes = std::io::Cursor::new(Vec::new());
    pixels.write_to(&mut bytes, image::ImageFormat::Png).unwrap();
    AttachmentInput { patient_id, encounter_id: None, file_name: file_name.into(), description: None, bytes: bytes.into_inner() }
}

/// The size of the thumbnail `desk` shows for the attachment `id`; none when it has none.
async fn thumbnail_size(desk: &Desk, session: &clinic_core::auth::Session, id: Uuid) -> Option<(u32, u32)> {
    let thumbnail = attachment_thumbnail(&desk.clinic, session, id).await.unwrap()?;
    let decoded = image::load_from_memory(&thumbnail.bytes).unwrap();
    Some((decoded.width(), decoded.height()))
}

/// The files folder of a desk's store: beside its database, named after it.
fn files_folder(desk: &Desk) -> std::path::PathBuf {
    let mut name = desk.clinic.store().path().file_name().unwrap().to_os_string();
    name.push("-files");
    desk.clinic.store().path().with_file_name(name)
}

/// Every file under `folder`.
fn walk(folder: &std::path::Path) -> Vec<std::path::PathBuf> {
    std::fs::read_dir(folder).into_iter().flatten().flatten().flat_map(|e| match e.path().is_dir() {
        true => walk(&e.path()),
        false => vec![e.path()],
    }).collect()
}

/// The desk's attachment rows, as they sync (every column but the server's version).
async fn attachment_rows(desk: &Desk) -> Vec<(Uuid, String, i64, String, Option<i64>)> {
    sqlx::query_as("SELECT id, file_name, size, sha256, deleted_at FROM attachment ORDER BY id").fetch_all(desk.clinic.store().pool()).await.unwrap()
}

#[tokio::test]
async fn an_attachment_added_offline_is_fetched_by_another_desk_after_both_sync() {
    let server = TestServer::start().await;
    let (a, b, _, _, _, ana) = two_desks_and_a_patient(&server).await;
    let (house_a, house_b) = (a.log_in("house").await, b.log_in("house").await);
    // Desk A, offline meanwhile: the scan is kept there, encrypted.
    let bytes = pdf(9 * 1024 * 1024 + 5, 1);
    let added = add_attachment(&a.clinic, &house_a, scan(ana.id, bytes.clone())).await.unwrap();
    b.sync().await;
    assert!(patient_attachments(&b.clinic, &house_b, ana.id).await.unwrap().is_empty(), "nothing has left A yet");

    // Both sync: the record travels in the push, its bytes after it on their own endpoint.
    let round = a.sync().await;
    assert_eq!(round.files_sent, 1, "{round:?}");
    let (blobs, complete): (i64, bool) = sqlx::query_as("SELECT count(*), bool_and(complete) FROM file_blob").fetch_one(&server.server.db).await.unwrap();
    assert_eq!((blobs, complete), (1, true));
    let pushed: String = sqlx::query_scalar("SELECT data::text FROM record WHERE entity = 'attachment'").fetch_one(&server.server.db).await.unwrap();
    assert!(pushed.len() < 2000, "the record carries the file's name, not its bytes: {} bytes", pushed.len());
    b.sync().await;
    let listed = patient_attachments(&b.clinic, &house_b, ana.id).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!((listed[0].id, listed[0].on_this_workstation), (added.id, false), "fetched when opened, not before");

    // B opens it: fetched from the server, the same bytes, and kept there from now on.
    let opened = open_attachment(&b.clinic, &house_b, added.id).await.unwrap();
    assert!(opened.bytes == bytes, "the same bytes on desk B");
    assert_eq!((opened.file_name.as_str(), opened.media_type.as_str()), ("referral letter.pdf", "application/pdf"));
    assert!(patient_attachments(&b.clinic, &house_b, ana.id).await.unwrap()[0].on_this_workstation);
    // Opened again from B's own copy: it opens (B's first file: the key it was sealed under was kept).
    assert!(open_attachment(&b.clinic, &house_b, added.id).await.unwrap().bytes == bytes);
    let set_aside = walk(&files_folder(&b)).into_iter().filter(|p| p.extension().is_some_and(|e| e == "damaged")).count();
    assert_eq!(set_aside, 0, "B's copy opened as it was kept");
    assert_converged(&[&a, &b]).await;
    assert_eq!(attachment_rows(&a).await, attachment_rows(&b).await);
}

#[tokio::test]
async fn the_day_s_patients_files_arrive_ahead_and_one_not_sent_holds_nothing_up() {
    let server = TestServer::start().await;
    let (a, b, clinic, rita_a, _, ana) = two_desks_and_a_patient(&server).await;
    let rui = register(&a, &rita_a, "Rui").await;
    let (house_a, house_b) = (a.log_in("house").await, b.log_in("house").await);
    // Ana is booked for today at the desks' site; Rui is not.
    let today = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap().and_hms_opt(10, 0, 0).unwrap();
    book_appointment(&a.clinic, &rita_a, BookingInput { patient_id: ana.id, practitioner_id: clinic.practitioner.id, type_id: clinic.visit.id,
        starts: today, notes: None, override_schedule: false }).await.unwrap();
    let hers = add_attachment(&a.clinic, &house_a, scan(ana.id, pdf(300_000, 2))).await.unwrap();
    let his = add_attachment(&a.clinic, &house_a, scan(rui.id, pdf(200_000, 3))).await.unwrap();
    // Rui's file is lost on A before it could be sent: his record still syncs.
    std::fs::remove_file(files_folder(&a).join(&his.sha256[..2]).join(&his.sha256)).unwrap();
    assert_eq!(a.sync().await.files_sent, 1, "Ana's file went; Rui's could not");
    let round = b.sync().await;
    assert_eq!(round.files_fetched, 1, "Ana is booked today: her file came with the round ({round:?})");
    assert!(patient_attachments(&b.clinic, &house_b, ana.id).await.unwrap()[0].on_this_workstation);
    assert_eq!(open_attachment(&b.clinic, &house_b, hers.id).await.unwrap().bytes.len(), hers.size as usize);

    let missing = open_attachment(&b.clinic, &house_b, his.id).await.unwrap_err();
    assert_eq!(missing.code, Code::SyncUnavailable);
    assert!(missing.message.contains("has not reached the sync server yet"), "{}", missing.message);
    assert_converged(&[&a, &b]).await;
    assert_eq!(attachment_rows(&a).await.len(), 2);
    assert_eq!(attachment_rows(&a).await, attachment_rows(&b).await);
}

#[tokio::test]
async fn a_picture_s_thumbnail_is_made_on_each_desk_once_it_holds_the_bytes() {
    let server = TestServer::start().await;
    let (a, b, clinic, rita_a, _, ana) = two_desks_and_a_patient(&server).await;
    let rui = register(&a, &rita_a, "Rui").await;
    let (house_a, house_b) = (a.log_in("house").await, b.log_in("house").await);
    // Ana is booked for today: her picture comes to B ahead, its thumbnail made then. Rui is not.
    let today = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap().and_hms_opt(11, 0, 0).unwrap();
    book_appointment(&a.clinic, &rita_a, BookingInput { patient_id: ana.id, practitioner_id: clinic.practitioner.id, type_id: clinic.visit.id,
        starts: today, notes: None, override_schedule: false }).await.unwrap();
    let hers = add_attachment(&a.clinic, &house_a, photo(ana.id, "wound.png", 1200, 900)).await.unwrap();
    let his = add_attachment(&a.clinic, &house_a, photo(rui.id, "rash.png", 900, 1200)).await.unwrap();
    assert_eq!(thumbnail_size(&a, &house_a, his.id).await, Some((192, 256)));
    assert_eq!(a.sync().await.files_sent, 2);

    let round = b.sync().await;
    assert_eq!(round.files_fetched, 1, "{round:?}");
    let thumbnails = files_folder(&b).join("thumbnails");
    assert!(thumbnails.join(&hers.sha256[..2]).join(&hers.sha256).is_file(), "made ahead, with the day's files");
    assert_eq!(thumbnail_size(&b, &house_b, hers.id).await, Some((256, 192)));
    assert_eq!(thumbnail_size(&b, &house_b, his.id).await, None, "its bytes are not on B yet: a placeholder");
    open_attachment(&b.clinic, &house_b, his.id).await.unwrap();
    assert_eq!(thumbnail_size(&b, &house_b, his.id).await, Some((192, 256)), "fetched when opened: now B makes it too");
    // Thumbnails never travel: the server holds the two pictures and nothing else.
    let blobs: i64 = sqlx::query_scalar("SELECT count(*) FROM file_blob").fetch_one(&server.server.db).await.unwrap();
    assert_eq!(blobs, 2);
    assert_converged(&[&a, &b]).await;
}
