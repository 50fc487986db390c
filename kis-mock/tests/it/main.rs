//! Integration tests: drive kis-mock over real loopback sockets with plain reqwest and raw
//! tokio-tungstenite, so the simulator is checked against the protocol, not our client.

mod account;
mod all_endpoints;
mod auth;
mod binary;
mod client;
mod common;
mod control;
mod day;
mod derivatives;
mod faults;
mod identity;
mod market;
mod overseas;
mod paging;
mod rest;
mod rollover;
mod wire;
mod ws;
