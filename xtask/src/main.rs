//! Developer tasks for kis-rs: `cargo xtask import <workbook.xlsx>`, `cargo xtask regen [--check]`.

mod import;
mod regen;

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some((cmd, rest)) = args.split_first() else {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    };
    match cmd.as_str() {
        "import" => import::main(rest),
        "regen" => regen::main(rest),
        "-h" | "--help" | "help" => {
            println!("{USAGE}");
            ExitCode::SUCCESS
        }
        other => {
            eprintln!("unknown task `{other}`\n{USAGE}");
            ExitCode::from(2)
        }
    }
}

const USAGE: &str = "usage:
  cargo xtask import <workbook.xlsx> [--spec-dir DIR]   import the KIS workbook into spec/
  cargo xtask regen [--check]                           regenerate (or check) generated code";
