//! Integration tests: one binary, fixture feeds served on 127.0.0.1, the real `planet` binary.

mod architecture;
mod bench;
mod browser;
mod corpus_rate;
mod endtoend;
mod fidelity;
mod fuzz;
mod html;
mod manners;
mod memory;
mod normalize;
mod operator;
mod pipeline;
// Shared with the benchmark, which uses more of it.
#[path = "../support/server.rs"]
mod server;
mod support;
mod unattended;
mod validate;
mod venus;
mod xml_attacks;
mod xss;
