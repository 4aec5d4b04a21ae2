//! Walk-in waiting times: per day (or month) and practitioner, how many walk-ins were called in,
//! their average wait, and how many were called within 15, 30 and 60 minutes. From the walk-in tally.

use std::collections::HashMap;

use uuid::Uuid;

use super::{step, Cell, ChartKind, OverTime, Kind, OnProgress, Report, Scope, Table};
use crate::clinic::Clinic;
use crate::error::Result;
use crate::ops::reports::appointments::rate;

#[derive(Default, Clone, Copy)]
struct Waits {
    called: i64,
    waited: i64,
    within: [i64; 3],
}

impl Waits {
    fn add(&mut self, o: Waits) {
        self.called += o.called;
        self.waited += o.waited;
        (0..3).for_each(|i| self.within[i] += o.within[i]);
    }

    fn cells(self, first: String) -> Vec<Cell> {
        let average = if self.called == 0 { 0 } else { (self.waited + self.called / 2) / self.called };
        vec![first.into(), self.called.into(), average.into(), rate(self.within[0], self.called).into(),
             rate(self.within[1], self.called).into(), rate(self.within[2], self.called).into(), (self.called - self.within[2]).into()]
    }
}

fn table(title: &str, first: &str) -> Table {
    Table::new(title, &[(first, Kind::Text), ("Walk-ins called", Kind::Count), ("Average wait", Kind::Minutes),
        ("Within 15 min", Kind::Percent), ("Within 30 min", Kind::Percent), ("Within 60 min", Kind::Percent), ("Over 60 min", Kind::Count)])
}

pub(crate) async fn report(clinic: &Clinic, scope: &Scope, progress: OnProgress<'_>) -> Result<Report> {
    let mut conn = clinic.store().pool().acquire().await?;
    let currency = crate::ops::setup::site_settings(clinic, &mut conn).await?.currency;
    let (from, to) = scope.period.bounds();
    let rows = sqlx::query!(
        r#"SELECT day AS "day!: String", practitioner_id AS "practitioner_id!: Uuid", sum(called) AS "called!: i64", sum(waited) AS "waited!: i64",
                  sum(within_15) AS "w15!: i64", sum(within_30) AS "w30!: i64", sum(within_60) AS "w60!: i64"
           FROM walk_in_tally WHERE day >= ?1 AND day <= ?2 AND (?3 IS NULL OR site_id = ?3) AND (?4 IS NULL OR practitioner_id = ?4)
           GROUP BY day, practitioner_id HAVING sum(called) != 0"#,
        from, to, scope.site_id, scope.practitioner_id
    ).fetch_all(&mut *conn).await?;
    step(progress, 1, 2)?;
    let names = super::names(&mut conn).await?;
    let mut by_when: OverTime<Waits> = OverTime::new(scope);
    let mut by_practitioner: HashMap<Uuid, Waits> = HashMap::new();
    let mut total = Waits::default();
    for r in &rows {
        let w = Waits { called: r.called, waited: r.waited, within: [r.w15, r.w30, r.w60] };
        if let Some(row) = by_when.at(&r.day) {
            row.add(w);
        }
        by_practitioner.entry(r.practitioner_id).or_default().add(w);
        total.add(w);
    }
    let mut when = table(super::when_title(scope.grain), "When");
    when.rows = by_when.rows().map(|(b, w)| w.cells(b)).collect();
    when.total = Some(total.cells("Total".into()));
    when.note = Some("From arrival to being called in; walk-ins only (appointments are seen at their time).".into());
    let when = when.chart(ChartKind::Line, &["Average wait"], currency);
    let mut practitioners = table("By practitioner", "Practitioner");
    let mut listed: Vec<(String, Waits)> = by_practitioner.into_iter().map(|(id, w)| (names.of(id), w)).collect();
    listed.sort_by(|a, b| b.1.called.cmp(&a.1.called).then_with(|| a.0.cmp(&b.0)));
    practitioners.rows = listed.into_iter().map(|(n, w)| w.cells(n)).collect();
    practitioners.total = Some(total.cells("Total".into()));
    practitioners.note = Some("None: walk-ins for whoever was free.".into());
    let practitioners = practitioners.chart(ChartKind::Bars, &["Average wait"], currency);
    step(progress, 2, 2)?;
    Ok(Report { title: "Walk-in waiting times".into(), subtitle: scope.subtitle.clone(), currency, tables: vec![when, practitioners] })
}
