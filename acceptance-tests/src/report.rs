//! Readable failure reports and the text helpers behind them.

use std::fmt;
use std::path::PathBuf;

use crate::terraform::CmdOutput;

/// Lines of stdout/stderr shown per command in a report.
const REPORT_LINES: usize = 60;

/// The last `n` lines of `text`, with a note on how many were left out.
pub fn tail(text: &str, n: usize) -> String {
    let lines: Vec<&str> = text.trim_end().lines().collect();
    if lines.len() <= n {
        return lines.join("\n");
    }
    format!(
        "[... {} earlier lines omitted ...]\n{}",
        lines.len() - n,
        lines[lines.len() - n..].join("\n")
    )
}

/// Terraform's output without the "Provider development overrides are in effect" warning that
/// `dev_overrides` adds to every command (boxed, or plain as `-no-color` prints it).
pub fn strip_dev_override_warning(text: &str) -> String {
    const TITLE: &str = "Warning: Provider development overrides are in effect";
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::with_capacity(lines.len());
    let mut i = 0;
    while i < lines.len() {
        let boxed = lines[i].trim() == "╷" && lines.get(i + 1).is_some_and(|l| l.contains(TITLE));
        let plain = lines[i].trim() == TITLE;
        if boxed || plain {
            // The warning ends with "...incompatible with published releases." (and the box
            // closes with "╵").
            while i < lines.len() && !lines[i].trim_end().ends_with("releases.") {
                i += 1;
            }
            i += 1;
            if boxed && lines.get(i).is_some_and(|l| l.trim() == "╵") {
                i += 1;
            }
            while lines.get(i).is_some_and(|l| l.trim().is_empty()) {
                i += 1;
            }
            continue;
        }
        out.push(lines[i]);
        i += 1;
    }
    let mut joined = out.join("\n");
    if text.ends_with('\n') && !joined.is_empty() {
        joined.push('\n');
    }
    joined
}

/// Diagnostic text flattened for matching: the box-drawing frame Terraform puts around
/// diagnostics is removed and every run of whitespace (including the line breaks Terraform
/// inserts when wrapping long messages) becomes one space.
pub fn flatten_diagnostics(text: &str) -> String {
    let mut words = Vec::new();
    for line in text.lines() {
        let line = line.trim_start_matches(['│', '╷', '╵', ' ']);
        words.extend(line.split_whitespace());
    }
    words.join(" ")
}

fn indent(text: &str) -> String {
    text.lines()
        .map(|l| format!("    {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Why a test case failed, with everything needed to understand it without re-running.
#[derive(Debug, Clone)]
pub struct Failure {
    /// The test case name.
    pub test: String,
    /// 1-based step number; 0 for the final destroy and its checks.
    pub step: usize,
    /// Number of steps in the case.
    pub steps: usize,
    /// What the step was doing, e.g. "config step", "import step (command)".
    pub phase: String,
    /// The expectation that did not hold.
    pub expectation: String,
    /// The command whose result broke the expectation, if any.
    pub command: Option<CmdOutput>,
    /// The working directory of the step.
    pub workdir: Option<PathBuf>,
    /// Whether the working directory is kept after the test.
    pub kept: bool,
    /// Failures that happened after this one (e.g. the destroy after a failed step).
    pub also: Vec<Failure>,
}

impl Failure {
    /// A failure without a command.
    pub fn new(test: &str, step: usize, steps: usize, phase: &str, expectation: String) -> Self {
        Failure {
            test: test.to_string(),
            step,
            steps,
            phase: phase.to_string(),
            expectation,
            command: None,
            workdir: None,
            kept: false,
            also: Vec::new(),
        }
    }

    /// Attach the command output that broke the expectation.
    pub fn with_command(mut self, out: CmdOutput) -> Self {
        self.command = Some(out);
        self
    }

    fn write_one(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.step == 0 {
            writeln!(
                f,
                "acceptance test {:?} failed during {}",
                self.test, self.phase
            )?;
        } else {
            writeln!(
                f,
                "acceptance test {:?} failed at step {} of {} ({})",
                self.test, self.step, self.steps, self.phase
            )?;
        }
        writeln!(
            f,
            "  expectation: {}",
            self.expectation.replace('\n', "\n    ")
        )?;
        if let Some(out) = &self.command {
            writeln!(f, "  command: {}", out.command)?;
            writeln!(f, "  exit code: {}", out.status)?;
            for (name, text) in [("stdout", &out.stdout), ("stderr", &out.stderr)] {
                let text = strip_dev_override_warning(text);
                if text.trim().is_empty() {
                    writeln!(f, "  {name}: (empty)")?;
                } else {
                    writeln!(f, "  {name}:\n{}", indent(&tail(&text, REPORT_LINES)))?;
                }
            }
        }
        if let Some(dir) = &self.workdir {
            if self.kept {
                writeln!(f, "  working directory (kept): {}", dir.display())?;
            } else {
                writeln!(
                    f,
                    "  working directory: {} (removed; set TF_ACC_PERSIST_WORKING_DIR=1 to keep it)",
                    dir.display()
                )?;
            }
        }
        Ok(())
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.write_one(f)?;
        for other in &self.also {
            writeln!(f, "then:")?;
            other.write_one(f)?;
        }
        Ok(())
    }
}

impl std::error::Error for Failure {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_plain_and_boxed_dev_override_warnings() {
        let plain = "\nWarning: Provider development overrides are in effect\n\nThe following \
                     provider development overrides are set in the CLI\nconfiguration:\n - ecsrs/ecs \
                     in /x\n\nThe behavior may therefore not match any released version of the \
                     provider and\napplying changes may cause the state to become incompatible with \
                     published\nreleases.\nPlan: 1 to add\n";
        assert_eq!(strip_dev_override_warning(plain), "\nPlan: 1 to add\n");
        let boxed = "╷\n│ Warning: Provider development overrides are in effect\n│\n│ text\n│ \
                     releases.\n╵\n\nError: x\n";
        assert_eq!(strip_dev_override_warning(boxed), "Error: x\n");
    }

    #[test]
    fn flattens_wrapped_diagnostics() {
        let text = "╷\n│ Error: Reference to undeclared input variable\n│\n│   on main.tf line 1:\n\
                    │ An input variable with the name \"x\" has not been\n│ declared.\n╵\n";
        assert!(flatten_diagnostics(text).contains("has not been declared."));
    }
}
