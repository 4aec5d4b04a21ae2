//! Every kind of record that syncs, declared once (DESIGN.md §5a): its fields and what values they
//! may hold, its unique keys, who may insert, update and delete it, which fields need more, and how
//! concurrent changes are reconciled. The server validates every pushed mutation against this, the
//! workstation checks every pulled record against it, and tests tie it to the workstation's tables.

/// How concurrent changes to one record are reconciled on the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Policy {
    /// Fields changed on different workstations merge; the same field changed on two resolves by
    /// hybrid clock (the later stamp wins, both values stay in the history), except the `human`
    /// fields, where a second concurrent change opens a conflict for a person instead.
    FieldMerge { human: &'static [&'static str] },
    /// As `FieldMerge`, and one practitioner's active appointments may not overlap: a clash made
    /// offline is kept, marked, and opened as a conflict to rebook, keep both, or cancel.
    NoOverlap,
    /// Written once, never changed (the audit trail).
    AppendOnly,
    /// As `FieldMerge` while a draft; signing (`signed_at`, `content_hash`, `signature`, by the
    /// record's `author_id` only) freezes it: the server refuses any later change, and the
    /// signature over the `content` fields' hash proves who signed what (`signed.rs`). A record
    /// may be created already signed (an addendum).
    Signed { content: &'static [&'static str] },
    /// A ledger entry (an invoice, a payment, a refund, a credit note): written once by someone
    /// whose role allows it, signed and checked as any change, never changed or deleted. A
    /// mistake is put right by another entry (a credit note, a refund), so the books only grow.
    Ledger,
    /// As `FieldMerge` while open, and changed only by the person the `owner` field names; once
    /// `closed` is set (a cash session counted and closed), nobody changes it again.
    Closing { closed: &'static str, owner: &'static str },
}

use crate::permissions::Allowed::{self, Anyone, Nobody, With};
use crate::permissions::Permission::*;
use crate::permissions::Permission;

/// What a field may hold, as JSON on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A UUID, as lower-case hyphenated text (one form only: values are compared as text).
    Id,
    /// The id of a record of this entity, which the server must hold (a booking for a patient
    /// that never reached it would be a booking no workstation can show).
    Ref(&'static str),
    /// A login name: 3 to 32 of a–z, digits, dots, dashes and underscores.
    Username,
    /// Text of at most this many characters, without NUL.
    Text(usize),
    /// One of these words.
    OneOf(&'static [&'static str]),
    /// A whole number in this range (inclusive).
    Int(i64, i64),
    Bool,
    /// An instant: unix milliseconds, from 1970 to the end of 9999.
    Instant,
    /// A calendar date, `YYYY-MM-DD`.
    Date,
    /// A list of at most this many short texts (phones, allergies).
    List(usize),
    /// A practitioner's week: `[{weekday: "Mon", start: "09:00", end: "17:00", breaks: [{start, end}]}]`.
    Hours,
    /// An emergency contact: `{name, relation, phone}`.
    Contact,
    /// Staff roles, comma-separated, at least one.
    Roles,
    /// An IANA time zone the app knows, e.g. `Europe/Lisbon`.
    Zone,
    /// One of `CURRENCIES`.
    Currency,
    /// An invoice's lines (`money.rs`): `[{description, item_id, quantity, unit_price, discount, tax_rate_bp}]`.
    Charges,
    /// A discount: `{kind: "none"}`, `{kind: "percent", value: basis points}`, `{kind: "amount", value: minor units}`.
    Discount,
    /// What a credit note gives back: `[{line, quantity}]`, lines of the invoice it refers to.
    Credits,
    /// An amount per payment method, `{"cash": 12000, "card": 4550}` (a cash-up's counts).
    Amounts,
}

/// The currencies the app knows (ISO 4217), with their minor digits (JPY none, BHD three).
pub const CURRENCIES: &[(&str, u8)] = &[
    ("AED", 2), ("ARS", 2), ("AUD", 2), ("BDT", 2), ("BGN", 2), ("BHD", 3), ("BRL", 2), ("CAD", 2), ("CHF", 2),
    ("CLP", 0), ("CNY", 2), ("COP", 2), ("CZK", 2), ("DKK", 2), ("DZD", 2), ("EGP", 2), ("ETB", 2), ("EUR", 2),
    ("GBP", 2), ("GHS", 2), ("HKD", 2), ("HUF", 2), ("IDR", 2), ("ILS", 2), ("INR", 2), ("IQD", 3), ("ISK", 0),
    ("JOD", 3), ("JPY", 0), ("KES", 2), ("KRW", 0), ("KWD", 3), ("LKR", 2), ("MAD", 2), ("MXN", 2), ("MYR", 2),
    ("NGN", 2), ("NOK", 2), ("NPR", 2), ("NZD", 2), ("OMR", 3), ("PEN", 2), ("PHP", 2), ("PKR", 2), ("PLN", 2),
    ("QAR", 2), ("RON", 2), ("RSD", 2), ("RUB", 2), ("SAR", 2), ("SEK", 2), ("SGD", 2), ("THB", 2), ("TND", 3),
    ("TRY", 2), ("TWD", 2), ("TZS", 2), ("UAH", 2), ("UGX", 0), ("USD", 2), ("UYU", 2), ("VND", 0), ("XAF", 0),
    ("XOF", 0), ("ZAR", 2),
];

/// Whether a field must be given when a record is created.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Presence {
    /// Never null; given when the record is created.
    Required,
    /// A flag, never null; when not given, this (the table's default too).
    Defaulted(bool),
    /// May be null.
    Nullable,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Field {
    pub name: &'static str,
    pub kind: Kind,
    pub presence: Presence,
}

const fn required(name: &'static str, kind: Kind) -> Field {
    Field { name, kind, presence: Presence::Required }
}
/// A true-or-false flag that, when not given, is `default`.
const fn flag(name: &'static str, default: bool) -> Field {
    Field { name, kind: Kind::Bool, presence: Presence::Defaulted(default) }
}
const fn nullable(name: &'static str, kind: Kind) -> Field {
    Field { name, kind, presence: Presence::Nullable }
}

/// Who may make each kind of change, by permission (`permissions.rs`). Tombstoning (setting
/// `deleted_at`) is a delete.
#[derive(Debug, Clone, Copy)]
pub struct Access {
    pub insert: Allowed,
    pub update: Allowed,
    pub delete: Allowed,
}

const fn access(insert: Allowed, update: Allowed, delete: Allowed) -> Access {
    Access { insert, update, delete }
}

#[derive(Debug)]
pub struct Entity {
    /// The name mutations and records carry; also the workstation's table.
    pub name: &'static str,
    pub policy: Policy,
    /// The fields a workstation writes, beside the columns every synced row has (`META`).
    pub fields: &'static [Field],
    /// Fields whose value no two live records of an organisation may share. Two workstations
    /// offline can still both use one: the server keeps both and opens a conflict for a person.
    pub unique: &'static [&'static str],
    pub access: Access,
    /// Fields that need more: setting them (or, where `Guard::Changing`, clearing them too)
    /// takes this permission as well.
    pub guarded: &'static [(&'static str, Permission, Guard)],
    /// Fields a staff member may change on their own staff record, whatever their roles.
    pub own: &'static [&'static str],
    /// Fields sync carries but no person reads: never in the audit trail, never shown (a password
    /// hash travels for offline login).
    pub secret: &'static [&'static str],
    /// Times that must come in order in every version of the record (an end after its start).
    pub ordered: &'static [Order],
    /// Clinical content (DESIGN.md §7a): only clinicians read it, and the audit trail records
    /// which fields a change made, never their values (the admin who reads the trail sees none).
    pub clinical: bool,
}

/// What of a guarded field takes its roles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Guard {
    /// Giving it a value: clearing it is open to whoever may change the record (moving a
    /// deliberate double booking to a free time clears `double_booked`).
    Setting,
    /// Any change, either way (an unmerge is as much a manager's decision as a merge).
    Changing,
}

impl Guard {
    /// Whether changing a guarded field from `old` to `new` takes its permission. Empty (absent,
    /// null or false) is one value, so false → null changes nothing; `Setting` asks only when a
    /// value is given. The server, the workstation and the tests all ask this.
    pub fn applies(self, old: Option<&serde_json::Value>, new: &serde_json::Value) -> bool {
        use serde_json::Value;
        let unset = |v: Option<&Value>| matches!(v, None | Some(Value::Null) | Some(Value::Bool(false)));
        let same = old == Some(new) || (unset(old) && unset(Some(new)));
        !same && (self == Guard::Changing || !unset(Some(new)))
    }
}

impl Kind {
    /// Text a person reads and types (a username, a record number): a key that can be renamed.
    pub fn is_words(self) -> bool {
        matches!(self, Kind::Username | Kind::Text(_))
    }
}

/// `later` comes after `earlier` (or at the same time, where `may_equal`).
#[derive(Debug, Clone, Copy)]
pub struct Order {
    pub earlier: &'static str,
    pub later: &'static str,
    pub may_equal: bool,
}

/// Columns every synced row has, which the server sets from the mutation itself: no workstation
/// names them in a change. (`version` travels beside a record's data, not in it.)
pub const META: &[Field] = &[
    required("id", Kind::Id), required("org_id", Kind::Id), required("created_at", Kind::Instant),
    nullable("created_by", Kind::Id), required("updated_at", Kind::Instant), required("updated_hlc", Kind::Text(64)),
    nullable("updated_by", Kind::Id),
];
/// The tombstone: setting it deletes a record (nothing synced is removed), clearing it restores one.
pub const DELETED_AT: Field = nullable("deleted_at", Kind::Instant);
pub const VERSION: &str = "version";

const ZONE: Kind = Kind::Zone;
const CURRENCY: Kind = Kind::Currency;
const MONEY: Kind = Kind::Int(0, 1_000_000_000_000);
const NAME: Kind = Kind::Text(200);
/// In basis points: 23 % = 2300, exempt = 0.
const TAX_RATE: Kind = Kind::Int(0, 10_000);
const PAYMENT_METHOD: Kind = Kind::OneOf(crate::money::METHODS);
const NOTE: Kind = Kind::Text(4000);
/// A section of a clinical note.
const CLINICAL_TEXT: Kind = Kind::Text(100_000);
const ROUTE: Kind = Kind::OneOf(&["oral", "sublingual", "topical", "transdermal", "inhaled", "nasal", "ophthalmic", "otic",
    "rectal", "vaginal", "subcutaneous", "intramuscular", "intravenous", "other"]);

/// In dependency order: a workstation applies a first sync in this order, so references resolve.
pub const ENTITIES: &[Entity] = &[
    Entity {
        name: "organisation",
        policy: Policy::FieldMerge { human: &[] },
        fields: &[required("name", NAME)],
        unique: &[],
        access: access(With(ManageClinic), With(ManageClinic), Nobody),
        guarded: &[],
        own: &[],
        secret: &[],
        ordered: &[],
        clinical: false,
    },
    Entity {
        name: "site",
        policy: Policy::FieldMerge { human: &[] },
        fields: &[required("name", NAME), required("code", Kind::Text(4)), required("address", Kind::Text(500)),
            required("time_zone", ZONE), required("currency", CURRENCY), nullable("tax_id", Kind::Text(64)),
            // Minutes idle before a session must be unlocked (none: 10); 30 at most, HIPAA's automatic log-off.
            nullable("idle_lock_minutes", Kind::Int(1, 30)),
            // Money: the largest discount a receptionist gives (none: 10 %), the note printed on
            // every invoice (a tax exemption), the letterhead's logo (PNG or JPEG, base64).
            nullable("discount_limit_bp", TAX_RATE), nullable("invoice_note", Kind::Text(500)), nullable("logo", Kind::Text(400_000))],
        unique: &[],
        access: access(With(ManageClinic), With(ManageClinic), Nobody),
        guarded: &[],
        own: &[],
        secret: &[],
        ordered: &[],
        clinical: false,
    },
    Entity {
        name: "staff",
        policy: Policy::FieldMerge { human: &[] },
        // The signing key (DESIGN.md §5b): the public half every change of theirs is verified
        // with, and the private half sealed under their password (a password change seals it again).
        fields: &[required("full_name", NAME), required("username", Kind::Username), required("password_hash", Kind::Text(200)),
            required("roles", Kind::Roles), flag("active", true), nullable("public_key", Kind::Text(64)),
            nullable("sealed_key", Kind::Text(200)),
            // Set by an admin's password reset: failures counted before it lock nobody out, on any workstation.
            nullable("lockout_cleared_at", Kind::Instant)],
        unique: &["username"],
        access: access(With(ManageStaff), With(ManageStaff), Nobody),
        guarded: &[],
        own: &["password_hash", "sealed_key"],
        secret: &["password_hash", "sealed_key"],
        ordered: &[],
        clinical: false,
    },
    Entity {
        name: "practitioner",
        policy: Policy::FieldMerge { human: &[] },
        fields: &[required("staff_id", Kind::Ref("staff")), required("site_id", Kind::Ref("site")), required("display_name", NAME),
            required("specialisation", NAME), required("fee_minor", MONEY), required("currency", CURRENCY),
            required("weekly_hours", Kind::Hours), flag("active", true)],
        unique: &["staff_id"],
        access: access(With(ManagePractitioners), With(ManagePractitioners), Nobody),
        guarded: &[],
        own: &[],
        secret: &[],
        ordered: &[],
        clinical: false,
    },
    Entity {
        name: "time_off",
        policy: Policy::FieldMerge { human: &[] },
        fields: &[required("site_id", Kind::Ref("site")), nullable("practitioner_id", Kind::Ref("practitioner")), required("starts_at", Kind::Instant),
            required("ends_at", Kind::Instant), required("reason", NAME)],
        unique: &[],
        access: access(With(ManagePractitioners), With(ManagePractitioners), With(ManagePractitioners)),
        guarded: &[],
        own: &[],
        secret: &[],
        ordered: &[Order { earlier: "starts_at", later: "ends_at", may_equal: false }],
        clinical: false,
    },
    Entity {
        name: "appointment_type",
        policy: Policy::FieldMerge { human: &[] },
        fields: &[required("name", NAME), required("duration_min", Kind::Int(1, 1440)), required("buffer_min", Kind::Int(0, 1440)),
            required("price_minor", MONEY), required("currency", CURRENCY), required("colour", Kind::Text(16)),
            flag("active", true),
            // The note a consultation of this type starts from: {"subjective": …, "objective": …, "assessment": …, "plan": …}.
            nullable("note_template", Kind::Text(20_000)),
            // Charged at this rate (none: exempt, as medical care often is).
            nullable("tax_rate_bp", TAX_RATE)],
        unique: &[],
        access: access(With(ManageAppointmentTypes), With(ManageAppointmentTypes), Nobody),
        guarded: &[],
        own: &[],
        secret: &[],
        ordered: &[],
        clinical: false,
    },
    Entity {
        name: "patient",
        policy: Policy::FieldMerge { human: &["birth_date", "sex", "allergies"] },
        fields: &[required("mrn", Kind::Text(32)), required("given_name", NAME), required("family_name", NAME),
            required("sex", Kind::OneOf(&["female", "male", "other", "unknown"])), required("birth_date", Kind::Date),
            required("birth_date_estimated", Kind::Bool), required("phones", Kind::List(10)), nullable("email", Kind::Text(254)),
            nullable("address", Kind::Text(500)), nullable("national_id", Kind::Text(64)), nullable("emergency_contact", Kind::Contact),
            nullable("blood_group", Kind::OneOf(&["A+", "A-", "B+", "B-", "AB+", "AB-", "O+", "O-"])), required("allergies", Kind::List(50)),
            nullable("notes", NOTE), nullable("merged_into", Kind::Ref("patient")),
            // A clinician asked and the patient has none: distinct from never asked (no allergy records either way).
            flag("no_known_allergies", false)],
        unique: &["mrn"],
        // A patient record is never deleted: a duplicate is merged into the right one (reversibly).
        access: access(With(RegisterPatients), With(EditPatients), Nobody),
        guarded: &[("merged_into", MergePatients, Guard::Changing), ("no_known_allergies", WriteClinical, Guard::Changing)],
        own: &[],
        secret: &[],
        ordered: &[],
        clinical: false,
    },
    Entity {
        name: "appointment",
        policy: Policy::NoOverlap,
        fields: &[required("site_id", Kind::Ref("site")), required("patient_id", Kind::Ref("patient")),
            required("practitioner_id", Kind::Ref("practitioner")), required("type_id", Kind::Ref("appointment_type")),
            required("starts_at", Kind::Instant), required("ends_at", Kind::Instant),
            required("busy_until", Kind::Instant), required("time_zone", ZONE),
            required("status", Kind::OneOf(&["booked", "arrived", "in_consultation", "completed", "cancelled", "no_show"])),
            nullable("cancel_reason", NAME), flag("double_booked", false), flag("outside_hours", false),
            nullable("notes", NOTE)],
        unique: &[],
        // Cancelled, never deleted: the history of a booking stays.
        access: access(With(BookAppointments), With(BookAppointments), Nobody),
        guarded: &[("double_booked", OverrideSchedule, Guard::Setting), ("outside_hours", OverrideSchedule, Guard::Setting)],
        own: &[],
        secret: &[],
        // It ends after it starts, and its buffer does not end before it.
        ordered: &[Order { earlier: "starts_at", later: "ends_at", may_equal: false },
            Order { earlier: "ends_at", later: "busy_until", may_equal: true }],
        clinical: false,
    },
    Entity {
        name: "queue_entry",
        policy: Policy::FieldMerge { human: &[] },
        fields: &[required("site_id", Kind::Ref("site")), required("patient_id", Kind::Ref("patient")),
            nullable("appointment_id", Kind::Ref("appointment")), nullable("practitioner_id", Kind::Ref("practitioner")),
            required("reason", NAME), required("priority", Kind::Int(0, 2)),
            required("status", Kind::OneOf(&["waiting", "called", "served", "left"])), required("arrived_at", Kind::Instant),
            nullable("called_at", Kind::Instant), nullable("finished_at", Kind::Instant)],
        unique: &[],
        access: access(With(ManageQueue), With(ManageQueue), Nobody),
        guarded: &[],
        own: &[],
        secret: &[],
        ordered: &[],
        clinical: false,
    },
    // The doctor's desk (DESIGN.md §7a). A consultation: opened from an appointment or a walk-in.
    Entity {
        name: "encounter",
        policy: Policy::FieldMerge { human: &[] },
        fields: &[required("patient_id", Kind::Ref("patient")), required("practitioner_id", Kind::Ref("practitioner")),
            nullable("appointment_id", Kind::Ref("appointment")), nullable("queue_entry_id", Kind::Ref("queue_entry")),
            required("reason", NAME), required("started_at", Kind::Instant), nullable("ended_at", Kind::Instant),
            required("status", Kind::OneOf(&["open", "completed"]))],
        unique: &[],
        access: access(With(WriteClinical), With(WriteClinical), Nobody),
        guarded: &[],
        own: &[],
        secret: &[],
        ordered: &[Order { earlier: "started_at", later: "ended_at", may_equal: true }],
        clinical: true,
    },
    // A consultation's note: saved as versions while drafted, frozen once its author signs it.
    Entity {
        name: "clinical_note",
        policy: Policy::Signed { content: &["encounter_id", "patient_id", "author_id", "format", "subjective", "objective", "assessment", "plan", "body"] },
        fields: &[required("encounter_id", Kind::Ref("encounter")), required("patient_id", Kind::Ref("patient")),
            required("author_id", Kind::Ref("staff")), required("format", Kind::OneOf(&["soap", "free"])),
            nullable("subjective", CLINICAL_TEXT), nullable("objective", CLINICAL_TEXT), nullable("assessment", CLINICAL_TEXT),
            nullable("plan", CLINICAL_TEXT), nullable("body", CLINICAL_TEXT),
            nullable("signed_at", Kind::Instant), nullable("content_hash", Kind::Text(64)), nullable("signature", Kind::Text(128))],
        unique: &[],
        // A draft may be discarded; a signed note never (the policy refuses it).
        access: access(With(WriteClinical), With(WriteClinical), With(WriteClinical)),
        guarded: &[],
        own: &[],
        secret: &[],
        ordered: &[],
        clinical: true,
    },
    // A correction to a signed note: signed by its author when written, never changed.
    Entity {
        name: "note_addendum",
        policy: Policy::Signed { content: &["note_id", "patient_id", "author_id", "reason", "body"] },
        fields: &[required("note_id", Kind::Ref("clinical_note")), required("patient_id", Kind::Ref("patient")),
            required("author_id", Kind::Ref("staff")), required("reason", Kind::Text(500)), required("body", CLINICAL_TEXT),
            required("signed_at", Kind::Instant), required("content_hash", Kind::Text(64)), required("signature", Kind::Text(128))],
        unique: &[],
        access: access(With(WriteClinical), Nobody, Nobody),
        guarded: &[],
        own: &[],
        secret: &[],
        ordered: &[],
        clinical: true,
    },
    // One set of vital signs, as measured together. The ranges are what a living patient can
    // show: anything outside is a typing error, refused here, on the server and on every desk.
    // Units (UCUM): mm[Hg], /min, temperature in tenths of Cel, %, g, mm.
    Entity {
        name: "vital_signs",
        policy: Policy::FieldMerge { human: &[] },
        fields: &[required("patient_id", Kind::Ref("patient")), nullable("encounter_id", Kind::Ref("encounter")),
            required("taken_at", Kind::Instant),
            nullable("systolic", Kind::Int(50, 300)), nullable("diastolic", Kind::Int(20, 200)), nullable("pulse", Kind::Int(20, 300)),
            nullable("temperature_dc", Kind::Int(250, 450)), nullable("respiratory_rate", Kind::Int(4, 80)),
            nullable("spo2", Kind::Int(50, 100)), nullable("weight_g", Kind::Int(300, 500_000)), nullable("height_mm", Kind::Int(200, 2_800))],
        unique: &[],
        // Entered in error: tombstoned, never rewritten.
        access: access(With(WriteClinical), With(WriteClinical), With(WriteClinical)),
        guarded: &[],
        own: &[],
        secret: &[],
        ordered: &[],
        clinical: true,
    },
    // The problem list: an ICD-10-CM coded diagnosis, active until resolved.
    Entity {
        name: "diagnosis",
        policy: Policy::FieldMerge { human: &[] },
        fields: &[required("patient_id", Kind::Ref("patient")), nullable("encounter_id", Kind::Ref("encounter")),
            required("code", Kind::Text(8)), required("description", Kind::Text(300)),
            required("status", Kind::OneOf(&["active", "resolved", "entered_in_error"])),
            nullable("onset", Kind::Date), nullable("resolved_on", Kind::Date), nullable("comment", Kind::Text(1000))],
        unique: &[],
        access: access(With(WriteClinical), With(WriteClinical), Nobody),
        guarded: &[],
        own: &[],
        secret: &[],
        ordered: &[Order { earlier: "onset", later: "resolved_on", may_equal: true }],
        clinical: true,
    },
    // A recorded allergy or intolerance; its severity changed on two desks is for a person to settle.
    Entity {
        name: "allergy",
        policy: Policy::FieldMerge { human: &["severity"] },
        fields: &[required("patient_id", Kind::Ref("patient")), required("substance", NAME), nullable("reaction", Kind::Text(500)),
            required("severity", Kind::OneOf(&["mild", "moderate", "severe", "unknown"])),
            required("status", Kind::OneOf(&["active", "inactive", "entered_in_error"]))],
        unique: &[],
        access: access(With(WriteClinical), With(WriteClinical), Nobody),
        guarded: &[],
        own: &[],
        secret: &[],
        ordered: &[],
        clinical: true,
    },
    // The drugs the clinic prescribes from (a prescription may also name one freely).
    Entity {
        name: "formulary_drug",
        policy: Policy::FieldMerge { human: &[] },
        fields: &[required("name", NAME), required("strength", Kind::Text(64)), required("form", Kind::Text(64)),
            required("route", ROUTE), nullable("usual_dose", Kind::Text(64)), nullable("usual_frequency", Kind::Text(64)),
            flag("active", true)],
        unique: &[],
        access: access(With(ManageFormulary), With(ManageFormulary), Nobody),
        guarded: &[],
        own: &[],
        secret: &[],
        ordered: &[],
        clinical: false,
    },
    // A prescription of one drug; its dose changed on two desks is for a person to settle.
    Entity {
        name: "prescription",
        policy: Policy::FieldMerge { human: &["dose"] },
        fields: &[required("patient_id", Kind::Ref("patient")), nullable("encounter_id", Kind::Ref("encounter")),
            required("prescriber_id", Kind::Ref("staff")), nullable("drug_id", Kind::Ref("formulary_drug")),
            required("drug", NAME), required("strength", Kind::Text(64)), required("form", Kind::Text(64)),
            required("dose", Kind::Text(64)), required("route", ROUTE), required("frequency", Kind::Text(64)),
            nullable("duration_days", Kind::Int(1, 3650)), required("quantity", Kind::Int(1, 100_000)), required("repeats", Kind::Int(0, 12)),
            nullable("instructions", Kind::Text(1000)), required("prescribed_at", Kind::Instant),
            required("status", Kind::OneOf(&["active", "stopped"])), nullable("first_printed_at", Kind::Instant)],
        unique: &[],
        access: access(With(WriteClinical), With(WriteClinical), Nobody),
        guarded: &[],
        own: &[],
        secret: &[],
        ordered: &[],
        clinical: true,
    },
    // A scan, photo or PDF on a patient's record (DESIGN.md §5d). The record names the file by
    // the SHA-256 of its content; the bytes travel on their own endpoints, never in a push.
    Entity {
        name: "attachment",
        policy: Policy::FieldMerge { human: &[] },
        fields: &[required("patient_id", Kind::Ref("patient")), nullable("encounter_id", Kind::Ref("encounter")),
            required("file_name", Kind::Text(255)), required("media_type", Kind::OneOf(crate::files::MEDIA_TYPES)),
            required("size", Kind::Int(1, crate::files::MAX_FILE_BYTES)), required("sha256", Kind::Text(64)),
            nullable("description", Kind::Text(500))],
        unique: &[],
        // Entered in error: tombstoned. The bytes stay (another record may name the same file).
        access: access(With(WriteClinical), With(WriteClinical), With(WriteClinical)),
        guarded: &[],
        own: &[],
        secret: &[],
        ordered: &[],
        clinical: true,
    },
    // The money (DESIGN.md §7b, docs/money.md). Other things the clinic charges for beside its
    // appointment types (vaccines, dressings, certificates), each with its tax rate.
    Entity {
        name: "price_item",
        policy: Policy::FieldMerge { human: &[] },
        fields: &[required("name", NAME), required("price_minor", MONEY), required("currency", CURRENCY),
            required("tax_rate_bp", TAX_RATE), flag("active", true)],
        unique: &[],
        access: access(With(ManagePrices), With(ManagePrices), Nobody),
        guarded: &[],
        own: &[],
        secret: &[],
        ordered: &[],
        clinical: false,
    },
    // An issued invoice: numbered in its workstation's gapless series `{site}-{device}-{year}-{seq}`
    // when its draft was finalised, and never changed again (a credit note reverses it). It holds
    // what it charged, so it reads the same whatever later happens to the price list.
    Entity {
        name: "invoice",
        policy: Policy::Ledger,
        fields: &[required("site_id", Kind::Ref("site")), nullable("patient_id", Kind::Ref("patient")), nullable("customer_name", NAME),
            nullable("appointment_id", Kind::Ref("appointment")), nullable("encounter_id", Kind::Ref("encounter")),
            // The draft it was finalised from (not a reference: the draft names its invoice).
            nullable("draft_id", Kind::Id),
            required("number", Kind::Text(32)), required("series", Kind::Text(32)), required("seq", Kind::Int(1, 999_999_999)),
            required("issued_at", Kind::Instant), nullable("service_date", Kind::Date), required("currency", CURRENCY),
            required("lines", Kind::Charges), required("discount", Kind::Discount),
            required("total_minor", MONEY), required("tax_minor", MONEY), nullable("note", Kind::Text(500))],
        unique: &["number"],
        access: access(With(TakePayments), Nobody, Nobody),
        guarded: &[],
        own: &[],
        secret: &[],
        ordered: &[],
        clinical: false,
    },
    // An invoice being made: edited freely (fields merge) until it is finalised into an invoice.
    // Finalised on two workstations at once, both invoices stand and a person is asked to credit one.
    Entity {
        name: "invoice_draft",
        policy: Policy::FieldMerge { human: &["invoice_id"] },
        fields: &[required("site_id", Kind::Ref("site")), nullable("patient_id", Kind::Ref("patient")), nullable("customer_name", NAME),
            nullable("appointment_id", Kind::Ref("appointment")), nullable("encounter_id", Kind::Ref("encounter")),
            nullable("service_date", Kind::Date), required("currency", CURRENCY), required("lines", Kind::Charges),
            required("discount", Kind::Discount), required("status", Kind::OneOf(&["open", "finalised", "discarded"])),
            nullable("invoice_id", Kind::Ref("invoice"))],
        unique: &[],
        access: access(With(TakePayments), With(TakePayments), Nobody),
        guarded: &[],
        own: &[],
        secret: &[],
        ordered: &[],
        clinical: false,
    },
    // A till: one person's drawer from its opening float to its count at closing. Only its
    // cashier changes it; counted and closed, it is locked (its Z-report is printed from it).
    Entity {
        name: "cash_session",
        policy: Policy::Closing { closed: "closed_at", owner: "staff_id" },
        // The workstation whose drawer it is: a cashier at another desk opens a session there.
        fields: &[required("site_id", Kind::Ref("site")), required("staff_id", Kind::Ref("staff")), required("device_id", Kind::Id), required("drawer", Kind::Text(64)),
            required("currency", CURRENCY), required("opened_at", Kind::Instant), required("opening_float", MONEY),
            nullable("closed_at", Kind::Instant), nullable("counted", Kind::Amounts), nullable("expected", Kind::Amounts),
            nullable("report_number", Kind::Text(32)), nullable("note", Kind::Text(500))],
        unique: &[],
        access: access(With(TakePayments), With(TakePayments), Nobody),
        guarded: &[],
        own: &[],
        secret: &[],
        ordered: &[Order { earlier: "opened_at", later: "closed_at", may_equal: true }],
        clinical: false,
    },
    // Money received: `amount_minor` goes to the invoice; cash handed over beyond it is change
    // given back or kept as the patient's credit, as the receptionist chose. Paying from that
    // credit is a payment by "credit". No invoice: money put on the patient's account.
    Entity {
        name: "payment",
        policy: Policy::Ledger,
        fields: &[required("site_id", Kind::Ref("site")), nullable("invoice_id", Kind::Ref("invoice")), nullable("patient_id", Kind::Ref("patient")),
            nullable("cash_session_id", Kind::Ref("cash_session")), required("method", PAYMENT_METHOD),
            required("amount_minor", MONEY), nullable("tendered_minor", MONEY), required("change_minor", MONEY),
            required("credit_minor", MONEY), required("received_at", Kind::Instant), nullable("reference", Kind::Text(100))],
        unique: &[],
        access: access(With(TakePayments), Nobody, Nobody),
        guarded: &[],
        own: &[],
        secret: &[],
        ordered: &[],
        clinical: false,
    },
    // Money given back against a payment, with the reason.
    Entity {
        name: "refund",
        policy: Policy::Ledger,
        fields: &[required("site_id", Kind::Ref("site")), required("payment_id", Kind::Ref("payment")), nullable("invoice_id", Kind::Ref("invoice")),
            nullable("patient_id", Kind::Ref("patient")), nullable("cash_session_id", Kind::Ref("cash_session")), required("method", PAYMENT_METHOD),
            required("amount_minor", MONEY), required("reason", Kind::Text(500)), required("refunded_at", Kind::Instant)],
        unique: &[],
        access: access(With(RefundPayments), Nobody, Nobody),
        guarded: &[],
        own: &[],
        secret: &[],
        ordered: &[],
        clinical: false,
    },
    // Reverses an invoice in whole or in part (so many units of its lines), numbered in its own series.
    Entity {
        name: "credit_note",
        policy: Policy::Ledger,
        fields: &[required("site_id", Kind::Ref("site")), required("invoice_id", Kind::Ref("invoice")),
            required("number", Kind::Text(32)), required("series", Kind::Text(32)), required("seq", Kind::Int(1, 999_999_999)),
            required("issued_at", Kind::Instant), required("credits", Kind::Credits), required("total_minor", MONEY),
            required("tax_minor", MONEY), required("reason", Kind::Text(500))],
        unique: &["number"],
        access: access(With(CreditInvoices), Nobody, Nobody),
        guarded: &[],
        own: &[],
        secret: &[],
        ordered: &[],
        clinical: false,
    },
    // A money document printed (or saved as a PDF), so that printing it again, on any
    // workstation, gives the same document marked as a copy. A receipt is printed for a payment.
    Entity {
        name: "printout",
        policy: Policy::Ledger,
        fields: &[required("document", Kind::OneOf(&["invoice", "receipt", "credit_note", "cash_up"])), required("document_id", Kind::Id),
            required("printed_at", Kind::Instant)],
        unique: &[],
        // Whoever may print the document (the use case checks it) records that it was printed.
        access: access(Anyone, Nobody, Nobody),
        guarded: &[],
        own: &[],
        secret: &[],
        ordered: &[],
        clinical: false,
    },
    Entity {
        name: "audit_event",
        policy: Policy::AppendOnly,
        fields: &[required("device_id", Kind::Id), required("seq", Kind::Int(1, i64::MAX)), required("at", Kind::Instant),
            nullable("staff_id", Kind::Id), required("action", Kind::Text(64)), required("entity", Kind::Text(64)),
            nullable("entity_id", Kind::Id), required("details", Kind::Text(1_000_000)), required("prev_hash", Kind::Text(64)),
            required("hash", Kind::Text(64))],
        unique: &[],
        // Audit entries are facts about the (authenticated) workstation, whoever was at it: the
        // server takes only the pushing workstation's own (`device_id`).
        access: access(Anyone, Nobody, Nobody),
        guarded: &[],
        own: &[],
        secret: &[],
        ordered: &[],
        clinical: false,
    },
    // A clash or a disputed field the server found (only the server opens one); settling it is a
    // change like any other, by the people who book and edit patients.
    Entity {
        name: "sync_conflict",
        policy: Policy::FieldMerge { human: &[] },
        fields: &[required("kind", Kind::OneOf(&["appointment_clash", "field", "duplicate"])), required("entity", Kind::Text(64)),
            required("entity_id", Kind::Id), nullable("other_id", Kind::Id), nullable("field", Kind::Text(64)),
            nullable("theirs", Kind::Text(100_000)), nullable("yours", Kind::Text(100_000)), required("message", Kind::Text(1000)),
            nullable("mutation_id", Kind::Id), required("status", Kind::OneOf(&["open", "resolved"])),
            nullable("resolution", Kind::OneOf(&["rebooked", "kept_both", "cancelled", "chose_theirs", "chose_yours", "renamed", "retired", "merged"]))],
        unique: &[],
        access: access(Nobody, With(SettleConflicts), Nobody),
        guarded: &[],
        own: &[],
        secret: &[],
        ordered: &[],
        clinical: false,
    },
];

/// What a workstation may change of a conflict the server opened: how it was settled.
pub const SETTLING_FIELDS: &[&str] = &["status", "resolution"];

pub fn entity(name: &str) -> Option<&'static Entity> {
    ENTITIES.iter().find(|e| e.name == name)
}

impl Entity {
    pub fn field(&self, name: &str) -> Option<&'static Field> {
        self.fields.iter().find(|f| f.name == name)
    }

    /// Every column a workstation's table holds for this entity: the metadata, then the declared
    /// fields. An append-only entry (the audit trail) is a fact with its own time and author: it
    /// carries only its id and organisation, and is never changed or tombstoned.
    pub fn columns(&self) -> impl Iterator<Item = &'static Field> + '_ {
        let meta: &'static [Field] = if self.policy == Policy::AppendOnly { &META[..2] } else { META };
        let tombstone = (self.policy != Policy::AppendOnly).then_some(&DELETED_AT);
        meta.iter().chain(tombstone).chain(self.fields)
    }

    pub fn human_fields(&self) -> &'static [&'static str] {
        match self.policy {
            Policy::FieldMerge { human } => human,
            _ => &[],
        }
    }

    /// The fields a signature covers, for a signed record.
    pub fn signed_content(&self) -> Option<&'static [&'static str]> {
        match self.policy {
            Policy::Signed { content } => Some(content),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn declarations_are_consistent() {
        for e in ENTITIES {
            let signing = e.signed_content().map_or(&[][..], |_| &crate::signed::SIGNING_FIELDS[..]);
            for name in e.ordered.iter().flat_map(|o| [&o.earlier, &o.later]).chain(e.unique.iter()).chain(e.guarded.iter().map(|(f, _, _)| f)).chain(e.own).chain(e.secret).chain(e.human_fields())
                .chain(e.signed_content().unwrap_or_default()).chain(signing) {
                assert!(e.field(name).is_some(), "{}.{name} is named but not declared", e.name);
            }
            for f in e.fields {
                if let Kind::Ref(other) = f.kind {
                    assert!(entity(other).is_some(), "{}.{} refers to {other}, which is not declared", e.name, f.name);
                }
                assert!(!META.iter().chain([&DELETED_AT]).any(|m| m.name == f.name) && f.name != VERSION, "{}.{} is a metadata column", e.name, f.name);
            }
        }
        assert!(entity("nonsense").is_none());
    }

    #[test]
    fn a_guard_asks_for_a_change_and_a_setting_only_for_a_value_given() {
        use serde_json::json;
        let (null, f, t) = (json!(null), json!(false), json!(true));
        assert!(!Guard::Changing.applies(None, &null) && !Guard::Changing.applies(Some(&f), &null), "empty is one value");
        assert!(Guard::Changing.applies(Some(&t), &null) && Guard::Changing.applies(None, &t));
        assert!(Guard::Setting.applies(Some(&f), &t) && !Guard::Setting.applies(Some(&t), &f), "clearing is open");
        assert!(!Guard::Setting.applies(Some(&t), &t), "no change, no question");
    }
}
