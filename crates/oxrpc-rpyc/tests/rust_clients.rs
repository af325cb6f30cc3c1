//! oxrpc's Rust clients (async and blocking) against the real rpyc 6.0.2
//! `ThreadedServer` of `tests/interop/rpyc/reference_server.py`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    unreachable_pub
)]

mod common;

use common::PythonServer;
use oxrpc_rpyc::brine::BrineValue;
use oxrpc_rpyc::{
    tuple, BigInt, Bytes, CompareOp, Config, Connection, Function, HandlerId, Proxy,
    RemoteException, Value, VoidService,
};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

async fn connect(server: &PythonServer) -> (Connection, Proxy) {
    let conn = oxrpc_rpyc::connect("127.0.0.1", server.port)
        .await
        .expect("connect to the Python server");
    let root = conn.root().await.expect("root");
    (conn, root)
}

/// [`connect`] with `config`, serving nothing of ours.
async fn connect_configured(server: &PythonServer, config: Config) -> (Connection, Proxy) {
    let conn = oxrpc_rpyc::connect_with("127.0.0.1", server.port, Arc::new(VoidService), config)
        .await
        .expect("connect to the Python server");
    let root = conn.root().await.expect("root");
    (conn, root)
}

fn int(v: i64) -> Value {
    Value::Brine(BrineValue::Int(v))
}

fn first_arg(args: Vec<Value>) -> Value {
    args.into_iter().next().unwrap_or(Value::NONE)
}

/// Two callbacks that add their argument to `called`: a plain one (`mark`)
/// and one that awaits first (`mark_later`, which runs as a task).
fn counting_handlers(called: &Arc<AtomicUsize>) -> (Arc<Function>, Arc<Function>) {
    let seen = called.clone();
    let mark = Function::new("mark", move |args| {
        let n: i64 = first_arg(args).extract()?;
        seen.fetch_add(n as usize, Ordering::SeqCst);
        Ok(Value::NONE)
    });
    let seen = called.clone();
    let mark_later = Function::new_async("mark_later", move |args| {
        let seen = seen.clone();
        async move {
            tokio::time::sleep(Duration::from_millis(10)).await;
            let n: i64 = first_arg(args).extract()?;
            seen.fetch_add(n as usize, Ordering::SeqCst);
            Ok(Value::NONE)
        }
    });
    (mark, mark_later)
}

/// Polls `probe` until it returns `want` (bounded); returns the last value.
async fn poll_until<F, Fut>(want: usize, mut probe: F) -> usize
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = usize>,
{
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let got = probe().await;
        if got == want || Instant::now() > deadline {
            return got;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

async fn remote_count(root: &Proxy) -> usize {
    root.call::<Value>("local_object_count", ())
        .await
        .expect("local_object_count")
        .extract()
        .expect("an int")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn answers_and_attribute_errors() {
    let server = PythonServer::start();
    let (conn, root) = connect(&server).await;
    let answer: i64 = root
        .call::<Value>("get_answer", ())
        .await
        .unwrap()
        .extract()
        .unwrap();
    assert_eq!(answer, 42);
    let attribute: i64 = root
        .getattr("the_real_answer_though")
        .await
        .unwrap()
        .extract()
        .unwrap();
    assert_eq!(attribute, 43);
    // A bound method fetched with GETATTR, then called.
    let method = root.getattr("get_answer").await.unwrap();
    let method = method.as_proxy().expect("a bound method proxy").clone();
    assert_eq!(method.id_pack().type_name, "builtins.method");
    assert_eq!(
        method
            .invoke::<Value>(())
            .await
            .unwrap()
            .extract::<i64>()
            .unwrap(),
        42
    );

    let err = root
        .call::<Value>("get_question", ())
        .await
        .unwrap_err()
        .into_exception();
    assert_eq!(
        (err.module.as_str(), err.name.as_str()),
        ("builtins", "AttributeError")
    );
    assert_eq!(err.message(), "cannot access 'get_question'");
    assert!(
        err.traceback.contains("Traceback (most recent call last)"),
        "{err:#}"
    );
    assert!(
        err.traceback
            .contains("AttributeError: cannot access 'get_question'"),
        "{err:#}"
    );
    assert_eq!(err.remote_version(), Some("6.0.2"));
    assert!(format!("{err:#}").contains("========= Remote Traceback (1) ========="));

    let err = root
        .getattr("exposed_get_question")
        .await
        .unwrap_err()
        .into_exception();
    assert_eq!(err.name, "AttributeError");
    assert_eq!(
        err.message(),
        "'TestService' object has no attribute 'exposed_get_question'"
    );
    let err = root.setattr("x", 1i64).await.unwrap_err().into_exception();
    assert_eq!(
        (err.name.as_str(), err.message().as_str()),
        ("AttributeError", "access denied")
    );

    // Keyword arguments.
    let sum: i64 = root
        .call_kw::<Value>("add", (), vec![("a".into(), int(1)), ("b".into(), int(2))])
        .await
        .unwrap()
        .extract()
        .unwrap();
    assert_eq!(sum, 3);
    let err = root
        .call::<Value>("add", (1i64,))
        .await
        .unwrap_err()
        .into_exception();
    assert_eq!(err.name, "TypeError");
    assert!(
        err.message()
            .contains("missing 1 required positional argument: 'b'"),
        "{err}"
    );

    for (kind, message) in [
        ("ValueError", "bad value"),
        ("KeyError", "missing"),
        ("TypeError", "wrong type"),
        ("ZeroDivisionError", "division"),
    ] {
        let err = root
            .call::<Value>("raise_error", (kind, message))
            .await
            .unwrap_err()
            .into_exception();
        assert_eq!((err.module.as_str(), err.name.as_str()), ("builtins", kind));
        assert_eq!(err.args, vec![BrineValue::from(message)]);
        assert!(err.traceback.contains("exposed_raise_error"), "{err:#}");
    }
    conn.ping().await.unwrap();
    conn.close().await;
    assert!(conn.is_closed());
    let err = root
        .call::<Value>("get_answer", ())
        .await
        .unwrap_err()
        .into_exception();
    assert_eq!(err.name, "EOFError");
}

fn same(a: &BrineValue, b: &BrineValue) -> bool {
    use BrineValue as B;
    let all = |x: &[B], y: &[B]| x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same(p, q));
    match (a, b) {
        (B::Float(x), B::Float(y)) => x.to_bits() == y.to_bits() || (x.is_nan() && y.is_nan()),
        (B::Complex(a1, b1), B::Complex(a2, b2)) => {
            a1.to_bits() == a2.to_bits() && b1.to_bits() == b2.to_bits()
        }
        (B::Tuple(x), B::Tuple(y)) => all(x, y),
        (B::FrozenSet(x), B::FrozenSet(y)) => {
            // Python rebuilds the set: compare as sets, not sequences.
            x.len() == y.len() && x.iter().all(|p| y.iter().any(|q| same(p, q)))
        }
        (B::Slice(a1, b1, c1), B::Slice(a2, b2, c2)) => {
            same(a1, a2) && same(b1, b2) && same(c1, c2)
        }
        _ => a == b,
    }
}

fn brine_samples() -> Vec<BrineValue> {
    use BrineValue as B;
    let big = |s: &str| B::from(s.parse::<BigInt>().unwrap());
    vec![
        B::None,
        B::Bool(true),
        B::Bool(false),
        B::NotImplemented,
        B::Ellipsis,
        B::Int(0),
        B::Int(-48),
        B::Int(-49),
        B::Int(159),
        B::Int(160),
        B::Int(i64::MAX),
        B::Int(i64::MIN),
        big("9223372036854775808"),
        big("-18446744073709551617"),
        B::from(BigInt::from(7u8).pow(4000)),
        B::Float(0.0),
        B::Float(-0.0),
        B::Float(1.5),
        B::Float(f64::INFINITY),
        B::Float(f64::NEG_INFINITY),
        B::Float(f64::NAN),
        B::Float(5e-324),
        B::Complex(1.0, -2.5),
        B::Str(String::new()),
        B::from("héllo ☃ 𝄞 中文"),
        B::Str("x".repeat(5000)),
        B::Bytes(Vec::new()),
        B::Bytes((0..=255).collect()),
        B::Tuple(Vec::new()),
        B::tuple([B::Int(1)]),
        B::tuple([
            B::Int(1),
            B::from("a"),
            B::tuple([B::None, B::Bytes(b"x".to_vec())]),
        ]),
        B::FrozenSet(Vec::new()),
        B::FrozenSet(vec![
            B::Int(1),
            B::Int(2),
            B::from("a"),
            B::tuple([B::Int(3)]),
        ]),
        B::slice(B::Int(1), B::Int(10), B::Int(2)),
        B::slice(B::None, B::Int(-1), B::None),
    ]
}

/// Random bytes do not shrink: our client sends them in an uncompressed
/// frame (flag 0), which rpyc's server reads as it reads its own, and the
/// server's compressed reply comes back whole.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn incompressible_payloads_reach_python_uncompressed() {
    let server = PythonServer::start();
    let (conn, root) = connect(&server).await;
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let noise: Vec<u8> = (0..300_000)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state as u8
        })
        .collect();
    let n: i64 = root
        .call::<Value>("bytes_len", (Bytes(noise.clone()),))
        .await
        .unwrap()
        .extract()
        .unwrap();
    assert_eq!(n, 300_000);
    let back: Bytes = root
        .call::<Value>("echo", (Bytes(noise.clone()),))
        .await
        .unwrap()
        .extract()
        .unwrap();
    assert!(back.0 == noise, "300 KB of noise came back different");
    conn.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_brine_type_round_trips_through_python_echo() {
    let server = PythonServer::start();
    let (conn, root) = connect(&server).await;
    for sample in brine_samples() {
        let back = root
            .call::<Value>("echo", (Value::Brine(sample.clone()),))
            .await
            .unwrap_or_else(|e| panic!("echo {sample}: {e:#}"));
        match back {
            Value::Brine(back) => assert!(same(&back, &sample), "{sample} came back as {back}"),
            other => panic!("echo {sample} returned {other:?}"),
        }
    }
    // 5 MB of bytes (compressed frames are exercised by the long str above).
    let data: Vec<u8> = (0..5 * 1024 * 1024).map(|i| (i * 7 % 256) as u8).collect();
    let back: Bytes = root
        .call::<Value>("echo", (Bytes(data.clone()),))
        .await
        .unwrap()
        .extract()
        .unwrap();
    assert!(back.0 == data, "5 MB echo differs");
    let n: i64 = root
        .call::<Value>("bytes_len", (Bytes(data),))
        .await
        .unwrap()
        .extract()
        .unwrap();
    assert_eq!(n, 5 * 1024 * 1024);
    conn.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rust_callbacks_called_by_python() {
    let server = PythonServer::start();
    let (conn, root) = connect(&server).await;

    let calls = Arc::new(AtomicUsize::new(0));
    let counted = calls.clone();
    let double = Function::new("double", move |args| {
        counted.fetch_add(1, Ordering::SeqCst);
        Ok(int(first_arg(args).extract::<i64>()? * 2))
    });
    let got: i64 = root
        .call::<Value>("call_back", (double.clone(), 21i64))
        .await
        .unwrap()
        .extract()
        .unwrap();
    assert_eq!(got, 42);
    let got: i64 = root
        .call::<Value>("call_back_twice", (double, 5i64))
        .await
        .unwrap()
        .extract()
        .unwrap();
    assert_eq!(got, 20);
    assert_eq!(calls.load(Ordering::SeqCst), 3);

    // An error from Rust reaches Python as a ValueError and comes back.
    let failing = Function::new("failing", |_args| {
        Err(RemoteException::value_error("from rust"))
    });
    let err = root
        .call::<Value>("call_back", (failing, 1i64))
        .await
        .unwrap_err()
        .into_exception();
    assert_eq!(
        (err.module.as_str(), err.name.as_str()),
        ("builtins", "ValueError")
    );
    assert_eq!(err.args, vec![BrineValue::from("from rust")]);
    assert!(err.traceback.contains("exposed_call_back"), "{err:#}");
    let key_error = Function::new("key_error", |args| {
        Err(RemoteException::new(
            "builtins",
            "KeyError",
            vec![first_arg(args)
                .as_brine()
                .cloned()
                .unwrap_or(BrineValue::None)],
        ))
    });
    let err = root
        .call::<Value>("call_back", (key_error, "k"))
        .await
        .unwrap_err()
        .into_exception();
    assert_eq!(
        (err.name.as_str(), err.args.clone()),
        ("KeyError", vec![BrineValue::from("k")])
    );

    // A callback that calls back into the Python server while it waits for us.
    let nested_root = root.clone();
    let answer_plus = Function::new_async("answer_plus", move |args| {
        let root = nested_root.clone();
        async move {
            let answer: i64 = root.call::<Value>("get_answer", ()).await?.extract()?;
            Ok(int(answer + first_arg(args).extract::<i64>()?))
        }
    });
    let got: i64 = root
        .call::<Value>("call_back", (answer_plus, 1i64))
        .await
        .unwrap()
        .extract()
        .unwrap();
    assert_eq!(got, 43);

    // Three levels: Rust -> Python -> Rust -> Python -> Rust.
    let inner_root = root.clone();
    let outer = Function::new_async("outer", move |args| {
        let root = inner_root.clone();
        async move {
            let inc = Function::new("inc", |args| Ok(int(first_arg(args).extract::<i64>()? + 1)));
            let v: i64 = root
                .call::<Value>("call_back", (inc, first_arg(args)))
                .await?
                .extract()?;
            Ok(int(v * 10))
        }
    });
    let got: i64 = root
        .call::<Value>("call_back", (outer, 4i64))
        .await
        .unwrap()
        .extract()
        .unwrap();
    assert_eq!(got, 50);

    // Python released every callback it was given (once its garbage is
    // collected: tracebacks of the failed calls hold frames that hold them).
    root.call::<Value>("collect_garbage", ()).await.unwrap();
    let left = poll_until(0, || {
        let conn = conn.clone();
        async move { conn.local_object_count() }
    })
    .await;
    assert_eq!(left, 0, "Python still holds our callbacks");
    conn.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn remote_containers_and_iteration() {
    let server = PythonServer::start();
    let (conn, root) = connect(&server).await;
    let list: Proxy = root
        .call::<Value>("get_list", ())
        .await
        .unwrap()
        .extract()
        .unwrap();
    assert_eq!(list.id_pack().type_name, "builtins.list");
    assert_eq!(list.len().await.unwrap(), 5);
    assert_eq!(
        list.getitem(0i64).await.unwrap().extract::<i64>().unwrap(),
        1
    );
    assert_eq!(
        list.getitem(-1i64).await.unwrap().extract::<i64>().unwrap(),
        5
    );
    let err = list.getitem(10i64).await.unwrap_err().into_exception();
    assert_eq!(
        (err.name.as_str(), err.message().as_str()),
        ("IndexError", "list index out of range")
    );
    assert!(list.contains(3i64).await.unwrap());
    assert!(!list.contains(9i64).await.unwrap());
    assert_eq!(list.str().await.unwrap(), "[1, 2, 3, 4, 5]");
    assert_eq!(list.repr().await.unwrap(), "[1, 2, 3, 4, 5]");
    let items: Vec<i64> = list
        .to_vec()
        .await
        .unwrap()
        .into_iter()
        .map(|v| v.extract().unwrap())
        .collect();
    assert_eq!(items, [1, 2, 3, 4, 5]);
    let mut iter = list.iter().await.unwrap();
    let mut sum = 0i64;
    while let Some(v) = iter.next().await.unwrap() {
        sum += v.extract::<i64>().unwrap();
    }
    assert_eq!(sum, 15);

    // Several HANDLE_BUFFITER batches.
    let long: Proxy = root
        .call::<Value>("get_range_list", (1000i64,))
        .await
        .unwrap()
        .extract()
        .unwrap();
    let items = long.to_vec().await.unwrap();
    assert_eq!(items.len(), 1000);
    assert!(items
        .into_iter()
        .enumerate()
        .all(|(i, v)| v.extract::<i64>().unwrap() == i as i64));

    let dict: Proxy = root
        .call::<Value>("get_dict", ())
        .await
        .unwrap()
        .extract()
        .unwrap();
    assert_eq!(dict.len().await.unwrap(), 3);
    assert_eq!(
        dict.getitem("two").await.unwrap().extract::<i64>().unwrap(),
        2
    );
    let err = dict.getitem("four").await.unwrap_err().into_exception();
    assert_eq!(
        (err.name.as_str(), err.args.clone()),
        ("KeyError", vec![BrineValue::from("four")])
    );
    assert!(dict.contains("one").await.unwrap());
    let mut keys: Vec<String> = dict
        .to_vec()
        .await
        .unwrap()
        .into_iter()
        .map(|v| v.extract().unwrap())
        .collect();
    keys.sort();
    assert_eq!(keys, ["one", "three", "two"]);
    assert_eq!(
        dict.str().await.unwrap(),
        "{'one': 1, 'two': 2, 'three': 3}"
    );

    let generator: Proxy = root
        .call::<Value>("get_generator", (300i64,))
        .await
        .unwrap()
        .extract()
        .unwrap();
    assert_eq!(generator.id_pack().type_name, "builtins.generator");
    let squares = generator.to_vec().await.unwrap();
    assert_eq!(squares.len(), 300);
    assert!(squares
        .into_iter()
        .enumerate()
        .all(|(i, v)| v.extract::<i64>().unwrap() == (i * i) as i64));
    let empty: Proxy = root
        .call::<Value>("get_generator", (0i64,))
        .await
        .unwrap()
        .extract()
        .unwrap();
    assert!(empty.to_vec().await.unwrap().is_empty());
    conn.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn object_protocol_on_python_objects() {
    let server = PythonServer::start();
    let (conn, root) = connect(&server).await;
    let thing: Proxy = root
        .call::<Value>("get_thing", (3i64,))
        .await
        .unwrap()
        .extract()
        .unwrap();
    let same_thing: Proxy = root
        .call::<Value>("get_thing", (3i64,))
        .await
        .unwrap()
        .extract()
        .unwrap();
    let bigger: Proxy = root
        .call::<Value>("get_thing", (5i64,))
        .await
        .unwrap()
        .extract()
        .unwrap();
    assert_eq!(thing.str().await.unwrap(), "thing #3");
    assert_eq!(thing.repr().await.unwrap(), "Thing(3)");
    assert_eq!(
        thing.hash().await.unwrap(),
        same_thing.hash().await.unwrap()
    );
    let dir = thing.dir().await.unwrap();
    assert!(dir.iter().any(|n| n == "exposed_double"), "{dir:?}");
    assert!(dir.iter().any(|n| n == "__init__"), "{dir:?}");
    // `n` resolves to `exposed_n` under rpyc's attribute policy.
    assert_eq!(
        thing.getattr("n").await.unwrap().extract::<i64>().unwrap(),
        3
    );
    assert_eq!(
        thing
            .call::<Value>("double", ())
            .await
            .unwrap()
            .extract::<i64>()
            .unwrap(),
        6
    );
    let eq = thing
        .compare(Value::Proxy(same_thing.clone()), CompareOp::Eq)
        .await
        .unwrap();
    assert!(eq.extract::<bool>().unwrap());
    let lt = thing
        .compare(Value::Proxy(bigger.clone()), CompareOp::Lt)
        .await
        .unwrap();
    assert!(lt.extract::<bool>().unwrap());
    let ne = thing.compare(int(3), CompareOp::Eq).await.unwrap();
    assert!(!ne.extract::<bool>().unwrap());

    let list: Proxy = root
        .call::<Value>("get_list", ())
        .await
        .unwrap()
        .extract()
        .unwrap();
    let err = list.hash().await.unwrap_err().into_exception();
    assert_eq!(
        (err.name.as_str(), err.message().as_str()),
        ("TypeError", "unhashable type: 'list'")
    );
    let other_list: Proxy = root
        .call::<Value>("get_list", ())
        .await
        .unwrap()
        .extract()
        .unwrap();
    let eq = list
        .compare(Value::Proxy(other_list), CompareOp::Eq)
        .await
        .unwrap();
    assert!(eq.extract::<bool>().unwrap());
    // A plain tuple is not a list: NotImplemented, as `list.__eq__` says.
    let eq = list
        .compare(
            tuple(vec![int(1), int(2), int(3), int(4), int(5)]),
            CompareOp::Eq,
        )
        .await
        .unwrap();
    assert!(
        matches!(eq, Value::Brine(BrineValue::NotImplemented)),
        "{eq:?}"
    );
    assert!(list.dir().await.unwrap().iter().any(|n| n == "append"));
    // Our proxy sent home arrives as the Python object itself.
    let back = root.call::<Value>("echo", (list.clone(),)).await.unwrap();
    assert_eq!(back.as_proxy().map(|p| p.id_pack()), Some(list.id_pack()));
    conn.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn async_requests_and_timeouts() {
    let server = PythonServer::start();
    let (conn, root) = connect(&server).await;
    let (opener, opener_root) = connect(&server).await;

    let mut reply = conn.request_async(
        HandlerId::CallAttr,
        vec![
            Value::Proxy(root.clone()),
            "wait_gate".into(),
            tuple(vec!["g1".into()]),
            tuple(vec![]),
        ],
    );
    // The gate is closed: the reply cannot be there.
    assert!(reply.try_take().is_none());
    opener_root
        .call::<Value>("open_gate", ("g1",))
        .await
        .unwrap();
    let value: String = reply.await.unwrap().extract().unwrap();
    assert_eq!(value, "opened");

    // Several requests in flight on one connection.
    let replies: Vec<_> = (0..5i64)
        .map(|i| {
            conn.request_async(
                HandlerId::CallAttr,
                vec![
                    Value::Proxy(root.clone()),
                    "add".into(),
                    tuple(vec![int(i), int(100)]),
                    tuple(vec![]),
                ],
            )
        })
        .collect();
    for (i, reply) in replies.into_iter().enumerate() {
        assert_eq!(
            reply.wait().await.unwrap().extract::<i64>().unwrap(),
            i as i64 + 100
        );
    }

    // A synchronous request gives up after Config::sync_request_timeout.
    let config = Config {
        sync_request_timeout: Duration::from_millis(300),
        ..Config::default()
    };
    let (impatient, impatient_root) = connect_configured(&server, config).await;
    let err = impatient_root
        .call::<Value>("wait_gate", ("g2",))
        .await
        .unwrap_err()
        .into_exception();
    assert_eq!(err.name, "TimeoutError", "{err:#}");
    opener_root
        .call::<Value>("open_gate", ("g2",))
        .await
        .unwrap();
    // The late reply is dropped; the connection goes on.
    let answer: i64 = impatient_root
        .call::<Value>("get_answer", ())
        .await
        .unwrap()
        .extract()
        .unwrap();
    assert_eq!(answer, 42);
    impatient.close().await;
    opener.close().await;
    conn.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn python_server_releases_what_our_proxies_held() {
    let server = PythonServer::start();
    let (conn, root) = connect(&server).await;
    let base = remote_count(&root).await;
    let held: Vec<Proxy> = {
        let mut held = Vec::new();
        for _ in 0..50 {
            held.push(
                root.call::<Value>("get_list", ())
                    .await
                    .unwrap()
                    .extract()
                    .unwrap(),
            );
        }
        held
    };
    assert!(remote_count(&root).await >= base + 50);
    drop(held);
    let now = poll_until(base, || remote_count(&root)).await;
    assert_eq!(now, base, "DEL did not release the lists");

    // One object received several times: one DEL with the whole count.
    let list: Proxy = root
        .call::<Value>("get_list", ())
        .await
        .unwrap()
        .extract()
        .unwrap();
    for _ in 0..3 {
        let back = root.call::<Value>("echo", (list.clone(),)).await.unwrap();
        assert!(back.as_proxy().is_some());
    }
    drop(list);
    assert_eq!(poll_until(base, || remote_count(&root)).await, base);

    for i in 0..1000 {
        let list: Proxy = root
            .call::<Value>("get_list", ())
            .await
            .unwrap()
            .extract()
            .unwrap();
        assert_eq!(list.len().await.unwrap(), 5);
        drop(list);
        if i % 250 == 0 {
            assert!(remote_count(&root).await <= base + 1);
        }
    }
    assert_eq!(poll_until(base, || remote_count(&root)).await, base);

    // Dropping a proxy after the connection closed sends nothing and is harmless.
    let late: Proxy = root
        .call::<Value>("get_list", ())
        .await
        .unwrap()
        .extract()
        .unwrap();
    conn.close().await;
    drop(late);
    drop(root);
    assert!(conn.is_closed());
    // The server serves a new connection.
    let (conn2, root2) = connect(&server).await;
    assert_eq!(
        root2
            .call::<Value>("get_answer", ())
            .await
            .unwrap()
            .extract::<i64>()
            .unwrap(),
        42
    );
    conn2.close().await;
}

/// Async calls read their own replies when the reading is free (see
/// `core/caller_reading.rs`): tasks sharing one connection each get theirs,
/// large replies mixed with small ones arrive whole, the server's own
/// requests between calls are served (also after a call that timed out
/// while it held the reading), the idle limit counts the callers' reads,
/// and a server that goes away ends a waiting call at once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn async_calls_read_their_own_replies() {
    let server = PythonServer::start();
    let (conn, root) = connect(&server).await;
    let slow = {
        let root = root.clone();
        tokio::spawn(async move { root.call::<f64>("slow", (0.3f64,)).await.unwrap() })
    };
    let big = Bytes(vec![7u8; 1 << 20]);
    let tasks: Vec<_> = (0..8i64)
        .map(|t| {
            let (root, big) = (root.clone(), big.clone());
            tokio::spawn(async move {
                for i in 0..200i64 {
                    let sent = t * 1000 + i;
                    assert_eq!(root.call::<i64>("echo", (sent,)).await.unwrap(), sent);
                    if t == 0 && i % 50 == 0 {
                        // A megabyte each way, in many reads and frames.
                        let back: Bytes = root.call("echo", (big.clone(),)).await.unwrap();
                        assert_eq!(back.0, big.0);
                    }
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }
    assert_eq!(slow.await.unwrap(), 0.3);

    // The server's own requests, between calls, to a plain and an async
    // handler.
    let called = Arc::new(AtomicUsize::new(0));
    let (mark, mark_later) = counting_handlers(&called);
    root.call::<Value>("call_later", (mark.clone(), 0.2f64, 5i64))
        .await
        .unwrap();
    root.call::<Value>("call_later", (mark_later, 0.3f64, 7i64))
        .await
        .unwrap();
    assert_eq!(
        poll_until(12, || async { called.load(Ordering::SeqCst) }).await,
        12,
        "the server's requests were not served between calls"
    );

    // A call that times out while it holds the reading leaves it to the
    // connection: the request the server makes afterwards is served.
    let config = Config {
        sync_request_timeout: Duration::from_millis(300),
        ..Config::default()
    };
    let (impatient, impatient_root) = connect_configured(&server, config).await;
    impatient_root
        .call::<Value>("call_later", (mark, 0.6f64, 100i64))
        .await
        .unwrap();
    let err = impatient_root
        .call::<f64>("slow", (1.0f64,))
        .await
        .unwrap_err();
    assert!(matches!(err, oxrpc_rpyc::Error::Timeout(_)), "{err:?}");
    assert_eq!(
        poll_until(112, || async { called.load(Ordering::SeqCst) }).await,
        112,
        "the server's request after a timed-out call was not served"
    );
    // The server answers the slow call late (the reply finds no caller).
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(
        impatient_root.call::<i64>("get_answer", ()).await.unwrap(),
        42
    );
    impatient.close().await;

    // The idle limit: calls that read their own replies keep the
    // connection alive; silence ends it.
    let config = Config {
        idle_timeout: Some(Duration::from_millis(300)),
        ..Config::default()
    };
    let (watched, watched_root) = connect_configured(&server, config).await;
    let started = Instant::now();
    while started.elapsed() < Duration::from_millis(1200) {
        assert_eq!(
            watched_root.call::<i64>("get_answer", ()).await.unwrap(),
            42
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(!watched.is_closed(), "closed as idle while calls were made");
    tokio::time::timeout(Duration::from_secs(10), watched.closed())
        .await
        .expect("an idle connection stays open");

    // The server goes away while a call waits for its reply: the call
    // ends with the connection, not at its 30 s timeout.
    let waiting = {
        let root = root.clone();
        tokio::spawn(async move { root.call::<f64>("slow", (20.0f64,)).await })
    };
    tokio::time::sleep(Duration::from_millis(300)).await;
    drop(server);
    let ended = tokio::time::timeout(Duration::from_secs(10), waiting)
        .await
        .expect("the call outlived its server")
        .unwrap();
    assert!(matches!(ended, Err(oxrpc_rpyc::Error::Closed)), "{ended:?}");
    assert!(conn.is_closed());
}

/// Waits (at most 20 s, making no call) until `counter` moves off `value`.
fn wait_while_unchanged(counter: &AtomicUsize, value: usize) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while counter.load(Ordering::SeqCst) == value && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// The blocking client's calls read their own replies: threads sharing one
/// connection each get theirs while one of them waits long, a request the
/// server makes on its own between calls is served, and a call's timeout
/// fires while its thread waits on the socket.
#[test]
fn blocking_client_shared_by_threads_and_called_back_between_calls() {
    let server = PythonServer::start();
    let conn = oxrpc_rpyc::blocking::connect("127.0.0.1", server.port).unwrap();
    let root = conn.root().unwrap();
    let slow = {
        let root = root.clone();
        std::thread::spawn(move || root.call::<Value>("slow", (0.3f64,)).unwrap())
    };
    let workers: Vec<_> = (0..8i64)
        .map(|t| {
            let root = root.clone();
            std::thread::spawn(move || {
                for i in 0..200i64 {
                    let sent = t * 1000 + i;
                    let got: i64 = root
                        .call::<Value>("echo", (sent,))
                        .unwrap()
                        .extract()
                        .unwrap();
                    assert_eq!(got, sent);
                }
            })
        })
        .collect();
    for worker in workers {
        worker.join().unwrap();
    }
    assert_eq!(slow.join().unwrap().extract::<f64>().unwrap(), 0.3);

    let called = Arc::new(AtomicUsize::new(0));
    let (mark, mark_later) = counting_handlers(&called);
    root.call::<Value>("call_later", (mark, 0.2f64, 5i64))
        .unwrap();
    // No call from here on until the server's own request has come.
    wait_while_unchanged(&called, 0);
    assert_eq!(
        called.load(Ordering::SeqCst),
        5,
        "the server's callback was not served between calls"
    );
    // The same with a handler that awaits (it runs as a task).
    root.call::<Value>("call_later", (mark_later, 0.2f64, 7i64))
        .unwrap();
    wait_while_unchanged(&called, 5);
    assert_eq!(
        called.load(Ordering::SeqCst),
        12,
        "the async callback was not served"
    );
    assert_eq!(
        root.call::<Value>("get_answer", ())
            .unwrap()
            .extract::<i64>()
            .unwrap(),
        42
    );
    conn.close();

    let config = oxrpc_rpyc::Config {
        sync_request_timeout: Duration::from_millis(300),
        ..oxrpc_rpyc::Config::default()
    };
    let conn = oxrpc_rpyc::blocking::connect_with(
        "127.0.0.1",
        server.port,
        Arc::new(oxrpc_rpyc::VoidService),
        config,
    )
    .unwrap();
    let root = conn.root().unwrap();
    let err = root.call::<Value>("slow", (1.0f64,)).unwrap_err();
    assert!(matches!(err, oxrpc_rpyc::Error::Timeout(_)), "{err:?}");
    // The server answers the slow call late (the reply finds no caller)
    // and is free again.
    std::thread::sleep(Duration::from_millis(1500));
    assert_eq!(
        root.call::<Value>("get_answer", ())
            .unwrap()
            .extract::<i64>()
            .unwrap(),
        42
    );
}

#[test]
fn blocking_client() {
    let server = PythonServer::start();
    let conn = oxrpc_rpyc::blocking::connect("127.0.0.1", server.port).unwrap();
    let root = conn.root().unwrap();
    assert_eq!(
        root.call::<Value>("get_answer", ())
            .unwrap()
            .extract::<i64>()
            .unwrap(),
        42
    );
    assert_eq!(
        root.getattr("the_real_answer_though")
            .unwrap()
            .extract::<i64>()
            .unwrap(),
        43
    );
    let err = root
        .call::<Value>("get_question", ())
        .unwrap_err()
        .into_exception();
    assert_eq!(err.name, "AttributeError");
    let list = conn.wrap(
        root.call::<Value>("get_list", ())
            .unwrap()
            .extract::<Proxy>()
            .unwrap(),
    );
    assert_eq!(list.len().unwrap(), 5);
    assert_eq!(list.getitem(-1i64).unwrap().extract::<i64>().unwrap(), 5);
    assert_eq!(list.to_vec().unwrap().len(), 5);
    assert_eq!(list.str().unwrap(), "[1, 2, 3, 4, 5]");
    assert_eq!(list.repr().unwrap(), "[1, 2, 3, 4, 5]");
    assert!(list.dir().unwrap().iter().any(|n| n == "append"));
    assert_eq!(list.hash().unwrap_err().into_exception().name, "TypeError");
    let thing = conn.wrap(
        root.call::<Value>("get_thing", (2i64,))
            .unwrap()
            .extract::<Proxy>()
            .unwrap(),
    );
    assert_eq!(thing.str().unwrap(), "thing #2");
    assert!(thing.hash().is_ok());

    let double = Function::new("double", |args| {
        Ok(int(first_arg(args).extract::<i64>()? * 2))
    });
    assert_eq!(
        root.call::<Value>("call_back", (double, 8i64))
            .unwrap()
            .extract::<i64>()
            .unwrap(),
        16
    );
    let nested_root = root.as_async().clone();
    let nested = Function::new_async("nested", move |args| {
        let root = nested_root.clone();
        async move {
            let answer: i64 = root.call::<Value>("get_answer", ()).await?.extract()?;
            Ok(int(answer * first_arg(args).extract::<i64>()?))
        }
    });
    assert_eq!(
        root.call::<Value>("call_back", (nested, 2i64))
            .unwrap()
            .extract::<i64>()
            .unwrap(),
        84
    );
    conn.ping().unwrap();
    let base: usize = root
        .call::<Value>("local_object_count", ())
        .unwrap()
        .extract()
        .unwrap();
    drop(list);
    drop(thing);
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut now: usize = root
        .call::<Value>("local_object_count", ())
        .unwrap()
        .extract()
        .unwrap();
    while now + 2 != base && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(5));
        now = root
            .call::<Value>("local_object_count", ())
            .unwrap()
            .extract()
            .unwrap();
    }
    assert_eq!(
        now + 2,
        base,
        "dropping blocking proxies released their objects"
    );
    conn.close();
    assert!(root.call::<Value>("get_answer", ()).is_err());
}
