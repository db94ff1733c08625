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

/// `timeout` from now; when that is beyond what the clock can represent (`Instant + Duration`
/// would panic), an instant as far away as it allows, within a factor of two.
pub fn deadline_after(timeout: Duration) -> Instant {
    let now = Instant::now();
    let mut span = timeout;
    loop {
        if let Some(deadline) = now.checked_add(span) {
            return deadline;
        }
        span /= 2;
    }
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
    let deadline = deadline_after(timeout);
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
        let pause = interval.min(deadline.saturating_duration_since(now));
        tokio::select! {
            () = cancel.cancelled() => return Err(WaitError::Cancelled),
            () = sleep(pause) => {}
        }
        interval = (interval.saturating_mul(3) / 2).min(max);
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

    #[test]
    fn deadlines_saturate_instead_of_overflowing() {
        let far = deadline_after(Duration::MAX);
        assert!(far > Instant::now() + Duration::from_secs(86_400 * 365));
        let soon = deadline_after(Duration::from_secs(5));
        assert!(soon <= Instant::now() + Duration::from_secs(5));
    }

    #[tokio::test]
    async fn the_longest_timeout_neither_panics_nor_stops_polling() {
        let cancel = CancellationToken::new();
        let mut polls = 0;
        let result: Result<u32, WaitError<()>> = until(
            Duration::MAX,
            Duration::from_millis(1),
            Duration::from_millis(2),
            &cancel,
            || {
                polls += 1;
                let n = polls;
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

    #[tokio::test]
    async fn the_longest_interval_grows_without_overflowing() {
        let cancel = CancellationToken::new();
        let result: Result<(), _> = until(
            Duration::from_millis(10),
            Duration::MAX,
            Duration::MAX,
            &cancel,
            || async { Poll::Pending("busy") },
        )
        .await;
        assert_eq!(result, Err(WaitError::TimedOut { last: Some("busy") }));
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
