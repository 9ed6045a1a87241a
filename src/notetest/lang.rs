//! The languages `studybook test` runs: the names they go by, the toolchain each needs, and how
//! the blocks of one test become a program.

use super::blocks::Block;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Lang {
    Python,
    Cpp,
    C,
    Rust,
    Bash,
    JavaScript,
}

/// The line printed after each block of an interpreted program, so the output of each block can
/// be told apart. The control characters keep it from matching anything a block prints.
pub const SEPARATOR: &str = "\u{1e}studybook-block-end\u{1e}\n";

impl Lang {
    pub const ALL: [Lang; 6] = [
        Lang::Python,
        Lang::Cpp,
        Lang::C,
        Lang::Rust,
        Lang::Bash,
        Lang::JavaScript,
    ];

    /// Canonical names, as `--lang` and `[test.NAME]` take them.
    pub const NAMES: [&'static str; 6] = ["python", "cpp", "c", "rust", "bash", "javascript"];

    /// The language of a fence word, with the usual aliases.
    pub fn from_name(name: &str) -> Option<Lang> {
        Some(match name.to_ascii_lowercase().as_str() {
            "python" | "python3" | "py" => Lang::Python,
            "cpp" | "c++" | "cxx" | "cc" => Lang::Cpp,
            "c" => Lang::C,
            "rust" | "rs" => Lang::Rust,
            "bash" | "sh" | "shell" => Lang::Bash,
            "javascript" | "js" | "node" => Lang::JavaScript,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        Self::NAMES[self as usize]
    }

    /// The name shown in the site's "tested" mark.
    pub fn label(self) -> &'static str {
        match self {
            Lang::Python => "Python",
            Lang::Cpp => "C++",
            Lang::C => "C",
            Lang::Rust => "Rust",
            Lang::Bash => "Bash",
            Lang::JavaScript => "JavaScript",
        }
    }

    /// Commands tried in order when `[test.NAME] command` is not set.
    pub fn default_commands(self) -> &'static [&'static str] {
        match self {
            Lang::Python => &["python3", "python"],
            Lang::Cpp => &["c++", "g++", "clang++"],
            Lang::C => &["cc", "gcc", "clang"],
            Lang::Rust => &["rustc"],
            Lang::Bash => &["bash"],
            Lang::JavaScript => &["node"],
        }
    }

    /// Flags given to the interpreter or compiler when `[test.NAME] flags` is not set.
    pub fn default_flags(self) -> Vec<String> {
        let flags: &[&str] = match self {
            Lang::Cpp => &["-std=c++17", "-Wall", "-Wextra", "-Werror"],
            Lang::C => &["-std=c11", "-Wall", "-Wextra", "-Werror"],
            Lang::Rust => &["--edition=2021"],
            // A failing command fails the block, not only a failing last command.
            Lang::Bash => &["-e", "-o", "pipefail"],
            Lang::Python | Lang::JavaScript => &[],
        };
        flags.iter().map(|f| f.to_string()).collect()
    }

    /// Compiled languages build an executable first; the others run the source.
    pub fn compiled(self) -> bool {
        matches!(self, Lang::Cpp | Lang::C | Lang::Rust)
    }

    /// The source file name in the test's folder.
    pub fn source_file(self) -> &'static str {
        match self {
            Lang::Python => "main.py",
            Lang::Cpp => "main.cpp",
            Lang::C => "main.c",
            Lang::Rust => "main.rs",
            Lang::Bash => "main.sh",
            Lang::JavaScript => "main.js",
        }
    }

    /// Whether a group's stdout has a separator after each block, so each block's own expected
    /// output is compared with what that block printed. Compiled groups are one program whose
    /// `main` comes last, so they are compared as a whole.
    pub fn separates_blocks(self) -> bool {
        !self.compiled()
    }

    /// The files of one test's program, the one to run first: the blocks of a group in order,
    /// joined so that the interpreter runs them in one process, or concatenated into one
    /// translation unit.
    pub fn program(self, blocks: &[&Block]) -> Vec<(&'static str, String)> {
        let main = self.source_file();
        match self {
            Lang::Python => python_program(blocks),
            Lang::Bash => vec![(
                main,
                joined(blocks, "printf '\\036studybook-block-end\\036\\n'"),
            )],
            Lang::JavaScript => vec![(
                main,
                joined(
                    blocks,
                    "process.stdout.write(\"\\x1estudybook-block-end\\x1e\\n\");",
                ),
            )],
            Lang::Rust => vec![(main, rust_program(blocks))],
            Lang::Cpp | Lang::C => vec![(main, with_line_directives(blocks))],
        }
    }
}

fn concatenated(blocks: &[&Block]) -> String {
    blocks
        .iter()
        .map(|b| b.code.as_str())
        .collect::<Vec<_>>()
        .join("\n")
}

/// C and C++ blocks each start with a `#line` directive, so compiler errors and failed asserts
/// name the note's file and line rather than the temp file's.
fn with_line_directives(blocks: &[&Block]) -> String {
    let mut out = String::new();
    for b in blocks {
        let file = b
            .file
            .to_string_lossy()
            .replace('\\', "\\\\")
            .replace('"', "\\\"");
        out.push_str(&format!("#line {} \"{file}\"\n", b.code_line));
        out.push_str(&b.code);
        if !out.ends_with('\n') {
            out.push('\n');
        }
    }
    out
}

fn joined(blocks: &[&Block], separator: &str) -> String {
    let mut out = String::new();
    for b in blocks {
        out.push_str(&b.code);
        if !out.ends_with('\n') {
            out.push('\n');
        }
        out.push_str(separator);
        out.push('\n');
    }
    out
}

/// Python runs each block with `exec` in one namespace, compiled under the Markdown file's name
/// and padded to its line, so a traceback points at the line of the note, not of a temp file.
/// The blocks travel as JSON beside the driver, which so needs no escaping.
fn python_program(blocks: &[&Block]) -> Vec<(&'static str, String)> {
    let sources: Vec<(String, String)> = blocks
        .iter()
        .map(|b| {
            let padded = "\n".repeat(b.code_line.saturating_sub(1)) + &b.code;
            (b.file.display().to_string(), padded)
        })
        .collect();
    let data = serde_json::to_string(&sources).unwrap_or_else(|_| "[]".into());
    // The blocks share a fresh `__main__` module (so pickle, dataclasses and typing find what
    // they define); linecache lets a traceback quote the note's line; the driver's own frame is
    // left out of tracebacks.
    let driver = r#"import json, linecache, sys, traceback, types
with open("blocks.json", encoding="utf-8") as f:
    blocks = json.load(f)
main = types.ModuleType("__main__")
sys.modules["__main__"] = main
scope = main.__dict__
for file, code in blocks:
    linecache.cache[file] = (len(code), None, code.splitlines(True), file)
    try:
        exec(compile(code, file, "exec"), scope)
    except SystemExit:
        raise
    except BaseException as e:
        sys.stdout.flush()
        traceback.print_exception(type(e), e, e.__traceback__.tb_next)
        sys.exit(1)
    sys.stdout.flush()
    print("\x1estudybook-block-end\x1e", flush=True)
"#;
    vec![("main.py", driver.to_string()), ("blocks.json", data)]
}

/// Like rustdoc: a program without `fn main` becomes the body of one.
fn rust_program(blocks: &[&Block]) -> String {
    let code = concatenated(blocks);
    if code.contains("fn main") {
        code
    } else {
        format!("#![allow(unused)]\nfn main() {{\n{code}\n}}\n")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for lang in Lang::ALL {
            assert_eq!(Lang::from_name(lang.name()), Some(lang));
        }
        assert_eq!(Lang::from_name("C++"), Some(Lang::Cpp));
        assert_eq!(Lang::from_name("haskell"), None);
    }

    #[test]
    fn c_blocks_carry_the_line_of_the_note() {
        let mut second = Block::for_test("int main() { return f(); }");
        second.code_line = 12;
        let first = Block::for_test("int f() { return 0; }\n");
        assert_eq!(
            Lang::Cpp.program(&[&first, &second])[0].1,
            "#line 2 \"content/t.md\"\nint f() { return 0; }\n#line 12 \"content/t.md\"\nint main() { return f(); }\n"
        );
    }

    #[test]
    fn rust_without_main_is_wrapped() {
        let block = Block::for_test("let x = 1;\nassert_eq!(x, 1);\n");
        let p = &Lang::Rust.program(&[&block])[0].1;
        assert!(
            p.starts_with("#![allow(unused)]\nfn main() {\nlet x = 1;"),
            "{p}"
        );
        let block = Block::for_test("fn main() {}\n");
        assert_eq!(Lang::Rust.program(&[&block])[0].1, "fn main() {}\n");
    }
}
