//! The documentation page: over raw HTTP (status, headers, paths, auth),
//! and in headless Chromium (the DOM after scripts ran, the forms, hostile
//! help text shown as text).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    unreachable_pub
)]

mod support;

use oxrpc_xmlrpc::{
    BasicAuth, Dispatch, DocsConfig, Fault, Registry, RequestContext, Server, ServerConfig, Value,
};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;
use support::browser::{dump_dom, Browser};

const EVIL_HELP: &str =
    "<script>window.pwned = 1</script><img src=x onerror=\"window.pwned = 2\"> & more";

/// Methods an instance answers, with help and a signature.
struct Dynamic;

impl Dispatch for Dynamic {
    async fn dispatch(
        &self,
        method: &str,
        params: Vec<Value>,
        _context: &RequestContext,
    ) -> Result<Value, Fault> {
        match (method, params.as_slice()) {
            ("dyn.hello", [Value::String(name)]) => Ok(Value::from(format!("hello, {name}"))),
            _ => Err(Fault::method_not_supported(method)),
        }
    }
    fn list_methods(&self) -> Vec<String> {
        vec!["dyn.hello".into()]
    }
    fn method_help(&self, _method: &str) -> Option<String> {
        Some("Greets someone.".into())
    }
    fn method_signature(&self, _method: &str) -> Option<Vec<String>> {
        Some(vec!["string".into(), "string".into()])
    }
}

fn docs_config() -> DocsConfig {
    DocsConfig {
        server_title: "<Inventory> docs".into(),
        server_name: "Inventory & Co <b>bold</b>".into(),
        server_documentation: "Methods for <stock>.\nSecond line.".into(),
    }
}

fn page_server(config: ServerConfig) -> Server {
    let mut server = Server::with_config(ServerConfig {
        log_requests: false,
        docs: Some(docs_config()),
        ..config
    });
    server
        .register("add", |a: i32, b: i32| a + b)
        .params(&["a", "b"])
        .help("Adds two ints.");
    server
        .register("math.pow", |base: f64, exp: i32| base.powi(exp))
        .params(&["base", "exp"])
        .help("Raises base to exp.");
    server.register("evil", || "harmless").help(EVIL_HELP);
    server
        .register("echo", |v: Value| v)
        .help("Returns what it was given.");
    server.register("fail", || -> Result<i32, Fault> {
        Err(Fault::new(42, "no <b>luck</b>"))
    });
    server.register_instance(Dynamic);
    let mut admin = Registry::new();
    admin
        .register("shutdown", || true)
        .help("Stops the inventory.");
    server.add_dispatcher("/admin", admin);
    server
}

/// One HTTP/1.1 request; the status, the headers (lower-case) and the body.
fn http(addr: SocketAddr, request: &str) -> (u16, String, String) {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    stream.write_all(request.as_bytes()).unwrap();
    let mut raw = Vec::new();
    let _ = stream.read_to_end(&mut raw);
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    (status, head.to_lowercase(), body.to_owned())
}

fn get(addr: SocketAddr, path: &str, extra: &str) -> (u16, String, String) {
    http(
        addr,
        &format!("GET {path} HTTP/1.1\r\nHost: test\r\nConnection: close\r\n{extra}\r\n"),
    )
}

#[test]
fn get_answers_with_the_page_where_rpc_answers() {
    let server = support::serve(|| page_server(ServerConfig::default()));
    let (status, head, body) = get(server.addr, "/", "");
    assert_eq!(status, 200);
    assert!(
        head.contains("content-type: text/html; charset=utf-8"),
        "{head}"
    );
    assert!(
        head.contains("content-security-policy: default-src 'none'; script-src 'sha256-"),
        "{head}"
    );
    assert!(head.contains("connect-src 'self'"), "{head}");
    assert!(head.contains("x-content-type-options: nosniff"), "{head}");
    assert!(body.contains("data-method=\"add\""), "{body}");
    assert!(body.contains("data-endpoint=\"/\""));
    assert!(!body.contains("data-method=\"shutdown\""));
    // Same page on the other RPC path and on /docs.
    let (status, _, rpc2) = get(server.addr, "/RPC2", "");
    assert_eq!(status, 200);
    assert!(rpc2.contains("data-endpoint=\"/RPC2\""));
    let (status, _, docs) = get(server.addr, "/docs", "");
    assert_eq!(status, 200);
    assert!(docs.contains("data-endpoint=\"/\"") && docs.contains("data-method=\"add\""));
    // A dispatcher's path shows its own registry.
    let (status, _, admin) = get(server.addr, "/admin", "");
    assert_eq!(status, 200);
    assert!(admin.contains("data-method=\"shutdown\"") && !admin.contains("data-method=\"add\""));
    assert!(admin.contains("data-endpoint=\"/admin\""));
    // The stylesheet at CPython's /pydoc.css; other paths are 404.
    let (status, head, css) = get(server.addr, "/pydoc.css", "");
    assert_eq!(status, 200);
    assert!(head.contains("content-type: text/css"), "{head}");
    assert!(css.contains(".method"));
    assert_eq!(get(server.addr, "/nope", "").0, 404);
    // A query makes another path, as DocXMLRPCServer's exact match does.
    assert_eq!(get(server.addr, "/?x=1", "").0, 404);
    assert_eq!(get(server.addr, "/docs?x=1", "").0, 404);
    // HEAD: the headers alone.
    let (status, _, body) = http(
        server.addr,
        "HEAD / HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n",
    );
    assert_eq!((status, body.as_str()), (200, ""));
    // Other methods are still 501, as CPython answers them.
    let (status, _, _) = http(
        server.addr,
        "PUT / HTTP/1.1\r\nHost: test\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
    );
    assert_eq!(status, 501);
}

#[test]
fn the_page_is_off_by_default_and_behind_basic_auth() {
    let plain = support::serve(|| {
        let mut server = Server::new();
        server.config_mut().log_requests = false;
        server.register("add", |a: i32, b: i32| a + b);
        server
    });
    assert_eq!(get(plain.addr, "/", "").0, 501);
    assert_eq!(get(plain.addr, "/docs", "").0, 501);

    let guarded = support::serve(|| {
        page_server(ServerConfig {
            basic_auth: Some(BasicAuth {
                user: "ana".into(),
                password: "s3cret".into(),
            }),
            ..ServerConfig::default()
        })
    });
    let (status, head, _) = get(guarded.addr, "/", "");
    assert_eq!(status, 401);
    assert!(head.contains("www-authenticate: basic"), "{head}");
    assert_eq!(get(guarded.addr, "/docs", "").0, 401);
    // base64("ana:s3cret")
    let (status, _, body) = get(
        guarded.addr,
        "/",
        "Authorization: Basic YW5hOnMzY3JldA==\r\n",
    );
    assert_eq!(status, 200);
    assert!(body.contains("data-method=\"add\""));
}

#[test]
fn chromium_renders_every_method_and_runs_the_forms() {
    let server = support::serve(|| page_server(ServerConfig::default()));
    let url = format!("{}/", server.url());

    // The DOM once scripts ran: every method with its signature and help,
    // hostile text as text.
    let dom = dump_dom(&url);
    for (name, signature, help) in [
        ("add", "(a: int, b: int) \u{2192} int", "Adds two ints."),
        (
            "math.pow",
            "(base: double, exp: int) \u{2192} double",
            "Raises base to exp.",
        ),
        ("echo", "(any) \u{2192} any", "Returns what it was given."),
        ("dyn.hello", "(string) \u{2192} string", "Greets someone."),
        ("fail", "() \u{2192} int", "No help text."),
        (
            "system.methodHelp",
            "(method_name: string) \u{2192} string",
            "Returns a string containing documentation",
        ),
    ] {
        let at = dom
            .find(&format!("data-method=\"{name}\""))
            .unwrap_or_else(|| panic!("{name} missing from the page:\n{dom}"));
        let article = &dom[at..at + dom[at..].find("</article>").unwrap()];
        assert!(article.contains(signature), "{name}: {article}");
        assert!(article.contains(help), "{name}: {article}");
    }
    assert!(dom.contains("data-ready=\"true\""), "the page's script ran");
    assert!(dom.contains("&lt;script&gt;window.pwned = 1&lt;/script&gt;&lt;img src=x"));
    assert_eq!(
        dom.matches("<script").count(),
        1,
        "only the page's own script"
    );
    assert!(!dom.contains("<img"), "no element from help text");
    assert!(dom.contains("<h1 id=\"server-name\">Inventory &amp; Co &lt;b&gt;bold&lt;/b&gt;</h1>"));
    assert!(dom.contains("<title>Python: &lt;Inventory&gt; docs</title>"));
    assert!(dom.contains("<h2>math</h2>") && dom.contains("<h2>system</h2>"));
    assert!(
        dom.contains("href=\"#m-math.pow\""),
        "anchors link the methods"
    );

    // The forms, driven with real clicks and typing.
    let mut browser = Browser::start();
    browser.goto(&url);
    assert_eq!(browser.eval("typeof window.pwned"), "undefined");
    assert_eq!(
        browser.eval("document.querySelector('article[data-method=evil] .help').textContent"),
        EVIL_HELP
    );
    assert_eq!(browser.eval("document.scripts.length"), 1);
    assert_eq!(
        browser.try_method("add", "[2, 3]"),
        ("ok".into(), "5".into())
    );
    let (state, text) = browser.try_method(
        "echo",
        r#"[{"list": [1, 2.5, null, "x<y>&"], "bin": {"$base64": "AAEC"}, "when": {"$datetime": "20261126T01:10:20"}, "big": 8589934592}]"#,
    );
    assert_eq!(state, "ok", "{text}");
    let echoed: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        echoed,
        serde_json::json!({"list": [1, 2.5, null, "x<y>&"], "bin": {"$base64": "AAEC"},
                           "when": {"$datetime": "20261126T01:10:20"}, "big": 8589934592u64})
    );
    assert_eq!(
        browser.try_method("fail", "[]"),
        ("fault".into(), "Fault 42: no <b>luck</b>".into())
    );
    assert_eq!(
        browser.eval("document.querySelector('article[data-method=fail] output').children.length"),
        0,
        "a fault is shown as text"
    );
    let (state, text) = browser.try_method("add", "[1]");
    assert_eq!(state, "fault");
    assert!(
        text.contains("TypeError") && text.contains("add()"),
        "{text}"
    );
    let (state, text) = browser.try_method("add", "not json");
    assert_eq!(state, "error");
    assert!(text.starts_with("Arguments must be a JSON array"), "{text}");
    assert_eq!(
        browser.try_method("dyn.hello", r#"["Ana"]"#),
        ("ok".into(), "\"hello, Ana\"".into())
    );
    assert_eq!(
        browser.try_method("math.pow", r#"[{"$double": 2}, 10]"#),
        ("ok".into(), "1024".into())
    );
    // Anchors: a click in the navigation moves to the method.
    browser.click("nav a[href='#m-math.pow']");
    browser.wait_for("location.hash === '#m-math.pow'");
    assert_eq!(browser.eval("typeof window.pwned"), "undefined");

    // The page of another path posts there.
    browser.goto(&format!("{}/admin", server.url()));
    assert_eq!(
        browser.try_method("shutdown", "[]"),
        ("ok".into(), "true".into())
    );
    let shot = std::env::temp_dir().join(format!("oxrpc-docs-{}.png", std::process::id()));
    browser.screenshot(&shot);
    assert!(std::fs::metadata(&shot).unwrap().len() > 1000);
    let _ = std::fs::remove_file(shot);
}
