//! Fargate's task sizes: the CPU units and the memory (MiB) each allows. One table for the plan
//! rule ([`fargate_size`]) and the `fargate_sizes` function ([`fargate_sizes`]).

/// The memory one CPU size takes, in MiB.
enum Memory {
    /// Exactly these.
    Listed(&'static [u64]),
    /// From `low` to `high` GiB in steps of `step` GiB.
    GiB { low: u64, high: u64, step: u64 },
}

const TABLE: &[(u64, Memory)] = &[
    (256, Memory::Listed(&[512, 1024, 2048])),
    (
        512,
        Memory::GiB {
            low: 1,
            high: 4,
            step: 1,
        },
    ),
    (
        1024,
        Memory::GiB {
            low: 2,
            high: 8,
            step: 1,
        },
    ),
    (
        2048,
        Memory::GiB {
            low: 4,
            high: 16,
            step: 1,
        },
    ),
    (
        4096,
        Memory::GiB {
            low: 8,
            high: 30,
            step: 1,
        },
    ),
    (
        8192,
        Memory::GiB {
            low: 16,
            high: 60,
            step: 4,
        },
    ),
    (
        16384,
        Memory::GiB {
            low: 32,
            high: 120,
            step: 8,
        },
    ),
];

const GIB: u64 = 1024;

impl Memory {
    fn sizes(&self) -> Vec<u64> {
        match self {
            Memory::Listed(list) => list.to_vec(),
            Memory::GiB { low, high, step } => (*low..=*high)
                .step_by(*step as usize)
                .map(|g| g * GIB)
                .collect(),
        }
    }

    fn explain(&self, cpu: u64) -> String {
        match self {
            Memory::Listed(list) => {
                let text: Vec<String> = list.iter().map(u64::to_string).collect();
                let (last, rest) = text.split_last().expect("listed sizes are not empty");
                format!("{cpu} CPU units take {} or {last} MiB", rest.join(", "))
            }
            Memory::GiB { low, high, step } => format!(
                "{cpu} CPU units take {}–{} MiB in steps of {} MiB",
                low * GIB,
                high * GIB,
                step * GIB
            ),
        }
    }
}

/// Whether Fargate runs a task of `cpu` units and `memory` MiB; if not, what it allows.
pub fn fargate_size(cpu: u64, memory: u64) -> Result<(), String> {
    let Some((_, allowed)) = TABLE.iter().find(|(c, _)| *c == cpu) else {
        return Err(format!(
            "{cpu} is not a Fargate CPU size: use 256, 512, 1024, 2048, 4096, 8192 or 16384 (or \"0.25 vCPU\" … \"16 vCPU\")"
        ));
    };
    if allowed.sizes().contains(&memory) {
        Ok(())
    } else {
        Err(allowed.explain(cpu))
    }
}

/// Every valid (cpu units, memory MiB) pair, by cpu then memory.
pub fn fargate_sizes() -> Vec<(u64, u64)> {
    TABLE
        .iter()
        .flat_map(|(cpu, memory)| memory.sizes().into_iter().map(move |m| (*cpu, m)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_listed_pair_passes_the_plan_rule_and_neighbours_do_not() {
        let pairs = fargate_sizes();
        assert_eq!(pairs.len(), 3 + 4 + 7 + 13 + 23 + 12 + 12);
        for (cpu, memory) in &pairs {
            assert!(fargate_size(*cpu, *memory).is_ok());
            assert!(
                fargate_size(*cpu, memory + 512).is_err() || pairs.contains(&(*cpu, memory + 512))
            );
        }
        assert_eq!(pairs.first(), Some(&(256, 512)));
        assert_eq!(pairs.last(), Some(&(16384, 122880)));
    }
}
