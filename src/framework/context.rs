//! What every resource call receives besides its values: the configured provider's data and a
//! cancellation token that `StopProvider` trips.

use std::any::Any;
use std::sync::Arc;

use tokio_util::sync::CancellationToken;

use super::diag::Diagnostics;

/// Whatever the provider's `configure` produced (AWS clients, default tags, …).
pub type ProviderData = Arc<dyn Any + Send + Sync>;

#[derive(Clone)]
pub struct Ctx {
    pub cancel: CancellationToken,
    pub provider_data: Option<ProviderData>,
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

    pub fn is_cancelled(&self) -> bool {
        self.cancel.is_cancelled()
    }
}
