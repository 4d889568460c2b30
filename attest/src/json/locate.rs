//! Where a value sits in a JSON text: the line and column of the value a path names, so that a
//! shape error ("`signatures[0].sig` is missing") can point into the file like a syntax error
//! does. Run only on the error path, over text that already parsed.

use super::Place;

/// Deepest nesting followed (the strict parser stops at 128 already).
const MAX_DEPTH: usize = 256;

/// One step of a path.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Seg {
    /// An object member (or, in a JSON pointer, possibly an array index).
    Key(String),
    /// An array element (`[n]` in a dotted path).
    Index(usize),
}

/// The place of the value at `path` in `text`, or of the deepest value on the way to it that
/// exists (the object a missing member belongs in). `path` is a JSON pointer (`/subject/0/name`)
/// or a dotted path (`steps[0].expected_materials[2]`; a member name containing dots is matched
/// as a whole when the object has it). `None` when `text` is not JSON.
pub fn locate(text: &[u8], path: &str) -> Option<Place> {
    let segs = parse_path(path);
    let mut s = Scanner { text, depth: 0 };
    let mut at = s.ws(0);
    s.value_end(at)?; // the document is JSON
    let mut i = 0;
    while i < segs.len() {
        match s.text.get(at) {
            Some(b'{') => {
                let Some((used, start)) = s.member(at, &segs[i..]) else {
                    break;
                };
                at = start;
                i += used;
            }
            Some(b'[') => {
                let n = match &segs[i] {
                    Seg::Index(n) => *n,
                    Seg::Key(k) => match k.parse() {
                        Ok(n) => n,
                        Err(_) => break,
                    },
                };
                let Some(start) = s.element(at, n) else { break };
                at = start;
                i += 1;
            }
            _ => break,
        }
    }
    Some(place_of(text, at))
}

fn parse_path(path: &str) -> Vec<Seg> {
    if let Some(rest) = path.strip_prefix('/') {
        return rest
            .split('/')
            .map(|s| Seg::Key(s.replace("~1", "/").replace("~0", "~")))
            .collect();
    }
    let mut out = Vec::new();
    for part in path.split('.').filter(|p| !p.is_empty()) {
        let (name, mut idx) = match part.find('[') {
            Some(b) => (&part[..b], &part[b..]),
            None => (part, ""),
        };
        if !name.is_empty() {
            out.push(Seg::Key(name.to_owned()));
        }
        while let Some(r) = idx.strip_prefix('[') {
            let Some(e) = r.find(']') else { break };
            match r[..e].parse() {
                Ok(n) => out.push(Seg::Index(n)),
                Err(_) => out.push(Seg::Key(r[..e].to_owned())),
            }
            idx = &r[e + 1..];
        }
    }
    out
}

/// 1-based line and column of byte `offset`.
fn place_of(text: &[u8], offset: usize) -> Place {
    let before = &text[..offset.min(text.len())];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |p| p + 1);
    // Columns count characters, not bytes (UTF-8 continuation bytes are skipped).
    let column = before[line_start..]
        .iter()
        .filter(|&&b| b & 0xC0 != 0x80)
        .count()
        + 1;
    Place { line, column }
}

struct Scanner<'a> {
    text: &'a [u8],
    depth: usize,
}

impl Scanner<'_> {
    fn ws(&self, mut i: usize) -> usize {
        while matches!(self.text.get(i), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            i += 1;
        }
        i
    }

    /// End (exclusive) of the string starting at `i` (a `"`).
    fn string_end(&self, i: usize) -> Option<usize> {
        let mut j = i + 1;
        loop {
            match self.text.get(j)? {
                b'\\' => j += 2,
                b'"' => return Some(j + 1),
                _ => j += 1,
            }
        }
    }

    /// End (exclusive) of the value starting at `i`.
    fn value_end(&mut self, i: usize) -> Option<usize> {
        match self.text.get(i)? {
            b'"' => self.string_end(i),
            b'{' | b'[' => {
                if self.depth >= MAX_DEPTH {
                    return None;
                }
                self.depth += 1;
                let end = self.container_end(i);
                self.depth -= 1;
                end
            }
            _ => {
                let mut j = i;
                while let Some(b) = self.text.get(j) {
                    if matches!(b, b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r') {
                        break;
                    }
                    j += 1;
                }
                (j > i).then_some(j)
            }
        }
    }

    fn container_end(&mut self, i: usize) -> Option<usize> {
        let close = if self.text[i] == b'{' { b'}' } else { b']' };
        let mut j = self.ws(i + 1);
        if self.text.get(j) == Some(&close) {
            return Some(j + 1);
        }
        loop {
            if close == b'}' {
                j = self.ws(self.string_end(j)?);
                if self.text.get(j) != Some(&b':') {
                    return None;
                }
                j = self.ws(j + 1);
            }
            j = {
                let end = self.value_end(j)?;
                self.ws(end)
            };
            match self.text.get(j)? {
                b',' => j = self.ws(j + 1),
                b if *b == close => return Some(j + 1),
                _ => return None,
            }
        }
    }

    /// In the object at `i`: the member named by the first segment(s) of `segs` (a name with
    /// dots may span several dotted segments; the longest match wins). Returns how many
    /// segments it used and where its value starts.
    fn member(&mut self, i: usize, segs: &[Seg]) -> Option<(usize, usize)> {
        let mut best: Option<(usize, usize)> = None;
        let mut j = self.ws(i + 1);
        if self.text.get(j) == Some(&b'}') {
            return None;
        }
        loop {
            let key_end = self.string_end(j)?;
            let key: String = serde_json::from_slice(&self.text[j..key_end]).ok()?;
            j = self.ws(key_end);
            if self.text.get(j) != Some(&b':') {
                return None;
            }
            let start = self.ws(j + 1);
            if let Some(used) = matches(&key, segs)
                && best.is_none_or(|(u, _)| used > u)
            {
                best = Some((used, start));
            }
            j = {
                let end = self.value_end(start)?;
                self.ws(end)
            };
            match self.text.get(j)? {
                b',' => j = self.ws(j + 1),
                b'}' => return best,
                _ => return None,
            }
        }
    }

    /// In the array at `i`: where element `n` starts.
    fn element(&mut self, i: usize, n: usize) -> Option<usize> {
        let mut j = self.ws(i + 1);
        if self.text.get(j) == Some(&b']') {
            return None;
        }
        for _ in 0..n {
            j = {
                let end = self.value_end(j)?;
                self.ws(end)
            };
            match self.text.get(j)? {
                b',' => j = self.ws(j + 1),
                _ => return None,
            }
        }
        Some(j)
    }
}

/// How many leading segments `key` spells (`a.b` spells `Key(a), Key(b)`), if any.
fn matches(key: &str, segs: &[Seg]) -> Option<usize> {
    let mut joined = String::new();
    let mut found = None;
    for (n, s) in segs.iter().enumerate() {
        let Seg::Key(k) = s else { break };
        if n > 0 {
            joined.push('.');
        }
        joined.push_str(k);
        if joined == key {
            found = Some(n + 1);
        }
        if joined.len() >= key.len() {
            break;
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = "{\n  \"a\": {\"foo.tar.gz\": {\"sha256\": \"x\"}},\n  \"list\": [1, {\"k\": \"é\", \"v\": 2}],\n  \"x/y\": true\n}\n";

    fn at(path: &str) -> (usize, usize) {
        let p = locate(DOC.as_bytes(), path).unwrap();
        (p.line, p.column)
    }

    #[test]
    fn accepts_pointers_and_dotted_paths() {
        assert_eq!(at(""), (1, 1));
        assert_eq!(at("/a"), (2, 8));
        assert_eq!(at("a.foo.tar.gz.sha256"), (2, 34));
        assert_eq!(at("list[1].v"), (3, 31));
        assert_eq!(at("/list/1/v"), (3, 31));
        assert_eq!(at("/x~1y"), (4, 10));
    }

    #[test]
    fn accepts_missing_members_as_the_enclosing_value() {
        assert_eq!(at("/list/1/missing"), (3, 15));
        assert_eq!(at("list[7]"), (3, 11));
        assert_eq!(at("nothing.here"), (1, 1));
    }

    #[test]
    fn rejects_text_that_is_not_json() {
        assert_eq!(locate(b"{\"a\": ", "/a"), None);
        let deep = "[".repeat(1000) + &"]".repeat(1000);
        assert_eq!(locate(deep.as_bytes(), "/0"), None);
    }
}
