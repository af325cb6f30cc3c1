//! `oxrpc tour` replays the notebook and prints what the notebook prints.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    unreachable_pub
)]

use oxrpc_testkit::{expect_success, run_with_deadline};
use std::process::Command;
use std::time::Duration;

#[test]
fn tour_prints_the_notebook() {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_oxrpc"));
    cmd.arg("tour");
    let out = expect_success(
        "oxrpc tour",
        &run_with_deadline(cmd, Duration::from_secs(120)),
    );
    for expected in [
        "The server is ready to receive",
        "Name:  posix",
        "42\n{'Foo': 11, 'Bar': 42}\n11\n{'Foo': 11, 'Bar': 100}\n{'Foo': 11, 'Bar': 100}",
        "[1, 1, 2, 3, 5, 8, 13, 21]",
        "[1]\n[1, 1]\n[1, 1, 2, 3, 5]",
        "<__main__.MyService object at 0x",
        "42\n43\nbuiltins.AttributeError: cannot access 'get_question'",
    ] {
        assert!(out.contains(expected), "missing {expected:?} in:\n{out}");
    }
    // The /tmp listing is a Python list of strings.
    let listing = out
        .lines()
        .skip_while(|l| !l.contains("list_contents('/tmp')"))
        .nth(1)
        .unwrap_or_default();
    assert!(
        listing.starts_with('[') && listing.ends_with(']'),
        "{listing}"
    );
}
