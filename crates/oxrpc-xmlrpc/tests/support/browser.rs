//! Headless Chromium for page tests, through
//! `tests/interop/browser/cdp_driver.py` (the DevTools protocol over a
//! pipe): load a page, evaluate JavaScript, click, type, screenshot. Also
//! `--dump-dom`, the DOM after the page's scripts ran.
//!
//! A missing Chromium fails the test: `apt-get install -y chromium`
//! (scripts/test installs it).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::time::Duration;

/// The Chromium binary (`OXRPC_CHROMIUM` wins), or a failure saying how
/// to install it.
pub fn chromium() -> String {
    if let Ok(path) = std::env::var("OXRPC_CHROMIUM") {
        return path;
    }
    for name in ["chromium", "chromium-browser"] {
        let found = Command::new("sh")
            .args(["-c", &format!("command -v {name}")])
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned());
        if let Some(path) = found.filter(|p| !p.is_empty()) {
            return path;
        }
    }
    panic!("headless Chromium is missing: apt-get install -y chromium (scripts/test does)");
}

/// The DOM of `url` after its scripts ran (`chromium --headless --dump-dom`).
pub fn dump_dom(url: &str) -> String {
    let mut cmd = Command::new(chromium());
    cmd.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-extensions",
        "--virtual-time-budget=5000",
        "--dump-dom",
        url,
    ]);
    let output = oxrpc_testkit::run_with_deadline(cmd, Duration::from_secs(120));
    oxrpc_testkit::expect_success("chromium --dump-dom", &output)
}

/// A page in headless Chromium, driven over the DevTools protocol.
pub struct Browser {
    child: Child,
    input: ChildStdin,
    output: BufReader<ChildStdout>,
}

impl Browser {
    /// Starts Chromium (through the driver script).
    pub fn start() -> Browser {
        let mut cmd = oxrpc_testkit::python_command();
        cmd.arg(oxrpc_testkit::interop_path("browser/cdp_driver.py"))
            .arg(chromium())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        let mut child = cmd.spawn().expect("start the Chromium driver");
        let input = child.stdin.take().unwrap();
        let output = BufReader::new(child.stdout.take().unwrap());
        let mut browser = Browser {
            child,
            input,
            output,
        };
        let ready = browser.reply();
        assert_eq!(ready, serde_json::json!("ready"));
        browser
    }

    fn reply(&mut self) -> serde_json::Value {
        let mut line = String::new();
        let n = self.output.read_line(&mut line).unwrap();
        assert!(n > 0, "the Chromium driver exited");
        let reply: serde_json::Value = serde_json::from_str(&line).unwrap();
        assert!(
            reply["ok"].as_bool() == Some(true),
            "browser: {}",
            reply["error"]
        );
        reply["value"].clone()
    }

    fn command(&mut self, command: serde_json::Value) -> serde_json::Value {
        writeln!(self.input, "{command}").unwrap();
        self.input.flush().unwrap();
        self.reply()
    }

    /// Loads `url` and waits until it is complete.
    pub fn goto(&mut self, url: &str) {
        self.command(serde_json::json!({"cmd": "goto", "url": url}));
    }

    /// Evaluates `expr` in the page.
    pub fn eval(&mut self, expr: &str) -> serde_json::Value {
        self.command(serde_json::json!({"cmd": "eval", "expr": expr}))
    }

    /// Waits (up to a generous deadline) until `expr` is truthy.
    pub fn wait_for(&mut self, expr: &str) -> serde_json::Value {
        self.command(serde_json::json!({"cmd": "wait", "expr": expr, "timeout": 60}))
    }

    /// Clicks the element `selector` matches, with the mouse.
    pub fn click(&mut self, selector: &str) {
        self.command(serde_json::json!({"cmd": "click", "selector": selector}));
    }

    /// Types `text` into the element `selector` matches, replacing its value.
    pub fn type_into(&mut self, selector: &str, text: &str) {
        self.command(serde_json::json!({"cmd": "type", "selector": selector, "text": text}));
    }

    /// Saves a PNG of the page.
    pub fn screenshot(&mut self, path: &std::path::Path) {
        self.command(serde_json::json!({"cmd": "screenshot", "path": path}));
    }

    /// Fills in the form of `method` with `args` (JSON), submits it with a
    /// click and returns the state (`ok`, `fault`, `error`) and the text
    /// the page shows.
    pub fn try_method(&mut self, method: &str, args: &str) -> (String, String) {
        let article = format!("article[data-method={}]", serde_json::json!(method));
        let output = format!(
            "document.querySelector({})",
            serde_json::json!(format!("{article} output"))
        );
        self.eval(&format!(
            "{output}.textContent = ''; delete {output}.dataset.state"
        ));
        self.type_into(&format!("{article} textarea"), args);
        self.click(&format!("{article} button"));
        let state = self.wait_for(&format!(
            "['ok', 'fault', 'error'].includes({output}.dataset.state) && {output}.dataset.state"
        ));
        let text = self.eval(&format!("{output}.textContent"));
        (
            state.as_str().unwrap_or_default().to_owned(),
            text.as_str().unwrap_or_default().to_owned(),
        )
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = writeln!(self.input, "{}", serde_json::json!({"cmd": "quit"}));
        let _ = self.input.flush();
        let deadline = std::time::Instant::now() + Duration::from_secs(20);
        while std::time::Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
