//! Finds the interpreter or compiler of each language, as `[test]` in book.toml sets it or on
//! the PATH, and asks its version, which is part of every cache key.

use std::process::{Command, Stdio};

use super::lang::Lang;
use crate::config::TestConfig;

/// A toolchain found and working.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Toolchain {
    pub lang: Lang,
    pub command: String,
    pub flags: Vec<String>,
    /// The first line `COMMAND --version` printed.
    pub version: String,
}

/// No toolchain for a language: the commands tried.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Missing {
    pub lang: Lang,
    pub tried: Vec<String>,
}

impl Missing {
    /// The one message printed for the language, however many blocks it has.
    pub fn message(&self, blocks: usize) -> String {
        format!(
            "no {} toolchain: {} not found; {blocks} block{} not run (install one, or set [test.{}] command in book.toml)",
            self.lang.name(),
            self.tried
                .iter()
                .map(|c| format!("`{c}`"))
                .collect::<Vec<_>>()
                .join(", "),
            if blocks == 1 { "" } else { "s" },
            self.lang.name(),
        )
    }
}

/// The toolchain for `lang`: the configured command, or the first default command that answers
/// `--version`.
pub fn find(lang: Lang, config: &TestConfig) -> Result<Toolchain, Missing> {
    let tool = config.tools.get(lang.name());
    let commands: Vec<String> = match tool.and_then(|t| t.command.clone()) {
        Some(command) => vec![command],
        None => lang
            .default_commands()
            .iter()
            .map(|c| c.to_string())
            .collect(),
    };
    let flags = tool
        .and_then(|t| t.flags.clone())
        .unwrap_or_else(|| lang.default_flags());
    for command in &commands {
        if let Some(version) = version(command) {
            return Ok(Toolchain {
                lang,
                command: command.clone(),
                flags,
                version,
            });
        }
    }
    Err(Missing {
        lang,
        tried: commands,
    })
}

fn version(command: &str) -> Option<String> {
    let out = Command::new(command)
        .arg("--version")
        .stdin(Stdio::null())
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    // Python 2 printed its version on stderr.
    let text = if out.stdout.is_empty() {
        out.stderr
    } else {
        out.stdout
    };
    Some(
        String::from_utf8_lossy(&text)
            .lines()
            .next()
            .unwrap_or("")
            .trim()
            .to_string(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::ToolConfig;

    #[test]
    fn a_configured_command_that_does_not_exist_is_missing() {
        let mut config = TestConfig::default();
        config.tools.insert(
            "python".into(),
            ToolConfig {
                command: Some("studybook-no-such-python".into()),
                flags: None,
            },
        );
        let missing = find(Lang::Python, &config).unwrap_err();
        assert_eq!(missing.tried, ["studybook-no-such-python"]);
        assert_eq!(
            missing.message(3),
            "no python toolchain: `studybook-no-such-python` not found; 3 blocks not run (install one, or set [test.python] command in book.toml)"
        );
    }

    #[test]
    fn bash_is_found_with_its_version_and_default_flags() {
        let bash = find(Lang::Bash, &TestConfig::default()).unwrap();
        assert_eq!(bash.command, "bash");
        assert!(bash.version.contains("bash"), "{}", bash.version);
        assert_eq!(bash.flags, Lang::Bash.default_flags());
    }
}
