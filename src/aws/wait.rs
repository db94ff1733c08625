//! Polling with a deadline that also stops when Terraform asks the provider to stop.

use std::future::Future;
use std::time::Duration;

use tokio::time::{Instant, sleep};
use tokio_util::sync::CancellationToken;

/// Why a wait ended without reaching its goal.
#[derive(Debug, PartialEq, Eq)]
pub enum WaitError<E> {
    TimedOut { last: Option<E> },
    Cancelled,
}

/// What one poll found.
pub enum Poll<T, E> {
    Done(T),
    /// Not yet; `E` describes what is still pending, for the timeout message and the logs.
    Pending(E),
}

/// Polls `check` until it is done, the timeout passes or `cancel` fires. The interval grows from
/// `first` to at most `max`, so short waits stay fast and long ones stay cheap on the API.
pub async fn until<T, E, F, Fut>(
    timeout: Duration,
    first: Duration,
    max: Duration,
    cancel: &CancellationToken,
    mut check: F,
) -> Result<T, WaitError<E>>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Poll<T, E>>,
{
    let deadline = Instant::now() + timeout;
    let mut interval = first;
    loop {
        let why = match check().await {
            Poll::Done(value) => return Ok(value),
            Poll::Pending(why) => why,
        };
        let now = Instant::now();
        if now >= deadline {
            return Err(WaitError::TimedOut { last: Some(why) });
        }
        let pause = interval.min(deadline - now);
        tokio::select! {
            () = cancel.cancelled() => return Err(WaitError::Cancelled),
            () = sleep(pause) => {}
        }
        interval = (interval * 3 / 2).min(max);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn stops_at_timeout_with_last_reason() {
        let cancel = CancellationToken::new();
        let result: Result<(), _> = until(
            Duration::from_millis(30),
            Duration::from_millis(5),
            Duration::from_millis(10),
            &cancel,
            || async { Poll::Pending("still busy") },
        )
        .await;
        assert_eq!(
            result,
            Err(WaitError::TimedOut {
                last: Some("still busy")
            })
        );
    }

    #[tokio::test]
    async fn stops_when_cancelled() {
        let cancel = CancellationToken::new();
        cancel.cancel();
        let result: Result<(), WaitError<()>> = until(
            Duration::from_secs(60),
            Duration::from_secs(1),
            Duration::from_secs(1),
            &cancel,
            || async { Poll::Pending(()) },
        )
        .await;
        assert_eq!(result, Err(WaitError::Cancelled));
    }

    #[tokio::test]
    async fn returns_as_soon_as_done() {
        let cancel = CancellationToken::new();
        let mut n = 0;
        let result: Result<i32, WaitError<()>> = until(
            Duration::from_secs(5),
            Duration::from_millis(1),
            Duration::from_millis(2),
            &cancel,
            || {
                n += 1;
                let n = n;
                async move {
                    if n == 3 {
                        Poll::Done(n)
                    } else {
                        Poll::Pending(())
                    }
                }
            },
        )
        .await;
        assert_eq!(result, Ok(3));
    }
}
