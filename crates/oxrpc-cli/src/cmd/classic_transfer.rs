//! `oxrpc classic upload` and `download`: files and whole directories, as
//! `rpyc.classic.upload` and `download` copy them.
//!
//! A directory is copied entry by entry: its remote counterpart is made
//! with `os.makedirs` (or locally with `create_dir_all`) and each entry is
//! copied in turn, a file through the connection in chunks. Errors name
//! the path they happened at.

use super::classic::remote;
use anyhow::Context;
use oxrpc::rpyc::classic::ClassicConnection;
use oxrpc::rpyc::{Proxy, Value};
use std::future::Future;
use std::path::Path;
use std::pin::Pin;

type Copying<'a> = Pin<Box<dyn Future<Output = anyhow::Result<()>> + 'a>>;

/// Copies the local file or directory `src` to `dst` on the server.
pub(crate) fn upload<'a>(conn: &'a ClassicConnection, src: &'a Path, dst: String) -> Copying<'a> {
    Box::pin(async move {
        if !src.is_dir() {
            let data = std::fs::read(src).with_context(|| format!("reading {}", src.display()))?;
            return conn
                .upload(&data, &dst)
                .await
                .map_err(remote)
                .with_context(|| format!("writing {dst} on the server"));
        }
        let os = conn.modules("os").await.map_err(remote)?;
        os.call::<Value>("makedirs", (dst.as_str(), 0o777, true))
            .await
            .map_err(remote)
            .with_context(|| format!("making {dst} on the server"))?;
        let mut entries: Vec<_> = std::fs::read_dir(src)
            .with_context(|| format!("listing {}", src.display()))?
            .collect::<Result<_, _>>()?;
        entries.sort_by_key(|entry| entry.file_name());
        for entry in entries {
            // A name that is not UTF-8 cannot be a remote str; rpyc's
            // upload stops there too (its UnicodeEncodeError).
            let name = entry.file_name().into_string().map_err(|name| {
                anyhow::anyhow!(
                    "{}: the name is not UTF-8, and a remote path is a str",
                    src.join(&name).display()
                )
            })?;
            upload(
                conn,
                &entry.path(),
                format!("{}/{name}", dst.trim_end_matches('/')),
            )
            .await?;
        }
        Ok(())
    })
}

/// Copies the file or directory `src` on the server to the local `dst`.
pub(crate) fn download<'a>(conn: &'a ClassicConnection, src: String, dst: &'a Path) -> Copying<'a> {
    Box::pin(async move {
        let os_path = conn.modules("os.path").await.map_err(remote)?;
        let is_dir: bool = os_path
            .call("isdir", (src.as_str(),))
            .await
            .map_err(remote)?;
        if !is_dir {
            let data = conn
                .download(&src)
                .await
                .map_err(remote)
                .with_context(|| format!("reading {src} on the server"))?;
            return std::fs::write(dst, data).with_context(|| format!("writing {}", dst.display()));
        }
        std::fs::create_dir_all(dst).with_context(|| format!("making {}", dst.display()))?;
        let os = conn.modules("os").await.map_err(remote)?;
        let listing: Proxy = os
            .call("listdir", (src.as_str(),))
            .await
            .map_err(remote)
            .with_context(|| format!("listing {src} on the server"))?;
        let builtins = conn.builtins().await.map_err(remote)?;
        let mut names: Vec<String> = builtins.call("tuple", (listing,)).await.map_err(remote)?;
        names.sort();
        for name in names {
            let from = format!("{}/{name}", src.trim_end_matches('/'));
            download(conn, from, &dst.join(&name)).await?;
        }
        Ok(())
    })
}
