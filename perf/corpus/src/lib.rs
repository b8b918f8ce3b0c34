//! Deterministic corpora of `.deploy` specs for deployc's benchmarks.
//!
//! - [`spec`]: a varied spec shaped like the seed specs, for stage and
//!   scale benchmarks;
//! - [`peer`]: one plain canary service, as a spec and as the values file
//!   that Helm, Jsonnet and Jinja2 render the same objects from, for the
//!   side-by-side comparison in `perf/compare.sh`.

mod peer;
mod rng;
mod spec;

pub use peer::peer;
pub use spec::spec;
