//! The `studybook` command line: a thin layer over the library.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context as _;
use clap::{Parser, Subcommand, ValueEnum};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use termcolor::{ColorChoice, StandardStream};

use studybook::build::{self, BuildOptions, Generated, Progress};
use studybook::diagnostics::{self, Diagnostic};
use studybook::scaffold;

#[derive(Parser)]
#[command(
    name = "studybook",
    version,
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
            let bar = TerminalProgress::new(cli.quiet);
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
                return Err(build::BuildError::NoSiteFolder(root.clone()).into());
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
        Command::Init { dir } => {
            let created = scaffold::init(dir)
                .with_context(|| format!("cannot create a site in {}", dir.display()))?;
            if !cli.quiet {
                for path in created {
                    println!("created {}", path.display());
                }
                println!("next: studybook build {}", dir.display());
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
    }
}

/// `studybook export anki`: the notes file is written even when the site has errors (like
/// `build`), and the exit code says so.
fn export_anki(cli: &Cli, root: &Path, out: &Path) -> anyhow::Result<ExitCode> {
    let (export, diags) = studybook::study::export_anki(root);
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
    }
    eprintln!("{line}");
    if verbose {
        eprintln!(
            "files: {} written, {} unchanged, {} removed, {} kept from the last build; render cache (math and code): {} hits, {} misses",
            s.write.written, s.write.unchanged, s.write.removed, s.write.kept, s.cache_hits, s.cache_misses
        );
    }
}

/// A progress bar that appears only on a terminal and only once a build has taken a second.
struct TerminalProgress {
    bar: ProgressBar,
}

impl TerminalProgress {
    fn new(quiet: bool) -> Self {
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::hidden());
        bar.set_style(
            ProgressStyle::with_template("{spinner} rendering {pos}/{len} pages [{elapsed}]")
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
