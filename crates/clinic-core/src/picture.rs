//! Pictures as the app shows and prints them (a thumbnail, the letterhead's logo).

use image::DynamicImage;

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
