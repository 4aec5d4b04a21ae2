//! Pictures as the app shows and prints them (a thumbnail, the letterhead's logo).

use std::io::Cursor;

use image::{DynamicImage, ImageDecoder, ImageReader, Limits};

/// The picture's colours with any transparency laid on white, as a page shows it (a JPEG
/// thumbnail and a PDF have none).
pub(crate) fn on_white(picture: DynamicImage) -> image::RgbImage {
    if !picture.color().has_alpha() {
        return picture.into_rgb8();
    }
    let rgba = picture.into_rgba8();
    image::RgbImage::from_fn(rgba.width(), rgba.height(), |x, y| {
        let [r, g, b, a] = rgba.get_pixel(x, y).0;
        let over_white = |c: u8| ((c as u16 * a as u16 + 255 * (255 - a as u16)) / 255) as u8;
        image::Rgb([over_white(r), over_white(g), over_white(b)])
    })
}

/// A PNG or JPEG decoded (taking at most `max_alloc` bytes: a hostile or mistaken file cannot
/// take more), shrunk to at most `longest` pixels on its longer side (`fast`: the quick filter a
/// thumbnail needs) and turned upright by its EXIF orientation. Turned after shrinking: the same
/// result, on a few thousand pixels instead of millions.
pub(crate) fn upright(bytes: &[u8], longest: u32, max_alloc: u64, fast: bool) -> Result<DynamicImage, image::ImageError> {
    let mut reader = ImageReader::new(Cursor::new(bytes)).with_guessed_format()?;
    let mut limits = Limits::default();
    limits.max_alloc = Some(max_alloc);
    reader.limits(limits);
    let mut decoder = reader.into_decoder()?;
    // Read from the header the decoder has parsed already: costs nothing.
    let orientation = decoder.orientation()?;
    let full = DynamicImage::from_decoder(decoder)?;
    let mut small = match (full.width().max(full.height()) > longest, fast) {
        (false, _) => full,
        (true, true) => full.thumbnail(longest, longest),
        (true, false) => full.resize(longest, longest, image::imageops::FilterType::Triangle),
    };
    small.apply_orientation(orientation);
    Ok(small)
}
