//! oxrpc's XML-RPC server and client against CPython's, in both directions.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    unreachable_pub
)]

mod support;

use oxrpc_testkit::{expect_success, python_command, run_python_script, ChildGuard};
use oxrpc_xmlrpc::{Binary, Client, DateTime, Error, Fault, Struct, Value};
use std::time::Duration;
use support::reference::TestServer;

#[test]
fn python_serverproxy_drives_oxrpc_server() {
    let server = TestServer::start();
    let output = run_python_script(
        "xmlrpc/python_client_checks.py",
        &[&format!("{}/", server.url())],
        Duration::from_secs(120),
    );
    let stdout = expect_success("python_client_checks.py", &output);
    assert!(stdout.contains("checks passed"), "{stdout}");
}

/// Runs `tests/interop/xmlrpc/{script}` against a server started with
/// `config`, passing the server's URL and `arg`; the script must pass.
fn python_checks_pass(config: oxrpc_xmlrpc::ServerConfig, script: &str, arg: &str) {
    let server = TestServer::start_with(config);
    let output = run_python_script(
        &format!("xmlrpc/{script}"),
        &[&format!("{}/", server.url()), arg],
        Duration::from_secs(60),
    );
    let stdout = expect_success(script, &output);
    assert!(stdout.contains("checks passed"), "{stdout}");
}

#[test]
fn python_serverproxy_outlives_the_idle_keep_alive_close() {
    let config = oxrpc_xmlrpc::ServerConfig {
        log_requests: false,
        header_read_timeout: Duration::from_secs(1),
        ..oxrpc_xmlrpc::ServerConfig::default()
    };
    python_checks_pass(config, "idle_keepalive.py", "1");
}

#[test]
fn python_serverproxy_gets_a_fault_past_the_response_size_limit() {
    // 216 structs echo to 108 KB; their member markup alone is ~48 KB.
    let config = oxrpc_xmlrpc::ServerConfig {
        log_requests: false,
        max_response_size: 100_000,
        ..oxrpc_xmlrpc::ServerConfig::default()
    };
    python_checks_pass(config, "response_limit.py", "100000");
}

/// Answers given before the body is read end the connection and say so;
/// a client waiting for `100 Continue` gets the 413 first.
#[test]
fn python_http_client_meets_answers_given_before_the_body() {
    let config = oxrpc_xmlrpc::ServerConfig {
        log_requests: false,
        max_body_size: 2 << 20,
        ..oxrpc_xmlrpc::ServerConfig::default()
    };
    python_checks_pass(config, "early_answers.py", &(2 << 20).to_string());
}

/// The same behind basic authentication, and how credentials are read:
/// the scheme in any case, and never from two headers.
#[test]
fn python_http_client_meets_basic_authentication() {
    let config = oxrpc_xmlrpc::ServerConfig {
        log_requests: false,
        max_body_size: 2 << 20,
        basic_auth: Some(oxrpc_xmlrpc::BasicAuth {
            user: "ana".into(),
            password: "s3cret".into(),
        }),
        ..oxrpc_xmlrpc::ServerConfig::default()
    };
    let server = TestServer::start_with(config);
    let output = run_python_script(
        "xmlrpc/early_answers.py",
        &[
            &format!("{}/", server.url()),
            &(2 << 20).to_string(),
            "ana:s3cret",
        ],
        Duration::from_secs(60),
    );
    let stdout = expect_success("early_answers.py", &output);
    assert!(stdout.contains("checks passed"), "{stdout}");
}

/// Starts CPython's SimpleXMLRPCServer (tests/interop/xmlrpc/reference_server.py).
fn reference_server() -> (ChildGuard, String) {
    let mut cmd = python_command();
    cmd.arg(oxrpc_testkit::interop_path("xmlrpc/reference_server.py"));
    let mut child = ChildGuard::spawn(cmd);
    let line = child.wait_for_line("ready");
    let port = line.trim().rsplit(' ').next().unwrap().to_owned();
    (child, format!("http://127.0.0.1:{port}"))
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// The other direction of the codec's fast paths: what CPython's server
/// writes for an array of like structs (member names hashed once per
/// position) and for doubles on both sides of where its repr leaves fixed
/// notation is read back by oxrpc's client as sent.
#[test]
fn oxrpc_client_reads_like_structs_and_doubles_from_cpython() {
    let (_server, url) = reference_server();
    runtime().block_on(async move {
        let client = Client::new(&url).unwrap();
        let mut items: Vec<Value> = (0..40i64)
            .map(|i| {
                let mut member = Struct::new();
                member.insert("id".into(), Value::Int(i * 7919));
                member.insert("name".into(), Value::from(format!("item {i} & été")));
                member.insert("price".into(), Value::Double(i as f64 * 1.25 + 0.1));
                member.insert(
                    "tags".into(),
                    Value::Array(vec![Value::from(format!("a-{i}"))]),
                );
                Value::Struct(member)
            })
            .collect();
        let mut reordered = Struct::new();
        reordered.insert("price".into(), Value::Double(1.0));
        reordered.insert("id".into(), Value::Int(1));
        items.push(Value::Struct(reordered));
        let mut marked = Struct::new();
        marked.insert("a&b".into(), Value::Int(1));
        marked.insert("a<b".into(), Value::Int(2));
        marked.insert(String::new(), Value::Int(3));
        items.push(Value::Struct(marked));
        for d in [
            1.35,
            123.0,
            0.000999,
            9.99e-05,
            1e-05,
            1e15,
            9999999999999998.0,
            1e16,
        ] {
            items.push(Value::Double(d));
        }
        let sent = Value::Array(items);
        let back = client.call_value("echo", vec![sent.clone()]).await.unwrap();
        assert_eq!(back, sent);
        let Value::Array(back) = back else {
            panic!("not an array")
        };
        for (i, item) in back.iter().take(40).enumerate() {
            assert_eq!(item.get("id"), Some(&Value::Int(i as i64 * 7919)));
            assert_eq!(
                item.get("name"),
                Some(&Value::from(format!("item {i} & été")))
            );
        }
        assert_eq!(back[41].get("a<b"), Some(&Value::Int(2)));
        assert_eq!(back[41].get(""), Some(&Value::Int(3)));
    });
}

#[test]
fn oxrpc_client_drives_cpython_server() {
    let (_server, url) = reference_server();
    runtime().block_on(async move {
        let client = Client::new(&url).unwrap();

        // The notebook's call, typed.
        let names: Vec<String> = client.call("list_contents", ("/",)).await.unwrap();
        let mut want: Vec<String> = std::fs::read_dir("/")
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        let mut got = names.clone();
        got.sort();
        want.sort();
        assert_eq!(got, want);

        // Every type round-trips through Python's echo.
        let mut members = Struct::new();
        members.insert("ñandú".into(), Value::from("golondrina"));
        members.insert(
            "nested".into(),
            Value::Array(vec![Value::Nil, Value::Bool(false)]),
        );
        let samples = vec![
            Value::Int(0),
            Value::Int(i64::from(i32::MAX)),
            Value::Int(i64::from(i32::MIN)),
            Value::Bool(true),
            Value::from(""),
            Value::from("a<b>&c \"q\" 'q' ¿cuál? 日本語 🐍"),
            Value::from("tab\tnewline\n"),
            Value::Double(0.1),
            Value::Double(-0.0),
            Value::Double(1e300),
            Value::Double(5e-324),
            Value::Double(f64::INFINITY),
            Value::Base64((0..=255).collect()),
            Value::Base64(Vec::new()),
            Value::DateTime("20261126T01:10:20".parse().unwrap()),
            Value::Array(vec![]),
            Value::Array(vec![Value::Int(1), Value::Array(vec![Value::from("x")])]),
            Value::Struct(Struct::new()),
            Value::Struct(members),
            Value::Nil,
        ];
        for sample in samples {
            let back = client
                .call_value("echo", vec![sample.clone()])
                .await
                .unwrap();
            assert_eq!(back, sample);
            if let (Value::Double(a), Value::Double(b)) = (&back, &sample) {
                assert_eq!(a.to_bits(), b.to_bits());
            }
        }
        // We send a carriage return as &#13; so CPython reads it; CPython
        // writes it back raw, and XML turns a raw one into a line feed.
        let back = client
            .call_value("echo", vec!["a\rb".into()])
            .await
            .unwrap();
        assert_eq!(back, Value::from("a\nb"));
        // Python reads i8 (it cannot write it back, which is its fault to report).
        let fault = client
            .call_value("echo", vec![Value::Int(1 << 40)])
            .await
            .unwrap_err();
        assert!(
            matches!(&fault, Error::Fault(f) if f.string.contains("OverflowError")),
            "{fault}"
        );

        // Typed conversions.
        let blob: Binary = client.call("echo", (Binary(vec![1, 2, 3]),)).await.unwrap();
        assert_eq!(blob.0, vec![1, 2, 3]);
        let when: DateTime = client
            .call("echo", ("19980717T14:08:55".parse::<DateTime>().unwrap(),))
            .await
            .unwrap();
        assert_eq!(when.to_string(), "19980717T14:08:55");
        let sum: i32 = client.call("add", (2, 3)).await.unwrap();
        assert_eq!(sum, 5);
        let none: Option<i32> = client.call("none", ()).await.unwrap();
        assert_eq!(none, None);

        // Faults become typed errors.
        match client
            .call_value("fault", vec![Value::Int(42), "on purpose".into()])
            .await
        {
            Err(Error::Fault(f)) => assert_eq!(f, Fault::new(42, "on purpose")),
            other => panic!("{other:?}"),
        }
        // A Python handler may raise a Fault of any types; CPython sends it
        // as it is and its client reads it so (`repr` as below).
        for (code, string, shown) in [
            (
                Value::from("E42"),
                Value::from("str code"),
                "<Fault E42: 'str code'>",
            ),
            (Value::Int(7), Value::Int(123), "<Fault 7: 123>"),
            (Value::Bool(true), Value::from("b"), "<Fault True: 'b'>"),
        ] {
            let args = vec![code.clone(), string.clone()];
            match client.call_value("fault", args).await {
                Err(Error::NonStandardFault(fault)) => {
                    assert_eq!(fault.to_string(), shown);
                    assert_eq!((&fault.code, &fault.string), (&code, &string));
                }
                other => panic!("{other:?}"),
            }
        }
        match client.call_value("fail", vec!["broken".into()]).await {
            Err(Error::Fault(f)) => {
                assert_eq!(f, Fault::new(1, "<class 'ValueError'>:broken"))
            }
            other => panic!("{other:?}"),
        }
        match client.call_value("nope", vec![]).await {
            Err(Error::Fault(f)) => {
                assert_eq!(
                    f.string,
                    "<class 'Exception'>:method \"nope\" is not supported"
                )
            }
            other => panic!("{other:?}"),
        }
        match client.call::<i32>("echo", ("not an int",)).await {
            Err(Error::Conversion(_)) => {}
            other => panic!("{other:?}"),
        }

        // Multicall.
        let mut batch = client.multicall();
        batch
            .add("add", (2, 3))
            .add("fault", (7, "seven"))
            .add("echo", ("x",))
            .add("fault", ("E42", "str code"))
            .add("echo", ("y",));
        let results = batch.send().await.unwrap();
        assert_eq!(results[0].as_ref().unwrap(), &Value::Int(5));
        match &results[1] {
            Err(Error::Fault(f)) => assert_eq!(f, &Fault::new(7, "seven")),
            other => panic!("{other:?}"),
        }
        assert_eq!(results[2].as_ref().unwrap(), &Value::from("x"));
        // A fault outside the specification fails its entry alone, as
        // CPython's MultiCallIterator raises for that entry only.
        match &results[3] {
            Err(Error::NonStandardFault(fault)) => {
                assert_eq!(fault.to_string(), "<Fault E42: 'str code'>")
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(results[4].as_ref().unwrap(), &Value::from("y"));

        // Big responses arrive gzipped from CPython (we accept gzip); big
        // requests go gzipped when asked (CPython's server inflates them).
        let big: String = client.call("big", (3_000_000,)).await.unwrap();
        assert_eq!(big.len(), 3_000_000);
        let gz = Client::builder(&url)
            .gzip_requests_over(1024)
            .build()
            .unwrap();
        let text = "z".repeat(200_000);
        let back: String = gz.call("echo", (text.as_str(),)).await.unwrap();
        assert_eq!(back, text);

        // HTTP errors are typed too.
        let wrong_path = Client::new(&format!("{url}/not-rpc")).unwrap();
        match wrong_path.call_value("echo", vec![Value::Int(1)]).await {
            Err(Error::Http { status: 404, .. }) => {}
            other => panic!("{other:?}"),
        }
    });
}

#[test]
fn oxrpc_client_times_out_and_reports_transport_errors() {
    let server = TestServer::start();
    runtime().block_on(async {
        let client = Client::builder(&server.url())
            .timeout(Duration::from_millis(200))
            .build()
            .unwrap();
        match client.call_value("sleep", vec![Value::Int(5_000)]).await {
            Err(Error::Timeout(_)) => {}
            other => panic!("{other:?}"),
        }
        let port = oxrpc_testkit::free_port();
        let nobody = Client::new(&format!("http://127.0.0.1:{port}")).unwrap();
        match nobody.call_value("echo", vec![]).await {
            Err(Error::Transport(_)) => {}
            other => panic!("{other:?}"),
        }
    });
}

#[test]
fn blocking_client_against_cpython_server() {
    let (_server, url) = reference_server();
    let client = oxrpc_xmlrpc::blocking::Client::new(&url).unwrap();
    let sum: i32 = client.call("add", (20, 22)).unwrap();
    assert_eq!(sum, 42);
    let results = client
        .multicall(vec![
            ("add", vec![Value::Int(1), Value::Int(1)]),
            ("nope", vec![]),
        ])
        .unwrap();
    assert_eq!(results[0].as_ref().unwrap(), &Value::Int(2));
    assert!(
        matches!(&results[1], Err(Error::Fault(f)) if f.string.contains("nope")),
        "{results:?}"
    );
    // The same client keeps working across calls (the pool reconnects after
    // CPython's HTTP/1.0 server closes each connection).
    for i in 0..20 {
        let n: i32 = client.call("add", (i, 1)).unwrap();
        assert_eq!(n, i + 1);
    }
}
