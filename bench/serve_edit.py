#!/usr/bin/env python3
"""Time from saving a runbook to `opswiki serve` serving the new page.

Usage: serve_edit.py URL FILE URL_PATH EDITS

Each edit adds a marker line to the file's Impact section, saved as editors
do (a temporary file renamed over the original); the clock starts just before
the rename and stops when GET URL_PATH returns a page holding the marker.
Between edits it waits for the server to settle (the generated files of a
large site are rendered when the author pauses), so each edit starts idle.
Prints one line per edit and a summary line `save-to-served ms: min median max`.
"""
import json, os, statistics, sys, time, urllib.request

url, path, url_path, edits = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
base = url.rstrip("/")

def get(p):
    with urllib.request.urlopen(base + p, timeout=30) as r:
        return r.read().decode("utf-8", "replace")

def status():
    return json.loads(get("/__opswiki/status"))

def settle(timeout=300):
    """Wait until the version has not moved for 1.5 s (generated files done)."""
    end = time.time() + timeout
    last, since = status()["version"], time.time()
    while time.time() < end:
        time.sleep(0.1)
        v = status()["version"]
        if v != last:
            last, since = v, time.time()
        elif time.time() - since > 1.5:
            return
    raise SystemExit("the server did not settle")

original = open(path, encoding="utf-8").read()
times = []
try:
    settle()
    for i in range(edits):
        marker = f"BENCH-EDIT-{os.getpid()}-{i}"
        text = original.replace("## Impact\n", f"## Impact\n\n{marker}\n", 1)
        assert marker in text, "no Impact section"
        temp = os.path.join(os.path.dirname(path), "." + os.path.basename(path) + ".tmp")
        with open(temp, "w", encoding="utf-8") as f:
            f.write(text)
        start = time.perf_counter()
        os.replace(temp, path)
        while marker not in get(url_path):
            if time.perf_counter() - start > 60:
                raise SystemExit(f"edit {i}: not served after 60 s")
            time.sleep(0.002)
        ms = (time.perf_counter() - start) * 1000
        times.append(ms)
        last = status()["last"]
        print(f"edit {i + 1}: served after {ms:.0f} ms (rebuild: {last['pages']} of "
              f"{last['pages_total']} pages re-rendered, {last['written']} files written, "
              f"{last['millis']} ms)", flush=True)
        settle()
finally:
    with open(path, "w", encoding="utf-8") as f:
        f.write(original)
print(f"save-to-served ms: {min(times):.0f} {statistics.median(times):.0f} {max(times):.0f}")
