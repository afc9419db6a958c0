//! The accept loop: HTTP/1 connections served by hyper with a request-head timeout, which
//! axum's own `serve` does not set. A connection whose next request head has not fully arrived
//! within `--read-timeout` (a half-sent head, or an idle keep-alive connection) is closed; the
//! body's own timeout is in the routes that read one (`intake.rs`, `presigned.rs`,
//! `callback.rs`). A client that takes nothing of an answer for as long is cut off too
//! ([`WriteTimeout`]).
//!
//! At most `--max-connections` connections are served at once. With all of them open the loop
//! stops accepting until one closes (as Go's `netutil.LimitListener`): new connections wait in
//! the kernel's listen queue, costing the server nothing, and are served in turn, while the
//! open ones go on as before. Accepting and closing them at once would turn a burst into failed
//! requests, and cost an accept and a close for every retry.

use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::Router;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;

use crate::limits::Limits;

/// Serves `router` on `listener` until `stop` resolves, then waits for the requests in flight
/// (each bounded by the read timeout while it waits for the client).
pub(crate) async fn serve(listener: TcpListener, router: Router, limits: Limits, stop: impl Future<Output = ()>) {
    let read_timeout = limits.read_timeout;
    let graceful = GracefulShutdown::new();
    let connections = Arc::new(Semaphore::new(limits.max_connections.min(Semaphore::MAX_PERMITS)));
    let mut stop = std::pin::pin!(stop);
    loop {
        // Held by the connection's task until the connection ends.
        let permit = tokio::select! {
            permit = Arc::clone(&connections).acquire_owned() => permit.expect("the semaphore is never closed"),
            () = &mut stop => break,
        };
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(e) => {
                    // Out of descriptors, say: wait for connections to close rather than spin.
                    eprintln!("upload_server: cannot accept a connection: {e}");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = &mut stop => break,
        };
        let mut builder = hyper::server::conn::http1::Builder::new();
        builder.timer(TokioTimer::new()).header_read_timeout(read_timeout);
        let stream = WriteTimeout { stream, timeout: read_timeout, waiting: None };
        let connection = builder.serve_connection(TokioIo::new(stream), TowerToHyperService::new(router.clone()));
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            // A client that goes away or times out is no error of the server's.
            let _ = connection.await;
            drop(permit);
        });
    }
    drop(listener);
    graceful.shutdown().await;
}

/// A connection whose writes fail once one has waited `timeout` for the client to take any of
/// the answer: hyper has no write timeout, and a client that reads nothing would otherwise hold
/// its connection, and the object file being sent, forever.
struct WriteTimeout {
    stream: TcpStream,
    timeout: Duration,
    /// Set while a write waits for the client; cleared when one goes through.
    waiting: Option<Pin<Box<tokio::time::Sleep>>>,
}

impl WriteTimeout {
    fn timed<T>(&mut self, cx: &mut Context<'_>, written: Poll<io::Result<T>>) -> Poll<io::Result<T>> {
        if written.is_ready() {
            self.waiting = None;
            return written;
        }
        let timeout = self.timeout;
        let waiting = self.waiting.get_or_insert_with(|| Box::pin(tokio::time::sleep(timeout)));
        match waiting.as_mut().poll(cx) {
            Poll::Ready(()) => {
                Poll::Ready(Err(io::Error::new(io::ErrorKind::TimedOut, "the client took nothing of the answer")))
            }
            Poll::Pending => Poll::Pending,
        }
    }
}

impl AsyncRead for WriteTimeout {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_read(cx, buf)
    }
}

impl AsyncWrite for WriteTimeout {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        let written = Pin::new(&mut self.stream).poll_write(cx, buf);
        self.timed(cx, written)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let written = Pin::new(&mut self.stream).poll_write_vectored(cx, bufs);
        self.timed(cx, written)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let flushed = Pin::new(&mut self.stream).poll_flush(cx);
        self.timed(cx, flushed)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let shut = Pin::new(&mut self.stream).poll_shutdown(cx);
        self.timed(cx, shut)
    }
}
