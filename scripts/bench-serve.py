#!/usr/bin/env python3
"""Live-reload latency of `studybook serve`: from the file write until the reload event has
arrived and the new HTML is served. 20 body edits and 20 title edits; the full in-memory build at
start-up is the baseline measured in the same run.
The incremental path defers site-wide outputs (index, tags, print, study pages, search index)
until edits pause for 300 ms; edits here follow each other faster than that, as when typing.
Then load and memory: a burst of saves (how many updates, and how long after the last save the
site-wide pages arrive), the server's resident memory (RSS, Linux /proc) under 50 parallel
`GET /print.html`, and after 1,000 edits (`--edits=N`) that each change a formula. `--load` runs
only that part. The server's RSS once the site is served is printed first.
  scripts/bench-serve.py BIN SITE [--load] [--edits=N]"""
import json, re, socket, statistics, subprocess, sys, threading, time, queue, pathlib

bin_, root = sys.argv[1], pathlib.Path(sys.argv[2])
load_only = "--load" in sys.argv[3:]
edits = next((int(a.split("=", 1)[1]) for a in sys.argv[3:] if a.startswith("--edits=")), 1000)
proc = subprocess.Popen([bin_, "serve", str(root), "--port", "0", "-q"], stdout=subprocess.PIPE,
                        stderr=subprocess.DEVNULL, text=True)
try:
    line = proc.stdout.readline()
    addr = re.search(r"http://([\d.]+):(\d+)/", line)
    host, port = addr.group(1), int(addr.group(2))

    def get(path):
        s = socket.create_connection((host, port), timeout=30)
        s.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode())
        chunks = []
        while chunk := s.recv(1 << 16):
            chunks.append(chunk)
        return b"".join(chunks).decode("utf-8", "replace")

    events = queue.Queue()
    def listen():
        s = socket.create_connection((host, port), timeout=None)
        s.sendall(b"GET /__studybook/events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        for raw in s.makefile("r", encoding="utf-8"):
            if raw.startswith("data: "):
                events.put((time.monotonic(), json.loads(raw[6:])))
    threading.Thread(target=listen, daemon=True).start()
    events.get(timeout=30)

    pages = sorted((root / "content").rglob("*.md"))
    pages = [p for p in pages if p.name != "_index.md"]

    def latency():
        """Edit latency against the full build, and the served site against a full build."""
        # Baseline: a full in-memory rebuild (book.toml rewritten), warm render cache, median of 3.
        def full_rebuild():
            config = root / "book.toml"
            last = None
            while not events.empty():
                last = events.get()[1]
            start = time.monotonic()
            config.write_text(config.read_text())
            while True:
                at, ev = events.get(timeout=120)
                if last is None or ev["version"] != last["version"]:
                    return (at - start) * 1000
        time.sleep(1)
        full_ms = statistics.median(full_rebuild() for _ in range(3))
        time.sleep(1)
        while not events.empty():
            events.get()

        def measure(kind, i):
            page = pages[(i * 37) % len(pages)]
            url = str(page.relative_to(root / "content").with_suffix(".html"))
            text = page.read_text()
            marker = f"bench{kind}{i}x"
            if kind == "body":
                new = text.rstrip("\n") + f"\n\nEdited paragraph {marker}.\n"
            else:
                m = re.search(r'^title: "?(.*?)"?$', text, re.M)
                new = text.replace(m.group(0), f'title: "{m.group(1)} {marker}"', 1)
            start = time.monotonic()
            page.write_text(new)
            while True:
                at, ev = events.get(timeout=60)
                if url in ev["changed"] or ev["errors"]:
                    break
            html = get("/" + url)
            done = time.monotonic()
            assert marker in html, f"{url} does not show the edit"
            page.write_text(text)  # restore, and let that rebuild settle before the next edit
            while url not in events.get(timeout=60)[1]["changed"]:
                pass
            return (done - start) * 1000, (at - start) * 1000

        def report(kind):
            runs = [measure(kind, i) for i in range(20)]
            total = sorted(r[0] for r in runs)
            event = sorted(r[1] for r in runs)
            p = lambda xs, q: xs[min(len(xs) - 1, int(round(q * (len(xs) - 1))))]
            print(f"{kind:5} edit: write→HTML served p50 {p(total, .5):7.1f} ms  p95 {p(total, .95):7.1f} ms"
                  f"  (reload event p50 {p(event, .5):.1f} ms)  = {full_ms / p(total, .5):.0f}x faster than the full build")
        print(f"pages: {len(pages)}; full in-memory rebuild, warm cache (baseline): p50 {full_ms:.0f} ms")
        report("body")
        report("title")

        # Equal to a full build: keep one title edit, let the site-wide pages follow, compare every file.
        page = pages[3]
        text = page.read_text()
        m = re.search(r'^title: "?(.*?)"?$', text, re.M)
        page.write_text(text.replace(m.group(0), f'title: "{m.group(1)} verified"', 1))
        while "index.html" not in events.get(timeout=60)[1]["changed"]:
            pass
        out = root.parent / (root.name + "-verify")
        subprocess.run([bin_, "build", str(root), "--dest", str(out), "-q"], check=True)
        inject = re.compile(rb'<script src="/__studybook/live\.js"[^>]*></script>')
        # The build's own bookkeeping (.studybook-manifest) is not part of the site.
        files = [f for f in out.rglob("*") if f.is_file() and not f.name.startswith(".studybook")]
        differ = []
        for f in files:
            rel = f.relative_to(out).as_posix()
            s = socket.create_connection((host, port), timeout=30)
            s.sendall(f"GET /{rel} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode())
            data = b"".join(iter(lambda: s.recv(1 << 16), b""))
            served = inject.sub(b"", data.split(b"\r\n\r\n", 1)[1])
            if served != f.read_bytes():
                differ.append(rel)
        page.write_text(text)
        print(f"after the edits: {len(files) - len(differ)} of {len(files)} served files equal a full build"
              + (f"; differ: {differ[:5]}" if differ else ""))

    def rss_mb(field="VmRSS"):
        for line in open(f"/proc/{proc.pid}/status"):
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
        return float("nan")

    print(f"serving {len(pages)} pages: RSS {rss_mb():.0f} MB")
    if not load_only:
        latency()

    def reset_peak():
        # Writing 5 to clear_refs resets VmHWM, the peak RSS (Linux 4.0+).
        with open(f"/proc/{proc.pid}/clear_refs", "w") as f:
            f.write("5")

    def drain_events():
        last = None
        while not events.empty():
            last = events.get()[1]
        return last

    def settle():
        """Waits until no event has come for 1 s (the site-wide pages included)."""
        while True:
            try:
                events.get(timeout=1)
            except queue.Empty:
                return

    # A burst of saves: 300 body edits of one page 3 ms apart, as an editor's autosave or a
    # formatter might. Counts the updates published and the delay from the last save to the
    # print page (a site-wide page) showing it.
    settle()
    drain_events()
    page = pages[7]
    text = page.read_text()
    saves = 300
    for i in range(saves):
        page.write_text(text.rstrip("\n") + f"\n\nBurst save {i}.\n")
        time.sleep(0.003)
    last_save = time.monotonic()
    final = f"Burst save {saves - 1}."
    versions = set()
    while True:
        at, ev = events.get(timeout=120)
        versions.add(ev["version"])
        # The page's print view: print.html while the whole book fits one view, else its category's.
        views = [c for c in ev["changed"] if c.startswith("print")]
        if at > last_save and any(final in get("/" + v) for v in views):
            break
    print(f"burst of {saves} saves 3 ms apart: {len(versions)} updates; the site-wide pages show "
          f"the last save {(at - last_save) * 1000:.0f} ms after it")
    page.write_text(text)
    settle()

    # 50 parallel GETs of the largest print view, each client reading slowly, as many open tabs
    # would.
    views = set(re.findall(r'href="(print[^"]*\.html)"', get("/print.html"))) | {"print.html"}
    biggest = max(views, key=lambda v: len(get("/" + v)))
    size = len(get("/" + biggest))
    idle = rss_mb()
    reset_peak()
    def slow_reader():
        s = socket.create_connection((host, port), timeout=60)
        s.sendall(f"GET /{biggest} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode())
        got = 0
        while chunk := s.recv(1 << 16):
            got += len(chunk)
            time.sleep(0.001)
        s.close()
    readers = [threading.Thread(target=slow_reader) for _ in range(50)]
    for t in readers:
        t.start()
    for t in readers:
        t.join()
    print(f"50 parallel GET /{biggest} ({size / 1e6:.1f} MB each): RSS {idle:.0f} MB before, "
          f"peak {rss_mb('VmHWM'):.0f} MB during, {rss_mb():.0f} MB after")

    # 1,000 edits, each changing a formula (a new entry for the render cache) and waiting for the
    # reload; the site-wide pages follow after the last one.
    start_rss = rss_mb()
    samples = []
    for i in range(edits):
        page = pages[(i * 37) % len(pages)]
        url = str(page.relative_to(root / "content").with_suffix(".html"))
        original = page.read_text()
        page.write_text(original.rstrip("\n") + f"\n\nEdit {i}: $x^{{{i}}} + y_{{{i}}}$.\n")
        while url not in events.get(timeout=60)[1]["changed"]:
            pass
        page.write_text(original)
        while url not in events.get(timeout=60)[1]["changed"]:
            pass
        if (i + 1) % max(edits // 4, 1) == 0:
            samples.append(f"{rss_mb():.0f}")
    settle()
    print(f"RSS over {edits} formula edits (each saved and undone): {start_rss:.0f} MB at start, "
          f"{' / '.join(samples)} MB after every {max(edits // 4, 1)}, {rss_mb():.0f} MB once idle")
finally:
    proc.terminate()
    proc.wait(timeout=10)
