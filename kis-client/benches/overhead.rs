//! Client overhead benchmarks (placeholder body replaced below).
fn main() {}
