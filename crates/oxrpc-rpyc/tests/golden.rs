//! Golden tests: bytes produced by the real rpyc 6.0.2 (see
//! `tests/golden/rpyc/generate.py`) must decode, and re-encode byte for byte;
//! bytes we produce must be understood by the real rpyc.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    unreachable_pub
)]

use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

use oxrpc_rpyc::boxing::{Boxed, IdPack};
use oxrpc_rpyc::brine::{self, BrineValue};
use oxrpc_rpyc::channel::{encode_frame, EncodedFrame, FrameDecoder};
use oxrpc_rpyc::message::{HandlerId, Message, MessageKind};
use oxrpc_rpyc::vinegar::{self, RemoteException};
use oxrpc_rpyc::BigInt;
use serde_json::Value;

fn golden(name: &str) -> Value {
    let path: PathBuf = oxrpc_testkit::workspace_root()
        .join("tests/golden/rpyc")
        .join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e} (run tests/golden/rpyc/generate.py)",
            path.display()
        )
    });
    serde_json::from_str(&text).unwrap()
}

fn unhex(s: &str) -> Vec<u8> {
    assert!(s.len() % 2 == 0, "odd hex length");
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

fn tohex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn float(bits: &Value) -> f64 {
    f64::from_bits(u64::from_str_radix(bits.as_str().unwrap(), 16).unwrap())
}

/// Rebuilds a value from generate.py's typed JSON description.
fn typed(v: &Value) -> BrineValue {
    let items = |v: &Value| v["items"].as_array().unwrap().iter().map(typed).collect();
    match v["t"].as_str().unwrap() {
        "none" => BrineValue::None,
        "bool" => BrineValue::Bool(v["v"].as_bool().unwrap()),
        "notimplemented" => BrineValue::NotImplemented,
        "ellipsis" => BrineValue::Ellipsis,
        "int" => BrineValue::from(BigInt::from_str(v["v"].as_str().unwrap()).unwrap()),
        "float" => BrineValue::Float(float(&v["bits"])),
        "complex" => BrineValue::Complex(float(&v["re"]), float(&v["im"])),
        "bytes" => BrineValue::Bytes(unhex(v["hex"].as_str().unwrap())),
        "str" => BrineValue::Str(v["v"].as_str().unwrap().to_owned()),
        "tuple" => BrineValue::Tuple(items(v)),
        "frozenset" => BrineValue::FrozenSet(items(v)),
        "slice" => BrineValue::slice(typed(&v["start"]), typed(&v["stop"]), typed(&v["step"])),
        other => panic!("unknown typed tag {other}"),
    }
}

/// Structural equality with floats compared bit for bit (so NaN == NaN).
fn same(a: &BrineValue, b: &BrineValue) -> bool {
    use BrineValue as B;
    let all = |x: &[B], y: &[B]| x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same(p, q));
    match (a, b) {
        (B::Float(x), B::Float(y)) => x.to_bits() == y.to_bits(),
        (B::Complex(a1, b1), B::Complex(a2, b2)) => {
            a1.to_bits() == a2.to_bits() && b1.to_bits() == b2.to_bits()
        }
        (B::Tuple(x), B::Tuple(y)) | (B::FrozenSet(x), B::FrozenSet(y)) => all(x, y),
        (B::Slice(a1, b1, c1), B::Slice(a2, b2, c2)) => {
            same(a1, a2) && same(b1, b2) && same(c1, c2)
        }
        _ => a == b,
    }
}

#[test]
fn brine_vectors_decode_and_reencode_byte_identically() {
    let doc = golden("brine.json");
    let vectors = doc["vectors"].as_array().unwrap();
    assert!(vectors.len() > 300, "{}", vectors.len());
    for v in vectors {
        let name = v["name"].as_str().unwrap();
        let bytes = unhex(v["hex"].as_str().unwrap());
        let expected = typed(&v["value"]);
        let decoded = brine::load(&bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(
            same(&decoded, &expected),
            "{name}: decoded {decoded:?}, expected {expected:?}"
        );
        assert_eq!(
            brine::dump(&decoded),
            bytes,
            "{name}: re-encoding the decoded value"
        );
        assert_eq!(
            brine::dump(&expected),
            bytes,
            "{name}: encoding the described value"
        );
    }
    // The docstring vector is among them.
    assert!(vectors.iter().any(|v| v["hex"]
        == "140e0b686557080c6c6c6f580216033930300003061840323333333333331b402a000000000000403233333333333319125152531a1255565705"));
}

fn find<'a>(list: &'a [Value], name: &str) -> &'a Value {
    list.iter()
        .find(|m| m["name"] == name)
        .unwrap_or_else(|| panic!("no vector {name}"))
}

#[test]
fn connection_messages_decode() {
    let doc = golden("messages.json");
    let messages = doc["messages"].as_array().unwrap();
    for m in messages {
        let name = m["name"].as_str().unwrap();
        let bytes = unhex(m["hex"].as_str().unwrap());
        let msg = Message::decode(&bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(
            u64::from(msg.kind.code()),
            m["kind"].as_u64().unwrap(),
            "{name}"
        );
        assert_eq!(
            msg.seq_number().unwrap(),
            m["seq"].as_u64().unwrap(),
            "{name}"
        );
        assert!(same(&msg.payload, &typed(&m["args"])), "{name}");
        assert_eq!(msg.encode(), bytes, "{name}: re-encoding");
        match msg.kind {
            MessageKind::Request => {
                let req = msg.into_request().unwrap_or_else(|e| panic!("{name}: {e}"));
                assert_eq!(u64::from(req.handler.id()), m["handler"].as_u64().unwrap());
                // Re-boxing the decoded args reproduces the bytes.
                let again = Message::request(m["seq"].as_u64().unwrap(), req.handler, req.args);
                assert_eq!(again.encode(), bytes, "{name}: rebuilt request");
            }
            MessageKind::Reply => {
                let boxed = msg.into_reply().unwrap_or_else(|e| panic!("{name}: {e}"));
                let again = Message::reply(m["seq"].as_u64().unwrap(), boxed);
                assert_eq!(again.encode(), bytes, "{name}: rebuilt reply");
            }
            MessageKind::Exception => {
                let exc = msg
                    .into_exception()
                    .unwrap_or_else(|e| panic!("{name}: {e}"));
                let again = Message::exception(m["seq"].as_u64().unwrap(), &exc);
                assert_eq!(again.encode(), bytes, "{name}: rebuilt exception");
            }
        }
    }

    let decode = |name: &str| {
        Message::decode(&unhex(find(messages, name)["hex"].as_str().unwrap())).unwrap()
    };

    let req = decode("request getroot").into_request().unwrap();
    assert_eq!(req.handler, HandlerId::GetRoot);
    assert!(req.args.into_items().unwrap().is_empty());

    let req = decode("request callattr").into_request().unwrap();
    assert_eq!(req.handler, HandlerId::CallAttr);
    let args = req.args.into_items().unwrap();
    assert_eq!(
        args[0],
        Boxed::LocalRef(IdPack::new(
            "builtins.list",
            94000000000000,
            140000000000000
        ))
    );
    assert_eq!(args[1], Boxed::Value("append".into()));
    assert_eq!(args[2], Boxed::Value(BrineValue::tuple([1.into()])));
    assert_eq!(
        args[3],
        Boxed::Value(BrineValue::tuple([BrineValue::tuple([
            "key".into(),
            "value".into()
        ])]))
    );

    let req = decode("request call with remote refs")
        .into_request()
        .unwrap();
    let args = req.args.into_items().unwrap();
    let Boxed::Tuple(call_args) = &args[1] else {
        panic!("{:?}", args[1])
    };
    let Boxed::RemoteRef(thing) = &call_args[0] else {
        panic!()
    };
    assert_eq!(thing.type_name, "__main__.Thing");
    let Boxed::RemoteRef(func) = &call_args[1] else {
        panic!()
    };
    assert_eq!(func.type_name, "builtins.function");
    assert!(func.instance_id > 0 && !func.is_class());

    let req = decode("request del").into_request().unwrap();
    assert_eq!(req.handler, HandlerId::Del);
    let args = req.args.into_items().unwrap();
    assert!(matches!(&args[0], Boxed::LocalRef(id) if id.type_name == "builtins.list"));
    assert_eq!(args[1], Boxed::Value(1.into()));

    assert_eq!(
        decode("reply 42").into_reply().unwrap(),
        Boxed::Value(42.into())
    );
    let root = decode("reply getroot").into_reply().unwrap();
    assert!(
        matches!(root, Boxed::RemoteRef(ref id) if id.type_name == "rpyc.core.service.VoidService")
    );

    let exc = decode("exception ValueError").into_exception().unwrap();
    assert_eq!(
        (exc.module.as_str(), exc.name.as_str()),
        ("builtins", "ValueError")
    );
    assert_eq!(exc.args, vec![BrineValue::from("bad value"), 42.into()]);
    assert_eq!(exc.remote_version(), Some("6.0.2"));
    assert!(
        exc.traceback.contains("ValueError: ('bad value', 42)"),
        "{}",
        exc.traceback
    );

    assert!(decode("exception StopIteration")
        .into_exception()
        .unwrap()
        .is_stop_iteration());

    let exc = decode("exception custom").into_exception().unwrap();
    assert_eq!(exc.qualified_name(), "__main__.CustomError");
    assert_eq!(exc.attr("code"), Some(&BrineValue::Int(7)));
    assert_eq!(exc.attr("payload"), Some(&BrineValue::from("[1, 2]")));

    let exc = decode("exception unknown handler")
        .into_exception()
        .unwrap();
    assert_eq!(exc.name, "KeyError");
    assert_eq!(exc.args, vec![BrineValue::Int(99)]);

    let exc = decode("exception getattr denied").into_exception().unwrap();
    assert_eq!(exc.to_string(), "AttributeError: cannot access 'secret'");
}

#[test]
fn vinegar_dumps_decode() {
    let doc = golden("vinegar.json");
    for v in doc["vectors"].as_array().unwrap() {
        let name = v["name"].as_str().unwrap();
        let bytes = unhex(v["hex"].as_str().unwrap());
        let value = brine::load(&bytes).unwrap();
        assert!(same(&value, &typed(&v["value"])), "{name}");
        let exc = vinegar::load(value).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(exc.module, v["module"].as_str().unwrap(), "{name}");
        assert_eq!(exc.name, v["class"].as_str().unwrap(), "{name}");
        assert_eq!(
            brine::dump(&vinegar::dump(&exc)),
            bytes,
            "{name}: re-encoding"
        );
        match name {
            "StopIteration" => assert_eq!(bytes, [0x51]),
            "ValueError with args" => {
                assert_eq!(exc.to_string(), "ValueError: ('bad value', 42)");
                assert!(exc
                    .traceback
                    .starts_with("Traceback (most recent call last):"));
                // Python sends its bound methods' repr as attributes.
                assert!(exc
                    .attr("add_note")
                    .and_then(BrineValue::as_str)
                    .is_some_and(|s| s.starts_with("<built-in method add_note")));
                assert_eq!(exc.attrs.last().unwrap().0, "_remote_version");
            }
            "KeyError" => assert_eq!(exc.to_string(), "KeyError: 'missing'"),
            "custom class with attrs" => {
                assert_eq!(exc.module, "__main__");
                assert_eq!(exc.attr("code"), Some(&BrineValue::Int(7)));
            }
            "OSError with errno" => {
                assert_eq!(exc.name, "FileNotFoundError");
                assert_eq!(exc.attr("errno"), Some(&BrineValue::Int(2)));
                assert_eq!(exc.attr("filename"), Some(&BrineValue::from("/nope")));
            }
            "non-brinable arg is repr'd" => {
                assert_eq!(
                    exc.args,
                    vec![BrineValue::from("[1, 2]"), BrineValue::from("{'a': 1}")]
                );
            }
            "no args" => assert_eq!(exc.to_string(), "RuntimeError"),
            "traceback and version denied" => {
                assert_eq!(exc.traceback, "<traceback denied>");
                assert_eq!(exc.remote_version(), Some("<version denied>"));
            }
            other => panic!("unexpected vector {other}"),
        }
    }
}

fn decode_stream(wire: &[u8], chunk: usize) -> Vec<Vec<u8>> {
    let mut decoder = FrameDecoder::new();
    let mut out = Vec::new();
    for piece in wire.chunks(chunk.max(1)) {
        decoder.feed(piece);
        while let Some(payload) = decoder.next_frame().unwrap() {
            out.push(payload.to_vec());
        }
    }
    assert!(!decoder.is_mid_frame(), "stream ends inside a frame");
    out
}

#[test]
fn channel_frames_decode_and_encode() {
    let doc = golden("frames.json");
    for f in doc["frames"].as_array().unwrap() {
        let name = f["name"].as_str().unwrap();
        let payload = unhex(f["payload_hex"].as_str().unwrap());
        let frame = unhex(f["frame_hex"].as_str().unwrap());
        for chunk in [1, 7, 4096, frame.len()] {
            assert_eq!(
                decode_stream(&frame, chunk),
                vec![payload.clone()],
                "{name} / {chunk}"
            );
        }
        let ours = EncodedFrame::new(&payload, true).unwrap();
        assert_eq!(
            ours.is_compressed(),
            f["compressed"].as_bool().unwrap(),
            "{name}"
        );
        let ours = ours.to_vec();
        if ours[4] == 0 {
            assert_eq!(
                ours, frame,
                "{name}: uncompressed frames are byte-identical"
            );
        } else {
            // zlib implementations differ in their output; the framing does not.
            assert_eq!(*ours.last().unwrap(), b'\n');
            assert_eq!(decode_stream(&ours, 1000), vec![payload.clone()], "{name}");
        }
    }
}

struct Conversation {
    requests: Vec<Message>,
    answers: Vec<Message>,
}

fn conversation(file: &str) -> Conversation {
    let doc = golden(file);
    let parse = |key: &str| -> Vec<Message> {
        let wire = unhex(doc[key].as_str().unwrap());
        let payloads = decode_stream(&wire, 1460);
        // Whole-stream and MSS-sized delivery agree.
        assert_eq!(payloads, decode_stream(&wire, wire.len()));
        payloads
            .iter()
            .map(|p| {
                let m = Message::decode(p).unwrap_or_else(|e| panic!("{file} {key}: {e}"));
                assert_eq!(&m.encode(), p, "{file} {key}: re-encoding");
                m
            })
            .collect()
    };
    let requests = parse("client_to_server");
    let answers = parse("server_to_client");
    assert!(requests.iter().all(|m| m.kind == MessageKind::Request));
    assert!(answers.iter().all(|m| m.kind != MessageKind::Request));
    Conversation { requests, answers }
}

impl Conversation {
    fn handlers(&self) -> Vec<HandlerId> {
        self.requests
            .iter()
            .map(|m| m.clone().into_request().unwrap().handler)
            .collect()
    }

    fn answer(&self, seq: u64) -> Option<&Message> {
        self.answers.iter().find(|m| m.seq_number() == Some(seq))
    }

    fn request(&self, handler: HandlerId) -> (u64, Vec<Boxed>) {
        let m = self
            .requests
            .iter()
            .find(|m| (*m).clone().into_request().unwrap().handler == handler)
            .unwrap_or_else(|| panic!("no {handler:?} request"));
        (
            m.seq_number().unwrap(),
            m.clone().into_request().unwrap().args.into_items().unwrap(),
        )
    }

    fn reply(&self, seq: u64) -> Boxed {
        self.answer(seq).unwrap().clone().into_reply().unwrap()
    }
}

#[test]
fn captured_get_answer_conversation() {
    let c = conversation("conversation.json");
    use HandlerId::*;
    // What a Python client sends for conn.root.get_answer() then conn.close().
    assert_eq!(
        c.handlers(),
        vec![GetRoot, Inspect, GetAttr, Call, Del, Close]
    );
    let seqs: Vec<u64> = c.requests.iter().map(|m| m.seq_number().unwrap()).collect();
    assert_eq!(seqs, vec![0, 1, 2, 3, 4, 5]);
    // Every request but CLOSE is answered (the server hangs up on CLOSE).
    for m in &c.requests[..5] {
        let seq = m.seq_number().unwrap();
        assert!(c.answer(seq).is_some(), "no answer to seq {seq}");
    }
    assert!(c.answer(5).is_none());

    let (seq, _) = c.request(GetRoot);
    let Boxed::RemoteRef(root) = c.reply(seq) else {
        panic!("root is not a ref")
    };
    assert_eq!(root.type_name, "__main__.MyService");
    assert!(!root.is_class());

    // The client asks for the methods of the root's (non-builtin) class.
    let (seq, args) = c.request(Inspect);
    assert_eq!(args, vec![Boxed::Value(root.to_brine())]);
    let Boxed::Value(BrineValue::Tuple(methods)) = c.reply(seq) else {
        panic!()
    };
    assert!(methods.iter().any(|m| m
        .as_tuple()
        .is_some_and(|p| p[0] == "exposed_get_answer".into())));

    let (seq, args) = c.request(GetAttr);
    assert_eq!(
        args,
        vec![
            Boxed::LocalRef(root.clone()),
            Boxed::Value("get_answer".into())
        ]
    );
    let Boxed::RemoteRef(method) = c.reply(seq) else {
        panic!()
    };
    assert_eq!(method.type_name, "builtins.method");

    let (seq, args) = c.request(Call);
    assert_eq!(
        args,
        vec![
            Boxed::LocalRef(method.clone()),
            Boxed::Value(BrineValue::Tuple(vec![])),
            Boxed::Value(BrineValue::Tuple(vec![]))
        ]
    );
    assert_eq!(c.reply(seq), Boxed::Value(42.into()));

    let (seq, args) = c.request(Del);
    assert_eq!(args, vec![Boxed::LocalRef(method), Boxed::Value(1.into())]);
    assert_eq!(c.reply(seq), Boxed::Value(BrineValue::None));
}

#[test]
fn captured_tutorial_conversation() {
    let c = conversation("conversation_tutorial.json");
    use HandlerId::*;
    let handlers = c.handlers();
    assert_eq!(handlers[..3], [GetRoot, Inspect, Str]);
    assert_eq!(*handlers.last().unwrap(), Close);

    let getattrs: Vec<(u64, Vec<Boxed>)> = c
        .requests
        .iter()
        .filter_map(|m| {
            let r = m.clone().into_request().unwrap();
            (r.handler == GetAttr).then(|| (m.seq_number().unwrap(), r.args.into_items().unwrap()))
        })
        .collect();
    let named = |name: &str| {
        getattrs
            .iter()
            .filter(|(_, a)| a[1] == Boxed::Value(name.into()))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        c.reply(named("the_real_answer_though")[0].0),
        Boxed::Value(43.into())
    );
    // A missing attribute costs a Python client two GETATTRs (__getattribute__,
    // then __getattr__), each answered with AttributeError.
    let question = named("get_question");
    assert_eq!(question.len(), 2);
    for (seq, _) in question {
        let exc = c.answer(*seq).unwrap().clone().into_exception().unwrap();
        assert_eq!(
            exc.to_string(),
            "AttributeError: cannot access 'get_question'"
        );
    }
    let (seq, _) = c.request(Str);
    let Boxed::Value(BrineValue::Str(s)) = c.reply(seq) else {
        panic!()
    };
    assert!(s.starts_with("<__main__.MyService object at 0x"));
}

/// Bytes we produce, fed to the real rpyc: frames through `Channel.recv`,
/// messages through `Connection._dispatch`.
#[test]
fn python_accepts_our_bytes() {
    let big: Vec<u8> = (0..50_000u32)
        .flat_map(|i| format!("{i} ").into_bytes())
        .collect();
    let payloads: Vec<Vec<u8>> = vec![b"".to_vec(), b"\x02abc".to_vec(), vec![7; 3001], big];
    let frames: Vec<String> = payloads
        .iter()
        .map(|p| {
            let mut out = Vec::new();
            encode_frame(p, &mut out).unwrap();
            tohex(&out)
        })
        .collect();

    let list = IdPack::new("builtins.list", 1234, 5678);
    let traceback = "Traceback (most recent call last):\n  File \"lib.rs\", line 1, in serve\nValueError: bad\n";
    let messages = [
        Message::reply(1, Boxed::Value(42.into())),
        Message::reply(
            2,
            Boxed::tuple(vec![
                Boxed::Value("x".into()),
                Boxed::RemoteRef(list.clone()),
            ]),
        ),
        Message::exception(
            3,
            &RemoteException::value_error("bad").with_traceback(traceback),
        ),
        Message::exception(4, &RemoteException::stop_iteration()),
        Message::exception(
            5,
            &RemoteException::new("mymod", "MyError", vec![1.into()]).with_attr("code", 7),
        ),
        Message::exception(
            6,
            &RemoteException::key_error("k").with_attr("_remote_version", "7.0.0"),
        ),
        Message::request(
            7,
            HandlerId::Ping,
            Boxed::Value(BrineValue::tuple(["hé".into()])),
        ),
        Message::request(8, HandlerId::GetRoot, Boxed::tuple(vec![])),
        Message::request(
            9,
            HandlerId::Pickle,
            Boxed::tuple(vec![Boxed::Value(1.into()), Boxed::Value(4.into())]),
        ),
    ];
    let input = serde_json::json!({
        "frames": frames,
        "messages": messages.iter().map(|m| tohex(&m.encode())).collect::<Vec<_>>(),
    });
    let path = std::env::temp_dir().join(format!("oxrpc-rpyc-golden-{}.json", std::process::id()));
    std::fs::write(&path, input.to_string()).unwrap();
    let mut cmd = oxrpc_testkit::python_command();
    cmd.arg(oxrpc_testkit::workspace_root().join("tests/golden/rpyc/check_rust_output.py"))
        .arg(&path);
    let output = oxrpc_testkit::run_with_deadline(cmd, Duration::from_secs(60));
    let _ = std::fs::remove_file(&path);
    let stdout = oxrpc_testkit::expect_success("check_rust_output.py", &output);
    let result: Value = serde_json::from_str(&stdout).unwrap();

    for (i, p) in payloads.iter().enumerate() {
        let f = &result["frames"][i];
        assert_eq!(f["payload_hex"], tohex(p), "frame {i}");
        assert_eq!(f["consumed_all"], true, "frame {i}");
    }
    let m = &result["messages"];
    let cb = |i: usize| &m[i]["callback"];
    assert_eq!(cb(0)["value"]["repr"], "42");
    assert_eq!(
        cb(1)["value"],
        serde_json::json!({"tuple": [{"type": "str", "repr": "'x'"}, {"netref": ["builtins.list", 1234, 5678]}]})
    );

    assert_eq!(cb(2)["class"], "ValueError");
    assert_eq!(cb(2)["module"], "builtins");
    assert_eq!(cb(2)["args"], serde_json::json!(["'bad'"]));
    let text = cb(2)["str"].as_str().unwrap();
    assert!(
        text.starts_with("bad\n\n========= Remote Traceback (1) =========\n"),
        "{text}"
    );
    assert!(text.ends_with(traceback), "{text}");
    assert_eq!(
        format!(
            "{:#}",
            RemoteException::value_error("bad").with_traceback(traceback)
        ),
        format!("ValueError: {text}")
    );

    assert_eq!(cb(3)["class"], "StopIteration");

    // Custom classes become rpyc GenericException subclasses named module.Class.
    assert_eq!(cb(4)["class"], "mymod.MyError");
    assert!(cb(4)["mro"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c == "GenericException"));

    // A different major _remote_version makes Python add a warning.
    assert!(cb(5)["remote_tb"]
        .as_str()
        .unwrap()
        .contains("Remote is on RPyC 7.0.0"));
    assert_eq!(cb(5)["class"], "KeyError");

    // Python served our requests; decode its answers.
    let sent = |i: usize| -> Message {
        let list = m[i]["sent_hex"].as_array().unwrap();
        assert_eq!(list.len(), 1, "message {i}: {list:?}");
        Message::decode(&unhex(list[0].as_str().unwrap())).unwrap()
    };
    let ping = sent(6);
    assert_eq!(
        (ping.kind, ping.seq_number()),
        (MessageKind::Reply, Some(7))
    );
    assert_eq!(ping.into_reply().unwrap(), Boxed::Value("hé".into()));
    let root = sent(7);
    assert_eq!(root.seq_number(), Some(8));
    assert!(
        matches!(root.into_reply().unwrap(), Boxed::RemoteRef(id) if id.type_name == "rpyc.core.service.VoidService")
    );
    let refused = sent(8).into_exception().unwrap();
    assert_eq!(refused.to_string(), "ValueError: pickling is disabled");
}
