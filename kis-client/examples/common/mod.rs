//! Shared scaffolding of the examples: picks where they run (the embedded kis-mock by default,
//! the KIS service with `--live` or `KIS_LIVE=1`), builds the client, and opens realtime sessions.
#![allow(
    dead_code,
    reason = "each example binary uses a different part of this module"
)]

use std::error::Error as StdError;
use std::time::Duration;

use futures::StreamExt as _;
use kis_client::{Client, Config, Env};
use kis_mock::{MockConfig, MockServer};
use kis_ws::{Event, Options, Session};

/// The error type of the examples.
pub type BoxError = Box<dyn StdError + Send + Sync>;

/// Command-line switches shared by the examples.
#[derive(Debug, Clone, Copy, Default)]
pub struct Args {
    /// Use the KIS service configured in `kis_devlp.yaml` / `KIS_*` instead of the simulator.
    pub live: bool,
    /// Allow placing orders on the live service.
    pub trade: bool,
}

impl Args {
    /// Reads `--live`, `--trade` and `KIS_LIVE=1`; rejects anything else.
    pub fn parse() -> Result<Args, BoxError> {
        let mut args = Args {
            live: matches!(
                std::env::var("KIS_LIVE").as_deref(),
                Ok("1" | "true" | "yes")
            ),
            trade: false,
        };
        for a in std::env::args().skip(1) {
            match a.as_str() {
                "--live" => args.live = true,
                "--trade" => args.trade = true,
                "-h" | "--help" => {
                    println!(
                        "options: --live (use kis_devlp.yaml / KIS_* instead of the simulator), \
                         --trade (allow orders on the live service)"
                    );
                    std::process::exit(0);
                }
                other => return Err(format!("unknown argument {other:?} (try --help)").into()),
            }
        }
        if args.trade && !args.live {
            return Err("--trade only makes sense with --live".into());
        }
        Ok(args)
    }
}

/// Runs an example's `run` on a tokio runtime and turns an error into exit code 1.
pub fn main_with<F, Fut>(run: F)
where
    F: FnOnce(Args) -> Fut,
    Fut: std::future::Future<Output = Result<(), BoxError>>,
{
    let result = Args::parse().and_then(|args| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()?
            .block_on(run(args))
    });
    if let Err(e) = result {
        eprintln!("error: {e}");
        let mut source = e.source();
        while let Some(s) = source {
            eprintln!("  caused by: {s}");
            source = s.source();
        }
        std::process::exit(1);
    }
}

/// Where an example runs: a client, and the simulator it talks to (kept alive) if any.
pub struct Target {
    /// The REST client.
    pub client: Client,
    /// The embedded simulator; `None` on the live service.
    pub mock: Option<MockServer>,
    /// The simulator's private token cache directory (deleted on drop).
    cache: Option<tempfile::TempDir>,
}

impl Target {
    /// The live service from `kis_devlp.yaml` and `KIS_*` (see `Config::load`), or a fresh
    /// embedded simulator of `env` with a matching client.
    pub async fn new(args: Args, env: Env) -> Result<Target, BoxError> {
        Target::with(args, env, |_| {}).await
    }

    /// [`Target::new`], with the simulator's configuration adjusted by `tweak`.
    pub async fn with(
        args: Args,
        env: Env,
        tweak: impl FnOnce(&mut MockConfig),
    ) -> Result<Target, BoxError> {
        if args.live {
            let config = Config::load().map_err(|e| {
                format!(
                    "--live needs credentials (kis_devlp.yaml or KIS_APP_KEY/KIS_APP_SECRET): {e}"
                )
            })?;
            return Ok(Target {
                client: Client::new(config)?,
                mock: None,
                cache: None,
            });
        }
        let mut mc = match env {
            Env::Real => MockConfig::default(),
            Env::Paper => MockConfig::paper(),
        };
        // Ticks every 100 ms so a one-second window shows a few.
        mc.data_interval = Some(Duration::from_millis(100));
        tweak(&mut mc);
        let mock = MockServer::start(mc).await?;
        let c = mock.config();
        let cache = tempfile::tempdir()?;
        let config = Config::builder()
            .env(env)
            .app_key(c.app_key.clone())
            .app_secret(c.app_secret.clone())
            .account(c.account.clone())
            .hts_id(c.hts_id.clone())
            .rest_url(mock.rest_url())
            .ws_url(mock.ws_url())
            .rate_limit_per_sec(c.rate_limit_per_sec.unwrap_or(1000))
            .token_cache_dir(cache.path())
            .build()?;
        Ok(Target {
            client: Client::new(config)?,
            mock: Some(mock),
            cache: Some(cache),
        })
    }

    /// The token cache directory of the simulator's client.
    pub fn mock_token_cache(&self) -> Option<&std::path::Path> {
        self.cache.as_ref().map(|c| c.path())
    }

    /// On the simulator, fails when a realtime window showed no records (the simulator
    /// always sends some); on the live service zero is normal outside market hours.
    pub fn check_realtime(&self, records: usize) -> Result<(), BoxError> {
        if self.is_mock() && records == 0 {
            return Err("the simulator sent no realtime records".into());
        }
        Ok(())
    }

    /// True on the embedded simulator.
    pub fn is_mock(&self) -> bool {
        self.mock.is_some()
    }

    /// One line saying where this runs.
    pub fn describe(&self) -> String {
        let env = match self.client.config().env() {
            Env::Real => "real",
            Env::Paper => "paper",
        };
        match &self.mock {
            Some(m) => format!("embedded kis-mock ({env} service) at {}", m.rest_url()),
            None => format!("KIS {env} service at {}", self.client.config().rest_url()),
        }
    }

    /// Opens a realtime session on the client's service; the client issues (and, when KIS
    /// refuses one, renews) the approval key.
    pub async fn realtime(&self) -> Result<Session, BoxError> {
        Ok(Session::connect(&self.client, Options::default()).await?)
    }
}

/// Subscribes to each `(tr_id, tr_key)`, then for `window` turns each record into a line with
/// `show` (`None` for records it is not interested in), prints the first three lines of each TR,
/// and returns the number of records shown.
pub async fn watch(
    session: &Session,
    subs: &[(&str, &str)],
    window: Duration,
    mut show: impl FnMut(&kis_ws::AnyRecord) -> Option<String>,
) -> Result<usize, BoxError> {
    let mut events = session.events();
    for (tr_id, tr_key) in subs {
        session.subscribe(tr_id, tr_key).await?;
    }
    let mut per_tr = std::collections::HashMap::<String, usize>::new();
    let deadline = tokio::time::Instant::now() + window;
    while let Ok(Some(event)) = tokio::time::timeout_at(deadline, events.next()).await {
        match event {
            Event::Data { tr_id, record, .. } => {
                if let Some(line) = show(&record) {
                    let n = per_tr.entry(tr_id.to_string()).or_default();
                    *n += 1;
                    if *n <= 3 {
                        println!("  {line}");
                    }
                }
            }
            Event::Disconnected { reason } => println!("  (disconnected: {reason})"),
            Event::Error(e) => println!("  (undecodable frame: {e})"),
            _ => {}
        }
    }
    Ok(per_tr.values().sum())
}
