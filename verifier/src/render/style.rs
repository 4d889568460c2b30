//! Minimal ANSI styling for terminal output; everything is plain text when colour is off.

/// Whether to emit ANSI colour codes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Style {
    /// Emit colour.
    pub color: bool,
}

impl Style {
    fn wrap(&self, code: &str, s: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_owned()
        }
    }

    /// Bold text.
    pub fn bold(&self, s: &str) -> String {
        self.wrap("1", s)
    }

    /// Dimmed text.
    pub fn dim(&self, s: &str) -> String {
        self.wrap("2", s)
    }

    /// Red text.
    pub fn red(&self, s: &str) -> String {
        self.wrap("31", s)
    }

    /// Yellow text.
    pub fn yellow(&self, s: &str) -> String {
        self.wrap("33", s)
    }

    /// Green text.
    pub fn green(&self, s: &str) -> String {
        self.wrap("32", s)
    }

    /// Cyan text.
    pub fn cyan(&self, s: &str) -> String {
        self.wrap("36", s)
    }
}
