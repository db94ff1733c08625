//! The typed model of `ecs_capacity_provider` and its mapping to and from the ECS SDK types.
//! Flatten keeps the user's null where ECS reports only what it fills in itself (empty lists,
//! the default managed scaling), so a plan after apply or import is empty.

use aws_sdk_ecs::types::{
    AutoScalingGroupProvider, AutoScalingGroupProviderUpdate, BareMetal, BurstablePerformance,
    CapacityOptionType, CapacityProvider, CpuManufacturer,
    CreateManagedInstancesProviderConfiguration, InfrastructureOptimization, InstanceGeneration,
    InstanceLaunchTemplate, InstanceLaunchTemplateUpdate, InstanceRequirementsRequest,
    LocalStorage, ManagedDraining, ManagedInstancesLocalStorageConfiguration,
    ManagedInstancesMonitoringOptions, ManagedInstancesNetworkConfiguration,
    ManagedInstancesProvider, ManagedInstancesStorageConfiguration, ManagedScaling,
    ManagedScalingStatus, ManagedTerminationProtection, MemoryMiBRequest, PropagateMiTags,
    UpdateManagedInstancesProviderConfiguration, VCpuCountRangeRequest,
};
use serde::{Deserialize, Serialize};

use crate::ecs::tags::{self, Tags};
use crate::framework::model::Attr;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CapacityProviderModel {
    pub name: String,
    pub cluster: Attr<String>,
    pub tags: Attr<Tags>,
    pub tags_all: Attr<Tags>,
    pub arn: Attr<String>,
    pub id: Attr<String>,
    pub auto_scaling_group_provider: Option<AsgProvider>,
    pub managed_instances_provider: Option<MiProvider>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AsgProvider {
    pub auto_scaling_group_arn: String,
    pub managed_draining: Attr<String>,
    pub managed_termination_protection: Attr<String>,
    pub managed_scaling: Option<Scaling>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Scaling {
    pub status: Attr<String>,
    pub target_capacity: Attr<i64>,
    pub minimum_scaling_step_size: Attr<i64>,
    pub maximum_scaling_step_size: Attr<i64>,
    pub instance_warmup_period: Attr<i64>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MiProvider {
    pub infrastructure_role_arn: String,
    pub propagate_tags: Attr<String>,
    pub instance_launch_template: Option<LaunchTemplate>,
    pub infrastructure_optimization: Option<Optimization>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Optimization {
    pub scale_in_after: Attr<i64>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LaunchTemplate {
    pub ec2_instance_profile_arn: String,
    pub capacity_option_type: Attr<String>,
    pub monitoring: Attr<String>,
    pub network_configuration: Option<Network>,
    pub storage_configuration: Option<Storage>,
    pub local_storage_configuration: Option<LocalStorageConfig>,
    pub instance_requirements: Option<Requirements>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Network {
    pub subnets: Vec<String>,
    pub security_groups: Attr<Vec<String>>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Storage {
    pub storage_size_gib: i64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LocalStorageConfig {
    pub use_local_storage: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Requirements {
    pub cpu_manufacturers: Attr<Vec<String>>,
    pub instance_generations: Attr<Vec<String>>,
    pub allowed_instance_types: Attr<Vec<String>>,
    pub excluded_instance_types: Attr<Vec<String>>,
    pub burstable_performance: Attr<String>,
    pub bare_metal: Attr<String>,
    pub local_storage: Attr<String>,
    pub spot_max_price_percentage_over_lowest_price: Attr<i64>,
    pub on_demand_max_price_percentage_over_lowest_price: Attr<i64>,
    pub vcpu_count: Option<MinMax>,
    pub memory_mib: Option<MinMax>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MinMax {
    pub min: i64,
    pub max: Attr<i64>,
}

fn int(v: &Attr<i64>) -> Option<i32> {
    v.known().and_then(|n| i32::try_from(*n).ok())
}

fn text(v: &Attr<String>) -> Option<&str> {
    v.known().map(String::as_str)
}

fn strings(v: &Attr<Vec<String>>) -> Option<Vec<String>> {
    v.known().filter(|l| !l.is_empty()).cloned()
}

pub fn expand_scaling(s: &Scaling) -> ManagedScaling {
    ManagedScaling::builder()
        .set_status(text(&s.status).map(ManagedScalingStatus::from))
        .set_target_capacity(int(&s.target_capacity))
        .set_minimum_scaling_step_size(int(&s.minimum_scaling_step_size))
        .set_maximum_scaling_step_size(int(&s.maximum_scaling_step_size))
        .set_instance_warmup_period(int(&s.instance_warmup_period))
        .build()
}

pub fn expand_asg(p: &AsgProvider) -> Result<AutoScalingGroupProvider, String> {
    AutoScalingGroupProvider::builder()
        .auto_scaling_group_arn(&p.auto_scaling_group_arn)
        .set_managed_draining(text(&p.managed_draining).map(ManagedDraining::from))
        .set_managed_termination_protection(
            text(&p.managed_termination_protection).map(ManagedTerminationProtection::from),
        )
        .set_managed_scaling(p.managed_scaling.as_ref().map(expand_scaling))
        .build()
        .map_err(|e| e.to_string())
}

pub fn expand_asg_update(p: &AsgProvider) -> AutoScalingGroupProviderUpdate {
    AutoScalingGroupProviderUpdate::builder()
        .set_managed_draining(text(&p.managed_draining).map(ManagedDraining::from))
        .set_managed_termination_protection(
            text(&p.managed_termination_protection).map(ManagedTerminationProtection::from),
        )
        .set_managed_scaling(p.managed_scaling.as_ref().map(expand_scaling))
        .build()
}

fn range_min_max<B>(m: &MinMax, build: impl Fn(i32, Option<i32>) -> B) -> B {
    build(i32::try_from(m.min).unwrap_or(i32::MAX), int(&m.max))
}

fn expand_requirements(r: &Requirements) -> InstanceRequirementsRequest {
    let list = |v: &Attr<Vec<String>>| strings(v).unwrap_or_default();
    InstanceRequirementsRequest::builder()
        .set_v_cpu_count(r.vcpu_count.as_ref().and_then(|m| {
            range_min_max(m, |min, max| {
                VCpuCountRangeRequest::builder()
                    .min(min)
                    .set_max(max)
                    .build()
                    .ok()
            })
        }))
        .set_memory_mib(r.memory_mib.as_ref().and_then(|m| {
            range_min_max(m, |min, max| {
                MemoryMiBRequest::builder()
                    .min(min)
                    .set_max(max)
                    .build()
                    .ok()
            })
        }))
        .set_cpu_manufacturers(strings(&r.cpu_manufacturers).map(|_| {
            list(&r.cpu_manufacturers)
                .iter()
                .map(|s| CpuManufacturer::from(s.as_str()))
                .collect()
        }))
        .set_instance_generations(strings(&r.instance_generations).map(|_| {
            list(&r.instance_generations)
                .iter()
                .map(|s| InstanceGeneration::from(s.as_str()))
                .collect()
        }))
        .set_allowed_instance_types(strings(&r.allowed_instance_types))
        .set_excluded_instance_types(strings(&r.excluded_instance_types))
        .set_burstable_performance(text(&r.burstable_performance).map(BurstablePerformance::from))
        .set_bare_metal(text(&r.bare_metal).map(BareMetal::from))
        .set_local_storage(text(&r.local_storage).map(LocalStorage::from))
        .set_spot_max_price_percentage_over_lowest_price(int(
            &r.spot_max_price_percentage_over_lowest_price
        ))
        .set_on_demand_max_price_percentage_over_lowest_price(int(
            &r.on_demand_max_price_percentage_over_lowest_price
        ))
        .build()
}

fn expand_network(n: &Network) -> ManagedInstancesNetworkConfiguration {
    ManagedInstancesNetworkConfiguration::builder()
        .set_subnets(Some(n.subnets.clone()))
        .set_security_groups(strings(&n.security_groups))
        .build()
}

fn expand_storage(s: &Storage) -> ManagedInstancesStorageConfiguration {
    ManagedInstancesStorageConfiguration::builder()
        .set_storage_size_gib(i32::try_from(s.storage_size_gib).ok())
        .build()
}

fn expand_local_storage(l: &LocalStorageConfig) -> ManagedInstancesLocalStorageConfiguration {
    ManagedInstancesLocalStorageConfiguration::builder()
        .use_local_storage(l.use_local_storage)
        .build()
}

fn expand_optimization(o: &Optimization) -> InfrastructureOptimization {
    InfrastructureOptimization::builder()
        .set_scale_in_after(int(&o.scale_in_after))
        .build()
}

fn expand_template(t: &LaunchTemplate) -> Result<InstanceLaunchTemplate, String> {
    InstanceLaunchTemplate::builder()
        .ec2_instance_profile_arn(&t.ec2_instance_profile_arn)
        .set_capacity_option_type(text(&t.capacity_option_type).map(CapacityOptionType::from))
        .set_monitoring(text(&t.monitoring).map(ManagedInstancesMonitoringOptions::from))
        .set_network_configuration(t.network_configuration.as_ref().map(expand_network))
        .set_storage_configuration(t.storage_configuration.as_ref().map(expand_storage))
        .set_local_storage_configuration(
            t.local_storage_configuration
                .as_ref()
                .map(expand_local_storage),
        )
        .set_instance_requirements(t.instance_requirements.as_ref().map(expand_requirements))
        .build()
        .map_err(|e| e.to_string())
}

pub fn expand_mi(p: &MiProvider) -> Result<CreateManagedInstancesProviderConfiguration, String> {
    CreateManagedInstancesProviderConfiguration::builder()
        .infrastructure_role_arn(&p.infrastructure_role_arn)
        .set_propagate_tags(text(&p.propagate_tags).map(PropagateMiTags::from))
        .set_instance_launch_template(
            p.instance_launch_template
                .as_ref()
                .map(expand_template)
                .transpose()?,
        )
        .set_infrastructure_optimization(
            p.infrastructure_optimization
                .as_ref()
                .map(expand_optimization),
        )
        .build()
        .map_err(|e| e.to_string())
}

pub fn expand_mi_update(
    p: &MiProvider,
) -> Result<UpdateManagedInstancesProviderConfiguration, String> {
    let template = p.instance_launch_template.as_ref().map(|t| {
        InstanceLaunchTemplateUpdate::builder()
            .ec2_instance_profile_arn(&t.ec2_instance_profile_arn)
            .set_monitoring(text(&t.monitoring).map(ManagedInstancesMonitoringOptions::from))
            .set_network_configuration(t.network_configuration.as_ref().map(expand_network))
            .set_storage_configuration(t.storage_configuration.as_ref().map(expand_storage))
            .set_local_storage_configuration(
                t.local_storage_configuration
                    .as_ref()
                    .map(expand_local_storage),
            )
            .set_instance_requirements(t.instance_requirements.as_ref().map(expand_requirements))
            .build()
    });
    UpdateManagedInstancesProviderConfiguration::builder()
        .infrastructure_role_arn(&p.infrastructure_role_arn)
        .set_propagate_tags(text(&p.propagate_tags).map(PropagateMiTags::from))
        .set_instance_launch_template(template)
        .set_infrastructure_optimization(
            p.infrastructure_optimization
                .as_ref()
                .map(expand_optimization),
        )
        .build()
        .map_err(|e| e.to_string())
}

/// A reported list: null when ECS reports none and the prior value was null.
fn list_attr(remote: &[String], prior: Option<&Attr<Vec<String>>>) -> Attr<Vec<String>> {
    if remote.is_empty() && prior.is_none_or(Attr::is_null) {
        Attr::Null
    } else {
        Attr::Known(remote.to_vec())
    }
}

fn str_attr(s: Option<&str>) -> Attr<String> {
    Attr::from(s.map(str::to_string))
}

fn int_attr(n: Option<i32>) -> Attr<i64> {
    Attr::from(n.map(i64::from))
}

/// ECS's managed scaling when none was sent.
fn is_default_scaling(s: &ManagedScaling) -> bool {
    matches!(s.status(), None | Some(ManagedScalingStatus::Disabled))
        && matches!(s.target_capacity(), None | Some(100))
        && matches!(s.minimum_scaling_step_size(), None | Some(1))
        && matches!(s.maximum_scaling_step_size(), None | Some(10000))
        && matches!(s.instance_warmup_period(), None | Some(300))
}

fn flatten_asg(
    p: &AutoScalingGroupProvider,
    prior: Option<&AsgProvider>,
    keep_default_scaling: bool,
) -> AsgProvider {
    let prior_scaling = prior.and_then(|p| p.managed_scaling.as_ref());
    let scaling = p
        .managed_scaling()
        .filter(|s| keep_default_scaling || prior_scaling.is_some() || !is_default_scaling(s));
    AsgProvider {
        auto_scaling_group_arn: p.auto_scaling_group_arn().to_string(),
        managed_draining: str_attr(p.managed_draining().map(|d| d.as_str())),
        managed_termination_protection: str_attr(
            p.managed_termination_protection().map(|t| t.as_str()),
        ),
        managed_scaling: scaling.map(|s| Scaling {
            status: str_attr(s.status().map(|v| v.as_str())),
            target_capacity: int_attr(s.target_capacity()),
            minimum_scaling_step_size: int_attr(s.minimum_scaling_step_size()),
            maximum_scaling_step_size: int_attr(s.maximum_scaling_step_size()),
            instance_warmup_period: int_attr(s.instance_warmup_period()),
        }),
    }
}

fn flatten_requirements(
    r: &InstanceRequirementsRequest,
    prior: Option<&Requirements>,
) -> Requirements {
    let names = |v: Vec<&str>| v.into_iter().map(str::to_string).collect::<Vec<_>>();
    let min_max = |min: i32, max: Option<i32>| MinMax {
        min: i64::from(min),
        max: int_attr(max),
    };
    Requirements {
        cpu_manufacturers: list_attr(
            &names(r.cpu_manufacturers().iter().map(|c| c.as_str()).collect()),
            prior.map(|p| &p.cpu_manufacturers),
        ),
        instance_generations: list_attr(
            &names(
                r.instance_generations()
                    .iter()
                    .map(|g| g.as_str())
                    .collect(),
            ),
            prior.map(|p| &p.instance_generations),
        ),
        allowed_instance_types: list_attr(
            r.allowed_instance_types(),
            prior.map(|p| &p.allowed_instance_types),
        ),
        excluded_instance_types: list_attr(
            r.excluded_instance_types(),
            prior.map(|p| &p.excluded_instance_types),
        ),
        burstable_performance: str_attr(r.burstable_performance().map(|v| v.as_str())),
        bare_metal: str_attr(r.bare_metal().map(|v| v.as_str())),
        local_storage: str_attr(r.local_storage().map(|v| v.as_str())),
        spot_max_price_percentage_over_lowest_price: int_attr(
            r.spot_max_price_percentage_over_lowest_price(),
        ),
        on_demand_max_price_percentage_over_lowest_price: int_attr(
            r.on_demand_max_price_percentage_over_lowest_price(),
        ),
        vcpu_count: r.v_cpu_count().map(|v| min_max(v.min(), v.max())),
        memory_mib: r.memory_mib().map(|m| min_max(m.min(), m.max())),
    }
}

fn flatten_template(t: &InstanceLaunchTemplate, prior: Option<&LaunchTemplate>) -> LaunchTemplate {
    let prior_net = prior.and_then(|p| p.network_configuration.as_ref());
    LaunchTemplate {
        ec2_instance_profile_arn: t.ec2_instance_profile_arn().to_string(),
        capacity_option_type: str_attr(t.capacity_option_type().map(|c| c.as_str())),
        monitoring: str_attr(t.monitoring().map(|m| m.as_str())),
        network_configuration: t.network_configuration().map(|n| Network {
            subnets: n.subnets().to_vec(),
            security_groups: list_attr(n.security_groups(), prior_net.map(|p| &p.security_groups)),
        }),
        storage_configuration: t.storage_configuration().and_then(|s| {
            s.storage_size_gib().map(|g| Storage {
                storage_size_gib: i64::from(g),
            })
        }),
        local_storage_configuration: t.local_storage_configuration().map(|l| LocalStorageConfig {
            use_local_storage: l.use_local_storage(),
        }),
        instance_requirements: t
            .instance_requirements()
            .map(|r| flatten_requirements(r, prior.and_then(|p| p.instance_requirements.as_ref()))),
    }
}

fn flatten_mi(p: &ManagedInstancesProvider, prior: Option<&MiProvider>) -> MiProvider {
    MiProvider {
        infrastructure_role_arn: p.infrastructure_role_arn().unwrap_or_default().to_string(),
        propagate_tags: str_attr(p.propagate_tags().map(|t| t.as_str())),
        instance_launch_template: p
            .instance_launch_template()
            .map(|t| flatten_template(t, prior.and_then(|p| p.instance_launch_template.as_ref()))),
        infrastructure_optimization: p.infrastructure_optimization().map(|o| Optimization {
            scale_in_after: int_attr(o.scale_in_after()),
        }),
    }
}

/// The model from what ECS reports; `prior` (the plan or the prior state, `None` on import)
/// decides where ECS's own fill-ins stay out of the state.
pub fn flatten(
    p: &CapacityProvider,
    prior: Option<&CapacityProviderModel>,
    default_tags: &Tags,
) -> CapacityProviderModel {
    flatten_with(p, prior, default_tags, false)
}

/// Everything ECS reports, its defaults included (the data source's view).
pub fn flatten_reported(p: &CapacityProvider) -> CapacityProviderModel {
    flatten_with(p, None, &Tags::new(), true)
}

fn flatten_with(
    p: &CapacityProvider,
    prior: Option<&CapacityProviderModel>,
    default_tags: &Tags,
    keep_default_scaling: bool,
) -> CapacityProviderModel {
    let arn = p.capacity_provider_arn().unwrap_or_default().to_string();
    let remote: Tags = p
        .tags()
        .iter()
        .filter_map(|t| Some((t.key()?.to_string(), t.value()?.to_string())))
        .collect();
    let (own, all) =
        tags::split_remote_tags(&remote, prior.and_then(|m| m.tags.known()), default_tags);
    CapacityProviderModel {
        name: p
            .name()
            .map(str::to_string)
            .or_else(|| prior.map(|m| m.name.clone()))
            .unwrap_or_default(),
        cluster: str_attr(p.cluster()),
        tags: own.into(),
        tags_all: Attr::Known(all),
        arn: Attr::Known(arn.clone()),
        id: Attr::Known(arn),
        auto_scaling_group_provider: p.auto_scaling_group_provider().map(|a| {
            flatten_asg(
                a,
                prior.and_then(|m| m.auto_scaling_group_provider.as_ref()),
                keep_default_scaling,
            )
        }),
        managed_instances_provider: p
            .managed_instances_provider()
            .map(|m| flatten_mi(m, prior.and_then(|m| m.managed_instances_provider.as_ref()))),
    }
}
