//! The permission matrix: every use case, called by a staff member of each role. A role the table
//! allows must succeed; every other role must get PermissionDenied.

use std::collections::HashSet;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicI64, Ordering};

use chrono::{Duration, NaiveDateTime, Weekday};
use clinic_core::audit;
use clinic_core::auth::{Permission, Role, Session};
use clinic_core::ops::appointment_types::*;
use clinic_core::ops::attachments;
use clinic_core::ops::calendar::*;
use clinic_core::ops::clinical;
use clinic_core::ops::clinical as clinic;
use clinic_core::ops::patients::*;
use clinic_core::ops::practitioners::*;
use clinic_core::ops::queue::*;
use clinic_core::ops::setup::{update_site_details, SiteDetails};
use clinic_core::ops::staff::*;
use clinic_core::{Code, Result};
use uuid::Uuid;

use crate::helpers::*;

type Run = Box<dyn for<'a> Fn(&'a Fx, &'a Session) -> Pin<Box<dyn Future<Output = Result<()>> + 'a>>>;

struct Case {
    name: &'static str,
    /// The use case is allowed to whoever holds any of these.
    permissions: &'static [Permission],
    run: Run,
}

fn case<F>(name: &'static str, permissions: &'static [Permission], run: F) -> Case
where
    F: for<'a> Fn(&'a Fx, &'a Session) -> Pin<Box<dyn Future<Output = Result<()>> + 'a>> + 'static,
{
    Case { name, permissions, run: Box::new(run) }
}

/// A clinic, a session holding every role to prepare what each call needs, and a counter that
/// hands every booking its own free time.
struct Fx {
    t: TestClinic,
    all: Session,
    practitioner: Practitioner,
    visit: AppointmentType,
    next_slot: AtomicI64,
    today_slot: AtomicI64,
}

impl Fx {
    fn slot(&self) -> NaiveDateTime {
        let n = self.next_slot.fetch_add(1, Ordering::SeqCst);
        at("2026-11-24", "08:00") + Duration::days(n / 100) + Duration::minutes(5 * (n % 100))
    }

    async fn patient(&self) -> Uuid {
        let n = self.next_slot.fetch_add(1, Ordering::SeqCst);
        let family = format!("Patient{}", ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j"][(n % 10) as usize].repeat(1 + n as usize / 10));
        register_patient(&self.t.clinic, &self.all, person("Test", &family, "1980-01-01"), true).await.unwrap().id
    }

    async fn booked(&self) -> Uuid {
        let patient = self.patient().await;
        book_appointment(&self.t.clinic, &self.all, self.booking(patient, self.slot(), false)).await.unwrap().appointment.id
    }

    /// Booked for later today (the clock stands at 08:00): patients check in on the day.
    async fn booked_today(&self) -> Uuid {
        let patient = self.patient().await;
        let n = self.today_slot.fetch_add(1, Ordering::SeqCst);
        let starts = at("2026-11-23", "09:00") + Duration::minutes(5 * n);
        book_appointment(&self.t.clinic, &self.all, self.booking(patient, starts, false)).await.unwrap().appointment.id
    }

    fn booking(&self, patient_id: Uuid, starts: NaiveDateTime, override_schedule: bool) -> BookingInput {
        BookingInput { patient_id, practitioner_id: self.practitioner.id, type_id: self.visit.id, starts, notes: None, override_schedule }
    }

    async fn staff(&self) -> Uuid {
        let n = self.next_slot.fetch_add(1, Ordering::SeqCst);
        create_staff(&self.t.clinic, &self.all, new_staff(&format!("target{n}"))).await.unwrap().id
    }

    /// A draft note of `s`'s own when they can open a consultation, else of the all-roles doctor's.
    async fn note_for(&self, s: &Session) -> clinic::Consultation {
        let entry = self.queued().await;
        match clinic::open_consultation(&self.t.clinic, s, clinic::VisitRef::QueueEntry(entry)).await {
            Ok(c) => c,
            Err(_) => clinic::open_consultation(&self.t.clinic, &self.all, clinic::VisitRef::QueueEntry(entry)).await.unwrap(),
        }
    }

    async fn signed_note(&self) -> Uuid {
        let c = self.note_for(&self.all).await;
        let text = clinic::NoteText { body: Some("Seen".into()), ..Default::default() };
        clinic::save_note(&self.t.clinic, &self.all, c.note_id, text).await.unwrap();
        clinic::sign_note(&self.t.clinic, &self.all, c.note_id).await.unwrap().id
    }

    fn drug(&self, name: &str) -> clinic::FormularyDrugInput {
        clinic::FormularyDrugInput { name: name.into(), strength: "500 mg".into(), form: "tablet".into(), route: clinic::Route::Oral, usual_dose: None, usual_frequency: None }
    }

    async fn queued(&self) -> Uuid {
        let patient = self.patient().await;
        add_walk_in(&self.t.clinic, &self.all, WalkInInput { patient: WalkInPatient::Existing(patient), reason: "Check".into(), priority: Priority::Normal, practitioner_id: None })
            .await.unwrap().id
    }
}

fn prescription(patient_id: Uuid) -> clinical::PrescriptionInput {
    clinical::PrescriptionInput {
        patient_id, encounter_id: None, drug_id: None, drug: "Paracetamol".into(), strength: "500 mg".into(), form: "tablet".into(),
        dose: "1 tablet".into(), route: clinical::Route::Oral, frequency: "every 6 hours".into(), duration_days: Some(5), quantity: 20,
        repeats: 0, instructions: None, allergy_override: None,
    }
}

fn new_staff(username: &str) -> NewStaff {
    NewStaff { full_name: "Target Person".into(), username: username.into(), password: STAFF_PASSWORD.into(), roles: vec!["receptionist".into()] }
}

fn practitioner_input() -> PractitionerInput {
    let every_day = [Weekday::Mon, Weekday::Tue, Weekday::Wed, Weekday::Thu, Weekday::Fri, Weekday::Sat, Weekday::Sun];
    PractitionerInput { specialisation: "Family medicine".into(), consultation_fee_minor: 5000, weekly_hours: hours(&every_day, "08:00", "20:00", &[]) }
}

fn type_input(name: &str) -> AppointmentTypeInput {
    AppointmentTypeInput { name: name.into(), duration_minutes: 5, buffer_minutes: 0, price_minor: 1000, colour: "#22AA66".into() }
}

fn cases() -> Vec<Case> {
    use Permission::*;
    let mut cases = vec![
        case("update_site_details", &[ManageClinic], |fx, s| Box::pin(async move {
            let details = SiteDetails { name: "Harbour Clinic".into(), address: "2 Quay Street".into(), time_zone: "Europe/Lisbon".into(), currency: "EUR".into(), tax_id: None, idle_lock_minutes: 10 };
            update_site_details(&fx.t.clinic, s, details).await
        })),
        case("create_staff", &[ManageStaff], |fx, s| Box::pin(async move {
            let n = fx.next_slot.fetch_add(1, Ordering::SeqCst);
            create_staff(&fx.t.clinic, s, new_staff(&format!("new{n}"))).await.map(drop)
        })),
        case("set_staff_roles", &[ManageStaff], |fx, s| Box::pin(async move {
            let id = fx.staff().await;
            set_staff_roles(&fx.t.clinic, s, id, vec!["doctor".into()]).await
        })),
        case("set_staff_active", &[ManageStaff], |fx, s| Box::pin(async move {
            let id = fx.staff().await;
            set_staff_active(&fx.t.clinic, s, id, false).await
        })),
        case("reset_password", &[ManageStaff], |fx, s| Box::pin(async move {
            let id = fx.staff().await;
            reset_password(&fx.t.clinic, s, id, "a fresh password").await
        })),
        case("list_staff", &[ManageStaff], |fx, s| Box::pin(async move { list_staff(&fx.t.clinic, s).await.map(drop) })),
        case("add_practitioner", &[ManagePractitioners], |fx, s| Box::pin(async move {
            let n = fx.next_slot.fetch_add(1, Ordering::SeqCst);
            let mut doc = new_staff(&format!("doc{n}"));
            doc.roles = vec!["doctor".into()];
            let id = create_staff(&fx.t.clinic, &fx.all, doc).await.unwrap().id;
            add_practitioner(&fx.t.clinic, s, id, practitioner_input()).await.map(drop)
        })),
        case("update_practitioner", &[ManagePractitioners], |fx, s| Box::pin(async move {
            update_practitioner(&fx.t.clinic, s, fx.practitioner.id, practitioner_input(), true).await.map(drop)
        })),
        case("add_time_off", &[ManagePractitioners], |fx, s| Box::pin(async move {
            let start = at("2027-06-01", "08:00");
            let input = TimeOffInput { practitioner_id: Some(fx.practitioner.id), starts: start, ends: start + Duration::hours(1), reason: "Course".into() };
            add_time_off(&fx.t.clinic, s, input).await.map(drop)
        })),
        case("remove_time_off", &[ManagePractitioners], |fx, s| Box::pin(async move {
            let start = at("2027-07-01", "08:00");
            let input = TimeOffInput { practitioner_id: None, starts: start, ends: start + Duration::hours(1), reason: "Closed".into() };
            let id = add_time_off(&fx.t.clinic, &fx.all, input).await.unwrap().id;
            remove_time_off(&fx.t.clinic, s, id).await
        })),
        case("upcoming_time_off", &[ViewSchedule, ManagePractitioners], |fx, s| Box::pin(async move {
            upcoming_time_off(&fx.t.clinic, s, Some(fx.practitioner.id)).await.map(drop)
        })),
        case("doctors_without_hours", &[ManagePractitioners], |fx, s| Box::pin(async move { doctors_without_hours(&fx.t.clinic, s).await.map(drop) })),
        case("list_practitioners", &[ViewSchedule, ManagePractitioners], |fx, s| Box::pin(async move { list_practitioners(&fx.t.clinic, s).await.map(drop) })),
        case("create_appointment_type", &[ManageAppointmentTypes], |fx, s| Box::pin(async move {
            create_appointment_type(&fx.t.clinic, s, type_input("Vaccination")).await.map(drop)
        })),
        case("update_appointment_type", &[ManageAppointmentTypes], |fx, s| Box::pin(async move {
            update_appointment_type(&fx.t.clinic, s, fx.visit.id, type_input("Short visit"), true).await.map(drop)
        })),
        // The list carries each type's note template: read by whoever books with the types or manages them.
        case("list_appointment_types", &[ViewSchedule, ManageAppointmentTypes], |fx, s| Box::pin(async move { list_appointment_types(&fx.t.clinic, s).await.map(drop) })),
        case("set_note_template", &[ManageAppointmentTypes], |fx, s| Box::pin(async move {
            set_note_template(&fx.t.clinic, s, fx.visit.id, clinical::NoteText { plan: Some("Plan:".into()), ..Default::default() }).await.map(drop)
        })),
        case("register_patient", &[RegisterPatients], |fx, s| Box::pin(async move {
            register_patient(&fx.t.clinic, s, person("Walk", "In", "1970-01-01"), true).await.map(drop)
        })),
        case("likely_duplicates", &[RegisterPatients], |fx, s| Box::pin(async move {
            likely_duplicates(&fx.t.clinic, s, person("Walk", "In", "1970-01-01")).await.map(drop)
        })),
        case("edit_patient", &[EditPatients], |fx, s| Box::pin(async move {
            let id = fx.patient().await;
            edit_patient(&fx.t.clinic, s, id, person("Edited", "Name", "1980-01-01")).await.map(drop)
        })),
        case("search_patients", &[ViewPatients], |fx, s| Box::pin(async move { search_patients(&fx.t.clinic, s, "test", 20).await.map(drop) })),
        case("open_patient", &[ViewPatients], |fx, s| Box::pin(async move {
            let id = fx.patient().await;
            open_patient(&fx.t.clinic, s, id).await.map(drop)
        })),
        case("patient_history", &[ViewPatients], |fx, s| Box::pin(async move {
            let id = fx.patient().await;
            patient_history(&fx.t.clinic, s, id).await.map(drop)
        })),
        case("patient_appointments", &[ViewPatients], |fx, s| Box::pin(async move {
            let id = fx.patient().await;
            patient_appointments(&fx.t.clinic, s, id).await.map(drop)
        })),
        case("merge_patients", &[MergePatients], |fx, s| Box::pin(async move {
            let (a, b) = (fx.patient().await, fx.patient().await);
            merge_patients(&fx.t.clinic, s, a, b).await.map(drop)
        })),
        case("unmerge_patient", &[MergePatients], |fx, s| Box::pin(async move {
            let (a, b) = (fx.patient().await, fx.patient().await);
            merge_patients(&fx.t.clinic, &fx.all, a, b).await.unwrap();
            unmerge_patient(&fx.t.clinic, s, b).await.map(drop)
        })),
        case("book_appointment", &[BookAppointments], |fx, s| Box::pin(async move {
            let p = fx.patient().await;
            book_appointment(&fx.t.clinic, s, fx.booking(p, fx.slot(), false)).await.map(drop)
        })),
        case("book_appointment (override)", &[OverrideSchedule], |fx, s| Box::pin(async move {
            let p = fx.patient().await;
            book_appointment(&fx.t.clinic, s, fx.booking(p, at("2026-11-24", "21:00"), true)).await.map(drop)
        })),
        case("reschedule_appointment", &[BookAppointments], |fx, s| Box::pin(async move {
            let id = fx.booked().await;
            reschedule_appointment(&fx.t.clinic, s, id, fx.slot(), None, false).await.map(drop)
        })),
        case("cancel_appointment", &[BookAppointments], |fx, s| Box::pin(async move {
            let id = fx.booked().await;
            cancel_appointment(&fx.t.clinic, s, id, "Unwell").await.map(drop)
        })),
        case("mark_arrived", &[UpdateAppointmentStatus], |fx, s| Box::pin(async move {
            let id = fx.booked_today().await;
            mark_arrived(&fx.t.clinic, s, id).await.map(drop)
        })),
        case("start_consultation", &[UpdateAppointmentStatus], |fx, s| Box::pin(async move {
            let id = fx.booked().await;
            start_consultation(&fx.t.clinic, s, id).await.map(drop)
        })),
        case("complete_consultation", &[UpdateAppointmentStatus], |fx, s| Box::pin(async move {
            let id = fx.booked().await;
            start_consultation(&fx.t.clinic, &fx.all, id).await.unwrap();
            complete_consultation(&fx.t.clinic, s, id).await.map(drop)
        })),
        case("mark_no_show", &[UpdateAppointmentStatus], |fx, s| Box::pin(async move {
            let id = fx.booked().await;
            let save = fx.t.clinic.clock().now();
            fx.t.clock.set(save + Duration::days(400));
            fx.t.resume(s).await;
            let result = mark_no_show(&fx.t.clinic, s, id).await.map(drop);
            fx.t.clock.set(save);
            result
        })),
        case("day_calendar", &[ViewSchedule], |fx, s| Box::pin(async move { day_calendar(&fx.t.clinic, s, date("2026-11-24")).await.map(drop) })),
        case("free_slots", &[ViewSchedule], |fx, s| Box::pin(async move {
            free_slots(&fx.t.clinic, s, fx.practitioner.id, fx.visit.id, date("2026-11-24"), 7).await.map(drop)
        })),
        case("add_walk_in", &[ManageQueue], |fx, s| Box::pin(async move {
            let p = fx.patient().await;
            add_walk_in(&fx.t.clinic, s, WalkInInput { patient: WalkInPatient::Existing(p), reason: "Fever".into(), priority: Priority::Urgent, practitioner_id: None }).await.map(drop)
        })),
        case("call_next", &[ManageQueue], |fx, s| Box::pin(async move {
            call_next(&fx.t.clinic, s, fx.practitioner.id).await.map(drop)
        })),
        case("mark_served", &[ManageQueue], |fx, s| Box::pin(async move {
            fx.queued().await;
            let called = call_next(&fx.t.clinic, &fx.all, fx.practitioner.id).await.unwrap().unwrap();
            mark_served(&fx.t.clinic, s, called.id).await.map(drop)
        })),
        case("mark_left", &[ManageQueue], |fx, s| Box::pin(async move {
            let id = fx.queued().await;
            mark_left(&fx.t.clinic, s, id).await.map(drop)
        })),
        case("today_list", &[ManageQueue], |fx, s| Box::pin(async move { today_list(&fx.t.clinic, s).await.map(drop) })),
        case("verify_audit", &[ViewAudit], |fx, s| Box::pin(async move { audit::verify(&fx.t.clinic, s).await.map(drop) })),
        case("recent_audit", &[ViewAudit], |fx, s| Box::pin(async move { audit::recent(&fx.t.clinic, s, None, 50).await.map(drop) })),
        case("needs_attention", &[SettleConflicts], |fx, s| Box::pin(async move { clinic_core::sync::needs_attention(&fx.t.clinic, s).await.map(drop) })),
        case("my_day", &[ViewClinical], |fx, s| Box::pin(async move { clinical::my_day(&fx.t.clinic, s, None).await.map(drop) })),
        case("open_consultation", &[WriteClinical], |fx, s| Box::pin(async move {
            let entry = fx.queued().await;
            clinical::open_consultation(&fx.t.clinic, s, clinical::VisitRef::QueueEntry(entry)).await.map(drop)
        })),
        case("finish_consultation", &[WriteClinical], |fx, s| Box::pin(async move {
            let c = fx.note_for(s).await;
            clinical::finish_consultation(&fx.t.clinic, s, c.encounter_id).await.map(drop)
        })),
        case("save_note", &[WriteClinical], |fx, s| Box::pin(async move {
            let c = fx.note_for(s).await;
            clinical::save_note(&fx.t.clinic, s, c.note_id, clinical::NoteText { body: Some("Better".into()), ..Default::default() }).await.map(drop)
        })),
        case("sign_note", &[WriteClinical], |fx, s| Box::pin(async move {
            let c = fx.note_for(s).await;
            let by = if s.roles.contains(Role::Doctor) { s } else { &fx.all };
            clinical::save_note(&fx.t.clinic, by, c.note_id, clinical::NoteText { body: Some("Better".into()), ..Default::default() }).await.unwrap();
            clinical::sign_note(&fx.t.clinic, s, c.note_id).await.map(drop)
        })),
        case("add_addendum", &[WriteClinical], |fx, s| Box::pin(async move {
            let note = fx.signed_note().await;
            clinical::add_addendum(&fx.t.clinic, s, note, clinical::AddendumInput { reason: "Typo".into(), body: "Left, not right".into() }).await.map(drop)
        })),
        case("unsigned_notes", &[ViewClinical], |fx, s| Box::pin(async move { clinical::unsigned_notes(&fx.t.clinic, s).await.map(drop) })),
        case("open_chart", &[ViewClinical], |fx, s| Box::pin(async move {
            let p = fx.patient().await;
            clinical::open_chart(&fx.t.clinic, s, p, None).await.map(drop)
        })),
        case("open_chart (emergency)", &[ViewClinical, BreakTheGlass], |fx, s| Box::pin(async move {
            let p = fx.patient().await;
            clinical::open_chart(&fx.t.clinic, s, p, Some("Collapsed".into())).await.map(drop)
        })),
        case("chart_encounters", &[ViewClinical], |fx, s| Box::pin(async move {
            let p = fx.patient().await;
            clinical::chart_encounters(&fx.t.clinic, s, p, fx.t.clinic.clock().now(), None).await.map(drop)
        })),
        case("record_vitals", &[WriteClinical], |fx, s| Box::pin(async move {
            let p = fx.patient().await;
            clinical::record_vitals(&fx.t.clinic, s, clinical::VitalsInput { patient_id: p, values: vec![("pulse".into(), 72.0)], ..Default::default() }).await.map(drop)
        })),
        case("record_allergy", &[WriteClinical], |fx, s| Box::pin(async move {
            let p = fx.patient().await;
            clinical::record_allergy(&fx.t.clinic, s, clinical::AllergyInput { patient_id: p, substance: "Latex".into(), reaction: None, severity: clinical::Severity::Mild }).await.map(drop)
        })),
        case("change_allergy", &[WriteClinical], |fx, s| Box::pin(async move {
            let p = fx.patient().await;
            let a = clinical::record_allergy(&fx.t.clinic, &fx.all, clinical::AllergyInput { patient_id: p, substance: "Latex".into(), reaction: None, severity: clinical::Severity::Mild }).await.unwrap();
            clinical::change_allergy(&fx.t.clinic, s, a.id, clinical::AllergyChange { reaction: None, severity: clinical::Severity::Severe, status: clinical::AllergyStatus::Active }).await.map(drop)
        })),
        case("confirm_no_known_allergies", &[WriteClinical], |fx, s| Box::pin(async move {
            let p = fx.patient().await;
            clinical::confirm_no_known_allergies(&fx.t.clinic, s, p).await
        })),
        case("prescribe", &[WriteClinical], |fx, s| Box::pin(async move {
            let p = fx.patient().await;
            clinical::prescribe(&fx.t.clinic, s, prescription(p)).await.map(drop)
        })),
        case("stop_prescription", &[WriteClinical], |fx, s| Box::pin(async move {
            let p = fx.patient().await;
            let id = clinical::prescribe(&fx.t.clinic, &fx.all, prescription(p)).await.unwrap().id;
            clinical::stop_prescription(&fx.t.clinic, s, id).await.map(drop)
        })),
        case("patient_prescriptions", &[ViewClinical], |fx, s| Box::pin(async move {
            let p = fx.patient().await;
            clinical::patient_prescriptions(&fx.t.clinic, s, p).await.map(drop)
        })),
        case("add_formulary_drug", &[ManageFormulary], |fx, s| Box::pin(async move {
            clinical::add_formulary_drug(&fx.t.clinic, s, fx.drug("Amoxicillin")).await.map(drop)
        })),
        case("formulary", &[ManageFormulary], |fx, s| Box::pin(async move { clinical::formulary(&fx.t.clinic, s).await.map(drop) })),
        case("update_formulary_drug", &[ManageFormulary], |fx, s| Box::pin(async move {
            let id = clinical::add_formulary_drug(&fx.t.clinic, &fx.all, fx.drug("Paracetamol")).await.unwrap();
            clinical::update_formulary_drug(&fx.t.clinic, s, id, fx.drug("Paracetamol forte"), true).await
        })),
        case("find_diagnosis_codes", &[WriteClinical], |fx, s| Box::pin(async move {
            clinical::find_diagnosis_codes(&fx.t.clinic, s, "asthma", 10).await.map(drop)
        })),
        case("add_diagnosis", &[WriteClinical], |fx, s| Box::pin(async move {
            let p = fx.patient().await;
            let input = clinical::DiagnosisInput { patient_id: p, encounter_id: None, code: "J45.909".into(), onset: None, comment: None };
            clinical::add_diagnosis(&fx.t.clinic, s, input).await.map(drop)
        })),
        case("set_problem_status", &[WriteClinical], |fx, s| Box::pin(async move {
            let p = fx.patient().await;
            let input = clinical::DiagnosisInput { patient_id: p, encounter_id: None, code: "J11.1".into(), onset: None, comment: None };
            let flu = clinical::add_diagnosis(&fx.t.clinic, &fx.all, input).await.unwrap();
            clinical::set_problem_status(&fx.t.clinic, s, flu.id, clinical::ProblemStatus::Resolved, None).await
        })),
        case("print_prescriptions", &[WriteClinical], |fx, s| Box::pin(async move {
            let p = fx.patient().await;
            let id = clinical::prescribe(&fx.t.clinic, &fx.all, prescription(p)).await.unwrap().id;
            clinical::print_prescriptions(&fx.t.clinic, s, vec![id]).await.map(drop)
        })),
        case("find_formulary_drugs", &[WriteClinical, ManageFormulary], |fx, s| Box::pin(async move {
            clinical::find_formulary_drugs(&fx.t.clinic, s, "para").await.map(drop)
        })),
        case("add_attachment", &[WriteClinical], |fx, s| Box::pin(async move {
            let p = fx.patient().await;
            attachments::add_attachment(&fx.t.clinic, s, attachment(p)).await.map(drop)
        })),
        case("patient_attachments", &[ViewClinical], |fx, s| Box::pin(async move {
            let p = fx.patient().await;
            attachments::patient_attachments(&fx.t.clinic, s, p).await.map(drop)
        })),
        case("open_attachment", &[ViewClinical], |fx, s| Box::pin(async move {
            let id = attached(fx).await;
            attachments::open_attachment(&fx.t.clinic, s, id).await.map(drop)
        })),
        case("attachment_thumbnail", &[ViewClinical], |fx, s| Box::pin(async move {
            let id = attached(fx).await;
            attachments::attachment_thumbnail(&fx.t.clinic, s, id).await.map(drop)
        })),
        case("remove_attachment", &[WriteClinical], |fx, s| Box::pin(async move {
            let id = attached(fx).await;
            attachments::remove_attachment(&fx.t.clinic, s, id).await
        })),
    ];
    cases.extend(money_cases());
    cases
}

fn money_cases() -> Vec<Case> {
    use clinic_core::ops::billing::{account, cash, credit_notes, documents, invoices, payments, prices, settings, Method};
    use Permission::*;
    vec![
        case("price_list", &[TakePayments, ManagePrices], |fx, s| Box::pin(async move { prices::price_list(c(fx), s).await.map(drop) })),
        case("add_price_item", &[ManagePrices], |fx, s| Box::pin(async move { prices::add_price_item(c(fx), s, price_input()).await.map(drop) })),
        case("update_price", &[ManagePrices], |fx, s| Box::pin(async move {
            let id = prices::add_price_item(c(fx), &fx.all, price_input()).await.unwrap();
            prices::update_price(c(fx), s, prices::PriceKind::Item, id, price_input(), false).await
        })),
        case("start_invoice", &[TakePayments], |fx, s| Box::pin(async move {
            invoices::start_invoice(c(fx), s, invoices::InvoiceFrom::Counter).await.map(drop)
        })),
        case("save_invoice_draft", &[TakePayments], |fx, s| Box::pin(async move {
            let d = invoices::start_invoice(c(fx), &fx.all, invoices::InvoiceFrom::Counter).await.unwrap();
            invoices::save_invoice_draft(c(fx), s, d.id, draft_input("")).await.map(drop)
        })),
        case("save_invoice_draft (over the discount limit)", &[GiveLargeDiscounts], |fx, s| Box::pin(async move {
            let d = invoices::start_invoice(c(fx), &fx.all, invoices::InvoiceFrom::Counter).await.unwrap();
            invoices::save_invoice_draft(c(fx), s, d.id, draft_input("50 %")).await.map(drop)
        })),
        case("discard_invoice_draft", &[TakePayments], |fx, s| Box::pin(async move {
            let d = invoices::start_invoice(c(fx), &fx.all, invoices::InvoiceFrom::Counter).await.unwrap();
            invoices::discard_invoice_draft(c(fx), s, d.id).await
        })),
        case("finalise_invoice", &[TakePayments], |fx, s| Box::pin(async move {
            let d = invoices::start_invoice(c(fx), &fx.all, invoices::InvoiceFrom::Counter).await.unwrap();
            invoices::save_invoice_draft(c(fx), &fx.all, d.id, draft_input("")).await.unwrap();
            invoices::finalise_invoice(c(fx), s, d.id).await.map(drop)
        })),
        case("invoice", &[TakePayments, ViewAccounts], |fx, s| Box::pin(async move {
            let id = fx.issued().await;
            invoices::invoice(c(fx), s, id).await.map(drop)
        })),
        case("invoices_of_day", &[TakePayments, ViewAccounts], |fx, s| Box::pin(async move {
            invoices::invoices_of_day(c(fx), s, date("2026-11-23")).await.map(drop)
        })),
        case("take_payment", &[TakePayments], |fx, s| Box::pin(async move {
            let id = fx.issued().await;
            fx.drawer(s).await;
            payments::take_payment(c(fx), s, payments::PaymentInput { invoice_id: id, method: Method::Card, amount: "1".into(), keep_as_credit: false, reference: None })
                .await.map(drop)
        })),
        case("refund_payment", &[RefundPayments], |fx, s| Box::pin(async move {
            let payment = fx.paid().await;
            fx.drawer(s).await;
            payments::refund_payment(c(fx), s, payments::RefundInput { payment_id: payment, amount: "1".into(), reason: "Overcharged".into() }).await.map(drop)
        })),
        case("issue_credit_note", &[CreditInvoices], |fx, s| Box::pin(async move {
            let id = fx.issued().await;
            credit_notes::issue_credit_note(c(fx), s, credit_notes::CreditNoteInput { invoice_id: id, lines: vec![], reason: "Not given".into() }).await.map(drop)
        })),
        case("open_cash_session", &[TakePayments], |fx, s| Box::pin(async move {
            fx.close_drawer(s).await;
            cash::open_cash_session(c(fx), s, cash::OpenCashSession { drawer: "Front".into(), opening_float: "10".into() }).await.map(drop)
        })),
        case("current_cash_session", &[TakePayments], |fx, s| Box::pin(async move { cash::current_cash_session(c(fx), s).await.map(drop) })),
        case("close_cash_session", &[TakePayments], |fx, s| Box::pin(async move {
            let id = fx.drawer(s).await;
            cash::close_cash_session(c(fx), s, counted(id)).await.map(drop)
        })),
        case("cash_session (one's own)", &[TakePayments, ReviewCashSessions], |fx, s| Box::pin(async move {
            let id = fx.drawer(s).await;
            cash::cash_session(c(fx), s, id).await.map(drop)
        })),
        case("cash_session (someone else's)", &[ReviewCashSessions], |fx, s| Box::pin(async move {
            let id = fx.drawer(&fx.all).await;
            cash::cash_session(c(fx), s, id).await.map(drop)
        })),
        case("cash_sessions", &[TakePayments, ReviewCashSessions], |fx, s| Box::pin(async move {
            cash::cash_sessions(c(fx), s, date("2026-11-23")).await.map(drop)
        })),
        case("patient_balance", &[ViewBalance], |fx, s| Box::pin(async move {
            let p = fx.patient().await;
            account::patient_balance(c(fx), s, p).await.map(drop)
        })),
        case("patient_account", &[ViewAccounts], |fx, s| Box::pin(async move {
            let p = fx.patient().await;
            account::patient_account(c(fx), s, p).await.map(drop)
        })),
        case("update_invoice_settings", &[ManageClinic], |fx, s| Box::pin(async move {
            settings::update_invoice_settings(c(fx), s, settings::InvoiceSettingsInput { discount_limit: "10".into(), invoice_note: None }).await
        })),
        case("reports", &[ViewReports], |fx, s| Box::pin(async move {
            use clinic_core::ops::reports::*;
            let period = Period { from: date("2026-11-01"), to: date("2026-11-30") };
            for report in ReportName::ALL.into_iter().filter(|r| *r != ReportName::ChartAccess) {
                run(c(fx), s, ReportRequest { report, period, grain: Grain::Day, site_id: None, practitioner_id: None }, &no_progress).await?;
            }
            Ok(())
        })),
        case("chart_access_report", &[ViewAudit], |fx, s| Box::pin(async move {
            use clinic_core::ops::reports::*;
            let period = Period { from: date("2026-11-01"), to: date("2026-11-30") };
            run(c(fx), s, ReportRequest { report: ReportName::ChartAccess, period, grain: Grain::Day, site_id: None, practitioner_id: None }, &no_progress).await.map(drop)
        })),
        case("dashboard", &[ViewReports], |fx, s| Box::pin(async move {
            clinic_core::ops::reports::dashboard::dashboard(c(fx), s).await.map(drop)
        })),
        case("report_choices", &[ViewReports, ViewAudit], |fx, s| Box::pin(async move {
            clinic_core::ops::reports::choices::report_choices(c(fx), s).await.map(drop)
        })),
        case("backup_status", &[ManageBackups], |fx, s| Box::pin(async move { clinic_core::backup::status(c(fx), s).await.map(drop) })),
        case("new_recovery_code", &[ManageBackups], |fx, s| Box::pin(async move { clinic_core::backup::new_recovery_code(c(fx), s).await.map(drop) })),
        case("may_restore", &[ManageBackups], |fx, s| Box::pin(async move { clinic_core::backup::may_restore(c(fx), Some(s)).await })),
        case("set_logo", &[ManageClinic], |fx, s| Box::pin(async move { settings::set_logo(c(fx), s, None).await })),
        case("approve_update", &[InstallUpdates], |fx, s| Box::pin(async move {
            clinic_core::ops::updates::approve_update(c(fx), s, "0.1.0", "0.2.0").await
        })),
        case("invoice_pdf", &[TakePayments], |fx, s| Box::pin(async move {
            let id = fx.issued().await;
            documents::invoice_pdf(c(fx), s, id).await.map(drop)
        })),
        case("receipt_pdf", &[TakePayments], |fx, s| Box::pin(async move {
            let payment = fx.paid().await;
            let invoice = payments_invoice(fx, payment).await;
            documents::receipt_pdf(c(fx), s, invoice).await.map(drop)
        })),
        case("credit_note_pdf", &[TakePayments], |fx, s| Box::pin(async move {
            let id = fx.issued().await;
            let v = credit_notes::issue_credit_note(c(fx), &fx.all, credit_notes::CreditNoteInput { invoice_id: id, lines: vec![], reason: "Not given".into() })
                .await.unwrap();
            documents::credit_note_pdf(c(fx), s, v.credit_notes[0].id).await.map(drop)
        })),
        case("invoices_pdf", &[TakePayments], |fx, s| Box::pin(async move {
            let id = fx.issued().await;
            documents::invoices_pdf(c(fx), s, vec![id]).await.map(drop)
        })),
        case("cash_up_pdf", &[TakePayments], |fx, s| Box::pin(async move {
            let id = match cash::current_cash_session(c(fx), s).await { Ok(Some(v)) => v.id, _ => fx.drawer(&fx.all).await };
            documents::cash_up_pdf(c(fx), s, id).await.map(drop)
        })),
    ]
}

fn c(fx: &Fx) -> &clinic_core::Clinic {
    &fx.t.clinic
}

fn price_input() -> clinic_core::ops::billing::prices::PriceInput {
    clinic_core::ops::billing::prices::PriceInput { name: "Dressing".into(), price: "8.50".into(), tax_rate: "23".into() }
}

fn draft_input(discount: &str) -> clinic_core::ops::billing::invoices::DraftInput {
    use clinic_core::ops::billing::invoices::{DraftInput, LineInput};
    let line = LineInput { description: "Dressing".into(), item_id: None, quantity: 2, unit_price: "8.50".into(), discount: String::new(), tax_rate: "23".into() };
    DraftInput { lines: vec![line], discount: discount.into(), customer_name: None, service_date: None }
}

fn counted(id: Uuid) -> clinic_core::ops::billing::cash::CloseCashSession {
    use clinic_core::ops::billing::{cash::Counted, Method};
    clinic_core::ops::billing::cash::CloseCashSession { id, note: None, counted: vec![Counted { method: Method::Cash, amount: "0".into() },
        Counted { method: Method::Card, amount: "0".into() }] }
}

async fn payments_invoice(fx: &Fx, payment: Uuid) -> Uuid {
    sqlx::query_scalar::<_, Uuid>("SELECT invoice_id FROM payment WHERE id = ?").bind(payment).fetch_one(fx.t.clinic.store().pool()).await.unwrap()
}

impl Fx {
    /// An issued invoice (a counter sale, 20.91), made by the all-roles session.
    async fn issued(&self) -> Uuid {
        use clinic_core::ops::billing::invoices;
        let d = invoices::start_invoice(&self.t.clinic, &self.all, invoices::InvoiceFrom::Counter).await.unwrap();
        invoices::save_invoice_draft(&self.t.clinic, &self.all, d.id, draft_input("")).await.unwrap();
        invoices::finalise_invoice(&self.t.clinic, &self.all, d.id).await.unwrap().id
    }

    /// A card payment of 10.00 on a new invoice, taken by the all-roles session.
    async fn paid(&self) -> Uuid {
        use clinic_core::ops::billing::{payments, Method};
        let invoice = self.issued().await;
        self.drawer(&self.all).await;
        let input = payments::PaymentInput { invoice_id: invoice, method: Method::Card, amount: "10".into(), keep_as_credit: false, reference: None };
        payments::take_payment(&self.t.clinic, &self.all, input).await.unwrap().payment_id
    }

    /// The open cash session of `s`, opened if it has none; the all-roles session's for a role that takes no money.
    async fn drawer(&self, s: &Session) -> Uuid {
        use clinic_core::ops::billing::cash;
        if let Ok(Some(open)) = cash::current_cash_session(&self.t.clinic, s).await {
            return open.id;
        }
        let input = cash::OpenCashSession { drawer: "Front".into(), opening_float: "10".into() };
        match cash::open_cash_session(&self.t.clinic, s, input).await {
            Ok(v) => v.id,
            Err(_) => Box::pin(self.drawer(&self.all)).await,
        }
    }

    /// Closes the open cash session of `s`, if it has one.
    async fn close_drawer(&self, s: &Session) {
        use clinic_core::ops::billing::cash;
        if let Ok(Some(open)) = cash::current_cash_session(&self.t.clinic, s).await {
            let mut input = counted(open.id);
            input.counted = open.methods.iter().filter(|m| m.method == clinic_core::ops::billing::Method::Cash || m.expected != 0)
                .map(|m| cash::Counted { method: m.method, amount: format!("{}.{:02}", m.expected / 100, m.expected % 100) }).collect();
            cash::close_cash_session(&self.t.clinic, s, input).await.unwrap();
        }
    }
}

fn attachment(patient_id: Uuid) -> attachments::AttachmentInput {
    attachments::AttachmentInput { patient_id, encounter_id: None, file_name: "scan.pdf".into(), description: None, bytes: b"%PDF-1.7\n%%EOF\n".to_vec() }
}

/// An attachment on a new patient's record, added by the all-roles doctor.
async fn attached(fx: &Fx) -> Uuid {
    let p = fx.patient().await;
    attachments::add_attachment(&fx.t.clinic, &fx.all, attachment(p)).await.unwrap().id
}

#[tokio::test]
async fn every_use_case_is_allowed_exactly_to_the_roles_of_the_permission_table() {
    let t = clinic().await;
    let all = t.staff("everyone", &["receptionist", "doctor", "manager", "admin"]).await;
    let practitioner = add_practitioner(&t.clinic, &all, all.staff_id, practitioner_input()).await.unwrap();
    let visit = create_appointment_type(&t.clinic, &all, type_input("Visit")).await.unwrap();
    let mut by_role = Vec::new();
    for role in Role::ALL {
        let session = t.staff(&format!("only{}", role.as_str()), &[role.as_str()]).await;
        // A doctor sees patients as a practitioner (their day, their consultations).
        if role == Role::Doctor {
            add_practitioner(&t.clinic, &all, session.staff_id, practitioner_input()).await.unwrap();
        }
        by_role.push((role, session));
    }
    let fx = Fx { t, all, practitioner, visit, next_slot: AtomicI64::new(0), today_slot: AtomicI64::new(0) };

    let cases = cases();
    let covered: HashSet<Permission> = cases.iter().flat_map(|c| c.permissions.iter().copied()).collect();
    assert_eq!(covered, Permission::ALL.iter().copied().collect(), "every permission is exercised");

    let mut wrong = Vec::new();
    for c in &cases {
        for (role, session) in &by_role {
            let allowed = c.permissions.iter().any(|p| p.roles().contains(role));
            let result = (c.run)(&fx, session).await;
            match (&result, allowed) {
                (Ok(()), true) => {}
                (Err(e), false) if e.code == Code::PermissionDenied => {}
                _ => wrong.push(format!("{} as {}: allowed={allowed}, got {:?}", c.name, role.as_str(), result.map_err(|e| (e.code, e.message)))),
            }
        }
    }
    assert!(wrong.is_empty(), "{} cells of the matrix are wrong:\n{}", wrong.len(), wrong.join("\n"));
}

#[test]
fn the_permission_table_is_the_one_the_clinic_agreed() {
    use Permission::*;
    // R = receptionist, D = doctor, M = manager, A = admin.
    let agreed = [
        (ManageClinic, "A"), (ManageStaff, "A"), (ViewAudit, "A"),
        (ManagePractitioners, "MA"), (ManageAppointmentTypes, "MA"),
        (ViewPatients, "RDM"), (RegisterPatients, "RDM"), (EditPatients, "RDM"), (MergePatients, "M"),
        (ViewSchedule, "RDM"), (BookAppointments, "RDM"), (OverrideSchedule, "DM"),
        (UpdateAppointmentStatus, "RDM"), (ManageQueue, "RDM"), (SettleConflicts, "RDMA"),
        // Minimum necessary (DESIGN.md §7a): clinical content is for the doctor; others read a
        // chart only in an emergency, with a reason, audited.
        (ViewClinical, "D"), (WriteClinical, "D"), (ManageFormulary, "DM"), (BreakTheGlass, "RM"),
        // Money (DESIGN.md §7b): the front desk takes it; reversing it and pricing it is a manager's;
        // a doctor sees only what a patient owes.
        (TakePayments, "RM"), (ViewAccounts, "RM"), (ViewBalance, "RDM"), (ManagePrices, "M"), (GiveLargeDiscounts, "M"),
        (RefundPayments, "M"), (CreditInvoices, "M"), (ReviewCashSessions, "M"), (ViewReports, "M"),
        // The workstation itself: its backups and its updates are the admin's.
        (ManageBackups, "A"), (InstallUpdates, "A"),
    ];
    assert_eq!(agreed.len(), Permission::ALL.len());
    for (permission, letters) in agreed {
        let roles: String = permission.roles().iter().map(|r| r.as_str()[..1].to_uppercase()).collect();
        assert_eq!(roles, letters, "{permission:?}");
    }
}
