//! `volume_configuration` of `ecs_service`: the EBS volume ECS creates for each task, for a
//! task-definition volume that is `configure_at_launch`. The block, its model, the mapping to
//! and from the SDK (ECS reports it on the PRIMARY deployment), and ECS's rules at plan time:
//! sizes, IOPS and throughput per volume type (ECS API reference,
//! `ServiceManagedEBSVolumeConfiguration`), and the pairing with the task definition's volumes
//! (ECS API reference, `ServiceVolumeConfiguration` and `Volume.configuredAtLaunch`).

use std::collections::{BTreeMap, BTreeSet};

use aws_sdk_ecs::types::{
    EbsResourceType, EbsTagSpecification, PropagateTags, Service,
    ServiceManagedEbsVolumeConfiguration, ServiceVolumeConfiguration, Tag, TaskFilesystemType,
};
use serde::{Deserialize, Serialize};
use serde_json::Value as Json;

use super::connect::primary;
use crate::framework::model::{Attr, decode};
use crate::framework::schema::validators::{IntBetween, OneOf, Prefix};
use crate::framework::schema::{Attribute, Block, NestedBlock};
use crate::framework::value::AttrPath;
use crate::framework::{Diagnostics, Value};

const VOLUME_TYPES: &[&str] = &["gp2", "gp3", "io1", "io2", "st1", "sc1", "standard"];

pub fn block() -> NestedBlock {
    let tag_specification = Block::new()
        .description("Tags for the volumes ECS creates.")
        .attribute(
            Attribute::string("resource_type")
                .required()
                .validate(OneOf(&["volume"]))
                .description("`volume`."),
        )
        .attribute(
            Attribute::string("propagate_tags")
                .optional()
                .validate(OneOf(&["TASK_DEFINITION", "SERVICE", "NONE"]))
                .description("Copy the tags of the `SERVICE` or the `TASK_DEFINITION` to the volumes; `NONE` (as unset) copies none."),
        )
        .attribute(Attribute::string_map("tags").optional().description("Tags of the volumes."));
    let ebs = Block::new()
        .description("The EBS volume ECS creates and attaches for each task.")
        .attribute(
            Attribute::string("role_arn")
                .required()
                .validate(Prefix { prefix: "arn:", what: "an ARN" })
                .description("ECS infrastructure role that creates and attaches the volumes."),
        )
        .attribute(Attribute::bool("encrypted").optional().default(Value::Bool(true)).description("Encrypt the volumes. Default true."))
        .attribute(
            Attribute::string("file_system_type")
                .optional()
                .default(Value::string("xfs"))
                .validate(OneOf(&["ext3", "ext4", "xfs", "ntfs"]))
                .description("`xfs` (default), `ext3`, `ext4` or `ntfs`; a volume from a snapshot needs the snapshot's."),
        )
        .attribute(Attribute::number("iops").optional().description("Provisioned IOPS: gp3 3000–16000, io1 100–64000, io2 100–256000; required for io1 and io2, not allowed for other types."))
        .attribute(Attribute::string("kms_key_id").optional().description("KMS key that encrypts the volumes."))
        .attribute(Attribute::number("size_in_gb").optional().description("Size in GiB: gp2 and gp3 1–16384, io1 4–16384, io2 4–65536, st1 and sc1 125–16384, standard 1–1024. Required unless `snapshot_id` is set."))
        .attribute(Attribute::string("snapshot_id").optional().description("Snapshot the volumes are created from."))
        .attribute(
            Attribute::number("throughput")
                .optional()
                .validate(IntBetween { min: 0, max: 1000 })
                .description("Throughput in MiB/s, up to 1000; gp3 only."),
        )
        .attribute(Attribute::number("volume_initialization_rate").optional().description("MiB/s at which a volume from `snapshot_id` is initialised, 100–300; only with `snapshot_id`."))
        .attribute(
            Attribute::string("volume_type")
                .optional()
                .validate(OneOf(VOLUME_TYPES))
                .description("EBS volume type: `gp3` (what ECS uses when unset), `gp2`, `io1`, `io2`, `st1`, `sc1` or `standard`."),
        )
        .block(NestedBlock::list("tag_specifications", tag_specification));
    let block = Block::new()
        .description("The EBS volume of a task-definition volume with `configure_at_launch = true`: needed for each such volume, and only for such a volume. Changing it deploys in place. ECS reports it on the service's deployments; the PRIMARY deployment's is read back.")
        .attribute(Attribute::string("name").required().description("`name` of the task definition's volume (one with `configure_at_launch = true`)."))
        .block(NestedBlock::single("managed_ebs_volume", ebs)
            .min_items(1)
            .max_items(1));
    NestedBlock::single("volume_configuration", block)
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct VolumeModel {
    pub name: String,
    pub managed_ebs_volume: Option<EbsModel>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EbsModel {
    pub role_arn: String,
    pub encrypted: Option<bool>,
    pub file_system_type: Option<String>,
    pub iops: Option<i64>,
    pub kms_key_id: Option<String>,
    pub size_in_gb: Option<i64>,
    pub snapshot_id: Option<String>,
    pub throughput: Option<i64>,
    pub volume_initialization_rate: Option<i64>,
    pub volume_type: Option<String>,
    pub tag_specifications: Vec<TagSpecificationModel>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TagSpecificationModel {
    pub resource_type: String,
    pub propagate_tags: Option<String>,
    pub tags: Option<BTreeMap<String, String>>,
}

fn int(n: Option<i64>) -> Option<i32> {
    n.and_then(|n| i32::try_from(n).ok())
}

/// The SDK's volume configurations for `model` (none is an empty list, which removes them).
pub fn expand(model: Option<&VolumeModel>) -> Vec<ServiceVolumeConfiguration> {
    model
        .and_then(|v| {
            let ebs = v.managed_ebs_volume.as_ref().and_then(|e| {
                let specs = e
                    .tag_specifications
                    .iter()
                    .filter_map(|t| {
                        let tags = t.tags.as_ref().filter(|t| !t.is_empty()).map(|tags| {
                            tags.iter()
                                .map(|(k, v)| Tag::builder().key(k).value(v).build())
                                .collect()
                        });
                        EbsTagSpecification::builder()
                            .resource_type(EbsResourceType::from(t.resource_type.as_str()))
                            .set_propagate_tags(
                                t.propagate_tags.as_deref().map(PropagateTags::from),
                            )
                            .set_tags(tags)
                            .build()
                            .ok()
                    })
                    .collect::<Vec<_>>();
                ServiceManagedEbsVolumeConfiguration::builder()
                    .role_arn(&e.role_arn)
                    .set_encrypted(e.encrypted)
                    .set_filesystem_type(
                        e.file_system_type.as_deref().map(TaskFilesystemType::from),
                    )
                    .set_iops(int(e.iops))
                    .set_kms_key_id(e.kms_key_id.clone())
                    .set_size_in_gib(int(e.size_in_gb))
                    .set_snapshot_id(e.snapshot_id.clone())
                    .set_throughput(int(e.throughput))
                    .set_volume_initialization_rate(int(e.volume_initialization_rate))
                    .set_volume_type(e.volume_type.clone())
                    .set_tag_specifications((!specs.is_empty()).then_some(specs))
                    .build()
                    .ok()
            });
            ServiceVolumeConfiguration::builder()
                .name(&v.name)
                .set_managed_ebs_volume(ebs)
                .build()
                .ok()
        })
        .into_iter()
        .collect()
}

/// The model of the volume configuration `service` runs with; `prior` fills what ECS leaves
/// out (its defaults, `NONE` as unset) and stands when there is no PRIMARY deployment.
pub fn flatten(service: &Service, prior: Option<&VolumeModel>) -> Option<VolumeModel> {
    let Some(deployment) = primary(service) else {
        return prior.cloned();
    };
    let remote = deployment.volume_configurations().first()?;
    let before = prior
        .filter(|p| p.name == remote.name())
        .and_then(|p| p.managed_ebs_volume.as_ref());
    let managed_ebs_volume = remote.managed_ebs_volume().map(|e| {
        let prior_specs = before
            .map(|b| b.tag_specifications.as_slice())
            .unwrap_or(&[]);
        EbsModel {
            role_arn: e.role_arn().to_string(),
            encrypted: e
                .encrypted()
                .or(before.and_then(|b| b.encrypted))
                .or(Some(true)),
            file_system_type: e
                .filesystem_type()
                .map(|f| f.as_str().to_string())
                .or(before.and_then(|b| b.file_system_type.clone()))
                .or(Some("xfs".into())),
            iops: e.iops().map(i64::from),
            kms_key_id: e.kms_key_id().map(str::to_string),
            size_in_gb: e.size_in_gib().map(i64::from),
            snapshot_id: e.snapshot_id().map(str::to_string),
            throughput: e.throughput().map(i64::from),
            volume_initialization_rate: e.volume_initialization_rate().map(i64::from),
            volume_type: e.volume_type().map(str::to_string),
            tag_specifications: e
                .tag_specifications()
                .iter()
                .enumerate()
                .map(|(i, t)| {
                    let was = prior_specs.get(i);
                    let propagate = t.propagate_tags().map(|p| p.as_str().to_string());
                    TagSpecificationModel {
                        resource_type: t.resource_type().as_str().to_string(),
                        // `NONE` and unset are the same.
                        propagate_tags: match propagate.as_deref() {
                            Some("NONE") if was.is_none_or(|w| w.propagate_tags.is_none()) => None,
                            _ => propagate,
                        },
                        tags: (!t.tags().is_empty()).then(|| {
                            t.tags()
                                .iter()
                                .filter_map(|t| {
                                    Some((t.key()?.to_string(), t.value()?.to_string()))
                                })
                                .collect()
                        }),
                    }
                })
                .collect(),
        }
    });
    Some(VolumeModel {
        name: remote.name().to_string(),
        managed_ebs_volume,
    })
}

/// The parts of a configured or planned volume configuration the rules look at.
#[derive(Deserialize)]
struct VolumeView {
    name: Attr<String>,
    managed_ebs_volume: Attr<EbsView>,
}

#[derive(Deserialize)]
struct EbsView {
    volume_type: Attr<String>,
    size_in_gb: Attr<i64>,
    iops: Attr<i64>,
    throughput: Attr<i64>,
    snapshot_id: Attr<String>,
    volume_initialization_rate: Attr<i64>,
}

fn ebs_path(attribute: &str) -> AttrPath {
    AttrPath::root()
        .attr("volume_configuration")
        .attr("managed_ebs_volume")
        .attr(attribute)
}

/// The range of sizes ECS accepts for a volume type, in GiB.
fn size_range(volume_type: &str) -> Option<(i64, i64)> {
    Some(match volume_type {
        "gp2" | "gp3" => (1, 16_384),
        "io1" => (4, 16_384),
        "io2" => (4, 65_536),
        "st1" | "sc1" => (125, 16_384),
        "standard" => (1, 1_024),
        _ => return None,
    })
}

/// The range of provisioned IOPS for a volume type; `None` where IOPS cannot be set.
fn iops_range(volume_type: &str) -> Option<(i64, i64)> {
    Some(match volume_type {
        "gp3" => (3_000, 16_000),
        "io1" => (100, 64_000),
        "io2" => (100, 256_000),
        _ => return None,
    })
}

/// ECS's refusals of a `volume_configuration` value (a configuration, unknowns skipped).
pub fn validate(config: &Value, diags: &mut Diagnostics) {
    let Ok(Attr::Known(volume)) = decode::<Attr<VolumeView>>(config) else {
        return;
    };
    let Attr::Known(ebs) = volume.managed_ebs_volume else {
        return;
    };
    // ECS creates gp3 volumes when no type is given.
    let volume_type = match &ebs.volume_type {
        Attr::Known(t) => Some(t.as_str()),
        Attr::Null => Some("gp3"),
        Attr::Unknown => None,
    };
    if ebs.size_in_gb.is_null() && ebs.snapshot_id.is_null() {
        diags.error_at(
            ebs_path("size_in_gb"),
            "A managed EBS volume needs a size or a snapshot",
            "Set `size_in_gb`, or `snapshot_id` to create the volumes from a snapshot.",
        );
    }
    if let (Attr::Known(size), Some(t)) = (&ebs.size_in_gb, volume_type)
        && let Some((min, max)) = size_range(t)
        && !(min..=max).contains(size)
    {
        diags.error_at(
            ebs_path("size_in_gb"),
            "Volume size out of range",
            format!("{t} volumes are {min} to {max} GiB; size_in_gb is {size}."),
        );
    }
    if let Some(t) = volume_type {
        match (&ebs.iops, iops_range(t)) {
            (Attr::Known(iops), None) => diags.error_at(
                ebs_path("iops"),
                "IOPS cannot be set for this volume type",
                format!("{t} volumes have no provisioned IOPS (only gp3, io1 and io2 do); iops is {iops}. Remove it or choose another volume_type."),
            ),
            (Attr::Known(iops), Some((min, max))) if !(min..=max).contains(iops) => diags.error_at(
                ebs_path("iops"),
                "IOPS out of range",
                format!("{t} volumes take {min} to {max} IOPS; iops is {iops}."),
            ),
            (Attr::Null, Some(_)) if t.starts_with("io") => diags.error_at(
                ebs_path("iops"),
                "io1 and io2 volumes need iops",
                format!("Set `iops` for {t} volumes."),
            ),
            _ => {}
        }
        if let Attr::Known(throughput) = &ebs.throughput
            && t != "gp3"
        {
            diags.error_at(
                ebs_path("throughput"),
                "Throughput can only be set for gp3 volumes",
                format!("{t} volumes have no provisioned throughput; throughput is {throughput}. Remove it or use volume_type = \"gp3\"."),
            );
        }
    }
    if let Attr::Known(rate) = &ebs.volume_initialization_rate {
        if ebs.snapshot_id.is_null() {
            diags.error_at(
                ebs_path("volume_initialization_rate"),
                "volume_initialization_rate needs snapshot_id",
                "Only volumes created from a snapshot are initialised: set `snapshot_id` or remove `volume_initialization_rate`.",
            );
        } else if !(100..=300).contains(rate) {
            diags.error_at(
                ebs_path("volume_initialization_rate"),
                "Volume initialization rate out of range",
                format!("volume_initialization_rate is {rate}; it must be 100 to 300 MiB/s."),
            );
        }
    }
}

/// The task definition's volumes that are configured at launch, and all its volume names.
fn launch_volumes(definition: &Json) -> (BTreeSet<String>, BTreeSet<String>) {
    let mut at_launch = BTreeSet::new();
    let mut all = BTreeSet::new();
    let volumes = definition.get("volumes").and_then(Json::as_array);
    for v in volumes.into_iter().flatten() {
        let Some(name) = v.get("name").and_then(Json::as_str) else {
            continue;
        };
        all.insert(name.to_string());
        if v.get("configuredAtLaunch").and_then(Json::as_bool) == Some(true) {
            at_launch.insert(name.to_string());
        }
    }
    (at_launch, all)
}

/// Why `planned` (the service's `volume_configuration`) does not fit `definition` (a
/// DescribeTaskDefinition `taskDefinition`): the path and the message.
pub fn mismatch(planned: &Value, definition: &Json) -> Option<(AttrPath, String, String)> {
    let (at_launch, all) = launch_volumes(definition);
    let root = AttrPath::root().attr("volume_configuration");
    let configured = match decode::<Attr<VolumeView>>(planned) {
        Ok(Attr::Known(v)) => match v.name {
            Attr::Known(name) => Some(name),
            // Not known yet: nothing to compare.
            _ => return None,
        },
        Ok(Attr::Null) => None,
        _ => return None,
    };
    match configured {
        Some(name) if !at_launch.contains(&name) => {
            let why = if all.contains(&name) {
                format!(
                    "The task definition's volume \"{name}\" does not have configure_at_launch = true, so ECS does not take a volume configuration for it: set configure_at_launch = true on that volume, or remove volume_configuration."
                )
            } else {
                format!(
                    "The task definition has no volume \"{name}\". volume_configuration names a volume of the task definition that has configure_at_launch = true."
                )
            };
            Some((
                root.attr("name"),
                "volume_configuration names no volume configured at launch".into(),
                why,
            ))
        }
        _ => {
            let missing: Vec<&String> = at_launch
                .iter()
                .filter(|v| Some(*v) != configured.as_ref())
                .collect();
            let first = missing.first()?;
            Some((
                root,
                "The task definition needs a volume_configuration".into(),
                format!(
                    "The task definition's volume \"{first}\" has configure_at_launch = true: add volume_configuration {{ name = \"{first}\" managed_ebs_volume {{ … }} }} to the service."
                ),
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::model::assert_model_agrees;
    use serde_json::json;

    #[test]
    fn model_agrees_with_the_block() {
        assert_model_agrees::<VolumeModel>(&block());
    }

    fn config(ebs: &[(&str, Value)]) -> Value {
        let mut attrs: Vec<(&str, Value)> = vec![
            ("volume_type", Value::Null),
            ("size_in_gb", Value::Null),
            ("iops", Value::Null),
            ("throughput", Value::Null),
            ("snapshot_id", Value::Null),
            ("volume_initialization_rate", Value::Null),
        ];
        for (k, v) in ebs {
            attrs.retain(|(a, _)| a != k);
            attrs.push((k, v.clone()));
        }
        Value::object([
            ("name", Value::string("data")),
            ("managed_ebs_volume", Value::object(attrs)),
        ])
    }

    fn errors(ebs: &[(&str, Value)]) -> Vec<String> {
        let mut diags = Diagnostics::new();
        validate(&config(ebs), &mut diags);
        diags.iter().map(|d| format!("{:?}", d)).collect()
    }

    #[test]
    fn sizes_iops_and_throughput_follow_the_volume_type() {
        let n = Value::number_i64;
        assert!(errors(&[("size_in_gb", n(20))]).is_empty());
        assert_eq!(errors(&[]).len(), 1, "no size and no snapshot");
        assert!(errors(&[("snapshot_id", Value::string("snap-1"))]).is_empty());
        assert_eq!(errors(&[("size_in_gb", n(16_385))]).len(), 1);
        assert_eq!(errors(&[("size_in_gb", n(0))]).len(), 1);
        let st1 = Value::string("st1");
        assert_eq!(
            errors(&[("volume_type", st1.clone()), ("size_in_gb", n(100))]).len(),
            1
        );
        assert_eq!(
            errors(&[
                ("volume_type", st1),
                ("size_in_gb", n(200)),
                ("iops", n(3000))
            ])
            .len(),
            1
        );
        assert!(
            errors(&[
                ("size_in_gb", n(20)),
                ("iops", n(3000)),
                ("throughput", n(125))
            ])
            .is_empty()
        );
        let io2 = Value::string("io2");
        assert_eq!(
            errors(&[("volume_type", io2.clone()), ("size_in_gb", n(20))]).len(),
            1,
            "io2 needs iops"
        );
        assert_eq!(
            errors(&[
                ("volume_type", io2),
                ("size_in_gb", n(20)),
                ("iops", n(1000)),
                ("throughput", n(200))
            ])
            .len(),
            1
        );
        assert_eq!(
            errors(&[
                ("size_in_gb", n(20)),
                ("volume_initialization_rate", n(200))
            ])
            .len(),
            1
        );
        assert_eq!(
            errors(&[
                ("snapshot_id", Value::string("s")),
                ("volume_initialization_rate", n(400))
            ])
            .len(),
            1
        );
        // Unknown type: only the type-free rules apply.
        assert!(errors(&[("volume_type", Value::Unknown), ("size_in_gb", n(100_000))]).is_empty());
    }

    #[test]
    fn read_back_keeps_what_ecs_leaves_out_and_none_as_unset() {
        use aws_sdk_ecs::types::Deployment;
        let planned = VolumeModel {
            name: "data".into(),
            managed_ebs_volume: Some(EbsModel {
                role_arn: "arn:aws:iam::1:role/r".into(),
                encrypted: Some(false),
                file_system_type: Some("ext4".into()),
                iops: None,
                kms_key_id: None,
                size_in_gb: Some(20),
                snapshot_id: None,
                throughput: None,
                volume_initialization_rate: None,
                volume_type: None,
                tag_specifications: vec![TagSpecificationModel {
                    resource_type: "volume".into(),
                    propagate_tags: None,
                    tags: None,
                }],
            }),
        };
        let mut sent = expand(Some(&planned)).remove(0);
        // ECS reports `NONE` for tags it does not copy, and may leave its defaults out.
        if let Some(ebs) = sent.managed_ebs_volume.as_mut() {
            ebs.encrypted = None;
            ebs.filesystem_type = None;
            if let Some(specs) = ebs.tag_specifications.as_mut() {
                specs[0].propagate_tags = Some(PropagateTags::None);
            }
        }
        let service = Service::builder()
            .deployments(
                Deployment::builder()
                    .status("PRIMARY")
                    .volume_configurations(sent)
                    .build(),
            )
            .build();
        assert_eq!(flatten(&service, Some(&planned)), Some(planned.clone()));
        // Imported: ECS's defaults.
        let imported = flatten(&service, None).unwrap();
        let ebs = imported.managed_ebs_volume.unwrap();
        assert_eq!(
            (ebs.encrypted, ebs.file_system_type.as_deref()),
            (Some(true), Some("xfs"))
        );
        // No volume configuration on the deployment: none.
        let bare = Service::builder()
            .deployments(Deployment::builder().status("PRIMARY").build())
            .build();
        assert_eq!(flatten(&bare, Some(&planned)), None);
        assert_eq!(expand(None), vec![]);
    }

    #[test]
    fn the_volume_configuration_pairs_with_a_volume_configured_at_launch() {
        let def = json!({ "volumes": [
            { "name": "data", "configuredAtLaunch": true },
            { "name": "scratch", "configuredAtLaunch": false }
        ]});
        let named = |n: &str| {
            Value::object([
                ("name", Value::string(n)),
                ("managed_ebs_volume", Value::Unknown),
            ])
        };
        assert!(mismatch(&named("data"), &def).is_none());
        let (path, _, why) = mismatch(&named("scratch"), &def).unwrap();
        assert_eq!(path.to_string(), "volume_configuration.name");
        assert!(
            why.contains("does not have configure_at_launch = true"),
            "{why}"
        );
        assert!(
            mismatch(&named("nope"), &def)
                .unwrap()
                .2
                .contains("no volume \"nope\"")
        );
        let (path, _, why) = mismatch(&Value::Null, &def).unwrap();
        assert_eq!(path.to_string(), "volume_configuration");
        assert!(
            why.contains("\"data\" has configure_at_launch = true"),
            "{why}"
        );
        let plain = json!({ "volumes": [{ "name": "scratch" }] });
        assert!(mismatch(&Value::Null, &plain).is_none());
        let unknown = Value::object([
            ("name", Value::Unknown),
            ("managed_ebs_volume", Value::Unknown),
        ]);
        assert!(mismatch(&unknown, &def).is_none());
    }
}
