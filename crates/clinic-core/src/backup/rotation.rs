//! Which backups are kept: the newest of each of the last 7 days that have one, of the last 4
//! weeks and of the last 12 months (grandfather–father–son). A day without a backup (the
//! computer was off) does not push an older one out.

use std::collections::HashSet;

use chrono::{Datelike, NaiveDate};

pub(crate) const DAYS: usize = 7;
pub(crate) const WEEKS: usize = 4;
pub(crate) const MONTHS: usize = 12;

/// The backups to keep, by their index in `backups` (each its instant and its day, in any
/// order). Of two backups of one day, week or month, the newer is the one kept for it.
pub(crate) fn keep(backups: &[(i64, NaiveDate)]) -> HashSet<usize> {
    let mut newest_first: Vec<usize> = (0..backups.len()).collect();
    newest_first.sort_by_key(|i| std::cmp::Reverse(backups[*i].0));
    let mut kept = HashSet::new();
    let mut keep_newest_of = |period: &dyn Fn(NaiveDate) -> (i32, u32), how_many: usize| {
        let mut seen = Vec::new();
        for &i in &newest_first {
            let p = period(backups[i].1);
            if !seen.contains(&p) {
                if seen.len() == how_many {
                    break;
                }
                seen.push(p);
                kept.insert(i);
            }
        }
    };
    keep_newest_of(&|d| (d.year(), d.ordinal()), DAYS);
    keep_newest_of(&|d| (d.iso_week().year(), d.iso_week().week()), WEEKS);
    keep_newest_of(&|d| (d.year(), d.month()), MONTHS);
    kept
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn a_year_and_a_half_of_daily_backups_keeps_7_days_4_weeks_and_12_months() {
        // Every day at 03:00 from 2025-06-01 to 2026-12-04 (a Friday), and a second on the last day.
        let mut backups = Vec::new();
        let mut d = day("2025-06-01");
        while d <= day("2026-12-04") {
            backups.push((d.and_hms_opt(3, 0, 0).unwrap().and_utc().timestamp_millis(), d));
            d = d.succ_opt().unwrap();
        }
        let later_today = (backups.last().unwrap().0 + 3_600_000, day("2026-12-04"));
        backups.push(later_today);
        let kept: Vec<NaiveDate> = {
            let mut k: Vec<_> = keep(&backups).into_iter().map(|i| backups[i]).collect();
            k.sort_by_key(|b| b.0);
            k.into_iter().map(|b| b.1).collect()
        };
        let expect: Vec<NaiveDate> = [
            // the last day of each of the 12 months (the newest in it), December's being today
            "2026-01-31", "2026-02-28", "2026-03-31", "2026-04-30", "2026-05-31", "2026-06-30", "2026-07-31",
            "2026-08-31", "2026-09-30",
            // October's last day, and the Sundays ending the two weeks before last (ISO weeks run Monday to Sunday)
            "2026-10-31", "2026-11-15", "2026-11-22",
            // the last 7 days, one of them November's last
            "2026-11-28", "2026-11-29", "2026-11-30", "2026-12-01", "2026-12-02", "2026-12-03", "2026-12-04",
        ].into_iter().map(day).collect();
        assert_eq!(kept, expect);
        // Of today's two, the later one is kept.
        assert!(keep(&backups).contains(&(backups.len() - 1)));
        assert!(!keep(&backups).contains(&(backups.len() - 2)));
    }

    #[test]
    fn days_without_a_backup_do_not_push_older_ones_out() {
        let backups: Vec<(i64, NaiveDate)> = ["2026-01-05", "2026-03-01", "2026-03-02", "2026-11-30"]
            .into_iter().enumerate().map(|(i, d)| (i as i64, day(d))).collect();
        assert_eq!(keep(&backups).len(), 4);
    }
}
