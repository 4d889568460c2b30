//! Binary tests: one test binary, one module per command.

mod db;
