//! The members of an ECS container definition and their JSON types, as the RegisterTaskDefinition
//! API defines them, with what ECS accepts in each (fixed values, ranges, formats, required
//! members, list lengths; checked by [`super::values`]). Member names match case-insensitively,
//! like the AWS provider's decoder; values are case-sensitive, as ECS compares them.
//!
//! Sources: the ECS API reference pages ContainerDefinition, PortMapping, ContainerRestartPolicy,
//! EnvironmentFile, LinuxParameters, KernelCapabilities, Device, Tmpfs, ContainerDependency,
//! Ulimit, LogConfiguration, HealthCheck, SystemControl, ResourceRequirement,
//! FirelensConfiguration and RepositoryCredentials
//! (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_<Name>.html); the enums are
//! those of the ECS API model (`VersionConsistency`, `TransportProtocol`, `ApplicationProtocol`,
//! `LogDriver`, `FirelensConfigurationType`, `ContainerCondition`, `UlimitName`,
//! `DeviceCgroupPermission`, `EnvironmentFileType`, `ResourceType`).

use super::values;

/// The JSON type of a member.
#[derive(Debug, Clone, Copy)]
pub enum Kind {
    Str,
    Int,
    Bool,
    StrList,
    IntList,
    /// An object of string values (`dockerLabels`, log `options`).
    StrMap,
    Obj(&'static [Field]),
    ObjList(&'static [Field]),
}

/// What ECS accepts in a member beyond its JSON type; for lists, in each element.
#[derive(Debug, Clone, Copy)]
pub enum Rule {
    Any,
    /// One of these strings, spelled exactly.
    OneOf(&'static [&'static str]),
    /// A whole number in this closed range.
    Range(i64, i64),
    /// A string shape a list of values cannot express; the error says what is allowed.
    Format(fn(&str) -> Result<(), String>),
}

#[derive(Debug, Clone, Copy)]
pub struct Field {
    pub name: &'static str,
    pub kind: Kind,
    pub rule: Rule,
    /// Required by the API whenever the object holding it is present.
    pub required: bool,
    /// The most entries a list member may have.
    pub max_items: Option<usize>,
}

const fn f(name: &'static str, kind: Kind) -> Field {
    Field {
        name,
        kind,
        rule: Rule::Any,
        required: false,
        max_items: None,
    }
}

impl Field {
    const fn one_of(self, values: &'static [&'static str]) -> Field {
        Field {
            rule: Rule::OneOf(values),
            ..self
        }
    }

    const fn range(self, low: i64, high: i64) -> Field {
        Field {
            rule: Rule::Range(low, high),
            ..self
        }
    }

    const fn format(self, check: fn(&str) -> Result<(), String>) -> Field {
        Field {
            rule: Rule::Format(check),
            ..self
        }
    }

    const fn required(self) -> Field {
        Field {
            required: true,
            ..self
        }
    }

    const fn at_most(self, items: usize) -> Field {
        Field {
            max_items: Some(items),
            ..self
        }
    }
}

use Kind::*;

pub const VERSION_CONSISTENCY: &[&str] = &["enabled", "disabled"];
pub const PROTOCOLS: &[&str] = &["tcp", "udp"];
pub const APP_PROTOCOLS: &[&str] = &["http", "http2", "grpc"];
pub const LOG_DRIVERS: &[&str] = &[
    "awslogs",
    "fluentd",
    "gelf",
    "json-file",
    "journald",
    "syslog",
    "splunk",
    "awsfirelens",
];
pub const FIRELENS_TYPES: &[&str] = &["fluentd", "fluentbit"];
pub const CONDITIONS: &[&str] = &["START", "COMPLETE", "SUCCESS", "HEALTHY"];
pub const ULIMIT_NAMES: &[&str] = &[
    "core",
    "cpu",
    "data",
    "fsize",
    "locks",
    "memlock",
    "msgqueue",
    "nice",
    "nofile",
    "nproc",
    "rss",
    "rtprio",
    "rttime",
    "sigpending",
    "stack",
];
/// KernelCapabilities `add` and `drop`: "ALL" and the Docker capabilities, without `CAP_`.
pub const CAPABILITIES: &[&str] = &[
    "ALL",
    "AUDIT_CONTROL",
    "AUDIT_WRITE",
    "BLOCK_SUSPEND",
    "CHOWN",
    "DAC_OVERRIDE",
    "DAC_READ_SEARCH",
    "FOWNER",
    "FSETID",
    "IPC_LOCK",
    "IPC_OWNER",
    "KILL",
    "LEASE",
    "LINUX_IMMUTABLE",
    "MAC_ADMIN",
    "MAC_OVERRIDE",
    "MKNOD",
    "NET_ADMIN",
    "NET_BIND_SERVICE",
    "NET_BROADCAST",
    "NET_RAW",
    "SETFCAP",
    "SETGID",
    "SETPCAP",
    "SETUID",
    "SYS_ADMIN",
    "SYS_BOOT",
    "SYS_CHROOT",
    "SYS_MODULE",
    "SYS_NICE",
    "SYS_PACCT",
    "SYS_PTRACE",
    "SYS_RAWIO",
    "SYS_RESOURCE",
    "SYS_TIME",
    "SYS_TTY_CONFIG",
    "SYSLOG",
    "WAKE_ALARM",
];
pub const DEVICE_PERMISSIONS: &[&str] = &["read", "write", "mknod"];
pub const ENVIRONMENT_FILE_TYPES: &[&str] = &["s3"];
pub const RESOURCE_TYPES: &[&str] = &["GPU", "InferenceAccelerator", "NeuronDevice"];

const NAME_VALUE: &[Field] = &[f("name", Str), f("value", Str)];
// `valueFrom` is checked with its format by the task-definition validator.
const SECRET: &[Field] = &[f("name", Str).required(), f("valueFrom", Str)];

const PORT_MAPPING: &[Field] = &[
    f("containerPort", Int),
    f("hostPort", Int),
    f("protocol", Str).one_of(PROTOCOLS),
    f("name", Str),
    f("appProtocol", Str).one_of(APP_PROTOCOLS),
    f("containerPortRange", Str),
];

const LINUX_PARAMETERS: &[Field] = &[
    f(
        "capabilities",
        Obj(&[
            f("add", StrList).one_of(CAPABILITIES),
            f("drop", StrList).one_of(CAPABILITIES),
        ]),
    ),
    f(
        "devices",
        ObjList(&[
            f("hostPath", Str).required(),
            f("containerPath", Str),
            f("permissions", StrList).one_of(DEVICE_PERMISSIONS),
        ]),
    ),
    f("initProcessEnabled", Bool),
    f("sharedMemorySize", Int),
    f(
        "tmpfs",
        ObjList(&[
            f("containerPath", Str).required(),
            f("size", Int).required(),
            f("mountOptions", StrList).format(values::tmpfs_mount_option),
        ]),
    ),
    f("maxSwap", Int).range(0, i32::MAX as i64),
    f("swappiness", Int).range(0, 100),
];

/// Every member of ContainerDefinition.
pub const CONTAINER: &[Field] = &[
    f("name", Str),
    f("image", Str),
    f(
        "repositoryCredentials",
        Obj(&[f("credentialsParameter", Str)
            .required()
            .format(values::secret_arn_or_name)]),
    ),
    f("cpu", Int),
    f("memory", Int),
    f("memoryReservation", Int),
    f("links", StrList),
    f("portMappings", ObjList(PORT_MAPPING)),
    f("essential", Bool),
    f(
        "restartPolicy",
        Obj(&[
            f("enabled", Bool).required(),
            f("ignoredExitCodes", IntList).at_most(50),
            f("restartAttemptPeriod", Int).range(60, 1800),
        ]),
    ),
    f("entryPoint", StrList),
    f("command", StrList),
    f("environment", ObjList(NAME_VALUE)),
    f(
        "environmentFiles",
        ObjList(&[
            f("value", Str).required(),
            f("type", Str).required().one_of(ENVIRONMENT_FILE_TYPES),
        ]),
    ),
    f(
        "mountPoints",
        ObjList(&[
            f("sourceVolume", Str),
            f("containerPath", Str),
            f("readOnly", Bool),
        ]),
    ),
    f(
        "volumesFrom",
        ObjList(&[f("sourceContainer", Str), f("readOnly", Bool)]),
    ),
    f("linuxParameters", Obj(LINUX_PARAMETERS)),
    f("secrets", ObjList(SECRET)),
    // `containerName` is checked against the other containers by the task-definition validator.
    f(
        "dependsOn",
        ObjList(&[
            f("containerName", Str),
            f("condition", Str).required().one_of(CONDITIONS),
        ]),
    ),
    f("startTimeout", Int),
    f("stopTimeout", Int),
    f("versionConsistency", Str).one_of(VERSION_CONSISTENCY),
    f("hostname", Str),
    f("user", Str),
    f("workingDirectory", Str),
    f("disableNetworking", Bool),
    f("privileged", Bool),
    f("readonlyRootFilesystem", Bool),
    f("dnsServers", StrList),
    f("dnsSearchDomains", StrList),
    f(
        "extraHosts",
        ObjList(&[
            f("hostname", Str).required(),
            f("ipAddress", Str).required(),
        ]),
    ),
    f("dockerSecurityOptions", StrList),
    f("interactive", Bool),
    f("pseudoTerminal", Bool),
    f("dockerLabels", StrMap),
    f(
        "ulimits",
        ObjList(&[
            f("name", Str).required().one_of(ULIMIT_NAMES),
            f("softLimit", Int).required(),
            f("hardLimit", Int).required(),
        ]),
    ),
    f(
        "logConfiguration",
        Obj(&[
            f("logDriver", Str).required().one_of(LOG_DRIVERS),
            f("options", StrMap),
            f("secretOptions", ObjList(SECRET)),
        ]),
    ),
    f(
        "healthCheck",
        Obj(&[
            f("command", StrList).required(),
            f("interval", Int).range(5, 300),
            f("timeout", Int).range(2, 60),
            f("retries", Int).range(1, 10),
            f("startPeriod", Int).range(0, 300),
        ]),
    ),
    f(
        "systemControls",
        ObjList(&[
            f("namespace", Str).format(values::sysctl_namespace),
            f("value", Str),
        ]),
    ),
    // `value` may be left out for a GPU with a `sharingStrategy`.
    f(
        "resourceRequirements",
        ObjList(&[
            f("value", Str),
            f("type", Str).required().one_of(RESOURCE_TYPES),
        ]),
    ),
    f(
        "firelensConfiguration",
        Obj(&[
            f("type", Str).required().one_of(FIRELENS_TYPES),
            f("options", StrMap),
        ]),
    ),
    f("credentialSpecs", StrList)
        .at_most(1)
        .format(values::credential_spec),
];

/// The field named `key` (any case) among `fields`.
pub fn lookup(fields: &'static [Field], key: &str) -> Option<&'static Field> {
    fields
        .iter()
        .find(|field| field.name.eq_ignore_ascii_case(key))
}

/// What a value of `kind` looks like, for error messages.
pub fn describe(kind: Kind) -> &'static str {
    match kind {
        Str => "a string",
        Int => "a whole number",
        Bool => "true or false",
        StrList => "a list of strings",
        IntList => "a list of whole numbers",
        StrMap => "an object of string values",
        Obj(_) => "an object",
        ObjList(_) => "a list of objects",
    }
}
