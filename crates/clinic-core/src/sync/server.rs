//! The sync server over HTTPS, pinned (reqwest on rustls; `transport.rs`): enrol, push, pull.
//! Failures become `SyncUnavailable` with a message a person can act on; the server's own
//! `{code, message}` is passed on; a certificate that is not the pinned one is said so.

use std::sync::Arc;
use std::time::Duration;

use clinic_sync::audit_chain::ChainHead;
use clinic_sync::files::FileStatus;
use clinic_sync::{EnrolRequest, Enrolment, ErrorBody, Mutation, PullResponse, PushRequest, PushResult};
use serde::de::DeserializeOwned;

use super::transport::{Address, Pin};
use crate::error::{Code, Error, Result};

pub struct SyncServer {
    base: String,
    token: Option<String>,
    pin: Arc<Pin>,
    http: reqwest::Client,
    /// The event stream's: it stays open, so no overall timeout.
    events: reqwest::Client,
}

impl SyncServer {
    /// Built once per link (`sync::Link`): its connections are kept alive between rounds.
    pub(crate) fn new(address: &Address, token: Option<String>) -> Result<SyncServer> {
        let pin = Pin::new(address.pin);
        let (http, events) = (pin.client(Some(Duration::from_secs(60)))?, pin.client(None)?);
        Ok(SyncServer { base: address.base.clone(), token, pin, http, events })
    }

    pub async fn enrol(&self, request: &EnrolRequest) -> Result<Enrolment> {
        self.send(self.http.post(format!("{}/v1/enrol", self.base)).json(request)).await
    }

    /// Pushes a batch, gzipped (a batch of patients shrinks about tenfold).
    pub async fn push(&self, mutations: Vec<Mutation>) -> Result<Vec<PushResult>> {
        use std::io::Write;
        let json = serde_json::to_vec(&PushRequest { mutations })?;
        let mut gzip = flate2::write::GzEncoder::new(Vec::with_capacity(json.len() / 4), flate2::Compression::fast());
        gzip.write_all(&json).and_then(|_| gzip.flush()).map_err(|e| Error::new(Code::Internal, format!("compressing a push: {e}")))?;
        let body = gzip.finish().map_err(|e| Error::new(Code::Internal, format!("compressing a push: {e}")))?;
        let request = self.authorised(self.http.post(format!("{}/v1/sync/push", self.base)))
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header(reqwest::header::CONTENT_ENCODING, "gzip")
            .body(body);
        let response: clinic_sync::PushResponse = self.send(request).await?;
        Ok(response.results)
    }

    /// Waits for the server to say the organisation changed (a server-sent `poke`).
    pub async fn next_poke(&self) -> Result<()> {
        let unreachable = |e| self.unreachable(e);
        let mut response = self.authorised(self.events.get(format!("{}/v1/sync/events", self.base))).send().await.map_err(unreachable)?;
        if !response.status().is_success() {
            return Err(Error::new(Code::SyncUnavailable, format!("The sync server refused its event stream ({}).", response.status())));
        }
        while let Some(chunk) = response.chunk().await.map_err(unreachable)? {
            if String::from_utf8_lossy(&chunk).contains("event: poke") {
                return Ok(());
            }
        }
        Err(Error::new(Code::SyncUnavailable, "The sync server closed its event stream."))
    }

    /// A page of records. Decoded off the clinic's thread: a first sync's pages are megabytes.
    pub async fn pull(&self, cursor: i64, limit: i64) -> Result<PullResponse> {
        let request = self.authorised(self.http.get(format!("{}/v1/sync/pull?cursor={cursor}&limit={limit}", self.base)));
        let body = self.checked(request).await?.bytes().await
            .map_err(|e| Error::new(Code::SyncUnavailable, format!("The sync server's answer was cut short: {e}")))?;
        tokio::task::spawn_blocking(move || serde_json::from_slice::<PullResponse>(&body))
            .await
            .map_err(|e| Error::new(Code::Internal, format!("decoding a page: {e}")))?
            .map_err(|e| Error::new(Code::SyncUnavailable, format!("The sync server's answer could not be read: {e}")))
    }

    /// The last entry of each workstation's audit chain the server acknowledged.
    pub async fn audit_heads(&self) -> Result<Vec<ChainHead>> {
        self.send(self.authorised(self.http.get(format!("{}/v1/audit/heads", self.base)))).await
    }

    /// How much of a file the server holds for this organisation; none when it has none of it.
    pub async fn file_status(&self, sha256: &str) -> Result<Option<FileStatus>> {
        let request = self.authorised(self.http.get(format!("{}/v1/files/{sha256}", self.base)));
        let response = request.send().await.map_err(|e| self.unreachable(e))?;
        if response.status() == reqwest::StatusCode::NOT_FOUND {
            return Ok(None);
        }
        let response = Self::refused(response).await?;
        response.json().await.map(Some).map_err(|e| Error::new(Code::SyncUnavailable, format!("The sync server's answer could not be read: {e}")))
    }

    /// Sends the bytes of a file from `offset` on (a file of `size` bytes in all).
    pub async fn send_chunk(&self, sha256: &str, offset: i64, size: i64, bytes: Vec<u8>) -> Result<FileStatus> {
        let request = self.authorised(self.http.put(format!("{}/v1/files/{sha256}/chunks?offset={offset}&size={size}", self.base)))
            .header(reqwest::header::CONTENT_TYPE, "application/octet-stream")
            .body(bytes);
        self.send(request).await
    }

    /// A file's bytes from `from` on, as they arrive.
    pub async fn file_content(&self, sha256: &str, from: u64) -> Result<reqwest::Response> {
        let mut request = self.authorised(self.http.get(format!("{}/v1/files/{sha256}/content", self.base)));
        if from > 0 {
            request = request.header(reqwest::header::RANGE, format!("bytes={from}-"));
        }
        let response = self.checked(request).await?;
        let expected = if from > 0 { reqwest::StatusCode::PARTIAL_CONTENT } else { reqwest::StatusCode::OK };
        if response.status() != expected {
            return Err(Error::new(Code::SyncUnavailable, format!("The sync server answered {} to a download.", response.status())));
        }
        Ok(response)
    }

    /// Where this workstation's app updates come from: this server, as the rounds reach it.
    pub(crate) fn update_source(&self) -> Result<Option<super::UpdateSource>> {
        let Some(token) = self.token.clone() else { return Ok(None) };
        Ok(Some(super::UpdateSource::new(self.base.clone(), token, self.pin.tls()?)))
    }

    fn authorised(&self, request: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        match &self.token {
            Some(token) => request.bearer_auth(token),
            None => request,
        }
    }

    async fn send<T: DeserializeOwned>(&self, request: reqwest::RequestBuilder) -> Result<T> {
        self.checked(request).await?.json().await
            .map_err(|e| Error::new(Code::SyncUnavailable, format!("The sync server's answer could not be read: {e}")))
    }

    /// Sends; a refusal becomes the server's own message.
    async fn checked(&self, request: reqwest::RequestBuilder) -> Result<reqwest::Response> {
        let response = request.send().await.map_err(|e| self.unreachable(e))?;
        Self::refused(response).await
    }

    /// The response, or the server's refusal in its own words.
    async fn refused(response: reqwest::Response) -> Result<reqwest::Response> {
        let status = response.status();
        if status.is_success() {
            return Ok(response);
        }
        let body: Option<ErrorBody> = response.json().await.ok();
        Err(Error::new(Code::SyncUnavailable, body.map_or_else(|| format!("The sync server answered {status}."), |b| b.message)))
    }

    /// A request that got no answer: the certificate was not the pinned one, or no server answered.
    fn unreachable(&self, error: reqwest::Error) -> Error {
        // The fingerprint seen goes to the log, not to the window: whoever reads it there might type it in.
        if let Some(seen) = self.pin.take_refused() {
            tracing::warn!(%seen, server = %self.base, "certificate refused: not the pinned one");
            return Error::invalid("fingerprint", format!(
                "The server at {} showed a certificate with another fingerprint than the one given, so nothing was sent to it. \
                 Check the fingerprint with the admin; if it is right, something on the network is posing as the server.", self.base));
        }
        tracing::info!(%error, "sync server unreachable");
        Error::new(Code::SyncUnavailable, format!("The sync server at {} cannot be reached.", self.base))
    }
}
