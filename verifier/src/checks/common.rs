//! The configuration block every check shares, and the one declaration of a check's options.
//!
//! Every check's section (`[pinning.missing-hash]`, `[drift]`, …) takes the same three keys,
//! [`CheckSettings`]: `enabled`, `severity` and `ignore`. [`run_checks`](super::run_checks)
//! applies `enabled` and `ignore` for every check alike; the check applies `severity` where it
//! builds its findings. A check's own keys are declared once with [`check_options!`], which also
//! writes the TOML shape: the common keys and the check's keys side by side in one
//! `deny_unknown_fields` struct, so an unknown key stays an error that names the key, its line
//! and every key the section accepts.

use serde::{Deserialize, Serialize};

use crate::finding::Severity;

/// `enabled`, `severity` and `ignore`: the keys of every check's section.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
pub struct CheckSettings {
    /// Run the check (default `true`).
    pub enabled: bool,
    /// Severity of its findings (default: the kind's, `Code::default_severity`).
    pub severity: Option<Severity>,
    /// Packages whose findings of this check are not reported (`name`, `name@version`, `*`
    /// globs). A pattern that matches no package of the graph is reported as stale.
    pub ignore: Vec<String>,
}

impl Default for CheckSettings {
    fn default() -> Self {
        CheckSettings {
            enabled: true,
            severity: None,
            ignore: Vec::new(),
        }
    }
}

/// A check's whole section: the common block and the check's own options (reachable through
/// `Deref`, so `cfg.allow_hosts` reads an option and `cfg.settings.enabled` the common block).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CheckConfig<T> {
    /// `enabled`, `severity`, `ignore`.
    pub settings: CheckSettings,
    /// The check's own keys.
    pub options: T,
}

impl<T> std::ops::Deref for CheckConfig<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.options
    }
}

impl<T> std::ops::DerefMut for CheckConfig<T> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.options
    }
}

/// A check's own options, as declared by [`check_options!`]: `Raw` is the section's TOML shape.
pub trait CheckOptions: Sized {
    /// The section as written: common keys and options in one `deny_unknown_fields` struct.
    type Raw: for<'de> Deserialize<'de> + Serialize;
    /// Splits a parsed section.
    fn split(raw: Self::Raw) -> CheckConfig<Self>;
    /// Joins a section back (for serialising).
    fn join(cfg: &CheckConfig<Self>) -> Self::Raw;
}

impl<'de, T: CheckOptions> Deserialize<'de> for CheckConfig<T> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        T::Raw::deserialize(d).map(T::split)
    }
}

impl<T: CheckOptions> Serialize for CheckConfig<T> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        T::join(self).serialize(s)
    }
}

/// Declares a check's options (`pub struct Options { /// doc  pub key: Type = default, … }`)
/// and `pub type Config = CheckConfig<Options>`: the check's section with the common block.
/// Keys are the fields in kebab-case; a check with no keys of its own writes `Options {}`.
macro_rules! check_options {
    (
        $(#[$meta:meta])*
        pub struct Options {
            $( $(#[$fmeta:meta])* pub $field:ident : $ty:ty = $default:expr, )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub struct Options {
            $( $(#[$fmeta])* pub $field: $ty, )*
        }

        impl Default for Options {
            fn default() -> Self {
                Options { $( $field: $default, )* }
            }
        }

        /// The check's section with the common block (`enabled`, `severity`, `ignore`).
        pub type Config = $crate::checks::common::CheckConfig<Options>;

        /// The section as written in `tollgate.toml`: the common keys beside the options.
        #[derive(Debug, serde::Deserialize, serde::Serialize)]
        #[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
        pub struct Raw {
            enabled: bool,
            severity: Option<$crate::finding::Severity>,
            ignore: Vec<String>,
            $( $field: $ty, )*
        }

        impl Default for Raw {
            fn default() -> Self {
                let s = $crate::checks::common::CheckSettings::default();
                #[allow(unused_variables)] // `Options {}` has no field to take
                let o = Options::default();
                Raw {
                    enabled: s.enabled,
                    severity: s.severity,
                    ignore: s.ignore,
                    $( $field: o.$field, )*
                }
            }
        }

        impl $crate::checks::common::CheckOptions for Options {
            type Raw = Raw;
            fn split(raw: Raw) -> Config {
                $crate::checks::common::CheckConfig {
                    settings: $crate::checks::common::CheckSettings {
                        enabled: raw.enabled,
                        severity: raw.severity,
                        ignore: raw.ignore,
                    },
                    options: Options { $( $field: raw.$field, )* },
                }
            }
            fn join(cfg: &Config) -> Raw {
                Raw {
                    enabled: cfg.settings.enabled,
                    severity: cfg.settings.severity,
                    ignore: cfg.settings.ignore.clone(),
                    $( $field: cfg.options.$field.clone(), )*
                }
            }
        }
    };
}

pub(crate) use check_options;
