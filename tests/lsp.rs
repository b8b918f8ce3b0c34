//! `deployc lsp` end to end: the built binary, real JSON-RPC with
//! Content-Length framing over its stdin/stdout, a timeout on every wait so a
//! broken server fails the test instead of hanging it.

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::thread;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

const TIMEOUT: Duration = Duration::from_secs(20);
const URI: &str = "file:///work/shop.deploy";

/// Two mistakes: an unknown metric after non-ASCII text on its line (so the
/// column must count UTF-16 units: `—` is 1 unit, `🚀` is 2), an unknown
/// contact. Everything else is valid.
const INVALID: &str = r#"# A spec with two mistakes.
release shop {
  title "Shop 2.0"
  version "2.0.0"
  namespace "shop"
  owner lead
}
service api {
  image "example/api:2.0.0"
  port http 8080
}
contact lead {
  role "Deployment lead"
  name "Ana Núñez"; email "ana@example.com"
}
metric error_rate {
  query "sum(rate(http_errors_total[5m])) / sum(rate(http_requests_total[5m]))"
  unit ratio
  normal < 1%
  warning 1%..5% for 5m
  critical > 5% for 5m
}
phase canary {
  title "Canary — 🚀 25%"; gate error_rat < 1% for 15m
  at T+0
  canary 25%
  gate error_rate < 1% for 15m
  owner leed
}
"#;

struct Client {
    child: Child,
    stdin: Option<ChildStdin>,
    messages: Receiver<Value>,
    next_id: i64,
}

impl Client {
    fn start() -> Client {
        let mut child = Command::new(env!("CARGO_BIN_EXE_deployc"))
            .arg("lsp")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("deployc lsp starts");
        let stdin = child.stdin.take();
        let stdout = child.stdout.take().expect("piped stdout");
        let (tx, messages) = mpsc::channel();
        thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            while let Some(msg) = read_message(&mut reader) {
                if tx.send(msg).is_err() {
                    break;
                }
            }
        });
        Client {
            child,
            stdin,
            messages,
            next_id: 1,
        }
    }

    fn send(&mut self, msg: Value) {
        let body = serde_json::to_string(&msg).unwrap();
        let stdin = self.stdin.as_mut().expect("stdin still open");
        write!(stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).unwrap();
        stdin.flush().unwrap();
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({ "jsonrpc": "2.0", "method": method, "params": params }));
    }

    /// Sends a request and waits for its response (notifications in between
    /// are dropped), returning the whole response.
    fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        self.send(json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }));
        self.wait_for(&format!("the response to {method}"), |m| {
            m.get("id") == Some(&json!(id)) && m.get("method").is_none()
        })
    }

    fn wait_for(&self, what: &str, wanted: impl Fn(&Value) -> bool) -> Value {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.messages.recv_timeout(left) {
                Ok(m) if wanted(&m) => return m,
                Ok(_) => {}
                Err(RecvTimeoutError::Timeout) => panic!("timed out waiting for {what}"),
                Err(RecvTimeoutError::Disconnected) => {
                    panic!("the server closed its output while we waited for {what}")
                }
            }
        }
    }

    fn diagnostics(&self) -> Value {
        self.wait_for("publishDiagnostics", |m| {
            m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == URI
        })["params"]
            .clone()
    }

    fn wait_exit(&mut self) -> ExitStatus {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                panic!("the server did not exit after shutdown + exit");
            }
            thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        // A failing test must not leave the server running.
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// One Content-Length framed message, or None at the end of the stream.
fn read_message(r: &mut impl BufRead) -> Option<Value> {
    let mut length = None;
    loop {
        let mut line = String::new();
        if r.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some(v) = line.strip_prefix("Content-Length:") {
            length = Some(v.trim().parse::<usize>().expect("a numeric Content-Length"));
        }
    }
    let mut body = vec![0; length.expect("a Content-Length header")];
    r.read_exact(&mut body).ok()?;
    Some(serde_json::from_slice(&body).expect("a JSON body"))
}

fn at(line: u32, character: u32) -> Value {
    json!({ "textDocument": { "uri": URI }, "position": { "line": line, "character": character } })
}

fn range(line: u32, start: u32, end: u32) -> Value {
    json!({ "start": { "line": line, "character": start }, "end": { "line": line, "character": end } })
}

#[test]
fn a_session_from_initialize_to_exit() {
    let mut client = Client::start();

    // initialize: full sync, definition, hover.
    let init = client.request(
        "initialize",
        json!({ "processId": null, "rootUri": null, "capabilities": {} }),
    );
    let caps = &init["result"]["capabilities"];
    assert_eq!(caps["textDocumentSync"], 1, "{init}");
    assert_eq!(caps["definitionProvider"], true, "{init}");
    assert_eq!(caps["hoverProvider"], true, "{init}");
    assert_eq!(init["result"]["serverInfo"]["name"], "deployc");
    client.notify("initialized", json!({}));

    // didOpen an invalid spec: both errors, exact UTF-16 ranges.
    client.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": URI, "languageId": "deploy", "version": 1, "text": INVALID } }),
    );
    let published = client.diagnostics();
    assert_eq!(published["version"], 1);
    let diags = published["diagnostics"].as_array().unwrap();
    let codes: Vec<&str> = diags.iter().map(|d| d["code"].as_str().unwrap()).collect();
    assert_eq!(codes, ["E0302", "E0303"], "{published:#}");
    // `error_rat` is bytes 36..45 of its line, chars 31..40, UTF-16 32..41.
    assert_eq!(diags[0]["range"], range(23, 32, 41));
    assert_eq!(diags[0]["severity"], 1);
    assert_eq!(diags[0]["source"], "deployc");
    assert_eq!(
        diags[0]["message"],
        "unknown metric `error_rat`\ndid you mean `error_rate`?"
    );
    assert_eq!(diags[1]["range"], range(27, 8, 12));
    assert!(diags[1]["message"]
        .as_str()
        .unwrap()
        .starts_with("unknown contact `leed`"));

    // definition on a metric reference: the name in `metric error_rate {`.
    let def = client.request("textDocument/definition", at(26, 10));
    assert_eq!(def["result"]["uri"], URI, "{def}");
    assert_eq!(def["result"]["range"], range(15, 7, 17));
    // Not on a name: no definition.
    let none = client.request("textDocument/definition", at(25, 3));
    assert_eq!(none["result"], Value::Null, "{none}");

    // hover on a contact reference (`owner lead` in release): kind and role.
    let hover = client.request("textDocument/hover", at(5, 9));
    let text = hover["result"]["contents"]["value"]
        .as_str()
        .unwrap_or_default();
    assert_eq!(hover["result"]["contents"]["kind"], "markdown", "{hover}");
    assert!(text.contains("**contact** `lead`"), "{text}");
    assert!(text.contains("role \"Deployment lead\""), "{text}");
    assert_eq!(hover["result"]["range"], range(5, 8, 12));

    // didChange that fixes both mistakes: an empty list.
    let fixed = INVALID
        .replace("gate error_rat <", "gate error_rate <")
        .replace("owner leed", "owner lead");
    client.notify(
        "textDocument/didChange",
        json!({
            "textDocument": { "uri": URI, "version": 2 },
            "contentChanges": [ { "text": fixed } ],
        }),
    );
    let published = client.diagnostics();
    assert_eq!(published["version"], 2);
    assert_eq!(published["diagnostics"], json!([]), "{published:#}");

    // didClose clears them.
    client.notify(
        "textDocument/didClose",
        json!({ "textDocument": { "uri": URI } }),
    );
    let published = client.diagnostics();
    assert_eq!(published["diagnostics"], json!([]));

    // shutdown + exit: exit code 0.
    let shutdown = client.request("shutdown", Value::Null);
    assert_eq!(shutdown["result"], Value::Null, "{shutdown}");
    assert!(shutdown.get("error").is_none(), "{shutdown}");
    client.notify("exit", Value::Null);
    drop(client.stdin.take());
    let status = client.wait_exit();
    assert_eq!(status.code(), Some(0));
}

#[test]
fn exit_without_shutdown_is_unclean() {
    let mut client = Client::start();
    client.request("initialize", json!({ "capabilities": {} }));
    client.notify("initialized", json!({}));
    client.notify("exit", Value::Null);
    drop(client.stdin.take());
    assert_eq!(client.wait_exit().code(), Some(1));
}
