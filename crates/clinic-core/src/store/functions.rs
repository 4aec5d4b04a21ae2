//! SQL functions the store's triggers need, registered on every connection that writes.
//!
//! `local_day(instant_ms, zone)` is the calendar day ("2026-11-23") an instant falls on in an IANA
//! time zone: the daily tallies of the reports are kept by site day, and SQLite knows no zone but
//! the process's own. An unknown or missing zone reads as UTC (a tally is never a reason to refuse
//! a row that sync brings).

use std::ffi::{c_int, CStr};

use chrono::TimeZone;
use libsqlite3_sys as ffi;

/// Registers the functions on a raw connection (the store's, or a bare one on the same file).
///
/// # Safety
/// `db` must be an open connection that no other thread uses during the call.
pub unsafe fn register(db: *mut ffi::sqlite3) -> c_int {
    unsafe {
        ffi::sqlite3_create_function_v2(
            db,
            c"local_day".as_ptr(),
            2,
            ffi::SQLITE_UTF8 | ffi::SQLITE_DETERMINISTIC | ffi::SQLITE_INNOCUOUS,
            std::ptr::null_mut(),
            Some(local_day_sql),
            None,
            None,
            None,
        )
    }
}

/// The day of `instant_ms` (milliseconds since 1970, UTC) in `zone`.
pub fn local_day(instant_ms: i64, zone: Option<&str>) -> String {
    let instant = crate::clock::from_millis(instant_ms);
    match zone.and_then(|z| z.parse::<chrono_tz::Tz>().ok()) {
        Some(tz) => tz.from_utc_datetime(&instant.naive_utc()).date_naive().to_string(),
        None => instant.date_naive().to_string(),
    }
}

unsafe extern "C" fn local_day_sql(ctx: *mut ffi::sqlite3_context, argc: c_int, argv: *mut *mut ffi::sqlite3_value) {
    unsafe {
        let args = std::slice::from_raw_parts(argv, argc as usize);
        if ffi::sqlite3_value_type(args[0]) == ffi::SQLITE_NULL {
            ffi::sqlite3_result_null(ctx);
            return;
        }
        let instant = ffi::sqlite3_value_int64(args[0]);
        let zone = ffi::sqlite3_value_text(args[1]);
        let zone = if zone.is_null() { None } else { CStr::from_ptr(zone.cast()).to_str().ok() };
        let day = local_day(instant, zone);
        // SQLITE_TRANSIENT: SQLite copies the text before this function returns.
        ffi::sqlite3_result_text(ctx, day.as_ptr().cast(), day.len() as c_int, ffi::SQLITE_TRANSIENT());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_instant_falls_on_the_zones_day() {
        // 2026-11-23 23:30 UTC: still the 23rd in Lisbon, already the 24th in Tokyo, the 23rd in New York.
        let at = 1_795_476_600_000;
        assert_eq!(local_day(at, Some("Europe/Lisbon")), "2026-11-23");
        assert_eq!(local_day(at, Some("Asia/Tokyo")), "2026-11-24");
        assert_eq!(local_day(at, Some("America/New_York")), "2026-11-23");
        assert_eq!(local_day(at, Some("Nowhere/Atlantis")), "2026-11-23");
        assert_eq!(local_day(at, None), "2026-11-23");
    }
}
