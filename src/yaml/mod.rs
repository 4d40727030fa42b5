//! A YAML tree that remembers where every node came from.
//!
//! Every YAML file opswiki reads (front matter, `opswiki.yaml`, alarm files,
//! triage trees, report data) is first parsed into a [`Node`], so each later
//! check can point at the exact line and column of the value it is about.
//! serde-saphyr does the parsing: it never panics on bad input and reports the
//! line and column of syntax errors.

use std::fmt;

use serde::Deserialize;
use serde::de::{self, MapAccess, SeqAccess, Visitor};
use serde_saphyr::Spanned;

mod fast;

/// A position in a YAML fragment, 1-based.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Pos {
    pub line: u32,
    pub column: u32,
}

/// One YAML node with its position.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub pos: Pos,
    pub value: Value,
}

/// The value of a node. Scalars keep their most natural type.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Seq(Vec<Node>),
    /// Entries in file order, each key with its own position.
    Map(Vec<(Key, Node)>),
}

/// A mapping key and its position.
#[derive(Debug, Clone, PartialEq)]
pub struct Key {
    pub pos: Pos,
    pub name: String,
}

/// A YAML syntax or structure error, located in the fragment.
#[derive(Debug, Clone)]
pub struct YamlError {
    pub pos: Pos,
    pub message: String,
}

/// Fewest input bytes per node a real file uses (`- 1\n` is 4, `[1,2]` 2 per
/// number); see [`options`].
pub(super) const BYTES_PER_NODE: usize = 2;

/// serde-saphyr's budget, scaled to the size of the text.
///
/// The crate's defaults (250,000 nodes, 1,000,000 events, 50,000 aliases,
/// and an alias/anchor ratio of 10) refuse legitimate files: a Prometheus
/// rule file of 50,000 alerts has about 17 nodes and 20 events per rule, and
/// `labels: *common` on every rule breaks the ratio. Written out without
/// aliases, a YAML text cannot hold more than about one node per
/// [`BYTES_PER_NODE`] bytes or two events per byte, so this budget never
/// refuses a file for its size, while alias expansion ("billion laughs")
/// still stops at a size linear in the input (and at the crate's defaults
/// for texts under 500 kB): the ratio heuristic is not needed for that.
/// Nesting stays at the crate's limit of 64 levels (no real file comes near),
/// which keeps the recursive deserializer far from the end of the stack.
fn options(len: usize) -> serde_saphyr::Options {
    let mut budget = serde_saphyr::Budget::default();
    budget.max_nodes = budget.max_nodes.max(len / BYTES_PER_NODE);
    budget.max_events = budget.max_events.max(len.saturating_mul(2));
    budget.max_aliases = budget.max_aliases.max(len / 4);
    budget.max_anchors = budget.max_anchors.max(len / 4);
    budget.max_documents = budget.max_documents.max(len / 64);
    budget.enforce_alias_anchor_ratio = false;
    serde_saphyr::options! { budget: Some(budget) }
}

/// Parse one YAML document.
pub fn parse(text: &str) -> Result<Node, YamlError> {
    match fast::parse(text) {
        Some(node) => Ok(node),
        None => parse_with_serde(text),
    }
}

/// Parse every document of a multi-document YAML stream.
pub fn parse_multi(text: &str) -> Result<Vec<Node>, YamlError> {
    match fast::parse_stream(text) {
        Some(nodes) => Ok(nodes),
        None => parse_multi_with_serde(text),
    }
}

/// For the fuzzers and tests: where the fast reader accepts a text,
/// serde-saphyr must read the very same nodes.
pub fn assert_fast_path_agrees(text: &str) {
    if let Some(fast) = fast::parse_stream(text) {
        assert_eq!(parse_multi_with_serde(text).ok(), Some(fast), "{text:?}");
    }
}

/// [`parse`] without the fast path: all of YAML, and every error.
fn parse_with_serde(text: &str) -> Result<Node, YamlError> {
    serde_saphyr::from_str_with_options::<Node>(text, options(text.len()))
        .map_err(|e| at_unclosed_opener(text, to_yaml_error(e)))
}

fn parse_multi_with_serde(text: &str) -> Result<Vec<Node>, YamlError> {
    serde_saphyr::from_multiple_with_options::<Node>(text, options(text.len()))
        .map_err(|e| at_unclosed_opener(text, to_yaml_error(e)))
}

/// A parser notices an unclosed `[`, `{` or quote only where the text stops
/// making sense, often lines later (`tags: [a, b` then `owner: x` fails at
/// the `:` of the next line). When a bracket or quote opened on an earlier
/// line is still open where the parser stopped, the error points at it and
/// says where the parser noticed.
fn at_unclosed_opener(text: &str, err: YamlError) -> YamlError {
    match unclosed_opener(text, err.pos) {
        Some((pos, opener)) if pos.line < err.pos.line => YamlError {
            // Said as a distance: callers shift positions (front matter
            // starts on the file's line 2), so a line number here would lie.
            message: format!(
                "`{opener}` opened here is never closed (the YAML parser stopped {} {} below: {})",
                err.pos.line - pos.line,
                if err.pos.line - pos.line == 1 {
                    "line"
                } else {
                    "lines"
                },
                err.message
            ),
            pos,
        },
        _ => err,
    }
}

/// The innermost flow bracket or quote still open at `stop`, by a scan of
/// the text before it that knows YAML's comments, quotes and flow
/// collections well enough to find openers (the parser has already said the
/// text is wrong; this only says where the mistake likely began).
fn unclosed_opener(text: &str, stop: Pos) -> Option<(Pos, char)> {
    let mut open: Vec<(Pos, char)> = Vec::new();
    for (i, line) in text.split('\n').enumerate() {
        let lineno = i as u32 + 1;
        if lineno > stop.line {
            break;
        }
        let mut prev = None::<char>;
        let chars: Vec<char> = line.chars().collect();
        let mut j = 0;
        while j < chars.len() {
            let c = chars[j];
            let column = j as u32 + 1;
            if lineno == stop.line && column >= stop.column {
                break;
            }
            let pos = Pos {
                line: lineno,
                column,
            };
            match open.last().map(|(_, q)| *q) {
                Some('"') => {
                    if c == '\\' {
                        j += 1;
                    } else if c == '"' {
                        open.pop();
                    }
                }
                Some('\'') => {
                    if c == '\'' {
                        if chars.get(j + 1) == Some(&'\'') {
                            j += 1;
                        } else {
                            open.pop();
                        }
                    }
                }
                inner => {
                    let in_flow = matches!(inner, Some('[' | '{'));
                    // Where a value may begin: a quote or bracket there opens
                    // one; elsewhere it is part of a plain scalar.
                    let value_start =
                        matches!(prev, None | Some(':' | '-' | ',' | '[' | '{' | '?'));
                    match c {
                        '#' if prev.is_none() || chars[j - 1].is_whitespace() => break,
                        '"' | '\'' if value_start => open.push((pos, c)),
                        '[' | '{' if value_start || in_flow => open.push((pos, c)),
                        ']' | '}' if in_flow => {
                            open.pop();
                        }
                        _ => {}
                    }
                }
            }
            if !c.is_whitespace() {
                prev = Some(c);
            }
            j += 1;
        }
    }
    open.pop()
}

fn to_yaml_error(err: serde_saphyr::Error) -> YamlError {
    let pos = err
        .location()
        .map(|loc| Pos {
            line: loc.line().max(1) as u32,
            column: loc.column().max(1) as u32,
        })
        .unwrap_or(Pos { line: 1, column: 1 });
    let inner = err.without_snippet().to_string();
    // The crate appends its own " at line X column Y"; we print our own location.
    let message = strip_location_suffix(inner.lines().next().unwrap_or("invalid YAML"));
    let message = explain_budget(&message).unwrap_or(message);
    YamlError { pos, message }
}

/// The crate reports a budget breach as `budget breached: Nodes { nodes: N }`
/// (a Rust debug string): say what it means for an author instead.
fn explain_budget(message: &str) -> Option<String> {
    let breach = message.strip_prefix("budget breached: ")?;
    let what = breach.split([' ', '{']).next().unwrap_or("");
    Some(match what {
        "Depth" => "nested more than 64 levels deep".to_string(),
        "Nodes" | "Events" | "ScalarBytes" | "RecordedAnchorEvents" | "RecordedAnchorBytes" => {
            "expands to far more values than it holds (aliases of aliases, a \"billion \
             laughs\"?): refused"
                .to_string()
        }
        _ => format!("too large to read ({breach})"),
    })
}

fn strip_location_suffix(message: &str) -> String {
    match message.find(" at line ") {
        Some(i) => message[..i].trim().to_string(),
        None => message.trim().to_string(),
    }
}

impl Node {
    pub fn get(&self, key: &str) -> Option<&Node> {
        match &self.value {
            Value::Map(entries) => entries.iter().find(|(k, _)| k.name == key).map(|(_, v)| v),
            _ => None,
        }
    }

    pub fn entries(&self) -> &[(Key, Node)] {
        match &self.value {
            Value::Map(entries) => entries,
            _ => &[],
        }
    }

    pub fn as_seq(&self) -> Option<&[Node]> {
        match &self.value {
            Value::Seq(items) => Some(items),
            _ => None,
        }
    }

    pub fn is_map(&self) -> bool {
        matches!(self.value, Value::Map(_))
    }

    pub fn is_null(&self) -> bool {
        matches!(self.value, Value::Null)
    }

    /// The node as text if it is a scalar (numbers and booleans as written).
    pub fn as_text(&self) -> Option<String> {
        match &self.value {
            Value::Str(s) => Some(s.clone()),
            Value::Int(i) => Some(i.to_string()),
            Value::Float(f) => Some(f.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_f64(&self) -> Option<f64> {
        match &self.value {
            Value::Int(i) => Some(*i as f64),
            Value::Float(f) => Some(*f),
            _ => None,
        }
    }

    /// A list of strings; a single string is read as a list of one.
    pub fn as_string_list(&self) -> Option<Vec<String>> {
        match &self.value {
            Value::Seq(items) => items.iter().map(Node::as_text).collect(),
            Value::Null => Some(Vec::new()),
            _ => self.as_text().map(|s| vec![s]),
        }
    }

    /// What kind of value this is, for messages.
    pub fn type_name(&self) -> &'static str {
        match self.value {
            Value::Null => "nothing",
            Value::Bool(_) => "a boolean",
            Value::Int(_) | Value::Float(_) => "a number",
            Value::Str(_) => "a string",
            Value::Seq(_) => "a list",
            Value::Map(_) => "a mapping",
        }
    }

    /// Convert to JSON for display in templates (positions dropped).
    pub fn to_json(&self) -> serde_json::Value {
        match &self.value {
            Value::Null => serde_json::Value::Null,
            Value::Bool(b) => (*b).into(),
            Value::Int(i) => (*i).into(),
            Value::Float(f) => serde_json::Number::from_f64(*f)
                .map(serde_json::Value::Number)
                .unwrap_or(serde_json::Value::Null),
            Value::Str(s) => s.clone().into(),
            Value::Seq(items) => items.iter().map(Node::to_json).collect(),
            Value::Map(entries) => entries
                .iter()
                .map(|(k, v)| (k.name.clone(), v.to_json()))
                .collect::<serde_json::Map<_, _>>()
                .into(),
        }
    }
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let spanned = Spanned::<Value>::deserialize(deserializer)?;
        Ok(Node {
            pos: Pos {
                line: spanned.referenced.line() as u32,
                column: spanned.referenced.column() as u32,
            },
            value: spanned.value,
        })
    }
}

impl<'de> Deserialize<'de> for Value {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(ValueVisitor)
    }
}

struct ValueVisitor;

impl<'de> Visitor<'de> for ValueVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any YAML value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Int(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(i64::try_from(v)
            .map(Value::Int)
            .unwrap_or(Value::Float(v as f64)))
    }
    fn visit_i128<E>(self, v: i128) -> Result<Value, E> {
        Ok(i64::try_from(v)
            .map(Value::Int)
            .unwrap_or(Value::Float(v as f64)))
    }
    fn visit_u128<E>(self, v: u128) -> Result<Value, E> {
        Ok(i64::try_from(v)
            .map(Value::Int)
            .unwrap_or(Value::Float(v as f64)))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(Value::Float(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::Str(v.to_string()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::Str(v))
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_some<D: de::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        Value::deserialize(d)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<Node>()? {
            items.push(item);
        }
        Ok(Value::Seq(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut entries = Vec::new();
        while let Some(key) = map.next_key::<Node>()? {
            let value = map.next_value::<Node>()?;
            // Nearly every key is a string: take it rather than copy it.
            let name = match key.value {
                Value::Str(name) => name,
                _ => key.as_text().unwrap_or_default(),
            };
            entries.push((Key { pos: key.pos, name }, value));
        }
        Ok(Value::Map(entries))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_of_keys_and_values() {
        let node = parse("title: Hello\nlist:\n  - a\n  - b: 2\n").unwrap();
        let (k, v) = &node.entries()[1];
        assert_eq!(k.name, "list");
        assert_eq!(k.pos, Pos { line: 2, column: 1 });
        let items = v.as_seq().unwrap();
        assert_eq!(items[1].pos.line, 4);
        assert_eq!(items[1].get("b").unwrap().as_f64(), Some(2.0));
        assert_eq!(node.get("title").unwrap().pos, Pos { line: 1, column: 8 });
    }

    #[test]
    fn syntax_error_is_located() {
        let err = parse("a: 1\nb: [1, 2\nc: 3\n").unwrap_err();
        assert!(err.pos.line >= 2, "{err:?}");
        assert!(!err.message.is_empty());
    }

    #[test]
    fn multi_document() {
        let docs = parse_multi("a: 1\n---\nb: 2\n").unwrap();
        assert_eq!(docs.len(), 2);
        assert_eq!(docs[1].get("b").unwrap().pos.line, 3);
    }

    /// Every YAML text in the repository (fixtures, the example wiki, fuzz
    /// seeds) and in `OPSWIKI_YAML_DIFF_DIR` if set (a generated corpus, say):
    /// where the fast reader accepts a text, serde-saphyr reads the same nodes.
    #[test]
    fn same_nodes_as_serde_saphyr() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut dirs = vec![
            root.join("tests"),
            root.join("content"),
            root.join("fuzz/corpus"),
        ];
        dirs.extend(std::env::var_os("OPSWIKI_YAML_DIFF_DIR").map(Into::into));
        let (mut fast_read, mut texts) = (0, 0);
        for dir in dirs {
            // Only what the repository itself holds: not installed
            // packages or build output, which a fresh clone lacks.
            for entry in walkdir::WalkDir::new(&dir)
                .into_iter()
                .filter_entry(|e| {
                    !matches!(e.file_name().to_str(), Some("node_modules" | "target"))
                })
                .filter_map(Result::ok)
                .filter(|e| {
                    let name = e.path().to_string_lossy();
                    e.file_type().is_file()
                        && (name.contains("fuzz/corpus")
                            || [".md", ".yaml", ".yml"].iter().any(|x| name.ends_with(x)))
                })
            {
                let Ok(text) = std::fs::read_to_string(entry.path()) else {
                    continue;
                };
                let name = entry.path().to_string_lossy();
                let yaml = if name.ends_with(".md") {
                    match text
                        .strip_prefix("---\n")
                        .and_then(|t| t.split_once("\n---"))
                    {
                        Some((front, _)) => format!("{front}\n"),
                        None => continue,
                    }
                } else {
                    text
                };
                texts += 1;
                fast_read += usize::from(fast::parse_stream(&yaml).is_some());
                assert_fast_path_agrees(&yaml);
                if let Some(fast) = fast::parse(&yaml) {
                    assert_eq!(parse_with_serde(&yaml).ok(), Some(fast), "{name}");
                }
            }
        }
        eprintln!("{fast_read} of {texts} texts read by the fast path");
        // The repository's own YAML (117 texts, 84 on the fast path when
        // this was written): most of it must take the fast path, or the
        // comparison above says little.
        assert!(
            fast_read >= 50 && fast_read * 2 > texts,
            "{fast_read} of {texts} texts read by the fast path"
        );
    }

    #[test]
    fn an_unclosed_bracket_or_quote_is_reported_where_it_opened() {
        let err = parse("title: Disk full\ntags: [disk, storage\nowner: team-sre\n").unwrap_err();
        assert_eq!((err.pos.line, err.pos.column), (2, 7), "{}", err.message);
        assert!(
            err.message.starts_with("`[` opened here is never closed"),
            "{}",
            err.message
        );
        let err = parse("a: \"open\nb: c\nd: e\n").unwrap_err();
        assert_eq!((err.pos.line, err.pos.column), (1, 4), "{}", err.message);
        // A bracket inside a plain scalar is text, not an opener.
        let err = parse("a: see [docs\nb: [x\nc: d\n").unwrap_err();
        assert_eq!((err.pos.line, err.pos.column), (2, 4), "{}", err.message);
        // An error with nothing left open keeps the parser's position.
        let err = parse("a: b\n  c: d\n").unwrap_err();
        assert_eq!(err.pos.line, 2, "{}", err.message);
    }

    #[test]
    fn the_fast_path_leaves_typed_and_unusual_yaml_to_serde_saphyr() {
        for text in [
            "a: yes\n",
            "a: 1.5e3\n",
            "a: 1_000\n",
            "a: 12:30\n",
            "a: 007\n",
            "a: 0x1F\n",
            "a: -3\n",
            "a: .inf\n",
            "a: &x 1\nb: *x\n",
            "a: !custom 1\n",
            "a: 1\na: 2\n",
            "<<: {a: 1}\n",
            "",
            "a: [1, 2\n",
            "%YAML 1.2\n---\na: 1\n",
            "---\n- a\n---\n\n# only a comment\n",
        ] {
            assert!(fast::parse(text).is_none(), "{text:?}");
        }
        let text =
            "a: 12\nb: 2026-11-26\nc: \"x\"\nd:\ne: [p, 'q']\nf: 99.95\ng: 2 hours\nh: 5xx\n";
        let node = fast::parse(text).unwrap();
        assert_eq!(node.get("a").unwrap().value, Value::Int(12));
        assert_eq!(node.get("b").unwrap().as_str(), Some("2026-11-26"));
        assert!(node.get("d").unwrap().is_null());
        assert_eq!(node.get("f").unwrap().value, Value::Float(99.95));
        assert_eq!(Some(node), parse_with_serde(text).ok());
    }

    #[test]
    fn alias_bomb_is_refused() {
        let bomb = "a: &a [x,x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e,*e]\ng: [*f,*f,*f,*f,*f,*f,*f,*f,*f,*f]\n";
        assert!(parse(bomb).is_err());
    }
}
