//! Request coalescing: reads that Terraform sends as separate calls (one ReadResource per
//! resource, up to `-parallelism` at a time) are answered by one batched AWS call where the API
//! allows it (DescribeServices takes 10 names, DescribeClusters 100, GetParameters 10).
//!
//! The first read of a group leads: it waits a short window for others only when it is part of a
//! burst of reads (a lone read goes at once), then sends the batch; reads that arrive while a batch is
//! out join the next one. In a burst, the next batch also waits for the reads Terraform starts in
//! the slots the answered batch freed (it runs at most `-parallelism` reads at a time), so batches
//! stay full instead of repeating the split of the first one. The batch loop runs as its own
//! task, so a caller that goes away never strands the others; if that task itself ends early (a
//! panic), another takes over the queue.
//! A batch that fails because of one of its members is retried id by id, so only that read fails.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use futures_util::future::join_all;
use tokio::sync::oneshot;

/// Why a batched call failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FetchError {
    /// The call as a whole failed (throttled, unreachable, …): every read of the batch fails.
    Batch(String),
    /// The call failed because of one of its members, which the answer does not name (e.g. a
    /// parameter whose KMS key the caller may not use): each id is then asked for on its own,
    /// so only the culprit's read fails.
    Member(String),
}

impl FetchError {
    pub fn message(&self) -> &str {
        match self {
            FetchError::Batch(m) | FetchError::Member(m) => m,
        }
    }
}

/// Fetches the objects named `ids` of group `group`; returns `(id, object)` pairs (an object may
/// be listed under several ids, e.g. its name and its ARN). Missing ids are simply absent.
pub type Fetch<T> = Arc<
    dyn Fn(
            String,
            Vec<String>,
        ) -> Pin<Box<dyn Future<Output = Result<Vec<(String, T)>, FetchError>> + Send>>
        + Send
        + Sync,
>;

type Answer<T> = Result<Option<T>, String>;
type Waiter<T> = (String, oneshot::Sender<Answer<T>>, Pending);
type Groups<T> = Arc<Mutex<HashMap<String, Group<T>>>>;

struct Group<T> {
    queue: Vec<Waiter<T>>,
    leading: bool,
    /// A read of the group was part of a burst: refilled slots are worth waiting for.
    burst: bool,
}

impl<T> Default for Group<T> {
    fn default() -> Self {
        Group {
            queue: Vec::new(),
            leading: false,
            burst: false,
        }
    }
}

/// Counts a read as waiting (queued or in a call) until its answer is sent or it is dropped.
struct Pending(Arc<AtomicUsize>);

impl Pending {
    fn new(count: &Arc<AtomicUsize>) -> Self {
        count.fetch_add(1, Ordering::Relaxed);
        Pending(count.clone())
    }
}

impl Drop for Pending {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

/// Reads waiting in any coalescer of the process. Terraform's slots are shared by all
/// resources: while reads of other groups wait too, a freed slot need not come back to this
/// group, and waiting for it would hold the slots of the reads already queued.
fn waiting_in_process() -> Arc<AtomicUsize> {
    static WAITING: OnceLock<Arc<AtomicUsize>> = OnceLock::new();
    WAITING.get_or_init(Arc::default).clone()
}

/// How long the batch after an answered one waits for the next read Terraform starts in a freed
/// slot (after the answer, and between two such reads) before it goes with what it has: on a
/// busy machine Terraform needs tens of milliseconds to take up an answer and start the next read.
const REFILL: Duration = Duration::from_millis(100);

/// The same wait while no read is queued (it keeps no read waiting).
const REFILL_EMPTY: Duration = Duration::from_millis(500);

pub struct Coalescer<T> {
    groups: Groups<T>,
    fetch: Fetch<T>,
    max: usize,
    window: Duration,
    enabled: bool,
    /// Reads waiting in every coalescer ([`waiting_in_process`]; tests use their own).
    waiting: Arc<AtomicUsize>,
}

impl<T: Clone + Send + 'static> Coalescer<T> {
    /// `max` ids per call; `enabled = false` sends every read on its own (for comparison).
    pub fn new(fetch: Fetch<T>, max: usize, window: Duration, enabled: bool) -> Self {
        Coalescer {
            groups: Arc::default(),
            fetch,
            max: max.max(1),
            window,
            enabled,
            waiting: waiting_in_process(),
        }
    }

    /// The object `id` of `group`, `Ok(None)` when AWS does not know it. `in_burst`
    /// (other reads run now or just ran) says whether waiting for companions can pay off.
    pub async fn get(&self, group: &str, id: &str, in_burst: bool) -> Result<Option<T>, String> {
        if !self.enabled {
            let found = (self.fetch)(group.to_string(), vec![id.to_string()])
                .await
                .map_err(|e| e.message().to_string())?;
            return Ok(pick(&found, id));
        }
        let (tx, rx) = oneshot::channel();
        let lead = {
            let mut groups = self.groups.lock().unwrap_or_else(|e| e.into_inner());
            let entry = groups.entry(group.to_string()).or_default();
            entry
                .queue
                .push((id.to_string(), tx, Pending::new(&self.waiting)));
            entry.burst |= in_burst;
            !std::mem::replace(&mut entry.leading, true)
        };
        if lead {
            let window = if in_burst {
                self.window
            } else {
                Duration::ZERO
            };
            // The batches run as their own task: the leading read may be cancelled (its RPC
            // dropped) without taking the others' answers with it.
            tokio::spawn(run_batches(self.leader(group), window));
        }
        rx.await.unwrap_or_else(|_| {
            Err("the batched read was interrupted; run the command again".to_string())
        })
    }

    fn leader(&self, group: &str) -> Leader<T> {
        Leader {
            groups: self.groups.clone(),
            fetch: self.fetch.clone(),
            group: group.to_string(),
            max: self.max,
            waiting: self.waiting.clone(),
            done: false,
        }
    }

    /// Reads waiting in `group` (for tests that need a read to be queued before going on).
    #[cfg(test)]
    fn queued(&self, group: &str) -> usize {
        let groups = self.groups.lock().unwrap_or_else(|e| e.into_inner());
        groups.get(group).map_or(0, |g| g.queue.len())
    }
}

fn pick<T: Clone>(found: &[(String, T)], id: &str) -> Option<T> {
    found.iter().find(|(k, _)| k == id).map(|(_, v)| v.clone())
}

/// The task that sends a group's batches. If it ends before the queue is empty (a panic in
/// `fetch`, or the runtime dropping the task), dropping it hands the queue to a new leader,
/// so no read waits forever.
struct Leader<T: Clone + Send + 'static> {
    groups: Groups<T>,
    fetch: Fetch<T>,
    group: String,
    max: usize,
    waiting: Arc<AtomicUsize>,
    /// Set once the queue was found empty and the group removed.
    done: bool,
}

impl<T: Clone + Send + 'static> Leader<T> {
    fn queued(&self) -> usize {
        let groups = self.groups.lock().unwrap_or_else(|e| e.into_inner());
        groups.get(&self.group).map_or(0, |g| g.queue.len())
    }

    fn in_burst(&self) -> bool {
        let groups = self.groups.lock().unwrap_or_else(|e| e.into_inner());
        groups.get(&self.group).is_some_and(|g| g.burst)
    }

    /// Reads of other groups wait as well.
    fn others_waiting(&self, queued: usize) -> bool {
        self.waiting.load(Ordering::Relaxed) > queued
    }

    /// Waits until `target` reads are queued (then says so), or until none has joined for
    /// [`REFILL`] ([`REFILL_EMPTY`] while none is queued), or until reads of other groups wait.
    async fn refill(&self, target: usize) -> bool {
        let mut queued = self.queued();
        let mut quiet_since = tokio::time::Instant::now();
        let quiet = |queued: usize| if queued == 0 { REFILL_EMPTY } else { REFILL };
        while queued < target
            && quiet_since.elapsed() < quiet(queued)
            && !self.others_waiting(queued)
        {
            tokio::time::sleep(Duration::from_millis(1)).await;
            let now = self.queued();
            if now != queued {
                queued = now;
                quiet_since = tokio::time::Instant::now();
            }
        }
        queued >= target
    }

    /// Up to `max` waiting reads, or `None` (and the group removed) when there are none.
    fn next_batch(&mut self) -> Option<Vec<Waiter<T>>> {
        let mut all = self.groups.lock().unwrap_or_else(|e| e.into_inner());
        let queue_len = all.get(&self.group).map_or(0, |g| g.queue.len());
        if queue_len == 0 {
            all.remove(&self.group);
            self.done = true;
            return None;
        }
        let entry = all.get_mut(&self.group)?;
        Some(entry.queue.drain(..queue_len.min(self.max)).collect())
    }

    fn successor(&self) -> Leader<T> {
        Leader {
            groups: self.groups.clone(),
            fetch: self.fetch.clone(),
            group: self.group.clone(),
            max: self.max,
            waiting: self.waiting.clone(),
            done: false,
        }
    }
}

impl<T: Clone + Send + 'static> Drop for Leader<T> {
    fn drop(&mut self) {
        if self.done {
            return;
        }
        let mut all = self.groups.lock().unwrap_or_else(|e| e.into_inner());
        let waiting = all.get(&self.group).is_some_and(|g| !g.queue.is_empty());
        match tokio::runtime::Handle::try_current() {
            Ok(runtime) if waiting => {
                drop(all);
                tracing::warn!(group = %self.group, "a batched read ended early; another takes over");
                runtime.spawn(run_batches(self.successor(), Duration::ZERO));
            }
            // Nothing waits, or there is no runtime to run on: the waiting reads fail (their
            // senders are dropped) instead of hanging, and the next read leads afresh.
            _ => {
                all.remove(&self.group);
            }
        }
    }
}

/// Collect companions for at most `window`, or until a batch is full.
async fn gather<T: Clone + Send + 'static>(leader: &Leader<T>, window: Duration) {
    let deadline = tokio::time::Instant::now()
        .checked_add(window)
        .unwrap_or_else(tokio::time::Instant::now);
    while tokio::time::Instant::now() < deadline && leader.queued() < leader.max {
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
}

async fn run_batches<T: Clone + Send + 'static>(mut leader: Leader<T>, window: Duration) {
    gather(&leader, window).await;
    while let Some(batch) = leader.next_batch() {
        let answered = batch.len();
        let mut ids: Vec<String> = batch.iter().map(|(id, _, _)| id.clone()).collect();
        ids.sort();
        ids.dedup();
        tracing::debug!(group = %leader.group, batch = ids.len(), "batched read");
        let answers = fetch_answers(&leader.fetch, &leader.group, ids).await;
        for (id, tx, _pending) in batch {
            let answer = answers
                .get(&id)
                .cloned()
                .unwrap_or_else(|| Err("no answer for this read".to_string()));
            let _ = tx.send(answer);
        }
        let queued = leader.queued();
        if leader.in_burst() && !leader.others_waiting(queued) {
            // Each answered read frees a slot in which Terraform starts its next read. Sending
            // only what arrived during this call would split every later wave as this one.
            if leader.refill((queued + answered).min(leader.max)).await {
                // Refilled: others may still come as for a first batch.
                gather(&leader, window).await;
            }
        }
    }
}

/// The answer for each of `ids`: one call for all, or one call each when the batch failed
/// because of a member.
async fn fetch_answers<T: Clone>(
    fetch: &Fetch<T>,
    group: &str,
    ids: Vec<String>,
) -> HashMap<String, Answer<T>> {
    match fetch(group.to_string(), ids.clone()).await {
        Ok(found) => ids
            .into_iter()
            .map(|id| {
                let answer = Ok(pick(&found, &id));
                (id, answer)
            })
            .collect(),
        Err(FetchError::Member(_)) if ids.len() > 1 => {
            tracing::debug!(group = %group, batch = ids.len(), "a member failed the batch; reading each alone");
            let singles = ids.into_iter().map(|id| {
                let call = fetch(group.to_string(), vec![id.clone()]);
                async move {
                    let answer = match call.await {
                        Ok(found) => Ok(pick(&found, &id)),
                        Err(e) => Err(e.message().to_string()),
                    };
                    (id, answer)
                }
            });
            join_all(singles).await.into_iter().collect()
        }
        Err(e) => {
            let message = e.message().to_string();
            ids.into_iter()
                .map(|id| (id, Err(message.clone())))
                .collect()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// Generous bound for answers that should come at once (a hang fails the test instead).
    const BOUND: Duration = Duration::from_secs(10);

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

    /// Waits (without a clock) until `n` reads are queued in `group`.
    async fn until_queued(c: &Coalescer<String>, group: &str, n: usize) {
        while c.queued(group) < n {
            tokio::task::yield_now().await;
        }
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

    /// Terraform reads at most `-parallelism` (10) resources at a time and starts the next read
    /// in a slot some time after the previous one was answered (here 0–90 ms, as on a busy
    /// machine, longer than the window). The first wave reaches the provider split; after it
    /// every batch waits for the reads started in the slots it freed and carries 10 again:
    /// ⌈30/10⌉ + 1 calls (without the wait, the split repeats with every wave).
    #[tokio::test]
    async fn reads_started_in_freed_slots_fill_the_next_batch() {
        let (calls, sizes) = (
            Arc::new(AtomicUsize::new(0)),
            Arc::new(Mutex::new(Vec::new())),
        );
        let mut c = Coalescer::new(
            counting(calls.clone(), sizes.clone()),
            10,
            Duration::from_millis(25),
            true,
        );
        // Reads of the tests that run at the same time are not Terraform's.
        c.waiting = Arc::default();
        let c = Arc::new(c);
        let slots = Arc::new(tokio::sync::Semaphore::new(10));
        let reads: Vec<_> = (0..30u64)
            .map(|i| {
                let (c, slots) = (c.clone(), slots.clone());
                tokio::spawn(async move {
                    let _slot = slots.acquire().await.unwrap();
                    tokio::time::sleep(Duration::from_millis(10 * (i % 10))).await;
                    c.get("g", &format!("s{i}"), true).await
                })
            })
            .collect();
        for (i, read) in reads.into_iter().enumerate() {
            assert_eq!(read.await.unwrap().unwrap(), Some(format!("value of s{i}")));
        }
        let sizes = sizes.lock().unwrap().clone();
        assert_eq!(sizes.iter().sum::<usize>(), 30, "{sizes:?}");
        assert!(sizes.len() <= 4, "{} calls: {sizes:?}", sizes.len());
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

    #[tokio::test]
    async fn followers_are_answered_when_the_leading_read_is_dropped() {
        let (calls, sizes) = (
            Arc::new(AtomicUsize::new(0)),
            Arc::new(Mutex::new(Vec::new())),
        );
        let c = Arc::new(Coalescer::new(
            counting(calls.clone(), sizes),
            10,
            Duration::from_millis(50),
            true,
        ));
        let leader = {
            let c = c.clone();
            tokio::spawn(async move { c.get("g", "lead", true).await })
        };
        until_queued(&c, "g", 1).await;
        let followers: Vec<_> = (0..3)
            .map(|i| {
                let c = c.clone();
                tokio::spawn(async move { c.get("g", &format!("f{i}"), true).await })
            })
            .collect();
        until_queued(&c, "g", 4).await;
        // Terraform cancels the leading read's RPC while it waits for companions.
        leader.abort();
        for (i, follower) in followers.into_iter().enumerate() {
            let answer = tokio::time::timeout(BOUND, follower)
                .await
                .expect("a follower waited forever")
                .unwrap();
            assert_eq!(answer, Ok(Some(format!("value of f{i}"))));
        }
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn a_panicking_batch_fails_its_reads_and_the_queued_ones_still_get_answers() {
        let calls = Arc::new(AtomicUsize::new(0));
        let release = Arc::new(tokio::sync::Notify::new());
        let fetch: Fetch<String> = {
            let (calls, release) = (calls.clone(), release.clone());
            Arc::new(move |_group, ids| {
                let first = calls.fetch_add(1, Ordering::SeqCst) == 0;
                let release = release.clone();
                Box::pin(async move {
                    if first {
                        release.notified().await;
                        panic!("a bug in the first batch");
                    }
                    Ok(ids
                        .iter()
                        .map(|i| (i.clone(), format!("value of {i}")))
                        .collect())
                })
            })
        };
        let c = Arc::new(Coalescer::new(fetch, 10, Duration::ZERO, true));
        let first = {
            let c = c.clone();
            tokio::spawn(async move { c.get("g", "a", false).await })
        };
        // The first batch is out (the queue is empty again); these two wait for the next one.
        while calls.load(Ordering::SeqCst) == 0 {
            tokio::task::yield_now().await;
        }
        let queued: Vec<_> = ["b", "c"]
            .into_iter()
            .map(|id| {
                let c = c.clone();
                tokio::spawn(async move { c.get("g", id, true).await })
            })
            .collect();
        until_queued(&c, "g", 2).await;
        release.notify_one();

        let failed = tokio::time::timeout(BOUND, first).await.unwrap().unwrap();
        assert!(failed.unwrap_err().contains("interrupted"));
        for (read, id) in queued.into_iter().zip(["b", "c"]) {
            let answer = tokio::time::timeout(BOUND, read)
                .await
                .expect("a queued read waited forever")
                .unwrap();
            assert_eq!(answer, Ok(Some(format!("value of {id}"))));
        }
        let later = tokio::time::timeout(BOUND, c.get("g", "d", false))
            .await
            .expect("a later read waited forever");
        assert_eq!(later, Ok(Some("value of d".to_string())));
    }

    #[tokio::test]
    async fn a_member_failing_the_batch_fails_only_its_own_read() {
        let sizes = Arc::new(Mutex::new(Vec::new()));
        let fetch: Fetch<String> = {
            let sizes = sizes.clone();
            Arc::new(move |_group, ids: Vec<String>| {
                sizes.lock().unwrap().push(ids.len());
                Box::pin(async move {
                    if ids.iter().any(|i| i == "locked") {
                        return Err(FetchError::Member("AccessDeniedException".into()));
                    }
                    Ok(ids
                        .iter()
                        .map(|i| (i.clone(), format!("value of {i}")))
                        .collect())
                })
            })
        };
        let c = Arc::new(Coalescer::new(fetch, 10, Duration::from_millis(50), true));
        let ids: Vec<String> = (0..9)
            .map(|i| format!("p{i}"))
            .chain(["locked".to_string()])
            .collect();
        let reads: Vec<_> = ids
            .iter()
            .map(|id| {
                let (c, id) = (c.clone(), id.clone());
                tokio::spawn(async move { c.get("", &id, true).await })
            })
            .collect();
        for (read, id) in reads.into_iter().zip(&ids) {
            let answer = tokio::time::timeout(BOUND, read).await.unwrap().unwrap();
            if id == "locked" {
                assert_eq!(answer, Err("AccessDeniedException".to_string()));
            } else {
                assert_eq!(answer, Ok(Some(format!("value of {id}"))));
            }
        }
        let sizes = sizes.lock().unwrap().clone();
        assert_eq!(sizes[0], 10, "one batch first: {sizes:?}");
        assert_eq!(sizes[1..], [1; 10], "then each alone: {sizes:?}");
    }

    #[tokio::test]
    async fn a_failing_call_fails_every_read_of_its_batch_once() {
        let calls = Arc::new(AtomicUsize::new(0));
        let fetch: Fetch<String> = {
            let calls = calls.clone();
            Arc::new(move |_group, _ids| {
                calls.fetch_add(1, Ordering::SeqCst);
                Box::pin(async { Err(FetchError::Batch("ThrottlingException".into())) })
            })
        };
        let c = Arc::new(Coalescer::new(fetch, 10, Duration::from_millis(50), true));
        let reads: Vec<_> = (0..5)
            .map(|i| {
                let c = c.clone();
                tokio::spawn(async move { c.get("g", &format!("s{i}"), true).await })
            })
            .collect();
        for read in reads {
            let answer = tokio::time::timeout(BOUND, read).await.unwrap().unwrap();
            assert_eq!(answer, Err("ThrottlingException".to_string()));
        }
        assert_eq!(calls.load(Ordering::SeqCst), 1, "no retry one by one");
    }
}
