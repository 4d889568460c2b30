//! Test support shared by `verifier/tests` and `cli/tests` (through `#[path]`): a loopback HTTP
//! server with scripted faults, and generated registries and lockfiles.

pub mod fixtures;
pub mod schema;
pub mod server;
pub mod tools;
