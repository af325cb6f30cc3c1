//! The documentation page: what CPython's `DocXMLRPCServer` serves on GET,
//! and a little more.
//!
//! Each method with its signature (from the Rust types of its handler),
//! parameter names and help text, grouped by dotted prefix (`math.add`
//! and `math.sub` under `math`), each with an anchor, and a small form to
//! try it: arguments typed as JSON are sent as a real XML-RPC call by the
//! page's own script, and the result or fault is shown.
//!
//! # Hostile text
//!
//! Method names, help texts and the server's own texts are escaped
//! everywhere they appear (a help text holding `<script>` shows as those
//! characters), results are shown as text, never as markup, and the page
//! is served with a Content-Security-Policy that allows exactly its own
//! inline script and style (by hash), calls to its own origin and nothing
//! else: no external requests, no other script, no form navigation.
//!
//! # Arguments in JSON
//!
//! JSON numbers become `<int>` (or `<i8>` beyond 32 bits, `<double>` with
//! a fraction), strings `<string>`, `null` `<nil/>`, arrays and objects
//! `<array>` and `<struct>`; `{"$base64": "..."}`, `{"$datetime":
//! "20261126T01:10:20"}` and `{"$double": 1}` write the types JSON lacks.
//! Results come back the same way.

use crate::registry::MethodDoc;
use base64::Engine;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::OnceLock;

/// The stylesheet, inline in the page (and at `/pydoc.css`).
pub(crate) const STYLESHEET: &str = include_str!("page.css");
const SCRIPT: &str = include_str!("page.js");

/// The texts of the documentation page (CPython's `set_server_title`,
/// `set_server_name` and `set_server_documentation`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocsConfig {
    /// The page title (the browser tab shows it after `Python: `, as
    /// pydoc's pages, CPython's among them, are titled).
    pub server_title: String,
    /// The heading at the top of the page.
    pub server_name: String,
    /// The text under the heading.
    pub server_documentation: String,
}

impl Default for DocsConfig {
    /// CPython's defaults.
    fn default() -> Self {
        DocsConfig {
            server_title: "XML-RPC Server Documentation".into(),
            server_name: "XML-RPC Server Documentation".into(),
            server_documentation:
                "This server exports the following methods through the XML-RPC protocol.".into(),
        }
    }
}

/// The Content-Security-Policy the page is served with.
pub(crate) fn content_security_policy() -> &'static str {
    static POLICY: OnceLock<String> = OnceLock::new();
    POLICY.get_or_init(|| {
        let hash = |text: &str| {
            let digest = ring::digest::digest(&ring::digest::SHA256, text.as_bytes());
            base64::engine::general_purpose::STANDARD.encode(digest.as_ref())
        };
        format!(
            "default-src 'none'; script-src 'sha256-{}'; style-src 'sha256-{}'; \
             connect-src 'self'; img-src 'none'; form-action 'none'; base-uri 'none'; \
             frame-ancestors 'none'",
            hash(SCRIPT),
            hash(STYLESHEET)
        )
    })
}

/// Escapes text for HTML content and attribute values alike.
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

/// An element id for `name`: letters, digits, `_` and `.` as they are,
/// anything else as `-hex-`, so every name gets a distinct, inert id.
fn anchor(kind: &str, name: &str) -> String {
    let mut out = String::from(kind);
    out.push('-');
    for c in name.chars() {
        if c.is_ascii_alphanumeric() || c == '_' || c == '.' {
            out.push(c);
        } else {
            let _ = write!(out, "-{:x}-", u32::from(c));
        }
    }
    out
}

/// `(a: int, b: int) → int`, as far as the method says.
fn signature(method: &MethodDoc) -> String {
    let Some((ret, args)) = method.signature.as_ref().and_then(|s| s.split_first()) else {
        return match method.params.is_empty() {
            true => "(...)".to_owned(),
            false => format!("({})", method.params.join(", ")),
        };
    };
    let args: Vec<String> = args
        .iter()
        .enumerate()
        .map(|(i, t)| match method.params.get(i) {
            Some(name) if !name.is_empty() => format!("{name}: {t}"),
            _ => t.clone(),
        })
        .collect();
    format!("({}) \u{2192} {ret}", args.join(", "))
}

/// A JSON example for the form, from the parameter types.
fn example_arguments(method: &MethodDoc) -> String {
    let Some((_, args)) = method.signature.as_ref().and_then(|s| s.split_first()) else {
        return "[]".to_owned();
    };
    let examples: Vec<&str> = args
        .iter()
        .map(|t| match t.as_str() {
            "int" | "i4" | "i8" => "0",
            "double" => "0.5",
            "boolean" => "false",
            "string" => "\"\"",
            "array" => "[]",
            "struct" => "{}",
            "base64" => "{\"$base64\": \"\"}",
            "dateTime.iso8601" => "{\"$datetime\": \"20260101T00:00:00\"}",
            _ => "null",
        })
        .collect();
    format!("[{}]", examples.join(", "))
}

/// The group a method is listed under: its name up to the last dot.
fn group_of(name: &str) -> &str {
    name.rsplit_once('.').map_or("", |(group, _)| group)
}

/// The whole page. `endpoint` is where its forms post; `others` are the
/// server's other RPC paths, linked from the header.
pub(crate) fn render_page(
    config: &DocsConfig,
    methods: &[MethodDoc],
    endpoint: &str,
    others: &[String],
) -> String {
    let mut groups: BTreeMap<&str, Vec<&MethodDoc>> = BTreeMap::new();
    for method in methods {
        groups
            .entry(group_of(&method.name))
            .or_default()
            .push(method);
    }
    let group_title = |group: &str| match group {
        "" => "Methods".to_owned(),
        group => group.to_owned(),
    };

    let mut page = String::with_capacity(8192 + methods.len() * 1024);
    page.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    page.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    let _ = writeln!(
        page,
        "<title>Python: {}</title>",
        escape(&config.server_title)
    );
    let _ = writeln!(page, "<style>{STYLESHEET}</style>\n</head>");
    let _ = writeln!(page, "<body data-endpoint=\"{}\">", escape(endpoint));
    page.push_str("<header>\n");
    let _ = writeln!(
        page,
        "<h1 id=\"server-name\">{}</h1>",
        escape(&config.server_name)
    );
    let _ = writeln!(
        page,
        "<p class=\"server-doc\">{}</p>",
        escape(&config.server_documentation)
    );
    let _ = write!(
        page,
        "<p class=\"endpoint\">XML-RPC endpoint: <code>{}</code>",
        escape(endpoint)
    );
    if !others.is_empty() {
        page.push_str(" &middot; also served here:");
        for other in others {
            let _ = write!(page, " <a href=\"{0}\"><code>{0}</code></a>", escape(other));
        }
    }
    page.push_str("</p>\n</header>\n");

    page.push_str("<nav aria-label=\"Methods\">\n<ul>\n");
    for (group, members) in &groups {
        let _ = write!(
            page,
            "<li><a href=\"#{}\">{}</a>\n<ul>\n",
            anchor("g", group),
            escape(&group_title(group))
        );
        for method in members {
            let _ = writeln!(
                page,
                "<li><a href=\"#{}\">{}</a></li>",
                anchor("m", &method.name),
                escape(&method.name)
            );
        }
        page.push_str("</ul>\n</li>\n");
    }
    page.push_str("</ul>\n</nav>\n<main>\n");

    for (group, members) in &groups {
        let _ = writeln!(
            page,
            "<section class=\"group\" id=\"{}\">\n<h2>{}</h2>",
            anchor("g", group),
            escape(&group_title(group))
        );
        for method in members {
            let id = anchor("m", &method.name);
            let name = escape(&method.name);
            let _ = writeln!(
                page,
                "<article class=\"method\" id=\"{id}\" data-method=\"{name}\">\n\
                 <h3><a class=\"name\" href=\"#{id}\">{name}</a><code class=\"signature\">{}</code></h3>",
                escape(&signature(method))
            );
            if method.help.trim().is_empty() {
                page.push_str("<p class=\"no-help\">No help text.</p>\n");
            } else {
                let _ = writeln!(page, "<pre class=\"help\">{}</pre>", escape(&method.help));
            }
            let _ = writeln!(
                page,
                "<form class=\"try\" data-method=\"{name}\">\n\
                 <label>Arguments (a JSON array)<textarea name=\"args\" rows=\"2\" spellcheck=\"false\">{}</textarea></label>\n\
                 <button type=\"submit\">Call</button>\n\
                 <output class=\"result\" name=\"result\" aria-live=\"polite\"></output>\n\
                 </form>\n</article>",
                escape(&example_arguments(method))
            );
        }
        page.push_str("</section>\n");
    }
    page.push_str("</main>\n<footer>Arguments are JSON: numbers, strings, true/false, null, \
        arrays and objects, plus <code>{\"$base64\": \"...\"}</code>, \
        <code>{\"$datetime\": \"20261126T01:10:20\"}</code> and <code>{\"$double\": 1}</code> \
        for the XML-RPC types JSON lacks. Each call is a real XML-RPC request to this server.</footer>\n");
    let _ = writeln!(page, "<script>{SCRIPT}</script>\n</body>\n</html>");
    page
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(name: &str, help: &str) -> MethodDoc {
        MethodDoc {
            name: name.into(),
            signature: Some(vec!["int".into(), "int".into(), "string".into()]),
            params: vec!["a".into()],
            help: help.into(),
        }
    }

    #[test]
    fn escapes_everything_and_groups_by_prefix() {
        let config = DocsConfig {
            server_title: "</title><script>t()</script>".into(),
            server_name: "<b>name</b>".into(),
            server_documentation: "a & b".into(),
        };
        let methods = [
            doc("add", "<script>alert(1)</script>"),
            doc("math.pow", "x\" onmouseover=\"y"),
            doc("weird name<>", ""),
        ];
        let page = render_page(&config, &methods, "/RPC2\"x", &[]);
        assert!(!page.contains("<script>alert"));
        assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        assert!(!page.contains("<script>t()"));
        assert!(page.contains("x&quot; onmouseover=&quot;y"));
        assert!(page.contains("data-endpoint=\"/RPC2&quot;x\""));
        assert!(page.contains("id=\"m-weird-20-name-3c--3e-\""));
        assert!(page.contains("id=\"g-math\""));
        assert!(page.contains("(a: int, string) \u{2192} int"));
        // Only the page's own script element.
        assert_eq!(page.matches("<script>").count(), 1);
        assert!(content_security_policy().contains("script-src 'sha256-"));
    }
}
