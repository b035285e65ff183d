//! Integration tests: every RPC against a real server on 127.0.0.1:0 over a real sled store.

mod cli;
mod concurrency;
mod documents;
mod durability;
mod entities;
mod extraction;
mod health;
mod python;
mod restart;
mod tagger;
