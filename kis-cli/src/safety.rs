//! The real-money gate of the command line: on the real service a state-changing call needs
//! the configuration's opt-in (`allow_real_trading`, `KIS_ALLOW_REAL_TRADING=1`) and then a
//! confirmation that echoes the exact order, typed `yes` (or `--yes`). Paper needs neither.

use std::io::{BufRead, Write};

use kis_client::Env;

use crate::exit::{Failure, Outcome};

/// Checks the gate for one state-changing action described by `what` (the exact order).
pub fn confirm(env: Env, allow_real_trading: bool, yes: bool, what: &str) -> Outcome<()> {
    if env == Env::Paper {
        return Ok(());
    }
    if !allow_real_trading {
        return Err(Failure::invalid(
            None,
            format!(
                "refused: {what} would go to the REAL service and real trading is not enabled \
                 (set allow_real_trading: true in kis_devlp.yaml or KIS_ALLOW_REAL_TRADING=1); nothing was sent"
            ),
        ));
    }
    if yes {
        eprintln!("REAL order (confirmed by --yes): {what}");
        return Ok(());
    }
    let mut err = std::io::stderr().lock();
    let _ = write!(
        err,
        "REAL service, real money:\n  {what}\nType `yes` to send it, anything else to stop: "
    );
    let _ = err.flush();
    let mut answer = String::new();
    let read = std::io::stdin().lock().read_line(&mut answer);
    match read {
        Ok(_) if answer.trim() == "yes" => Ok(()),
        _ => Err(Failure::invalid(
            None,
            format!("not confirmed: {what} was not sent"),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paper_passes_real_needs_the_opt_in() {
        assert!(confirm(Env::Paper, false, false, "buy").is_ok());
        let e = confirm(Env::Real, false, true, "buy 1 005930").unwrap_err();
        assert_eq!(e.code, 3);
        assert!(e.message.contains("not enabled"));
        assert!(confirm(Env::Real, true, true, "buy").is_ok());
    }
}
