//! Integration tests: one binary, fixture feeds served on 127.0.0.1, the real `planet` binary.

mod fidelity;
mod pipeline;
mod server;
mod support;
mod venus;
