//! Integration tests: one binary, fixture feeds served on 127.0.0.1, the real `planet` binary.

mod bench;
mod pipeline;
mod server;
mod support;
