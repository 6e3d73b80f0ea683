//! Integration tests: one binary, fixture feeds served on 127.0.0.1, the real `planet` binary.

mod browser;
mod fidelity;
mod manners;
mod operator;
mod pipeline;
mod server;
mod support;
mod unattended;
mod validate;
mod venus;
