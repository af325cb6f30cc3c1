//! `system.multicall` batches: many calls, one round trip.

use crate::client::Client;
use crate::convert::IntoParams;
use crate::decode::{fault_from_values, MethodResponse, ParseError};
use crate::error::Error;
use crate::value::{Struct, Value};

/// A batch of calls sent together (CPython's `xmlrpc.client.MultiCall`).
///
/// ```no_run
/// # async fn run(client: oxrpc_xmlrpc::Client) -> Result<(), oxrpc_xmlrpc::Error> {
/// let mut batch = client.multicall();
/// batch.add("add", (2, 3)).add("add", (4, 5));
/// for result in batch.send().await? {
///     match result {
///         Ok(value) => println!("{value:?}"),
///         // This call alone failed: a fault, or an entry the server
///         // wrote wrong (the others stand, as with CPython's MultiCall).
///         Err(error) => println!("{error}"),
///     }
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

    /// Sends the batch; each call's outcome comes back in order. An entry
    /// fails alone, as CPython's `MultiCallIterator` raises for that entry
    /// only: [`Error::Fault`], [`Error::NonStandardFault`], or
    /// [`Error::Parse`] for an entry that is neither a result nor a fault.
    /// The whole batch fails when the answer is not a list of one entry
    /// per call.
    pub async fn send(self) -> Result<Vec<Result<Value, Error>>, Error> {
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
) -> Result<Vec<Result<Value, Error>>, Error> {
    let Value::Array(items) = response else {
        return Err(invalid("not an array").into());
    };
    if items.len() != expected {
        return Err(invalid("wrong number of results").into());
    }
    Ok(items.into_iter().map(entry).collect())
}

/// One entry as CPython's `MultiCallIterator` reads it: a list is a result
/// (its first item), a struct a fault (any code and string: a fault
/// outside the specification too); anything else is an error of this
/// entry.
fn entry(item: Value) -> Result<Value, Error> {
    match item {
        Value::Array(mut one) if !one.is_empty() => Ok(one.swap_remove(0)),
        Value::Array(_) => Err(invalid("an empty entry").into()),
        fault @ Value::Struct(_) => match fault_from_values(vec![fault])? {
            MethodResponse::Fault(fault) => Err(Error::Fault(fault)),
            MethodResponse::NonStandardFault(fault) => {
                Err(Error::NonStandardFault(Box::new(fault)))
            }
            MethodResponse::Success(_) => Err(invalid("a fault entry that is no fault").into()),
        },
        _ => Err(invalid("an entry that is neither [result] nor a fault").into()),
    }
}

fn invalid(what: &str) -> ParseError {
    ParseError::Invalid(format!("bad system.multicall response: {what}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fault(code: Value, string: Value) -> Value {
        let mut members = Struct::new();
        members.insert("faultCode".into(), code);
        members.insert("faultString".into(), string);
        Value::Struct(members)
    }

    #[test]
    fn entries_fail_alone_as_multicall_iterator_raises_for_one() {
        let answer = Value::Array(vec![
            Value::Array(vec![Value::Int(1)]),
            Value::Array(vec![Value::Int(2), Value::Int(3)]),
            Value::Array(vec![]),
            fault(Value::Int(4), "four".into()),
            fault(Value::Int(1 << 40), "wide".into()),
            Value::from("neither"),
            Value::Struct(Struct::new()),
        ]);
        let results = parse_results(answer, 7).unwrap_or_default();
        assert_eq!(results.len(), 7);
        assert_eq!(results[0].as_ref().ok(), Some(&Value::Int(1)));
        // CPython's iterator returns a list entry's first item.
        assert_eq!(results[1].as_ref().ok(), Some(&Value::Int(2)));
        assert!(matches!(results[2], Err(Error::Parse(_))));
        assert!(matches!(&results[3], Err(Error::Fault(f)) if f.code == 4));
        assert!(
            matches!(&results[4], Err(Error::NonStandardFault(f)) if f.code == Value::Int(1 << 40))
        );
        assert!(matches!(results[5], Err(Error::Parse(_))));
        assert!(matches!(results[6], Err(Error::Parse(_))));
    }

    #[test]
    fn an_answer_that_is_no_list_of_one_entry_a_call_fails_the_batch() {
        assert!(parse_results(Value::Int(1), 1).is_err());
        assert!(parse_results(Value::Array(vec![]), 1).is_err());
    }
}
