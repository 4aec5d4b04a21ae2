use crate::error::{Error, Result};

/// A medical record number from this device's own series: `{site}{device}-{seq}-{check}`, e.g.
/// `HC01-000042-Q`. Two offline desks never collide because each has its own device number; the
/// check character (Luhn mod 36) catches a mistyped character or swapped neighbours.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mrn(String);

const ALPHABET: &[u8; 36] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";

fn value(c: char) -> Option<u32> {
    ALPHABET.iter().position(|a| *a as char == c.to_ascii_uppercase()).map(|p| p as u32)
}

fn luhn36(body: &str, mut factor: u32) -> Option<u32> {
    let mut sum = 0;
    for c in body.chars().rev() {
        let addend = factor * value(c)?;
        factor = if factor == 2 { 1 } else { 2 };
        sum += addend / 36 + addend % 36;
    }
    Some(sum % 36)
}

impl Mrn {
    pub fn new(site_code: &str, device: i64, seq: i64) -> Mrn {
        let body = format!("{site_code}{device:02}{seq:06}");
        let check = (36 - luhn36(&body, 2).expect("alphanumeric")) % 36;
        Mrn(format!("{site_code}{device:02}-{seq:06}-{}", ALPHABET[check as usize] as char))
    }

    /// Checks a typed MRN, hyphens optional.
    pub fn parse(raw: &str) -> Result<Mrn> {
        let compact: String = raw.trim().chars().filter(|c| *c != '-').collect::<String>().to_ascii_uppercase();
        let valid = compact.len() >= 10 && luhn36(&compact, 1) == Some(0);
        if !valid {
            return Err(Error::invalid("mrn", "That record number is not valid; check it for a mistyped character."));
        }
        // Site letters, then two device digits, then the sequence (six digits or more), then the check.
        let (head, check) = compact.split_at(compact.len() - 1);
        let letters = head.chars().take_while(|c| c.is_ascii_alphabetic()).count();
        let (prefix, seq) = head.split_at((letters + 2).min(head.len()));
        if letters == 0 || seq.len() < 6 || !seq.chars().all(|c| c.is_ascii_digit()) {
            return Err(Error::invalid("mrn", "That record number is not valid; check it for a mistyped character."));
        }
        Ok(Mrn(format!("{prefix}-{seq}-{check}")))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_made_number_checks_and_any_single_change_is_caught() {
        let mrn = Mrn::new("HC", 1, 42);
        assert!(mrn.as_str().starts_with("HC01-000042-"));
        assert_eq!(Mrn::parse(mrn.as_str()).unwrap(), mrn);
        assert_eq!(Mrn::parse(&mrn.as_str().replace('-', "").to_lowercase()).unwrap(), mrn);
        let chars: Vec<char> = mrn.as_str().chars().collect();
        for (i, c) in chars.iter().enumerate().filter(|(_, c)| **c != '-') {
            for other in ALPHABET.iter().map(|b| *b as char).filter(|o| o != c) {
                let mut typo = chars.clone();
                typo[i] = other;
                let typo: String = typo.into_iter().collect();
                assert!(Mrn::parse(&typo).is_err(), "{typo} should be caught");
            }
        }
        // Swapped neighbours.
        assert!(Mrn::parse("HC01-000024-X").is_err() || Mrn::new("HC", 1, 24).as_str() == "HC01-000024-X");
        let swapped = Mrn::new("HC", 1, 12).as_str().replace("000012", "000021");
        assert!(Mrn::parse(&swapped).is_err());
        // Past a million, the sequence grows a digit and still reads back.
        let big = Mrn::new("RV", 1, 1_000_000);
        assert_eq!(big.as_str()[..13], *"RV01-1000000-");
        assert_eq!(Mrn::parse(big.as_str()).unwrap(), big);
    }

    /// Why a workstation's number has two digits (the server gives 1 to 99): a third would make a
    /// number typed without hyphens mean two patients under one check character.
    #[test]
    fn a_three_digit_device_would_make_typed_numbers_ambiguous() {
        let (tenth_desk, desk_101) = (Mrn::new("HC", 10, 1_234_567), Mrn::new("HC", 101, 234_567));
        assert_ne!(tenth_desk, desk_101);
        assert_eq!(tenth_desk.as_str().replace('-', ""), desk_101.as_str().replace('-', ""));
        assert_eq!(Mrn::parse(&desk_101.as_str().replace('-', "")).unwrap(), tenth_desk, "read back as the other");
        let last = Mrn::new("HC", 99, 42);
        assert_eq!(Mrn::parse(&last.as_str().replace('-', "")).unwrap(), last, "device 99 reads back");
    }
}
