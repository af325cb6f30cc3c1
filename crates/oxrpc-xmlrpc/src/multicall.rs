//! `system.multicall` batches: many calls, one round trip.

use crate::client::Client;
use crate::convert::IntoParams;
use crate::error::Error;
use crate::fault::Fault;
use crate::value::{Struct, Value};

/// A batch of calls sent together (CPython's `xmlrpc.client.MultiCall`).
///
/// ```no_run
/// # async fn run(client: oxrpc_xmlrpc::Client) -> Result<(), oxrpc_xmlrpc::Error> {
/// let mut batch = client.multicall();
/// batch.add("add", (2, 3)).add("add", (4, 5));
/// for result in batch.send().await? {
///     println!("{:?}", result);
/// }
/// # Ok(()) }
/// ```
pub struct MultiCall<'c> {
    client: &'c Client,
    calls: Vec<Value>,
}

impl<'c> MultiCall<'c> {
    pub(crate) fn new(client: &'c Client) -> Self {
        MultiCall {
            client,
            calls: Vec::new(),
        }
    }

    /// Queues a call.
    pub fn add(&mut self, method: &str, params: impl IntoParams) -> &mut Self {
        self.calls.push(call_struct(method, params.into_params()));
        self
    }

    /// Sends the batch; each call's outcome comes back in order.
    pub async fn send(self) -> Result<Vec<Result<Value, Fault>>, Error> {
        let expected = self.calls.len();
        let response = self
            .client
            .call_value("system.multicall", vec![Value::Array(self.calls)])
            .await?;
        parse_results(response, expected)
    }
}

pub(crate) fn call_struct(method: &str, params: Vec<Value>) -> Value {
    let mut members = Struct::new();
    members.insert("methodName".into(), Value::from(method));
    members.insert("params".into(), Value::Array(params));
    Value::Struct(members)
}

pub(crate) fn parse_results(
    response: Value,
    expected: usize,
) -> Result<Vec<Result<Value, Fault>>, Error> {
    let invalid = |what: &str| {
        Error::Parse(crate::decode::ParseError::Invalid(format!(
            "bad system.multicall response: {what}"
        )))
    };
    let Value::Array(items) = response else {
        return Err(invalid("not an array"));
    };
    if items.len() != expected {
        return Err(invalid("wrong number of results"));
    }
    items
        .into_iter()
        .map(|item| match item {
            Value::Array(mut one) if one.len() == 1 => Ok(Ok(one.remove(0))),
            Value::Struct(members) => {
                let code = members.get("faultCode").and_then(Value::as_i64);
                let string = members.get("faultString").and_then(Value::as_str);
                match (code.and_then(|c| i32::try_from(c).ok()), string) {
                    (Some(code), Some(string)) => Ok(Err(Fault::new(code, string))),
                    _ => Err(invalid("fault entry without faultCode/faultString")),
                }
            }
            _ => Err(invalid("entry is neither [result] nor a fault")),
        })
        .collect()
}
