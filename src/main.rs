//! The `studybook` command line: a thin layer over the library.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::LazyLock;
use std::time::Duration;

use anyhow::Context as _;
use clap::{Parser, Subcommand, ValueEnum};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use termcolor::{ColorChoice, StandardStream};

use studybook::build::{self, BuildOptions, Generated, Progress};
use studybook::diagnostics::{self, Diagnostic};
use studybook::notetest::{self, lang::Lang, TestOptions};
use studybook::scaffold;

#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// `studybook --version`: the KaTeX inside decides how math renders (and keys the render cache).
static VERSION: LazyLock<String> = LazyLock::new(|| {
    format!(
        "{} (KaTeX {})",
        env!("CARGO_PKG_VERSION"),
        katex::KATEX_VERSION.trim()
    )
});

#[derive(Parser)]
#[command(
    name = "studybook",
    version = VERSION.as_str(),
    about = "Turns a folder of Markdown study notes into a cross-linked static site"
)]
struct Cli {
    /// Print only errors and warnings.
    #[arg(short, long, global = true)]
    quiet: bool,
    /// Print more detail (timings, cache use, files written).
    #[arg(short, long, global = true)]
    verbose: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Build the site into the output folder (book/ by default).
    Build {
        /// The site folder (with book.toml and content/).
        #[arg(default_value = ".")]
        root: PathBuf,
        /// Output folder, instead of [build] build-dir.
        #[arg(long)]
        dest: Option<PathBuf>,
        /// Absolute base URL, instead of [output.html] site-url.
        #[arg(long)]
        site_url: Option<String>,
    },
    /// Check the site and print every diagnostic; writes nothing.
    Check {
        #[arg(default_value = ".")]
        root: PathBuf,
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
    },
    /// Create a new site: book.toml, content/ with a first page, .gitignore.
    Init {
        #[arg(default_value = ".")]
        dir: PathBuf,
        /// Also write .github/workflows/studybook.yml, which publishes the site on GitHub Pages
        /// (for a folder that already holds notes, only the workflow).
        #[arg(long)]
        github_pages: bool,
    },
    /// Add a topic page with front matter.
    New {
        /// The topic title, e.g. "Batch Normalization".
        title: String,
        /// Category folder under content/.
        #[arg(long)]
        category: Option<String>,
        #[arg(long, default_value = ".")]
        root: PathBuf,
    },
    /// Build the site into memory and serve it with live reload while you edit.
    Serve {
        #[arg(default_value = ".")]
        root: PathBuf,
        #[arg(long, default_value_t = 3000)]
        port: u16,
        /// Open the site in the default browser.
        #[arg(long)]
        open: bool,
        /// Address to listen on; anything but loopback exposes the site to the network.
        #[arg(long, default_value = "127.0.0.1")]
        bind: std::net::IpAddr,
    },
    /// Run the code blocks marked runnable and check their output; see docs/TESTING-NOTES.md.
    Test {
        #[arg(default_value = ".")]
        root: PathBuf,
        /// Tests run at once (default: one per core).
        #[arg(short, long, default_value_t = 0)]
        jobs: usize,
        /// Only pages whose path contains this, or that have this tag.
        #[arg(long)]
        filter: Option<String>,
        /// Only blocks of one language: python, cpp, c, rust, bash or javascript.
        #[arg(long, value_parser = parse_lang)]
        lang: Option<Lang>,
        /// Run every block, even those that passed before unchanged.
        #[arg(long)]
        no_cache: bool,
        /// Fail the blocks of a language with no toolchain instead of skipping them.
        #[arg(long)]
        require: bool,
    },
    /// Export the site's interview questions for another tool.
    Export {
        #[command(subcommand)]
        what: ExportKind,
    },
}

#[derive(Subcommand)]
enum ExportKind {
    /// A tab-separated file Anki imports directly (front, back, tags); see docs/STUDY.md.
    Anki {
        #[arg(default_value = ".")]
        root: PathBuf,
        /// Where to write the file; `-` for standard output.
        #[arg(long, default_value = "anki.txt")]
        out: PathBuf,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Human,
    Json,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(&cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn run(cli: &Cli) -> anyhow::Result<ExitCode> {
    match &cli.command {
        Command::Build {
            root,
            dest,
            site_url,
        } => {
            let opts = BuildOptions {
                root: root.clone(),
                dest: dest.clone(),
                site_url: site_url.clone(),
            };
            let bar = TerminalProgress::new(cli.quiet, "rendering {pos}/{len} pages");
            let report = build::build(&opts, &bar)?;
            bar.finish();
            print_diagnostics(&report.generated.diagnostics, root, Format::Human)?;
            if !cli.quiet {
                summary(&report.generated, Some(&report.dest), cli.verbose);
            }
            Ok(exit_code(&report.generated))
        }
        Command::Check { root, format } => {
            if !root.is_dir() {
                return Err(studybook::config::NoSiteFolder(root.clone()).into());
            }
            let generated = build::check(&BuildOptions {
                root: root.clone(),
                ..BuildOptions::default()
            });
            print_diagnostics(&generated.diagnostics, root, *format)?;
            if !cli.quiet && matches!(format, Format::Human) {
                summary(&generated, None, cli.verbose);
            }
            Ok(exit_code(&generated))
        }
        Command::Init { dir, github_pages } => {
            let created = if *github_pages {
                scaffold::init_github_pages(dir)
            } else {
                scaffold::init(dir)
            }
            .with_context(|| format!("cannot create a site in {}", dir.display()))?;
            if !cli.quiet {
                for path in created {
                    println!("created {}", path.display());
                }
                println!("next: studybook build {}", dir.display());
                if *github_pages {
                    println!(
                        "then: push, and set Settings -> Pages -> Source to \"GitHub Actions\""
                    );
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::New {
            title,
            category,
            root,
        } => {
            let path = scaffold::new_page(root, title, category.as_deref())?;
            if !cli.quiet {
                println!("created {}", path.display());
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Serve {
            root,
            port,
            open,
            bind,
        } => {
            studybook::serve::run(&studybook::serve::ServeOptions {
                root: root.clone(),
                port: *port,
                bind: *bind,
                open: *open,
                quiet: cli.quiet,
            })?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Export {
            what: ExportKind::Anki { root, out },
        } => export_anki(cli, root, out),
        Command::Test {
            root,
            jobs,
            filter,
            lang,
            no_cache,
            require,
        } => test_notes(
            cli,
            &TestOptions {
                root: root.clone(),
                jobs: *jobs,
                filter: filter.clone(),
                lang: *lang,
                no_cache: *no_cache,
                require: *require,
            },
        ),
    }
}

fn parse_lang(name: &str) -> Result<Lang, String> {
    Lang::from_name(name).ok_or_else(|| format!("use one of {}", Lang::NAMES.join(", ")))
}

/// `studybook test`: failures on stdout with the summary line; diagnostics and missing
/// toolchains on stderr.
fn test_notes(cli: &Cli, opts: &TestOptions) -> anyhow::Result<ExitCode> {
    let bar = TerminalProgress::new(cli.quiet, "running {pos}/{len} tests");
    let report = notetest::run(opts, &bar)?;
    bar.finish();
    print_diagnostics(&report.diagnostics, &opts.root, Format::Human)?;
    for line in notetest::report::missing(&report) {
        eprintln!("{line}");
    }
    for text in report.results.iter().filter_map(notetest::report::failure) {
        println!("{text}");
    }
    if !cli.quiet || report.failed() {
        println!("{}", notetest::report::summary(&report));
    }
    Ok(if report.failed() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// `studybook export anki`: the notes file is written even when the site has errors (like
/// `build`), and the exit code says so.
fn export_anki(cli: &Cli, root: &Path, out: &Path) -> anyhow::Result<ExitCode> {
    let (export, diags) = studybook::export::anki::export_anki(root);
    print_diagnostics(&diags, root, Format::Human)?;
    let Some(export) = export else {
        return Ok(ExitCode::from(1));
    };
    if out == Path::new("-") {
        std::io::stdout().write_all(export.text.as_bytes())?;
    } else {
        studybook::fsutil::write(out, export.text.as_bytes())?;
        if !cli.quiet {
            eprintln!(
                "exported {} cards to {} (deck \"{}\")",
                export.cards,
                out.display(),
                export.deck
            );
        }
    }
    Ok(if diags.iter().any(Diagnostic::is_error) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn exit_code(g: &Generated) -> ExitCode {
    if g.has_errors() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn print_diagnostics(diags: &[Diagnostic], root: &Path, format: Format) -> anyhow::Result<()> {
    match format {
        Format::Json => diagnostics::print_json(diags, &mut std::io::stdout())?,
        Format::Human => {
            let color = if std::io::stderr().is_terminal() {
                ColorChoice::Auto
            } else {
                ColorChoice::Never
            };
            let mut err = StandardStream::stderr(color);
            diagnostics::print_human(diags, root, &mut err)?;
            err.flush()?;
        }
    }
    Ok(())
}

/// One line for every build: pages, formulas, cache use, problems, time.
fn summary(g: &Generated, dest: Option<&Path>, verbose: bool) {
    let s = &g.stats;
    let errors = g.diagnostics.iter().filter(|d| d.is_error()).count();
    let warnings = g.diagnostics.len() - errors;
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    let mut line = format!(
        "{} {}, {} ({} rendered, {} cached), {}, {} in {:.2}s",
        if dest.is_some() { "built" } else { "checked" },
        plural(s.pages, "page"),
        plural(s.formulas, "formula"),
        s.formulas_rendered,
        s.formulas - s.formulas_rendered,
        plural(errors, "error"),
        plural(warnings, "warning"),
        s.elapsed.as_secs_f64()
    );
    // A build stopped by its configuration has no output folder to name.
    if let Some(dest) = dest.filter(|d| !d.as_os_str().is_empty()) {
        line.push_str(&format!(" → {}", dest.display()));
        if s.write.reused {
            line.push_str(" (already up to date)");
        }
    }
    eprintln!("{line}");
    if verbose {
        eprintln!(
            "files: {} written, {} unchanged, {} removed, {} kept from the last build; render cache (math and code): {} hits, {} misses rendered in {:.2} s of thread time",
            s.write.written, s.write.unchanged, s.write.removed, s.write.kept, s.cache_hits, s.cache_misses, s.rendering.as_secs_f64()
        );
    }
}

/// A progress bar that appears only on a terminal and only once a build or test run has taken a
/// second.
struct TerminalProgress {
    bar: ProgressBar,
}

impl TerminalProgress {
    /// `what` is the middle of the bar's template, like `rendering {pos}/{len} pages`.
    fn new(quiet: bool, what: &str) -> Self {
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::hidden());
        bar.set_style(
            ProgressStyle::with_template(&format!("{{spinner}} {what} [{{elapsed}}]"))
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        if !quiet && std::io::stderr().is_terminal() {
            let delayed = bar.clone();
            std::thread::spawn(move || {
                std::thread::sleep(Duration::from_secs(1));
                if !delayed.is_finished() {
                    delayed.set_draw_target(ProgressDrawTarget::stderr());
                    delayed.enable_steady_tick(Duration::from_millis(120));
                }
            });
        }
        Self { bar }
    }

    fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

impl Progress for TerminalProgress {
    fn start(&self, pages: usize) {
        self.bar.set_length(pages as u64);
    }

    fn page_rendered(&self) {
        self.bar.inc(1);
    }
}

impl notetest::Progress for TerminalProgress {
    fn start(&self, tests: usize) {
        self.bar.set_length(tests as u64);
    }

    fn finished(&self) {
        self.bar.inc(1);
    }
}
