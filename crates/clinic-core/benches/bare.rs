//! Bare SQLite through its C API, on the same encrypted file: the floor our layers are compared
//! with.

use std::ffi::{c_int, CStr, CString};
use std::ptr;

use libsqlite3_sys as ffi;

pub struct Bare(*mut ffi::sqlite3);

pub struct Statement(*mut ffi::sqlite3_stmt);

pub enum Arg<'a> {
    Int(i64),
    Text(&'a str),
    Blob(&'a [u8]),
}

impl Bare {
    pub fn open(path: &std::path::Path, key_hex: &str) -> Bare {
        let mut db = ptr::null_mut();
        let c_path = CString::new(path.to_str().unwrap()).unwrap();
        let rc = unsafe { ffi::sqlite3_open_v2(c_path.as_ptr(), &mut db, ffi::SQLITE_OPEN_READWRITE, ptr::null()) };
        assert_eq!(rc, ffi::SQLITE_OK);
        // The store's triggers call its SQL functions (the reports' tallies): this connection writes too.
        assert_eq!(unsafe { clinic_core::store::functions::register(db) }, ffi::SQLITE_OK);
        let bare = Bare(db);
        bare.exec(&format!("PRAGMA key = \"x'{key_hex}'\"; PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;"));
        bare
    }

    pub fn exec(&self, sql: &str) {
        let c = CString::new(sql).unwrap();
        let mut err = ptr::null_mut();
        let rc = unsafe { ffi::sqlite3_exec(self.0, c.as_ptr(), None, ptr::null_mut(), &mut err) };
        if rc != ffi::SQLITE_OK {
            panic!("{sql}: {}", unsafe { CStr::from_ptr(err) }.to_string_lossy());
        }
    }

    pub fn prepare(&self, sql: &str) -> Statement {
        let c = CString::new(sql).unwrap();
        let mut stmt = ptr::null_mut();
        let rc = unsafe { ffi::sqlite3_prepare_v2(self.0, c.as_ptr(), -1, &mut stmt, ptr::null_mut()) };
        if rc != ffi::SQLITE_OK {
            panic!("{sql}: {}", unsafe { CStr::from_ptr(ffi::sqlite3_errmsg(self.0)) }.to_string_lossy());
        }
        Statement(stmt)
    }
}

impl Statement {
    /// Binds, steps through every row reading each column (as the app would), resets; returns the
    /// number of rows.
    pub fn run(&mut self, args: &[Arg]) -> usize {
        unsafe {
            for (i, arg) in args.iter().enumerate() {
                let i = i as c_int + 1;
                let rc = match arg {
                    Arg::Int(v) => ffi::sqlite3_bind_int64(self.0, i, *v),
                    Arg::Text(s) => ffi::sqlite3_bind_text(self.0, i, s.as_ptr().cast(), s.len() as c_int, ffi::SQLITE_TRANSIENT()),
                    Arg::Blob(b) => ffi::sqlite3_bind_blob(self.0, i, b.as_ptr().cast(), b.len() as c_int, ffi::SQLITE_TRANSIENT()),
                };
                assert_eq!(rc, ffi::SQLITE_OK);
            }
            let mut rows = 0;
            loop {
                match ffi::sqlite3_step(self.0) {
                    ffi::SQLITE_ROW => {
                        for c in 0..ffi::sqlite3_column_count(self.0) {
                            std::hint::black_box(ffi::sqlite3_column_blob(self.0, c));
                        }
                        rows += 1;
                    }
                    ffi::SQLITE_DONE => break,
                    rc => panic!("step failed: {rc}"),
                }
            }
            ffi::sqlite3_reset(self.0);
            ffi::sqlite3_clear_bindings(self.0);
            rows
        }
    }
}

impl Drop for Statement {
    fn drop(&mut self) {
        unsafe { ffi::sqlite3_finalize(self.0) };
    }
}

impl Drop for Bare {
    fn drop(&mut self) {
        unsafe { ffi::sqlite3_close(self.0) };
    }
}
