//! What the provider's `configure` hands to every resource and data-source call.

use super::tags::Tags;
use crate::aws::Clients;

pub struct Configured {
    pub clients: Clients,
    /// `None` while the provider's `default_tags` are unknown (planned from another resource).
    pub default_tags: Option<Tags>,
}
