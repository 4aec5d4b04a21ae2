use clinic_core::domain::Mrn;
use clinic_core::ops::calendar::{book_appointment, patient_appointments, BookingInput};
use clinic_core::ops::patients::*;
use clinic_core::Code;

use crate::helpers::*;

#[tokio::test]
async fn a_registered_patient_gets_a_checked_record_number_from_this_device() {
    let f = front_desk().await;
    let mut input = person("José", "Núñez García", "1984-03-27");
    input.phones = vec!["+351 912 345 678".into(), "21 234 5678".into()];
    input.email = Some("Jose@Example.PT".into());
    input.national_id = Some("123 456 789".into());
    input.allergies = vec!["Penicillin".into(), "penicillin".into(), "Latex".into()];
    input.blood_group = Some("ab+".into());
    input.emergency_contact = Some(EmergencyContact { name: "Ana Núñez".into(), relation: "sister".into(), phone: "912000111".into() });
    let p = register_patient(&f.t.clinic, &f.desk, input, false).await.unwrap();
    assert!(p.mrn.starts_with("HC01-000001-"), "{}", p.mrn);
    assert_eq!(Mrn::parse(&p.mrn).unwrap().as_str(), p.mrn);
    assert_eq!(p.phones, vec!["+351912345678", "212345678"]);
    assert_eq!(p.email.as_deref(), Some("Jose@example.pt"));
    assert_eq!(p.national_id.as_deref(), Some("123456789"));
    assert_eq!(p.allergies, vec!["Penicillin", "Latex"]);
    assert_eq!(p.blood_group.as_deref(), Some("AB+"));
    let second = f.t.patient(&f.desk, "Amara", "Okafor", "1990-01-01").await;
    assert!(second.mrn.starts_with("HC01-000002-"));
}

#[tokio::test]
async fn an_age_gives_an_estimated_date_of_birth() {
    let f = front_desk().await;
    let mut input = person("Kwame", "Mensah", "");
    input.birth_date = None;
    input.age_years = Some(40);
    let p = register_patient(&f.t.clinic, &f.desk, input, false).await.unwrap();
    assert_eq!((p.birth_date.as_str(), p.birth_date_estimated), ("1986-07-01", true));
}

#[tokio::test]
async fn bad_patient_input_is_refused_with_its_field_and_changes_nothing() {
    let f = front_desk().await;
    f.t.patient(&f.desk, "Amara", "Okafor", "1990-01-01").await;
    let before = f.t.snapshot().await;
    let cases: Vec<(&str, PatientInput)> = vec![
        ("given_name", person("", "Okafor", "1990-01-01")),
        ("given_name", person("   ", "Okafor", "1990-01-01")),
        ("family_name", person("Amara", "0kaf0r", "1990-01-01")),
        ("family_name", person("Amara", &"x".repeat(101), "1990-01-01")),
        ("given_name", person("R2-D2", "Droid", "1990-01-01")),
        ("birth_date", person("Amara", "Okafor", "2027-01-01")),
        ("birth_date", person("Amara", "Okafor", "1990-02-30")),
        ("birth_date", person("Amara", "Okafor", "1850-01-01")),
        ("birth_date", person("Amara", "Okafor", "01/02/1990")),
        ("phones", PatientInput { phones: vec!["12345".into()], ..person("Amara", "Okafor", "1990-01-01") }),
        ("phones", PatientInput { phones: vec!["call me".into()], ..person("Amara", "Okafor", "1990-01-01") }),
        ("email", PatientInput { email: Some("amara@".into()), ..person("Amara", "Okafor", "1990-01-01") }),
        ("email", PatientInput { email: Some("amara example.com".into()), ..person("Amara", "Okafor", "1990-01-01") }),
        ("sex", PatientInput { sex: "robot".into(), ..person("Amara", "Okafor", "1990-01-01") }),
        ("blood_group", PatientInput { blood_group: Some("C+".into()), ..person("Amara", "Okafor", "1990-01-01") }),
        // More than the declaration allows (what the server takes): said in words, not as a list.
        ("allergies", PatientInput { allergies: (0..51).map(|i| format!("Allergen {i}")).collect(), ..person("Amara", "Okafor", "1990-01-01") }),
    ];
    for (field, input) in cases {
        let err = register_patient(&f.t.clinic, &f.desk, input, true).await.unwrap_err();
        assert_eq!((err.code, err.field), (Code::Invalid, Some(field)), "{}", err.message);
        assert!(!err.message.contains("SQL") && !err.message.contains('[') && !err.message.is_empty(), "{}", err.message);
    }
    assert_eq!(f.t.snapshot().await, before, "rejected input must change no row, outbox or audit");
}

async fn find(f: &Front, typed: &str) -> Vec<String> {
    search_patients(&f.t.clinic, &f.desk, typed, 20).await.unwrap().into_iter().map(|p| p.family_name).collect()
}

#[tokio::test]
async fn search_finds_as_you_type_by_name_phone_record_number_and_national_id() {
    let f = front_desk().await;
    let mut input = person("José", "Núñez", "1984-03-27");
    input.phones = vec!["+351 912 345 678".into()];
    input.national_id = Some("AB1234567".into());
    let jose = register_patient(&f.t.clinic, &f.desk, input, false).await.unwrap();
    f.t.patient(&f.desk, "Joséphine", "Martin", "1970-05-05").await;
    f.t.patient(&f.desk, "Zoë", "Ångström", "1999-09-09").await;
    assert_eq!(find(&f, "jose nun").await, vec!["Núñez"]);
    assert_eq!(find(&f, "JOSE").await, vec!["Martin", "Núñez"], "newest first");
    assert_eq!(find(&f, "nunez").await, vec!["Núñez"]);
    assert_eq!(find(&f, "zoe angs").await, vec!["Ångström"]);
    assert_eq!(find(&f, "912 345").await, Vec::<String>::new(), "phone search matches from the first digit");
    assert_eq!(find(&f, "351 912-345").await, vec!["Núñez"]);
    assert_eq!(find(&f, &jose.mrn).await, vec!["Núñez"]);
    assert_eq!(find(&f, &jose.mrn[..9].to_lowercase()).await.len(), 3, "every record of this desk starts HC01-0000");
    assert_eq!(find(&f, "ab1234").await, vec!["Núñez"]);
    assert_eq!(find(&f, "xyz").await, Vec::<String>::new());
    assert_eq!(find(&f, "\"*").await, Vec::<String>::new());
}

#[tokio::test]
async fn likely_duplicates_are_named_before_saving() {
    let f = front_desk().await;
    let mut first = person("Maria", "Garcia", "1980-01-15");
    first.phones = vec!["912000333".into()];
    first.national_id = Some("X1234567".into());
    register_patient(&f.t.clinic, &f.desk, first, false).await.unwrap();
    let before = f.t.snapshot().await;

    let same = person("MARÍA", "garcía", "1980-01-15");
    let found = likely_duplicates(&f.t.clinic, &f.desk, same.clone()).await.unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].reason, "same name and date of birth");
    let err = register_patient(&f.t.clinic, &f.desk, same.clone(), false).await.unwrap_err();
    assert_eq!(err.code, Code::PossibleDuplicate);
    assert!(err.message.contains("Maria Garcia") && err.message.contains("1980-01-15"), "{}", err.message);

    let phone = PatientInput { phones: vec!["912 000 333".into()], ..person("Pedro", "Santos", "1975-06-01") };
    assert_eq!(likely_duplicates(&f.t.clinic, &f.desk, phone).await.unwrap()[0].reason, "same phone number");

    let similar = person("Mario", "Garcia", "1980-08-01");
    assert_eq!(likely_duplicates(&f.t.clinic, &f.desk, similar).await.unwrap()[0].reason, "similar name, born around the same time");

    let id = PatientInput { national_id: Some("x1234567".into()), ..person("Someone", "Else", "2001-01-01") };
    assert_eq!(likely_duplicates(&f.t.clinic, &f.desk, id).await.unwrap()[0].reason, "same national id");

    let different = person("Maria", "Garcia", "1955-01-15");
    assert!(likely_duplicates(&f.t.clinic, &f.desk, different).await.unwrap().is_empty());
    assert_eq!(f.t.snapshot().await, before, "the warning saves nothing");

    // Confirmed as a different person: saved.
    register_patient(&f.t.clinic, &f.desk, same, true).await.unwrap();
}

#[tokio::test]
async fn edits_keep_a_history_of_who_changed_which_field_from_what_to_what() {
    let f = front_desk().await;
    let p = f.t.patient(&f.desk, "Amara", "Okafor", "1990-01-01").await;
    f.t.clock.advance(chrono::Duration::minutes(5));
    let mut changed = person("Amara", "Okafor-Mensah", "1990-01-01");
    changed.phones = vec!["912000444".into()];
    let edited = edit_patient(&f.t.clinic, &f.doctor, p.id, changed.clone()).await.unwrap();
    assert_eq!(edited.family_name, "Okafor-Mensah");
    // Saving the same details again changes nothing and writes nothing.
    let before = f.t.snapshot().await;
    edit_patient(&f.t.clinic, &f.doctor, p.id, changed).await.unwrap();
    assert_eq!(f.t.snapshot().await, before);

    let history = patient_history(&f.t.clinic, &f.manager, p.id).await.unwrap();
    let before = f.t.snapshot().await; // reading the history is itself audited
    assert_eq!(history.len(), 2);
    assert_eq!(history[0].action, "register");
    assert_eq!(history[1].action, "edit");
    assert_eq!(history[1].staff_name.as_deref(), Some("House Tester"));
    let fields: Vec<(&str, String, String)> = history[1].changes.iter().map(|c| (c.field.as_str(), c.old.to_string(), c.new.to_string())).collect();
    assert_eq!(fields, vec![
        ("family_name", "\"Okafor\"".to_string(), "\"Okafor-Mensah\"".to_string()),
        ("phones", "[]".to_string(), "[\"912000444\"]".to_string()),
    ]);
    assert!(history[1].at > history[0].at);

    // Search follows the edit.
    let found = search_patients(&f.t.clinic, &f.desk, "okafor-mensah", 20).await.unwrap();
    assert_eq!(found.len(), 1);
    // Bad edits change nothing.
    let err = edit_patient(&f.t.clinic, &f.doctor, p.id, person("Amara", "", "1990-01-01")).await.unwrap_err();
    assert_eq!(err.field, Some("family_name"));
    let err = edit_patient(&f.t.clinic, &f.doctor, uuid::Uuid::now_v7(), person("Amara", "X", "1990-01-01")).await.unwrap_err();
    assert_eq!(err.code, Code::NotFound);
    assert_eq!(f.t.snapshot().await, before);
}

#[tokio::test]
async fn opening_a_chart_is_audited() {
    let f = front_desk().await;
    let p = f.t.patient(&f.desk, "Amara", "Okafor", "1990-01-01").await;
    let chart = open_patient(&f.t.clinic, &f.doctor, p.id).await.unwrap();
    assert_eq!(chart.mrn, p.mrn);
    let views: i64 = sqlx::query_scalar("SELECT count(*) FROM audit_event WHERE action = 'view' AND entity = 'patient' AND entity_id = ? AND staff_id = ?")
        .bind(p.id).bind(f.doctor.staff_id).fetch_one(f.t.clinic.store().pool()).await.unwrap();
    assert_eq!(views, 1);
}

#[tokio::test]
async fn merging_two_records_is_reversible() {
    let f = front_desk().await;
    let keep = f.t.patient(&f.desk, "Amara", "Okafor", "1990-01-01").await;
    let twin = f.t.patient(&f.desk, "Amarah", "Okafor", "1990-01-01").await;
    let booked = book_appointment(&f.t.clinic, &f.desk, BookingInput {
        patient_id: twin.id, practitioner_id: f.practitioner.id, type_id: f.visit.id, starts: at("2026-11-23", "10:00"),
        notes: None, override_schedule: false,
    }).await.unwrap();

    // A receptionist may not merge; a manager may.
    assert_eq!(merge_patients(&f.t.clinic, &f.desk, keep.id, twin.id).await.unwrap_err().code, Code::PermissionDenied);
    assert_eq!(merge_patients(&f.t.clinic, &f.manager, keep.id, keep.id).await.unwrap_err().code, Code::Invalid);
    let merged = merge_patients(&f.t.clinic, &f.manager, keep.id, twin.id).await.unwrap();
    assert_eq!(merged.merged_from, vec![twin.id]);
    let found = search_patients(&f.t.clinic, &f.desk, "okafor", 20).await.unwrap();
    assert_eq!(found.iter().map(|p| p.id).collect::<Vec<_>>(), vec![keep.id], "the absorbed record leaves the search");
    assert_eq!(patient_appointments(&f.t.clinic, &f.desk, keep.id).await.unwrap()[0].id, booked.appointment.id);
    assert_eq!(merge_patients(&f.t.clinic, &f.manager, keep.id, twin.id).await.unwrap_err().code, Code::WrongState);
    assert_eq!(edit_patient(&f.t.clinic, &f.desk, twin.id, person("A", "B", "1990-01-01")).await.unwrap_err().code, Code::WrongState);

    let restored = unmerge_patient(&f.t.clinic, &f.manager, twin.id).await.unwrap();
    assert_eq!(restored.merged_into, None);
    assert_eq!(search_patients(&f.t.clinic, &f.desk, "okafor", 20).await.unwrap().len(), 2);
    assert!(patient_appointments(&f.t.clinic, &f.desk, keep.id).await.unwrap().is_empty());
    assert_eq!(patient_appointments(&f.t.clinic, &f.desk, twin.id).await.unwrap().len(), 1);
    let history = patient_history(&f.t.clinic, &f.desk, twin.id).await.unwrap();
    assert_eq!(history.iter().map(|h| h.action.as_str()).collect::<Vec<_>>(), vec!["register", "merge", "unmerge"]);
}
