//! The doctor's desk across workstations: a note drafted on one desk and signed on another, an
//! edit to a note another desk signed meanwhile (refused by the server, undone where it was made,
//! kept for a person), and an allergy's severity changed on two desks apart (a conflict for a
//! person, never a silent choice).

use clinic_core::auth::Session;
use clinic_core::ops::clinical::*;
use clinic_core::ops::queue::{add_walk_in, Priority, WalkInInput, WalkInPatient};
use clinic_core::sync::needs_attention;

use crate::desks::*;
use crate::server_harness::TestServer;
use crate::stories::{assert_converged, two_desks_and_a_patient};

async fn consultation(desk: &Desk, rita: &Session, doctor: &Session, patient: uuid::Uuid) -> Consultation {
    let entry = add_walk_in(&desk.clinic, rita, WalkInInput { patient: WalkInPatient::Existing(patient), reason: "Cough".into(), priority: Priority::Normal, practitioner_id: None })
        .await.unwrap();
    open_consultation(&desk.clinic, doctor, VisitRef::QueueEntry(entry.id)).await.unwrap()
}

fn text(plan: &str) -> NoteText {
    NoteText { subjective: Some("Cough for a week".into()), plan: Some(plan.into()), ..Default::default() }
}

#[tokio::test]
async fn a_note_drafted_on_one_desk_is_signed_on_another_and_verifies_everywhere() {
    let server = TestServer::start().await;
    let (a, b, _, rita_a, _, ana) = two_desks_and_a_patient(&server).await;
    let (house_a, house_b) = (a.log_in("house").await, b.log_in("house").await);
    let c = consultation(&a, &rita_a, &house_a, ana.id).await;
    save_note(&a.clinic, &house_a, c.note_id, text("Rest")).await.unwrap();
    assert_converged(&[&a, &b]).await;
    // At the other desk the doctor finishes the note and signs it.
    save_note(&b.clinic, &house_b, c.note_id, text("Rest, fluids, review in a week")).await.unwrap();
    sign_note(&b.clinic, &house_b, c.note_id).await.unwrap();
    assert_converged(&[&a, &b]).await;
    for (desk, doctor) in [(&a, &house_a), (&b, &house_b)] {
        let chart = open_chart(&desk.clinic, doctor, ana.id, None).await.unwrap();
        let note = chart.encounters.items[0].note.clone().unwrap();
        assert_eq!(note.text.plan.as_deref(), Some("Rest, fluids, review in a week"));
        assert_eq!(note.signature_holds, Some(true), "the signature verifies on every desk");
        assert!(unsigned_notes(&desk.clinic, doctor).await.unwrap().is_empty());
    }
}

#[tokio::test]
async fn an_edit_to_a_note_signed_on_another_desk_meanwhile_is_refused_undone_and_kept_for_a_person() {
    let server = TestServer::start().await;
    let (a, b, _, rita_a, _, ana) = two_desks_and_a_patient(&server).await;
    let (house_a, house_b) = (a.log_in("house").await, b.log_in("house").await);
    let c = consultation(&a, &rita_a, &house_a, ana.id).await;
    save_note(&a.clinic, &house_a, c.note_id, text("Rest")).await.unwrap();
    assert_converged(&[&a, &b]).await;
    sign_note(&a.clinic, &house_a, c.note_id).await.unwrap();
    a.sync().await;
    // Desk B has not heard of the signing yet: its edit is taken locally, then refused.
    save_note(&b.clinic, &house_b, c.note_id, text("Rest and antibiotics")).await.unwrap();
    b.sync().await;
    let attention = needs_attention(&b.clinic, &house_b).await.unwrap();
    assert_eq!(attention.refused.len(), 1, "{attention:?}");
    assert_converged(&[&a, &b]).await;
    let chart = open_chart(&b.clinic, &house_b, ana.id, None).await.unwrap();
    let note = chart.encounters.items[0].note.clone().unwrap();
    assert_eq!(note.text.plan.as_deref(), Some("Rest"), "the signed text stands on the desk that tried to change it");
    assert_eq!(note.signature_holds, Some(true));
}

#[tokio::test]
async fn an_allergy_s_severity_changed_on_two_desks_apart_is_a_conflict_for_a_person() {
    let server = TestServer::start().await;
    let (a, b, _, _, _, ana) = two_desks_and_a_patient(&server).await;
    let (house_a, house_b) = (a.log_in("house").await, b.log_in("house").await);
    let allergy = record_allergy(&a.clinic, &house_a, AllergyInput { patient_id: ana.id, substance: "Penicillin".into(), reaction: None, severity: Severity::Unknown })
        .await.unwrap();
    assert_converged(&[&a, &b]).await;
    let change = |severity| AllergyChange { reaction: Some("Hives".into()), severity, status: AllergyStatus::Active };
    change_allergy(&a.clinic, &house_a, allergy.id, change(Severity::Severe)).await.unwrap();
    change_allergy(&b.clinic, &house_b, allergy.id, change(Severity::Mild)).await.unwrap();
    assert_converged(&[&a, &b]).await;
    for (desk, doctor) in [(&a, &house_a), (&b, &house_b)] {
        let attention = needs_attention(&desk.clinic, doctor).await.unwrap();
        assert!(attention.conflicts.iter().any(|c| c.entity == "allergy" && c.field.as_deref() == Some("severity")), "{attention:?}");
    }
}
