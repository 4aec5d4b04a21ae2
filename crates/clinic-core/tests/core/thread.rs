use std::sync::Arc;

use clinic_core::auth::login;
use clinic_core::clock::ManualClock;
use clinic_core::ops::patients::{register_patient, search_patients};
use clinic_core::ops::setup::set_up_clinic;
use clinic_core::store::MemoryKeyStore;
use clinic_core::{Clinic, ClinicThread, Code};

use crate::helpers::*;

#[tokio::test(flavor = "multi_thread")]
async fn use_cases_run_on_the_clinics_own_thread() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("clinic.db");
    let clock = Arc::new(ManualClock::new(monday()));
    let clinic = ClinicThread::start(move || async move { Clinic::open(&path, &MemoryKeyStore::default(), clock).await }).unwrap();
    let admin = clinic.run(|c| async move { set_up_clinic(&c, setup_input("Europe/Lisbon")).await }).await.unwrap().unwrap();
    assert_eq!(admin.username, "ada");
    // Several callers at once, each answered.
    let desk = clinic.run(|c| async move {
        clinic_core::ops::staff::create_staff(&c, &admin, clinic_core::ops::staff::NewStaff {
            full_name: "Rita Tester".into(), username: "rita".into(), password: STAFF_PASSWORD.into(), roles: vec!["receptionist".into()],
        }).await.unwrap();
        login(&c, "rita", STAFF_PASSWORD).await.unwrap()
    }).await.unwrap();
    let mut calls = Vec::new();
    for (i, name) in ["Ana", "Rui", "Lena", "Kofi"].into_iter().enumerate() {
        let (clinic, desk) = (clinic.clone(), desk.clone());
        calls.push(tokio::spawn(async move {
            clinic.run(move |c| async move {
                register_patient(&c, &desk, person(name, "Silva", &format!("198{i}-01-01")), true).await
            }).await
        }));
    }
    for call in calls {
        call.await.unwrap().unwrap().unwrap();
    }
    let found = clinic.run(move |c| async move { search_patients(&c, &desk, "silva", 20).await }).await.unwrap().unwrap();
    assert_eq!(found.len(), 4);
}

#[test]
fn a_clinic_that_cannot_open_says_why() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("clinic.db");
    std::fs::write(&path, b"not a database at all, just some text that fills a page of the file").unwrap();
    let keys = MemoryKeyStore::default();
    let err = ClinicThread::start(move || async move { Clinic::open(&path, &keys, Arc::new(ManualClock::new(monday()))).await })
        .err()
        .unwrap();
    assert_eq!(err.code, Code::KeyUnavailable, "{}", err.message);
}
