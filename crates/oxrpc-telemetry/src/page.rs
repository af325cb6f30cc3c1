//! The live status page (`/`) and the JSON it refreshes from
//! (`/status.json`).
//!
//! The page is complete when it arrives (every table rendered on the
//! server, every peer-supplied string escaped), then refreshes itself every
//! two seconds from `/status.json`, writing text with `textContent` only,
//! so nothing a peer names can become markup. Styles and script are
//! inline: the page makes no request anywhere but its own server.

use crate::handles::Telemetry;
use serde_json::{json, Value};
use std::time::UNIX_EPOCH;

/// How many methods the page lists (the busiest).
const BUSIEST: usize = 20;

fn ms(seconds: Option<f64>) -> Value {
    seconds.map_or(Value::Null, |s| json!((s * 1e6).round() / 1e3))
}

/// Everything the page shows, as JSON.
pub(crate) fn status(telemetry: &Telemetry) -> Value {
    let servers: Vec<Value> = telemetry
        .servers()
        .iter()
        .map(|server| {
            let connections: Vec<Value> = server
                .connections()
                .iter()
                .map(|c| {
                    json!({
                        "id": c.id,
                        "peer": c.peer,
                        "age_seconds": (c.opened.elapsed().as_secs_f64() * 10.0).round() / 10.0,
                        "calls": c.calls(),
                        "bytes_in": c.bytes_in(),
                        "bytes_out": c.bytes_out(),
                        "objects": c.objects(),
                    })
                })
                .collect();
            let mut methods: Vec<(String, u64, Value)> = server
                .methods()
                .into_iter()
                .map(|(name, stats)| {
                    let h = stats.latency();
                    let outcomes: serde_json::Map<String, Value> = stats
                        .outcomes()
                        .into_iter()
                        .map(|(o, n)| (o, json!(n)))
                        .collect();
                    let calls = h.count();
                    let row = json!({
                        "method": name,
                        "calls": calls,
                        "outcomes": outcomes,
                        "p50_ms": ms(h.quantile(0.5)),
                        "p90_ms": ms(h.quantile(0.9)),
                        "p99_ms": ms(h.quantile(0.99)),
                    });
                    (name, calls, row)
                })
                .collect();
            methods.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
            let limits: serde_json::Map<String, Value> = server
                .limits()
                .into_iter()
                .map(|(l, n)| (l.to_owned(), json!(n)))
                .collect();
            json!({
                "name": server.name,
                "connections_open": server.connections_open(),
                "connections_total": server.connections_total(),
                "bytes_in": server.bytes_in(),
                "bytes_out": server.bytes_out(),
                "in_progress": server.in_progress(),
                "objects": server.objects(),
                "limits": limits,
                "connections": connections,
                "methods": methods.into_iter().take(BUSIEST).map(|m| m.2).collect::<Vec<_>>(),
            })
        })
        .collect();
    let errors: Vec<Value> = telemetry
        .recent_errors()
        .iter()
        .rev()
        .map(|e| {
            let at =
                e.at.duration_since(UNIX_EPOCH)
                    .map(|d| d.as_secs_f64())
                    .unwrap_or(0.0);
            json!({"at": at, "server": e.server, "text": e.text})
        })
        .collect();
    json!({
        "uptime_seconds": (telemetry.uptime_seconds() * 10.0).round() / 10.0,
        "servers": servers,
        "errors": errors,
    })
}

/// `text` safe inside HTML text and attribute values.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn cell(value: &Value) -> String {
    match value {
        Value::String(s) => escape(s),
        Value::Null => "–".to_owned(),
        Value::Object(map) => escape(
            &map.iter()
                .map(|(k, v)| format!("{k}: {v}"))
                .collect::<Vec<_>>()
                .join(", "),
        ),
        other => escape(&other.to_string()),
    }
}

fn table(id: &str, columns: &[(&str, &str)], rows: &[Value]) -> String {
    let head: String = columns
        .iter()
        .map(|(_, title)| format!("<th>{}</th>", escape(title)))
        .collect();
    let body: String = rows
        .iter()
        .map(|row| {
            let cells: String = columns
                .iter()
                .map(|(key, _)| format!("<td>{}</td>", cell(&row[*key])))
                .collect();
            format!("<tr>{cells}</tr>")
        })
        .collect();
    format!("<table id=\"{id}\"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")
}

const CONNECTION_COLUMNS: &[(&str, &str)] = &[
    ("id", "id"),
    ("peer", "peer"),
    ("age_seconds", "age (s)"),
    ("calls", "calls"),
    ("bytes_in", "bytes in"),
    ("bytes_out", "bytes out"),
    ("objects", "objects held"),
];
const METHOD_COLUMNS: &[(&str, &str)] = &[
    ("method", "method"),
    ("calls", "calls"),
    ("outcomes", "outcomes"),
    ("p50_ms", "p50 (ms)"),
    ("p90_ms", "p90 (ms)"),
    ("p99_ms", "p99 (ms)"),
];
const ERROR_COLUMNS: &[(&str, &str)] = &[("server", "server"), ("text", "error")];

/// The whole page, rendered from `status` (see [`status`]).
pub(crate) fn html(status: &Value) -> String {
    let mut sections = String::new();
    for server in status["servers"].as_array().into_iter().flatten() {
        let name = server["name"].as_str().unwrap_or("");
        let id = escape(name);
        sections.push_str(&format!(
            "<section class=\"server\" data-server=\"{id}\"><h2>{id}</h2>\
             <p class=\"summary\">{open} open, {total} accepted, {inp} in progress, \
             {bin} bytes in, {bout} bytes out, {obj} objects held; limits hit: {limits}</p>\
             <h3>Connections</h3>{conns}<h3>Busiest methods</h3>{methods}</section>",
            open = cell(&server["connections_open"]),
            total = cell(&server["connections_total"]),
            inp = cell(&server["in_progress"]),
            bin = cell(&server["bytes_in"]),
            bout = cell(&server["bytes_out"]),
            obj = cell(&server["objects"]),
            limits = if server["limits"].as_object().is_none_or(|m| m.is_empty()) {
                "none".to_owned()
            } else {
                cell(&server["limits"])
            },
            conns = table(
                &format!("connections-{id}"),
                CONNECTION_COLUMNS,
                server["connections"].as_array().map_or(&[][..], |v| v)
            ),
            methods = table(
                &format!("methods-{id}"),
                METHOD_COLUMNS,
                server["methods"].as_array().map_or(&[][..], |v| v)
            ),
        ));
    }
    let errors = table(
        "errors",
        ERROR_COLUMNS,
        status["errors"].as_array().map_or(&[][..], |v| v),
    );
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <title>oxrpc status</title><style>{STYLE}</style></head><body>\
         <h1>oxrpc status</h1><p>up <span id=\"uptime\">{uptime}</span> s · \
         refreshed <span id=\"refreshes\">0</span> times · \
         <a href=\"/metrics\">metrics</a></p><div id=\"servers\">{sections}</div>\
         <h2>Recent errors</h2><div id=\"errors-box\">{errors}</div>\
         <script>{SCRIPT}</script></body></html>\n",
        uptime = cell(&status["uptime_seconds"]),
    )
}

const STYLE: &str = "body{font:14px system-ui,sans-serif;margin:1.5em;color:#222}\
table{border-collapse:collapse;margin:.3em 0 1em}th,td{border:1px solid #ccc;padding:.2em .6em;\
text-align:left}th{background:#f3f3f3}.summary{color:#555}section{margin-bottom:2em}";

/// Re-renders the tables from `/status.json` every two seconds, with
/// `textContent` only.
const SCRIPT: &str = r#"
(function () {
  var refreshes = 0;
  function text(v) {
    if (v === null || v === undefined) return '–';
    if (typeof v === 'object') return Object.keys(v).map(function (k) { return k + ': ' + v[k]; }).join(', ');
    return String(v);
  }
  function fill(table, columns, rows) {
    var body = table.tBodies[0];
    while (body.firstChild) body.removeChild(body.firstChild);
    rows.forEach(function (row) {
      var tr = document.createElement('tr');
      columns.forEach(function (key) {
        var td = document.createElement('td');
        td.textContent = text(row[key]);
        tr.appendChild(td);
      });
      body.appendChild(tr);
    });
  }
  var CONN = ['id', 'peer', 'age_seconds', 'calls', 'bytes_in', 'bytes_out', 'objects'];
  var METH = ['method', 'calls', 'outcomes', 'p50_ms', 'p90_ms', 'p99_ms'];
  function refresh() {
    fetch('/status.json', {cache: 'no-store'}).then(function (r) { return r.json(); }).then(function (s) {
      refreshes += 1;
      document.getElementById('refreshes').textContent = String(refreshes);
      document.getElementById('uptime').textContent = text(s.uptime_seconds);
      s.servers.forEach(function (server) {
        var sections = document.querySelectorAll('section.server');
        var section = null;
        sections.forEach(function (el) { if (el.getAttribute('data-server') === server.name) section = el; });
        if (!section) { location.reload(); return; }
        var limits = Object.keys(server.limits).length ? text(server.limits) : 'none';
        section.querySelector('.summary').textContent = server.connections_open + ' open, ' +
          server.connections_total + ' accepted, ' + server.in_progress + ' in progress, ' +
          server.bytes_in + ' bytes in, ' + server.bytes_out + ' bytes out, ' + server.objects +
          ' objects held; limits hit: ' + limits;
        var tables = section.querySelectorAll('table');
        fill(tables[0], CONN, server.connections);
        fill(tables[1], METH, server.methods);
      });
      fill(document.getElementById('errors'), ['server', 'text'], s.errors);
    }).catch(function () {});
  }
  setInterval(refresh, 2000);
})();
"#;
