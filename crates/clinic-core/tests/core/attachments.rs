//! Attachments: a scan or photo kept encrypted on the workstation, the same bytes once, read back
//! checked; a file that is empty, too large or not what its name says is refused with nothing
//! changed; only clinicians add, list and open them; opening one is audited. A picture has a
//! thumbnail, kept sealed; a PDF or a picture that does not decode has none.

use std::path::{Path, PathBuf};

use clinic_core::ops::attachments::*;
use clinic_core::Code;
use uuid::Uuid;

use crate::helpers::*;

/// A small, real-looking PNG (its magic, then made-up bytes).
fn png(len: usize, seed: u8) -> Vec<u8> {
    let mut bytes = b"\x89PNG\r\n\x1a\n".to_vec();
    bytes.extend((0..len).map(|i| (i as u8).wrapping_mul(7).wrapping_add(seed)));
    bytes
}

/// A real picture, `width` × `height` of a gradient, encoded as `format`.
fn picture(width: u32, height: u32, format: image::ImageFormat) -> Vec<u8> {
    let pixels = image::RgbImage::from_fn(width, height, |x, y| image::Rgb([(x % 256) as u8, (y % 256) as u8, 128]));
    let mut bytes = std::io::Cursor::new(Vec::new());
    pixels.write_to(&mut bytes, format).unwrap();
    bytes.into_inner()
}

/// The width and height of a thumbnail, and that it is a JPEG.
fn dimensions(thumbnail: &Thumbnail) -> (u32, u32) {
    assert_eq!(thumbnail.media_type, "image/jpeg");
    let decoded = image::load_from_memory_with_format(&thumbnail.bytes, image::ImageFormat::Jpeg).unwrap();
    (decoded.width(), decoded.height())
}

fn input(patient_id: Uuid, file_name: &str, bytes: Vec<u8>) -> AttachmentInput {
    AttachmentInput { patient_id, encounter_id: None, file_name: file_name.into(), description: Some("  Chest X-ray  ".into()), bytes }
}

/// Where the clinic keeps its files: beside its database, named after it.
fn files_folder(t: &TestClinic) -> PathBuf {
    t.path.with_file_name("clinic.db-files")
}

/// Every file under `folder`, with its bytes.
fn files_in(folder: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut all = Vec::new();
    if let Ok(entries) = std::fs::read_dir(folder) {
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                all.extend(files_in(&path));
            } else {
                all.push((path.clone(), std::fs::read(&path).unwrap()));
            }
        }
    }
    all.sort();
    all
}

async fn rows(t: &TestClinic) -> Vec<(String, i64)> {
    let mut counts = t.snapshot().await;
    for table in ["attachment", "file_transfer"] {
        let n: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT count(*) FROM {table}"))).fetch_one(t.clinic.store().pool()).await.unwrap();
        counts.push((table.into(), n));
    }
    counts
}

#[tokio::test]
async fn a_scan_is_kept_encrypted_and_opened_as_it_was() {
    let f = front_desk().await;
    let (c, t) = (&f.t.clinic, &f.t);
    let ana = t.patient(&f.desk, "Ana", "Quaresma", "1980-02-03").await;
    let bytes = png(3 * 1024 * 1024 + 17, 1);
    let added = add_attachment(c, &f.doctor, input(ana.id, "C:\\scans\\x-ray.png", bytes.clone())).await.unwrap();
    assert_eq!((added.file_name.as_str(), added.media_type.as_str(), added.size), ("x-ray.png", "image/png", bytes.len() as i64));
    assert_eq!(added.description.as_deref(), Some("Chest X-ray"));
    assert!(added.on_this_workstation);

    let listed = patient_attachments(c, &f.doctor, ana.id).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!((listed[0].id, listed[0].added_by.as_deref(), listed[0].on_this_workstation), (added.id, Some("House Tester"), true));

    let opened = open_attachment(c, &f.doctor, added.id).await.unwrap();
    assert_eq!((opened.media_type.as_str(), opened.file_name.as_str()), ("image/png", "x-ray.png"));
    assert!(opened.bytes == bytes, "the same bytes back");
    let views: i64 = sqlx::query_scalar("SELECT count(*) FROM audit_event WHERE action = 'view' AND entity = 'attachment'")
        .fetch_one(c.store().pool()).await.unwrap();
    assert_eq!(views, 1, "opening it is audited");

    // At rest: one file, none of whose bytes reads as the plaintext, in the files folder only.
    let stored = files_in(&files_folder(t));
    assert_eq!(stored.len(), 1, "{stored:?}");
    let (path, sealed) = &stored[0];
    assert_eq!(path.file_name().unwrap().to_str().unwrap(), added.sha256);
    assert!(!sealed.windows(64).any(|w| bytes.windows(64).take(1000).any(|p| p == w)), "no run of the plaintext on disk");
    assert!(!sealed.starts_with(b"\x89PNG"), "not even its magic");
    // Its key is inside the encrypted database: no file on disk holds it in the clear.
    let key: Vec<u8> = sqlx::query_scalar("SELECT key FROM file_key").fetch_one(c.store().pool()).await.unwrap();
    c.store().checkpoint().await.unwrap();
    for (path, content) in files_in(t.path.parent().unwrap()) {
        assert!(!content.windows(32).any(|w| w == key), "the key is readable in {}", path.display());
    }
}

#[tokio::test]
async fn a_byte_changed_on_disk_is_found() {
    let f = front_desk().await;
    let (c, t) = (&f.t.clinic, &f.t);
    let ana = t.patient(&f.desk, "Ana", "Quaresma", "1980-02-03").await;
    let added = add_attachment(c, &f.doctor, input(ana.id, "photo.png", png(5000, 2))).await.unwrap();
    let (path, mut sealed) = files_in(&files_folder(t)).remove(0);
    sealed[2000] ^= 0x01;
    std::fs::write(&path, &sealed).unwrap();
    let e = open_attachment(c, &f.doctor, added.id).await.unwrap_err();
    assert!(e.message.contains("damaged"), "{}", e.message);
    // Cut short at the end: found too.
    let again = add_attachment(c, &f.doctor, input(ana.id, "other.png", png(5000, 3))).await.unwrap();
    let file = files_in(&files_folder(t)).into_iter().find(|(p, _)| p.ends_with(&again.sha256)).unwrap();
    std::fs::write(&file.0, &file.1[..file.1.len() - 1]).unwrap();
    assert!(open_attachment(c, &f.doctor, again.id).await.is_err());
}

#[tokio::test]
async fn the_same_bytes_are_kept_once() {
    let f = front_desk().await;
    let (c, t) = (&f.t.clinic, &f.t);
    let ana = t.patient(&f.desk, "Ana", "Quaresma", "1980-02-03").await;
    let rui = t.patient(&f.desk, "Rui", "Vaz", "1975-05-06").await;
    let bytes = png(100_000, 4);
    let first = add_attachment(c, &f.doctor, input(ana.id, "a.png", bytes.clone())).await.unwrap();
    let second = add_attachment(c, &f.doctor, input(rui.id, "b.png", bytes.clone())).await.unwrap();
    assert_eq!(first.sha256, second.sha256);
    assert_ne!(first.id, second.id);
    assert_eq!(files_in(&files_folder(t)).len(), 1, "one file for both records");
    // Removing one record (entered in error) keeps the file the other names.
    remove_attachment(c, &f.doctor, first.id).await.unwrap();
    assert!(patient_attachments(c, &f.doctor, ana.id).await.unwrap().is_empty());
    assert_eq!(open_attachment(c, &f.doctor, second.id).await.unwrap().bytes, bytes);
    assert_eq!(open_attachment(c, &f.doctor, first.id).await.unwrap_err().code, Code::NotFound);
    assert_eq!(remove_attachment(c, &f.doctor, first.id).await.unwrap_err().code, Code::NotFound);
}

#[tokio::test]
async fn a_file_that_is_empty_too_large_or_not_what_its_name_says_changes_nothing() {
    let f = front_desk().await;
    let (c, t) = (&f.t.clinic, &f.t);
    let ana = t.patient(&f.desk, "Ana", "Quaresma", "1980-02-03").await;
    let before = (rows(t).await, files_in(&files_folder(t)));
    let mut too_large = png(50 * 1024 * 1024, 5);
    too_large.truncate(50 * 1024 * 1024 + 1);
    let cases: Vec<(&str, Vec<u8>, &str, &str)> = vec![
        ("empty.png", Vec::new(), "file", "empty"),
        ("huge.png", too_large, "file", "at most 50 MB"),
        ("letter.pdf", png(100, 6), "file", "not a PDF document"),
        ("photo.jpg", b"%PDF-1.7\n".to_vec(), "file", "not a JPEG picture"),
        ("notes.docx", b"PK\x03\x04 word".to_vec(), "file", "only JPEG and PNG pictures and PDF documents"),
        ("  ", png(100, 7), "file_name", "no name"),
    ];
    for (name, bytes, field, says) in cases {
        let e = add_attachment(c, &f.doctor, input(ana.id, name, bytes)).await.unwrap_err();
        assert_eq!((e.code, e.field), (Code::Invalid, Some(field)), "{name}: {}", e.message);
        assert!(e.message.contains(says), "{name}: {}", e.message);
    }
    let long = AttachmentInput { description: Some("x".repeat(501)), ..input(ana.id, "a.png", png(10, 8)) };
    assert_eq!(add_attachment(c, &f.doctor, long).await.unwrap_err().field, Some("description"));
    let nobody = add_attachment(c, &f.doctor, input(Uuid::now_v7(), "a.png", png(10, 9))).await.unwrap_err();
    assert_eq!(nobody.code, Code::NotFound);
    let no_visit = AttachmentInput { encounter_id: Some(Uuid::now_v7()), ..input(ana.id, "a.png", png(10, 9)) };
    assert_eq!(add_attachment(c, &f.doctor, no_visit).await.unwrap_err().code, Code::NotFound);
    assert_eq!((rows(t).await, files_in(&files_folder(t))), before, "no row, no file, no outbox change, no audit entry");
}

#[tokio::test]
async fn only_clinicians_see_attachments_and_the_record_syncs_without_its_bytes() {
    let f = front_desk().await;
    let (c, t) = (&f.t.clinic, &f.t);
    let ana = t.patient(&f.desk, "Ana", "Quaresma", "1980-02-03").await;
    let before = (rows(t).await, files_in(&files_folder(t)));
    for session in [&f.desk, &f.manager, &t.admin] {
        let e = add_attachment(c, session, input(ana.id, "a.png", png(10, 10))).await.unwrap_err();
        assert_eq!(e.code, Code::PermissionDenied);
    }
    assert_eq!((rows(t).await, files_in(&files_folder(t))), before);
    let added = add_attachment(c, &f.doctor, input(ana.id, "a.png", png(10, 10))).await.unwrap();
    for session in [&f.desk, &f.manager, &t.admin] {
        assert_eq!(patient_attachments(c, session, ana.id).await.unwrap_err().code, Code::PermissionDenied);
        assert_eq!(open_attachment(c, session, added.id).await.unwrap_err().code, Code::PermissionDenied);
        assert_eq!(remove_attachment(c, session, added.id).await.unwrap_err().code, Code::PermissionDenied);
    }
    // The outbox carries the record, never its bytes; the audit trail names the fields, not their values.
    let (changes, details): (String, String) = sqlx::query_as(
        "SELECT o.changes, a.details FROM outbox o JOIN audit_event a ON a.entity_id = o.entity_id WHERE o.entity = 'attachment'"
    ).fetch_one(c.store().pool()).await.unwrap();
    assert!(changes.contains(&added.sha256) && changes.len() < 2000, "{changes}");
    assert!(!details.contains("a.png") && !details.contains(&added.sha256), "{details}");
    let waiting: (String, i64) = sqlx::query_as("SELECT direction, size FROM file_transfer WHERE sha256 = ?").bind(&added.sha256)
        .fetch_one(c.store().pool()).await.unwrap();
    assert_eq!(waiting, ("upload".to_string(), added.size), "the bytes wait to be sent on their own");
}

/// The chart lists the attachments (one read with the rest of it), those of a duplicate merged
/// into the patient too; an emergency read lists none.
#[tokio::test]
async fn the_chart_lists_the_attachments_of_the_patient_and_of_merged_duplicates_but_not_in_an_emergency() {
    use clinic_core::ops::clinical::open_chart;
    use clinic_core::ops::patients::merge_patients;
    let f = front_desk().await;
    let (c, t) = (&f.t.clinic, &f.t);
    let ana = t.patient(&f.desk, "Ana", "Quaresma", "1980-02-03").await;
    let twin = t.patient(&f.desk, "Anna", "Quaresma", "1980-02-03").await;
    let first = add_attachment(c, &f.doctor, input(ana.id, "a.png", png(10, 1))).await.unwrap();
    let second = add_attachment(c, &f.doctor, input(twin.id, "b.pdf", b"%PDF-1.4 letter".to_vec())).await.unwrap();
    let listed = |chart: &clinic_core::ops::clinical::Chart| chart.attachments.iter().map(|a| a.id).collect::<Vec<_>>();
    assert_eq!(listed(&open_chart(c, &f.doctor, ana.id, None).await.unwrap()), vec![first.id]);
    merge_patients(c, &f.manager, ana.id, twin.id).await.unwrap();
    let chart = open_chart(c, &f.doctor, ana.id, None).await.unwrap();
    assert_eq!(listed(&chart), vec![second.id, first.id], "newest first, the duplicate's included");
    assert_eq!(chart.attachments[0].patient_id, twin.id, "each says whose record it was added to");
    assert_eq!(patient_attachments(c, &f.doctor, ana.id).await.unwrap().len(), 2);
    let emergency = open_chart(c, &f.desk, ana.id, Some("Collapsed at the desk".into())).await.unwrap();
    assert!(emergency.emergency_read && emergency.attachments.is_empty());
}

#[tokio::test]
async fn a_file_not_on_this_workstation_says_where_it_is() {
    let f = front_desk().await;
    let (c, t) = (&f.t.clinic, &f.t);
    let ana = t.patient(&f.desk, "Ana", "Quaresma", "1980-02-03").await;
    let added = add_attachment(c, &f.doctor, input(ana.id, "a.png", png(10, 11))).await.unwrap();
    std::fs::remove_dir_all(files_folder(t)).unwrap();
    assert!(!patient_attachments(c, &f.doctor, ana.id).await.unwrap()[0].on_this_workstation);
    assert!(attachment_thumbnail(c, &f.doctor, added.id).await.unwrap().is_none(), "no bytes here, no thumbnail: a placeholder");
    let e = open_attachment(c, &f.doctor, added.id).await.unwrap_err();
    assert_eq!(e.code, Code::SyncUnavailable);
    assert!(e.message.contains("not connected to a sync server"), "{}", e.message);
}

#[tokio::test]
async fn every_attachment_change_passes_the_server_s_check() {
    use clinic_sync::validate::check_change;
    let f = front_desk().await;
    let c = &f.t.clinic;
    let ana = f.t.patient(&f.desk, "Ana", "Quaresma", "1980-02-03").await;
    let added = add_attachment(c, &f.doctor, input(ana.id, "letter.pdf", b"%PDF-1.4\n1 0 obj\n".to_vec())).await.unwrap();
    remove_attachment(c, &f.doctor, added.id).await.unwrap();
    let kind = clinic_sync::entity("attachment").unwrap();
    let sent: Vec<(String, String)> = sqlx::query_as("SELECT op, changes FROM outbox WHERE entity = 'attachment' ORDER BY device_seq")
        .fetch_all(c.store().pool()).await.unwrap();
    assert_eq!(sent.iter().map(|(op, _)| op.as_str()).collect::<Vec<_>>(), ["insert", "update"]);
    for (op, changes) in sent {
        let op = if op == "insert" { clinic_sync::Op::Insert } else { clinic_sync::Op::Update };
        let changes = serde_json::from_str(&changes).unwrap();
        if let Err(refused) = check_change(kind, op, &changes) {
            panic!("the server would refuse this attachment change: {}", refused.reason);
        }
    }
}

#[tokio::test]
async fn a_picture_has_a_thumbnail_kept_sealed_and_a_document_or_a_broken_picture_none() {
    let f = front_desk().await;
    let (c, t) = (&f.t.clinic, &f.t);
    let ana = t.patient(&f.desk, "Ana", "Quaresma", "1980-02-03").await;
    let thumbnails = files_folder(t).join("thumbnails");
    for (name, format) in [("x-ray.png", image::ImageFormat::Png), ("wound.jpg", image::ImageFormat::Jpeg)] {
        let added = add_attachment(c, &f.doctor, input(ana.id, name, picture(2000, 1000, format))).await.unwrap();
        let thumbnail = attachment_thumbnail(c, &f.doctor, added.id).await.unwrap().expect(name);
        assert_eq!(dimensions(&thumbnail), (256, 128), "{name}: at most 256 px, the picture's aspect");
        // Kept, sealed: no picture's magic on disk, and found again without the picture.
        let sealed = std::fs::read(thumbnail_path(&thumbnails, &added.sha256)).unwrap();
        let magic = [&b"\x89PNG\r\n\x1a\n"[..], b"\xFF\xD8\xFF\xE0\x00\x10JFIF"];
        assert!(!sealed.starts_with(b"\xFF\xD8\xFF") && !magic.iter().any(|m| sealed.windows(m.len()).any(|w| w == *m)), "{name}: sealed");
        assert!(!sealed.windows(32).any(|w| thumbnail.bytes.windows(32).take(500).any(|p| p == w)), "{name}: no run of the thumbnail on disk");
        std::fs::remove_file(files_folder(t).join(&added.sha256[..2]).join(&added.sha256)).unwrap();
        assert_eq!(attachment_thumbnail(c, &f.doctor, added.id).await.unwrap().unwrap().bytes, thumbnail.bytes, "{name}: the one kept");
    }
    let small = add_attachment(c, &f.doctor, input(ana.id, "tiny.png", picture(60, 90, image::ImageFormat::Png))).await.unwrap();
    assert_eq!(dimensions(&attachment_thumbnail(c, &f.doctor, small.id).await.unwrap().unwrap()), (60, 90), "never enlarged");

    let letter = add_attachment(c, &f.doctor, input(ana.id, "letter.pdf", b"%PDF-1.7\n1 0 obj\n".to_vec())).await.unwrap();
    assert!(attachment_thumbnail(c, &f.doctor, letter.id).await.unwrap().is_none(), "a PDF shows a document's icon");
    // Says PNG, does not decode: none, and the list is as it was.
    let broken = add_attachment(c, &f.doctor, input(ana.id, "broken.png", png(5000, 12))).await.unwrap();
    assert!(attachment_thumbnail(c, &f.doctor, broken.id).await.unwrap().is_none());
    assert_eq!(patient_attachments(c, &f.doctor, ana.id).await.unwrap().len(), 5);
    for made in [&letter, &broken] {
        assert!(!thumbnail_path(&thumbnails, &made.sha256).exists());
    }
    assert_eq!(attachment_thumbnail(c, &f.doctor, Uuid::now_v7()).await.unwrap_err().code, Code::NotFound);
}

#[tokio::test]
async fn only_clinicians_see_thumbnails_and_looking_at_one_is_not_a_read_of_its_own() {
    let f = front_desk().await;
    let (c, t) = (&f.t.clinic, &f.t);
    let ana = t.patient(&f.desk, "Ana", "Quaresma", "1980-02-03").await;
    let added = add_attachment(c, &f.doctor, input(ana.id, "x-ray.png", picture(400, 300, image::ImageFormat::Png))).await.unwrap();
    let before = rows(t).await;
    for session in [&f.desk, &f.manager, &t.admin] {
        assert_eq!(attachment_thumbnail(c, session, added.id).await.unwrap_err().code, Code::PermissionDenied);
    }
    assert!(attachment_thumbnail(c, &f.doctor, added.id).await.unwrap().is_some());
    // The chart's opening is the audited read; the thumbnails shown in it add no entry (nor does the list).
    assert_eq!(rows(t).await, before, "nothing audited, nothing written");
}

/// Where the thumbnail of the picture named `sha256` is kept.
fn thumbnail_path(thumbnails: &Path, sha256: &str) -> PathBuf {
    thumbnails.join(&sha256[..2]).join(sha256)
}
