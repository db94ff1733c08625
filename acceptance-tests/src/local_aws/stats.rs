//! Call counts by `service:Action`, served at `GET /_local/stats`.

use std::collections::BTreeMap;
use std::sync::Mutex;

#[derive(Default)]
pub struct Stats {
    counts: Mutex<BTreeMap<String, u64>>,
}

impl Stats {
    pub fn count(&self, key: &str) {
        *self
            .counts
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .entry(key.to_string())
            .or_default() += 1;
    }

    pub fn reset(&self) {
        self.counts
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
    }

    pub fn to_json(&self) -> String {
        let counts = self.counts.lock().unwrap_or_else(|e| e.into_inner());
        serde_json::to_string(&*counts).unwrap_or_else(|_| "{}".to_string())
    }
}
