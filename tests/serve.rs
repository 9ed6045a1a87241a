//! `studybook serve` as a user runs it: the binary on a free loopback port, a fixture copy edited
//! on disk, the reload event and the new HTML seen over HTTP.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::time::{Duration, Instant};

use common::Site;

const WAIT: Duration = Duration::from_secs(30);

/// The running server, killed when the test ends (also when it fails).
struct Server {
    child: Child,
    addr: SocketAddr,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(site: &Site) -> Server {
    let mut child = Command::new(env!("CARGO_BIN_EXE_studybook"))
        .args(["serve", "--port", "0"])
        .arg(site.dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let line = rx.recv_timeout(WAIT).expect("serve prints its address");
    let url = line
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .expect("an URL");
    let addr = url
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .parse()
        .unwrap();
    Server { child, addr }
}

fn connect(addr: SocketAddr, path: &str) -> TcpStream {
    connect_as(addr, path, "localhost")
}

fn connect_as(addr: SocketAddr, path: &str, host: &str) -> TcpStream {
    send(addr, "GET", path, host)
}

fn send(addr: SocketAddr, method: &str, path: &str, host: &str) -> TcpStream {
    let mut stream = TcpStream::connect_timeout(&addr, WAIT).unwrap();
    stream.set_read_timeout(Some(WAIT)).unwrap();
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: {host}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    stream
}

/// Status, headers and body of one request; the path is sent exactly as given.
fn get(addr: SocketAddr, path: &str) -> (u16, String, String) {
    request(addr, "GET", path)
}

fn request(addr: SocketAddr, method: &str, path: &str) -> (u16, String, String) {
    let mut bytes = Vec::new();
    send(addr, method, path, "localhost")
        .read_to_end(&mut bytes)
        .unwrap();
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head.split_whitespace().nth(1).unwrap().parse().unwrap();
    (status, head.to_lowercase(), body.to_string())
}

/// The `data:` lines of the event stream, as they arrive.
fn events(addr: SocketAddr) -> Receiver<String> {
    let stream = connect(addr, "/__studybook/events");
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stream).lines().map_while(Result::ok) {
            if let Some(data) = line.strip_prefix("data: ") {
                if tx.send(data.to_string()).is_err() {
                    break;
                }
            }
        }
    });
    rx
}

/// Waits (bounded) for an event that satisfies `want`.
fn wait_for(rx: &Receiver<String>, want: impl Fn(&serde_json::Value) -> bool) -> serde_json::Value {
    let deadline = Instant::now() + WAIT;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let data = rx.recv_timeout(left).expect("the expected event in time");
        let value: serde_json::Value = serde_json::from_str(&data).unwrap();
        if want(&value) {
            return value;
        }
    }
}

/// Waits (bounded) until the page at `path` is served with `marker` in it.
fn wait_until_served(addr: SocketAddr, path: &str, marker: &str) {
    let deadline = Instant::now() + WAIT;
    while !get(addr, path).2.contains(marker) {
        assert!(Instant::now() < deadline, "{path} never showed {marker}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn edit(site: &Site, rel: &str, from: &str, to: &str) {
    let path = site.dir.path().join(rel);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains(from), "{rel} contains {from}");
    std::fs::write(&path, text.replacen(from, to, 1)).unwrap();
}

#[test]
fn serves_the_site_and_reloads_an_edited_page() {
    let site = Site::copy_of("basic");
    let server = start(&site);
    let (status, head, body) = get(server.addr, "/");
    assert_eq!(status, 200);
    assert!(
        head.contains("content-type: text/html; charset=utf-8"),
        "{head}"
    );
    assert!(
        body.contains("/__studybook/live.js"),
        "the live script is injected"
    );
    let (status, head, _) = get(server.addr, "/css/style.css");
    assert_eq!(status, 200);
    assert!(head.contains("content-type: text/css"), "{head}");
    let (status, _, _) = get(server.addr, "/tags");
    assert_eq!(status, 308, "a folder without its slash redirects");
    let (status, _, body) = get(server.addr, "/tags/");
    assert_eq!(status, 200);
    assert!(body.contains("generative-models"));
    let (status, _, body) = get(server.addr, "/no-such-page.html");
    assert_eq!(status, 404);
    assert!(
        body.contains("/__studybook/live.js"),
        "the site's own 404 page"
    );

    let rx = events(server.addr);
    let first = wait_for(&rx, |_| true);
    edit(
        &site,
        "content/gan/wgan.md",
        "## Weight clipping",
        "Freshly edited paragraph.\n\n## Weight clipping",
    );
    let update = wait_for(&rx, |v| v["version"] != first["version"]);
    let changed: Vec<&str> = update["changed"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c.as_str())
        .collect();
    assert!(changed.contains(&"gan/wgan.html"), "{changed:?}");
    assert!(
        !changed.contains(&"gan/gan.html"),
        "an unrelated page is not reloaded: {changed:?}"
    );
    let (_, _, body) = get(server.addr, "/gan/wgan.html");
    assert!(body.contains("Freshly edited paragraph."));
    // The build output is never written: serve keeps the site in memory.
    assert!(!site.dir.path().join("book").exists());
}

#[test]
fn paths_outside_the_site_get_404() {
    let site = Site::copy_of("basic");
    // A file beside the site that a traversal would reach.
    std::fs::write(site.dir.path().join("secret.txt"), "SECRET").unwrap();
    let server = start(&site);
    for path in [
        "/../secret.txt",
        "/../../../../etc/passwd",
        "/%2e%2e/secret.txt",
        "/%2E%2E/%2E%2E/etc/passwd",
        "/gan/..%2f..%2fsecret.txt",
        "/..%5csecret.txt",
        "/gan\\..\\..\\secret.txt",
        "//etc/passwd",
        "/%2fetc%2fpasswd",
        "/index.html%00.txt",
        "/book.toml",
        "/content/gan/wgan.md",
        "/secret.txt",
    ] {
        let (status, _, body) = get(server.addr, path);
        assert!(status == 404 || status == 400, "{path}: {status}");
        assert!(
            !body.contains("SECRET") && !body.contains("root:"),
            "{path}"
        );
    }
    // A page on another site whose DNS name was rebound to 127.0.0.1 gets nothing.
    let mut bytes = Vec::new();
    connect_as(server.addr, "/", "notes.evil.example")
        .read_to_end(&mut bytes)
        .unwrap();
    assert!(String::from_utf8_lossy(&bytes).starts_with("HTTP/1.1 403"));
}

#[test]
fn a_broken_edit_shows_errors_and_keeps_the_last_good_site_until_fixed() {
    let site = Site::copy_of("basic");
    let server = start(&site);
    let rx = events(server.addr);
    wait_for(&rx, |v| v["errors"].as_array().unwrap().is_empty());
    edit(
        &site,
        "content/geometry/iou.md",
        "## Code",
        "Broken [[No Such Topic]] link.\n\n## Code",
    );
    let failed = wait_for(&rx, |v| !v["errors"].as_array().unwrap().is_empty());
    let error = &failed["errors"][0];
    assert_eq!(error["file"], "content/geometry/iou.md");
    assert!(error["line"].as_u64().unwrap() > 0 && error["column"].as_u64().unwrap() > 0);
    assert!(error["message"].as_str().unwrap().contains("No Such Topic"));
    assert_eq!(
        failed["changed"].as_array().unwrap().len(),
        0,
        "no reload on a failed build"
    );
    let (_, _, body) = get(server.addr, "/geometry/iou.html");
    assert!(
        !body.contains("Broken"),
        "the last good page is still served"
    );

    edit(
        &site,
        "content/geometry/iou.md",
        "Broken [[No Such Topic]] link.",
        "Fixed link to [[GAN]].",
    );
    let fixed = wait_for(&rx, |v| v["errors"].as_array().unwrap().is_empty());
    let changed = fixed["changed"].as_array().unwrap();
    assert!(
        changed.iter().any(|c| c == "geometry/iou.html"),
        "{changed:?}"
    );
    let (_, _, body) = get(server.addr, "/geometry/iou.html");
    assert!(body.contains("Fixed link to"));
}

#[test]
fn a_save_by_rename_and_replace_is_seen() {
    let site = Site::copy_of("basic");
    let server = start(&site);
    let rx = events(server.addr);
    let first = wait_for(&rx, |_| true);
    // As vim and many editors save: write a new file beside the page, rename it over the page.
    let page = site.dir.path().join("content/geometry/iou.md");
    let text = std::fs::read_to_string(&page).unwrap();
    let scratch = site.dir.path().join("content/geometry/.iou.md.swp");
    std::fs::write(
        &scratch,
        text.replacen("## Code", "Saved by rename.\n\n## Code", 1),
    )
    .unwrap();
    std::fs::rename(&scratch, &page).unwrap();
    let update = wait_for(&rx, |v| {
        v["version"] != first["version"]
            && v["changed"]
                .as_array()
                .unwrap()
                .iter()
                .any(|c| c == "geometry/iou.html")
    });
    assert!(update["errors"].as_array().unwrap().is_empty());
    let (_, _, body) = get(server.addr, "/geometry/iou.html");
    assert!(body.contains("Saved by rename."));
}

#[test]
fn only_get_and_head_are_answered() {
    let site = Site::copy_of("basic");
    let server = start(&site);
    for method in ["POST", "PUT", "DELETE", "OPTIONS", "TRACE", "PATCH"] {
        for path in [
            "/",
            "/gan/wgan.html",
            "/no-such-page.html",
            "/__studybook/live.js",
            "/__studybook/events",
        ] {
            let (status, head, body) = request(server.addr, method, path);
            assert_eq!(status, 405, "{method} {path}");
            assert!(
                head.contains("\r\nallow: get, head\r\n"),
                "{method} {path}: {head}"
            );
            assert!(!body.contains("<html"), "{method} {path}: no page");
        }
    }
    let (_, _, page) = get(server.addr, "/gan/wgan.html");
    let (status, head, body) = request(server.addr, "HEAD", "/gan/wgan.html");
    assert_eq!(status, 200);
    assert!(
        head.contains(&format!("content-length: {}", page.len())),
        "{head}"
    );
    assert!(body.is_empty(), "HEAD has no body");
}

#[test]
fn the_watcher_follows_a_replaced_content_folder() {
    let site = Site::copy_of("basic");
    let server = start(&site);
    let root = site.root();
    let content = root.join("content");
    let url = "/gan/wgan.html";
    let page = "content/gan/wgan.md";

    // Moved away and back, as some tools do.
    std::fs::rename(&content, root.join("c2")).unwrap();
    std::fs::rename(root.join("c2"), &content).unwrap();
    edit(
        &site,
        page,
        "## Weight clipping",
        "After a move: one.\n\n## Weight clipping",
    );
    wait_until_served(server.addr, url, "After a move: one.");

    // Deleted and made anew.
    let saved = tempfile::tempdir().unwrap();
    common::copy_tree(&content, saved.path());
    std::fs::remove_dir_all(&content).unwrap();
    std::fs::create_dir(&content).unwrap();
    common::copy_tree(saved.path(), &content);
    edit(
        &site,
        page,
        "## Weight clipping",
        "After re-creation: two.\n\n## Weight clipping",
    );
    wait_until_served(server.addr, url, "After re-creation: two.");

    // Swapped for another folder, as a checkout or an editor does.
    let fresh = root.join("content.new");
    std::fs::create_dir(&fresh).unwrap();
    common::copy_tree(&content, &fresh);
    let swapped = fresh.join("gan/wgan.md");
    let text = std::fs::read_to_string(&swapped).unwrap();
    std::fs::write(
        &swapped,
        text.replacen(
            "## Weight clipping",
            "Swapped in: three.\n\n## Weight clipping",
            1,
        ),
    )
    .unwrap();
    std::fs::rename(&content, root.join("content.old")).unwrap();
    std::fs::rename(&fresh, &content).unwrap();
    std::fs::remove_dir_all(root.join("content.old")).unwrap();
    wait_until_served(server.addr, url, "Swapped in: three.");
    edit(
        &site,
        page,
        "## Weight clipping",
        "After the swap: four.\n\n## Weight clipping",
    );
    wait_until_served(server.addr, url, "After the swap: four.");
}
