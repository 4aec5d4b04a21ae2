//! The recovery sheet: the recovery code on paper, to keep away from the computer (a safe, the
//! manager's home), with what it opens and how to use it. Printed once, when the code is made.

use chrono::{DateTime, Utc};

use super::{ClinicDetails, Layout, Letterhead, Style};
use crate::error::Result;

pub struct RecoverySheet<'a> {
    pub clinic: &'a ClinicDetails,
    pub workstation: &'a str,
    /// Six groups of four.
    pub code: &'a str,
    /// The four symbols every backup this code opens carries in its file name.
    pub label: &'a str,
    /// Local date and time, "2026-12-05 10:40".
    pub made: &'a str,
}

pub fn recovery_sheet_pdf(sheet: &RecoverySheet, printed_at: DateTime<Utc>) -> Result<Vec<u8>> {
    let letterhead = Letterhead {
        clinic: sheet.clinic.name.clone(),
        logo: sheet.clinic.logo.as_deref(),
        lines: sheet.clinic.lines(),
        title: "Backup recovery sheet".into(),
        reference: vec![format!("Sheet {}", sheet.label), format!("Made {}", sheet.made)],
    };
    let mut page = Layout::new(&letterhead, &format!("Recovery sheet {} · {}", sheet.label, sheet.workstation), None)?;
    page.heading("Recovery code");
    page.text(sheet.code, Style { size: 22.0, bold: true, grey: 0.0 });
    page.space(3.0);
    page.key_values(&[
        ("Workstation", sheet.workstation),
        ("Opens", &format!("this workstation's backups made since {}: their file names end in “-{}.cdbackup”", sheet.made, sheet.label)),
    ]);
    page.space(4.0);
    page.heading("Keep it safe");
    page.text("This code opens every backup of this workstation's clinic data, patients' records included. Keep this sheet \
               locked away and apart from the backups (not in the same bag as the USB disk), and never on the computer.", Style::BODY);
    page.space(3.0);
    page.heading("To restore");
    page.text("On this workstation or a new one: start Clinic Desk, choose “Restore from a backup”, pick the newest backup \
               file in the backup folder, and type this code (dashes and case do not matter). If the workstation syncs with \
               a server, the server must be reachable while it is restored.", Style::BODY);
    page.space(3.0);
    page.text("A new recovery code (Settings → Backups) makes a new sheet for the backups made after it: keep this one \
               until its backups have been rotated out (a year).", Style::SMALL);
    Ok(page.finish(printed_at))
}
