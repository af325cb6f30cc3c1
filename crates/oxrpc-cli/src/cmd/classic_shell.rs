//! `oxrpc classic shell HOST[:PORT]` (or `--by-name SERVICE`, through a
//! registry): an interactive Python prompt on a remote classic server
//! (oxrpc's, on either interpreter, or rpyc_classic).
//!
//! The prompt is local (line editing, history in
//! `~/.oxrpc_classic_history`, Tab completion of the remote namespace's
//! names); every line goes to a `code.InteractiveConsole` running in the
//! connection's namespace on the server, whose `sys.stdout` and `sys.stderr`
//! point back at this terminal while the line runs. Everything the server
//! runs for the shell is plain Python sent with `conn.execute`, so any
//! classic server works.
//!
//! Ctrl-C at the prompt drops the line being typed; while a statement runs,
//! it asks the server (on a second connection) to raise `KeyboardInterrupt`
//! in the thread running it, which CPython servers can do (oxrpc's
//! `--python cpython`, rpyc_classic); on RustPython the shell says it
//! cannot. Ctrl-D or `exit()` leave cleanly.

use crate::cmd::parse_host_port;
use crate::cmd::registry::RegistryArgs;
use crate::cmd::transport::ClientTlsArgs;
use oxrpc::rpyc::classic;
use oxrpc::rpyc::{BrineValue, Connector, Function, Proxy, Value};
use rustyline::completion::Completer;
use rustyline::error::ReadlineError;
use rustyline::highlight::Highlighter;
use rustyline::hint::Hinter;
use rustyline::history::{FileHistory, History};
use rustyline::validate::Validator;
use rustyline::{Editor, Helper};
use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use tokio::runtime::Runtime;

/// The server side of the shell, run once in the connection's namespace.
const REMOTE: &str = r#"
def _oxrpc_shell_setup(token):
    import code, sys, threading

    console = code.InteractiveConsole(globals(), filename='<remote>')
    threads = sys.__dict__.setdefault('_oxrpc_shell_threads', {})

    class Out(object):
        def __init__(self, write):
            self._write = write
        def write(self, text):
            self._write(str(text))
            return len(text)
        def flush(self):
            pass

    def push(line, write):
        if line is None:
            console.resetbuffer()
            return False
        out = Out(write)
        saved = sys.stdout, sys.stderr
        sys.stdout = sys.stderr = out
        threads[token] = threading.get_ident()
        try:
            return console.push(line)
        finally:
            threads.pop(token, None)
            sys.stdout, sys.stderr = saved

    def complete(text):
        try:
            import rlcompleter
        except ImportError:
            return ()
        completer = rlcompleter.Completer(globals())
        found = []
        while len(found) < 500:
            match = completer.complete(text, len(found))
            if match is None:
                break
            found.append(match)
        return tuple(found)

    return push, complete
"#;

/// Run on a second connection: raises KeyboardInterrupt in the thread
/// running the shell's statement, where the interpreter allows it.
const INTERRUPT: &str = r#"
import sys
_oxrpc_tid = getattr(sys, '_oxrpc_shell_threads', {}).get(TOKEN)
if _oxrpc_tid is None:
    _oxrpc_outcome = 'no statement running'
else:
    import ctypes
    _oxrpc_found = ctypes.pythonapi.PyThreadState_SetAsyncExc(
        ctypes.c_ulong(_oxrpc_tid), ctypes.py_object(KeyboardInterrupt))
    _oxrpc_outcome = 'interrupted' if _oxrpc_found == 1 else 'not found'
"#;

fn remote(e: oxrpc::rpyc::Error) -> anyhow::Error {
    anyhow::anyhow!("{e:#}")
}

/// Tab completion of the remote namespace's names (rlcompleter's, run
/// on the server).
struct ShellHelper {
    runtime: Arc<Runtime>,
    complete: Proxy,
}

impl Completer for ShellHelper {
    type Candidate = String;

    fn complete(
        &self,
        line: &str,
        pos: usize,
        _ctx: &rustyline::Context<'_>,
    ) -> rustyline::Result<(usize, Vec<String>)> {
        let before = line.get(..pos).unwrap_or(line);
        let start = before
            .rfind(|c: char| !(c.is_alphanumeric() || c == '_' || c == '.'))
            .map_or(0, |i| i + 1);
        let word = before.get(start..).unwrap_or("").to_owned();
        let complete = self.complete.clone();
        let found = self.runtime.block_on(async move {
            complete
                .invoke_value(vec![Value::from(word)], Vec::new())
                .await
        });
        let candidates = match found {
            Ok(value) => value
                .into_items()
                .unwrap_or_default()
                .into_iter()
                .filter_map(|v| match v {
                    Value::Brine(BrineValue::Str(s)) => Some(s),
                    _ => None,
                })
                .collect(),
            Err(_) => Vec::new(),
        };
        Ok((start, candidates))
    }
}

impl Hinter for ShellHelper {
    type Hint = String;
}
impl Highlighter for ShellHelper {}
impl Validator for ShellHelper {}
impl Helper for ShellHelper {}

fn history_path() -> Option<std::path::PathBuf> {
    std::env::var_os("HOME").map(|home| std::path::Path::new(&home).join(".oxrpc_classic_history"))
}

/// Where the shell's server is.
pub enum Target {
    /// `host`, `host:port` (default port 18812) or `unix:PATH`.
    Address(String),
    /// The first server a registry lists under `service` that accepts, as
    /// rpyc's `connect_by_service` picks it.
    ByName {
        /// The service name (`SLAVE` for classic servers).
        service: String,
        /// How to reach the registry.
        registry: RegistryArgs,
    },
}

/// Runs the shell against `target` until Ctrl-D or `exit()`.
pub fn run(target: Target, tls: &ClientTlsArgs) -> anyhow::Result<()> {
    let runtime = Arc::new(
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()?,
    );
    let (conn, connector, token, push, complete, version) = runtime.block_on(async {
        // A statement may run as long as the user lets it.
        let config = oxrpc::rpyc::Config {
            sync_request_timeout: std::time::Duration::from_secs(365 * 24 * 3600),
            ..Default::default()
        };
        let endpoint =
            |host: String, port: u16| tls.connector(host.as_str(), port).config(config.clone());
        // The connector is kept: Ctrl-C reaches the server through a
        // second connection made the same way (TLS, a Unix socket).
        let (conn, connector) = match &target {
            Target::Address(address) => {
                let connector = match address.strip_prefix("unix:") {
                    Some(_) if tls.wanted() => {
                        anyhow::bail!("TLS is for TCP servers; {address} is a Unix socket")
                    }
                    Some(path) => Connector::unix(path).config(config.clone()),
                    None => {
                        let default_port = crate::cmd::classic::default_port(tls);
                        let (host, port) = parse_host_port(address, Some(default_port))?;
                        endpoint(host, port)
                    }
                };
                (classic::connect_with(&connector).await?, connector)
            }
            Target::ByName { service, registry } => {
                registry
                    .connect_by_name(service, |host, port| {
                        let connector = endpoint(host, port);
                        async move {
                            let conn = classic::connect_with(&connector).await?;
                            Ok((conn, connector))
                        }
                    })
                    .await?
            }
        };
        let started = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let token = format!("{}-{started}", std::process::id());
        conn.execute(REMOTE).await.map_err(remote)?;
        let namespace = conn.namespace().await.map_err(remote)?;
        let setup: Proxy = namespace
            .getitem("_oxrpc_shell_setup")
            .await
            .map_err(remote)?
            .extract()?;
        let pair = setup
            .invoke_value(vec![Value::from(token.as_str())], Vec::new())
            .await
            .map_err(remote)?;
        let mut pair = pair.into_items().unwrap_or_default().into_iter();
        let (Some(Value::Proxy(push)), Some(Value::Proxy(complete))) = (pair.next(), pair.next())
        else {
            anyhow::bail!("the server's shell helpers did not start");
        };
        let version = conn
            .eval("__import__('sys').version.replace('\\n', ' ')")
            .await
            .map_err(remote)?;
        anyhow::Ok((conn, connector, token, push, complete, version))
    })?;
    let version = match version {
        Value::Brine(BrineValue::Str(v)) => v,
        _ => String::from("?"),
    };
    println!(
        "Python {version} on {} (oxrpc classic shell; Ctrl-D to leave)",
        connector.describe()
    );

    // Ctrl-C while a statement runs: interrupt it on the server. The
    // handler is in place before any prompt: rustyline takes SIGINT over
    // while an editor exists and gives it back when the editor is dropped,
    // which the loop below does before running each line.
    let running = Arc::new(AtomicBool::new(false));
    let mut interrupts = runtime.block_on(async {
        tokio::signal::unix::signal(tokio::signal::unix::SignalKind::interrupt())
    })?;
    {
        let running = running.clone();
        let (connector, token) = (connector.clone(), token.clone());
        runtime.spawn(async move {
            while interrupts.recv().await.is_some() {
                if !running.load(Ordering::Acquire) {
                    continue;
                }
                let code = INTERRUPT.replace("TOKEN", &format!("{token:?}"));
                let outcome = match classic::connect_with(&connector).await {
                    Ok(second) => {
                        let answer = match second.execute(&code).await {
                            Ok(()) => second.eval("_oxrpc_outcome").await,
                            Err(e) => Err(e),
                        };
                        second.close().await;
                        answer
                    }
                    Err(_) => Err(oxrpc::rpyc::Error::Closed),
                };
                if !matches!(outcome, Ok(Value::Brine(BrineValue::Str(ref s))) if s == "interrupted")
                {
                    eprintln!(
                        "\n(this server cannot interrupt running code: its interpreter has no \
                         way to; wait for the statement to finish)"
                    );
                }
            }
        });
    }

    let write = Function::new("write", |args| {
        if let Some(Value::Brine(BrineValue::Str(text))) = args.first() {
            let mut out = std::io::stdout().lock();
            let _ = out.write_all(text.as_bytes());
            let _ = out.flush();
        }
        Ok(Value::NONE)
    });
    let helper = || ShellHelper {
        runtime: runtime.clone(),
        complete: complete.clone(),
    };
    let history_file = history_path();
    let mut history = FileHistory::new();
    if let Some(path) = &history_file {
        let _ = history.load(path);
    }
    let mut more = false;
    loop {
        let prompt = if more { "... " } else { ">>> " };
        let mut editor: Editor<ShellHelper, FileHistory> =
            Editor::with_history(rustyline::Config::default(), history)?;
        editor.set_helper(Some(helper()));
        let read = editor.readline(prompt);
        if let Ok(line) = &read {
            if !line.trim().is_empty() {
                let _ = editor.add_history_entry(line.as_str());
            }
        }
        history = std::mem::replace(editor.history_mut(), FileHistory::new());
        drop(editor);
        let line = match read {
            Ok(line) => line,
            Err(ReadlineError::Interrupted) => {
                println!("KeyboardInterrupt");
                if more {
                    // Drop the statement being typed, on the server too.
                    let _ = runtime
                        .block_on(push.invoke_value(vec![Value::NONE, Value::NONE], Vec::new()));
                }
                more = false;
                continue;
            }
            Err(ReadlineError::Eof) => {
                println!();
                break;
            }
            Err(e) => return Err(e.into()),
        };
        running.store(true, Ordering::Release);
        let pushed = runtime.block_on(push.invoke_value(
            vec![Value::from(line), Value::Object(write.clone())],
            Vec::new(),
        ));
        running.store(false, Ordering::Release);
        match pushed {
            Ok(value) => more = matches!(value, Value::Brine(BrineValue::Bool(true))),
            Err(oxrpc::rpyc::Error::Remote(exc)) if exc.name == "SystemExit" => break,
            Err(e) => {
                eprintln!("{e:#}");
                if conn.connection().is_closed() {
                    break;
                }
                more = false;
            }
        }
    }
    if let Some(path) = &history_file {
        let _ = history.save(path);
    }
    runtime.block_on(conn.close());
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_interrupt_expression_names_its_token() {
        let code = super::INTERRUPT.replace("TOKEN", &format!("{:?}", "1-2"));
        assert!(code.contains("\"1-2\""));
        assert!(!code.contains("TOKEN"));
    }
}
