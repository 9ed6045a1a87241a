//! The GitHub Actions workflow that `studybook init --github-pages` writes into a notes
//! repository. It installs the released studybook binary of the version that wrote it (checked
//! against the release's SHA-256), so a deploy compiles nothing; builds the site for the
//! repository's Pages address with the render cache restored; and deploys with GitHub's own
//! Pages actions.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::bail;

/// Where the workflow goes, relative to the repository root.
pub const WORKFLOW_PATH: &str = ".github/workflows/studybook.yml";

/// The branch a repository publishes from when git cannot tell.
const DEFAULT_BRANCH: &str = "main";

/// The workflow, with `@…@` markers for what the writing binary knows. The markers keep the
/// text free of `format!` escapes, so it reads as the YAML it is.
const TEMPLATE: &str = r#"# Builds these notes with studybook and publishes them on GitHub Pages.
# Written by `studybook init --github-pages` (studybook @VERSION@).
# Once: in the repository's Settings -> Pages, set "Source" to "GitHub Actions".
# The site is built for https://<owner>.github.io/<repository>/ (or the root of a
# <owner>.github.io repository); with a custom domain, put the domain in @SITE_PREFIX@static/CNAME.
name: Pages

on:
  push:
    branches: [@BRANCH@]
  workflow_dispatch:

# Only the deploy job may publish; building needs to read the repository alone.
permissions:
  contents: read

# One deploy at a time. A deploy in progress always finishes; newer pushes wait.
concurrency:
  group: pages
  cancel-in-progress: false

env:
  STUDYBOOK_VERSION: "@VERSION@"
  # The repository whose releases hold the studybook binaries.
  STUDYBOOK_RELEASES: @RELEASES@

jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4

      - name: Install studybook
        shell: bash
        run: |
          case "$RUNNER_OS-$RUNNER_ARCH" in
            Linux-X64) target=x86_64-unknown-linux-musl ;;
            Linux-ARM64) target=aarch64-unknown-linux-musl ;;
            macOS-X64) target=x86_64-apple-darwin ;;
            macOS-ARM64) target=aarch64-apple-darwin ;;
            Windows-X64) target=x86_64-pc-windows-gnu ;;
            *) echo "::error::no studybook release for $RUNNER_OS $RUNNER_ARCH"; exit 1 ;;
          esac
          if [ "$RUNNER_OS" = Windows ]; then ext=zip; else ext=tar.gz; fi
          archive="studybook-v$STUDYBOOK_VERSION-$target.$ext"
          url="https://github.com/$STUDYBOOK_RELEASES/releases/download/v$STUDYBOOK_VERSION"
          dir="$RUNNER_TEMP/studybook"
          mkdir -p "$dir"
          cd "$dir"
          curl --fail --silent --show-error --location --retry 3 \
            --remote-name "$url/$archive" --remote-name "$url/$archive.sha256"
          if command -v sha256sum >/dev/null; then
            sha256sum --check "$archive.sha256"
          else
            shasum -a 256 --check "$archive.sha256"
          fi
          if [ "$ext" = zip ]; then unzip -q "$archive"; else tar -xzf "$archive"; fi
          echo "$dir" >> "$GITHUB_PATH"
          "$dir/studybook" --version

      # Rendered math and code from earlier runs: the newest cache of this studybook version.
      - name: Restore the render cache
        id: cache
        uses: actions/cache/restore@v4
        with:
          path: @SITE_PREFIX@.studybook/cache
          key: studybook-${{ env.STUDYBOOK_VERSION }}-${{ github.sha }}
          restore-keys: |
            studybook-${{ env.STUDYBOOK_VERSION }}-

      - name: Build the site
        shell: bash
        env:
          REPOSITORY: ${{ github.event.repository.name }}
          OWNER: ${{ github.repository_owner }}
        run: |
          owner=$(printf '%s' "$OWNER" | tr '[:upper:]' '[:lower:]')
          repository=$(printf '%s' "$REPOSITORY" | tr '[:upper:]' '[:lower:]')
          if [ -s @SITE_PREFIX@static/CNAME ]; then
            # A custom domain serves the site from its root.
            site_url="https://$(head -n 1 @SITE_PREFIX@static/CNAME | tr -d '[:space:]')/"
          elif [ "$repository" = "$owner.github.io" ]; then
            site_url="https://$owner.github.io/"
          else
            site_url="https://$owner.github.io/$REPOSITORY/"
          fi
          studybook build @SITE@ --site-url "$site_url" --dest _site

      # The key names the cache's contents: a run that rendered nothing new saves nothing.
      - name: Save the render cache
        if: always() && hashFiles('@SITE_PREFIX@.studybook/cache/**') != '' && steps.cache.outputs.cache-matched-key != format('studybook-{0}-{1}', env.STUDYBOOK_VERSION, hashFiles('@SITE_PREFIX@.studybook/cache/**'))
        uses: actions/cache/save@v4
        with:
          path: @SITE_PREFIX@.studybook/cache
          key: studybook-${{ env.STUDYBOOK_VERSION }}-${{ hashFiles('@SITE_PREFIX@.studybook/cache/**') }}

      - uses: actions/upload-pages-artifact@v3
        with:
          path: @SITE_PREFIX@_site

  deploy:
    needs: build
    runs-on: ubuntu-latest
    permissions:
      pages: write
      id-token: write
    environment:
      name: github-pages
      url: ${{ steps.deployment.outputs.page_url }}
    steps:
      - id: deployment
        uses: actions/deploy-pages@v4
"#;

/// Where the workflow goes, and what it builds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placement {
    /// `.github/workflows/studybook.yml` at the root of the repository: GitHub runs workflows
    /// from there only.
    pub workflow: PathBuf,
    /// The site folder relative to the repository root, `/`-separated: `.` or e.g. `docs`.
    pub site: String,
    /// The branch whose pushes publish: the one checked out.
    pub branch: String,
}

impl Placement {
    /// For a site in `dir`. Outside a git repository (or without git) `dir` is taken as the
    /// repository root and `main` as the branch.
    pub fn of(dir: &Path) -> anyhow::Result<Placement> {
        let (root, site) = match git(dir, &["rev-parse", "--show-toplevel", "--show-prefix"]) {
            Some(out) => {
                let mut lines = out.lines();
                let root = PathBuf::from(lines.next().unwrap_or_default());
                let prefix = lines.next().unwrap_or_default().trim_end_matches('/');
                (
                    root,
                    if prefix.is_empty() { "." } else { prefix }.to_string(),
                )
            }
            None => (dir.to_path_buf(), ".".to_string()),
        };
        if !is_plain_name(&site) {
            bail!(
                "the site folder `{site}` would need quoting in the workflow: use a folder name of letters, digits, `-`, `_` and `.`"
            );
        }
        let branch = git(dir, &["symbolic-ref", "--quiet", "--short", "HEAD"])
            .filter(|b| is_plain_name(b))
            .unwrap_or_else(|| DEFAULT_BRANCH.to_string());
        Ok(Placement {
            workflow: root.join(WORKFLOW_PATH),
            site,
            branch,
        })
    }

    /// The workflow text, pinned to this binary's version.
    pub fn workflow_text(&self) -> String {
        let prefix = if self.site == "." {
            String::new()
        } else {
            format!("{}/", self.site)
        };
        TEMPLATE
            .replace("@VERSION@", env!("CARGO_PKG_VERSION"))
            .replace("@RELEASES@", releases_repository())
            .replace("@BRANCH@", &self.branch)
            .replace("@SITE_PREFIX@", &prefix)
            .replace("@SITE@", &self.site)
    }
}

/// A git command's trimmed output in `dir`, or None when git is missing or fails there.
fn git(dir: &Path, args: &[&str]) -> Option<String> {
    Command::new("git")
        .args(args)
        .current_dir(dir)
        .output()
        .ok()
        .filter(|o| o.status.success())
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
}

/// `owner/name` of the GitHub repository whose releases hold the binaries (Cargo.toml's
/// `repository`).
pub fn releases_repository() -> &'static str {
    let url = env!("CARGO_PKG_REPOSITORY");
    url.trim_start_matches("https://github.com/")
        .trim_end_matches('/')
}

/// A name that goes into YAML and shell unquoted and means itself (no glob, no YAML syntax).
fn is_plain_name(name: &str) -> bool {
    name.chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '/'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn placement(site: &str, branch: &str) -> Placement {
        Placement {
            workflow: PathBuf::from(WORKFLOW_PATH),
            site: site.into(),
            branch: branch.into(),
        }
    }

    #[test]
    fn the_workflow_is_pinned_to_this_version_and_branch() {
        let text = placement(".", "trunk").workflow_text();
        assert!(text.contains(&format!(
            "STUDYBOOK_VERSION: \"{}\"",
            env!("CARGO_PKG_VERSION")
        )));
        assert!(text.contains("branches: [trunk]"));
        assert!(text.contains(&format!("STUDYBOOK_RELEASES: {}", releases_repository())));
        assert!(text.contains("studybook build . --site-url"));
        assert!(text.contains("path: .studybook/cache") && text.contains("path: _site"));
        for marker in ["@VERSION@", "@RELEASES@", "@BRANCH@", "@SITE"] {
            assert!(!text.contains(marker), "{marker} left in the workflow");
        }
    }

    #[test]
    fn a_site_in_a_subfolder_is_built_and_cached_there() {
        let text = placement("notes/docs", "main").workflow_text();
        assert!(text.contains("studybook build notes/docs --site-url"));
        assert!(text.contains("path: notes/docs/.studybook/cache"));
        assert!(text.contains("hashFiles('notes/docs/.studybook/cache/**')"));
        assert!(text.contains("path: notes/docs/_site"));
        assert!(text.contains("[ -s notes/docs/static/CNAME ]"));
    }

    #[test]
    fn the_releases_repository_is_owner_and_name() {
        let repo = releases_repository();
        assert_eq!(repo.split('/').count(), 2, "{repo}");
        assert!(!repo.contains(':'), "{repo}");
    }

    #[test]
    fn a_folder_outside_git_is_its_own_root_and_publishes_from_main() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(
            Placement::of(dir.path()).unwrap(),
            Placement {
                workflow: dir.path().join(WORKFLOW_PATH),
                site: ".".into(),
                branch: "main".into(),
            }
        );
        assert!(is_plain_name("release/v1.x"));
        assert!(!is_plain_name("feat]*"));
        assert!(!is_plain_name("my notes"));
    }

    #[test]
    fn a_folder_inside_a_repository_puts_the_workflow_at_its_root() {
        let repo = tempfile::tempdir().unwrap();
        let git_ok = Command::new("git")
            .args(["init", "-q", "-b", "trunk"])
            .current_dir(repo.path())
            .status()
            .is_ok_and(|s| s.success());
        assert!(git_ok, "git is needed to run the tests");
        let site = repo.path().join("notes/docs");
        std::fs::create_dir_all(&site).unwrap();
        let p = Placement::of(&site).unwrap();
        assert_eq!(p.site, "notes/docs");
        assert_eq!(p.branch, "trunk");
        assert_eq!(
            p.workflow
                .strip_prefix(repo.path().canonicalize().unwrap())
                .unwrap(),
            Path::new(WORKFLOW_PATH)
        );
    }
}
