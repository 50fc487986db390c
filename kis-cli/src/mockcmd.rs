//! `kis mock`: starts the simulator (kis-mock) on loopback, prints the `kis_devlp.yaml` that
//! points any client (this one, the official Python samples) at it, and serves until Ctrl-C.

use std::io::Write;

use kis_mock::{MockConfig, MockEnv, MockServer};

use crate::exit::{Failure, Outcome};

/// `kis mock` options.
#[derive(Debug, Clone, Default)]
pub struct MockArgs {
    /// Imitate the real service (real TR IDs); paper otherwise.
    pub real: bool,
    /// REST port (0: any free port).
    pub rest_port: u16,
    /// Websocket port (0: any free port).
    pub ws_port: u16,
    /// Market seed.
    pub seed: u64,
    /// Rows per page of daily executions and the balance (KIS's sizes when `None`).
    pub page_size: Option<u32>,
}

/// The YAML for a running simulator. The simulator's throwaway credentials are the point of
/// printing it; they are accepted by this simulator only.
pub fn devlp_yaml(mock: &MockServer) -> String {
    let c = mock.config();
    let (cano, prdt) = c.account_parts();
    let env = match c.env {
        MockEnv::Real => "real",
        MockEnv::Paper => "paper",
    };
    let mut s = format!(
        "# kis_devlp.yaml for the kis simulator ({env}); save it and set KIS_CONFIG to its path\n"
    );
    for (k, v) in [
        ("my_app", c.app_key.as_str()),
        ("my_sec", c.app_secret.as_str()),
        ("paper_app", c.app_key.as_str()),
        ("paper_sec", c.app_secret.as_str()),
        ("my_htsid", c.hts_id.as_str()),
        ("my_acct_stock", cano),
        ("my_paper_stock", cano),
        ("my_prod", prdt),
        ("prod", &mock.rest_url()),
        ("ops", &mock.ws_url()),
        ("vps", &mock.rest_url()),
        ("vops", &mock.ws_url()),
        ("my_agent", "kis-cli"),
        ("env", env),
    ] {
        s.push_str(&format!("{k}: \"{v}\"\n"));
    }
    s.push_str("# end\n");
    s
}

/// Runs the simulator until Ctrl-C (or stdin closes, when `--until-stdin-closes`).
pub async fn run(args: &MockArgs, until_stdin_closes: bool) -> Outcome<()> {
    let mut config = if args.real {
        MockConfig::default()
    } else {
        MockConfig::paper()
    };
    config.rest_port = args.rest_port;
    config.ws_port = args.ws_port;
    config.seed = args.seed;
    config.paging.account_rows = args.page_size;
    config.rate_limit_per_sec = None;
    let mock = MockServer::start(config)
        .await
        .map_err(|e| Failure::other(format!("cannot start the simulator: {e}")))?;
    eprintln!(
        "kis simulator: REST {} websocket {}; Ctrl-C stops",
        mock.rest_url(),
        mock.ws_url()
    );
    {
        let mut out = std::io::stdout().lock();
        out.write_all(devlp_yaml(&mock).as_bytes())?;
        out.flush()?;
    }
    if until_stdin_closes {
        let stdin = tokio::task::spawn_blocking(|| {
            let mut sink = Vec::new();
            let _ = std::io::Read::read_to_end(&mut std::io::stdin(), &mut sink);
        });
        tokio::select! {
            _ = stdin => {}
            _ = tokio::signal::ctrl_c() => {}
        }
    } else {
        let _ = tokio::signal::ctrl_c().await;
    }
    mock.shutdown();
    eprintln!("kis simulator stopped");
    Ok(())
}
