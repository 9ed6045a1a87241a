//! The HTTP side of `serve`: files from the in-memory snapshot, the live-reload script and the
//! event stream. Request paths are looked up in a map, never joined to a file-system path.

use std::collections::VecDeque;
use std::convert::Infallible;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{header, HeaderValue, Method, StatusCode, Uri};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use tokio::sync::watch;
use tokio_stream::wrappers::WatchStream;
use tokio_stream::StreamExt as _;
use tower_http::set_header::SetResponseHeaderLayer;

use super::Snapshot;

const LIVE_JS: &str = include_str!("live.js");
pub const EVENTS_PATH: &str = "/__studybook/events";
const SCRIPT_PATH: &str = "/__studybook/live.js";

/// `loopback_only`: the server listens on loopback, so only loopback host names are answered
/// (a web page cannot then reach the notes through a DNS name rebound to 127.0.0.1).
pub fn router(snapshots: watch::Receiver<Arc<Snapshot>>, loopback_only: bool) -> Router {
    let router = Router::new()
        .route(SCRIPT_PATH, get(script))
        .route(EVENTS_PATH, get(events))
        .fallback(file)
        .with_state(snapshots)
        .layer(axum::middleware::from_fn(read_only));
    let router = if loopback_only {
        router.layer(axum::middleware::from_fn(check_host))
    } else {
        router
    };
    router.layer(SetResponseHeaderLayer::overriding(
        header::CACHE_CONTROL,
        HeaderValue::from_static("no-store"),
    ))
}

async fn check_host(request: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let host = request
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("");
    if is_loopback_host(host) {
        next.run(request).await
    } else {
        (
            StatusCode::FORBIDDEN,
            "studybook serve answers loopback host names only",
        )
            .into_response()
    }
}

/// The server only hands out the site: any method but GET and HEAD gets 405, so a form or a
/// script elsewhere cannot pass a POST off as a page view.
async fn read_only(request: axum::extract::Request, next: axum::middleware::Next) -> Response {
    if request.method() == Method::GET || request.method() == Method::HEAD {
        next.run(request).await
    } else {
        (
            StatusCode::METHOD_NOT_ALLOWED,
            [(header::ALLOW, "GET, HEAD")],
            "studybook serve answers GET and HEAD only",
        )
            .into_response()
    }
}

/// `localhost`, `*.localhost`, `127.x.x.x` or `[::1]`, with or without a port.
fn is_loopback_host(host: &str) -> bool {
    let name = if let Some(rest) = host.strip_prefix('[') {
        rest.split(']').next().unwrap_or("")
    } else {
        host.rsplit_once(':').map_or(host, |(n, _)| n)
    };
    let name = name.to_ascii_lowercase();
    name == "localhost"
        || name.ends_with(".localhost")
        || name
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

async fn script() -> Response {
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
        LIVE_JS,
    )
        .into_response()
}

async fn events(State(rx): State<watch::Receiver<Arc<Snapshot>>>) -> impl IntoResponse {
    let mut seen = None;
    let stream = WatchStream::new(rx).map(move |snap| {
        let data = snap.event_json(seen);
        seen = Some(snap.version);
        Ok::<_, Infallible>(Event::default().event("update").data(data))
    });
    Sse::new(stream).keep_alive(KeepAlive::default())
}

async fn file(State(rx): State<watch::Receiver<Arc<Snapshot>>>, uri: Uri) -> Response {
    let snap = rx.borrow().clone();
    let Some(path) = site_path(uri.path()) else {
        return not_found(&snap);
    };
    let lookup = if path.is_empty() || path.ends_with('/') {
        format!("{path}index.html")
    } else {
        path.clone()
    };
    if snap.files.contains_key(&lookup) {
        return send(&snap, &lookup, StatusCode::OK);
    }
    if snap.files.contains_key(&format!("{path}/index.html")) {
        // A folder without its slash: redirect so the page's relative links resolve.
        let location = format!("{}/", uri.path());
        return (
            StatusCode::PERMANENT_REDIRECT,
            [(header::LOCATION, location)],
        )
            .into_response();
    }
    not_found(&snap)
}

fn not_found(snap: &Snapshot) -> Response {
    if snap.files.contains_key("404.html") {
        send(snap, "404.html", StatusCode::NOT_FOUND)
    } else {
        (StatusCode::NOT_FOUND, "not found").into_response()
    }
}

fn send(snap: &Snapshot, path: &str, status: StatusCode) -> Response {
    let bytes = snap.files[path].clone();
    let mime = mime_guess::from_path(path).first_or_octet_stream();
    let content_type = if mime.type_() == "text" || mime.subtype() == "javascript" {
        format!("{mime}; charset=utf-8")
    } else {
        mime.to_string()
    };
    let body = if path.ends_with(".html") {
        Body::new(inject(bytes, path, snap.version))
    } else {
        Body::from(bytes)
    };
    (status, [(header::CONTENT_TYPE, content_type)], body).into_response()
}

/// Adds the live-reload script before `</body>`: only the served copy, never the site in memory.
/// The page's bytes are not copied: the body is the part before `</body>`, the script tag and the
/// rest, the two parts being slices of the snapshot's shared buffer (a print page of a large site
/// is tens of MB, and any number of requests may be in flight).
fn inject(html: Bytes, page: &str, version: u64) -> Chunks {
    let tag = Bytes::from(format!(
        "<script src=\"{SCRIPT_PATH}\" data-page=\"{}\" data-version=\"{version}\"></script>",
        crate::html::escape(page)
    ));
    let at = rfind(&html, b"</body>").unwrap_or(html.len());
    Chunks::new([html.slice(..at), tag, html.slice(at..)])
}

/// The last occurrence of `needle`, searched from the end (`</body>` is near it).
fn rfind(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).rposition(|w| w == needle)
}

/// A response body made of shared buffers, sent one after the other. Its exact length is known,
/// so the response carries a Content-Length (also for HEAD).
pub struct Chunks {
    parts: VecDeque<Bytes>,
    left: u64,
}

impl Chunks {
    fn new(parts: impl IntoIterator<Item = Bytes>) -> Chunks {
        let parts: VecDeque<Bytes> = parts.into_iter().filter(|b| !b.is_empty()).collect();
        let left = parts.iter().map(|b| b.len() as u64).sum();
        Chunks { parts, left }
    }
}

impl http_body::Body for Chunks {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        _: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Bytes>, Infallible>>> {
        let next = self.parts.pop_front();
        if let Some(part) = &next {
            self.left -= part.len() as u64;
        }
        Poll::Ready(next.map(|part| Ok(http_body::Frame::data(part))))
    }

    fn is_end_stream(&self) -> bool {
        self.parts.is_empty()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        http_body::SizeHint::with_exact(self.left)
    }
}

/// The site-relative path of a request, or None for anything that could name a file outside the
/// site: `..` and `.` segments (also percent-encoded), backslashes, NUL, `//` and drive letters.
pub fn site_path(raw: &str) -> Option<String> {
    let decoded = percent_encoding::percent_decode_str(raw)
        .decode_utf8()
        .ok()?;
    let rest = decoded.strip_prefix('/')?;
    if rest.starts_with('/') || rest.contains(['\\', '\0', ':']) {
        return None;
    }
    let segments: Vec<&str> = rest.split('/').collect();
    for (i, seg) in segments.iter().enumerate() {
        if *seg == ".." || *seg == "." || (seg.is_empty() && i + 1 != segments.len()) {
            return None;
        }
    }
    Some(rest.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn site_paths_stay_inside_the_site() {
        assert_eq!(site_path("/").as_deref(), Some(""));
        assert_eq!(
            site_path("/gan/wgan.html").as_deref(),
            Some("gan/wgan.html")
        );
        assert_eq!(site_path("/tags/").as_deref(), Some("tags/"));
        assert_eq!(site_path("/%E6%95%B0.html").as_deref(), Some("数.html"));
        for bad in [
            "/../etc/passwd",
            "/%2e%2e/etc/passwd",
            "/%2E%2E%2Fetc%2Fpasswd",
            "/gan/..%5c..%5cwin.ini",
            "/a\\b",
            "//etc/passwd",
            "/%2fetc/passwd",
            "/a%00.html",
            "/C:/Windows/win.ini",
            "/./index.html",
            "/a//b",
            "/%ff",
        ] {
            assert_eq!(site_path(bad), None, "{bad}");
        }
    }

    #[test]
    fn only_loopback_host_names_pass() {
        for ok in [
            "localhost",
            "localhost:3000",
            "127.0.0.1:3000",
            "[::1]:3000",
            "notes.localhost",
        ] {
            assert!(is_loopback_host(ok), "{ok}");
        }
        for bad in [
            "evil.example",
            "evil.example:3000",
            "127.0.0.1.evil.example",
            "",
            "10.0.0.2:3000",
        ] {
            assert!(!is_loopback_host(bad), "{bad}");
        }
    }

    /// The chunks of a served page, in order.
    fn parts(body: Chunks) -> Vec<Bytes> {
        body.parts.into_iter().collect()
    }

    #[test]
    fn injects_before_the_closing_body() {
        let html = Bytes::from_static(b"<body><p>x</p></body></html>");
        let out: Vec<u8> = parts(inject(html, "a.html", 3)).concat();
        let out = String::from_utf8(out).unwrap();
        assert!(
            out.ends_with("data-version=\"3\"></script></body></html>"),
            "{out}"
        );
        let bare = parts(inject(Bytes::from_static(b"<p>no body</p>"), "b.html", 1)).concat();
        assert!(String::from_utf8(bare)
            .unwrap()
            .starts_with("<p>no body</p><script"));
    }

    #[test]
    fn a_served_page_shares_the_snapshot_buffer() {
        let html =
            Bytes::from(format!("<body>{}</body></html>", "数".repeat(100_000)).into_bytes());
        let body = inject(html.clone(), "print.html", 7);
        let length = http_body::Body::size_hint(&body).exact();
        let parts = parts(body);
        assert_eq!(
            length,
            Some(parts.iter().map(|p| p.len() as u64).sum()),
            "the length is known up front"
        );
        let (before, after) = (&parts[0], &parts[2]);
        assert_eq!(before.as_ptr(), html.as_ptr(), "no copy of the page");
        assert_eq!(after.as_ptr(), html[html.len() - 14..].as_ptr());
        assert_eq!(after.as_ref(), b"</body></html>");
    }
}
