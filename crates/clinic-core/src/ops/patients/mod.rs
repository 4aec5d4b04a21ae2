//! Patients: register, edit (every change kept in the history), find as you type, warn of likely
//! duplicates, merge and unmerge.

mod details;
mod duplicates;
mod merge;
mod read;
mod register;
mod search;

pub use details::{EmergencyContact, PatientInput};
pub use duplicates::{likely_duplicates, DuplicateCandidate};
pub use merge::{merge_patients, unmerge_patient};
pub use read::{open_patient, patient_history, FieldChange, HistoryEntry, Patient};
pub use register::{edit_patient, register_patient};
pub use search::{search_patients, PatientSummary};

pub(crate) use merge::merge;
pub(crate) use read::ensure_bookable;
pub(crate) use register::register_in;
