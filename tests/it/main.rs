//! Integration tests of behaviour: one binary, fixture feeds served on 127.0.0.1, the library
//! run in-process at a fixed clock; `cli.rs` runs the real `planet` binary for what only the
//! process shows. The external validators are the other target, `tests/judges`.

mod architecture;
mod bench;
mod cli;
mod contrib;
mod corpus_rate;
mod endtoend;
mod fidelity;
mod fuzz;
mod html;
mod manners;
mod manual;
mod memory;
mod normalize;
mod operator;
mod pipeline;
mod serve;
// Shared with `tests/judges`, which uses more of it.
#[allow(dead_code)]
mod planets;
mod readers;
// Shared with the benchmark, which uses more of it.
#[path = "../support/server.rs"]
mod server;
mod support;
mod theme;
mod unattended;
mod undated;
mod validate;
mod venus;
mod websub;
mod xml_attacks;
mod xss;
