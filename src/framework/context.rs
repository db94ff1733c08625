//! What every resource call receives besides its values: the configured provider's data and a
//! cancellation token that `StopProvider` trips.

use std::any::Any;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use tokio_util::sync::CancellationToken;

use super::diag::Diagnostics;

/// Whatever the provider's `configure` produced (AWS clients, default tags, …).
pub type ProviderData = Arc<dyn Any + Send + Sync>;

#[derive(Clone)]
pub struct Ctx {
    pub cancel: CancellationToken,
    pub provider_data: Option<ProviderData>,
    /// Set for a read that is part of a burst (other reads run, or one started just before):
    /// batching it with its companions is worth a short wait.
    pub read_burst: bool,
}

impl Ctx {
    /// The configured provider data of type `T`, or an error diagnostic when the provider has not
    /// been configured (Terraform validates before it configures).
    pub fn provider<T: Any + Send + Sync>(&self, diags: &mut Diagnostics) -> Option<Arc<T>> {
        let data = self
            .provider_data
            .clone()
            .and_then(|d| d.downcast::<T>().ok());
        if data.is_none() {
            diags.error(
                "Provider not configured",
                "This operation needs the provider's configuration, which Terraform has not sent yet. \
                 This is a bug in the provider or in the calling tool.",
            );
        }
        data
    }

    /// Whether other reads run next to this one, or just ran (Terraform refreshes in waves).
    pub fn in_read_burst(&self) -> bool {
        self.read_burst
    }

    pub fn is_cancelled(&self) -> bool {
        self.cancel.is_cancelled()
    }
}

/// Two reads that start this close together belong to the same refresh.
const BURST_GAP: Duration = Duration::from_millis(150);

/// The provider's read activity: how many reads run, and when the last one started.
pub struct ReadActivity {
    in_flight: AtomicUsize,
    last_start_ms: AtomicU64,
    epoch: Instant,
}

impl Default for ReadActivity {
    fn default() -> Self {
        ReadActivity {
            in_flight: AtomicUsize::new(0),
            last_start_ms: AtomicU64::new(u64::MAX),
            epoch: Instant::now(),
        }
    }
}

impl ReadActivity {
    /// Count a read until the guard drops; says whether it is part of a burst.
    pub fn start(self: &Arc<Self>) -> (ReadGuard, bool) {
        let now = self.epoch.elapsed().as_millis() as u64;
        let previous = self.last_start_ms.swap(now, Ordering::Relaxed);
        let others = self.in_flight.fetch_add(1, Ordering::Relaxed);
        let recent =
            previous != u64::MAX && now.saturating_sub(previous) < BURST_GAP.as_millis() as u64;
        (ReadGuard(self.clone()), others > 0 || recent)
    }
}

/// Counts a read while it lives.
pub struct ReadGuard(Arc<ReadActivity>);

impl Drop for ReadGuard {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::Relaxed);
    }
}
