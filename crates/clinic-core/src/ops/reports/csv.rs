//! CSV as spreadsheet programs open it (RFC 4180): fields separated by commas, quoted when they
//! hold a comma, a quote or a line break (a quote doubled), lines ended CRLF, UTF-8 with a byte
//! order mark (so Excel reads "Conceição" as it is). A cell that starts with `=`, `+`, `-`, `@`,
//! a tab or a carriage return would be read as a formula: it is neutralised with a leading `'`
//! (OWASP's advice against CSV injection), except a plain number such as `-12.50`.

const BOM: &str = "\u{feff}";

/// The CSV of a header and its rows.
pub fn csv(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut out = String::from(BOM);
    let mut line = |cells: &mut dyn Iterator<Item = &str>| {
        let cells: Vec<String> = cells.map(cell).collect();
        out.push_str(&cells.join(","));
        out.push_str("\r\n");
    };
    line(&mut header.iter().copied());
    for row in rows {
        line(&mut row.iter().map(String::as_str));
    }
    out
}

fn cell(value: &str) -> String {
    let formula = value.starts_with(['=', '+', '-', '@', '\t', '\r']) && value.parse::<f64>().is_err();
    let value = if formula { format!("'{value}") } else { value.to_string() };
    if value.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_are_quoted_and_formulas_neutralised() {
        let rows = vec![
            vec!["Conceição, Joana".to_string(), "12.50".into()],
            vec!["=HYPERLINK(\"http://x\")".into(), "-12.50".into()],
            vec!["@SUM(A1)".into(), "+1 call".into()],
            vec!["two\nlines".into(), "".into()],
        ];
        assert_eq!(csv(&["Patient", "Amount"], &rows),
            "\u{feff}Patient,Amount\r\n\"Conceição, Joana\",12.50\r\n\"'=HYPERLINK(\"\"http://x\"\")\",-12.50\r\n'@SUM(A1),'+1 call\r\n\"two\nlines\",\r\n");
    }
}
