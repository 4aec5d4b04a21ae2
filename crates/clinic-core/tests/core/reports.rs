//! Reports: figures checked against a small clinic with known answers.

use clinic_core::ops::billing::credit_notes::{issue_credit_note, CreditNoteInput};
use clinic_core::ops::billing::invoices::*;
use clinic_core::ops::billing::payments::{refund_payment, take_payment, RefundInput};
use clinic_core::ops::billing::cash::{open_cash_session, OpenCashSession};
use clinic_core::ops::billing::Method;
use clinic_core::auth::Session;
use clinic_core::ops::reports::dashboard::dashboard;
use clinic_core::ops::reports::{no_progress, run, Cell, Grain, Period, Report, ReportName, ReportRequest};
use clinic_core::{Clinic, Result};
use clinic_core::Code;

use crate::billing::{draft, line, paying, till};
use crate::helpers::*;

pub fn request(report: ReportName, period: Period) -> ReportRequest {
    ReportRequest { report, period, grain: Grain::Day, site_id: None, practitioner_id: None }
}

async fn revenue(c: &Clinic, s: &Session, period: Period, grain: Grain, practitioner_id: Option<uuid::Uuid>) -> Result<Report> {
    run(c, s, ReportRequest { grain, practitioner_id, ..request(ReportName::Revenue, period) }, &no_progress).await
}

#[tokio::test]
async fn revenue_by_day_and_method_adds_up_to_what_was_invoiced_credited_paid_and_refunded() {
    let t = till().await;
    let (c, desk, manager) = (&t.f.t.clinic, &t.f.desk, &t.f.manager);
    // Monday: Ana's visit (70.44, of which 1.44 tax), paid 20.00 cash and the rest by card.
    let monday = t.checked_out(desk).await;
    take_payment(c, desk, paying(&monday, Method::Cash, "20")).await.unwrap();
    take_payment(c, desk, paying(&monday, Method::Card, "50.44")).await.unwrap();
    // Tuesday 10:00 in Lisbon: a certificate (15.00 + 23 %: 18.45) for a counter sale, paid by card;
    // one vaccine of Monday's credited (12.72) and refunded to the card.
    t.f.t.clock.set(chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2026, 11, 24, 10, 0, 0).unwrap());
    for s in [desk, manager] {
        t.f.t.resume(s).await;
    }
    let d = start_invoice(c, desk, InvoiceFrom::Counter).await.unwrap();
    save_invoice_draft(c, desk, d.id, draft(vec![line("Medical certificate", 1, "15", "", "23")], "")).await.unwrap();
    let tuesday = finalise_invoice(c, desk, d.id).await.unwrap();
    take_payment(c, desk, paying(&tuesday, Method::Card, "18.45")).await.unwrap();
    issue_credit_note(c, manager, CreditNoteInput { invoice_id: monday.id, lines: vec![clinic_sync::money::CreditLine { line: 1, quantity: 1 }],
        reason: "Not given".into() }).await.unwrap();
    open_cash_session(c, manager, OpenCashSession { drawer: "Office".into(), opening_float: "0".into() }).await.unwrap();
    let card = clinic_core::ops::billing::invoices::invoice(c, desk, monday.id).await.unwrap().payments[1].id;
    refund_payment(c, manager, RefundInput { payment_id: card, amount: "12.72".into(), reason: "Not given".into() }).await.unwrap();

    let week = Period { from: date("2026-11-23"), to: date("2026-11-29") };
    let report = revenue(c, manager, week, Grain::Day, None).await.unwrap();
    let by_day = report.table("By day");
    assert_eq!(by_day.rows.len(), 7, "every day of the week, those without money too");
    let day = |when: &str| ["Invoiced", "Tax", "Credited", "Received", "Refunded"].map(|n| by_day.figure(when, n));
    assert_eq!(day("2026-11-23"), [7044, 144, 0, 7044, 0]);
    assert_eq!(day("2026-11-24"), [1845, 345 - 72, 1272, 1845, 1272]);
    assert_eq!(day("2026-11-25"), [0; 5]);
    let total: Vec<i64> = by_day.total.as_ref().unwrap()[1..].iter().map(Cell::number).collect();
    assert_eq!(total, [8889, 417, 1272, 8889, 1272]);
    let methods = report.table("By payment method");
    assert_eq!(methods.rows.iter().map(|r| (r[0].clone(), r[1].number(), r[2].number())).collect::<Vec<_>>(),
        [(Cell::from("Card"), 5044 + 1845, 1272), (Cell::from("Cash"), 2000, 0)]);
    // Services at list price before tax, the credited vaccine taken off: they add up to what was
    // invoiced less credited, before tax (88.89 − 4.17 − 12.72 + 0.72 = 72.00).
    let services = report.table("By service");
    assert_eq!(services.rows.iter().map(|r| (r[0].clone(), r[1].number(), r[2].number())).collect::<Vec<_>>(),
        [(Cell::from("Consultation 30"), 1, 4500), (Cell::from("Medical certificate"), 1, 1500), (Cell::from("Flu vaccine"), 1, 1200)]);
    assert_eq!(services.total.as_ref().unwrap()[2].number(), 7200);
    // Patient and counter invoices are no practitioner's.
    assert_eq!(report.table("By practitioner").figure("None", "Invoiced"), 8889);

    // By month: one row for November; a practitioner's own: nothing here.
    let month = revenue(c, manager, week, Grain::Month, None).await.unwrap();
    assert_eq!(month.table("By month").rows.len(), 1);
    assert_eq!(month.table("By month").figure("2026-11", "Invoiced"), 8889);
    let theirs = revenue(c, manager, week, Grain::Day, Some(t.f.practitioner.id)).await.unwrap();
    assert_eq!(theirs.table("By day").total.as_ref().unwrap()[1].number(), 0);
    assert!(theirs.subtitle.ends_with(&format!(" · {}", t.f.practitioner.display_name)), "{}", theirs.subtitle);

    // The CSV a spreadsheet opens: the header, a line a day, the total.
    let csv = report.csv(0);
    assert!(csv.starts_with("\u{feff}When,Invoiced,Tax,Credited,Received,Refunded\r\n2026-11-23,70.44,1.44,0.00,70.44,0.00\r\n"), "{csv}");
    assert!(csv.ends_with("Total,88.89,4.17,12.72,88.89,12.72\r\n"), "{csv}");

    // A period that ends before it starts, an unknown practitioner or site, a receptionist.
    let backwards = Period { from: date("2026-11-29"), to: date("2026-11-23") };
    assert_eq!(revenue(c, manager, backwards, Grain::Day, None).await.unwrap_err().message, "The period ends before it starts.");
    assert_eq!(revenue(c, manager, week, Grain::Day, Some(uuid::Uuid::now_v7())).await.unwrap_err().field, Some("practitioner_id"));
    let elsewhere = ReportRequest { site_id: Some(uuid::Uuid::now_v7()), ..request(ReportName::Revenue, week) };
    assert_eq!(run(c, manager, elsewhere, &no_progress).await.unwrap_err().field, Some("site_id"));
    assert_eq!(revenue(c, desk, week, Grain::Day, None).await.unwrap_err().code, Code::PermissionDenied);
    tallies_agree_with_their_rows(c).await;
}

#[tokio::test]
async fn outstanding_invoices_age_into_their_bands_as_they_stood_that_day() {
    let t = till().await;
    let (c, desk, manager) = (&t.f.t.clinic, &t.f.desk, &t.f.manager);
    let at = |y, m, d| chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, y, m, d, 10, 0, 0).unwrap();
    // Issued 23 November (70.44, 20.00 paid at once), 15 September (70.44) and 1 August (70.44, paid in full on 1 December).
    let november = t.checked_out(desk).await;
    take_payment(c, desk, paying(&november, Method::Cash, "20")).await.unwrap();
    let mut earlier = Vec::new();
    for (m, d) in [(9, 15), (8, 1)] {
        t.f.t.clock.set(at(2026, m, d));
        t.f.t.resume(desk).await;
        earlier.push(t.checked_out(desk).await);
    }
    t.f.t.clock.set(at(2026, 12, 1));
    t.f.t.resume(desk).await;
    open_cash_session(c, desk, OpenCashSession { drawer: "Front desk".into(), opening_float: "0".into() }).await.ok();
    take_payment(c, desk, paying(&earlier[1], Method::Card, "70.44")).await.unwrap();
    t.f.t.resume(manager).await;

    // As on 30 November: the August one still owed (121 days), September's 76 days, November's 7.
    let report = outstanding(c, manager, "2026-11-30").await.unwrap();
    let invoices = report.table("Outstanding invoices");
    assert_eq!(invoices.rows.iter().map(|o| (o[3].number(), o[4].number())).collect::<Vec<_>>(), [(121, 7044), (76, 7044), (7, 5044)]);
    let ageing = report.table("Ageing");
    assert_eq!(ageing.rows.iter().map(|r| (r[1].number(), r[2].number())).collect::<Vec<_>>(), [(1, 5044), (0, 0), (1, 7044), (1, 7044)]);
    assert_eq!(ageing.total.as_ref().unwrap()[2].number(), 19132);
    assert_eq!(report.subtitle, "As on 30 November 2026");
    // As on 1 December the August one is paid; as on 14 September neither later one was issued.
    let report = outstanding(c, manager, "2026-12-01").await.unwrap();
    assert_eq!(report.table("Outstanding invoices").rows.len(), 2);
    let report = outstanding(c, manager, "2026-09-14").await.unwrap();
    assert_eq!(report.table("Outstanding invoices").rows.iter().map(|o| (o[0].clone(), o[3].number())).collect::<Vec<_>>(),
        [(Cell::from(earlier[1].number.as_deref().unwrap()), 44)]);
    assert_eq!(outstanding(c, desk, "2026-11-30").await.unwrap_err().code, Code::PermissionDenied);

    // The dashboard on 1 December: the August invoice paid today; November's revenue was last month's.
    let d = dashboard(c, manager).await.unwrap();
    assert_eq!((d.today, d.revenue_today, d.received_today, d.revenue_month, d.revenue_last_month_same_days, d.revenue_last_month),
        (date("2026-12-01"), 0, 7044, 0, 0, 7044));
    assert_eq!((d.outstanding, d.outstanding_invoices), (5044 + 7044, 2));
    assert_eq!((d.last_30_days.len(), d.last_30_days.iter().map(|r| r.revenue).sum::<i64>()), (30, 7044), "23 November is within the last 30 days");
}

async fn outstanding(c: &Clinic, s: &Session, as_of: &str) -> Result<Report> {
    run(c, s, request(ReportName::Outstanding, Period { from: date(as_of), to: date(as_of) }), &no_progress).await
}

/// A week at a small clinic, with known answers: on Monday Ana is seen (her first visit), Bruno
/// does not come, Carla cancels, and two walk-ins wait 20 and 70 minutes (Dora is seen, Eva
/// leaves); on Tuesday Ana comes back. The doctor records diagnoses and opens charts.
#[tokio::test]
async fn a_week_of_appointments_walk_ins_diagnoses_and_chart_openings_adds_up() {
    use clinic_core::ops::calendar::*;
    use clinic_core::ops::clinical::{add_diagnosis, open_chart, set_problem_status, DiagnosisInput, ProblemStatus};
    use clinic_core::ops::queue::*;
    let f = front_desk().await;
    let (c, desk, doctor, manager) = (&f.t.clinic, &f.desk, &f.doctor, &f.manager);
    let ana = f.t.patient(desk, "Ana", "Silva", "1980-01-01").await.id;
    let bruno = f.t.patient(desk, "Bruno", "Costa", "1980-01-01").await.id;
    let carla = f.t.patient(desk, "Carla", "Reis", "1980-01-01").await.id;
    let book = |patient, day: &str, time: &str| {
        let input = BookingInput { patient_id: patient, practitioner_id: f.practitioner.id, type_id: f.visit.id, starts: at(day, time), notes: None, override_schedule: false };
        async move { book_appointment(c, desk, input).await.unwrap().appointment.id }
    };
    let (a1, b1, c1, a2) = (book(ana, "2026-11-23", "10:00").await, book(bruno, "2026-11-23", "11:00").await,
        book(carla, "2026-11-23", "14:00").await, book(ana, "2026-11-24", "10:00").await);
    // Walk-ins: Dora arrives 09:00 and is called at 09:20; Eva arrives 09:05, is called at 10:15 and leaves.
    let walk_in = |given: &str| WalkInInput { patient: WalkInPatient::New { details: Box::new(person(given, "Lopes", "1990-05-05")), confirmed_new: true },
        reason: "Cough".into(), priority: Priority::Normal, practitioner_id: None };
    at_time(&f, 23, 9, 0).await;
    let dora = add_walk_in(c, desk, walk_in("Dora")).await.unwrap();
    at_time(&f, 23, 9, 5).await;
    let eva = add_walk_in(c, desk, walk_in("Eva")).await.unwrap();
    at_time(&f, 23, 9, 20).await;
    let now = dashboard(c, manager).await.unwrap();
    assert_eq!((now.waiting, now.longest_wait), (2, Some(20)), "Dora has waited 20 minutes, Eva 15");
    assert_eq!(call_next(c, desk, f.practitioner.id).await.unwrap().unwrap().id, dora.id);
    mark_served(c, desk, dora.id).await.unwrap();
    at_time(&f, 23, 10, 15).await;
    assert_eq!(call_next(c, desk, f.practitioner.id).await.unwrap().unwrap().id, eva.id);
    mark_left(c, desk, eva.id).await.unwrap();
    mark_arrived(c, desk, a1).await.unwrap();
    complete_consultation(c, desk, a1).await.unwrap();
    cancel_appointment(c, desk, c1, "Unwell").await.unwrap();
    at_time(&f, 23, 12, 0).await;
    mark_no_show(c, desk, b1).await.unwrap();
    let now = dashboard(c, manager).await.unwrap();
    assert_eq!((now.appointments, now.arrived, now.no_shows, now.cancelled, now.waiting, now.longest_wait), (2, 1, 1, 1, 0, None));
    let diagnose = |patient, code: &str| add_diagnosis(c, doctor, DiagnosisInput { patient_id: patient, encounter_id: None, code: code.into(), onset: None, comment: None });
    diagnose(ana, "J06.9").await.unwrap();
    diagnose(dora.patient_id, "J06.9").await.unwrap();
    let wrong = diagnose(dora.patient_id, "I10").await.unwrap();
    set_problem_status(c, doctor, wrong.id, ProblemStatus::EnteredInError, None).await.unwrap();
    open_chart(c, doctor, ana, None).await.unwrap();
    open_chart(c, doctor, dora.patient_id, None).await.unwrap();
    at_time(&f, 24, 11, 0).await;
    mark_arrived(c, desk, a2).await.unwrap();
    complete_consultation(c, desk, a2).await.unwrap();
    diagnose(ana, "E11.9").await.unwrap();
    open_chart(c, doctor, ana, None).await.unwrap();

    let week = Period { from: date("2026-11-23"), to: date("2026-11-29") };
    let report = |name| run(c, manager, request(name, week), &no_progress);
    let figures = |t: &clinic_core::ops::reports::Table, row: &str, names: &[&str]| names.iter().map(|n| t.figure(row, n)).collect::<Vec<i64>>();
    let counts = ["Appointments", "Attended", "No-shows", "Cancelled", "No-show rate", "Cancellation rate"];

    let appointments = report(ReportName::Appointments).await.unwrap();
    let by_day = appointments.table("By day");
    assert_eq!(figures(by_day, "2026-11-23", &counts), [3, 1, 1, 1, 5000, 3333], "a no-show of two not cancelled, one cancelled of three");
    assert_eq!(figures(by_day, "2026-11-24", &counts), [1, 1, 0, 0, 0, 0]);
    let total: Vec<i64> = by_day.total.as_ref().unwrap()[1..].iter().map(Cell::number).collect();
    assert_eq!(total, [4, 2, 1, 1, 3333, 2500]);
    assert_eq!(figures(appointments.table("By practitioner"), &f.practitioner.display_name, &counts), [4, 2, 1, 1, 3333, 2500]);
    assert_eq!(figures(appointments.table("By type"), "Consultation 30", &["Appointments"]), [4]);

    // 7 working hours a weekday (09–17, lunch 12:30–13:30): 35 h in the week; booked 1 h 30 (the
    // no-show's time was held, the cancelled one's was not).
    let utilisation = report(ReportName::Utilisation).await.unwrap();
    assert_eq!(figures(utilisation.table("By practitioner"), &f.practitioner.display_name, &["Working hours", "Booked", "Utilisation"]), [2100, 90, 429]);
    assert_eq!(figures(utilisation.table("By day"), "2026-11-23", &["Working hours", "Booked", "Utilisation"]), [420, 60, 1429]);
    assert_eq!(figures(utilisation.table("By day"), "2026-11-28", &["Working hours"]), [0], "Saturday is not worked");

    // Monday: Ana's first visit and Dora's (a walk-in seen); Tuesday: Ana returns. Eva left unseen.
    let patients = report(ReportName::Patients).await.unwrap();
    let t = patients.table("By day");
    assert_eq!(figures(t, "2026-11-23", &["Visits", "New patients", "Returning visits"]), [2, 2, 0]);
    assert_eq!(figures(t, "2026-11-24", &["Visits", "New patients", "Returning visits"]), [1, 0, 1]);

    let waiting = report(ReportName::Waiting).await.unwrap();
    assert_eq!(figures(waiting.table("By day"), "2026-11-23", &["Walk-ins called", "Average wait", "Within 15 min", "Within 30 min", "Within 60 min", "Over 60 min"]),
        [2, 45, 0, 5000, 5000, 1]);

    let diagnoses = report(ReportName::Diagnoses).await.unwrap();
    let chapters = diagnoses.table("By chapter");
    assert_eq!(chapters.rows.iter().map(|r| (r[1].clone(), r[2].number())).collect::<Vec<_>>(),
        [(Cell::from("J00-J99"), 2), (Cell::from("E00-E89"), 1)], "the diagnosis entered in error does not count");
    assert_eq!(diagnoses.table("By code").rows[0][0], Cell::from("J06.9"));

    // Who opened which chart: the admin's report; the manager may not see it.
    assert_eq!(run(c, manager, request(ReportName::ChartAccess, week), &no_progress).await.unwrap_err().code, Code::PermissionDenied);
    let access = run(c, &f.t.admin, request(ReportName::ChartAccess, week), &no_progress).await.unwrap();
    let doctor_name = access.table("By staff member").rows[0][0].clone();
    assert_eq!(access.table("By staff member").rows[0][1..].iter().map(Cell::number).collect::<Vec<_>>(), [3, 2, 0], "{doctor_name:?}: three openings of two patients");
    let log = access.table("Charts opened");
    assert_eq!((log.rows.len(), &log.rows[0][0], &log.rows[0][2]), (3, &Cell::from("2026-11-24 11:00"), &Cell::from("Ana Silva")), "newest first");
    // It names patients, so reading it is on the trail too.
    let trail = clinic_core::audit::recent(c, &f.t.admin, None, 1).await.unwrap();
    assert_eq!((trail[0].action.as_str(), trail[0].staff_id), ("view_report", Some(f.t.admin.staff_id)));

    // A long report can be stopped: the chart-access one reads a month at a time.
    let year = Period { from: date("2026-01-01"), to: date("2026-12-31") };
    let seen = std::sync::Mutex::new(Vec::new());
    let stop_at_three = |p: clinic_core::ops::reports::Progress| {
        seen.lock().unwrap().push((p.done, p.total));
        if p.done == 3 { std::ops::ControlFlow::Break(()) } else { std::ops::ControlFlow::Continue(()) }
    };
    let stopped = run(c, &f.t.admin, request(ReportName::ChartAccess, year), &stop_at_three).await.unwrap_err();
    assert_eq!((stopped.code, seen.into_inner().unwrap()), (Code::Cancelled, vec![(1, 12), (2, 12), (3, 12)]));
    tallies_agree_with_their_rows(c).await;
}

/// The clock at that time of November 2026, everyone back at their desk.
async fn at_time(f: &Front, day: u32, hour: u32, minute: u32) {
    f.t.clock.set(chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2026, 11, day, hour, minute, 0).unwrap());
    for s in [&f.desk, &f.doctor, &f.manager, &f.t.admin] {
        f.t.resume(s).await;
    }
}

/// The tallies the store's triggers keep say what the rows themselves say, counted afresh: each
/// day's appointments and money, and each month's sums of its days.
async fn tallies_agree_with_their_rows(c: &Clinic) {
    let pool = c.store().pool();
    let rows = |sql: &'static str| async move {
        let mut found: Vec<(String, i64, i64)> = sqlx::query_as(sql).fetch_all(pool).await.unwrap();
        found.retain(|r| (r.1, r.2) != (0, 0));
        found.sort();
        found
    };
    assert_eq!(
        rows("SELECT day || status, sum(appointments), sum(minutes) FROM appointment_tally WHERE day NOT LIKE 'M%' GROUP BY day, status").await,
        rows("SELECT local_day(starts_at, time_zone) || status, count(*), sum((ends_at - starts_at) / 60000) FROM appointment WHERE deleted_at IS NULL GROUP BY 1").await);
    assert_eq!(
        rows("SELECT substr(day, 2) || status, sum(appointments), sum(minutes) FROM appointment_tally WHERE day LIKE 'M%' GROUP BY day, status").await,
        rows("SELECT substr(day, 1, 7) || status, sum(appointments), sum(minutes) FROM appointment_tally WHERE day NOT LIKE 'M%' GROUP BY 1").await);
    assert_eq!(
        rows("SELECT day || method, sum(invoiced + credited), sum(received + refunded) FROM money_tally WHERE day NOT LIKE 'M%' GROUP BY day, method").await,
        rows("SELECT day || method, sum(a), sum(b) FROM (
                  SELECT local_day(issued_at, (SELECT time_zone FROM site s WHERE s.id = i.site_id)) AS day, '' AS method, total_minor AS a, 0 AS b FROM invoice i
                  UNION ALL SELECT local_day(issued_at, (SELECT time_zone FROM site s WHERE s.id = n.site_id)), '', total_minor, 0 FROM credit_note n
                  UNION ALL SELECT local_day(received_at, (SELECT time_zone FROM site s WHERE s.id = p.site_id)), method, 0, amount_minor FROM payment p
                  UNION ALL SELECT local_day(refunded_at, (SELECT time_zone FROM site s WHERE s.id = r.site_id)), method, 0, amount_minor FROM refund r)
              GROUP BY 1").await);
    assert_eq!(
        rows("SELECT substr(day, 2) || method, sum(invoiced + credited), sum(received + refunded) FROM money_tally WHERE day LIKE 'M%' GROUP BY day, method").await,
        rows("SELECT substr(day, 1, 7) || method, sum(invoiced + credited), sum(received + refunded) FROM money_tally WHERE day NOT LIKE 'M%' GROUP BY 1").await);
}
