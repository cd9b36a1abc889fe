//! Serving the router over TCP, so that slow or idle clients cannot hold the
//! server: HTTP/1.1 with a header-read timeout, a stall timeout on responses
//! (request bodies have theirs in `body_guard`), a cap on open connections
//! (more wait in the kernel's queue), accept errors that back off instead of
//! ending or spinning the loop, and a graceful drain on shutdown.

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::extract::ConnectInfo;
use axum::Router;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpSocket, TcpStream};
use tokio::sync::Semaphore;
use tokio::time::Sleep;

use crate::config::{HttpLimits, DEFAULT_MAX_CONNECTIONS};

/// Pause after an accept error that is not the client's (out of file
/// descriptors, out of memory), so the loop neither ends nor spins.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(100);
/// At most one warning per this long about a full connection table or
/// failing accepts.
const WARN_EVERY: Duration = Duration::from_secs(30);

/// Connections the kernel keeps waiting for us (capped by `somaxconn`): the
/// queue new clients wait in while every slot is taken. Tokio's own `bind`
/// asks for 128, past which clients' connection attempts are dropped and
/// retried only seconds later.
const ACCEPT_QUEUE: u32 = 1024;

/// Binds a listener with a deep accept queue.
pub fn bind(addr: SocketAddr) -> io::Result<TcpListener> {
    let socket = match addr {
        SocketAddr::V4(_) => TcpSocket::new_v4()?,
        SocketAddr::V6(_) => TcpSocket::new_v6()?,
    };
    #[cfg(unix)]
    socket.set_reuseaddr(true)?;
    socket.bind(addr)?;
    socket.listen(ACCEPT_QUEUE)
}

/// How connections are served, resolved from [`HttpLimits`].
#[derive(Clone, Copy, Debug)]
pub struct ServeOptions {
    pub header_timeout: Duration,
    pub idle_timeout: Duration,
    pub max_connections: usize,
}

impl ServeOptions {
    /// The configured limits, after raising this process's open-file limit
    /// as far as it may go; without `HTTP_MAX_CONNECTIONS`, half that limit
    /// (a connection may need a second descriptor for its upstream), at most
    /// [`DEFAULT_MAX_CONNECTIONS`].
    pub fn from_limits(limits: &HttpLimits) -> ServeOptions {
        let files = raise_open_file_limit();
        let max_connections = match limits.max_connections {
            Some(n) => {
                let n = n as usize;
                if files.is_some_and(|f| n > f) {
                    tracing::warn!(
                        max_connections = n,
                        open_file_limit = files,
                        "HTTP_MAX_CONNECTIONS is above the open-file limit; accepts will fail and back off when descriptors run out (raise `ulimit -n` or lower it)"
                    );
                }
                n
            }
            None => files.map_or(DEFAULT_MAX_CONNECTIONS as usize, |f| {
                (f / 2).clamp(1, DEFAULT_MAX_CONNECTIONS as usize)
            }),
        };
        ServeOptions {
            header_timeout: limits.header_timeout,
            idle_timeout: limits.idle_timeout,
            max_connections,
        }
    }
}

/// Raises the soft open-file limit to the hard one (as Go and nginx do) and
/// returns it; `None` when it cannot be read.
fn raise_open_file_limit() -> Option<usize> {
    #[cfg(unix)]
    {
        let mut limit = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        // SAFETY: getrlimit/setrlimit only read and write the struct passed.
        unsafe {
            if libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) != 0 {
                return None;
            }
            if limit.rlim_cur < limit.rlim_max && limit.rlim_max != libc::RLIM_INFINITY {
                let raised = libc::rlimit {
                    rlim_cur: limit.rlim_max,
                    rlim_max: limit.rlim_max,
                };
                if libc::setrlimit(libc::RLIMIT_NOFILE, &raised) == 0 {
                    limit = raised;
                }
            }
        }
        usize::try_from(limit.rlim_cur).ok()
    }
    #[cfg(not(unix))]
    None
}

/// Serves `router` on `listener` until `shutdown` resolves, then lets open
/// requests finish.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    options: ServeOptions,
    shutdown: impl Future<Output = ()>,
) {
    let mut http = http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(options.header_timeout);
    let slots = Arc::new(Semaphore::new(options.max_connections));
    let graceful = GracefulShutdown::new();
    let mut warned_full: Option<Instant> = None;
    let mut accept_errors = ErrorStreak::default();
    tokio::pin!(shutdown);

    loop {
        let slot = match slots.clone().try_acquire_owned() {
            Ok(slot) => slot,
            Err(_) => {
                if warned_full.is_none_or(|at| at.elapsed() >= WARN_EVERY) {
                    warned_full = Some(Instant::now());
                    tracing::warn!(
                        max_connections = options.max_connections,
                        "connection limit reached; new connections wait until one closes"
                    );
                }
                tokio::select! {
                    slot = slots.clone().acquire_owned() => match slot {
                        Ok(slot) => slot,
                        Err(_) => break,
                    },
                    () = &mut shutdown => break,
                }
            }
        };
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            () = &mut shutdown => break,
        };
        let (stream, peer) = match accepted {
            Ok(pair) => {
                accept_errors.recovered();
                pair
            }
            // The client gave up before we took it: nothing to wait for.
            Err(e) if is_client_side(&e) => continue,
            Err(e) => {
                accept_errors.failed(&e);
                tokio::select! {
                    () = tokio::time::sleep(ACCEPT_BACKOFF) => continue,
                    () = &mut shutdown => break,
                }
            }
        };
        let _ = stream.set_nodelay(true);
        let io = TokioIo::new(StallGuard::new(stream, options.idle_timeout));
        let router = router.clone();
        let service = hyper::service::service_fn(move |mut req: hyper::Request<Incoming>| {
            req.extensions_mut().insert(ConnectInfo(peer));
            tower::ServiceExt::oneshot(router.clone(), req)
        });
        let connection = graceful.watch(http.serve_connection(io, service));
        tokio::spawn(async move {
            if let Err(e) = connection.await {
                tracing::debug!(%peer, error = %e, "connection closed with an error");
            }
            drop(slot);
        });
    }
    drop(listener);
    graceful.shutdown().await;
}

fn is_client_side(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::ConnectionRefused
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::ConnectionReset
    )
}

/// Failing accepts, logged once per [`WARN_EVERY`] and summed up when they stop.
#[derive(Default)]
struct ErrorStreak {
    count: u64,
    warned: Option<Instant>,
}

impl ErrorStreak {
    fn failed(&mut self, e: &io::Error) {
        self.count += 1;
        if self.warned.is_none_or(|at| at.elapsed() >= WARN_EVERY) {
            self.warned = Some(Instant::now());
            tracing::error!(error = %e, "cannot accept connections; retrying");
        }
    }

    fn recovered(&mut self) {
        if self.count > 0 {
            tracing::info!(failed = self.count, "accepting connections again");
            *self = ErrorStreak::default();
        }
    }
}

/// A client connection that gives up on a client that stops reading: a
/// write that cannot make progress for `idle` fails, closing the connection.
struct StallGuard {
    stream: TcpStream,
    idle: Duration,
    stalled: Option<Pin<Box<Sleep>>>,
}

impl StallGuard {
    fn new(stream: TcpStream, idle: Duration) -> StallGuard {
        StallGuard {
            stream,
            idle,
            stalled: None,
        }
    }

    /// Called when a write is pending: fails once it has been for `idle`.
    fn check<T>(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<T>> {
        let idle = self.idle;
        let timer = self
            .stalled
            .get_or_insert_with(|| Box::pin(tokio::time::sleep(idle)));
        match timer.as_mut().poll(cx) {
            Poll::Ready(()) => Poll::Ready(Err(io::Error::new(
                io::ErrorKind::TimedOut,
                "the client stopped reading the response",
            ))),
            Poll::Pending => Poll::Pending,
        }
    }

    fn progress<T>(
        &mut self,
        polled: Poll<io::Result<T>>,
        cx: &mut Context<'_>,
    ) -> Poll<io::Result<T>> {
        match polled {
            Poll::Pending => self.check(cx),
            ready => {
                self.stalled = None;
                ready
            }
        }
    }
}

impl AsyncRead for StallGuard {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_read(cx, buf)
    }
}

impl AsyncWrite for StallGuard {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let polled = Pin::new(&mut self.stream).poll_write(cx, buf);
        self.progress(polled, cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let polled = Pin::new(&mut self.stream).poll_write_vectored(cx, bufs);
        self.progress(polled, cx)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let polled = Pin::new(&mut self.stream).poll_flush(cx);
        self.progress(polled, cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let polled = Pin::new(&mut self.stream).poll_shutdown(cx);
        self.progress(polled, cx)
    }
}
