//! Integration tests: one binary, fixture feeds served on 127.0.0.1, the real `planet` binary.

mod corpus_rate;
mod normalize;
mod pipeline;
mod server;
mod support;
mod xml_attacks;
mod xss;
