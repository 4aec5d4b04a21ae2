//! The one typeface of printed documents: DejaVu Sans, embedded in the binary (`data/fonts/`,
//! its source and licence in `SOURCE.md`). The PDF base fonts know only Latin-1, and the clinic's
//! patients are called Nguyễn, Παπαδόπουλος and Иванов.

use std::sync::LazyLock;

use printpdf::ParsedFont;
use unicode_normalization::UnicodeNormalization;

const REGULAR: &[u8] = include_bytes!("../../data/fonts/DejaVuSans.ttf");
const BOLD: &[u8] = include_bytes!("../../data/fonts/DejaVuSans-Bold.ttf");

/// Parsed once per process: parsing costs far more than laying out a page (PLATFORM.md).
pub(super) static FONTS: LazyLock<Fonts> = LazyLock::new(|| Fonts {
    regular: parse(REGULAR),
    bold: parse(BOLD),
});

pub(super) struct Fonts {
    pub regular: ParsedFont,
    pub bold: ParsedFont,
}

fn parse(bytes: &[u8]) -> ParsedFont {
    ParsedFont::from_bytes(bytes, 0, &mut Vec::new()).expect("the embedded font parses (tested)")
}

impl Fonts {
    pub fn face(&self, bold: bool) -> &ParsedFont {
        if bold { &self.bold } else { &self.regular }
    }
}

/// The characters of `text` the printed documents' font has no glyph for (each once, in order):
/// they would print as an empty box. Both faces cover the same characters.
pub fn unprintable(text: &str) -> Vec<char> {
    let mut missing = Vec::new();
    for c in printable_form(text).chars() {
        let known = c.is_control() || [&FONTS.regular, &FONTS.bold].iter().all(|f| f.lookup_glyph_index(c as u32).is_some());
        if !known && !missing.contains(&c) {
            missing.push(c);
        }
    }
    missing
}

/// Text as it is drawn: composed (NFC), because printpdf maps one character to one glyph and
/// cannot place a combining accent typed after its letter.
pub(super) fn printable_form(text: &str) -> String {
    text.nfc().collect()
}

/// Width of `text` in millimetres at `size` points.
pub(super) fn width_mm(text: &str, bold: bool, size: f32) -> f32 {
    let face = FONTS.face(bold);
    let per_em = face.pdf_font_metrics.units_per_em as f32;
    let units: u32 = text
        .chars()
        .map(|c| face.lookup_glyph_index(c as u32).map_or(per_em as u32 / 2, |g| face.get_horizontal_advance(g) as u32))
        .sum();
    units as f32 / per_em * size * MM_PER_PT
}

pub(super) const MM_PER_PT: f32 = 25.4 / 72.0;

/// Breaks `text` into lines no wider than `width` mm: at spaces, and inside a word only when the
/// word alone is wider than the line. A newline in `text` always starts a new line.
pub(super) fn wrap(text: &str, bold: bool, size: f32, width: f32) -> Vec<String> {
    let mut lines = Vec::new();
    for paragraph in printable_form(text).split('\n') {
        let mut line = String::new();
        for word in paragraph.split_whitespace() {
            let candidate = if line.is_empty() { word.to_string() } else { format!("{line} {word}") };
            if width_mm(&candidate, bold, size) <= width {
                line = candidate;
                continue;
            }
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            // A word wider than the whole line (a long drug name, a URL) is cut where it must be.
            for c in word.chars() {
                line.push(c);
                if width_mm(&line, bold, size) > width && line.chars().count() > 1 {
                    line.pop();
                    lines.push(std::mem::replace(&mut line, c.to_string()));
                }
            }
        }
        lines.push(line);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapping_keeps_every_word_and_respects_the_width() {
        let text = "Take one tablet in the morning with a glass of water, thirty minutes before breakfast.";
        let lines = wrap(text, false, 10.0, 40.0);
        assert!(lines.len() > 2, "{lines:?}");
        assert!(lines.iter().all(|l| width_mm(l, false, 10.0) <= 40.0), "{lines:?}");
        assert_eq!(lines.join(" "), text);
        assert_eq!(wrap("a\nb", false, 10.0, 40.0), ["a", "b"]);
        let long = wrap(&"x".repeat(200), true, 10.0, 30.0);
        assert!(long.len() > 3 && long.iter().all(|l| width_mm(l, true, 10.0) <= 30.0));
    }

    #[test]
    fn a_decomposed_accent_prints_as_its_composed_letter() {
        assert_eq!(printable_form("Nguye\u{302}\u{303}n"), "Nguyễn");
        assert!(unprintable("Nguye\u{302}\u{303}n").is_empty());
        assert_eq!(unprintable("王 Ana"), ['王']);
    }
}
