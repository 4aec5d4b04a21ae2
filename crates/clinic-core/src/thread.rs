//! The clinic's own thread. Every use case of a running app executes here, on a single-threaded
//! runtime kept on one CPU together with the database connection's thread.
//!
//! Why: sqlx runs each SQLite connection on a thread of its own, and every statement is a hand-off
//! between that thread and the caller's. When the two sit on different CPUs, each hand-off waits
//! for a sleeping CPU to wake (measured on our 2-core machines: ~60 µs a statement, against ~3 µs
//! on one CPU), which made a booking 3× slower than the SQL it runs. Keeping both threads on one
//! CPU leaves one cross-CPU hand-off per use case (the request and its answer), not one per
//! statement.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use tokio::sync::{mpsc, oneshot};

use crate::clinic::Clinic;
use crate::error::{Code, Error, Result};

type Job = Box<dyn FnOnce(Arc<Clinic>) -> Pin<Box<dyn Future<Output = ()>>> + Send>;

#[derive(Clone)]
pub struct ClinicThread {
    jobs: mpsc::UnboundedSender<Job>,
}

impl ClinicThread {
    /// Starts the thread and opens the clinic on it with `open` (so the connection's own thread
    /// starts there too, on the same CPU).
    pub fn start<F, Fut>(open: F) -> Result<ClinicThread>
    where
        F: FnOnce() -> Fut + Send + 'static,
        Fut: Future<Output = Result<Clinic>>,
    {
        let (ready_tx, ready_rx) = std::sync::mpsc::channel();
        let (jobs, mut queue) = mpsc::unbounded_channel::<Job>();
        std::thread::Builder::new()
            .name("clinic".into())
            .spawn(move || {
                let all_cpus = affinity::current();
                affinity::keep_on_current_cpu();
                let runtime = tokio::runtime::Builder::new_current_thread()
                    // Timers only: without an I/O driver the thread sleeps on a futex, which wakes
                    // faster than epoll.
                    .enable_all() // time, and IO for the sync client
                    // Blocking work (password hashing) may use any CPU.
                    .on_thread_start(move || affinity::set(&all_cpus))
                    .build()
                    .expect("a tokio runtime");
                let local = tokio::task::LocalSet::new();
                local.block_on(&runtime, async move {
                    let clinic = match open().await {
                        Ok(clinic) => Arc::new(clinic),
                        Err(e) => {
                            let _ = ready_tx.send(Err(e));
                            return;
                        }
                    };
                    let _ = ready_tx.send(Ok(()));
                    tokio::task::spawn_local(checkpoints(clinic.clone()));
                    while let Some(job) = queue.recv().await {
                        tokio::task::spawn_local(job(clinic.clone()));
                    }
                });
            })
            .map_err(|e| Error::new(Code::Internal, format!("The clinic's thread could not start: {e}")))?;
        ready_rx.recv().map_err(|_| Error::new(Code::Internal, "The clinic's thread stopped while opening."))??;
        Ok(ClinicThread { jobs })
    }

    /// Runs `work` on the clinic's thread and returns what it returns.
    pub async fn run<T, F, Fut>(&self, work: F) -> Result<T>
    where
        F: FnOnce(Arc<Clinic>) -> Fut + Send + 'static,
        Fut: Future<Output = T> + 'static,
        T: Send + 'static,
    {
        let (answer, answered) = oneshot::channel();
        let job: Job = Box::new(move |clinic| Box::pin(async move {
            let _ = answer.send(work(clinic).await);
        }));
        let stopped = || Error::new(Code::Internal, "The clinic's thread has stopped; restart the app.");
        self.jobs.send(job).map_err(|_| stopped())?;
        answered.await.map_err(|_| stopped())
    }
}

/// Moves the write-ahead log into the database file every few seconds, off the path of any use
/// case (a checkpoint inside a commit was the slowest 1% of bookings).
async fn checkpoints(clinic: Arc<Clinic>) {
    let mut every = tokio::time::interval(std::time::Duration::from_secs(2));
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        every.tick().await;
        if let Err(e) = clinic.store().checkpoint().await {
            tracing::warn!(error = %e.message, "checkpoint failed");
        }
    }
}

#[cfg(target_os = "linux")]
mod affinity {
    pub type CpuSet = Option<libc::cpu_set_t>;

    pub fn current() -> CpuSet {
        // SAFETY: cpu_set_t is plain data; the call fills it for this thread.
        unsafe {
            let mut set: libc::cpu_set_t = std::mem::zeroed();
            (libc::sched_getaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &mut set) == 0).then_some(set)
        }
    }

    pub fn set(set: &CpuSet) {
        if let Some(set) = set {
            // SAFETY: a valid set for this thread; failure leaves the affinity as it was.
            unsafe { libc::sched_setaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), set) };
        }
    }

    pub fn keep_on_current_cpu() {
        // SAFETY: as above; sched_getcpu has no preconditions.
        unsafe {
            let cpu = libc::sched_getcpu();
            if cpu >= 0 {
                let mut set: libc::cpu_set_t = std::mem::zeroed();
                libc::CPU_SET(cpu as usize, &mut set);
                libc::sched_setaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &set);
            }
        }
    }
}

#[cfg(not(target_os = "linux"))]
mod affinity {
    pub type CpuSet = ();
    pub fn current() -> CpuSet {}
    pub fn set(_: &CpuSet) {}
    pub fn keep_on_current_cpu() {}
}
