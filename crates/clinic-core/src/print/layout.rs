//! The page model: blocks placed from the top of an A4 page down, a new page when one does not
//! fit, and the footers (reference, page number) added once the page count is known. One PDF may
//! hold several documents (a day's invoices printed as a batch): each starts on a new page with
//! its own letterhead, and numbers its own pages in its own footer.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use printpdf::{
    Color, FontId, Greyscale, Line, LineJoinStyle, LinePoint, Mm, Op, OffsetDateTime, PaintMode, PdfDocument, PdfFontHandle, PdfPage,
    PdfSaveOptions, Point, Pt, Rect, TextItem, TextMatrix, XObjectId, XObjectTransform,
};

use super::font::{self, wrap, width_mm, FONTS, MM_PER_PT};
use super::logo::{logo, Logo};
use super::{Letterhead, Style, CONTENT_BOTTOM, CONTENT_WIDTH, MARGIN, PAGE_HEIGHT, PAGE_WIDTH};
use crate::error::Result;

/// The largest a logo is drawn, in mm: it sits above the clinic's name.
const LOGO_WIDTH: f32 = 50.0;
const LOGO_HEIGHT: f32 = 18.0;

pub struct Layout {
    doc: PdfDocument,
    regular: FontId,
    bold: FontId,
    pages: Vec<Vec<Op>>,
    /// The page being drawn on: the last, except while `finish` adds the footers.
    page: usize,
    /// Where the next block starts, in mm from the top of the current page.
    pub(super) y: f32,
    /// The documents in this PDF, in order; the last is the one being drawn.
    documents: Vec<Section>,
    /// Each logo once per PDF, however many of its documents show it.
    logos: Vec<(Arc<Logo>, XObjectId)>,
}

/// One document's pages: from `first_page` up to the next document's first.
struct Section {
    first_page: usize,
    footer: String,
    copy: bool,
}

impl Layout {
    /// A PDF of one document, starting with its letterhead. `footer` names it on every page
    /// (kind, number, patient); `copy`, for a reprint, says when it was first printed. Refused
    /// only when the letterhead's logo cannot be read.
    pub fn new(letterhead: &Letterhead, footer: &str, copy: Option<&str>) -> Result<Layout> {
        let mut layout = Layout::empty(&letterhead.title);
        layout.start_document(letterhead, footer, copy)?;
        Ok(layout)
    }

    /// A PDF with no page yet, called `title` (for several documents: `start_document` each).
    pub fn empty(title: &str) -> Layout {
        let mut doc = PdfDocument::new(title);
        let (regular, bold) = (doc.add_font(&FONTS.regular), doc.add_font(&FONTS.bold));
        Layout { doc, regular, bold, pages: Vec::new(), page: 0, y: MARGIN, documents: Vec::new(), logos: Vec::new() }
    }

    /// Starts the next document of this PDF on a new page, with its letterhead.
    pub fn start_document(&mut self, letterhead: &Letterhead, footer: &str, copy: Option<&str>) -> Result<()> {
        // Read before anything is drawn, so a bad logo leaves no half document behind.
        let logo = letterhead.logo.map(logo).transpose()?;
        self.documents.push(Section { first_page: self.pages.len(), footer: footer.into(), copy: copy.is_some() });
        self.new_page();
        self.letterhead(letterhead, logo.as_ref());
        if let Some(first_printed) = copy {
            self.copy_banner(first_printed);
        }
        Ok(())
    }

    fn letterhead(&mut self, head: &Letterhead, logo: Option<&Arc<Logo>>) {
        let right_width = 70.0;
        let mut right = self.y;
        for (i, line) in std::iter::once(&head.title).chain(&head.reference).enumerate() {
            let style = if i == 0 { Style { size: 14.0, bold: true, grey: 0.0 } } else { Style::SMALL };
            self.draw_right(PAGE_WIDTH - MARGIN, right, line, style);
            right += style.line_height() + if i == 0 { 1.0 } else { 0.0 };
        }
        if let Some(logo) = logo {
            let height = self.image(logo, MARGIN, self.y, LOGO_WIDTH, LOGO_HEIGHT);
            self.y += height + 2.5;
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

    /// Draws `logo` with its top left corner at (`x`, `top`), as large as fits `max_width` ×
    /// `max_height` mm with its proportions kept; returns the height it took.
    fn image(&mut self, logo: &Arc<Logo>, x: f32, top: f32, max_width: f32, max_height: f32) -> f32 {
        let id = match self.logos.iter().find(|(l, _)| Arc::ptr_eq(l, logo)) {
            Some((_, id)) => id.clone(),
            None => {
                let id = self.doc.add_xobject(&logo.xobject());
                self.logos.push((logo.clone(), id.clone()));
                id
            }
        };
        let (w, h) = (logo.width as f32, logo.height as f32);
        let width = max_width.min(max_height * w / h);
        let height = width * h / w;
        // printpdf sizes an image by its pixels at a resolution: the one that makes it `width` mm.
        let dpi = w * 25.4 / width;
        let transform = XObjectTransform {
            translate_x: Some(Mm(x).into()),
            translate_y: Some(Mm(PAGE_HEIGHT - top - height).into()),
            dpi: Some(dpi),
            ..Default::default()
        };
        self.ops().push(Op::UseXobject { id, transform });
        height
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

    /// A new page of the current document, with a reprint's watermark under everything drawn later.
    fn new_page(&mut self) {
        self.pages.push(Vec::new());
        self.page = self.pages.len() - 1;
        self.y = MARGIN;
        if self.documents.last().is_some_and(|d| d.copy) {
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

    pub(super) fn text_in(&mut self, x: f32, width: f32, text: &str, style: Style) {
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
        // A document ends where the next begins, the last at the last page.
        let starts: Vec<usize> = self.documents.iter().map(|d| d.first_page).chain([self.pages.len()]).collect();
        let documents = std::mem::take(&mut self.documents);
        for (document, &end) in documents.iter().zip(&starts[1..]) {
            let count = end - document.first_page;
            let footer = if document.copy { format!("COPY · {}", document.footer) } else { document.footer.clone() };
            for (n, i) in (document.first_page..end).enumerate() {
                self.page = i;
                let y = PAGE_HEIGHT - MARGIN - 4.0;
                self.line(MARGIN, PAGE_WIDTH - MARGIN, y, 0.3, 0.6);
                let number = format!("Page {} of {count}", n + 1);
                let number_width = width_mm(&number, false, Style::SMALL.size);
                // A very long patient name shortens the reference rather than running into the number.
                let lines = wrap(&footer, false, Style::SMALL.size, CONTENT_WIDTH - number_width - 6.0);
                let reference = if lines.len() > 1 { format!("{}…", lines[0]) } else { footer.clone() };
                self.draw(MARGIN, y + 1.5, &reference, Style::SMALL);
                self.draw(PAGE_WIDTH - MARGIN - number_width, y + 1.5, &number, Style::SMALL);
            }
        }
        let pages = std::mem::take(&mut self.pages);
        let finished = pages.into_iter().map(|ops| PdfPage::new(Mm(PAGE_WIDTH), Mm(PAGE_HEIGHT), ops)).collect();
        // The PDF's own dates, which printpdf would otherwise leave at 1970.
        let date = OffsetDateTime::from_unix_timestamp(printed_at.timestamp()).expect("a representable date");
        let info = &mut self.doc.metadata.info;
        (info.creation_date, info.modification_date, info.metadata_date) = (date, date, date);
        info.creator = "Clinic Desk".into();
        let mut warnings = Vec::new();
        let options = PdfSaveOptions { optimize: false, ..PdfSaveOptions::default() };
        let mut pdf = self.doc.with_pages(finished).to_lopdf_document(&options, &mut warnings);
        for warning in warnings {
            tracing::debug!(?warning, "pdf");
        }
        // The streams are deflated here at zlib's fast level: printpdf's own pass uses the slowest,
        // which took half the time of printing a receipt to save a few per cent of its size.
        for object in pdf.objects.values_mut() {
            let Ok(stream) = object.as_stream_mut() else { continue };
            if stream.allows_compression && stream.dict.get(b"Filter").is_err() {
                let deflated = deflate(&stream.content);
                if deflated.len() + 19 < stream.content.len() {
                    stream.dict.set("Filter", "FlateDecode");
                    stream.set_content(deflated);
                }
            }
        }
        let mut bytes = Vec::new();
        pdf.save_to(&mut bytes).expect("a PDF is written to memory");
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

    /// One line of text ending at `right` mm from the page's left edge.
    pub(super) fn draw_right(&mut self, right: f32, top: f32, text: &str, style: Style) {
        let text = font::printable_form(text);
        self.draw(right - width_mm(&text, style.bold, style.size), top, &text, style);
    }

    pub(super) fn line(&mut self, x1: f32, x2: f32, y: f32, thickness: f32, grey_level: f32) {
        let point = |x: f32| LinePoint { p: Point::new(Mm(x), Mm(PAGE_HEIGHT - y)), bezier: false };
        self.ops().extend([
            Op::SetOutlineColor { col: grey(grey_level) },
            Op::SetOutlineThickness { pt: Pt(thickness) },
            Op::DrawLine { line: Line { points: vec![point(x1), point(x2)], is_closed: false } },
        ]);
    }

    /// A box filled with `colour`, no border (a chart's bar, a legend's swatch).
    pub(super) fn fill(&mut self, x: f32, top: f32, width: f32, height: f32, colour: Color) {
        let mut rectangle = Rect::from_xywh(Mm(x).into(), Mm(PAGE_HEIGHT - top - height).into(), Mm(width).into(), Mm(height).into());
        rectangle.mode = Some(PaintMode::Fill);
        self.ops().extend([Op::SetFillColor { col: colour }, Op::DrawRectangle { rectangle }]);
    }

    /// A line through `points` ((x, y) in mm from the top left), its corners rounded.
    pub(super) fn polyline(&mut self, points: &[(f32, f32)], thickness: f32, colour: Color) {
        let points = points.iter().map(|&(x, y)| LinePoint { p: Point::new(Mm(x), Mm(PAGE_HEIGHT - y)), bezier: false }).collect();
        self.ops().extend([
            Op::SetOutlineColor { col: colour },
            Op::SetOutlineThickness { pt: Pt(thickness) },
            Op::SetLineJoinStyle { join: LineJoinStyle::Round },
            Op::DrawLine { line: Line { points, is_closed: false } },
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

fn deflate(bytes: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut zlib = flate2::write::ZlibEncoder::new(Vec::with_capacity(bytes.len() / 3), flate2::Compression::fast());
    zlib.write_all(bytes).expect("deflating in memory");
    zlib.finish().expect("deflating in memory")
}

fn grey(level: f32) -> Color {
    // Greyscale's percent is the amount of white: 0 is black.
    Color::Greyscale(Greyscale::new(level, None))
}
