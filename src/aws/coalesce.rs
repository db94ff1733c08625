//! Request coalescing: reads that Terraform sends as separate calls (one ReadResource per
//! resource, up to `-parallelism` at a time) are answered by one batched AWS call where the API
//! allows it (DescribeServices takes 10 names, DescribeClusters 100, GetParameters 10).
//!
//! The first read of a group leads: it waits a short window for others only when it is part of a
//! burst of reads (a lone read goes at once), then sends the batch; reads that arrive while a batch is
//! out join the next one. The batch loop runs as its own task, so a caller that goes away never
//! strands the others.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::oneshot;

/// Fetches the objects named `ids` of group `group`; returns `(id, object)` pairs (an object may
/// be listed under several ids, e.g. its name and its ARN). Missing ids are simply absent.
pub type Fetch<T> = Arc<
    dyn Fn(
            String,
            Vec<String>,
        ) -> Pin<Box<dyn Future<Output = Result<Vec<(String, T)>, String>> + Send>>
        + Send
        + Sync,
>;

type Waiter<T> = (String, oneshot::Sender<Result<Option<T>, String>>);

struct Group<T> {
    queue: Vec<Waiter<T>>,
    leading: bool,
}

impl<T> Default for Group<T> {
    fn default() -> Self {
        Group {
            queue: Vec::new(),
            leading: false,
        }
    }
}

pub struct Coalescer<T> {
    groups: Arc<Mutex<HashMap<String, Group<T>>>>,
    fetch: Fetch<T>,
    max: usize,
    window: Duration,
    enabled: bool,
}

impl<T: Clone + Send + 'static> Coalescer<T> {
    /// `max` ids per call; `enabled = false` sends every read on its own (for comparison).
    pub fn new(fetch: Fetch<T>, max: usize, window: Duration, enabled: bool) -> Self {
        Coalescer {
            groups: Arc::default(),
            fetch,
            max,
            window,
            enabled,
        }
    }

    /// The object `id` of `group`, `Ok(None)` when AWS does not know it. `in_burst`
    /// (other reads run now or just ran) says whether waiting for companions can pay off.
    pub async fn get(&self, group: &str, id: &str, in_burst: bool) -> Result<Option<T>, String> {
        if !self.enabled {
            let found = (self.fetch)(group.to_string(), vec![id.to_string()]).await?;
            return Ok(pick(&found, id));
        }
        let (tx, rx) = oneshot::channel();
        let lead = {
            let mut groups = self.groups.lock().unwrap_or_else(|e| e.into_inner());
            let entry = groups.entry(group.to_string()).or_default();
            entry.queue.push((id.to_string(), tx));
            !std::mem::replace(&mut entry.leading, true)
        };
        if lead {
            let groups = self.groups.clone();
            let fetch = self.fetch.clone();
            let (group, max) = (group.to_string(), self.max);
            let window = if in_burst {
                self.window
            } else {
                Duration::ZERO
            };
            tokio::spawn(run_batches(groups, fetch, group, max, window));
        }
        rx.await
            .unwrap_or_else(|_| Err("the batched request was abandoned".to_string()))
    }
}

fn pick<T: Clone>(found: &[(String, T)], id: &str) -> Option<T> {
    found.iter().find(|(k, _)| k == id).map(|(_, v)| v.clone())
}

async fn run_batches<T: Clone + Send + 'static>(
    groups: Arc<Mutex<HashMap<String, Group<T>>>>,
    fetch: Fetch<T>,
    group: String,
    max: usize,
    window: Duration,
) {
    let queued = |groups: &Arc<Mutex<HashMap<String, Group<T>>>>| {
        groups
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&group)
            .map_or(0, |g| g.queue.len())
    };
    // Collect companions for at most `window`, or until a batch is full.
    let deadline = tokio::time::Instant::now() + window;
    while tokio::time::Instant::now() < deadline && queued(&groups) < max {
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    loop {
        let batch: Vec<Waiter<T>> = {
            let mut all = groups.lock().unwrap_or_else(|e| e.into_inner());
            let Some(entry) = all.get_mut(&group) else {
                return;
            };
            if entry.queue.is_empty() {
                all.remove(&group);
                return;
            }
            let take = entry.queue.len().min(max);
            entry.queue.drain(..take).collect()
        };
        let mut ids: Vec<String> = batch.iter().map(|(id, _)| id.clone()).collect();
        ids.sort();
        ids.dedup();
        tracing::debug!(group = %group, batch = ids.len(), "batched read");
        let result = fetch(group.clone(), ids).await;
        for (id, tx) in batch {
            let answer = match &result {
                Ok(found) => Ok(pick(found, &id)),
                Err(e) => Err(e.clone()),
            };
            let _ = tx.send(answer);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    fn counting(calls: Arc<AtomicUsize>, sizes: Arc<Mutex<Vec<usize>>>) -> Fetch<String> {
        Arc::new(move |_group, ids| {
            calls.fetch_add(1, Ordering::SeqCst);
            sizes.lock().unwrap().push(ids.len());
            Box::pin(async move {
                tokio::time::sleep(Duration::from_millis(20)).await;
                Ok(ids
                    .iter()
                    .filter(|i| !i.starts_with("missing"))
                    .map(|i| (i.clone(), format!("value of {i}")))
                    .collect())
            })
        })
    }

    #[tokio::test]
    async fn concurrent_reads_share_calls_of_at_most_max() {
        let (calls, sizes) = (
            Arc::new(AtomicUsize::new(0)),
            Arc::new(Mutex::new(Vec::new())),
        );
        let c = Arc::new(Coalescer::new(
            counting(calls.clone(), sizes.clone()),
            10,
            Duration::from_millis(10),
            true,
        ));
        let reads: Vec<_> = (0..25)
            .map(|i| {
                let c = c.clone();
                tokio::spawn(async move { c.get("cluster-a", &format!("s{i}"), true).await })
            })
            .collect();
        for (i, read) in reads.into_iter().enumerate() {
            assert_eq!(read.await.unwrap().unwrap(), Some(format!("value of s{i}")));
        }
        assert_eq!(
            calls.load(Ordering::SeqCst),
            3,
            "{:?}",
            sizes.lock().unwrap()
        );
        assert!(sizes.lock().unwrap().iter().all(|n| *n <= 10));
    }

    #[tokio::test]
    async fn a_lone_read_goes_at_once_and_missing_is_none() {
        let (calls, sizes) = (
            Arc::new(AtomicUsize::new(0)),
            Arc::new(Mutex::new(Vec::new())),
        );
        let c = Coalescer::new(
            counting(calls.clone(), sizes),
            10,
            Duration::from_secs(5),
            true,
        );
        let started = tokio::time::Instant::now();
        assert_eq!(c.get("g", "missing-1", false).await.unwrap(), None);
        assert!(
            started.elapsed() < Duration::from_secs(1),
            "no window for a lone read"
        );
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn groups_are_batched_separately_and_switching_off_sends_singles() {
        let (calls, sizes) = (
            Arc::new(AtomicUsize::new(0)),
            Arc::new(Mutex::new(Vec::new())),
        );
        let off = Arc::new(Coalescer::new(
            counting(calls.clone(), sizes),
            10,
            Duration::from_millis(10),
            false,
        ));
        let reads: Vec<_> = (0..4)
            .map(|i| {
                let c = off.clone();
                tokio::spawn(async move {
                    c.get(if i % 2 == 0 { "a" } else { "b" }, &format!("s{i}"), true)
                        .await
                })
            })
            .collect();
        for read in reads {
            read.await.unwrap().unwrap();
        }
        assert_eq!(calls.load(Ordering::SeqCst), 4);
    }
}
