//! The members of an ECS container definition and their JSON types, as the RegisterTaskDefinition
//! API defines them. Matching is case-insensitive, like the AWS provider's decoder.

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

#[derive(Debug, Clone, Copy)]
pub struct Field {
    pub name: &'static str,
    pub kind: Kind,
}

const fn f(name: &'static str, kind: Kind) -> Field {
    Field { name, kind }
}

use Kind::*;

const NAME_VALUE: &[Field] = &[f("name", Str), f("value", Str)];
const SECRET: &[Field] = &[f("name", Str), f("valueFrom", Str)];

const PORT_MAPPING: &[Field] = &[
    f("containerPort", Int),
    f("hostPort", Int),
    f("protocol", Str),
    f("name", Str),
    f("appProtocol", Str),
    f("containerPortRange", Str),
];

const LINUX_PARAMETERS: &[Field] = &[
    f(
        "capabilities",
        Obj(&[f("add", StrList), f("drop", StrList)]),
    ),
    f(
        "devices",
        ObjList(&[
            f("hostPath", Str),
            f("containerPath", Str),
            f("permissions", StrList),
        ]),
    ),
    f("initProcessEnabled", Bool),
    f("sharedMemorySize", Int),
    f(
        "tmpfs",
        ObjList(&[
            f("containerPath", Str),
            f("size", Int),
            f("mountOptions", StrList),
        ]),
    ),
    f("maxSwap", Int),
    f("swappiness", Int),
];

/// Every member of ContainerDefinition.
pub const CONTAINER: &[Field] = &[
    f("name", Str),
    f("image", Str),
    f(
        "repositoryCredentials",
        Obj(&[f("credentialsParameter", Str)]),
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
            f("enabled", Bool),
            f("ignoredExitCodes", IntList),
            f("restartAttemptPeriod", Int),
        ]),
    ),
    f("entryPoint", StrList),
    f("command", StrList),
    f("environment", ObjList(NAME_VALUE)),
    f(
        "environmentFiles",
        ObjList(&[f("value", Str), f("type", Str)]),
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
    f(
        "dependsOn",
        ObjList(&[f("containerName", Str), f("condition", Str)]),
    ),
    f("startTimeout", Int),
    f("stopTimeout", Int),
    f("versionConsistency", Str),
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
        ObjList(&[f("hostname", Str), f("ipAddress", Str)]),
    ),
    f("dockerSecurityOptions", StrList),
    f("interactive", Bool),
    f("pseudoTerminal", Bool),
    f("dockerLabels", StrMap),
    f(
        "ulimits",
        ObjList(&[f("name", Str), f("softLimit", Int), f("hardLimit", Int)]),
    ),
    f(
        "logConfiguration",
        Obj(&[
            f("logDriver", Str),
            f("options", StrMap),
            f("secretOptions", ObjList(SECRET)),
        ]),
    ),
    f(
        "healthCheck",
        Obj(&[
            f("command", StrList),
            f("interval", Int),
            f("timeout", Int),
            f("retries", Int),
            f("startPeriod", Int),
        ]),
    ),
    f(
        "systemControls",
        ObjList(&[f("namespace", Str), f("value", Str)]),
    ),
    f(
        "resourceRequirements",
        ObjList(&[f("value", Str), f("type", Str)]),
    ),
    f(
        "firelensConfiguration",
        Obj(&[f("type", Str), f("options", StrMap)]),
    ),
    f("credentialSpecs", StrList),
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
