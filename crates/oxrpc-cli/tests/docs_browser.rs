//! The documentation page of a live `oxrpc xmlrpc serve`, in headless
//! Chromium: every method with its signature and help, a form filled in
//! and submitted with real input events, the result as rendered, hostile
//! server text shown as text, and a screenshot at
//! `$CARGO_TARGET_DIR/xmlrpc-docs.png`. `--no-docs` keeps CPython's 501.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    unreachable_pub
)]

#[path = "../../oxrpc-xmlrpc/tests/support/browser.rs"]
mod browser;

use browser::{dump_dom, Browser};
use oxrpc_testkit::ChildGuard;
use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

/// Starts `oxrpc xmlrpc serve` on a free port with `extra` options;
/// returns it and its URL.
fn serve(extra: &[&str]) -> (ChildGuard, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_oxrpc"));
    cmd.args([
        "xmlrpc",
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        "0",
        "--quiet",
    ])
    .args(extra);
    let mut server = ChildGuard::spawn(cmd);
    let url = server.wait_for_url();
    (server, url)
}

/// Where screenshots go: `$CARGO_TARGET_DIR`, else the target directory
/// this test binary was built in.
fn target_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("CARGO_TARGET_DIR") {
        return PathBuf::from(dir);
    }
    let exe = std::env::current_exe().unwrap();
    // target/<profile>/deps/<test binary>
    exe.ancestors().nth(3).unwrap().to_path_buf()
}

fn status_of_get(url: &str, path: &str) -> u16 {
    let authority = url.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(authority).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {authority}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut answer = String::new();
    let _ = stream.read_to_string(&mut answer);
    answer.split(' ').nth(1).unwrap().parse().unwrap()
}

#[test]
fn oxrpc_xmlrpc_serve_documents_itself_in_a_browser() {
    let (_server, url) = serve(&[
        "--docs-name",
        "The notebook's <server>",
        "--docs-text",
        "<script>window.pwned = 1</script> lists directories & more",
    ]);

    // Reading: the DOM after the page's scripts ran.
    let dom = dump_dom(&format!("{url}/"));
    for (name, signature, help) in [
        (
            "list_contents",
            "(dir_name: any) \u{2192} array",
            "No help text.",
        ),
        (
            "system.listMethods",
            "() \u{2192} array",
            "Returns a list of the methods supported by the server.",
        ),
        (
            "system.methodHelp",
            "(method_name: string) \u{2192} string",
            "Returns a string containing documentation for the specified method.",
        ),
        (
            "system.methodSignature",
            "(method_name: string) \u{2192} array",
            "Returns a list describing the signature of the method.",
        ),
        (
            "system.multicall",
            "(call_list: array) \u{2192} array",
            "Allows the caller to package multiple XML-RPC calls into a single",
        ),
    ] {
        let at = dom
            .find(&format!(
                "<article class=\"method\" id=\"m-{name}\" data-method=\"{name}\">"
            ))
            .unwrap_or_else(|| panic!("{name} missing from the page:\n{dom}"));
        let article = &dom[at..at + dom[at..].find("</article>").unwrap()];
        assert!(article.contains(signature), "{name}: {article}");
        assert!(article.contains(help), "{name}: {article}");
        assert!(article.contains("<form class=\"try\""), "{name}: {article}");
    }
    assert_eq!(dom.matches("<article class=\"method\"").count(), 5, "{dom}");
    assert!(dom.contains("data-ready=\"true\""), "the page's script ran");
    assert!(dom.contains("The notebook's &lt;server&gt;"));
    assert!(
        dom.contains("&lt;script&gt;window.pwned = 1&lt;/script&gt; lists directories &amp; more")
    );
    assert_eq!(
        dom.matches("<script").count(),
        1,
        "only the page's own script"
    );

    // Driving: type arguments, click Call, read what the page shows.
    let mut browser = Browser::start();
    browser.goto(&format!("{url}/"));
    assert_eq!(browser.eval("typeof window.pwned"), "undefined");
    let (state, text) = browser.try_method("list_contents", "[\"/\"]");
    assert_eq!(state, "ok", "{text}");
    let names: Vec<String> = serde_json::from_str(&text).unwrap();
    assert!(names.iter().any(|n| n == "tmp"), "{names:?}");
    assert_eq!(
        browser.eval(
            "document.querySelector('article[data-method=list_contents] output').dataset.state"
        ),
        "ok"
    );
    let shot = target_dir().join("xmlrpc-docs.png");
    browser.screenshot(&shot);
    assert!(
        std::fs::metadata(&shot).unwrap().len() > 10_000,
        "{}",
        shot.display()
    );
    println!("screenshot: {}", shot.display());

    let (state, text) = browser.try_method("list_contents", "[\"/no/such/dir\"]");
    assert_eq!(state, "fault");
    assert_eq!(
        text,
        "Fault 1: <class 'FileNotFoundError'>:[Errno 2] No such file or directory: '/no/such/dir'"
    );
    let (state, text) = browser.try_method("system.methodHelp", "[\"list_contents\"]");
    assert_eq!(state, "ok");
    // The notebook's function has no docstring: CPython answers ''.
    assert_eq!(text, "\"\"");
    let (state, text) = browser.try_method(
        "system.multicall",
        r#"[[{"methodName": "list_contents", "params": ["/"]}, {"methodName": "nope", "params": []}]]"#,
    );
    assert_eq!(state, "ok", "{text}");
    let results: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert!(results[0][0].as_array().unwrap().iter().any(|n| n == "tmp"));
    assert_eq!(
        results[1]["faultString"],
        "<class 'Exception'>:method \"nope\" is not supported"
    );
    // The same page at /docs and /RPC2.
    assert_eq!(status_of_get(&url, "/docs"), 200);
    assert_eq!(status_of_get(&url, "/RPC2"), 200);
}

#[test]
fn no_docs_answers_get_as_cpython_does() {
    let (_server, url) = serve(&["--no-docs"]);
    assert_eq!(status_of_get(&url, "/"), 501);
    // GET is refused before the path is looked at, as CPython does.
    assert_eq!(status_of_get(&url, "/docs"), 501);
}

/// CPython's `DocXMLRPCServer` serving the notebook's function (no
/// docstring), with introspection and multicall, as `oxrpc xmlrpc serve`
/// has them. Prints its URL.
const CPYTHON_DOC_SERVER: &str = "import os, sys, xmlrpc.server as s\n\
    def list_contents(dir_name):\n\
    \x20   return os.listdir(dir_name)\n\
    srv = s.DocXMLRPCServer(('127.0.0.1', 0), logRequests=False)\n\
    srv.register_function(list_contents)\n\
    srv.register_introspection_functions()\n\
    srv.register_multicall_functions()\n\
    print('ready http://127.0.0.1:%d' % srv.server_address[1], flush=True)\n\
    srv.serve_forever()\n";

/// What a reader sees on a documentation page, read in the browser: the
/// tab's title, the heading, the server's text, and each method's name and
/// help, as `[title, heading, text, [[name, help], ...]]`. `cpython` picks
/// the markup of pydoc's page rather than oxrpc's.
fn page_as_read(browser: &mut Browser, url: &str, cpython: bool) -> serde_json::Value {
    browser.goto(url);
    let read = if cpython {
        "[document.title,
          document.querySelector('td.title strong').innerText,
          document.querySelector('p tt').innerText,
          [...document.querySelectorAll('dl')].map(dl =>
              [dl.querySelector('dt strong').innerText, (dl.querySelector('dd tt') || {innerText: ''}).innerText])]"
    } else {
        "[document.title,
          document.querySelector('#server-name').innerText,
          document.querySelector('.server-doc').innerText,
          [...document.querySelectorAll('article.method')].map(a =>
              [a.dataset.method, (a.querySelector('.help') || {innerText: ''}).innerText])]"
    };
    let normalized = format!("JSON.stringify({read}).replace(/\\u00a0/g, ' ')");
    serde_json::from_str(browser.eval(&normalized).as_str().unwrap()).unwrap()
}

/// The page says what CPython's says: the same title, heading, server
/// text, methods in the same order and the same help for each (read as a
/// person reads them, in Chromium). One sentence is left out on purpose:
/// CPython's `system.methodSignature` help ends "This server does NOT
/// support system.methodSignature.", and oxrpc's server does support it.
#[test]
fn the_page_says_what_cpythons_doc_server_says() {
    let (_ours, our_url) = serve(&[]);
    let mut cpython = oxrpc_testkit::python_command();
    cpython.args(["-c", CPYTHON_DOC_SERVER]);
    let mut cpython = ChildGuard::spawn(cpython);
    let cpython_url = cpython.wait_for_url();

    let mut browser = Browser::start();
    let theirs = page_as_read(&mut browser, &format!("{cpython_url}/"), true);
    let ours = page_as_read(&mut browser, &format!("{our_url}/"), false);
    assert_eq!(ours[0], theirs[0], "title");
    assert_eq!(ours[0], "Python: XML-RPC Server Documentation");
    assert_eq!(ours[1], theirs[1], "heading");
    assert_eq!(ours[2], theirs[2], "server text");
    let (ours, theirs) = (ours[3].as_array().unwrap(), theirs[3].as_array().unwrap());
    let names = |methods: &[serde_json::Value]| -> Vec<String> {
        methods
            .iter()
            .map(|m| m[0].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(names(ours), names(theirs));
    for (our, their) in ours.iter().zip(theirs) {
        let (our_help, their_help) = (our[1].as_str().unwrap(), their[1].as_str().unwrap());
        // pydoc writes a blank line as a no-break space.
        let lines = |help: &str| -> Vec<String> {
            help.trim_end()
                .lines()
                .map(|l| l.trim_end().to_owned())
                .collect()
        };
        let mut their_lines = lines(their_help);
        if their_lines.ends_with(&[
            String::new(),
            "This server does NOT support system.methodSignature.".to_owned(),
        ]) {
            their_lines.truncate(their_lines.len() - 2);
        }
        assert_eq!(lines(our_help), their_lines, "{}", our[0]);
    }
}
