//! Call counts by `service:Action` (`GET /_local/stats`) and the calls in the order they came
//! (`GET /_local/calls`), both since start or the last `POST /_local/stats/reset`.

use std::collections::BTreeMap;
use std::sync::Mutex;

/// At most this many calls are kept in order (the counts are unbounded).
const CALL_LOG_LIMIT: usize = 100_000;

#[derive(Default)]
pub struct Stats {
    counts: Mutex<BTreeMap<String, u64>>,
    calls: Mutex<Vec<String>>,
}

impl Stats {
    pub fn count(&self, key: &str) {
        *self
            .counts
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .entry(key.to_string())
            .or_default() += 1;
        let mut calls = self.calls.lock().unwrap_or_else(|e| e.into_inner());
        if calls.len() < CALL_LOG_LIMIT {
            calls.push(key.to_string());
        }
    }

    pub fn reset(&self) {
        self.counts
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
        self.calls.lock().unwrap_or_else(|e| e.into_inner()).clear();
    }

    pub fn calls_json(&self) -> String {
        let calls = self.calls.lock().unwrap_or_else(|e| e.into_inner());
        serde_json::to_string(&*calls).unwrap_or_else(|_| "[]".to_string())
    }

    pub fn to_json(&self) -> String {
        let counts = self.counts.lock().unwrap_or_else(|e| e.into_inner());
        serde_json::to_string(&*counts).unwrap_or_else(|_| "{}".to_string())
    }
}
