//! Revenue over a period, by day or month, payment method, practitioner and service: what was
//! invoiced (tax included) and its tax, credited, received and refunded. Money counts on the site's
//! day it happened (invoices on their issue, payments when received); tax is what invoices charged
//! less what credit notes gave back. With a practitioner chosen, only what their appointments' and
//! consultations' invoices brought in. From the money and service tallies.

use uuid::Uuid;

use super::{step, Cell, ChartKind, OverTime, Kind, OnProgress, Report, Scope, Table};
use crate::clinic::Clinic;
use crate::error::Result;
use crate::ops::billing::Method;

#[derive(Default, Clone, Copy)]
struct Money {
    invoiced: i64,
    tax: i64,
    credited: i64,
    received: i64,
    refunded: i64,
}

impl Money {
    fn add(&mut self, o: &Money) {
        self.invoiced += o.invoiced;
        self.tax += o.tax;
        self.credited += o.credited;
        self.received += o.received;
        self.refunded += o.refunded;
    }

    fn cells(&self, first: String) -> Vec<Cell> {
        vec![first.into(), self.invoiced.into(), self.tax.into(), self.credited.into(), self.received.into(), self.refunded.into()]
    }
}

const MONEY: [(&str, Kind); 5] =
    [("Invoiced", Kind::Money), ("Tax", Kind::Money), ("Credited", Kind::Money), ("Received", Kind::Money), ("Refunded", Kind::Money)];

fn money_table(title: &str, first: &str) -> Table {
    let columns: Vec<(&str, Kind)> = std::iter::once((first, Kind::Text)).chain(MONEY).collect();
    Table::new(title, &columns)
}

pub(crate) async fn report(clinic: &Clinic, scope: &Scope, progress: OnProgress<'_>) -> Result<Report> {
    let mut conn = clinic.store().pool().acquire().await?;
    let currency = crate::ops::setup::site_settings(clinic, &mut conn).await?.currency;
    let (from, to) = scope.period.bounds();
    let (site, practitioner) = (scope.site_id, scope.practitioner_id);
    let days = sqlx::query!(
        r#"SELECT day AS "day!: String", sum(invoiced) AS "invoiced!: i64", sum(tax) AS "tax!: i64", sum(credited) AS "credited!: i64",
                  sum(received) AS "received!: i64", sum(refunded) AS "refunded!: i64"
           FROM money_tally WHERE day >= ?1 AND day <= ?2 AND (?3 IS NULL OR site_id = ?3) AND (?4 IS NULL OR practitioner_id = ?4)
           GROUP BY day"#,
        from, to, site, practitioner
    ).fetch_all(&mut *conn).await?;
    step(progress, 1, 4)?;
    let keys = scope.period.keys();
    let [m1, m2, h1, h2, t1, t2] = &keys;
    let methods = sqlx::query!(
        r#"SELECT method AS "method!: String", sum(received) AS "received!: i64", sum(refunded) AS "refunded!: i64"
           FROM money_tally WHERE ((day >= ?1 AND day <= ?2) OR (day >= ?3 AND day <= ?4) OR (day >= ?5 AND day <= ?6))
               AND method != '' AND (?7 IS NULL OR site_id = ?7) AND (?8 IS NULL OR practitioner_id = ?8)
           GROUP BY method HAVING sum(received) != 0 OR sum(refunded) != 0 ORDER BY sum(received) DESC, method"#,
        m1, m2, h1, h2, t1, t2, site, practitioner
    ).fetch_all(&mut *conn).await?;
    step(progress, 2, 4)?;
    let practitioners = sqlx::query!(
        r#"SELECT practitioner_id AS "practitioner_id!: Uuid", sum(invoiced) AS "invoiced!: i64", sum(tax) AS "tax!: i64",
                  sum(credited) AS "credited!: i64", sum(received) AS "received!: i64", sum(refunded) AS "refunded!: i64"
           FROM money_tally WHERE ((day >= ?1 AND day <= ?2) OR (day >= ?3 AND day <= ?4) OR (day >= ?5 AND day <= ?6))
               AND (?7 IS NULL OR site_id = ?7) AND (?8 IS NULL OR practitioner_id = ?8)
           GROUP BY practitioner_id"#,
        m1, m2, h1, h2, t1, t2, site, practitioner
    ).fetch_all(&mut *conn).await?;
    step(progress, 3, 4)?;
    let names = super::names(&mut conn).await?;
    let mut by_when: OverTime<Money> = OverTime::new(scope);
    let mut total = Money::default();
    for r in &days {
        let m = Money { invoiced: r.invoiced, tax: r.tax, credited: r.credited, received: r.received, refunded: r.refunded };
        if let Some(row) = by_when.at(&r.day) {
            row.add(&m);
        }
        total.add(&m);
    }

    let mut when = money_table(super::when_title(scope.grain), "When");
    when.rows = by_when.rows().map(|(b, m)| m.cells(b)).collect();
    when.total = Some(total.cells("Total".into()));
    let when = when.chart(ChartKind::Bars, &["Received", "Invoiced"], currency);

    let mut by_method = Table::new("By payment method", &[("Method", Kind::Text), ("Received", Kind::Money), ("Refunded", Kind::Money), ("Net", Kind::Money)]);
    by_method.rows = methods.iter().map(|m| {
        let label = Method::named(&m.method).map(|m| m.words().to_string()).unwrap_or_else(|_| m.method.clone());
        vec![label.into(), m.received.into(), m.refunded.into(), (m.received - m.refunded).into()]
    }).collect();
    by_method.total = Some(vec!["Total".into(), total.received.into(), total.refunded.into(), (total.received - total.refunded).into()]);
    by_method.note = Some("Paid from a patient's credit is its own method: received by method is what each method brought.".into());
    let by_method = by_method.chart(ChartKind::Bars, &["Net"], currency);

    let mut by_practitioner = money_table("By practitioner", "Practitioner");
    let mut listed: Vec<(String, Money)> = practitioners.iter().map(|r| {
        (names.of(r.practitioner_id), Money { invoiced: r.invoiced, tax: r.tax, credited: r.credited, received: r.received, refunded: r.refunded })
    }).collect();
    listed.sort_by(|a, b| b.1.invoiced.cmp(&a.1.invoiced).then_with(|| a.0.cmp(&b.0)));
    by_practitioner.rows = listed.iter().map(|(n, m)| m.cells(n.clone())).collect();
    by_practitioner.total = Some(total.cells("Total".into()));
    by_practitioner.note = Some("None: invoices from the counter or a patient's account, with no appointment or consultation.".into());
    let by_practitioner = by_practitioner.chart(ChartKind::Bars, &["Invoiced"], currency);

    let services = services(&mut conn, scope, &keys).await?.chart(ChartKind::Bars, &["Amount"], currency);
    step(progress, 4, 4)?;
    Ok(Report { title: "Revenue".into(), subtitle: scope.subtitle.clone(), currency, tables: vec![when, by_method, by_practitioner, services] })
}

/// Units and amount (before discounts, tax excluded) per service, credited units taken off; then
/// what discounts took off, so the column adds up to what was invoiced and not credited, before tax.
async fn services(conn: &mut sqlx::SqliteConnection, scope: &Scope, keys: &[String; 6]) -> Result<Table> {
    let [m1, m2, h1, h2, t1, t2] = keys;
    let rows = sqlx::query!(
        r#"SELECT service AS "service!: String", sum(units) AS "units!: i64", sum(amount) AS "amount!: i64"
           FROM service_tally WHERE ((day >= ?1 AND day <= ?2) OR (day >= ?3 AND day <= ?4) OR (day >= ?5 AND day <= ?6))
               AND (?7 IS NULL OR site_id = ?7) AND (?8 IS NULL OR practitioner_id = ?8)
           GROUP BY service ORDER BY sum(amount) DESC, service"#,
        m1, m2, h1, h2, t1, t2, scope.site_id, scope.practitioner_id
    ).fetch_all(conn).await?;
    let mut t = Table::new("By service", &[("Service", Kind::Text), ("Units", Kind::Count), ("Amount", Kind::Money)]);
    let discounts = rows.iter().find(|r| r.service.is_empty()).map_or(0, |r| r.amount);
    t.rows = rows.iter().filter(|r| !r.service.is_empty() && (r.units, r.amount) != (0, 0))
        .map(|r| vec![r.service.clone().into(), r.units.into(), r.amount.into()]).collect();
    if discounts != 0 {
        t.rows.push(vec!["Discounts".into(), Cell::Text(String::new()), discounts.into()]);
    }
    t.total = Some(vec!["Total".into(), Cell::Text(String::new()), rows.iter().map(|r| r.amount).sum::<i64>().into()]);
    t.note = Some("Amounts before tax, at list price; discounts are their own line, so the total is what was invoiced less credited, before tax.".into());
    Ok(t)
}
