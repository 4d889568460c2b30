//! Tests over slsa-verifier's vectors (the 219 policy cases and their negative twins) and over
//! synthetic statements (the checks no vector exercises).

mod harness;
mod policy;
mod props;
mod twins;
mod vectors;
