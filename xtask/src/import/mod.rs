//! `cargo xtask import`: the official workbook to `spec/`.

use std::process::ExitCode;

/// Runs the import task.
pub fn main(_args: &[String]) -> ExitCode {
    eprintln!("import: not implemented yet");
    ExitCode::FAILURE
}
