//! A fault-injecting TCP proxy between a workstation and the server: latency, cut connections,
//! responses cut short, or no server at all (a partition). Faults can change while it runs.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use rand::Rng;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

#[derive(Debug, Clone, Copy, Default)]
pub struct Faults {
    /// Added before every chunk forwarded.
    pub latency: Duration,
    /// Chance that a connection is cut after its request reached the server (the answer is lost).
    pub cut: f64,
    /// Chance that an answer is cut short halfway.
    pub truncate: f64,
    /// No connection gets through.
    pub partitioned: bool,
}

pub struct Proxy {
    pub url: String,
    faults: Arc<Mutex<Faults>>,
}

impl Proxy {
    pub async fn start(upstream: &str) -> Proxy {
        let upstream = upstream.trim_start_matches("http://").to_string();
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let faults = Arc::new(Mutex::new(Faults::default()));
        let shared = faults.clone();
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let (upstream, shared) = (upstream.clone(), shared.clone());
                tokio::spawn(async move { let _ = relay(client, &upstream, shared).await; });
            }
        });
        Proxy { url, faults }
    }

    pub fn set(&self, faults: Faults) {
        *self.faults.lock().unwrap() = faults;
    }
}

async fn relay(mut client: TcpStream, upstream: &str, shared: Arc<Mutex<Faults>>) -> std::io::Result<()> {
    let now = || *shared.lock().unwrap();
    let faults = now();
    if faults.partitioned {
        return Ok(()); // dropped: the client sees the connection close
    }
    let mut server = TcpStream::connect(upstream).await?;
    let (mut from_client, mut to_client) = client.split();
    let (mut from_server, mut to_server) = server.split();
    let (cut, truncate) = {
        let mut rng = rand::rng();
        (rng.random_bool(faults.cut), rng.random_bool(faults.truncate))
    };
    let upstream_half = async {
        let mut buf = vec![0u8; 16 * 1024];
        loop {
            let n = from_client.read(&mut buf).await?;
            if n == 0 || now().partitioned {
                return Ok::<_, std::io::Error>(());
            }
            tokio::time::sleep(now().latency).await;
            to_server.write_all(&buf[..n]).await?;
        }
    };
    let downstream_half = async {
        let mut buf = vec![0u8; 16 * 1024];
        loop {
            let n = from_server.read(&mut buf).await?;
            if n == 0 {
                return Ok::<_, std::io::Error>(());
            }
            if cut || now().partitioned {
                return Ok(()); // the server did the work; its answer never arrives
            }
            tokio::time::sleep(now().latency).await;
            if truncate {
                to_client.write_all(&buf[..n / 2]).await?;
                return Ok(());
            }
            to_client.write_all(&buf[..n]).await?;
        }
    };
    // Whichever side ends first ends the connection (keep-alive connections end with the client).
    tokio::select! {
        r = upstream_half => r,
        r = downstream_half => r,
    }
}

/// The faults a state machine's step `kind` sets: none, a partition, lost answers, cut answers, a slow link.
pub fn faults(kind: u8) -> Faults {
    match kind {
        1 => Faults { partitioned: true, ..Faults::default() },
        2 => Faults { cut: 0.4, ..Faults::default() },
        3 => Faults { truncate: 0.4, ..Faults::default() },
        4 => Faults { latency: Duration::from_millis(15), cut: 0.2, ..Faults::default() },
        _ => Faults::default(),
    }
}
