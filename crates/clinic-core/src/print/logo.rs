//! The clinic's logo on its letterhead: a PNG or JPEG the clinic chose, decoded once, shrunk to
//! what a letterhead needs, laid on white (a PDF page is white; a transparent PNG's edges would
//! otherwise print black in some viewers) and deflated once. A receipt printed a thousand times a
//! day reuses the same deflated pixels: decoding and compressing per receipt would cost more than
//! the whole rest of the page.

use std::collections::BTreeMap;
use std::io::Write;
use std::sync::{Arc, Mutex};

use printpdf::{DictItem, ExternalStream, ExternalXObject, Px};

use crate::error::{Error, Result};

/// The longer side of a logo as embedded, at most, in pixels: ~400 dpi at the letterhead's size.
const LONGEST_SIDE: u32 = 720;
/// A logo file is small; this bounds what a hostile or mistaken one may take to decode.
const MAX_DECODE_BYTES: u64 = 64 * 1024 * 1024;
/// Logos kept decoded in this process (a clinic has one; a group a few sites' logos).
const KEPT: usize = 4;

/// A logo ready to embed: its size in pixels and its RGB pixels, deflated.
pub(super) struct Logo {
    pub width: u32,
    pub height: u32,
    deflated: Vec<u8>,
}

static DECODED: Mutex<Vec<(Vec<u8>, Arc<Logo>)>> = Mutex::new(Vec::new());

/// Whether `bytes` can be the clinic's logo (a PNG or JPEG that decodes): for the settings that
/// accept one, so a logo that cannot print is refused when it is chosen, not at the till.
pub fn check_logo(bytes: &[u8]) -> Result<()> {
    logo(bytes).map(|_| ())
}

/// The logo `bytes` decode to, from the ones kept when it was seen before.
pub(super) fn logo(bytes: &[u8]) -> Result<Arc<Logo>> {
    let mut kept = DECODED.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some((_, logo)) = kept.iter().find(|(source, _)| source.as_slice() == bytes) {
        return Ok(logo.clone());
    }
    let logo = Arc::new(decode(bytes).map_err(|e| {
        tracing::warn!(error = %e, "the clinic's logo does not decode");
        Error::invalid("logo", "The clinic's logo could not be read: choose a PNG or JPEG picture.")
    })?);
    if kept.len() == KEPT {
        kept.remove(0);
    }
    kept.push((bytes.to_vec(), logo.clone()));
    Ok(logo)
}

fn decode(bytes: &[u8]) -> std::result::Result<Logo, image::ImageError> {
    let small = crate::picture::upright(bytes, LONGEST_SIDE, MAX_DECODE_BYTES, false)?;
    let rgb = crate::picture::on_white(small);
    let mut zlib = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    zlib.write_all(rgb.as_raw())?;
    Ok(Logo { width: rgb.width(), height: rgb.height(), deflated: zlib.finish()? })
}


impl Logo {
    /// The logo as a PDF image object, its pixels already deflated (printpdf would otherwise
    /// deflate them again in every document).
    pub(super) fn xobject(&self) -> ExternalXObject {
        let name = |n: &str| DictItem::Name(n.as_bytes().to_vec());
        let dict = BTreeMap::from([
            ("Type".to_string(), name("XObject")),
            ("Subtype".to_string(), name("Image")),
            ("Width".to_string(), DictItem::Int(self.width.into())),
            ("Height".to_string(), DictItem::Int(self.height.into())),
            ("ColorSpace".to_string(), name("DeviceRGB")),
            ("BitsPerComponent".to_string(), DictItem::Int(8)),
            ("Filter".to_string(), name("FlateDecode")),
        ]);
        ExternalXObject {
            stream: ExternalStream { dict, content: self.deflated.clone(), compress: false },
            width: Some(Px(self.width as usize)),
            height: Some(Px(self.height as usize)),
            dpi: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_large_transparent_logo_is_shrunk_and_laid_on_white() {
        let clear = image::DynamicImage::ImageRgba8(image::RgbaImage::from_pixel(2000, 500, image::Rgba([0, 0, 0, 0])));
        let mut png = Vec::new();
        clear.write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png).unwrap();
        let logo = logo(&png).unwrap();
        assert_eq!((logo.width, logo.height), (720, 180));
        let mut pixels = Vec::new();
        std::io::Read::read_to_end(&mut flate2::read::ZlibDecoder::new(logo.deflated.as_slice()), &mut pixels).unwrap();
        assert_eq!(pixels.len(), 720 * 180 * 3);
        assert!(pixels.iter().all(|p| *p == 255), "transparency prints white");
        assert!(Arc::ptr_eq(&logo, &super::logo(&png).unwrap()), "decoded once");
    }

    #[test]
    fn a_logo_that_is_not_a_picture_is_refused() {
        let e = check_logo(b"%PDF-1.7 not a picture").unwrap_err();
        assert_eq!(e.field, Some("logo"));
    }
}
