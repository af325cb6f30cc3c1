//! rpyc's `_config` of a connection: the settings its peer reads through
//! `getconn()._config`, and those Python code finds on a connection it
//! opened (`conn._config`), under rpyc's names and with its values.

use crate::convert::to_python;
use crate::runtime::Runtime;
use crate::session::Session;
use crate::space::ObjectSpace;
use oxrpc_rpyc::{BrineValue, Connection, Peer, Value};
use std::net::SocketAddr;
use std::sync::Arc;

/// `session`'s `_config` dict, made the first time from
/// [`rpyc_config`]`(connection, open)` and kept, so what is written there
/// is read back.
pub(crate) fn config_dict<S: ObjectSpace>(
    vm: S::Vm<'_>,
    rt: &Runtime<S>,
    session: &Arc<Session<S>>,
    connection: &Connection,
    open: bool,
) -> Result<S::Object, S::Error> {
    session.config(vm, || {
        let pairs = to_python(vm, rt, session, Value::Brine(rpyc_config(connection, open)))?;
        rt.call(vm, "connection_config", vec![pairs])
    })
}

/// `connection`'s settings under rpyc's names: rpyc's `DEFAULT_CONFIG`,
/// or with `open` the values `SlaveService` sets (those of rpyc_classic's
/// server, which this server honours): every attribute reachable,
/// pickling allowed, custom exceptions made.
/// `credentials` is the client certificate as rpyc's `SSLAuthenticator`
/// gives it (`getpeercert()`'s dict) when the server asked for one.
/// What rpyc keeps as objects of its own has no counterpart here:
/// `logger` is None.
pub(crate) fn rpyc_config(connection: &Connection, open: bool) -> BrineValue {
    let config = connection.config();
    let pair =
        |name: &str, value: BrineValue| BrineValue::Tuple(vec![BrineValue::from(name), value]);
    let flag = |name: &str, on: bool| pair(name, BrineValue::Bool(on));
    let none = |name: &str| pair(name, BrineValue::None);
    let safe_attrs = oxrpc_rpyc::SAFE_ATTRS
        .iter()
        .map(|name| BrineValue::from(*name))
        .collect();
    // rpyc's default is the int 30.
    let limit = config.sync_request_timeout;
    let timeout = match i64::try_from(limit.as_secs()) {
        Ok(secs) if limit.subsec_nanos() == 0 => BrineValue::Int(secs),
        _ => BrineValue::Float(limit.as_secs_f64()),
    };
    BrineValue::Tuple(vec![
        flag("allow_all_attrs", open),
        flag("allow_delattr", open),
        flag("allow_exposed_attrs", !open),
        flag("allow_getattr", true),
        flag("allow_pickle", open),
        flag("allow_public_attrs", false),
        flag("allow_safe_attrs", true),
        flag("allow_setattr", open),
        none("before_closed"),
        flag("bind_threads", false),
        flag("close_catchall", false),
        pair(
            "connid",
            rpyc_connid(connection).map_or(BrineValue::None, BrineValue::from),
        ),
        pair(
            "credentials",
            connection
                .credentials()
                .and_then(|found| found.peer_certificates.first())
                .map_or(BrineValue::None, |leaf| peer_certificate(leaf)),
        ),
        pair(
            "endpoints",
            config
                .endpoints
                .as_ref()
                .map_or(BrineValue::None, |(local, peer)| {
                    BrineValue::Tuple(vec![socket_name(local), socket_name(peer)])
                }),
        ),
        pair("exposed_prefix", BrineValue::from("exposed_")),
        flag("import_custom_exceptions", open),
        flag("include_local_traceback", true),
        flag("include_local_version", true),
        flag("instantiate_custom_exceptions", open),
        flag("instantiate_oldstyle_exceptions", open),
        flag("log_exceptions", true),
        none("logger"),
        flag("propagate_KeyboardInterrupt_locally", true),
        flag("propagate_SystemExit_locally", false),
        pair("safe_attrs", BrineValue::FrozenSet(safe_attrs)),
        pair("sync_request_timeout", timeout),
    ])
}
/// rpyc's `SSLAuthenticator` credentials: the client certificate as
/// `getpeercert()` gives it, here as the dict's `(key, value)` pairs
/// (support.py makes the dict). None if it cannot be read, though TLS has
/// verified it.
fn peer_certificate(der: &[u8]) -> BrineValue {
    let Ok(described) = oxrpc_net::tls::describe_certificate(der) else {
        return BrineValue::None;
    };
    let text = |s: &str| BrineValue::from(s);
    let pair = |key: &str, value: BrineValue| BrineValue::Tuple(vec![text(key), value]);
    let name = |name: &oxrpc_net::tls::NameDescription| {
        BrineValue::Tuple(
            name.iter()
                .map(|relative| {
                    BrineValue::Tuple(
                        relative
                            .iter()
                            .map(|(kind, value)| BrineValue::Tuple(vec![text(kind), text(value)]))
                            .collect(),
                    )
                })
                .collect(),
        )
    };
    let texts = |values: &[String]| BrineValue::Tuple(values.iter().map(|v| text(v)).collect());
    let mut pairs = vec![
        pair("subject", name(&described.subject)),
        pair("issuer", name(&described.issuer)),
        pair("version", BrineValue::Int(i64::from(described.version))),
        pair("serialNumber", text(&described.serial_number)),
        pair("notBefore", text(&described.not_before)),
        pair("notAfter", text(&described.not_after)),
    ];
    if !described.subject_alt_names.is_empty() {
        let alt_names = described
            .subject_alt_names
            .iter()
            .map(|alt| match alt {
                oxrpc_net::tls::AltNameDescription::Text(kind, value) => {
                    BrineValue::Tuple(vec![text(kind), text(value)])
                }
                oxrpc_net::tls::AltNameDescription::Directory(directory) => {
                    BrineValue::Tuple(vec![text("DirName"), name(directory)])
                }
            })
            .collect();
        pairs.push(pair("subjectAltName", BrineValue::Tuple(alt_names)));
    }
    for (key, uris) in [
        ("OCSP", &described.ocsp),
        ("caIssuers", &described.ca_issuers),
        ("crlDistributionPoints", &described.crl_distribution_points),
    ] {
        if !uris.is_empty() {
            pairs.push(pair(key, texts(uris)));
        }
    }
    BrineValue::Tuple(pairs)
}

/// An address as Python's `socket.getsockname()` and `getpeername()` give
/// it: `(host, port)`, `(host, port, flowinfo, scope_id)` for IPv6, the
/// path of a Unix socket (`''` for an unnamed one).
fn socket_name(address: &Peer) -> BrineValue {
    match address {
        Peer::Tcp(SocketAddr::V4(v4)) => BrineValue::Tuple(vec![
            BrineValue::from(v4.ip().to_string().as_str()),
            BrineValue::Int(i64::from(v4.port())),
        ]),
        Peer::Tcp(SocketAddr::V6(v6)) => BrineValue::Tuple(vec![
            BrineValue::from(v6.ip().to_string().as_str()),
            BrineValue::Int(i64::from(v6.port())),
            BrineValue::Int(i64::from(v6.flowinfo())),
            BrineValue::Int(i64::from(v6.scope_id())),
        ]),
        Peer::Unix(path) => BrineValue::from(
            path.as_deref()
                .map(|p| p.to_string_lossy())
                .unwrap_or_default()
                .as_ref(),
        ),
        Peer::Pipe => BrineValue::None,
    }
}

/// The connection's name as rpyc gives it (`_config['connid']` and the
/// connection's repr): `conn` and its number. The server names its
/// connections for its logs after itself (`SLAVE/7`); the number is the
/// same.
pub(crate) fn rpyc_connid(connection: &Connection) -> Option<String> {
    let label = connection.config().connid.as_deref()?;
    Some(match label.rsplit_once('/') {
        Some((_, number)) if number.parse::<u64>().is_ok() => format!("conn{number}"),
        _ => label.to_owned(),
    })
}
