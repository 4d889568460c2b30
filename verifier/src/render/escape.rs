//! Escaping of report and graph strings for the output they are written into.
//!
//! Names, versions, paths, ids and messages come from lockfiles, configuration and advisory
//! databases: any of them may carry terminal control sequences or Markdown. Human output shows
//! control characters visibly ([`visible`]); Markdown output escapes every such string for its
//! context ([`md_text`], [`md_code`], [`md_link`]). JSON and SARIF keep the exact strings.

use std::borrow::Cow;
use std::fmt::Write as _;

/// An escaper for one output context.
pub type Esc = for<'a> fn(&'a str) -> Cow<'a, str>;

/// `true` for characters that act on a terminal or reorder text instead of being shown: C0
/// controls (tab and newline included), DEL, C1 controls (U+0080–U+009F) and the bidirectional
/// embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069).
pub fn is_hidden_control(c: char) -> bool {
    matches!(
        c,
        '\0'..='\x1f' | '\x7f' | '\u{80}'..='\u{9f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'
    )
}

/// `true` when no byte of `s` can start a character [`is_hidden_control`] matches: the fast path,
/// run for every package of a graph. (C1 controls are `C2 80..9F` in UTF-8, the bidi controls
/// `E2 80 AA..AE` and `E2 81 A6..A9`.)
fn surely_clean(s: &str) -> bool {
    !s.bytes()
        .any(|b| b < 0x20 || b == 0x7f || b == 0xc2 || b == 0xe2)
}

fn escape_controls(s: &str, keep_newlines: bool) -> Cow<'_, str> {
    if surely_clean(s) {
        return Cow::Borrowed(s);
    }
    let hidden = |c: char| is_hidden_control(c) && !(keep_newlines && c == '\n');
    let Some(first) = s.find(hidden) else {
        return Cow::Borrowed(s);
    };
    let mut out = String::with_capacity(s.len() + 8);
    out.push_str(&s[..first]);
    for c in s[first..].chars() {
        if hidden(c) {
            // Writing to a String cannot fail.
            let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// `s` with every control character ([`is_hidden_control`], newlines included) written as a Rust
/// escape, `ESC` as `\u{1b}`, BEL as `\u{7}`, U+202E as `\u{202e}`; borrowed (no allocation) when
/// there is none. For human output: a name can neither move the cursor, retitle the window nor
/// reorder the line it is printed on.
pub fn visible(s: &str) -> Cow<'_, str> {
    escape_controls(s, false)
}

/// [`visible`], keeping newlines: for multi-line messages on stderr (errors with `hint:` lines).
pub fn visible_lines(s: &str) -> Cow<'_, str> {
    escape_controls(s, true)
}

/// ASCII punctuation that Markdown (CommonMark, GFM, GitHub's math) reads as inline syntax
/// anywhere in a line, written with a backslash: emphasis, code, links, table cells,
/// strikethrough, math; `.`, `:` and `@` so that no `www.`, `http://` or e-mail autolink forms.
/// `<`, `>` and `&` are written as HTML entities instead.
const MD_INLINE: &[char] = &['\\', '`', '*', '_', '[', ']', '|', '~', '.', ':', '@', '$'];

/// Characters that start a block (heading, list, quote, setext line) only at the start of a
/// line: escaped when the text starts with one (text goes after `- ` in lists).
const MD_BLOCK_START: &[char] = &['#', '+', '-', '=', '!'];

fn md_needs_escape(c: char) -> bool {
    MD_INLINE.contains(&c) || matches!(c, '<' | '>' | '&')
}

/// `s` as plain Markdown text, inline: shown as it is, never read as structure. Control
/// characters and newlines are shown as by [`visible`]; inline Markdown punctuation
/// ([`MD_INLINE`]) is backslash-escaped, so no emphasis, link, image, table cell or autolink
/// can start; `<`, `>` and `&` become entities, so no HTML, comment or entity; a leading space
/// becomes `&#32;` and a leading `#`, `+`, `-`, `=`, `!` or `1)` is escaped, so no heading,
/// list, or code block can start inside a list item. Valid in table cells too.
pub fn md_text(s: &str) -> Cow<'_, str> {
    let v = visible(s);
    let digits = v.bytes().take_while(u8::is_ascii_digit).count();
    let ordered = digits > 0 && v[digits..].starts_with(')');
    let bad_start = v.starts_with(' ') || v.starts_with(MD_BLOCK_START) || ordered;
    if !bad_start && !v.contains(md_needs_escape) {
        return v;
    }
    let mut out = String::with_capacity(v.len() + 16);
    for (i, c) in v.char_indices() {
        match c {
            ' ' if i == 0 => out.push_str("&#32;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            c if MD_INLINE.contains(&c)
                || (i == 0 && MD_BLOCK_START.contains(&c))
                || (ordered && i == digits) =>
            {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// `s` as a Markdown code span, outside a table: the fence is one backtick longer than the
/// longest run of backticks in `s` (CommonMark), padded with a space when `s` starts or ends
/// with a backtick or a space. Control characters are shown as by [`visible`]. Empty for an
/// empty string.
pub fn md_code(s: &str) -> Cow<'_, str> {
    Cow::Owned(code_span(&visible(s), false))
}

/// [`md_code`] for a table cell: `|` is written `\|` (GFM splits rows before it reads code
/// spans). A string with a backslash right before a `|` is written as [`md_text`] instead,
/// since GFM reads `\\|` as a backslash and a cell separator.
pub fn md_code_cell(s: &str) -> Cow<'_, str> {
    let v = visible(s);
    if v.contains("\\|") {
        return Cow::Owned(md_text(&v).into_owned());
    }
    Cow::Owned(code_span(&v, true))
}

fn code_span(v: &str, in_table: bool) -> String {
    if v.is_empty() {
        return String::new();
    }
    let mut longest = 0;
    let mut run = 0;
    for c in v.chars() {
        if c == '`' {
            run += 1;
            longest = longest.max(run);
        } else {
            run = 0;
        }
    }
    let fence = "`".repeat(longest + 1);
    let pad = if v.starts_with(['`', ' ']) || v.ends_with(['`', ' ']) {
        " "
    } else {
        ""
    };
    let body = if in_table {
        Cow::Owned(v.replace('|', "\\|"))
    } else {
        Cow::Borrowed(v)
    };
    format!("{fence}{pad}{body}{pad}{fence}")
}

/// A link with text `text` to `url` when `url` is an `http`/`https` URL, else `text` followed by
/// the URL as text: no `javascript:`, `data:` or relative link. The text is [`md_text`]; the URL
/// is percent-encoded where Markdown would end or change it (spaces, `()<>[]|\`, backticks,
/// quotes, control and non-ASCII characters). Valid in table cells.
pub fn md_link(text: &str, url: &str) -> String {
    let lower = url.get(..8).unwrap_or(url).to_ascii_lowercase();
    let is_web = lower.starts_with("https://") || lower.starts_with("http://");
    if !is_web || url.len() <= "http://".len() {
        return format!("{} ({})", md_text(text), md_text(url));
    }
    let mut dest = String::with_capacity(url.len());
    for c in url.chars() {
        let plain = c.is_ascii_graphic()
            && !matches!(
                c,
                '(' | ')' | '<' | '>' | '[' | ']' | '|' | '\\' | '`' | '"' | '\'' | '{' | '}'
            );
        if plain {
            dest.push(c);
        } else {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                let _ = write!(dest, "%{b:02X}");
            }
        }
    }
    format!("[{}]({dest})", md_text(text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_strings_are_borrowed() {
        for s in ["serde", "@babel/core", "1.0.0-rc.1", "→ ünïcödé", ""] {
            assert!(matches!(visible(s), Cow::Borrowed(_)), "{s}");
        }
        // Lead bytes of C1 or bidi controls that start other characters.
        assert!(matches!(visible("é → ½"), Cow::Borrowed(_)));
    }

    #[test]
    fn controls_are_shown_as_escapes() {
        assert_eq!(visible("a\u{1b}]0;pwned\u{7}b"), "a\\u{1b}]0;pwned\\u{7}b");
        assert_eq!(visible("x\ny\tz\r\u{7f}"), "x\\u{a}y\\u{9}z\\u{d}\\u{7f}");
        assert_eq!(visible("\u{9b}2J"), "\\u{9b}2J");
        assert_eq!(
            visible("abc\u{202e}fed\u{2066}"),
            "abc\\u{202e}fed\\u{2066}"
        );
        assert_eq!(visible_lines("one\ntwo\u{1b}"), "one\ntwo\\u{1b}");
    }

    #[test]
    fn markdown_text_escapes() {
        assert_eq!(md_text("serde"), "serde");
        assert_eq!(md_text("## ✅ tollgate: pass"), "\\## ✅ tollgate\\: pass");
        assert_eq!(md_text("<!-- x"), "&lt;!-- x");
        assert_eq!(md_text("- x"), "\\- x");
        assert_eq!(md_text("12) x"), "12\\) x");
        assert_eq!(md_text("a-b (c)"), "a-b (c)");
        assert_eq!(md_text("a|b"), "a\\|b");
        assert_eq!(md_text(" x"), "&#32;x");
        assert_eq!(md_text("a\nb"), "a\\\\u{a}b");
    }

    #[test]
    fn code_spans_use_a_longer_fence() {
        assert_eq!(md_code("serde"), "`serde`");
        assert_eq!(md_code("a`b"), "``a`b``");
        assert_eq!(md_code("`x``"), "``` `x`` ```");
        assert_eq!(md_code(""), "");
        assert_eq!(md_code_cell("a|b"), "`a\\|b`");
        assert_eq!(md_code_cell("a\\|b"), "a\\\\\\|b");
    }

    #[test]
    fn only_web_urls_become_links() {
        assert_eq!(
            md_link("X-1", "https://example.com/a b)"),
            "[X-1](https://example.com/a%20b%29)"
        );
        assert_eq!(
            md_link("x", "javascript:alert(1)"),
            "x (javascript\\:alert(1))"
        );
        assert_eq!(md_link("x", "HTTP://e.x/ü"), "[x](HTTP://e.x/%C3%BC)");
    }
}
