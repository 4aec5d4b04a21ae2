//! The manager's dashboard: this workstation's site today, at a glance. Read from the tallies and
//! the day's few rows, so it is there as soon as the manager logs in.

use chrono::{Datelike, Duration, NaiveDate};
use serde::Serialize;

use crate::auth::{Permission, Session};
use crate::clinic::Clinic;
use crate::domain::Currency;
use crate::error::Result;

#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct Dashboard {
    pub site: String,
    pub today: NaiveDate,
    pub currency: Currency,
    /// Today's appointments (not cancelled), how many arrived (or were seen), and no-shows.
    pub appointments: i64,
    pub arrived: i64,
    pub no_shows: i64,
    pub cancelled: i64,
    /// Walk-ins waiting now, and how long the longest has waited (minutes).
    pub waiting: i64,
    pub longest_wait: Option<i64>,
    /// Revenue (invoiced less credited) today, this month to today, the same days of last month,
    /// and all of last month; received is the money taken today.
    pub revenue_today: i64,
    pub received_today: i64,
    pub revenue_month: i64,
    pub revenue_last_month_same_days: i64,
    pub revenue_last_month: i64,
    /// What all invoices are owed now, and how many.
    pub outstanding: i64,
    pub outstanding_invoices: i64,
    /// Revenue per day over the last 30 days, oldest first: the dashboard's small chart.
    pub last_30_days: Vec<DayRevenue>,
}

#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct DayRevenue {
    pub day: NaiveDate,
    pub revenue: i64,
}

pub async fn dashboard(clinic: &Clinic, session: &Session) -> Result<Dashboard> {
    crate::auth::authorize(clinic, session, Permission::ViewReports).await?;
    let mut conn = clinic.store().pool().acquire().await?;
    let site = crate::ops::setup::site_settings(clinic, &mut conn).await?;
    let site_id = clinic.device()?.site_id;
    let name = sqlx::query_scalar!("SELECT name FROM site WHERE id = ?", site_id).fetch_one(&mut *conn).await?;
    let now = clinic.clock().now();
    let today = now.with_timezone(&site.time_zone).date_naive();
    let day = today.to_string();
    let a = sqlx::query!(
        r#"SELECT COALESCE(sum(appointments) FILTER (WHERE status != 'cancelled'), 0) AS "appointments!: i64",
                  COALESCE(sum(appointments) FILTER (WHERE status IN ('arrived', 'in_consultation', 'completed')), 0) AS "arrived!: i64",
                  COALESCE(sum(appointments) FILTER (WHERE status = 'no_show'), 0) AS "no_shows!: i64",
                  COALESCE(sum(appointments) FILTER (WHERE status = 'cancelled'), 0) AS "cancelled!: i64"
           FROM appointment_tally WHERE day = ? AND site_id = ?"#, day, site_id
    ).fetch_one(&mut *conn).await?;
    let q = sqlx::query!(
        r#"SELECT count(*) AS "waiting!: i64", min(arrived_at) AS "first: i64" FROM queue_entry
           WHERE site_id = ? AND status = 'waiting' AND appointment_id IS NULL AND deleted_at IS NULL"#, site_id
    ).fetch_one(&mut *conn).await?;
    let month_start = today.with_day(1).expect("the first");
    let last_month_start = (month_start - Duration::days(1)).with_day(1).expect("the first");
    let same_day_last_month = last_month_start.with_day(today.day()).unwrap_or(month_start - Duration::days(1));
    let from = (last_month_start.min(today - Duration::days(29))).to_string();
    let days = sqlx::query!(
        r#"SELECT day AS "day!: String", sum(invoiced - credited) AS "revenue!: i64", sum(received - refunded) AS "received!: i64"
           FROM money_tally WHERE day >= ? AND day <= ? AND site_id = ? GROUP BY day"#, from, day, site_id
    ).fetch_all(&mut *conn).await?;
    let on = |d: &str| days.iter().find(|r| r.day == d);
    let between = |a: NaiveDate, b: NaiveDate| -> i64 {
        days.iter().filter(|r| r.day.as_str() >= a.to_string().as_str() && r.day.as_str() <= b.to_string().as_str()).map(|r| r.revenue).sum()
    };
    let owed = sqlx::query!(
        r#"SELECT COALESCE(sum(owed), 0) AS "owed!: i64", count(*) AS "invoices!: i64" FROM invoice_balance
           WHERE settled_at = 9223372036854775807 AND issued_at IS NOT NULL AND owed > 0 AND site_id = ?"#, site_id
    ).fetch_one(&mut *conn).await?;
    Ok(Dashboard {
        site: name,
        today,
        currency: site.currency,
        appointments: a.appointments,
        arrived: a.arrived,
        no_shows: a.no_shows,
        cancelled: a.cancelled,
        waiting: q.waiting,
        longest_wait: q.first.map(|first| (now.timestamp_millis() - first).max(0) / 60_000),
        revenue_today: on(&day).map_or(0, |r| r.revenue),
        received_today: on(&day).map_or(0, |r| r.received),
        revenue_month: between(month_start, today),
        revenue_last_month_same_days: between(last_month_start, same_day_last_month),
        revenue_last_month: between(last_month_start, month_start - Duration::days(1)),
        outstanding: owed.owed,
        outstanding_invoices: owed.invoices,
        last_30_days: (0..30).rev().map(|back| {
            let d = today - Duration::days(back);
            DayRevenue { day: d, revenue: on(&d.to_string()).map_or(0, |r| r.revenue) }
        }).collect(),
    })
}
