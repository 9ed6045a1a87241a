//! The words of `studybook test`: one report per failed test, one line per missing toolchain,
//! one summary line.

use std::fmt::Write as _;

use super::runner::Reason;
use super::{Status, TestReport, TestResult};

/// The report of a failed test, or None when it did not fail. It starts at the file:line:col of
/// the block, so editors and terminals can jump there.
pub fn failure(result: &TestResult) -> Option<String> {
    let Status::Failed(f) = &result.status else {
        return None;
    };
    let job = &result.job;
    let block = &job.blocks[f.block.min(job.blocks.len() - 1)];
    let mut out = format!(
        "FAILED {}:{}:{} ({}): {}\n",
        block.file.display(),
        block.position.line,
        block.position.column,
        job.lang.name(),
        block.first_line()
    );
    if let Some(group) = job.group() {
        let lines: Vec<String> = job
            .blocks
            .iter()
            .map(|b| b.position.line.to_string())
            .collect();
        let _ = writeln!(
            out,
            "  group: {group} (blocks at lines {})",
            lines.join(", ")
        );
    }
    let why = match &f.reason {
        Reason::DoesNotCompile => "does not compile".to_string(),
        Reason::Exited => match f.exit_code {
            Some(code) => format!("exit code: {code}"),
            None => match f.signal {
                Some(6) => "killed by signal 6 (SIGABRT: a failed assert?)".to_string(),
                Some(n) => format!("killed by signal {n}"),
                None => "killed".to_string(),
            },
        },
        Reason::TimedOut(limit) => format!(
            "timed out after {} (set {{timeout=…}} on the block or [test] timeout)",
            humane(*limit)
        ),
        Reason::OutputDiffers => "output differs from the `output` block".to_string(),
        Reason::ShouldHaveFailed => "exit code: 0, but the block is marked {should-fail}".into(),
        Reason::Io(e) => format!("cannot set up the test folder: {e}"),
    };
    if !f.command.is_empty() {
        let _ = writeln!(out, "  command: {}", f.command);
    }
    let _ = writeln!(out, "  {why}");
    if f.reason == Reason::DoesNotCompile {
        if let Some(code) = f.exit_code {
            let _ = writeln!(out, "  exit code: {code}");
        }
    }
    if !f.stderr.is_empty() {
        out.push_str("  stderr:\n");
        for line in f.stderr.lines() {
            let _ = writeln!(out, "    {line}");
        }
    }
    if let Some(diff) = &f.diff {
        for line in diff.lines() {
            let _ = writeln!(out, "  {line}");
        }
    }
    Some(out)
}

/// One line for every run: `12 tests: 10 passed, 1 failed, 1 skipped, 8 cached in 1.25s`.
pub fn summary(report: &TestReport) -> String {
    let c = report.counts();
    let tests = report.results.len();
    format!(
        "{tests} test{}: {} passed, {} failed, {} skipped, {} cached in {:.2}s",
        if tests == 1 { "" } else { "s" },
        c.passed,
        c.failed,
        c.skipped,
        c.cached,
        report.elapsed.as_secs_f64()
    )
}

/// The missing toolchains, one line each.
pub fn missing(report: &TestReport) -> Vec<String> {
    report
        .missing
        .iter()
        .map(|m| {
            let blocks = report
                .results
                .iter()
                .filter(|r| r.job.lang == m.lang && r.status == Status::NoToolchain)
                .map(|r| r.job.blocks.len())
                .sum();
            format!(
                "{}: {}",
                if report.require { "error" } else { "warning" },
                m.message(blocks)
            )
        })
        .collect()
}

fn humane(d: std::time::Duration) -> String {
    if d.subsec_millis() == 0 {
        format!("{}s", d.as_secs())
    } else {
        format!("{}ms", d.as_millis())
    }
}
