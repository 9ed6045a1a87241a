//! The HTTP side of `serve`: files from the in-memory snapshot, the live-reload script and the
//! event stream. Request paths are looked up in a map, never joined to a file-system path.

use std::convert::Infallible;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode, Uri};
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
        .with_state(snapshots);
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
    let stream = WatchStream::new(rx)
        .map(|snap| Ok::<_, Infallible>(Event::default().event("update").data(snap.event_json())));
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
        Body::from(inject(&bytes, path, snap.version))
    } else {
        Body::from(bytes)
    };
    (status, [(header::CONTENT_TYPE, content_type)], body).into_response()
}

/// Adds the live-reload script before `</body>`: only the served copy, never the site in memory.
fn inject(html: &[u8], page: &str, version: u64) -> Vec<u8> {
    let tag = format!(
        "<script src=\"{SCRIPT_PATH}\" data-page=\"{}\" data-version=\"{version}\"></script>",
        crate::html::escape(page)
    );
    let text = String::from_utf8_lossy(html);
    match text.rfind("</body>") {
        Some(at) => format!("{}{tag}{}", &text[..at], &text[at..]).into_bytes(),
        None => format!("{text}{tag}").into_bytes(),
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

    #[test]
    fn injects_before_the_closing_body() {
        let out = inject(b"<body><p>x</p></body></html>", "a.html", 3);
        let out = String::from_utf8(out).unwrap();
        assert!(
            out.ends_with("data-version=\"3\"></script></body></html>"),
            "{out}"
        );
    }
}
