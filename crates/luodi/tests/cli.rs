//! The `luodi` command as an operator uses it: help, migrate, demo (idempotent), serve.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

fn luodi() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_luodi"));
    cmd.env_remove("LUODI_DATABASE_URL")
        .env("LUODI_LOG", "warn");
    cmd
}

fn temp_db() -> String {
    let path = std::env::temp_dir().join(format!(
        "luodi-cli-{}-{}.db",
        std::process::id(),
        rand_suffix()
    ));
    format!("sqlite://{}", path.display())
}

fn rand_suffix() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos()
}

fn run(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn help_lists_the_subcommands() {
    let help = run(luodi().arg("--help"));
    for sub in ["serve", "migrate", "demo", "--database-url"] {
        assert!(help.contains(sub), "{sub} missing from:\n{help}");
    }
    assert!(run(luodi().args(["serve", "--help"])).contains("--bind"));
    assert!(run(luodi().args(["demo", "--help"])).contains("--password"));
}

#[test]
fn demo_is_idempotent_and_prints_a_generated_password() {
    let db = temp_db();
    run(luodi().args(["migrate", "--database-url", &db]));
    let first = run(luodi().args(["demo", "--database-url", &db, "--password", "Luodi@2026"]));
    assert!(
        first.contains("Luodi@2026") && first.contains("admin"),
        "{first}"
    );
    // The URL may also come from the environment; a second run adds nothing.
    let second = run(luodi().env("LUODI_DATABASE_URL", &db).args(["demo"]));
    let line = second
        .lines()
        .find(|l| l.contains("密码均为"))
        .expect(&second);
    let generated = line.split('：').nth(1).unwrap().trim_end_matches('）');
    assert!(generated.len() >= 8 && generated != "Luodi@2026", "{line}");
    assert_eq!(
        first.lines().next().unwrap(),
        second.lines().next().unwrap(),
        "same counts on the second run"
    );
}

#[test]
fn serve_prints_its_url_and_answers_health() {
    let db = temp_db();
    let mut child = luodi()
        .args(["serve", "--bind", "127.0.0.1:0", "--database-url", &db])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut lines = BufReader::new(stdout).lines();
    let mut printed = Vec::new();
    let url = loop {
        let line = lines.next().expect("server exited early").unwrap();
        printed.push(line.clone());
        if let Some(i) = line.find("http://") {
            break line[i..].trim().to_owned();
        }
    };
    // A new database gets an administrator with a one-time password.
    assert!(
        printed
            .iter()
            .any(|l| l.contains("admin") && l.contains("初始密码")),
        "{printed:?}"
    );
    let health = http_get(
        url.trim_start_matches("http://").trim_end_matches('/'),
        "/api/health",
    );
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(health.starts_with("HTTP/1.1 200"), "{health}");
    assert!(health.contains("\"database\":\"sqlite\""), "{health}");
}

fn http_get(addr: &str, path: &str) -> String {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    response
}

/// The committed OpenAPI document (from which the web client's types are generated and which
/// the fuzz stage reads) is what the server describes. Run inside the test suite, so that the
/// check costs no build of its own.
#[test]
fn the_committed_openapi_document_is_current() {
    let printed = run(luodi().arg("openapi"));
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/openapi.json");
    let committed = std::fs::read_to_string(path).unwrap();
    assert!(
        printed.trim_end() == committed.trim_end(),
        "docs/openapi.json is stale: cargo run -p luodi -- openapi > docs/openapi.json \
         && (cd web && npm run gen:api)"
    );
}
