//! StopProvider: cancel everything in flight. Takes no lock an in-flight call could hold.

use super::Server;

impl Server {
    pub fn stop_provider(&self) -> String {
        tracing::info!(
            tf_rpc = "StopProvider",
            "stop requested: cancelling in-flight operations"
        );
        self.stop.cancel();
        String::new()
    }
}
