//! Runs one test: writes its program into a fresh temp folder, compiles it if the language needs
//! it, runs it under a time limit, and judges the exit code and stdout. The folder, and any
//! process the test left behind, is gone when the test ends.

use std::fs::File;
use std::path::Path;
use std::process::{Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use super::blocks::Job;
use super::lang::SEPARATOR;
use super::toolchain::Toolchain;

/// How long a test may run when neither the block nor `[test] timeout` says.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

/// How long compiling may take: compilers are slow to start on a busy machine, and the time
/// limit of a block is about the program it builds.
const COMPILE_LIMIT: Duration = Duration::from_secs(120);

/// Reports keep this many lines of stderr.
const STDERR_LINES: usize = 60;

/// How a test ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Passed,
    Failed(Failure),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// The block of the job the failure is reported at.
    pub block: usize,
    pub reason: Reason,
    /// The command line that failed.
    pub command: String,
    /// None when the process was killed (a timeout or a signal).
    pub exit_code: Option<i32>,
    /// The signal that ended the process (an `abort()` from a failed C `assert`, say).
    pub signal: Option<i32>,
    pub stderr: String,
    /// A unified diff, expected against actual stdout.
    pub diff: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reason {
    DoesNotCompile,
    Exited,
    TimedOut(Duration),
    OutputDiffers,
    ShouldHaveFailed,
    /// The temp folder could not be set up.
    Io(String),
}

/// A finished process.
struct Ran {
    command: String,
    /// None when it ran out of time.
    status: Option<ExitStatus>,
    stdout: String,
    stderr: String,
}

impl Ran {
    fn success(&self) -> bool {
        self.status.is_some_and(|s| s.success())
    }
}

/// Runs one test with its toolchain.
pub fn run(job: &Job, tool: &Toolchain, default_timeout: Duration) -> Outcome {
    match run_in_temp_dir(job, tool, default_timeout) {
        Ok(outcome) => outcome,
        Err(e) => Outcome::Failed(Failure {
            block: 0,
            reason: Reason::Io(e.to_string()),
            command: String::new(),
            exit_code: None,
            signal: None,
            stderr: String::new(),
            diff: None,
        }),
    }
}

fn run_in_temp_dir(
    job: &Job,
    tool: &Toolchain,
    default_timeout: Duration,
) -> std::io::Result<Outcome> {
    let dir = tempfile::Builder::new()
        .prefix("studybook-test-")
        .tempdir()?;
    let work = dir.path().join("work");
    std::fs::create_dir(&work)?;
    let blocks: Vec<_> = job.blocks.iter().collect();
    for (name, text) in job.lang.program(&blocks) {
        std::fs::write(work.join(name), text)?;
    }
    let limit = job.timeout.unwrap_or(default_timeout);
    let source = job.lang.source_file();
    let ran = if job.lang.compiled() {
        let exe = if cfg!(windows) { "main.exe" } else { "main" };
        let mut args = tool.flags.clone();
        args.extend([source.to_string(), "-o".into(), exe.to_string()]);
        let built = execute(dir.path(), &tool.command, &args, COMPILE_LIMIT)?;
        if !built.success() {
            return Ok(judge_failure(job, built, Reason::DoesNotCompile));
        }
        let program = work.join(exe).to_string_lossy().into_owned();
        let mut ran = execute(dir.path(), &program, &[], limit)?;
        ran.command = format!("./{exe}");
        ran
    } else {
        let mut args = tool.flags.clone();
        args.push(source.to_string());
        execute(dir.path(), &tool.command, &args, limit)?
    };
    let Some(status) = ran.status else {
        return Ok(Outcome::Failed(failure(
            &ran,
            Reason::TimedOut(limit),
            last_block(job, &ran),
        )));
    };
    if !status.success() {
        return Ok(judge_failure(job, ran, Reason::Exited));
    }
    if job.should_fail {
        return Ok(Outcome::Failed(failure(
            &ran,
            Reason::ShouldHaveFailed,
            job.blocks.len() - 1,
        )));
    }
    Ok(match output_difference(job, &ran.stdout) {
        Some((block, diff)) => Outcome::Failed(Failure {
            diff: Some(diff),
            ..failure(&ran, Reason::OutputDiffers, block)
        }),
        None => Outcome::Passed,
    })
}

/// A program that did not compile or exited non-zero: what `{should-fail}` asks for.
fn judge_failure(job: &Job, ran: Ran, reason: Reason) -> Outcome {
    if job.should_fail {
        return Outcome::Passed;
    }
    Outcome::Failed(failure(&ran, reason, last_block(job, &ran)))
}

fn failure(ran: &Ran, reason: Reason, block: usize) -> Failure {
    Failure {
        block,
        reason,
        command: ran.command.clone(),
        exit_code: ran.status.and_then(|s| s.code()),
        signal: ran.status.and_then(signal),
        stderr: tail(&ran.stderr),
        diff: None,
    }
}

#[cfg(unix)]
fn signal(status: ExitStatus) -> Option<i32> {
    std::os::unix::process::ExitStatusExt::signal(&status)
}

#[cfg(not(unix))]
fn signal(_status: ExitStatus) -> Option<i32> {
    None
}

/// The block a program stopped in. In an interpreted group every block that finished printed a
/// separator; a C or C++ error names the note's line (`#line`), which falls in one block.
fn last_block(job: &Job, ran: &Ran) -> usize {
    let last = job.blocks.len() - 1;
    if job.lang.separates_blocks() {
        return ran.stdout.matches(SEPARATOR).count().min(last);
    }
    let prefix = format!("{}:", job.blocks[0].file.to_string_lossy());
    ran.stderr
        .match_indices(&prefix)
        .find_map(|(at, _)| {
            let rest = &ran.stderr[at + prefix.len()..];
            let digits = rest
                .find(|c: char| !c.is_ascii_digit())
                .unwrap_or(rest.len());
            let line: usize = rest[..digits].parse().ok()?;
            job.blocks.iter().rposition(|b| b.code_line <= line)
        })
        .unwrap_or(last)
}

/// The first block whose expected output differs from what it printed, with the diff.
fn output_difference(job: &Job, stdout: &str) -> Option<(usize, String)> {
    if job.lang.separates_blocks() {
        let mut printed = stdout.split(SEPARATOR);
        for (i, block) in job.blocks.iter().enumerate() {
            let actual = printed.next().unwrap_or("");
            if let Some(expected) = &block.expected {
                if let Some(diff) = compare(expected, actual, job.ignore_whitespace) {
                    return Some((i, diff));
                }
            }
        }
        return None;
    }
    let expected: Vec<&str> = job
        .blocks
        .iter()
        .filter_map(|b| b.expected.as_deref())
        .collect();
    if expected.is_empty() {
        return None;
    }
    compare(&expected.concat(), stdout, job.ignore_whitespace).map(|d| (job.blocks.len() - 1, d))
}

/// None when the output is as expected; otherwise a unified diff.
fn compare(expected: &str, actual: &str, ignore_whitespace: bool) -> Option<String> {
    let same = if ignore_whitespace {
        expected.split_whitespace().eq(actual.split_whitespace())
    } else {
        expected == actual
    };
    (!same).then(|| {
        similar::TextDiff::from_lines(expected, actual)
            .unified_diff()
            .context_radius(3)
            .header("expected", "actual")
            .to_string()
    })
}

/// The last lines of stderr, which hold the error.
fn tail(stderr: &str) -> String {
    let lines: Vec<&str> = stderr.lines().collect();
    if lines.len() <= STDERR_LINES {
        return stderr.trim_end().to_string();
    }
    let skipped = lines.len() - STDERR_LINES;
    format!("… {skipped} earlier lines\n{}", lines[skipped..].join("\n"))
}

/// Runs `program` in `dir/work` with no stdin, stdout and stderr going to files beside it, and
/// kills it (and what it started) at the time limit.
fn execute(dir: &Path, program: &str, args: &[String], limit: Duration) -> std::io::Result<Ran> {
    let out_path = dir.join("stdout");
    let err_path = dir.join("stderr");
    let mut command = Command::new(program);
    command
        .args(args)
        .current_dir(dir.join("work"))
        .stdin(Stdio::null())
        .stdout(File::create(&out_path)?)
        .stderr(File::create(&err_path)?)
        .env("PYTHONIOENCODING", "utf-8")
        .env("PYTHONDONTWRITEBYTECODE", "1");
    #[cfg(unix)]
    std::os::unix::process::CommandExt::process_group(&mut command, 0);
    let command_line = std::iter::once(program)
        .chain(args.iter().map(String::as_str))
        .collect::<Vec<_>>()
        .join(" ");
    let mut child = command.spawn()?;
    let started = Instant::now();
    let mut pause = Duration::from_millis(1);
    let status = loop {
        if let Some(status) = child.try_wait()? {
            break Some(status);
        }
        if started.elapsed() >= limit {
            break None;
        }
        std::thread::sleep(pause);
        pause = (pause * 2).min(Duration::from_millis(20));
    };
    end_process_group(child.id());
    if status.is_none() {
        // The group is gone on Unix; elsewhere only the child can be ended.
        let _ = child.kill();
        let _ = child.wait();
    }
    let read = |p: &Path| {
        std::fs::read(p)
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .unwrap_or_default()
    };
    Ok(Ran {
        command: command_line,
        status,
        stdout: read(&out_path),
        stderr: read(&err_path),
    })
}

/// Kills every process of the test's process group, so a background process a block started
/// does not outlive it.
#[cfg(unix)]
fn end_process_group(pid: u32) {
    let Ok(pid) = libc::pid_t::try_from(pid) else {
        return;
    };
    // SAFETY: kill(2) takes plain integers and touches no memory of ours. The group id is the
    // child's pid (process_group(0)), so no other process is hit; a group that has already
    // exited gives ESRCH, which is fine.
    unsafe {
        libc::kill(-pid, libc::SIGKILL);
    }
}

#[cfg(not(unix))]
fn end_process_group(_pid: u32) {}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::notetest::blocks::Block;
    use crate::notetest::lang::Lang;

    fn bash() -> Toolchain {
        Toolchain {
            lang: Lang::Bash,
            command: "bash".into(),
            flags: Lang::Bash.default_flags(),
            version: String::new(),
        }
    }

    fn job(blocks: &[(&str, Option<&str>)]) -> Job {
        Job {
            lang: Lang::Bash,
            blocks: blocks
                .iter()
                .map(|(code, expected)| Block {
                    expected: expected.map(str::to_string),
                    ..Block::for_test(code)
                })
                .collect(),
            skip: false,
            should_fail: false,
            ignore_whitespace: false,
            timeout: None,
        }
    }

    fn failure_of(outcome: Outcome) -> Failure {
        match outcome {
            Outcome::Failed(f) => f,
            Outcome::Passed => panic!("expected a failure"),
        }
    }

    #[test]
    fn exit_code_and_stderr_of_the_block_that_failed() {
        let j = job(&[
            ("echo one\n", Some("one\n")),
            ("echo oops >&2; exit 3\n", None),
        ]);
        let f = failure_of(run(&j, &bash(), DEFAULT_TIMEOUT));
        assert_eq!(f.reason, Reason::Exited);
        assert_eq!(f.block, 1, "the second block failed");
        assert_eq!(f.exit_code, Some(3));
        assert_eq!(f.stderr, "oops");
        assert_eq!(f.command, "bash -e -o pipefail main.sh");
    }

    #[test]
    fn each_block_of_a_group_is_compared_with_its_own_output() {
        let j = job(&[("echo one\n", Some("one\n")), ("echo two\n", Some("two\n"))]);
        assert_eq!(run(&j, &bash(), DEFAULT_TIMEOUT), Outcome::Passed);
        let j = job(&[("echo one\n", Some("one\n")), ("echo 2\n", Some("two\n"))]);
        let f = failure_of(run(&j, &bash(), DEFAULT_TIMEOUT));
        assert_eq!(f.block, 1);
        assert_eq!(
            f.diff.as_deref(),
            Some("--- expected\n+++ actual\n@@ -1 +1 @@\n-two\n+2\n")
        );
    }

    #[test]
    fn python_blocks_of_a_group_share_a_main_module_that_pickle_finds() {
        let python = crate::notetest::toolchain::find(Lang::Python, &Default::default()).unwrap();
        let mut j = job(&[
            (
                "import pickle\nclass P:\n    pass\nsys = None  # the driver keeps its own\n",
                None,
            ),
            (
                "print(type(pickle.loads(pickle.dumps(P()))).__name__)\n",
                Some("P\n"),
            ),
        ]);
        j.lang = Lang::Python;
        assert_eq!(run(&j, &python, DEFAULT_TIMEOUT), Outcome::Passed);
    }

    #[test]
    fn ignore_whitespace_should_fail_and_timeout() {
        let mut j = job(&[("printf '1   2\\n\\n'\n", Some("1 2\n"))]);
        assert!(matches!(
            run(&j, &bash(), DEFAULT_TIMEOUT),
            Outcome::Failed(_)
        ));
        j.ignore_whitespace = true;
        assert_eq!(run(&j, &bash(), DEFAULT_TIMEOUT), Outcome::Passed);

        let mut j = job(&[("exit 1\n", None)]);
        j.should_fail = true;
        assert_eq!(run(&j, &bash(), DEFAULT_TIMEOUT), Outcome::Passed);
        let mut j = job(&[("true\n", None)]);
        j.should_fail = true;
        assert_eq!(
            failure_of(run(&j, &bash(), DEFAULT_TIMEOUT)).reason,
            Reason::ShouldHaveFailed
        );

        let started = Instant::now();
        let j = job(&[("sleep 30 & sleep 30\n", None)]);
        let limit = Duration::from_millis(300);
        let f = failure_of(run(&j, &bash(), limit));
        assert_eq!(f.reason, Reason::TimedOut(limit));
        assert_eq!(f.exit_code, None);
        assert!(started.elapsed() < Duration::from_secs(5));
    }
}
