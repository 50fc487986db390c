//! Runs the built `kis` binary against a `kis mock` it starts (over loopback), with its own
//! config, token cache, journal and home in a temporary directory.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

pub const KIS: &str = env!("CARGO_BIN_EXE_kis");

/// A running `kis mock` and the environment that points `kis` at it.
pub struct Sim {
    child: Child,
    pub dir: tempfile::TempDir,
    pub config: PathBuf,
    pub rest_url: String,
}

impl Sim {
    pub fn start(real: bool) -> Sim {
        Sim::start_with(real, &[])
    }

    /// A simulator with more `kis mock` arguments (e.g. `--page-size 1`).
    pub fn start_with(real: bool, extra: &[&str]) -> Sim {
        let dir = tempfile::tempdir().unwrap();
        let mut cmd = Command::new(KIS);
        cmd.arg("mock").arg("--until-stdin-closes").args(extra);
        if real {
            cmd.arg("--real-service");
        }
        let mut child = cmd
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut yaml = String::new();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        for line in &mut lines {
            let line = line.unwrap();
            yaml.push_str(&line);
            yaml.push('\n');
            if line == "# end" {
                break;
            }
        }
        let rest_url = yaml
            .lines()
            .find_map(|l| l.strip_prefix("vps: \""))
            .unwrap()
            .trim_end_matches('"')
            .to_owned();
        let config = dir.path().join("kis_devlp.yaml");
        std::fs::write(&config, &yaml).unwrap();
        Sim {
            child,
            dir,
            config,
            rest_url,
        }
    }

    /// A `kis` command with this simulator's environment (and nothing of the caller's KIS_*).
    pub fn kis(&self, args: &[&str]) -> Command {
        kis_in(self.dir.path(), &self.config, args)
    }

    /// Runs `kis args` with `stdin`; (exit code, stdout, stderr).
    pub fn run(&self, args: &[&str], envs: &[(&str, &str)], stdin: &str) -> (i32, String, String) {
        let mut c = self.kis(args);
        for (k, v) in envs {
            c.env(k, v);
        }
        run(c, stdin)
    }
}

impl Drop for Sim {
    fn drop(&mut self) {
        drop(self.child.stdin.take());
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A `kis` command with `config` and its caches, journal and home under `dir` (and nothing of
/// the caller's KIS_*).
pub fn kis_in(dir: &std::path::Path, config: &std::path::Path, args: &[&str]) -> Command {
    let mut c = Command::new(KIS);
    for (k, _) in std::env::vars() {
        if k.starts_with("KIS_") || k == "NO_COLOR" {
            c.env_remove(k);
        }
    }
    c.args(args)
        .env("KIS_CONFIG", config)
        .env("HOME", dir)
        .env("XDG_CACHE_HOME", dir.join("cache"))
        .env("KIS_TOKEN_CACHE_DIR", dir.join("tokens"))
        .env("KIS_JOURNAL_DIR", dir.join("journal"))
        .env("NO_COLOR", "1");
    c
}

pub fn run(mut c: Command, stdin: &str) -> (i32, String, String) {
    let mut child = c
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The command may finish (a refusal) before reading its input: a closed pipe is fine.
    let _ = child.stdin.take().unwrap().write_all(stdin.as_bytes());
    let out = child.wait_with_output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The kis_devlp.yaml of an in-process `server`, reached at `rest_url` and `ws_url` (its own,
/// or a relay's in front of it).
pub fn devlp_yaml(server: &kis_mock::MockServer, rest_url: &str, ws_url: &str) -> String {
    let c = server.config();
    let (cano, prdt) = c.account_parts();
    let env = match c.env {
        kis_mock::MockEnv::Real => "real",
        kis_mock::MockEnv::Paper => "paper",
    };
    let mut s = String::new();
    for (k, v) in [
        ("my_app", c.app_key.as_str()),
        ("my_sec", c.app_secret.as_str()),
        ("paper_app", c.app_key.as_str()),
        ("paper_sec", c.app_secret.as_str()),
        ("my_htsid", c.hts_id.as_str()),
        ("my_acct_stock", cano),
        ("my_paper_stock", cano),
        ("my_prod", prdt),
        ("prod", rest_url),
        ("ops", ws_url),
        ("vps", rest_url),
        ("vops", ws_url),
        ("my_agent", "kis-cli-test"),
        ("env", env),
    ] {
        s.push_str(&format!("{k}: \"{v}\"\n"));
    }
    s
}

/// `kis` commands against an in-process kis-mock (or a relay in front of it), with their own
/// home, caches and journal.
pub struct Setup {
    pub dir: tempfile::TempDir,
    pub config: PathBuf,
}

impl Setup {
    pub fn new(server: &kis_mock::MockServer, rest_url: &str, ws_url: &str) -> Setup {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("kis_devlp.yaml");
        std::fs::write(&config, devlp_yaml(server, rest_url, ws_url)).unwrap();
        Setup { dir, config }
    }

    /// Straight to `server`.
    pub fn direct(server: &kis_mock::MockServer) -> Setup {
        Setup::new(server, &server.rest_url(), &server.ws_url())
    }

    pub fn command(&self, args: &[&str]) -> tokio::process::Command {
        let mut c = kis_in(self.dir.path(), &self.config, args);
        c.env("KIS_RATE_LIMIT", "10000");
        tokio::process::Command::from(c)
    }

    /// Runs `kis args` to the end: (exit code, stdout, stderr).
    pub async fn run(&self, args: &[&str], envs: &[(&str, &str)]) -> (i32, String, String) {
        let mut c = self.command(args);
        for (k, v) in envs {
            c.env(k, v);
        }
        let out = c.stdin(Stdio::null()).output().await.unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }
}
