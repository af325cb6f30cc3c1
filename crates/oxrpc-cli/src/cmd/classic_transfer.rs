//! `oxrpc classic upload` and `download`: files and whole directories, as
//! `rpyc.classic.upload` and `download` copy them.
//!
//! A directory is copied entry by entry: its remote counterpart is made
//! with `os.makedirs` (or locally with `create_dir_all`) and each entry is
//! copied in turn, a file through the connection a chunk at a time, so
//! memory holds one chunk whatever the file's size. What is neither a
//! regular file nor a directory (a FIFO, a device, a socket, a broken
//! symbolic link) is passed over inside a directory and refused when named,
//! as rpyc does: reading a FIFO would wait forever, a device forever grow.
//! Errors name the path they happened at.

use super::classic::remote;
use anyhow::Context;
use oxrpc::rpyc::classic::{ClassicConnection, CHUNK};
use oxrpc::rpyc::{Proxy, Value};
use std::future::Future;
use std::io::{Read, Write};
use std::path::Path;
use std::pin::Pin;

type Copying<'a> = Pin<Box<dyn Future<Output = anyhow::Result<()>> + 'a>>;

/// Copies the local file or directory `src` to `dst` on the server.
pub(crate) fn upload<'a>(conn: &'a ClassicConnection, src: &'a Path, dst: String) -> Copying<'a> {
    upload_entry(conn, src, dst, false)
}

/// Copies `src`, or skips it when it is neither a regular file nor a
/// directory (a FIFO, a device, a socket, a broken symbolic link) and
/// `ignore_invalid`: rpyc's upload refuses such a path when asked for it,
/// and passes over one found in a directory.
fn upload_entry<'a>(
    conn: &'a ClassicConnection,
    src: &'a Path,
    dst: String,
    ignore_invalid: bool,
) -> Copying<'a> {
    Box::pin(async move {
        // Symbolic links are followed, as os.path.isdir and isfile do.
        let kind = std::fs::metadata(src).map(|m| m.file_type());
        match kind {
            Ok(kind) if kind.is_file() => return upload_file(conn, src, &dst).await,
            Ok(kind) if kind.is_dir() => {}
            _ if ignore_invalid => return Ok(()),
            Ok(_) => anyhow::bail!("cannot upload {}: not a file or a directory", src.display()),
            Err(e) => return Err(e).with_context(|| format!("cannot upload {}", src.display())),
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
            let to = format!("{}/{name}", dst.trim_end_matches('/'));
            upload_entry(conn, &entry.path(), to, true).await?;
        }
        Ok(())
    })
}

/// One file, a chunk at a time: memory stays at one chunk whatever the
/// file's size.
async fn upload_file(conn: &ClassicConnection, src: &Path, dst: &str) -> anyhow::Result<()> {
    let mut local =
        std::fs::File::open(src).with_context(|| format!("reading {}", src.display()))?;
    let remote_file = conn
        .open(dst, "wb")
        .await
        .map_err(remote)
        .with_context(|| format!("writing {dst} on the server"))?;
    let mut chunk = vec![0; CHUNK];
    loop {
        let len = local
            .read(&mut chunk)
            .with_context(|| format!("reading {}", src.display()))?;
        if len == 0 {
            break;
        }
        remote_file
            .write(&chunk[..len])
            .await
            .map_err(remote)
            .with_context(|| format!("writing {dst} on the server"))?;
    }
    remote_file
        .close()
        .await
        .map_err(remote)
        .with_context(|| format!("writing {dst} on the server"))
}

/// Copies the file or directory `src` on the server to the local `dst`.
pub(crate) fn download<'a>(conn: &'a ClassicConnection, src: String, dst: &'a Path) -> Copying<'a> {
    download_entry(conn, src, dst, false)
}

/// As [`upload_entry`], from the server: what the server's `os.path`
/// calls neither a file nor a directory is refused, or skipped inside a
/// directory.
fn download_entry<'a>(
    conn: &'a ClassicConnection,
    src: String,
    dst: &'a Path,
    ignore_invalid: bool,
) -> Copying<'a> {
    Box::pin(async move {
        let os_path = conn.modules("os.path").await.map_err(remote)?;
        let is = |test: &'static str| {
            let os_path = &os_path;
            let src = src.as_str();
            async move { os_path.call::<bool>(test, (src,)).await.map_err(remote) }
        };
        if !is("isdir").await? {
            if is("isfile").await? {
                return download_file(conn, &src, dst).await;
            }
            if ignore_invalid {
                return Ok(());
            }
            anyhow::bail!("cannot download {src}: not a file or a directory on the server");
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
            download_entry(conn, from, &dst.join(&name), true).await?;
        }
        Ok(())
    })
}

/// One file, a chunk at a time, written as it arrives.
async fn download_file(conn: &ClassicConnection, src: &str, dst: &Path) -> anyhow::Result<()> {
    let reading = || format!("reading {src} on the server");
    let remote_file = conn
        .open(src, "rb")
        .await
        .map_err(remote)
        .with_context(reading)?;
    let mut local =
        std::fs::File::create(dst).with_context(|| format!("writing {}", dst.display()))?;
    loop {
        let chunk = remote_file
            .read(CHUNK)
            .await
            .map_err(remote)
            .with_context(reading)?;
        if chunk.is_empty() {
            break;
        }
        local
            .write_all(&chunk)
            .with_context(|| format!("writing {}", dst.display()))?;
    }
    remote_file
        .close()
        .await
        .map_err(remote)
        .with_context(reading)
}
