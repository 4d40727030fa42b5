//! The body's lines with whether each is inside a fenced code block, for the
//! line-based extensions (admonitions, tables of contents, shortcodes): what
//! is written inside a fence is an example, and is left as it is.

/// One line of the body.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Line<'a> {
    /// Byte offset of the line's start in the file.
    pub start: usize,
    /// The line without its `\n`.
    pub text: &'a str,
    /// The line opens, closes or lies inside a fenced code block.
    pub in_fence: bool,
}

impl Line<'_> {
    pub fn is_blank(&self) -> bool {
        self.text.trim().is_empty()
    }

    pub fn end(&self) -> usize {
        self.start + self.text.len()
    }
}

/// The lines of `text[from..]`, with fences tracked as CommonMark opens and
/// closes them (three or more backticks or tildes; a closing fence of the
/// same character, at least as long, with nothing after it).
pub(crate) fn lines(text: &str, from: usize) -> Vec<Line<'_>> {
    let mut out = Vec::new();
    let mut fence: Option<(u8, usize)> = None;
    let mut start = from;
    for text_line in text[from..].split_inclusive('\n') {
        let line = text_line.strip_suffix('\n').unwrap_or(text_line);
        let trimmed = line.trim_start();
        let run = |c: u8| trimmed.bytes().take_while(|&b| b == c).count();
        let in_fence = match fence {
            Some((c, n)) => {
                if run(c) >= n && trimmed[run(c)..].trim().is_empty() {
                    fence = None;
                }
                true
            }
            None => {
                let (c, n) = if trimmed.starts_with("```") {
                    (b'`', run(b'`'))
                } else if trimmed.starts_with("~~~") {
                    (b'~', run(b'~'))
                } else {
                    (0, 0)
                };
                if n >= 3 && !(c == b'`' && trimmed[n..].contains('`')) {
                    fence = Some((c, n));
                    true
                } else {
                    false
                }
            }
        };
        out.push(Line {
            start,
            text: line,
            in_fence,
        });
        start += text_line.len();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fences_open_and_close() {
        let text = "a\n```sh\n!!! x\n```\nb\n~~~~\n```\n~~~~\nc";
        let l = lines(text, 0);
        let fenced: Vec<bool> = l.iter().map(|l| l.in_fence).collect();
        assert_eq!(
            fenced,
            [false, true, true, true, false, true, true, true, false]
        );
        assert_eq!(l[4].start, text.find("b\n").unwrap());
    }
}
