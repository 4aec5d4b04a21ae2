//! Printed documents, read back as a pharmacist's or an auditor's software would: `qpdf --check`
//! says the file is sound, `pdftotext` says what a person reads on it. Both tools are Debian
//! packages (`qpdf`, `poppler-utils`) that scripts/test installs; without them these tests fail.

use std::path::{Path, PathBuf};
use std::process::Command;

use chrono::{NaiveDate, TimeZone, Utc};
use clinic_core::print::{prescription_pdf, unprintable, ClinicDetails, PatientDetails, PrescribedItem, Prescriber, PrescriptionDocument};
use clinic_core::Code;

/// Every string the demo clinic draws names from (patients, staff, doctors, the clinic's own
/// name and address) lives in these two files: every character of every string in them must have
/// a glyph, so a name added there that would print as an empty box fails here.
#[test]
fn every_name_the_demo_clinic_can_produce_prints() {
    let sources = [("demo/names.rs", include_str!("../../src/demo/names.rs")), ("demo/mod.rs", include_str!("../../src/demo/mod.rs"))];
    let mut checked = 0;
    for (file, source) in sources {
        for literal in string_literals(source) {
            let missing = unprintable(&literal);
            assert!(missing.is_empty(), "{file}: {literal:?} has characters the printed documents' font lacks: {missing:?}");
            checked += 1;
        }
    }
    assert!(checked > 300, "only {checked} strings found: has the demo moved?");
    assert!(unprintable("Nguyễn Παπαδόπουλος Иванов Ångström Sørensen Öztürk Íñigo Gonçalves").is_empty());
    assert_eq!(unprintable("王伟"), ['王', '伟'], "a character the font lacks is reported");
}

/// The text of each "…" literal in Rust source, outside comments (escapes are rare there and
/// only ASCII, so they are kept as written).
pub(super) fn string_literals(source: &str) -> Vec<String> {
    let mut literals = Vec::new();
    for line in source.lines() {
        let code = line.split("//").next().unwrap_or("");
        let mut parts = code.split('"');
        parts.next();
        while let (Some(inside), Some(_)) = (parts.next(), parts.next()) {
            literals.push(inside.to_string());
        }
    }
    literals
}

fn sample(copy: Option<&str>) -> PrescriptionDocument {
    PrescriptionDocument {
        number: "RV-1-2026-000042".into(),
        clinic: ClinicDetails {
            name: "Riverside Family Clinic (demo)".into(),
            address: "12 Rua do Rio, 1100-001 Lisboa".into(),
            phone: Some("+351 210 000 000".into()),
            tax_id: Some("PT500000000".into()),
            logo: None,
        },
        prescriber: Prescriber {
            name: "Νίκος Παπαδόπουλος".into(),
            specialisation: "ENT".into(),
            licence_number: Some("OM 48213".into()),
        },
        patient: PatientDetails {
            name: "Thảo Nguyễn Gonçalves".into(),
            mrn: "RV-1-000137".into(),
            birth_date: NaiveDate::from_ymd_opt(1984, 3, 7).unwrap(),
            address: Some("Rua da Conceição 5, 2º Esq., 1100-152 Lisboa".into()),
        },
        issued: "2026-03-02 10:15".into(),
        printed_at: Utc.with_ymd_and_hms(2026, 3, 2, 10, 15, 0).unwrap(),
        allergies: Some("Penicillin (rash)".into()),
        items: vec![
            PrescribedItem {
                drug: "Azithromycin".into(),
                strength: "500 mg".into(),
                form: "tablet".into(),
                dose: "1 tablet".into(),
                route: "by mouth".into(),
                frequency: "once a day".into(),
                duration: "3 days".into(),
                quantity: "3 tablets".into(),
                repeats: 0,
                instructions: "Take one hour before or two hours after a meal, at the same time each day, with a full \
                               glass of water; finish the course even if you feel better, and stop and call the clinic \
                               at once if a rash or swelling of the face appears."
                    .into(),
            },
            PrescribedItem {
                drug: "Ibuprofen".into(),
                strength: "400 mg".into(),
                form: "film-coated tablet".into(),
                dose: "1 tablet".into(),
                route: "by mouth".into(),
                frequency: "up to 3 times a day".into(),
                duration: "5 days".into(),
                quantity: "15 tablets".into(),
                repeats: 1,
                instructions: "With food.".into(),
            },
        ],
        copy: copy.map(str::to_string),
    }
}

#[test]
fn a_prescription_prints_its_patient_prescriber_and_medicines() {
    let text = print_and_read("prescription.pdf", &sample(None));
    for expected in [
        "Riverside Family Clinic (demo)", "12 Rua do Rio, 1100-001 Lisboa", "Prescription", "RV-1-2026-000042",
        "Thảo Nguyễn Gonçalves", "RV-1-000137", "1984-03-07", "Rua da Conceição 5", "Penicillin (rash)",
        "Νίκος Παπαδόπουλος", "ENT", "OM 48213", "2026-03-02 10:15",
        "Azithromycin 500 mg", "1 tablet", "once a day", "3 tablets", "Ibuprofen 400 mg", "15 tablets",
        // The long instruction, wrapped over several lines, begins and ends on the page.
        "Take one hour before", "swelling of the face appears.", "Page 1 of 1",
    ] {
        assert!(text.contains(expected), "{expected:?} is not on the printed prescription:\n{text}");
    }
    assert!(!text.contains("COPY"), "an original is not marked as a copy:\n{text}");
}

#[test]
fn a_reprint_is_the_same_prescription_marked_as_a_copy() {
    let text = print_and_read("prescription-reprint.pdf", &sample(Some("2026-03-02 10:15")));
    assert!(text.contains("COPY — reprint of a document first printed on 2026-03-02 10:15"), "{text}");
    for expected in ["Thảo Nguyễn Gonçalves", "RV-1-000137", "Azithromycin 500 mg", "15 tablets"] {
        assert!(text.contains(expected), "{expected:?} is not on the reprint:\n{text}");
    }
}

#[test]
fn a_long_prescription_runs_onto_numbered_pages() {
    let mut doc = sample(None);
    let item = doc.items[0].clone();
    doc.items = (1..=30).map(|i| PrescribedItem { drug: format!("Medicine {i:02}"), ..item.clone() }).collect();
    let text = print_and_read("prescription-long.pdf", &doc);
    let pages = text.matches("Page ").count();
    assert!(pages >= 3, "30 medicines with long instructions take several pages, not {pages}");
    assert!(text.contains(&format!("Page {pages} of {pages}")), "{text}");
    assert_eq!(text.matches("Dose and directions").count(), pages, "the table's header repeats on each page");
    assert!(text.contains("Medicine 01") && text.contains("Medicine 30"));
}

#[test]
fn a_prescription_without_a_medicine_or_a_dose_is_refused() {
    let mut doc = sample(None);
    doc.items[1].dose = " ".into();
    let error = prescription_pdf(&doc).unwrap_err();
    assert_eq!((error.code, error.field), (Code::Invalid, Some("dose")));
    assert!(error.message.contains("Medicine 2"), "{}", error.message);
    doc.items.clear();
    assert_eq!(prescription_pdf(&doc).unwrap_err().field, Some("items"));
}

/// Prints `doc`, checks the file with qpdf, and returns its text (see `read_back`).
fn print_and_read(name: &str, doc: &PrescriptionDocument) -> String {
    read_back(name, &prescription_pdf(doc).unwrap())
}

/// Checks `pdf` with qpdf and returns its text as `pdftotext -layout` reads it, whitespace runs
/// made single spaces (the layout's columns are not what the tests are about). The PDF and a
/// picture of each page (`pdftoppm`, 60 dpi) are kept under `printed/` in the build's target
/// folder, for a person to look at.
pub(super) fn read_back(name: &str, pdf: &[u8]) -> String {
    let samples = printed_dir();
    std::fs::create_dir_all(&samples).unwrap();
    let path = samples.join(name);
    std::fs::write(&path, pdf).unwrap();
    let check = run("qpdf", &["--check".as_ref(), path.as_os_str()]);
    assert!(check.status.success(), "qpdf --check failed on {name}:\n{}{}", out(&check.stdout), out(&check.stderr));
    let stem = path.with_extension("");
    // Pictures of an earlier, longer version of this document would be mistaken for its pages.
    let prefix = format!("{}-", stem.file_name().unwrap().to_string_lossy());
    for old in std::fs::read_dir(&samples).unwrap().flatten() {
        let old_name = old.file_name().to_string_lossy().into_owned();
        if old_name.strip_prefix(&prefix).and_then(|rest| rest.strip_suffix(".png")).is_some_and(|n| n.chars().all(|c| c.is_ascii_digit())) {
            let _ = std::fs::remove_file(old.path());
        }
    }
    let pictures = run("pdftoppm", &["-r".as_ref(), "60".as_ref(), "-png".as_ref(), path.as_os_str(), stem.as_os_str()]);
    assert!(pictures.status.success(), "pdftoppm failed on {name}: {}", out(&pictures.stderr));
    let text = run("pdftotext", &["-layout".as_ref(), "-enc".as_ref(), "UTF-8".as_ref(), path.as_os_str(), "-".as_ref()]);
    assert!(text.status.success(), "pdftotext failed on {name}: {}", out(&text.stderr));
    out(&text.stdout).lines().map(|l| l.split_whitespace().collect::<Vec<_>>().join(" ")).collect::<Vec<_>>().join("\n")
}

/// `$CARGO_TARGET_DIR/printed`, or the workspace's `target/printed`.
pub(super) fn printed_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target"));
    target.join("printed")
}

pub(super) fn run(tool: &str, args: &[&std::ffi::OsStr]) -> std::process::Output {
    Command::new(tool).args(args).output().unwrap_or_else(|e| {
        panic!("{tool} could not be run ({e}): these tests need the Debian packages qpdf and poppler-utils, which scripts/test installs")
    })
}

fn out(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}
