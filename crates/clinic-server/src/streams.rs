//! The workstations' open event streams (`GET /v1/sync/events`, the pokes): at most a few per
//! workstation, and every one of a workstation's ended when it is revoked.
//!
//! Beyond the limit the *oldest* stream of the workstation is ended, not the new one refused: a
//! workstation opens one stream at a time, so more means the earlier ones are dead connections the
//! server has not noticed yet (a laptop that slept, a Wi-Fi that changed), and the newest is the
//! one that works. A client opening more on purpose only ends its own.
//!
//! Revocation is done by another process (`clinic-server revoke-device`), or another server
//! process: it tells every server through PostgreSQL (`NOTIFY device_revoked`), and each ends that
//! workstation's streams here.

use std::collections::{HashMap, HashSet};
use std::convert::Infallible;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::response::sse::Event;
use sqlx::postgres::PgListener;
use sqlx::PgPool;
use tokio::sync::{broadcast, watch};
use tokio_stream::wrappers::{BroadcastStream, WatchStream};
use tokio_stream::{Stream, StreamExt};
use uuid::Uuid;

/// Open event streams a workstation may keep at once.
pub const PER_WORKSTATION: usize = 4;
/// The PostgreSQL channel a revocation is told on; its payload is the device's id.
pub const REVOKED: &str = "device_revoked";

#[derive(Default)]
pub struct Streams {
    state: Mutex<State>,
    next_id: AtomicU64,
}

#[derive(Default)]
struct State {
    open: HashMap<Uuid, Vec<(u64, watch::Sender<bool>)>>,
    /// Revoked while this server ran: a stream whose token was checked just before the revocation
    /// is ended as it registers.
    revoked: HashSet<Uuid>,
}

/// One open stream: `ended` turns true when it must end; dropped (the workstation went away), it
/// is forgotten.
pub struct Registered {
    streams: Arc<Streams>,
    device: Uuid,
    id: u64,
    ended: watch::Receiver<bool>,
}

impl Streams {
    /// Registers a new stream of `device`, ending its oldest beyond the limit.
    pub fn open(self: &Arc<Self>, device: Uuid) -> Registered {
        let id = self.next_id.fetch_add(1, Relaxed);
        let (end, ended) = watch::channel(false);
        let mut state = self.state.lock().expect("streams");
        if state.revoked.contains(&device) {
            end.send_replace(true);
        }
        let open = state.open.entry(device).or_default();
        open.push((id, end));
        if open.len() > PER_WORKSTATION {
            open.remove(0).1.send_replace(true);
        }
        Registered { streams: self.clone(), device, id, ended }
    }

    /// Ends every stream of a revoked workstation, and any it opens later.
    pub fn revoked(&self, device: Uuid) {
        let mut state = self.state.lock().expect("streams");
        state.revoked.insert(device);
        for (_, end) in state.open.remove(&device).unwrap_or_default() {
            end.send_replace(true);
        }
    }

    fn devices(&self) -> Vec<Uuid> {
        self.state.lock().expect("streams").open.keys().copied().collect()
    }
}

impl Drop for Registered {
    fn drop(&mut self) {
        let mut state = self.streams.state.lock().expect("streams");
        if let Some(open) = state.open.get_mut(&self.device) {
            open.retain(|(id, _)| *id != self.id);
            if open.is_empty() {
                state.open.remove(&self.device);
            }
        }
    }
}

/// The pokes for a workstation of `org`: one each time the organisation changes, until its stream
/// is ended (a newer one, or revocation). The stream's end closes the HTTP answer.
pub fn pokes(stream: Registered, changes: broadcast::Receiver<Uuid>, org: Uuid) -> impl Stream<Item = Result<Event, Infallible>> {
    enum Next { Poke, End }
    let ended = WatchStream::new(stream.ended.clone()).filter(|ended| *ended).map(|_| Next::End);
    BroadcastStream::new(changes)
        .filter(move |changed| changed.as_ref().map_or(true, |o| *o == org)) // a missed poke is a poke
        .map(|_| Next::Poke)
        .merge(ended)
        .map_while(move |next| {
            let _registered = &stream; // held as long as the answer streams
            matches!(next, Next::Poke).then(|| Ok(Event::default().event("poke").data("pull")))
        })
}

/// Ends the streams of every workstation revoked, as PostgreSQL tells: runs as long as the server.
/// Its listening connection is one of the pool's.
pub async fn end_revoked(db: PgPool, streams: Arc<Streams>) {
    while !db.is_closed() {
        if let Err(e) = listen(&db, &streams).await {
            if !db.is_closed() {
                tracing::warn!(error = %e, "listening for revoked workstations: again in a second");
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }
    }
}

async fn listen(db: &PgPool, streams: &Streams) -> Result<(), sqlx::Error> {
    let mut listener = PgListener::connect_with(db).await?;
    listener.listen(REVOKED).await?;
    loop {
        // What was revoked while nobody listened (before this connection, or while a lost one was
        // made again) is asked for; from now on, each revocation is told.
        let open = streams.devices();
        let revoked = sqlx::query_scalar!("SELECT id FROM device WHERE id = ANY($1) AND revoked_at IS NOT NULL", &open[..])
            .fetch_all(db).await?;
        revoked.into_iter().for_each(|device| streams.revoked(device));
        while let Some(told) = listener.try_recv().await? {
            match told.payload().parse() {
                Ok(device) => streams.revoked(device),
                Err(_) => tracing::warn!(payload = told.payload(), "a revocation notice without a device id"),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    impl Streams {
        fn count(&self, device: Uuid) -> usize {
            self.state.lock().unwrap().open.get(&device).map_or(0, Vec::len)
        }
    }

    #[test]
    fn beyond_the_limit_the_oldest_ends_and_a_revocation_ends_them_all() {
        let (streams, desk) = (Arc::new(Streams::default()), Uuid::now_v7());
        let first = streams.open(desk);
        let rest: Vec<_> = (0..PER_WORKSTATION).map(|_| streams.open(desk)).collect();
        assert!(*first.ended.borrow(), "the oldest ended");
        assert!(rest.iter().all(|s| !*s.ended.borrow()));
        assert_eq!(streams.count(desk), PER_WORKSTATION);
        drop(first);
        assert_eq!(streams.count(desk), PER_WORKSTATION, "an ended stream is already forgotten");
        let other = streams.open(Uuid::now_v7());
        streams.revoked(desk);
        assert!(rest.iter().all(|s| *s.ended.borrow()));
        assert!(*streams.open(desk).ended.borrow(), "a stream registered after the revocation ends at once");
        assert!(!*other.ended.borrow(), "another workstation's stays");
        drop(rest);
        assert_eq!(streams.count(desk), 0);
    }
}
