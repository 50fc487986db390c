//! `cargo xtask regen [--check]`: spec/ to the generated Rust trees.

use std::process::ExitCode;

/// Runs the regen task.
pub fn main(_args: &[String]) -> ExitCode {
    eprintln!("regen: not implemented yet");
    ExitCode::FAILURE
}
