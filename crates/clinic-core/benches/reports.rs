//! The reports' figures (issue 12): every report over the last year, and the dashboard, on the
//! million-appointment clinic given three years of invoices and payments (one invoice and one
//! payment per completed appointment, written once, untimed, through bare SQL so the store's
//! triggers keep the tallies as sync would). Beside each: bare SQLite reading the same tallies.

use std::time::{Duration, Instant};

use chrono::{Datelike, Duration as Days, Utc};
use clinic_core::auth::login;
use clinic_core::demo::DEMO_PASSWORD;
use clinic_core::ops::reports::{dashboard::dashboard, no_progress, run, Grain, Period, ReportName, ReportRequest};
use clinic_core::ClinicThread;


use crate::bare::{Arg, Bare};
use crate::Row;

const YEARS_OF_MONEY: i64 = 3;

pub async fn figures(clinic: &ClinicThread, raw: &Bare, rows: &mut Vec<Row>) {
    let manager = std::sync::Arc::new(clinic.run(|c| async move { login(&c, "manager", DEMO_PASSWORD).await.unwrap() }).await.unwrap());
    let now = Utc::now();
    let since = (now - Days::days(365 * YEARS_OF_MONEY)).timestamp_millis();
    let invoiced: i64 = clinic.run(|c| async move {
        sqlx::query_scalar("SELECT count(*) FROM invoice WHERE series = 'BENCH-Y'").fetch_one(c.store().pool()).await.unwrap()
    }).await.unwrap();
    if invoiced == 0 {
        let started = Instant::now();
        // Methods by turn; a tenth of the invoices left unpaid (the ageing has something to age).
        raw.exec("BEGIN");
        raw.exec(&format!(
            "INSERT INTO invoice (id, org_id, created_at, updated_at, updated_hlc, site_id, patient_id, appointment_id, number, series, seq, issued_at,
                                  currency, lines, discount, total_minor, tax_minor)
             SELECT randomblob(16), a.org_id, a.ends_at, a.ends_at, 'bench', a.site_id, a.patient_id, a.id, 'BENCH-Y-' || a.rowid, 'BENCH-Y', a.rowid, a.ends_at,
                    'EUR', json_array(json_object('description', t.name, 'item_id', NULL, 'quantity', 1, 'unit_price', t.price_minor,
                                                  'discount', json_object('kind', 'none'), 'tax_rate_bp', 0)),
                    '{{\"kind\":\"none\"}}', t.price_minor, 0
             FROM appointment a JOIN appointment_type t ON t.id = a.type_id
             WHERE a.status = 'completed' AND a.starts_at >= {since} ORDER BY a.starts_at"));
        raw.exec(
            "INSERT INTO payment (id, org_id, created_at, updated_at, updated_hlc, site_id, invoice_id, patient_id, method, amount_minor, change_minor, credit_minor, received_at)
             SELECT randomblob(16), org_id, issued_at, issued_at, 'bench', site_id, id, patient_id,
                    CASE seq % 3 WHEN 0 THEN 'cash' WHEN 1 THEN 'card' ELSE 'transfer' END, total_minor, 0, 0, issued_at + 60000
             FROM invoice WHERE series = 'BENCH-Y' AND seq % 10 != 0 ORDER BY issued_at");
        raw.exec("COMMIT");
        let n: i64 = clinic.run(|c| async move {
            sqlx::query_scalar("SELECT count(*) FROM invoice WHERE series = 'BENCH-Y'").fetch_one(c.store().pool()).await.unwrap()
        }).await.unwrap();
        eprintln!("wrote {n} invoices and their payments over {YEARS_OF_MONEY} years in {:.1?}", started.elapsed());
    }

    let today = now.date_naive();
    let year = Period { from: today - Days::days(364), to: today };
    for (report, what) in [
        (ReportName::Appointments, "appointments report, a year"),
        (ReportName::Utilisation, "utilisation report, a year"),
        (ReportName::Revenue, "revenue report, a year by day"),
        (ReportName::Outstanding, "outstanding invoices and ageing, today"),
        (ReportName::Patients, "new and returning patients, a year"),
        (ReportName::Waiting, "walk-in waiting times, a year"),
        (ReportName::Diagnoses, "diagnoses by chapter and code, a year"),
    ] {
        let mut ours = Vec::new();
        for _ in 0..21 {
            let m = manager.clone();
            let request = ReportRequest { report, period: year, grain: Grain::Day, site_id: None, practitioner_id: None };
            let t = Instant::now();
            clinic.run(move |c| async move { run(&c, &m, request, &no_progress).await.unwrap() }).await.unwrap();
            ours.push(t.elapsed());
        }
        rows.push(Row { what, ours, bare: bare_floor(raw, report, year), budget: "≤ 100 ms" });
    }
    let mut ours = Vec::new();
    for _ in 0..21 {
        let m = manager.clone();
        let t = Instant::now();
        clinic.run(move |c| async move { dashboard(&c, &m).await.unwrap() }).await.unwrap();
        ours.push(t.elapsed());
    }
    let month = today.with_day(1).unwrap() - Days::days(40);
    let mut money = raw.prepare("SELECT day, sum(invoiced - credited), sum(received - refunded) FROM money_tally WHERE day >= ?1 GROUP BY day");
    let bare = (0..21).map(|_| {
        let t = Instant::now();
        money.run(&[Arg::Text(&month.to_string())]);
        t.elapsed()
    }).collect();
    rows.push(Row { what: "the dashboard (core; painted: the e2e figure)", ours, bare, budget: "≤ 300 ms painted" });
}

/// Bare SQLite reading what the report reads (its tally, grouped the same way): the floor.
fn bare_floor(raw: &Bare, report: ReportName, year: Period) -> Vec<Duration> {
    let sql = match report {
        ReportName::Appointments => "SELECT day, practitioner_id, type_id, status, sum(appointments) FROM appointment_tally WHERE day >= ?1 AND day <= ?2 GROUP BY 1, 2, 3, 4",
        ReportName::Utilisation => "SELECT day, practitioner_id, sum(minutes) FROM appointment_tally WHERE day >= ?1 AND day <= ?2 AND status != 'cancelled' GROUP BY 1, 2",
        ReportName::Revenue => "SELECT day, practitioner_id, method, sum(invoiced), sum(tax), sum(credited), sum(received), sum(refunded) FROM money_tally WHERE day >= ?1 AND day <= ?2 GROUP BY 1, 2, 3",
        ReportName::Outstanding => "SELECT i.id, i.number, i.total_minor - COALESCE((SELECT sum(amount_minor) FROM payment WHERE invoice_id = i.id), 0) FROM invoice_balance b JOIN invoice i ON i.id = b.invoice_id WHERE b.settled_at >= ?1 AND ?2 != ''",
        ReportName::Patients => "SELECT day, count(*) FROM first_visit WHERE day >= ?1 AND day <= ?2 GROUP BY day",
        ReportName::Waiting => "SELECT day, practitioner_id, sum(called), sum(waited) FROM walk_in_tally WHERE day >= ?1 AND day <= ?2 GROUP BY 1, 2",
        ReportName::Diagnoses => "SELECT code, sum(diagnoses) FROM diagnosis_tally WHERE day >= ?1 AND day <= ?2 GROUP BY code",
        ReportName::ChartAccess => unreachable!("not timed"),
    };
    let mut statement = raw.prepare(sql);
    let (from, to) = (year.from.to_string(), year.to.to_string());
    let end = Utc::now().timestamp_millis().to_string();
    (0..21).map(|_| {
        let t = Instant::now();
        if report == ReportName::Outstanding {
            statement.run(&[Arg::Int(end.parse().unwrap()), Arg::Text("x")]);
        } else {
            statement.run(&[Arg::Text(&from), Arg::Text(&to)]);
        }
        t.elapsed()
    }).collect()
}

