//! Text for people: how decoded messages are printed.
//!
//! RPyC messages print as their kind, seq and handler, then one line per
//! argument with the parameter's name (as rpyc's `consts.py` documents it)
//! and the boxed value with its label: `VALUE` for values sent as
//! themselves (shown as Python's `repr`), `TUPLE` for tuples holding
//! references, `LOCAL_REF` / `REMOTE_REF` with the id pack `(type name,
//! type id, instance id)` (a `LOCAL_REF` names an object of the receiver,
//! a `REMOTE_REF` one of the sender). Exceptions print their class, args,
//! attributes and remote traceback. XML-RPC prints the HTTP start line, the
//! headers that matter, and the document as a tree of typed values.
//!
//! Peer data can be huge: [`Style`] caps the characters of one value and
//! the items of one container shown (`--full` lifts both).

use std::fmt::Write as _;

use oxrpc::rpyc::boxing::{Boxed, IdPack};
use oxrpc::rpyc::brine::BrineValue;
use oxrpc::rpyc::message::{HandlerId, Message, MessageKind};
use oxrpc::rpyc::vinegar::RemoteException;
use oxrpc::xmlrpc::{MethodResponse, Value};

use super::http::{shorten, HttpMessage, StartLine};

/// How much of a value to show.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Style {
    /// Most characters of one rendered value.
    pub(crate) max_chars: usize,
    /// Most items of one container listed.
    pub(crate) max_items: usize,
}

impl Default for Style {
    fn default() -> Self {
        Style {
            max_chars: 1000,
            max_items: 100,
        }
    }
}

impl Style {
    /// No limits.
    pub(crate) fn full() -> Style {
        Style {
            max_chars: usize::MAX,
            max_items: usize::MAX,
        }
    }
}

/// The parameter names of each handler, from rpyc's `consts.py`.
pub(crate) fn handler_params(handler: HandlerId) -> &'static [&'static str] {
    match handler {
        HandlerId::Ping => &["data"],
        HandlerId::Close | HandlerId::GetRoot => &[],
        HandlerId::GetAttr | HandlerId::DelAttr => &["obj", "name"],
        HandlerId::SetAttr => &["obj", "name", "value"],
        HandlerId::Call => &["obj", "args", "kwargs"],
        HandlerId::CallAttr => &["obj", "name", "args", "kwargs"],
        HandlerId::Repr | HandlerId::Str | HandlerId::Hash | HandlerId::Dir => &["obj"],
        HandlerId::Cmp => &["obj", "other", "op"],
        HandlerId::Pickle => &["obj", "proto"],
        HandlerId::Del => &["obj", "count"],
        HandlerId::Inspect => &["id_pack"],
        HandlerId::BuffIter => &["obj", "count"],
        HandlerId::OldSlicing => &["obj", "attempt", "fallback", "start", "stop", "args"],
        HandlerId::CtxExit => &["obj", "exc"],
        HandlerId::InstanceCheck => &["obj", "other_id_pack"],
    }
}

/// A string that stops growing at a budget, marking the cut with `...`.
struct Capped {
    text: String,
    max: usize,
    cut: bool,
}

impl Capped {
    fn new(max: usize) -> Capped {
        Capped {
            text: String::new(),
            max,
            cut: false,
        }
    }

    fn full(&self) -> bool {
        self.cut || self.text.len() >= self.max
    }

    fn push(&mut self, s: &str) {
        if self.cut {
            return;
        }
        let room = self.max.saturating_sub(self.text.len());
        if s.len() <= room {
            self.text.push_str(s);
        } else {
            let mut end = room;
            while !s.is_char_boundary(end) {
                end -= 1;
            }
            self.text.push_str(&s[..end]);
            self.text.push_str("...");
            self.cut = true;
        }
    }

    /// Room left before the budget.
    fn room(&self) -> usize {
        if self.cut {
            0
        } else {
            self.max.saturating_sub(self.text.len())
        }
    }

    /// Appends `s` whole (a value already cut to the room left, with its
    /// note), and stops.
    fn push_last(&mut self, s: &str) {
        if !self.cut {
            self.text.push_str(s);
            self.cut = true;
        }
    }

    fn finish(self) -> String {
        self.text
    }
}

/// A brine value as Python's `repr`, within the style's budget.
pub(crate) fn brine(value: &BrineValue, style: Style) -> String {
    let mut out = Capped::new(style.max_chars);
    write_brine(value, style, &mut out);
    out.finish()
}

fn write_brine(value: &BrineValue, style: Style, out: &mut Capped) {
    if out.full() {
        return;
    }
    let seq = |items: &[BrineValue], out: &mut Capped| {
        for (i, item) in items.iter().enumerate() {
            if out.full() {
                return;
            }
            if i > 0 {
                out.push(", ");
            }
            if i >= style.max_items {
                out.push(&format!("... {} more", items.len() - i));
                return;
            }
            write_brine(item, style, out);
        }
    };
    match value {
        BrineValue::Str(s) if s.len() > out.room() => {
            let mut end = out.room();
            while !s.is_char_boundary(end) {
                end -= 1;
            }
            let prefix = BrineValue::Str(s[..end].to_owned()).to_string();
            out.push_last(&format!("{prefix}... ({} bytes in all)", s.len()));
        }
        BrineValue::Bytes(b) if b.len() > out.room() => {
            let prefix = BrineValue::Bytes(b[..out.room()].to_vec()).to_string();
            out.push_last(&format!("{prefix}... ({} bytes in all)", b.len()));
        }
        BrineValue::Tuple(items) => {
            out.push("(");
            seq(items, out);
            out.push(if items.len() == 1 { ",)" } else { ")" });
        }
        BrineValue::FrozenSet(items) if !items.is_empty() => {
            out.push("frozenset({");
            seq(items, out);
            out.push("})");
        }
        other => out.push(&other.to_string()),
    }
}

/// An id pack as the tuple it is on the wire.
pub(crate) fn id_pack(id: &IdPack) -> String {
    format!(
        "({}, {}, {})",
        BrineValue::Str(id.type_name.clone()),
        id.type_id,
        id.instance_id
    )
}

/// A boxed value with its label.
pub(crate) fn boxed(value: &Boxed, style: Style) -> String {
    let mut out = Capped::new(style.max_chars);
    write_boxed(value, style, &mut out);
    out.finish()
}

fn write_boxed(value: &Boxed, style: Style, out: &mut Capped) {
    match value {
        Boxed::Value(v) => {
            out.push("VALUE ");
            write_brine(v, style, out);
        }
        Boxed::LocalRef(id) => out.push(&format!("LOCAL_REF {}", id_pack(id))),
        Boxed::RemoteRef(id) => out.push(&format!("REMOTE_REF {}", id_pack(id))),
        Boxed::Tuple(items) => {
            out.push("TUPLE (");
            for (i, item) in items.iter().enumerate() {
                if out.full() {
                    break;
                }
                if i > 0 {
                    out.push(", ");
                }
                if i >= style.max_items {
                    out.push(&format!("... {} more", items.len() - i));
                    break;
                }
                write_boxed(item, style, out);
            }
            out.push(if items.len() == 1 { ",)" } else { ")" });
        }
    }
}

/// A message: its headline, then indented detail lines.
pub(crate) fn message(msg: &Message, style: Style) -> Vec<String> {
    let seq = brine(&msg.seq, style);
    match msg.kind {
        MessageKind::Request => request(msg, &seq, style),
        MessageKind::Reply => match Boxed::from_brine(msg.payload.clone()) {
            Ok(value) => vec![format!("reply seq={seq} {}", boxed(&value, style))],
            Err(e) => vec![
                format!("reply seq={seq} (malformed: {e})"),
                format!("    raw = {}", brine(&msg.payload, style)),
            ],
        },
        MessageKind::Exception => match oxrpc::rpyc::vinegar::load(msg.payload.clone()) {
            Ok(exc) => exception(&seq, &exc, style),
            Err(e) => vec![
                format!("exception seq={seq} (malformed: {e})"),
                format!("    raw = {}", brine(&msg.payload, style)),
            ],
        },
    }
}

fn request(msg: &Message, seq: &str, style: Style) -> Vec<String> {
    let request = match msg.clone().into_request() {
        Ok(request) => request,
        Err(e) => {
            return vec![
                format!("request seq={seq} (malformed: {e})"),
                format!("    raw = {}", brine(&msg.payload, style)),
            ]
        }
    };
    let name = request.handler.const_name();
    let items = match request.args.clone().into_items() {
        Ok(items) => items,
        Err(_) => {
            return vec![format!(
                "request seq={seq} {name} args={}",
                boxed(&request.args, style)
            )]
        }
    };
    if items.is_empty() {
        return vec![format!("request seq={seq} {name}()")];
    }
    let params = handler_params(request.handler);
    let names: Vec<String> = (0..items.len())
        .map(|i| {
            params
                .get(i)
                .map_or_else(|| format!("arg{i}"), |p| (*p).to_owned())
        })
        .collect();
    let width = names.iter().map(String::len).max().unwrap_or(0);
    let mut lines = vec![format!("request seq={seq} {name}({})", names.join(", "))];
    for (name, item) in names.iter().zip(&items) {
        lines.push(format!("    {name:<width$} = {}", boxed(item, style)));
    }
    lines
}

fn exception(seq: &str, exc: &RemoteException, style: Style) -> Vec<String> {
    let class = if exc.module.is_empty() {
        exc.name.clone()
    } else {
        format!("{}.{}", exc.module, exc.name)
    };
    let mut lines = vec![format!("exception seq={seq} {class}")];
    if exc.is_stop_iteration() && exc.attrs.is_empty() {
        return lines;
    }
    lines.push(format!(
        "    args      = {}",
        brine(&BrineValue::Tuple(exc.args.clone()), style)
    ));
    if !exc.attrs.is_empty() {
        let shown: Vec<String> = exc
            .attrs
            .iter()
            .take(style.max_items)
            .map(|(name, value)| format!("{name}={}", brine(value, style)))
            .collect();
        let mut attrs = shown.join(", ");
        if exc.attrs.len() > style.max_items {
            let _ = write!(attrs, ", ... {} more", exc.attrs.len() - style.max_items);
        }
        lines.push(format!("    attrs     = {attrs}"));
    }
    if !exc.traceback.is_empty() {
        lines.push("    traceback:".to_owned());
        let tb_lines: Vec<&str> = exc.traceback.lines().collect();
        let cap = style.max_items.saturating_mul(4);
        for line in tb_lines.iter().take(cap) {
            lines.push(format!("      | {}", shorten(line, style.max_chars)));
        }
        if tb_lines.len() > cap {
            lines.push(format!("      | ... {} more lines", tb_lines.len() - cap));
        }
    }
    lines
}

/// An HTTP message carrying XML-RPC: start line and headers, then the
/// document (or why it cannot be read).
pub(crate) fn http(
    msg: &HttpMessage,
    document: &Result<Document, String>,
    style: Style,
) -> Vec<String> {
    let shown: Vec<String> = [
        "Content-Type",
        "Content-Length",
        "Content-Encoding",
        "Transfer-Encoding",
        "Connection",
    ]
    .iter()
    .filter_map(|name| {
        msg.header(name)
            .map(|v| format!("{name}: {}", shorten(v, 80)))
    })
    .collect();
    let mut lines = vec![if shown.is_empty() {
        shorten(&msg.start.to_string(), 200)
    } else {
        format!(
            "{}  [{}]",
            shorten(&msg.start.to_string(), 200),
            shown.join(", ")
        )
    }];
    match document {
        Ok(doc) => lines.extend(
            xml_document(doc, style)
                .into_iter()
                .map(|l| format!("    {l}")),
        ),
        Err(e) => lines.push(format!("    error: {e}")),
    }
    lines
}

/// What an HTTP body held.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Document {
    /// A `<methodCall>`.
    Call(oxrpc::xmlrpc::MethodCall),
    /// A `<methodResponse>`.
    Response(MethodResponse),
    /// No body.
    Empty,
    /// A body that is not XML-RPC (an error page, the docs page): its
    /// size and first characters.
    Other(usize, String),
}

/// Reads an HTTP body as XML-RPC.
pub(crate) fn read_document(
    msg: &HttpMessage,
    limits: &super::stream::DecodeLimits,
) -> Result<Document, String> {
    let gzipped = msg
        .header("Content-Encoding")
        .is_some_and(|v| v.eq_ignore_ascii_case("gzip"));
    let body = if gzipped {
        oxrpc::xmlrpc::gunzip(&msg.body, limits.http.max_body)
            .map_err(|e| format!("body at byte {}: {e}", msg.body_offset))?
    } else {
        msg.body.clone()
    };
    if body.is_empty() {
        return Ok(Document::Empty);
    }
    let xml_like = body.trim_ascii_start().starts_with(b"<?xml")
        || body.trim_ascii_start().starts_with(b"<method");
    match &msg.start {
        StartLine::Request { method, .. } if method == "POST" || xml_like => {
            read_xml(&body, limits).map_err(|e| format!("body at byte {}: {e}", msg.body_offset))
        }
        StartLine::Response { .. } if xml_like => {
            read_xml(&body, limits).map_err(|e| format!("body at byte {}: {e}", msg.body_offset))
        }
        _ => Ok(Document::Other(
            body.len(),
            shorten(&String::from_utf8_lossy(&body[..body.len().min(400)]), 120),
        )),
    }
}

/// Reads a bare XML-RPC document, call or response.
pub(crate) fn read_xml(
    body: &[u8],
    limits: &super::stream::DecodeLimits,
) -> Result<Document, String> {
    let is_response = {
        let head = &body[..body.len().min(512)];
        head.windows(15).any(|w| w == b"<methodResponse")
    };
    if is_response {
        oxrpc::xmlrpc::decode_response(body, &limits.xml)
            .map(Document::Response)
            .map_err(|e| e.to_string())
    } else {
        oxrpc::xmlrpc::decode_call(body, &limits.xml)
            .map(Document::Call)
            .map_err(|e| e.to_string())
    }
}

/// A document as lines.
pub(crate) fn xml_document(doc: &Document, style: Style) -> Vec<String> {
    let mut lines = Vec::new();
    match doc {
        Document::Call(call) => {
            lines.push(format!(
                "methodCall {} ({} param{})",
                shorten(&call.name, style.max_chars),
                call.params.len(),
                if call.params.len() == 1 { "" } else { "s" }
            ));
            for (i, param) in call.params.iter().enumerate().take(style.max_items) {
                xml_value(&format!("[{i}] "), param, 1, style, &mut lines);
            }
            if call.params.len() > style.max_items {
                lines.push(format!(
                    "    ... {} more",
                    call.params.len() - style.max_items
                ));
            }
        }
        Document::Response(MethodResponse::Success(value)) => {
            lines.push("methodResponse".to_owned());
            xml_value("", value, 1, style, &mut lines);
        }
        Document::Response(MethodResponse::Fault(fault)) => {
            lines.push(format!("methodResponse fault {}", fault.code));
            lines.push(format!("    faultCode   int {}", fault.code));
            lines.push(format!(
                "    faultString string {}",
                brine(&BrineValue::Str(fault.string.clone()), style)
            ));
        }
        Document::Response(MethodResponse::NonStandardFault(fault)) => {
            lines.push("methodResponse fault (outside the specification)".to_owned());
            xml_value("faultCode   ", &fault.code, 1, style, &mut lines);
            xml_value("faultString ", &fault.string, 1, style, &mut lines);
        }
        Document::Empty => lines.push("(no body)".to_owned()),
        Document::Other(len, start) => lines.push(format!("(not XML-RPC: {len} bytes) {start:?}")),
    }
    lines
}

fn xml_value(label: &str, value: &Value, depth: usize, style: Style, lines: &mut Vec<String>) {
    let indent = "    ".repeat(depth);
    let scalar = |text: String| format!("{indent}{label}{} {text}", value.type_name());
    match value {
        Value::Array(items) => {
            lines.push(format!("{indent}{label}array ({} items)", items.len()));
            for (i, item) in items.iter().enumerate().take(style.max_items) {
                xml_value(&format!("[{i}] "), item, depth + 1, style, lines);
            }
            if items.len() > style.max_items {
                lines.push(format!(
                    "{indent}    ... {} more",
                    items.len() - style.max_items
                ));
            }
        }
        Value::Struct(members) => {
            lines.push(format!("{indent}{label}struct ({} members)", members.len()));
            for (name, member) in members.iter().take(style.max_items) {
                let name = brine(&BrineValue::Str(name.clone()), style);
                xml_value(&format!("{name}: "), member, depth + 1, style, lines);
            }
            if members.len() > style.max_items {
                lines.push(format!(
                    "{indent}    ... {} more",
                    members.len() - style.max_items
                ));
            }
        }
        Value::Int(i) => lines.push(scalar(i.to_string())),
        Value::BigInt(digits) => lines.push(scalar(shorten(digits, style.max_chars))),
        Value::Bool(b) => lines.push(scalar(if *b { "True" } else { "False" }.to_owned())),
        Value::String(s) => lines.push(scalar(brine(&BrineValue::Str(s.clone()), style))),
        Value::Double(f) => lines.push(scalar(BrineValue::Float(*f).to_string())),
        Value::BigDecimal(d) => lines.push(scalar(shorten(d, style.max_chars))),
        Value::DateTime(dt) => lines.push(scalar(dt.to_string())),
        Value::Base64(bytes) => lines.push(scalar(brine(&BrineValue::Bytes(bytes.clone()), style))),
        Value::Nil => lines.push(scalar("None".to_owned())),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use oxrpc::xmlrpc::NonStandardFault;

    #[test]
    fn request_lines_name_the_parameters() {
        let msg = Message::request(
            3,
            HandlerId::GetAttr,
            Boxed::tuple(vec![
                Boxed::LocalRef(IdPack::new("__main__.MyService", 1, 2)),
                Boxed::Value("get_answer".into()),
            ]),
        );
        assert_eq!(
            message(&msg, Style::default()),
            [
                "request seq=3 HANDLE_GETATTR(obj, name)",
                "    obj  = LOCAL_REF ('__main__.MyService', 1, 2)",
                "    name = VALUE 'get_answer'",
            ]
        );
    }

    #[test]
    fn exceptions_show_class_args_and_traceback() {
        let exc = RemoteException::attribute_error("cannot access 'x'")
            .with_attr("_remote_version", "6.0.2")
            .with_traceback(
                "Traceback (most recent call last):\nAttributeError: cannot access 'x'\n",
            );
        let lines = message(&Message::exception(4, &exc), Style::default());
        assert_eq!(lines[0], "exception seq=4 builtins.AttributeError");
        assert_eq!(lines[1], "    args      = (\"cannot access 'x'\",)");
        assert_eq!(lines[2], "    attrs     = _remote_version='6.0.2'");
        assert_eq!(lines[4], "      | Traceback (most recent call last):");
    }

    #[test]
    fn faults_outside_the_specification_show_what_was_sent() {
        let fault = NonStandardFault {
            code: Value::from("E42"),
            string: Value::Int(7),
        };
        let doc = Document::Response(MethodResponse::NonStandardFault(fault));
        assert_eq!(
            xml_document(&doc, Style::default()),
            [
                "methodResponse fault (outside the specification)",
                "    faultCode   string 'E42'",
                "    faultString int 7",
            ]
        );
    }

    #[test]
    fn big_values_are_cut() {
        let style = Style {
            max_chars: 20,
            max_items: 3,
        };
        let long = brine(&BrineValue::Str("x".repeat(1000)), style);
        assert!(
            long.starts_with("'xxxx") && long.ends_with("(1000 bytes in all)"),
            "{long}"
        );
        let many = brine(
            &BrineValue::Tuple((0..10).map(BrineValue::Int).collect()),
            Style {
                max_chars: 1000,
                max_items: 3,
            },
        );
        assert_eq!(many, "(0, 1, 2, ... 7 more)");
    }
}
