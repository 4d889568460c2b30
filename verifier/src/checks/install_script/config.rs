//! `[pinning.install-script]` (`severity`: findings for packages on no list, default `low`).

use crate::finding::Severity;

crate::checks::common::check_options! {
    /// Options of the `install-script` check.
    pub struct Options {
        /// Packages whose install scripts are expected (`name`, `name@version`, `*` globs): not
        /// reported.
        pub allow: Vec<String> = Vec::new(),
        /// Packages whose install scripts are forbidden: reported with `deny-severity`. `deny`
        /// wins over `allow`.
        pub deny: Vec<String> = Vec::new(),
        /// Severity of findings for denied packages (default: `high`).
        pub deny_severity: Severity = Severity::High,
    }
}
