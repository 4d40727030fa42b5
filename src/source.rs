//! Source files as read from disk, with a line index for locating offsets.

/// A text file of the site, normalised: UTF-8, no byte-order mark, `\n` line
/// endings (so offsets, lines and columns agree whatever OS wrote the file).
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// Path relative to the site root, `/`-separated, as shown in diagnostics.
    pub display_path: String,
    /// Path relative to `content/`, `/`-separated.
    pub content_path: String,
    pub text: String,
    line_starts: Vec<usize>,
}

impl SourceFile {
    pub fn new(display_path: String, content_path: String, text: String) -> SourceFile {
        let line_starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        SourceFile {
            display_path,
            content_path,
            text,
            line_starts,
        }
    }

    /// Move the text out, leaving the file empty, its line index too: for a
    /// build that has reported its diagnostics and renders each page once
    /// (`render::build_streaming`).
    pub fn take_text(&mut self) -> String {
        self.line_starts = vec![0];
        std::mem::take(&mut self.text)
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (u32, u32) {
        let offset = offset.min(self.text.len());
        let line = match self.line_starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        let start = self.line_starts[line];
        let column = self
            .text
            .get(start..offset)
            .map(|s| s.chars().count())
            .unwrap_or(0);
        (line as u32 + 1, column as u32 + 1)
    }

    /// A span for a byte range of this file.
    pub fn span(&self, range: std::ops::Range<usize>) -> crate::diag::Span {
        let (line, column) = self.line_col(range.start);
        let len = self
            .text
            .get(range)
            .map(|s| s.lines().next().unwrap_or("").chars().count())
            .unwrap_or(1);
        crate::diag::Span::new(self.display_path.clone(), line, column).with_len(len)
    }

    /// The byte offset of a 1-based line and column (in characters);
    /// clamped to the text.
    pub fn offset_at(&self, line: u32, column: u32) -> usize {
        let Some(&start) = self.line_starts.get(line.saturating_sub(1) as usize) else {
            return self.text.len();
        };
        self.text[start..]
            .char_indices()
            .nth(column.saturating_sub(1) as usize)
            .map_or(self.text.len(), |(i, _)| start + i)
    }

    /// A span at a 1-based line and column.
    pub fn span_at(&self, line: u32, column: u32) -> crate::diag::Span {
        crate::diag::Span::new(self.display_path.clone(), line, column)
    }
}

/// Decode file bytes: strip a UTF-8 BOM, turn CRLF into LF. On invalid UTF-8,
/// the 1-based line and column of the first bad byte.
pub fn decode(bytes: Vec<u8>) -> Result<String, (u32, u32)> {
    let bytes = match bytes.strip_prefix(b"\xEF\xBB\xBF") {
        Some(rest) => rest.to_vec(),
        None => bytes,
    };
    match String::from_utf8(bytes) {
        Ok(text) => Ok(if text.contains('\r') {
            normalise_newlines(&text)
        } else {
            text
        }),
        Err(err) => {
            let valid = &err.as_bytes()[..err.utf8_error().valid_up_to()];
            // Safe: the prefix up to valid_up_to is valid UTF-8.
            let prefix = std::str::from_utf8(valid).unwrap_or("");
            let line = prefix.matches('\n').count() as u32 + 1;
            let column = prefix.rsplit('\n').next().unwrap_or("").chars().count() as u32 + 1;
            Err((line, column))
        }
    }
}

/// Whether bytes look like UTF-16: a UTF-16 byte-order mark, or many NUL
/// bytes near the start (ASCII text in UTF-16 without a mark is valid UTF-8,
/// one NUL per character, and would otherwise read as garbage without any
/// error). A stray NUL in a UTF-8 file is not UTF-16.
pub fn looks_like_utf16(bytes: &[u8]) -> bool {
    if bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF") {
        return true;
    }
    let head = &bytes[..bytes.len().min(4096)];
    let nuls = head.iter().filter(|&&b| b == 0).count();
    head.len() >= 4 && nuls * 4 >= head.len()
}

fn normalise_newlines(text: &str) -> String {
    let mut out = text.replace("\r\n", "\n");
    // A lone CR (old Mac files) is a line break too.
    if out.contains('\r') {
        out = out.replace('\r', "\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_characters() {
        let f = SourceFile::new("a".into(), "a".into(), "ab\nçé x\n".into());
        assert_eq!(f.line_col(0), (1, 1));
        assert_eq!(f.line_col(3), (2, 1));
        let x = f.text.find('x').unwrap();
        assert_eq!(f.line_col(x), (2, 4));
    }

    #[test]
    fn decode_bom_crlf_and_bad_utf8() {
        assert_eq!(decode(b"\xEF\xBB\xBFa\r\nb".to_vec()).unwrap(), "a\nb");
        assert_eq!(decode(b"ok\nab\xFFc".to_vec()).unwrap_err(), (2, 3));
    }

    #[test]
    fn utf16_is_recognised() {
        assert!(looks_like_utf16(b"\xFF\xFE#\x00"));
        assert!(looks_like_utf16(b"\x00#\x00 \x00a\x00\n"));
        assert!(!looks_like_utf16(b"a NUL \x00 in prose, and more text"));
        assert!(!looks_like_utf16(b""));
    }
}
