//! The common case of YAML, read straight from the parser's events.
//!
//! serde-saphyr turns the parser's events into a [`Node`] through serde: a
//! `Spanned` value per node, the scalar typing rules, aliases, merge keys,
//! budgets. For the YAML opswiki mostly reads (front matter, alarm lists:
//! plain mappings and lists of strings) that machinery was two thirds of
//! the time spent on YAML, a tenth of a 10,000-page build. This reader
//! builds the same [`Node`] from the same parser's events and gives up
//! (returns `None`) on anything it does not handle exactly as serde-saphyr
//! does: anchors, aliases, tags, merge keys, duplicate keys, deep nesting,
//! empty documents, booleans, and numbers other than plain decimal
//! integers. The caller then parses with serde-saphyr, so errors and
//! unusual YAML read exactly as before; `tests::same_nodes_as_serde_saphyr`
//! checks the two agree on every YAML text in the repository.

use granit_parser::{Event, Parser, ScalarStyle, Span};

use super::{Key, Node, Pos, Value};

/// Nesting past this goes to serde-saphyr, which enforces its own limit.
const MAX_DEPTH: usize = 48;
/// Documents and nodes past serde-saphyr's budget (`super::options`) go to
/// it too, so it refuses them as before.
const MAX_DOCUMENTS: usize = 1_024;

/// One document, or `None` when it is not a single plain document.
pub fn parse(text: &str) -> Option<Node> {
    let mut docs = parse_stream(text)?;
    if docs.len() == 1 { docs.pop() } else { None }
}

/// Every document of the stream, or `None` when one of them is not plain.
pub fn parse_stream(text: &str) -> Option<Vec<Node>> {
    let mut reader = Reader {
        parser: Parser::new_from_str(text),
        nodes_left: (text.len() / super::BYTES_PER_NODE).max(250_000),
    };
    match reader.next()? {
        (Event::StreamStart, _) => {}
        _ => return None,
    }
    let mut docs = Vec::new();
    loop {
        match reader.next()? {
            (Event::DocumentStart(_, None), _) => {}
            (Event::StreamEnd, _) => break,
            _ => return None,
        }
        let (event, span) = reader.next()?;
        let doc = reader.node(event, span, 0)?;
        // An empty document: serde-saphyr has rules of its own for those.
        if doc.is_null() {
            return None;
        }
        docs.push(doc);
        if docs.len() > MAX_DOCUMENTS {
            return None;
        }
        match reader.next()? {
            (Event::DocumentEnd, _) => {}
            _ => return None,
        }
    }
    // An empty stream is a null document to serde-saphyr; leave it to it.
    (!docs.is_empty()).then_some(docs)
}

struct Reader<'a> {
    parser: Parser<'a, granit_parser::StrInput<'a>>,
    nodes_left: usize,
}

impl<'a> Reader<'a> {
    /// The next event that is not a comment; `None` at a syntax error.
    fn next(&mut self) -> Option<(Event<'a>, Span)> {
        loop {
            match self.parser.next_event()?.ok()? {
                (Event::Comment(..), _) => continue,
                event => return Some(event),
            }
        }
    }

    fn node(&mut self, event: Event<'a>, span: Span, depth: usize) -> Option<Node> {
        self.nodes_left = self.nodes_left.checked_sub(1)?;
        let pos = position(&span);
        let value = match event {
            Event::Scalar(text, style, 0, None) => scalar(&text, style)?,
            Event::SequenceStart(_, 0, None) if depth < MAX_DEPTH => {
                let mut items = Vec::new();
                loop {
                    match self.next()? {
                        (Event::SequenceEnd, _) => break,
                        (event, span) => items.push(self.node(event, span, depth + 1)?),
                    }
                }
                Value::Seq(items)
            }
            Event::MappingStart(_, 0, None) if depth < MAX_DEPTH => {
                let mut entries: Vec<(Key, Node)> = Vec::new();
                loop {
                    let (event, span) = self.next()?;
                    let name = match event {
                        Event::MappingEnd => break,
                        Event::Scalar(text, style, 0, None) => key_name(&text, style)?,
                        _ => return None,
                    };
                    // A merge key or a repeated key: serde-saphyr's rules.
                    if name == "<<" || entries.iter().any(|(k, _)| k.name == name) {
                        return None;
                    }
                    self.nodes_left = self.nodes_left.checked_sub(1)?;
                    let key = Key {
                        pos: position(&span),
                        name,
                    };
                    let (event, span) = self.next()?;
                    let value = self.node(event, span, depth + 1)?;
                    entries.push((key, value));
                }
                Value::Map(entries)
            }
            _ => return None,
        };
        Some(Node { pos, value })
    }
}

fn position(span: &Span) -> Pos {
    Pos {
        line: span.start.line() as u32,
        column: span.start.col() as u32 + 1,
    }
}

/// A mapping key's name as [`super::ValueVisitor`] makes it.
fn key_name(text: &str, style: ScalarStyle) -> Option<String> {
    Some(match scalar(text, style)? {
        Value::Str(name) => name,
        Value::Int(i) => i.to_string(),
        _ => return None,
    })
}

/// A scalar's value, or `None` for a plain scalar whose type serde-saphyr
/// would work out by rules this reader does not repeat.
fn scalar(text: &str, style: ScalarStyle) -> Option<Value> {
    if style != ScalarStyle::Plain {
        return Some(Value::Str(text.to_string()));
    }
    let bytes = text.as_bytes();
    let first = *bytes.first()?;
    if matches!(text, "~" | "null" | "Null" | "NULL") {
        return Some(Value::Null);
    }
    if first.is_ascii_digit() {
        return plain_digit_first(text);
    }
    // Booleans (YAML 1.1 spellings too), infinities and not-a-numbers, signs
    // and leading dots (`.5`, `.inf`): serde-saphyr's typing rules.
    if matches!(first, b'+' | b'-' | b'.') || is_special_word(text) {
        return None;
    }
    Some(Value::Str(text.to_string()))
}

/// A plain scalar that starts with a digit: a decimal integer (no leading
/// zero, well inside an i64), a decimal fraction, or text no number parser
/// reads (`5xx`, `30s`, `2 hours`, a `YYYY-MM-DD` date), which stays a string. Anything else (floats,
/// radixes, underscores, exponents, `12:30`) is for serde-saphyr.
fn plain_digit_first(text: &str) -> Option<Value> {
    let bytes = text.as_bytes();
    if bytes.iter().all(u8::is_ascii_digit) {
        return (bytes.len() <= 18 && (bytes.len() == 1 || bytes[0] != b'0'))
            .then(|| text.parse().ok().map(Value::Int))
            .flatten();
    }
    let is_date = bytes.len() == 10
        && bytes.iter().enumerate().all(|(i, b)| {
            if i == 4 || i == 7 {
                *b == b'-'
            } else {
                b.is_ascii_digit()
            }
        });
    // `99.95`: a plain decimal fraction, the same f64 either way.
    if let Some((whole, fraction)) = text.split_once('.')
        && !whole.is_empty()
        && !fraction.is_empty()
        && text.len() <= 16
        && whole
            .bytes()
            .chain(fraction.bytes())
            .all(|b| b.is_ascii_digit())
        && (whole.len() == 1 || !whole.starts_with('0'))
    {
        return text.parse().ok().map(Value::Float);
    }
    // `2 hours 5 minutes`: no number has a space inside.
    if bytes.contains(&b' ') {
        return Some(Value::Str(text.to_string()));
    }
    let radix = bytes.len() > 1 && bytes[0] == b'0' && b"xXoObB".contains(&bytes[1]);
    let wordy = bytes.iter().any(u8::is_ascii_alphabetic)
        && !bytes.iter().any(|b| matches!(b, b'.' | b'_' | b'e' | b'E'))
        && !radix;
    (is_date || wordy).then(|| Value::Str(text.to_string()))
}

fn is_special_word(text: &str) -> bool {
    text.len() <= 8
        && [
            "true", "false", "yes", "no", "y", "n", "on", "off", "inf", "infinity", "nan",
        ]
        .iter()
        .any(|w| text.eq_ignore_ascii_case(w))
}
