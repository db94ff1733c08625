//! Moving state across resource types and providers (protocol 6.5, a `moved` block whose `from`
//! names another type, possibly of another provider). A resource offers it through
//! `Resource::as_move_state`: a list of [`Mover`]s, each accepting one source (provider, type,
//! schema versions) with a pure transformation of the stored source JSON into the target's state.
//!
//! Terraform asks an unconfigured provider and sends the source state exactly as stored, so a
//! transformation can neither call a remote API nor rely on the source provider's schema.

use super::diag::Diagnostics;

/// One source a resource accepts state from.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MoveSource {
    /// `namespace/type` of the source provider (e.g. `hashicorp/aws`); the registry host is
    /// ignored, because Terraform and OpenTofu name different default registries.
    pub provider: &'static str,
    pub type_name: &'static str,
    /// The source schema versions whose layout the transformation knows.
    pub versions: &'static [i64],
}

impl MoveSource {
    pub fn accepts_provider(&self, address: &str) -> bool {
        provider_matches(address, self.provider)
    }

    pub fn describe(&self) -> String {
        let versions: Vec<String> = self.versions.iter().map(i64::to_string).collect();
        format!(
            "{} of {} (schema version {})",
            self.type_name,
            self.provider,
            versions.join(" or ")
        )
    }
}

/// What a transformation gets: the source instance as Terraform stored it.
pub struct MoveInput<'a> {
    pub schema_version: i64,
    /// The stored attributes (JSON object), unknown keys and all.
    pub state: &'a serde_json::Value,
    /// The source provider's private bytes, possibly empty.
    pub private: &'a [u8],
}

/// The target's state in JSON form (attributes left out are null, blocks left out empty) and
/// its private bytes.
pub struct Moved {
    pub state: serde_json::Value,
    pub private: Vec<u8>,
}

/// A pure transformation; an attribute the target cannot hold is an error diagnostic naming it.
pub type Transform = fn(&MoveInput<'_>, &mut Diagnostics) -> Option<Moved>;

#[derive(Clone, Copy)]
pub struct Mover {
    pub source: MoveSource,
    pub transform: Transform,
}

/// A resource that accepts state moved from other resource types.
pub trait MoveState: Send + Sync {
    /// Tried in order; the first whose source matches the request's provider and type is used.
    fn movers(&self) -> &[Mover];
}

/// A fixed list of movers, for a `static` a resource's accessor returns.
pub struct Movers(pub &'static [Mover]);

impl MoveState for Movers {
    fn movers(&self) -> &[Mover] {
        self.0
    }
}

/// `registry.terraform.io/hashicorp/aws`, `registry.opentofu.org/hashicorp/aws` and
/// `hashicorp/aws` all match `hashicorp/aws` (case-insensitively, as registry names are).
pub fn provider_matches(address: &str, wanted: &str) -> bool {
    let tail: Vec<&str> = address.rsplitn(3, '/').take(2).collect();
    let wanted: Vec<&str> = wanted.rsplitn(2, '/').collect();
    tail.len() == 2
        && wanted.len() == 2
        && tail
            .iter()
            .zip(&wanted)
            .all(|(a, b)| a.eq_ignore_ascii_case(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_provider_matches_on_namespace_and_type_whatever_the_host() {
        for address in [
            "registry.terraform.io/hashicorp/aws",
            "registry.opentofu.org/hashicorp/aws",
            "hashicorp/aws",
            "example.com/HashiCorp/AWS",
        ] {
            assert!(provider_matches(address, "hashicorp/aws"), "{address}");
        }
        for address in [
            "registry.terraform.io/hashicorp/awscc",
            "registry.terraform.io/someone/aws",
            "aws",
            "",
        ] {
            assert!(!provider_matches(address, "hashicorp/aws"), "{address}");
        }
    }

    #[test]
    fn a_source_describes_its_versions() {
        let source = MoveSource {
            provider: "hashicorp/aws",
            type_name: "aws_ecs_service",
            versions: &[0, 1],
        };
        assert_eq!(
            source.describe(),
            "aws_ecs_service of hashicorp/aws (schema version 0 or 1)"
        );
    }
}
