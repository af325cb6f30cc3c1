//! `oxrpc tour`: the notebook, replayed cell by cell with Rust clients
//! against freshly started oxrpc servers, printing what the notebook prints.

use crate::cmd::block_on;
use oxrpc::net::ListenConfig;
use oxrpc::python::ClassicService;
use oxrpc::rpyc::{self, classic, Server, ServerConfig, Value};
use oxrpc::tutorial::{self, MyService};
use oxrpc::xmlrpc::{python_str_repr, ServerConfig as XmlRpcConfig};
use std::sync::Arc;
use tokio::net::TcpListener;

const FIB: &str = "\
def fib(n):
    if n == 1:
        return [1]
    if n == 2:
        return [1, 1]

    values = [1, 1]
    for _ in range(2, n):
        values.append(values[-1] + values[-2])
    return values
";

fn cell(title: &str) {
    println!("\n=== {title}");
}

fn python_list(names: &[String]) -> String {
    let items: Vec<String> = names.iter().map(|n| python_str_repr(n)).collect();
    format!("[{}]", items.join(", "))
}

fn local_fib(n: usize) -> Vec<u64> {
    let mut values = vec![1u64, 1];
    while values.len() < n {
        let next = values[values.len() - 1] + values[values.len() - 2];
        values.push(next);
    }
    values.truncate(n);
    values
}

async fn text(value: Value) -> anyhow::Result<String> {
    Ok(match value {
        Value::Proxy(p) => p.str().await.map_err(|e| anyhow::anyhow!("{e}"))?,
        Value::Brine(rpyc::BrineValue::Str(s)) => s,
        Value::Brine(v) => v.to_string(),
        other => format!("{other:?}"),
    })
}

fn as_proxy(value: Value) -> anyhow::Result<rpyc::Proxy> {
    Ok(value.extract()?)
}

fn remote(e: rpyc::Error) -> anyhow::Error {
    anyhow::anyhow!("{e:#}")
}

/// Replays the notebook against fresh servers.
pub fn run() -> anyhow::Result<()> {
    block_on(async {
        // Fresh servers on ports of their own, so a running `oxrpc serve`
        // does not get in the way.
        let xml_listener = TcpListener::bind("127.0.0.1:0").await?;
        let xml_port = xml_listener.local_addr()?.port();
        let xml_server = tutorial::xmlrpc_server(XmlRpcConfig {
            log_requests: false,
            ..XmlRpcConfig::default()
        });
        tokio::spawn(xml_server.serve_with_shutdown(xml_listener, std::future::pending()));

        let quiet = || ServerConfig {
            listen: ListenConfig {
                log_connections: false,
                ..ListenConfig::default()
            },
            ..ServerConfig::default()
        };
        let classic_listener = TcpListener::bind("127.0.0.1:0").await?;
        let classic_port = classic_listener.local_addr()?.port();
        tokio::spawn(
            Server::with_config(|| Arc::new(ClassicService::new()), quiet())
                .serve_with_shutdown(classic_listener, std::future::pending()),
        );
        let service_listener = TcpListener::bind("127.0.0.1:0").await?;
        let service_port = service_listener.local_addr()?.port();
        tokio::spawn(
            Server::with_config(|| Arc::new(MyService), quiet())
                .serve_with_shutdown(service_listener, std::future::pending()),
        );

        cell("RPC simple: the XML-RPC server");
        println!("The server is ready to receive");
        println!("Use Control-C to exit");

        cell("RPC simple: proxy.list_contents('/tmp')");
        let proxy = oxrpc::xmlrpc::Client::new(&format!("http://localhost:{xml_port}"))?;
        let names: Vec<String> = proxy.call("list_contents", ("/tmp",)).await?;
        println!("{}", python_list(&names));

        cell("RPyC classic: rpyc_modules.py");
        let conn = classic::connect_port("localhost", classic_port).await?;
        let rsys = conn.modules("sys").await.map_err(remote)?;
        println!(
            "{}",
            text(rsys.getattr("version").await.map_err(remote)?).await?
        );
        let ros = conn.modules("os").await.map_err(remote)?;
        println!(
            "Name:  {}",
            text(ros.getattr("name").await.map_err(remote)?).await?
        );
        conn.close().await;

        cell("RPyC classic: rpyc_variables.py");
        let conn = classic::connect_port("localhost", classic_port).await?;
        conn.execute("x = 21").await.map_err(remote)?;
        conn.execute("x *= 2").await.map_err(remote)?;
        println!("{}", text(conn.eval("x").await.map_err(remote)?).await?);
        conn.execute("scores = { \"Foo\" : 10 }")
            .await
            .map_err(remote)?;
        conn.execute("scores[\"Foo\"] += 1").await.map_err(remote)?;
        conn.execute("scores[\"Bar\"] = 42").await.map_err(remote)?;
        let local_scores = conn.eval("scores").await.map_err(remote)?;
        let local_scores = local_scores
            .as_proxy()
            .cloned()
            .ok_or_else(|| anyhow::anyhow!("scores is not a dict"))?;
        println!("{}", local_scores.str().await.map_err(remote)?);
        println!(
            "{}",
            text(local_scores.getitem("Foo").await.map_err(remote)?).await?
        );
        let namespace = conn.namespace().await.map_err(remote)?;
        let scores = as_proxy(namespace.getitem("scores").await.map_err(remote)?)?;
        let bar: i64 = scores.getitem("Bar").await.map_err(remote)?.extract()?;
        scores
            .call::<Value>("__setitem__", ("Bar", bar + 58))
            .await
            .map_err(remote)?;
        println!(
            "{}",
            text(conn.eval("scores").await.map_err(remote)?).await?
        );
        println!("{}", local_scores.str().await.map_err(remote)?);
        conn.close().await;

        cell("RPyC classic: fib(8), locally");
        println!("{:?}", local_fib(8));

        cell("RPyC classic: the remote fib");
        let conn = classic::connect_port("localhost", classic_port).await?;
        conn.execute(FIB).await.map_err(remote)?;
        let rfib = as_proxy(
            conn.namespace()
                .await
                .map_err(remote)?
                .getitem("fib")
                .await
                .map_err(remote)?,
        )?;
        for n in [1, 2, 5] {
            println!(
                "{}",
                text(rfib.invoke::<Value>((n,)).await.map_err(remote)?).await?
            );
        }
        conn.close().await;

        cell("RPyC services: rpyc_consulta_base.py");
        let conn = rpyc::connect("localhost", service_port).await?;
        let root = conn.root().await.map_err(remote)?;
        println!("{}", root.str().await.map_err(remote)?);
        println!(
            "{}",
            text(root.call::<Value>("get_answer", ()).await.map_err(remote)?).await?
        );
        println!(
            "{}",
            text(
                root.getattr("the_real_answer_though")
                    .await
                    .map_err(remote)?
            )
            .await?
        );
        match root.call::<Value>("get_question", ()).await {
            Ok(value) => println!("{}", text(value).await?),
            Err(rpyc::Error::Remote(e)) => println!("{}.{}: {}", e.module, e.name, e.message()),
            Err(e) => return Err(remote(e)),
        }
        conn.close().await;
        Ok(())
    })
}
