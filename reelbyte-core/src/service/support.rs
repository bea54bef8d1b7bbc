//! Small helpers shared by the service's commands.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

/// Back-off between retries of a conflicting command.
///
/// The core has no runtime, so it cannot sleep; it yields to the executor a
/// growing number of times instead, which lets the conflicting command finish.
#[derive(Debug, Clone, Copy)]
pub struct Retry;

impl Retry {
    /// Yields `attempt` times (capped at 64).
    pub async fn backoff(attempt: u32) {
        for _ in 0..attempt.min(64) {
            YieldNow { yielded: false }.await;
        }
    }
}

/// A future that is pending once, then ready: a cooperative yield.
struct YieldNow {
    yielded: bool,
}

impl Future for YieldNow {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.yielded {
            Poll::Ready(())
        } else {
            self.yielded = true;
            cx.waker().wake_by_ref();
            Poll::Pending
        }
    }
}
