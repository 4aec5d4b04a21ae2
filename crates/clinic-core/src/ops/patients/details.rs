//! A patient's details as typed at the desk, and as validated.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::domain::{optional_text, BirthDate, BloodGroup, Email, PersonName, Phone, Sex};
use crate::error::{Error, Result};

#[derive(Debug, Clone, Default, Deserialize, specta::Type)]
pub struct PatientInput {
    pub given_name: String,
    pub family_name: String,
    pub sex: String,
    /// YYYY-MM-DD. Leave empty and give `age_years` when only the age is known.
    pub birth_date: Option<String>,
    #[serde(default)]
    pub birth_date_estimated: bool,
    pub age_years: Option<u32>,
    #[serde(default)]
    pub phones: Vec<String>,
    pub email: Option<String>,
    pub address: Option<String>,
    pub national_id: Option<String>,
    pub emergency_contact: Option<EmergencyContact>,
    pub blood_group: Option<String>,
    #[serde(default)]
    pub allergies: Vec<String>,
    pub notes: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct EmergencyContact {
    pub name: String,
    pub relation: String,
    pub phone: String,
}

/// Validated details, in the order the history shows them.
#[derive(Debug, Clone)]
pub(crate) struct PatientDetails {
    pub given_name: PersonName,
    pub family_name: PersonName,
    pub sex: Sex,
    pub birth: BirthDate,
    pub phones: Vec<Phone>,
    pub email: Option<Email>,
    pub address: Option<String>,
    pub national_id: Option<String>,
    pub emergency_contact: Option<EmergencyContact>,
    pub blood_group: Option<BloodGroup>,
    pub allergies: Vec<String>,
    pub notes: Option<String>,
}

fn non_empty(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

impl PatientDetails {
    pub fn parse(input: &PatientInput, today: NaiveDate) -> Result<Self> {
        let birth = match (non_empty(&input.birth_date), input.age_years) {
            (Some(date), _) => BirthDate::parse(date, input.birth_date_estimated, today)?,
            (None, Some(age)) => BirthDate::from_age(age, today)?,
            (None, None) => return Err(Error::invalid("birth_date", "Enter the date of birth, or the age if the date is not known.")),
        };
        let mut phones = Vec::new();
        for raw in input.phones.iter().filter(|p| !p.trim().is_empty()) {
            let phone = Phone::parse("phones", raw)?;
            if !phones.contains(&phone) {
                phones.push(phone);
            }
        }
        if phones.len() > 5 {
            return Err(Error::invalid("phones", "At most 5 phone numbers."));
        }
        let national_id = match non_empty(&input.national_id) {
            None => None,
            Some(id) => {
                // Stored as letters and digits only, so "AB-123" and "ab 123" are the same id.
                let id: String = id.chars().filter(|c| !c.is_whitespace() && *c != '-' && *c != '/').collect::<String>().to_uppercase();
                if !(3..=30).contains(&id.chars().count()) || !id.chars().all(char::is_alphanumeric) {
                    return Err(Error::invalid("national_id", "A national id has 3 to 30 letters and digits."));
                }
                Some(id)
            }
        };
        let emergency_contact = match &input.emergency_contact {
            None => None,
            Some(c) if c.name.trim().is_empty() && c.phone.trim().is_empty() => None,
            Some(c) => Some(EmergencyContact {
                name: PersonName::parse("emergency_contact.name", &c.name)?.as_str().to_string(),
                relation: optional_text("emergency_contact.relation", Some(&c.relation), 40)?.unwrap_or_default(),
                phone: Phone::parse("emergency_contact.phone", &c.phone)?.as_str().to_string(),
            }),
        };
        let mut allergies = Vec::new();
        for a in &input.allergies {
            if let Some(a) = optional_text("allergies", Some(a), 100)? {
                if !allergies.iter().any(|x: &String| x.eq_ignore_ascii_case(&a)) {
                    allergies.push(a);
                }
            }
        }
        // The declaration's limit (clinic-sync): what the server takes.
        if allergies.len() > 50 {
            return Err(Error::invalid("allergies", "List at most 50 allergies; group the rest in the notes."));
        }
        Ok(PatientDetails {
            given_name: PersonName::parse("given_name", &input.given_name)?,
            family_name: PersonName::parse("family_name", &input.family_name)?,
            sex: Sex::parse(&input.sex)?,
            birth,
            phones,
            email: non_empty(&input.email).map(Email::parse).transpose()?,
            address: optional_text("address", input.address.as_deref(), 300)?,
            national_id,
            emergency_contact,
            blood_group: non_empty(&input.blood_group).map(BloodGroup::parse).transpose()?,
            allergies,
            notes: optional_text("notes", input.notes.as_deref(), 4000)?,
        })
    }

    /// Every field as it is stored and shown in the history.
    pub fn fields(&self) -> Vec<(&'static str, Value)> {
        vec![
            ("given_name", json!(self.given_name.as_str())),
            ("family_name", json!(self.family_name.as_str())),
            ("sex", json!(self.sex.as_str())),
            ("birth_date", json!(self.birth.date.format("%Y-%m-%d").to_string())),
            ("birth_date_estimated", json!(self.birth.estimated)),
            ("phones", json!(self.phones.iter().map(Phone::as_str).collect::<Vec<_>>())),
            ("email", json!(self.email.as_ref().map(Email::as_str))),
            ("address", json!(self.address)),
            ("national_id", json!(self.national_id)),
            ("emergency_contact", json!(self.emergency_contact)),
            ("blood_group", json!(self.blood_group.map(BloodGroup::as_str))),
            ("allergies", json!(self.allergies)),
            ("notes", json!(self.notes)),
        ]
    }

    pub fn full_name(&self) -> String {
        format!("{} {}", self.given_name.as_str(), self.family_name.as_str())
    }
}
