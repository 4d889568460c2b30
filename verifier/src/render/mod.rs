//! Renderers: turn data (graphs, reports) into terminal text, JSON, SARIF or Markdown.
//! Renderers do not decide: no filtering, re-ranking or pass/fail.

pub mod graph;
pub mod style;

pub use style::Style;
