//! Slow and idle clients cannot hold the server: half-sent requests are
//! closed after the header timeout, a full connection table makes new
//! clients wait instead of failing, a client that stops reading is let go,
//! and running out of file descriptors only pauses accepting.

use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::support::process::start_server;
use crate::support::{spawn_app_with, ADMIN_PASSWORD, JWT_SECRET};

/// Opens `n` connections that each send part of a request head and stop.
async fn half_sent(addr: &str, n: usize) -> Vec<TcpStream> {
    let mut streams = Vec::with_capacity(n);
    for _ in 0..n {
        let mut s = TcpStream::connect(addr).await.expect("connect");
        s.write_all(b"GET /healthz HTTP/1.1\r\nHost: slow.example\r\nX-Slow: 1")
            .await
            .expect("send part of a head");
        streams.push(s);
    }
    streams
}

/// Whether the server closed `stream` before `deadline` (reading whatever
/// it sent first).
async fn closed_by_server(stream: &mut TcpStream, deadline: Instant) -> bool {
    let mut buf = [0u8; 1024];
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, stream.read(&mut buf)).await {
            Err(_) => return false,
            Ok(Ok(0)) | Ok(Err(_)) => return true,
            Ok(Ok(_)) => continue,
        }
    }
}

async fn count_closed(streams: &mut [TcpStream], within: Duration) -> usize {
    let deadline = Instant::now() + within;
    let mut closed = 0;
    for s in streams.iter_mut() {
        if closed_by_server(s, deadline).await {
            closed += 1;
        }
    }
    closed
}

fn host_of(base: &str) -> String {
    base.trim_start_matches("http://").to_owned()
}

#[tokio::test]
async fn half_sent_requests_are_closed_after_the_header_timeout_while_healthz_answers() {
    let app = spawn_app_with(&[("HTTP_HEADER_TIMEOUT_SECS", "2")]).await;
    let mut slow = half_sent(&host_of(&app.base), 500).await;

    // While all 500 hang, the server keeps answering.
    let fresh = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .expect("client");
    for _ in 0..5 {
        let res = fresh
            .get(app.url("/healthz"))
            .send()
            .await
            .expect("healthz");
        assert_eq!(res.status(), 200);
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    let closed = count_closed(&mut slow, Duration::from_secs(60)).await;
    assert_eq!(
        closed, 500,
        "every half-sent request is closed by the server"
    );
    let res = fresh
        .get(app.url("/healthz"))
        .send()
        .await
        .expect("healthz");
    assert_eq!(res.status(), 200);
}

#[tokio::test]
async fn an_idle_keep_alive_connection_is_closed_after_the_header_timeout() {
    let app = spawn_app_with(&[("HTTP_HEADER_TIMEOUT_SECS", "1")]).await;
    let mut stream = TcpStream::connect(host_of(&app.base))
        .await
        .expect("connect");
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .expect("request");
    let mut buf = [0u8; 4096];
    let n = stream.read(&mut buf).await.expect("response");
    assert!(buf[..n].starts_with(b"HTTP/1.1 200"));
    // Kept alive, then left idle: the wait for the next head is timed too.
    assert!(
        closed_by_server(&mut stream, Instant::now() + Duration::from_secs(30)).await,
        "an idle keep-alive connection is closed"
    );
}

#[tokio::test]
async fn a_full_connection_table_makes_new_clients_wait_until_a_slot_frees() {
    let app = spawn_app_with(&[
        ("HTTP_MAX_CONNECTIONS", "20"),
        ("HTTP_HEADER_TIMEOUT_SECS", "3"),
    ])
    .await;
    let mut slow = half_sent(&host_of(&app.base), 20).await;

    let url = app.url("/healthz");
    let waiting = tokio::spawn(async move {
        let res = reqwest::get(url).await.expect("healthz");
        res.status()
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        !waiting.is_finished(),
        "with 20 of 20 connections taken, a new client waits"
    );
    let status = tokio::time::timeout(Duration::from_secs(60), waiting)
        .await
        .expect("answered once the slow clients were let go")
        .expect("join");
    assert_eq!(status, 200);
    assert_eq!(count_closed(&mut slow, Duration::from_secs(30)).await, 20);
}

#[tokio::test]
async fn a_client_that_stops_reading_is_let_go_after_the_idle_timeout() {
    let site = tempfile::tempdir().expect("site root");
    let size = 48 * 1024 * 1024;
    std::fs::create_dir_all(site.path().join("pkg")).expect("pkg dir");
    std::fs::write(site.path().join("pkg/big.bin"), vec![7u8; size]).expect("big file");
    let root = site.path().to_string_lossy().to_string();
    let app = spawn_app_with(&[("SITE_ROOT", &root), ("HTTP_IDLE_TIMEOUT_SECS", "1")]).await;

    let mut stream = TcpStream::connect(host_of(&app.base))
        .await
        .expect("connect");
    stream
        .write_all(b"GET /pkg/big.bin HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .expect("request");
    // Read nothing for a while: the server's writes stall.
    tokio::time::sleep(Duration::from_secs(4)).await;

    let mut received = 0usize;
    let mut buf = vec![0u8; 64 * 1024];
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, stream.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) => break,
            Ok(Ok(n)) => received += n,
            Err(_) => panic!("the connection was neither finished nor closed"),
        }
    }
    assert!(
        received < size,
        "the server gave up on the stalled reader ({received} of {size} bytes sent)"
    );
}

#[tokio::test]
async fn running_out_of_file_descriptors_pauses_accepting_and_the_server_recovers() {
    let dir = tempfile::tempdir().expect("tempdir");
    let storage = dir.path().to_string_lossy().to_string();
    // More connections allowed than descriptors: accepts fail with EMFILE.
    let mut server = start_server(
        dir.path(),
        &[
            ("STORAGE_DIR", &storage),
            ("JWT_SECRET", JWT_SECRET),
            ("ADMIN_PASSWORD", ADMIN_PASSWORD),
            ("HTTP_HEADER_TIMEOUT_SECS", "1"),
            ("HTTP_MAX_CONNECTIONS", "2000"),
        ],
        Some(256),
    )
    .await;

    let mut slow = half_sent(&format!("127.0.0.1:{}", server.port), 600).await;
    let closed = count_closed(&mut slow, Duration::from_secs(90)).await;
    assert_eq!(
        closed, 600,
        "every connection was taken in the end and closed"
    );
    drop(slow);

    assert!(server.is_running(), "the accept loop survived EMFILE");
    let res = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .expect("client")
        .get(server.url("/healthz"))
        .send()
        .await
        .expect("healthz after the flood");
    assert_eq!(res.status(), 200);
}
