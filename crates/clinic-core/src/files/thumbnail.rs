//! Thumbnails of attached pictures: a small JPEG the list of a chart's attachments shows, made
//! from the picture's bytes on this workstation the first time it is asked for (never on the
//! clock of attaching it), then kept beside the pictures, sealed as they are. A thumbnail is
//! derived and local: it never syncs, and each workstation makes its own once it holds the bytes.

use std::sync::Arc;


use super::{blocking, Files, Held};
use crate::error::Result;

/// The longer side of a thumbnail, at most, in pixels.
pub(crate) const LONGEST_SIDE: u32 = 256;
/// A thumbnail is a JPEG whatever the picture was: a tenth of a PNG's size for a photo, and
/// it crosses to the window as text.
pub(crate) const MEDIA_TYPE: &str = "image/jpeg";
const QUALITY: u8 = 80;
/// The most memory one decode may take. A 50 MB file can hold a picture of hundreds of
/// megapixels; a picture larger than this (over ~85 megapixels in colour) gets no thumbnail and
/// is seen by opening it.
const MAX_DECODE_BYTES: u64 = 256 * 1024 * 1024;

/// Whether a file of `media_type` has a thumbnail: the pictures (JPEG and PNG). A PDF has none:
/// drawing its first page would need a PDF renderer; the window shows a document's icon.
pub(crate) fn has_thumbnail(media_type: &str) -> bool {
    media_type.starts_with("image/")
}

/// One thumbnail made at a time in this process: a decode holds a core and up to
/// `MAX_DECODE_BYTES`, and a chart of thirty new photos asks for thirty at once. Whoever waits
/// finds the thumbnail made meanwhile (made after attaching, or asked for twice) and makes none.
static MAKING: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

impl Files {
    /// The thumbnail of the picture named `sha256`: the one kept, or one made now from `bytes`
    /// (when the caller holds them already) or from the picture on this workstation, and kept.
    /// None when the picture is not here (yet), or does not decode (logged).
    pub async fn thumbnail(&self, sha256: &str, bytes: Option<Arc<Vec<u8>>>) -> Result<Option<Vec<u8>>> {
        let kept = self.thumbnails();
        if let Held::Bytes(thumbnail) = kept.read(sha256).await? {
            return Ok(Some(thumbnail));
        }
        if bytes.is_none() && !self.holds(sha256) {
            return Ok(None); // without waiting for the turn of those being made
        }
        let _turn = MAKING.lock().await;
        if let Held::Bytes(thumbnail) = kept.read(sha256).await? {
            return Ok(Some(thumbnail));
        }
        let picture = match bytes {
            Some(bytes) => bytes,
            None => match self.read(sha256).await? {
                Held::Bytes(bytes) => Arc::new(bytes),
                Held::Missing | Held::Damaged => return Ok(None),
            },
        };
        let name = sha256.to_string();
        let Some(thumbnail) = blocking(move || Ok(make(&name, &picture))).await? else { return Ok(None) };
        let thumbnail = Arc::new(thumbnail);
        // One that cannot be kept (a full disk, logged) is still shown; it is made again next time.
        let _ = kept.put(sha256, thumbnail.clone()).await;
        Ok(Some(Arc::unwrap_or_clone(thumbnail)))
    }
}

/// The thumbnail of a JPEG or PNG picture: at most `LONGEST_SIDE` on its longer side (never
/// enlarged), its aspect kept, turned upright as its EXIF orientation says (phones store photos
/// sideways and say so there), transparency shown on white. None, logged, when the bytes do not
/// decode; a picture named `name` in the log, never its content.
pub(crate) fn make(name: &str, picture: &[u8]) -> Option<Vec<u8>> {
    let made = (|| {
        let small = crate::picture::upright(picture, LONGEST_SIDE, MAX_DECODE_BYTES, true)?;
        let mut jpeg = Vec::new();
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, QUALITY).encode_image(&crate::picture::on_white(small))?;
        Ok::<_, image::ImageError>(jpeg)
    })();
    made.inspect_err(|e| tracing::warn!(file = %name, error = %e, "an attached picture does not decode; it has no thumbnail")).ok()
}


#[cfg(test)]
mod tests {
    use super::*;

    fn encoded(picture: image::DynamicImage, format: image::ImageFormat) -> Vec<u8> {
        let mut bytes = std::io::Cursor::new(Vec::new());
        picture.write_to(&mut bytes, format).unwrap();
        bytes.into_inner()
    }

    fn dimensions(jpeg: &[u8]) -> (u32, u32) {
        let decoded = image::load_from_memory_with_format(jpeg, image::ImageFormat::Jpeg).unwrap();
        (decoded.width(), decoded.height())
    }

    #[test]
    fn a_small_picture_is_not_enlarged_and_transparency_shows_white() {
        let clear = image::DynamicImage::ImageRgba8(image::RgbaImage::from_pixel(40, 20, image::Rgba([0, 0, 0, 0])));
        let thumbnail = make("clear.png", &encoded(clear, image::ImageFormat::Png)).unwrap();
        assert_eq!(dimensions(&thumbnail), (40, 20));
        let pixel = image::load_from_memory(&thumbnail).unwrap().to_rgb8().get_pixel(20, 10).0;
        assert!(pixel.iter().all(|&c| c > 245), "white, not black: {pixel:?}");
    }

    #[test]
    fn a_photo_stored_sideways_is_turned_upright() {
        // EXIF with one entry: orientation 6, "turn 90° clockwise to view".
        let exif = b"II\x2a\x00\x08\x00\x00\x00\x01\x00\x12\x01\x03\x00\x01\x00\x00\x00\x06\x00\x00\x00\x00\x00\x00\x00".to_vec();
        let wide = image::RgbImage::from_pixel(600, 300, image::Rgb([90, 120, 200]));
        let mut jpeg = Vec::new();
        let mut encoder = image::codecs::jpeg::JpegEncoder::new(&mut jpeg);
        image::ImageEncoder::set_exif_metadata(&mut encoder, exif).unwrap();
        encoder.encode_image(&wide).unwrap();
        assert_eq!(dimensions(&make("phone.jpg", &jpeg).unwrap()), (128, 256));
    }

    #[test]
    fn bytes_that_do_not_decode_give_none() {
        assert!(make("broken.png", b"\x89PNG\r\n\x1a\n not a picture after all").is_none());
        assert!(make("letter.pdf", b"%PDF-1.7\n").is_none());
    }
}
