//! The page model: blocks placed from the top of an A4 page down, a new page when one does not
//! fit, and the footers (reference, page number) added once the page count is known.

use chrono::{DateTime, Utc};
use printpdf::{
    Color, FontId, Greyscale, Line, LinePoint, Mm, Op, OffsetDateTime, PaintMode, PdfDocument, PdfFontHandle, PdfPage,
    PdfSaveOptions, Point, Pt, Rect, TextItem, TextMatrix,
};

use super::font::{self, wrap, width_mm, FONTS, MM_PER_PT};
use super::{Letterhead, Style, CONTENT_BOTTOM, CONTENT_WIDTH, MARGIN, PAGE_HEIGHT, PAGE_WIDTH};

pub struct Layout {
    doc: PdfDocument,
    regular: FontId,
    bold: FontId,
    pages: Vec<Vec<Op>>,
    /// The page being drawn on: the last, except while `finish` adds the footers.
    page: usize,
    /// Where the next block starts, in mm from the top of the current page.
    pub(super) y: f32,
    footer: String,
    copy: bool,
}

impl Layout {
    /// Starts a document with its letterhead. `footer` names it on every page (kind, number,
    /// patient); `copy`, for a reprint, says when it was first printed.
    pub fn new(letterhead: &Letterhead, footer: &str, copy: Option<&str>) -> Layout {
        let mut doc = PdfDocument::new(&letterhead.title);
        let (regular, bold) = (doc.add_font(&FONTS.regular), doc.add_font(&FONTS.bold));
        let mut layout = Layout { doc, regular, bold, pages: Vec::new(), page: 0, y: MARGIN, footer: footer.into(), copy: copy.is_some() };
        layout.new_page();
        layout.letterhead(letterhead);
        if let Some(first_printed) = copy {
            layout.copy_banner(first_printed);
        }
        layout
    }

    fn letterhead(&mut self, head: &Letterhead) {
        let right_width = 70.0;
        let mut right = self.y;
        for (i, line) in std::iter::once(&head.title).chain(&head.reference).enumerate() {
            let style = if i == 0 { Style { size: 14.0, bold: true, grey: 0.0 } } else { Style::SMALL };
            let x = PAGE_WIDTH - MARGIN - width_mm(line, style.bold, style.size);
            self.draw(x, right, line, style);
            right += style.line_height() + if i == 0 { 1.0 } else { 0.0 };
        }
        let name = Style { size: 16.0, bold: true, grey: 0.0 };
        self.text_in(MARGIN, CONTENT_WIDTH - right_width, &head.clinic, name);
        for line in &head.lines {
            self.text_in(MARGIN, CONTENT_WIDTH - right_width, line, Style::SMALL);
        }
        self.y = self.y.max(right) + 2.0;
        self.rule_weighted(0.8, 0.0);
        self.space(3.0);
    }

    fn copy_banner(&mut self, first_printed: &str) {
        let text = format!("COPY — reprint of a document first printed on {first_printed}");
        let style = Style { size: 10.0, bold: true, grey: 0.0 };
        let lines = wrap(&text, true, style.size, CONTENT_WIDTH - 8.0);
        let height = lines.len() as f32 * style.line_height() + 4.0;
        self.shaded_box(MARGIN, self.y, CONTENT_WIDTH, height);
        self.y += 2.0;
        self.text_in(MARGIN + 4.0, CONTENT_WIDTH - 8.0, &text, style);
        self.y += 2.0 + 4.0;
    }

    /// A new page, with the reprint's watermark under everything drawn later.
    fn new_page(&mut self) {
        self.pages.push(Vec::new());
        self.page = self.pages.len() - 1;
        self.y = MARGIN;
        if self.copy {
            let style = Style { size: 110.0, bold: true, grey: 0.9 };
            let width = width_mm("COPY", true, style.size);
            // Centred on the page, rising at 45°: the text starts half its length back down the
            // slant, and half its capital height below it, so its middle lands on the centre.
            let along = width / 2.0 * std::f32::consts::FRAC_1_SQRT_2;
            let across = 0.36 * style.size * MM_PER_PT * std::f32::consts::FRAC_1_SQRT_2;
            let (x, y) = (PAGE_WIDTH / 2.0 - along + across, PAGE_HEIGHT / 2.0 + along + across);
            let font = PdfFontHandle::External(self.bold.clone());
            let matrix = TextMatrix::TranslateRotate(Mm(x).into(), Mm(PAGE_HEIGHT - y).into(), 45.0);
            self.ops().extend([
                Op::SetFillColor { col: grey(style.grey) },
                Op::StartTextSection,
                Op::SetFont { font, size: Pt(style.size) },
                Op::SetTextMatrix { matrix },
                Op::ShowText { items: vec![TextItem::Text("COPY".into())] },
                Op::EndTextSection,
            ]);
        }
    }

    fn ops(&mut self) -> &mut Vec<Op> {
        &mut self.pages[self.page]
    }

    /// Starts a new page unless `height` mm still fit on this one; says whether it did.
    pub fn keep_together(&mut self, height: f32) -> bool {
        // A block taller than a whole page starts on a fresh one and runs over, line by line.
        let fits_on_empty_page = height <= CONTENT_BOTTOM - MARGIN;
        if self.y + height > CONTENT_BOTTOM && (fits_on_empty_page || self.y > MARGIN) {
            self.new_page();
            return true;
        }
        false
    }

    pub fn space(&mut self, mm: f32) {
        self.y += mm;
    }

    /// Wrapped text across the full width.
    pub fn text(&mut self, text: &str, style: Style) {
        self.text_in(MARGIN, CONTENT_WIDTH, text, style);
    }

    fn text_in(&mut self, x: f32, width: f32, text: &str, style: Style) {
        for line in wrap(text, style.bold, style.size, width) {
            self.keep_together(style.line_height());
            self.draw(x, self.y, &line, style);
            self.y += style.line_height();
        }
    }

    pub fn heading(&mut self, text: &str) {
        // A heading is never left alone at the foot of a page.
        self.keep_together(Style::HEADING.line_height() + 3.0 * Style::BODY.line_height());
        self.text(text, Style::HEADING);
        self.space(1.0);
    }

    /// Labels on the left, their values wrapped beside them; a pair is never split over pages.
    pub fn key_values(&mut self, pairs: &[(&str, &str)]) {
        let label_width = 38.0;
        for (label, value) in pairs {
            let lines = wrap(value, false, Style::BODY.size, CONTENT_WIDTH - label_width);
            self.keep_together(lines.len() as f32 * Style::BODY.line_height());
            // The smaller label sits on the same baseline as its value.
            self.draw(MARGIN, self.y + (Style::BODY.size - Style::SMALL.size) * MM_PER_PT, label, Style::SMALL);
            for line in lines {
                self.keep_together(Style::BODY.line_height());
                self.draw(MARGIN + label_width, self.y, &line, Style::BODY);
                self.y += Style::BODY.line_height();
            }
            self.y += 0.8;
        }
    }

    pub fn rule(&mut self) {
        self.rule_weighted(0.4, 0.6);
    }

    pub(super) fn rule_weighted(&mut self, thickness: f32, grey_level: f32) {
        let y = self.y;
        self.line(MARGIN, PAGE_WIDTH - MARGIN, y, thickness, grey_level);
        self.y += 1.5;
    }

    /// A form's foot: `date` written on a short line at the left, and a line to sign on at the
    /// right with `signer` (who signs: name first, in bold) under it.
    pub fn signature_line(&mut self, date: &str, signer: &[String]) {
        let (sign_x, sign_width, date_width) = (PAGE_WIDTH - MARGIN - 80.0, 80.0, 55.0);
        self.keep_together(16.0 + (signer.len() + 1) as f32 * Style::BODY.line_height());
        // Room above the lines for a hand to sign in.
        self.y += 16.0;
        self.draw(MARGIN + 1.0, self.y - Style::BODY.line_height() - 0.5, date, Style::BODY);
        self.line(MARGIN, MARGIN + date_width, self.y, 0.5, 0.0);
        self.line(sign_x, sign_x + sign_width, self.y, 0.5, 0.0);
        self.y += 1.0;
        self.draw(MARGIN, self.y, "Date", Style::SMALL);
        self.draw(sign_x, self.y, "Signature", Style::SMALL);
        self.y += Style::SMALL.line_height();
        for (i, line) in signer.iter().enumerate() {
            self.text_in(sign_x, sign_width, line, if i == 0 { Style::STRONG } else { Style::BODY });
        }
    }

    /// The finished PDF: every page's footer added, dated `printed_at`.
    pub fn finish(mut self, printed_at: DateTime<Utc>) -> Vec<u8> {
        let count = self.pages.len();
        let footer = if self.copy { format!("COPY · {}", self.footer) } else { self.footer.clone() };
        for i in 0..count {
            self.page = i;
            let y = PAGE_HEIGHT - MARGIN - 4.0;
            self.line(MARGIN, PAGE_WIDTH - MARGIN, y, 0.3, 0.6);
            let number = format!("Page {} of {count}", i + 1);
            let number_width = width_mm(&number, false, Style::SMALL.size);
            // A very long patient name shortens the reference rather than running into the number.
            let lines = wrap(&footer, false, Style::SMALL.size, CONTENT_WIDTH - number_width - 6.0);
            let reference = if lines.len() > 1 { format!("{}…", lines[0]) } else { footer.clone() };
            self.draw(MARGIN, y + 1.5, &reference, Style::SMALL);
            self.draw(PAGE_WIDTH - MARGIN - number_width, y + 1.5, &number, Style::SMALL);
        }
        let pages = std::mem::take(&mut self.pages);
        let finished = pages.into_iter().map(|ops| PdfPage::new(Mm(PAGE_WIDTH), Mm(PAGE_HEIGHT), ops)).collect();
        // The PDF's own dates, which printpdf would otherwise leave at 1970.
        let date = OffsetDateTime::from_unix_timestamp(printed_at.timestamp()).expect("a representable date");
        let info = &mut self.doc.metadata.info;
        (info.creation_date, info.modification_date, info.metadata_date) = (date, date, date);
        info.creator = "Clinic Desk".into();
        let mut warnings = Vec::new();
        let bytes = self.doc.with_pages(finished).save(&PdfSaveOptions::default(), &mut warnings);
        for warning in warnings {
            tracing::debug!(?warning, "pdf");
        }
        bytes
    }

    /// One line of text whose top is `top` mm from the top of the page.
    pub(super) fn draw(&mut self, x: f32, top: f32, text: &str, style: Style) {
        let font = PdfFontHandle::External(if style.bold { self.bold.clone() } else { self.regular.clone() });
        let baseline = top + style.size * MM_PER_PT;
        let pos = Point::new(Mm(x), Mm(PAGE_HEIGHT - baseline));
        self.ops().extend([
            Op::SetFillColor { col: grey(style.grey) },
            Op::StartTextSection,
            Op::SetFont { font, size: Pt(style.size) },
            Op::SetTextCursor { pos },
            Op::ShowText { items: vec![TextItem::Text(font::printable_form(text))] },
            Op::EndTextSection,
        ]);
    }

    fn line(&mut self, x1: f32, x2: f32, y: f32, thickness: f32, grey_level: f32) {
        let point = |x: f32| LinePoint { p: Point::new(Mm(x), Mm(PAGE_HEIGHT - y)), bezier: false };
        self.ops().extend([
            Op::SetOutlineColor { col: grey(grey_level) },
            Op::SetOutlineThickness { pt: Pt(thickness) },
            Op::DrawLine { line: Line { points: vec![point(x1), point(x2)], is_closed: false } },
        ]);
    }

    /// A light grey box with a black border.
    fn shaded_box(&mut self, x: f32, top: f32, width: f32, height: f32) {
        let mut rectangle = Rect::from_xywh(Mm(x).into(), Mm(PAGE_HEIGHT - top - height).into(), Mm(width).into(), Mm(height).into());
        rectangle.mode = Some(PaintMode::FillStroke);
        self.ops().extend([
            Op::SetFillColor { col: grey(0.9) },
            Op::SetOutlineColor { col: grey(0.0) },
            Op::SetOutlineThickness { pt: Pt(0.8) },
            Op::DrawRectangle { rectangle },
        ]);
    }
}

fn grey(level: f32) -> Color {
    // Greyscale's percent is the amount of white: 0 is black.
    Color::Greyscale(Greyscale::new(level, None))
}
