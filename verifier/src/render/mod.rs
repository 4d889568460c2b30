//! Renderers: turn data (graphs, reports) into terminal text, JSON, SARIF or Markdown.
//! Renderers do not decide: no filtering, re-ranking or pass/fail.

pub mod escape;
pub mod graph;
pub mod json;
pub mod markdown;
pub mod sarif;
pub mod style;
pub mod summary;
pub mod terminal;
mod text;

pub use text::rechecks;

pub use style::Style;
