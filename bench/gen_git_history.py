#!/usr/bin/env python3
"""Give a generated corpus a long git history (stdlib and the git binary only).

    bench/gen_git_history.py --site bench/out/ow --commits 50000

Makes SITE a git work tree whose HEAD holds exactly the files in SITE (so the
work tree is clean), with COMMITS commits written in one `git fast-import`
stream: the first adds every file, each later one edits 1 to 3 files
(runbooks most often, the other pages, alarm and tree files too) and every
200th renames a runbook and back. Each file's last commit writes its final
text; earlier ones write it with a revision line appended, so each commit
really changes what it touches. Authors cycle through 40 names; dates run
from 2021-01-01 to 2026-01-25, one commit every ~45 minutes, all of them
older than every `last_updated:` the corpus writes (2026-01-27 and later),
so the history adds no `last-updated-not-bumped` warning and the build's
diagnostics are those of the corpus. Then `git repack -ad` and a
commit-graph, as a gc'd clone has. Same arguments give the same history
(hashes included).
"""
import argparse, os, random, subprocess, sys

START = 1609459200  # 2021-01-01T00:00:00Z
END = 1769299200    # 2026-01-25T00:00:00Z


def files_of(site):
    out = []
    for dirpath, dirnames, names in os.walk(site):
        dirnames[:] = sorted(d for d in dirnames if d != ".git")
        for n in sorted(names):
            p = os.path.relpath(os.path.join(dirpath, n), site)
            out.append(p.replace(os.sep, "/"))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--site", required=True, help="a generated corpus (bench/gen_corpus.py)")
    ap.add_argument("--commits", type=int, default=50000)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    site = a.site
    if os.path.exists(os.path.join(site, ".git")):
        sys.exit(f"{site} already has a .git: remove it first")
    r = random.Random(a.seed)
    paths = files_of(site)
    text = {}
    for p in paths:
        with open(os.path.join(site, p), "rb") as f:
            text[p] = f.read()
    runbooks = [p for p in paths if p.startswith("content/runbooks/")]
    others = [p for p in paths if not p.startswith("content/runbooks/")]

    # The schedule first: which files each commit touches, so each file's
    # last touch can write its final text.
    plan = [None]  # commit 0 adds everything
    for k in range(1, a.commits):
        if k % 200 == 0:
            moved = r.choice(runbooks)
            plan.append(("rename", moved, moved[:-3] + "-moved.md"))
            continue
        if k % 200 == 1 and k > 200:
            _, old, new = plan[-1]
            plan.append(("rename", new, old))
            continue
        touched = set()
        for _ in range(r.randint(1, 3)):
            touched.add(r.choice(runbooks) if r.random() < 0.85 else r.choice(others))
        plan.append(("edit", sorted(touched)))
    last = {}
    for k, step in enumerate(plan):
        if step and step[0] == "edit":
            for p in step[1]:
                last[p] = k
    authors = [(f"Engineer {i:02d}", f"engineer{i:02d}@example.com") for i in range(40)]
    step_s = (END - START) // a.commits

    os.makedirs(site, exist_ok=True)
    subprocess.run(["git", "init", "-q", "-b", "main", site], check=True)
    fi = subprocess.Popen(["git", "-C", site, "fast-import", "--quiet"], stdin=subprocess.PIPE)
    w = fi.stdin.write

    def blob(data):
        w(b"data %d\n" % len(data))
        w(data)
        w(b"\n")

    def version(p, k):
        return text[p] if last.get(p, 0) == k else text[p] + b"\nRevision note %d.\n" % k

    for k, step in enumerate(plan):
        name, email = authors[k % len(authors)] if k else ("Site Import", "import@example.com")
        when = START + k * step_s
        if step is None:
            subject = "Import the runbooks"
        elif step[0] == "rename":
            subject = f"Rename {step[1].rsplit('/', 1)[-1]} to {step[2].rsplit('/', 1)[-1]}"
        else:
            subject = "Update " + ", ".join(p.rsplit("/", 1)[-1] for p in step[1])
        msg = subject.encode() + b"\n"
        w(b"commit refs/heads/main\n")
        w(b"author %s <%s> %d +0000\n" % (name.encode(), email.encode(), when))
        w(b"committer %s <%s> %d +0000\n" % (name.encode(), email.encode(), when))
        w(b"data %d\n%s" % (len(msg), msg))
        if step is None:
            for p in paths:
                w(b"M 100644 inline %s\n" % p.encode())
                blob(version(p, 0))
        elif step[0] == "rename":
            w(b"R %s %s\n" % (step[1].encode(), step[2].encode()))
        else:
            for p in step[1]:
                w(b"M 100644 inline %s\n" % p.encode())
                blob(version(p, k))
        w(b"\n")
    fi.stdin.close()
    if fi.wait() != 0:
        sys.exit("git fast-import failed")
    subprocess.run(["git", "-C", site, "reset", "-q", "--hard", "main"], check=True)
    subprocess.run(["git", "-C", site, "repack", "-adq"], check=True)
    subprocess.run(["git", "-C", site, "commit-graph", "write", "--reachable"], check=True,
                   stdout=subprocess.DEVNULL)
    status = subprocess.run(["git", "-C", site, "status", "--porcelain"], check=True,
                            capture_output=True, text=True).stdout
    if status.strip():
        sys.exit(f"the work tree differs from HEAD:\n{status[:2000]}")
    print(f"{site}: {a.commits} commits, {len(paths)} files", file=sys.stderr)


if __name__ == "__main__":
    main()
