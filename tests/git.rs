//! Git-aware pages: real repositories made with the `git` binary (fixed
//! dates and authors), built with opswiki, and each page's date, author,
//! owner and links read back from the HTML.

mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::{Runbook, TODAY, assert_no_diag, build_into, check_json_at, git_at, with_code};

/// A git repository in a temporary folder.
struct Repo {
    dir: tempfile::TempDir,
}

impl Repo {
    fn new() -> Repo {
        let dir = tempfile::Builder::new()
            .prefix("opswiki-git-")
            .tempdir()
            .unwrap();
        let repo = Repo { dir };
        repo.git(
            &["init", "-q", "-b", "main"],
            "2026-01-01T00:00:00Z",
            "Nobody",
        );
        repo
    }

    fn root(&self) -> PathBuf {
        self.dir.path().canonicalize().unwrap()
    }

    fn write(&self, rel: &str, text: &str) -> &Repo {
        let path = self.root().join(rel);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
        self
    }

    /// Run git in the repository as `author` at `date` (ISO 8601).
    fn git(&self, args: &[&str], date: &str, author: &str) -> String {
        git_at(&self.root(), args, date, author)
    }

    /// Stage everything and commit it.
    fn commit(&self, subject: &str, date: &str, author: &str) {
        self.git(&["add", "-A"], date, author);
        self.git(&["commit", "-q", "-m", subject], date, author);
    }

    fn head(&self) -> String {
        self.git(&["rev-parse", "HEAD"], "2026-01-01T00:00:00Z", "x")
            .trim()
            .to_string()
    }
}

/// A runbook with neither `owner` nor `last_updated`: the repository knows both.
fn bare_runbook(title: &str, note: &str) -> String {
    Runbook::new(title)
        .without_field("owner")
        .without_field("last_updated")
        .section("Symptom", note)
        .render()
}

fn build(root: &Path) -> (PathBuf, common::Output) {
    let out = root.parent().unwrap().join(format!(
        "{}-out",
        root.file_name().unwrap().to_string_lossy()
    ));
    let run = build_into(root, &out, TODAY, &["--format", "json"]);
    (out, run)
}

fn page(out: &Path, id: &str) -> String {
    fs::read_to_string(out.join(id).join("index.html")).unwrap_or_else(|e| panic!("{id}: {e}"))
}

/// The text of the `<div class="NAME">` fact of a runbook page.
fn fact<'a>(html: &'a str, class: &str) -> &'a str {
    let start = html
        .find(&format!("<div class=\"{class}\">"))
        .unwrap_or_else(|| panic!("no {class} fact in:\n{html}"));
    let rest = &html[start..];
    &rest[..rest.find("</div>").unwrap()]
}

fn footer(html: &str) -> &str {
    let start = html.find("<footer").expect("a footer");
    &html[start..html[start..].find("</footer>").unwrap() + start]
}

/// The repository most tests read: a site in `wiki/`, CODEOWNERS with
/// overlapping rules, a rename, a side branch merged, and a history over
/// several months.
fn history_repo() -> Repo {
    let repo = Repo::new();
    repo.write(
        "wiki/opswiki.yaml",
        "title: Git Wiki\nrepo_url: https://github.com/acme/runbooks\nrepo_branch: trunk\n",
    )
    .write(
        ".github/CODEOWNERS",
        "# Everything, then narrower rules; the last match wins.\n\
         * @acme/everyone\n\
         /wiki/content/runbooks/ @acme/sre\n\
         /wiki/content/runbooks/db/ @acme/dba alice@example.com\n\
         *.txt @acme/text\n",
    )
    .write("wiki/content/index.md", "# Home\n\nWelcome.\n")
    .write(
        "wiki/content/runbooks/api.md",
        &bare_runbook("API Down", "v1"),
    )
    .write(
        "wiki/content/runbooks/old-name.md",
        &bare_runbook("Renamed", "r1"),
    )
    .write(
        "wiki/content/runbooks/db/replica.md",
        &bare_runbook("Replica Lag", "d1"),
    )
    .write(
        "wiki/content/runbooks/dated.md",
        &Runbook::new("Dated")
            .field("last_updated", "2026-02-01")
            .section("Symptom", "x1")
            .render(),
    )
    .write(
        "wiki/content/runbooks/bumped.md",
        &Runbook::new("Bumped")
            .field("last_updated", "2026-01-10")
            .section("Symptom", "b1")
            .render(),
    )
    .write(
        "wiki/content/runbooks/draft.md",
        &bare_runbook("Draft", "w1"),
    );
    repo.commit(
        "Import the runbooks",
        "2026-01-10T09:00:00Z",
        "Alice Import",
    );

    repo.write(
        "wiki/content/runbooks/api.md",
        &bare_runbook("API Down", "v2"),
    );
    repo.write(
        "wiki/content/runbooks/dated.md",
        &Runbook::new("Dated")
            .field("last_updated", "2026-02-01")
            .section("Symptom", "x2")
            .render(),
    );
    // Only the front matter changes: the body is as it was.
    repo.write(
        "wiki/content/runbooks/bumped.md",
        &Runbook::new("Bumped")
            .field("last_updated", "2026-01-10")
            .field("owner", "team-bumped")
            .section("Symptom", "b1")
            .render(),
    );
    repo.commit(
        "Explain the API outage better",
        "2026-03-05T10:00:00+02:00",
        "Bob Writer",
    );

    repo.git(
        &[
            "mv",
            "wiki/content/runbooks/old-name.md",
            "wiki/content/runbooks/new-name.md",
        ],
        "2026-04-01T08:00:00Z",
        "Carol Mover",
    );
    repo.commit(
        "Rename old-name to new-name",
        "2026-04-01T08:00:00Z",
        "Carol Mover",
    );

    // A side branch changes the replica runbook; main changes the API one.
    repo.git(
        &["checkout", "-q", "-b", "feature"],
        "2026-05-01T00:00:00Z",
        "Dave Branch",
    );
    repo.write(
        "wiki/content/runbooks/db/replica.md",
        &bare_runbook("Replica Lag", "d2"),
    );
    repo.commit(
        "Replica lag: new dashboards",
        "2026-05-01T12:00:00Z",
        "Dave Branch",
    );
    repo.git(
        &["checkout", "-q", "main"],
        "2026-05-02T00:00:00Z",
        "Erin Main",
    );
    repo.write(
        "wiki/content/runbooks/api.md",
        &bare_runbook("API Down", "v3"),
    );
    repo.commit(
        "API: <b>escape</b> & check",
        "2026-05-02T12:00:00Z",
        "Erin Main",
    );
    repo.git(
        &["merge", "-q", "--no-ff", "-m", "Merge feature", "feature"],
        "2026-06-01T12:00:00Z",
        "Frank Merger",
    );
    // Not committed: an edit and a new page.
    repo.write(
        "wiki/content/runbooks/draft.md",
        &bare_runbook("Draft", "w2 (editing)"),
    );
    repo.write(
        "wiki/content/runbooks/untracked.md",
        &bare_runbook("Untracked", "u1"),
    );
    repo
}

#[test]
fn pages_take_dates_authors_owners_and_links_from_the_repository() {
    let repo = history_repo();
    let root = repo.root().join("wiki");
    // An alarm (not committed: alarm files have no dates) so the coverage
    // page is written too.
    fs::create_dir_all(root.join("content/alarms")).unwrap();
    fs::write(
        root.join("content/alarms/api.yaml"),
        "- name: api-down\n  description: API down\n  severity: P1\n  runbook: runbooks/api\n",
    )
    .unwrap();
    let (out, run) = build(&root);
    assert_eq!(run.code, 0, "{run}");

    // The last change on main, by its author, in the author's time zone.
    let api = page(&out, "runbooks/api");
    assert!(fact(&api, "last-updated").contains("(from git)"), "{api}");
    assert!(fact(&api, "last-updated").contains("2026-05-02"), "{api}");
    let foot = footer(&api);
    assert!(foot.contains("Erin Main"), "{foot}");
    assert!(
        foot.contains("API: &lt;b&gt;escape&lt;&#x2F;b&gt; &amp; check")
            || foot.contains("API: &lt;b&gt;escape&lt;/b&gt; &amp; check"),
        "the subject is escaped: {foot}"
    );
    assert!(!foot.contains("<b>escape"), "{foot}");
    // Owner from the narrower CODEOWNERS rule, named as such.
    assert!(
        fact(&api, "owner").contains("Owner (from CODEOWNERS)"),
        "{api}"
    );
    assert!(fact(&api, "owner").contains("@acme/sre"), "{api}");
    assert!(!fact(&api, "owner").contains("@acme/everyone"), "{api}");
    // Edit and History on the forge, with the path from the repository's top.
    assert!(
        api.contains(
            "href=\"https://github.com/acme/runbooks/edit/trunk/wiki/content/runbooks/api.md\""
        ),
        "{api}"
    );
    assert!(
        api.contains(
            "href=\"https://github.com/acme/runbooks/commits/trunk/wiki/content/runbooks/api.md\""
        ),
        "{api}"
    );
    assert!(
        foot.contains("https://github.com/acme/runbooks/commit/"),
        "{foot}"
    );

    // Bob's commit was at 10:00 +02:00 on 2026-03-05: his date is that day.
    // The merge is not the replica runbook's change: Dave's commit is.
    let replica = page(&out, "runbooks/db/replica");
    assert!(
        fact(&replica, "last-updated").contains("2026-05-01"),
        "{replica}"
    );
    assert!(footer(&replica).contains("Dave Branch"), "{replica}");
    assert!(!footer(&replica).contains("Frank Merger"), "{replica}");
    assert!(
        fact(&replica, "owner").contains("@acme/dba, alice@example.com"),
        "{replica}"
    );

    // A page only renamed last changed before the rename, at its old path.
    let renamed = page(&out, "runbooks/new-name");
    assert!(
        fact(&renamed, "last-updated").contains("2026-01-10"),
        "{renamed}"
    );
    assert!(footer(&renamed).contains("Alice Import"), "{renamed}");
    assert!(!footer(&renamed).contains("Carol Mover"), "{renamed}");

    // Edited or new in the work tree: today, not committed yet.
    for id in ["runbooks/draft", "runbooks/untracked"] {
        let html = page(&out, id);
        assert!(
            fact(&html, "last-updated").contains("(not committed yet)"),
            "{html}"
        );
        assert!(fact(&html, "last-updated").contains(TODAY), "{html}");
        assert!(footer(&html).contains("not committed yet"), "{html}");
    }

    // The front matter's date stays when it is the later one; git's shows
    // when it is later, with what the page says beside it.
    let bumped = page(&out, "runbooks/bumped");
    assert!(
        fact(&bumped, "last-updated").contains("2026-03-05"),
        "{bumped}"
    );
    assert!(
        fact(&bumped, "last-updated").contains("the page says"),
        "{bumped}"
    );
    assert!(fact(&bumped, "owner").contains("team-bumped"), "{bumped}");
    assert!(
        !fact(&bumped, "owner").contains("CODEOWNERS"),
        "written owners win: {bumped}"
    );

    // The runbook index: changed this week (the work tree's pages, today)
    // and least recently changed, oldest first, by the later date.
    let index = fs::read_to_string(out.join("runbooks/index.html")).unwrap();
    let section = |class: &str| {
        let start = index.find(&format!("<section class=\"{class}\"")).unwrap();
        index[start..start + index[start..].find("</section>").unwrap()].to_string()
    };
    let week = section("changed-week");
    assert!(
        week.contains("Draft") && week.contains("Untracked"),
        "{week}"
    );
    assert!(!week.contains("API Down"), "{week}");
    let oldest = section("least-recent");
    let at = |t: &str| oldest.find(t).unwrap_or_else(|| panic!("{t} in {oldest}"));
    assert!(
        at("Renamed") < at("Bumped") && at("Bumped") < at("Dated"),
        "{oldest}"
    );
    assert!(
        at("Dated") < at("Replica Lag") && at("Replica Lag") < at("API Down"),
        "{oldest}"
    );
    // The coverage and status pages show the same two views.
    for other in ["coverage/index.html", "status/index.html"] {
        let html = fs::read_to_string(out.join(other)).unwrap();
        let start = html
            .find("<section class=\"least-recent\"")
            .unwrap_or_else(|| panic!("no least-recent view on {other}"));
        let view = &html[start..start + html[start..].find("</section>").unwrap()];
        assert!(
            view.find("Bumped") < view.find("API Down") && view.contains("Renamed"),
            "{other}: {view}"
        );
        assert!(html.contains("<section class=\"changed-week\""), "{other}");
    }

    // A page that is not a runbook still has its last change in the footer.
    let home = fs::read_to_string(out.join("index.html")).unwrap();
    assert!(footer(&home).contains("Alice Import"), "{home}");
    assert!(footer(&home).contains("2026-01-10"), "{home}");
}

#[test]
fn staleness_and_unbumped_dates_come_from_the_history() {
    let repo = history_repo();
    let root = repo.root().join("wiki");
    let diags = check_json_at(&root, TODAY);
    // Stale from git: api.md last changed 2026-05-02, 208 days before TODAY.
    let stale: Vec<_> = with_code(&diags, "runbook-stale")
        .into_iter()
        .filter(|d| d["file"] == "content/runbooks/api.md")
        .collect();
    assert_eq!(stale.len(), 1, "{}", common::show(&diags));
    let message = stale[0]["message"].as_str().unwrap();
    assert!(message.contains("last changed in git"), "{message}");
    assert!(message.contains("Erin Main"), "{message}");
    assert!(message.contains("208 days"), "{message}");
    // Not stale: changed in the work tree today.
    assert!(
        !with_code(&diags, "runbook-stale")
            .iter()
            .any(|d| d["file"] == "content/runbooks/draft.md"),
        "{}",
        common::show(&diags)
    );
    // `dated.md` says 2026-02-01; its body changed on 2026-03-05.
    let unbumped = with_code(&diags, "last-updated-not-bumped");
    assert_eq!(unbumped.len(), 1, "{}", common::show(&diags));
    assert_eq!(unbumped[0]["file"], "content/runbooks/dated.md");
    assert_eq!(unbumped[0]["level"], "warning");
    assert_eq!(
        unbumped[0]["line"],
        5,
        "at the date: {}",
        common::show(&diags)
    );
    // `bumped.md` changed only in its front matter after its date: no finding.

    // The level is the team's to set.
    fs::write(
        root.join("opswiki.yaml"),
        "title: Git Wiki\ndiagnostics: {last-updated-not-bumped: error}\n",
    )
    .unwrap();
    let diags = check_json_at(&root, TODAY);
    let unbumped = with_code(&diags, "last-updated-not-bumped");
    assert_eq!(unbumped.len(), 1, "{}", common::show(&diags));
    assert_eq!(unbumped[0]["level"], "error");
    fs::write(
        root.join("opswiki.yaml"),
        "title: Git Wiki\ndiagnostics: {last-updated-not-bumped: off}\n",
    )
    .unwrap();
    assert_no_diag(&check_json_at(&root, TODAY), "last-updated-not-bumped");
}

#[test]
fn git_off_and_no_repository_change_nothing() {
    let repo = history_repo();
    let root = repo.root().join("wiki");
    fs::write(root.join("opswiki.yaml"), "title: Git Wiki\ngit: off\n").unwrap();
    // CODEOWNERS still names the owners; dates come from the pages alone.
    let diags = check_json_at(&root, TODAY);
    let missing: Vec<_> = with_code(&diags, "runbook-field-missing")
        .into_iter()
        .filter(|d| d["message"].as_str().unwrap().contains("last_updated"))
        .collect();
    assert!(missing.len() >= 4, "{}", common::show(&diags));
    assert_no_diag(&diags, "last-updated-not-bumped");

    // Outside any repository: no footer line, no owner from anywhere.
    let site = common::Site::new();
    site.file(
        "content/runbooks/a.md",
        &Runbook::new("A").section("Symptom", "s").render(),
    );
    let out = site.build_ok();
    let html = fs::read_to_string(out.join("runbooks/a/index.html")).unwrap();
    assert!(!html.contains("last-change"), "{html}");
    assert!(!html.contains("(from git)"), "{html}");
}

#[test]
fn a_shallow_clone_builds_and_says_its_dates_are_approximate() {
    let repo = history_repo();
    // Commit the work in progress so the clone has every page.
    repo.commit("Work in progress", "2026-07-01T12:00:00Z", "Gina Last");
    let clone_parent = tempfile::tempdir().unwrap();
    let clone = clone_parent.path().join("clone");
    git_at(
        clone_parent.path(),
        &[
            "clone",
            "-q",
            "--depth",
            "1",
            &format!("file://{}", repo.root().display()),
            clone.to_str().unwrap(),
        ],
        "2026-07-02T00:00:00Z",
        "Ci",
    );
    let root = clone.join("wiki");
    let (out, run) = build(&root);
    assert_eq!(run.code, 0, "{run}");
    // Every page seems to change in the one commit the clone has.
    let api = page(&out, "runbooks/api");
    assert!(fact(&api, "last-updated").contains("2026-07-01"), "{api}");
    assert!(
        fact(&api, "last-updated").contains("(approximate)"),
        "{api}"
    );
    assert!(footer(&api).contains("or earlier: shallow clone"), "{api}");
    // Approximate dates raise no `last-updated-not-bumped`.
    assert_no_diag(&check_json_at(&root, TODAY), "last-updated-not-bumped");
}

#[test]
fn nested_owners_files_name_the_approvers_of_the_nearest() {
    let repo = Repo::new();
    repo.write("opswiki.yaml", "title: Owners\n")
        .write("OWNERS", "approvers:\n  - root-approver\n")
        .write(
            "content/runbooks/OWNERS",
            "# Prow OWNERS\napprovers: [sre-lead, sre-second]\nreviewers: [someone]\n",
        )
        .write(
            "content/runbooks/net/OWNERS",
            "reviewers: [only-reviewers]\n",
        )
        .write(
            "content/runbooks/net/dns/OWNERS",
            "approvers:\n- dns-lead\n",
        )
        .write("content/runbooks/a.md", &bare_runbook("A", "a"))
        .write("content/runbooks/net/b.md", &bare_runbook("B", "b"))
        .write("content/runbooks/net/dns/c.md", &bare_runbook("C", "c"))
        .write("content/guide.md", "# Guide\n");
    repo.commit("Owners", "2026-11-20T12:00:00Z", "Olga Owner");
    let (out, run) = build(&repo.root());
    assert_eq!(run.code, 0, "{run}");
    let owner = |id: &str| fact(&page(&out, id), "owner").to_string();
    assert!(
        owner("runbooks/a").contains("Owner (from OWNERS)"),
        "{}",
        owner("runbooks/a")
    );
    assert!(owner("runbooks/a").contains("sre-lead, sre-second"));
    // `net/OWNERS` has no approvers: the next one up counts.
    assert!(
        owner("runbooks/net/b").contains("sre-lead"),
        "{}",
        owner("runbooks/net/b")
    );
    assert!(owner("runbooks/net/dns/c").contains("dns-lead"));
    assert!(!owner("runbooks/net/dns/c").contains("sre-lead"));
    // The cache the first build left serves the second, with the same answer.
    assert!(repo.root().join(".git/opswiki/last-changes").is_file());
    let head = repo.head();
    let cache = fs::read_to_string(repo.root().join(".git/opswiki/last-changes")).unwrap();
    assert!(cache.lines().next().unwrap().ends_with(&head), "{cache}");
    let (out2, run) = build(&repo.root());
    assert_eq!(run.code, 0, "{run}");
    assert_eq!(page(&out, "runbooks/a"), page(&out2, "runbooks/a"));
}

#[test]
fn the_cache_follows_new_commits_and_rewritten_history() {
    let repo = Repo::new();
    repo.write("opswiki.yaml", "title: Cache\n")
        .write("CODEOWNERS", "* @cache-team\n")
        .write("content/runbooks/a.md", &bare_runbook("A", "a1"))
        .write("content/runbooks/b.md", &bare_runbook("B", "b1"));
    repo.commit("First", "2026-11-01T12:00:00Z", "First Author");
    let (out, run) = build(&repo.root());
    assert_eq!(run.code, 0, "{run}");
    assert!(footer(&page(&out, "runbooks/a")).contains("First Author"));

    // A new commit: only it is walked, b.md keeps its cached change.
    repo.write("content/runbooks/a.md", &bare_runbook("A", "a2"));
    repo.commit("Second", "2026-11-10T12:00:00Z", "Second Author");
    let (out, _) = build(&repo.root());
    assert!(footer(&page(&out, "runbooks/a")).contains("Second Author"));
    assert!(footer(&page(&out, "runbooks/b")).contains("First Author"));

    // The history rewritten (amended): the cache no longer fits.
    repo.write("content/runbooks/b.md", &bare_runbook("B", "b2"));
    repo.git(&["add", "-A"], "2026-11-12T12:00:00Z", "Third Author");
    repo.git(
        &["commit", "-q", "--amend", "--reset-author", "-m", "Amended"],
        "2026-11-12T12:00:00Z",
        "Third Author",
    );
    let (out, _) = build(&repo.root());
    assert!(footer(&page(&out, "runbooks/a")).contains("Third Author"));
    assert!(footer(&page(&out, "runbooks/b")).contains("Third Author"));
}

#[test]
fn a_pure_rename_keeps_the_change_before_it_and_a_rename_with_edits_is_one() {
    let repo = Repo::new();
    repo.write("opswiki.yaml", "title: Renames\n")
        .write("CODEOWNERS", "* @renames-team\n")
        .write("content/runbooks/moved.md", &bare_runbook("Moved", "m1"))
        .write("content/runbooks/edited.md", &bare_runbook("Edited", "e1"))
        .write("content/runbooks/other.md", &bare_runbook("Other", "o1"));
    repo.commit("Import", "2026-02-01T12:00:00Z", "Ann Author");
    // One commit: a pure rename into another folder, and a rename whose
    // text changes too (not followed: a change of its own).
    fs::create_dir_all(repo.root().join("content/runbooks/db")).unwrap();
    repo.git(
        &[
            "mv",
            "content/runbooks/moved.md",
            "content/runbooks/db/moved-here.md",
        ],
        "2026-03-01T12:00:00Z",
        "Ben Mover",
    );
    fs::remove_file(repo.root().join("content/runbooks/edited.md")).unwrap();
    repo.write(
        "content/runbooks/edited-new.md",
        &bare_runbook("Edited", "e2"),
    );
    repo.commit("Move two runbooks", "2026-03-01T12:00:00Z", "Ben Mover");
    // A later commit touches something else; then a rename back and forth.
    repo.write("content/runbooks/other.md", &bare_runbook("Other", "o2"));
    repo.commit("Edit other", "2026-04-01T12:00:00Z", "Cy Editor");
    repo.git(
        &[
            "mv",
            "content/runbooks/other.md",
            "content/runbooks/other-2.md",
        ],
        "2026-05-01T12:00:00Z",
        "Di Renamer",
    );
    repo.commit("Rename other", "2026-05-01T12:00:00Z", "Di Renamer");

    let (out, run) = build(&repo.root());
    assert_eq!(run.code, 0, "{run}");
    let moved = page(&out, "runbooks/db/moved-here");
    assert!(
        fact(&moved, "last-updated").contains("2026-02-01"),
        "{moved}"
    );
    assert!(footer(&moved).contains("Ann Author"), "{moved}");
    assert!(!footer(&moved).contains("Ben Mover"), "{moved}");
    let edited = page(&out, "runbooks/edited-new");
    assert!(
        fact(&edited, "last-updated").contains("2026-03-01"),
        "{edited}"
    );
    assert!(footer(&edited).contains("Ben Mover"), "{edited}");
    let other = page(&out, "runbooks/other-2");
    assert!(footer(&other).contains("Cy Editor"), "{other}");
    assert!(!footer(&other).contains("Di Renamer"), "{other}");

    // The cache kept by that build gives the same answers.
    let (out, _) = build(&repo.root());
    assert!(footer(&page(&out, "runbooks/db/moved-here")).contains("Ann Author"));
    // A rename committed after the cache was written is followed too.
    repo.git(
        &[
            "mv",
            "content/runbooks/db/moved-here.md",
            "content/runbooks/moved-again.md",
        ],
        "2026-06-01T12:00:00Z",
        "Ed Again",
    );
    repo.commit("Move it again", "2026-06-01T12:00:00Z", "Ed Again");
    let (out, _) = build(&repo.root());
    let again = page(&out, "runbooks/moved-again");
    assert!(footer(&again).contains("Ann Author"), "{again}");
}

/// A history of `commits` commits written with `git fast-import` (one
/// hour apart, by `Author NNNN`), long enough for the pass to cut it into
/// stretches read in parallel. Commit 1 adds `r0.md` to `r9.md`; commit k
/// edits `r{k % 7}.md`, except the commits named in `special`, which run
/// their own fast-import file commands.
fn long_history(commits: usize, special: &[(usize, String)]) -> Repo {
    let repo = Repo::new();
    let mut stream = String::new();
    let inline =
        |path: &str, text: &str| format!("M 100644 inline {path}\ndata {}\n{text}\n", text.len());
    for k in 1..=commits {
        let when = 1_735_689_600 + 3600 * k as u64; // from 2025-01-01
        let message = format!("Commit {k}");
        stream.push_str(&format!(
            "commit refs/heads/main\nauthor Author {k:04} <a{k}@example.com> {when} +0000\n\
             committer Author {k:04} <a{k}@example.com> {when} +0000\ndata {}\n{message}\n",
            message.len()
        ));
        if k == 1 {
            stream.push_str(&inline("opswiki.yaml", "title: Long\n"));
            stream.push_str(&inline("CODEOWNERS", "* @long-team\n"));
            for r in 0..10 {
                let path = format!("content/runbooks/r{r}.md");
                stream.push_str(&inline(&path, &bare_runbook(&format!("R{r}"), "v1")));
            }
        } else if let Some((_, commands)) = special.iter().find(|(at, _)| *at == k) {
            stream.push_str(commands);
        } else {
            let r = k % 7;
            let path = format!("content/runbooks/r{r}.md");
            stream.push_str(&inline(
                &path,
                &bare_runbook(&format!("R{r}"), &format!("v{k}")),
            ));
        }
        stream.push('\n');
    }
    let mut child = Command::new("git")
        .args(["fast-import", "--quiet"])
        .current_dir(repo.root())
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .stdin(std::process::Stdio::piped())
        .spawn()
        .expect("run git fast-import");
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stream.as_bytes())
        .unwrap();
    assert!(child.wait().unwrap().success());
    repo.git(&["reset", "-q", "--hard"], "2026-01-01T00:00:00Z", "x");
    repo
}

#[test]
fn a_long_history_read_in_stretches_follows_renames_across_them() {
    let edit = |r: u32, k: usize| {
        format!(
            "M 100644 inline content/runbooks/r{r}.md\ndata {len}\n{text}\n",
            len = bare_runbook(&format!("R{r}"), &format!("edit {k}")).len(),
            text = bare_runbook(&format!("R{r}"), &format!("edit {k}"))
        )
    };
    // 1200 commits: the newest 512 are one stretch, the next 512 another.
    // r9 last changed long ago, then only renamed (newest stretch); r7 is
    // renamed in the oldest commit of the newest stretch, just after its
    // last edit (the newest commit of the next); r8 is renamed with an
    // edit.
    let special = vec![
        (100, edit(9, 100)),
        (
            700,
            "R content/runbooks/r9.md content/runbooks/moved/r9.md\n".to_string(),
        ),
        (688, edit(7, 688)),
        (
            689,
            "R content/runbooks/r7.md content/runbooks/r7-renamed.md\n".to_string(),
        ),
        (
            900,
            format!(
                "D content/runbooks/r8.md\n{}",
                edit(8, 900).replace("r8.md", "r8-new.md")
            ),
        ),
    ];
    let repo = long_history(1200, &special);
    let (out, run) = build(&repo.root());
    assert_eq!(run.code, 0, "{run}");
    let expect = |id: &str, author: &str| {
        let html = page(&out, id);
        assert!(footer(&html).contains(author), "{id}: {}", footer(&html));
    };
    expect("runbooks/moved/r9", "Author 0100");
    expect("runbooks/r7-renamed", "Author 0688");
    expect("runbooks/r8-new", "Author 0900");
    expect("runbooks/r0", "Author 1197");
    expect("runbooks/r6", "Author 1196");
    // Read again from the cache: the same.
    let (out, _) = build(&repo.root());
    let html = page(&out, "runbooks/r7-renamed");
    assert!(footer(&html).contains("Author 0688"), "{}", footer(&html));
}

#[test]
fn check_changed_since_reports_only_changed_files() {
    let repo = Repo::new();
    let broken = |title: &str, note: &str| {
        Runbook::new(title)
            .without_section("Rollback")
            .section("Symptom", note)
            .render()
    };
    repo.write("opswiki.yaml", "title: Changed\n")
        .write("content/runbooks/old.md", &broken("Old", "o1"))
        .write(
            "content/runbooks/target.md",
            &Runbook::new("Target").render(),
        );
    repo.commit("Base", "2026-11-01T12:00:00Z", "Base Author");
    repo.git(
        &["checkout", "-q", "-b", "topic"],
        "2026-11-02T00:00:00Z",
        "x",
    );
    // Committed on the branch, and one file only edited in the work tree.
    repo.write(
        "content/runbooks/new.md",
        &broken("New", "see [the target](target.md#symptom)"),
    );
    repo.commit("Add new", "2026-11-20T12:00:00Z", "Topic Author");
    repo.write("content/runbooks/target.md", &broken("Target", "edited"));

    let root = repo.root();
    let all = check_json_at(&root, TODAY);
    let files = |diags: &[serde_json::Value]| {
        let mut f: Vec<String> = with_code(diags, "runbook-section-missing")
            .iter()
            .map(|d| d["file"].as_str().unwrap().to_string())
            .collect();
        f.sort();
        f
    };
    assert_eq!(
        files(&all),
        [
            "content/runbooks/new.md",
            "content/runbooks/old.md",
            "content/runbooks/target.md"
        ]
    );
    let out = common::run(&[
        "check",
        "--root",
        root.to_str().unwrap(),
        "--today",
        TODAY,
        "--format",
        "json",
        "--changed-since",
        "main",
    ]);
    let diags = common::parse_json_lines(&out.stdout);
    assert_eq!(
        files(&diags),
        ["content/runbooks/new.md", "content/runbooks/target.md"],
        "{out}"
    );
    // The link into an unchanged page still resolves: no broken link.
    assert_no_diag(&diags, "link-broken");
    assert_no_diag(&diags, "link-anchor-missing");
    assert_eq!(out.code, 1, "{out}");

    // A revision that does not exist cannot run.
    let out = common::run(&[
        "check",
        "--root",
        root.to_str().unwrap(),
        "--changed-since",
        "no-such-branch",
    ]);
    assert_eq!(out.code, 2, "{out}");
    assert!(out.stderr.contains("no-such-branch"), "{out}");
}
