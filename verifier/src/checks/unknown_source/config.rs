//! `[sources.unknown-source]` (default severity `high`). The allowed registries themselves live
//! in `[registries]`.

crate::checks::common::check_options! {
    /// Options of the `unknown-source` check.
    pub struct Options {
        /// Also check git sources against `allow-git` (default `false`: git sources are governed
        /// by `unpinned-git` only).
        pub check_git: bool = false,
        /// Allowed git repositories: globs over `host/path` (`github.com/my-org/*`).
        pub allow_git: Vec<String> = Vec::new(),
        /// Allowed non-registry URLs (npm tarballs, Cargo `directory+`/`local-registry+`
        /// sources): globs over `host/path` or the raw source.
        pub allow_urls: Vec<String> = Vec::new(),
        /// Internal packages (`@corp/*`, `corp-*`): must resolve from `internal-registries` (or
        /// their scope's registry in `[registries.scopes]`). Resolving one from anywhere else,
        /// the public registry included, is dependency confusion.
        pub internal: Vec<String> = Vec::new(),
        /// Registries that host the internal packages (allowed for every package when
        /// `internal-mirrors-public` is true, else for internal packages only).
        pub internal_registries: Vec<String> = Vec::new(),
        /// The internal registries also proxy the public registry (default `false`: a public
        /// package resolved from an internal registry is reported, the reverse confusion).
        pub internal_mirrors_public: bool = false,
    }
}
