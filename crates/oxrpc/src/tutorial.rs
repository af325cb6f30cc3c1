//! The services of the course notebook oxrpc reproduces.
//!
//! The notebook's XML-RPC server registers one function, `list_contents`,
//! on port 9000. Ours answers exactly as that Python function would,
//! including the fault a Python client sees for a missing directory.

#[cfg(target_os = "linux")]
use oxrpc_xmlrpc::Encoded;
use oxrpc_xmlrpc::{Answer, Fault, IntoValue, Server, ServerConfig, Value};

/// The notebook's XML-RPC port.
pub const XMLRPC_PORT: u16 = 9000;

/// `list_contents(dir_name)`: the names in a directory, in the order the
/// operating system lists them (as `os.listdir` returns them).
///
/// ```
/// let names = oxrpc::tutorial::list_contents("/".into()).unwrap();
/// assert!(names.iter().any(|n| n == "tmp"));
/// let fault = oxrpc::tutorial::list_contents("/no/such/dir".into()).unwrap_err();
/// assert_eq!(
///     fault.string,
///     "<class 'FileNotFoundError'>:[Errno 2] No such file or directory: '/no/such/dir'"
/// );
/// ```
pub fn list_contents(dir_name: String) -> Result<Vec<String>, Fault> {
    tracing::info!("list_contents({dir_name})");
    read_names(&dir_name).map_err(|e| listing_fault(&e, Some(&dir_name)))
}

/// The names in `dir`, as the operating system lists them. A name that is
/// not UTF-8 is an error of kind `InvalidData` (see [`listing_fault`]).
fn read_names(dir: &str) -> std::io::Result<Vec<String>> {
    std::fs::read_dir(dir)?
        .map(|entry| {
            let name = entry?.file_name();
            name.into_string().map_err(|name| {
                std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    format!("the name {:?} is not UTF-8", name.to_string_lossy()),
                )
            })
        })
        .collect()
}

/// The fault for a listing that failed: the OS error as CPython words it,
/// or, for a name that is not UTF-8, a refusal to send it. (CPython's
/// `os.listdir` keeps such a name with lone surrogates, and its server
/// writes a document its own client cannot parse; a name changed to fit
/// would name no file.)
fn listing_fault(error: &std::io::Error, path: Option<&str>) -> Fault {
    if error.kind() == std::io::ErrorKind::InvalidData {
        return Fault::cannot_encode(error);
    }
    Fault::from_io_error(error, path)
}

/// Where the server's `list_contents` gets a listing: from the cache of
/// listings inotify keeps right (on Linux), else from the disk on the
/// blocking pool, so a slow disk never stalls other clients.
#[derive(Clone)]
struct Lister {
    #[cfg(target_os = "linux")]
    listings: Option<std::sync::Arc<crate::listings::Listings<Listed>>>,
}

impl Lister {
    fn new() -> Lister {
        Lister {
            #[cfg(target_os = "linux")]
            listings: crate::listings::Listings::new().map(std::sync::Arc::new),
        }
    }

    async fn list(&self, dir_name: String) -> Result<Answer, Fault> {
        tracing::info!("list_contents({dir_name})");
        #[cfg(target_os = "linux")]
        if let Some(listed) = self.listings.as_ref().and_then(|l| l.get(&dir_name)) {
            return Ok(listed.into_answer());
        }
        #[cfg(target_os = "linux")]
        let listings = self.listings.clone();
        off_runtime(move || {
            #[cfg(target_os = "linux")]
            let read = match listings {
                Some(listings) => listings
                    .load(&dir_name, Listed::read)
                    .map(Listed::into_answer),
                None => read_names(&dir_name).map(names_answer),
            };
            #[cfg(not(target_os = "linux"))]
            let read = read_names(&dir_name).map(names_answer);
            read.map_err(|e| listing_fault(&e, Some(&dir_name)))
        })
        .await
    }
}

/// Listings with up to this many bytes of names are encoded once, when
/// read, and kept so; larger ones go to the server as values, measured
/// against its response limit and memory budget there, and are not kept.
#[cfg(target_os = "linux")]
const ENCODE_UP_TO: usize = 1 << 20;

/// A listing as the cache keeps it: encoded, so that answering it again
/// costs a reference count, not a value built, encoded and freed.
#[cfg(target_os = "linux")]
#[derive(Clone)]
enum Listed {
    Encoded(Encoded),
    /// Too large to keep, or holding a name XML cannot carry (which the
    /// server answers with its fault for a result it cannot encode).
    Value(Value),
}

#[cfg(target_os = "linux")]
impl Listed {
    fn read(dir: &str) -> std::io::Result<Listed> {
        let names = read_names(dir)?;
        let large = names.iter().map(String::len).sum::<usize>() > ENCODE_UP_TO;
        let value = names.into_value();
        if large {
            return Ok(Listed::Value(value));
        }
        Ok(match Encoded::new(&value) {
            Ok(encoded) => Listed::Encoded(encoded),
            Err(_) => Listed::Value(value),
        })
    }

    fn into_answer(self) -> Answer {
        match self {
            Listed::Encoded(encoded) => Answer::Encoded(encoded),
            Listed::Value(value) => Answer::Value(value),
        }
    }
}

#[cfg(target_os = "linux")]
impl crate::listings::Listing for Listed {
    fn bytes(&self) -> usize {
        match self {
            Listed::Encoded(encoded) => encoded.as_str().len(),
            Listed::Value(_) => usize::MAX,
        }
    }
}

/// Names read from the disk, answered as the array they are.
fn names_answer(names: Vec<String>) -> Answer {
    Answer::Value(names.into_value())
}

/// Runs a listing on the blocking pool, so a slow disk never stalls the
/// other clients.
async fn off_runtime<T: Send + 'static>(
    list: impl FnOnce() -> Result<T, Fault> + Send + 'static,
) -> Result<T, Fault> {
    tokio::task::spawn_blocking(list)
        .await
        .unwrap_or_else(|e| Err(Fault::python_exception("RuntimeError", e)))
}

/// The notebook's XML-RPC server: `list_contents` plus the `system.*`
/// introspection and multicall methods. Directory reads run on the blocking
/// pool so a slow disk never stalls other clients; on Linux, a listing that
/// inotify shows unchanged since it was read is served without reading.
pub fn xmlrpc_server(config: ServerConfig) -> Server {
    let mut server = Server::with_config(config);
    let lister = Lister::new();
    server
        .register_async("list_contents", move |dir_name: Value| {
            let lister = lister.clone();
            async move {
            // `os.listdir(None)` lists the working directory, and a client
            // with allow_none may send exactly that.
            let dir_name = match dir_name {
                Value::String(path) => path,
                Value::Nil => ".".to_owned(),
                // `os.listdir(fd)`; a bool is the int it is to Python.
                Value::Int(fd) => {
                    return off_runtime(move || list_descriptor(fd, &fd.to_string()))
                        .await
                        .map(names_answer)
                }
                Value::Bool(b) => {
                    let shown = if b { "True" } else { "False" };
                    return off_runtime(move || list_descriptor(i64::from(b), shown))
                        .await
                        .map(names_answer);
                }
                Value::BigInt(digits) => {
                    return Err(fd_overflow(digits.starts_with('-')));
                }
                other => {
                    return Err(Fault::python_exception(
                        "TypeError",
                        format_args!(
                            "listdir: path should be string, bytes, os.PathLike, integer or None, not {}",
                            other.python_type_name()
                        ),
                    ))
                }
            };
            lister.list(dir_name).await
        }})
        // No help text: the notebook's function has no docstring, so
        // CPython's `system.methodHelp` answers '' for it.
        .params(&["dir_name"])
        // Answered encoded ahead, which hides the array from the type.
        .returns("array");
    server
}

/// `os.listdir(fd)` as CPython runs it for an int argument: the directory
/// that descriptor of the server process has open, `-1` meaning none (the
/// working directory). `shown` is the argument as Python prints it.
fn list_descriptor(fd: i64, shown: &str) -> Result<Vec<String>, Fault> {
    if i32::try_from(fd).is_err() {
        return Err(fd_overflow(fd < 0));
    }
    if fd == -1 {
        return read_names(".").map_err(|e| listing_fault(&e, Some(".")));
    }
    let not_open = || Fault::python_exception("OSError", "[Errno 9] Bad file descriptor");
    if fd < 0 {
        return Err(not_open());
    }
    let path = format!("/dev/fd/{fd}");
    match std::fs::metadata(&path) {
        Err(_) => Err(not_open()),
        Ok(meta) if !meta.is_dir() => Err(Fault::python_exception(
            "NotADirectoryError",
            format_args!("[Errno 20] Not a directory: {shown}"),
        )),
        Ok(_) => read_names(&path).map_err(|e| listing_fault(&e, None)),
    }
}

/// CPython's refusal of a descriptor beyond a C int.
fn fd_overflow(negative: bool) -> Fault {
    Fault::python_exception(
        "OverflowError",
        if negative {
            "fd is less than minimum"
        } else {
            "fd is greater than maximum"
        },
    )
}

/// The notebook's RPyC service port.
pub const SERVICE_PORT: u16 = 18861;

/// The notebook's `MyService` (`rpyc_base.py`): `get_answer()` is exposed,
/// `the_real_answer_though` is an exposed attribute, `get_question()` is
/// not exposed, so a client asking for it gets rpyc's `AttributeError`.
#[derive(Debug, Default)]
pub struct MyService;

#[oxrpc_rpyc::service(name = "__main__.MyService")]
impl MyService {
    /// Runs when a connection is created (to init the service, if needed).
    fn on_connect(&self, _connection: &oxrpc_rpyc::Connection) {}

    /// Runs after the connection has already closed (to finalize the service,
    /// if needed).
    fn on_disconnect(&self, _connection: &oxrpc_rpyc::Connection) {}

    // An exposed method. (A doc comment here would become its Python
    // `__doc__`; the notebook's has none.)
    #[exposed]
    fn get_answer(&self) -> i64 {
        42
    }

    /// An exposed attribute.
    #[exposed(attribute)]
    pub fn the_real_answer_though(&self) -> i64 {
        43
    }

    /// Not exposed: only reachable from Rust.
    pub fn get_question(&self) -> &'static str {
        "¿cuál es la velocidad de una golondrina sin que lleve peso?"
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use std::os::unix::ffi::OsStrExt;

    /// A name that is not UTF-8 is refused with a fault, not sent changed
    /// (it would name no file) nor as a document no client can read.
    #[test]
    fn a_name_that_is_not_utf8_is_a_fault() {
        let directory = std::env::temp_dir().join(format!("oxrpc-latin1-{}", std::process::id()));
        std::fs::create_dir_all(&directory).unwrap();
        let name = std::ffi::OsStr::from_bytes(b"caf\xe9");
        std::fs::write(directory.join(name), b"x").unwrap();
        let fault = super::list_contents(directory.to_str().unwrap().to_owned()).unwrap_err();
        std::fs::remove_dir_all(&directory).unwrap();
        assert_eq!(fault.code, oxrpc_xmlrpc::Fault::INTERNAL_ERROR);
        assert_eq!(
            fault.string,
            "server error. cannot encode the result: the name \"caf\u{fffd}\" is not UTF-8"
        );
    }
}
