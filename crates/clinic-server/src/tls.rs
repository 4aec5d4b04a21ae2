//! The server's certificate (DESIGN.md §5c). Small clinics have no PKI: with none configured the
//! server makes its own, self-signed, once, and keeps it, so its fingerprint — which the admin
//! gives each workstation with its enrolment code, and which the workstation pins — stays the same
//! across restarts.

use std::io::Write;
use std::path::{Path, PathBuf};

use clinic_sync::transport::Fingerprint;
use rustls_pki_types::{pem::PemObject, CertificateDer};

/// A certificate and its private key, PEM files.
#[derive(Debug, Clone)]
pub struct TlsFiles {
    pub cert: PathBuf,
    pub key: PathBuf,
}

impl TlsFiles {
    /// Where the server keeps the certificate it made itself.
    pub fn in_folder(data: &Path) -> TlsFiles {
        TlsFiles { cert: data.join("tls/certificate.pem"), key: data.join("tls/key.pem") }
    }

    /// The certificate's fingerprint; when neither file exists yet, a self-signed certificate is
    /// made there first (at the first `serve` or `enrolment-code`, whichever comes first).
    pub fn ensure(&self) -> Result<Fingerprint, String> {
        match (self.cert.exists(), self.key.exists()) {
            (true, true) => {}
            (false, false) => self.make()?,
            // Making a new pair here would silently change the fingerprint every workstation pins.
            _ => return Err(format!("Only one of {} and {} exists: restore the other, or remove both to have a new certificate made \
                (every workstation must then be given its new fingerprint).", self.cert.display(), self.key.display())),
        }
        self.fingerprint()
    }

    /// The SHA-256 of the certificate the server presents (the file's first).
    pub fn fingerprint(&self) -> Result<Fingerprint, String> {
        let der = CertificateDer::from_pem_file(&self.cert).map_err(|e| format!("cannot read the certificate {}: {e}", self.cert.display()))?;
        Ok(Fingerprint::of(&der))
    }

    fn make(&self) -> Result<(), String> {
        // The name hardly matters: workstations check the fingerprint, not the name they dialled.
        let made = rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).map_err(|e| format!("making a certificate: {e}"))?;
        write(&self.key, made.signing_key.serialize_pem().as_bytes(), 0o600)?;
        write(&self.cert, made.cert.pem().as_bytes(), 0o644)?;
        tracing::info!(cert = %self.cert.display(), "made a self-signed certificate");
        Ok(())
    }
}

/// Writes a new file (never over an existing one) readable as `mode` says.
fn write(path: &Path, bytes: &[u8], mode: u32) -> Result<(), String> {
    let fail = |e: std::io::Error| format!("cannot write {}: {e}", path.display());
    if let Some(folder) = path.parent() {
        std::fs::create_dir_all(folder).map_err(fail)?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, mode);
    #[cfg(not(unix))]
    let _ = mode;
    options.open(path).and_then(|mut f| f.write_all(bytes).and_then(|_| f.sync_all())).map_err(fail)
}
