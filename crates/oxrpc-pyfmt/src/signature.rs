//! Binding call arguments to parameters, with CPython's `TypeError` wording.
//!
//! A Python client calling a method with the wrong arguments expects the
//! message CPython 3.11 would give: the function's qualified name
//! (`MyService.exposed_add()`), positional counts that include `self` for
//! methods, `takes from 1 to 2` when trailing parameters have defaults, the
//! missing names listed as `'a', 'b', and 'c'`. The checks run in CPython's
//! order: keywords first (unexpected, then duplicated), then too many
//! positional arguments, then missing ones.

/// What a function accepts, as far as the error messages need.
///
/// ```
/// use oxrpc_pyfmt::Signature;
///
/// let add = Signature::method("MyService.exposed_add", &["a", "b"]);
/// let err = add.bind(vec![1, 2, 3], Vec::new()).unwrap_err();
/// assert_eq!(err, "MyService.exposed_add() takes 3 positional arguments but 4 were given");
/// let bound = add.bind(vec![1], vec![("b".to_owned(), 2)]).unwrap();
/// assert_eq!(bound, vec![Some(1), Some(2)]);
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Signature<'a> {
    qualname: &'a str,
    params: &'a [&'a str],
    required: usize,
    /// The first parameter a method binds itself (`self`, or `cls` for a
    /// classmethod): counted in positional counts, and taken already.
    bound: Option<&'a str>,
}

impl<'a> Signature<'a> {
    /// A plain function: `qualname(params...)`, every parameter required.
    /// Names may be empty when unknown; messages then leave them out.
    pub fn function(qualname: &'a str, params: &'a [&'a str]) -> Self {
        Signature {
            qualname,
            params,
            required: params.len(),
            bound: None,
        }
    }

    /// A method: `self` is counted in positional counts, as CPython does,
    /// and a keyword argument named `self` is a second value for it.
    ///
    /// ```
    /// use oxrpc_pyfmt::Signature;
    ///
    /// let get = Signature::method("MyService.exposed_get_answer", &[]);
    /// assert_eq!(
    ///     get.bind(Vec::<i32>::new(), vec![("self".to_owned(), 1)]).unwrap_err(),
    ///     "MyService.exposed_get_answer() got multiple values for argument 'self'"
    /// );
    /// ```
    pub fn method(qualname: &'a str, params: &'a [&'a str]) -> Self {
        Signature {
            bound: Some("self"),
            ..Signature::function(qualname, params)
        }
    }

    /// A classmethod: as [`Signature::method`], with `cls` for `self`.
    ///
    /// ```
    /// use oxrpc_pyfmt::Signature;
    ///
    /// let name = Signature::classmethod("Service.get_service_name", &[]);
    /// assert_eq!(
    ///     name.bind(vec![1], Vec::new()).unwrap_err(),
    ///     "Service.get_service_name() takes 1 positional argument but 2 were given"
    /// );
    /// ```
    pub fn classmethod(qualname: &'a str, params: &'a [&'a str]) -> Self {
        Signature {
            bound: Some("cls"),
            ..Signature::function(qualname, params)
        }
    }

    /// Only the first `required` parameters lack a default.
    pub fn with_required(mut self, required: usize) -> Self {
        self.required = required.min(self.params.len());
        self
    }

    /// Binds `args` and `kwargs` to the parameters: one slot per
    /// parameter, `None` where a parameter with a default was left out.
    /// `Err` holds CPython's message for the first problem it would report.
    pub fn bind<T>(
        &self,
        args: Vec<T>,
        kwargs: Vec<(String, T)>,
    ) -> Result<Vec<Option<T>>, String> {
        let given = args.len();
        let mut slots: Vec<Option<T>> = args.into_iter().map(Some).collect();
        let extra = slots.len().saturating_sub(self.params.len());
        slots.truncate(self.params.len());
        slots.resize_with(self.params.len(), || None);
        for (key, value) in kwargs {
            if self.bound == Some(key.as_str()) {
                return Err(self.multiple_values(&key));
            }
            let Some(slot) = self.params.iter().position(|p| !p.is_empty() && *p == key) else {
                return Err(self.unexpected_keyword(&key));
            };
            if slot < given || slots[slot].is_some() {
                return Err(self.multiple_values(&key));
            }
            slots[slot] = Some(value);
        }
        if extra > 0 {
            return Err(self.too_many_positional(given));
        }
        let missing: Vec<&str> = self.params[..self.required]
            .iter()
            .zip(&slots)
            .filter(|(_, slot)| slot.is_none())
            .map(|(name, _)| *name)
            .collect();
        if !missing.is_empty() {
            return Err(self.missing(&missing));
        }
        Ok(slots)
    }

    fn offset(&self) -> usize {
        usize::from(self.bound.is_some())
    }

    /// `f() takes 2 positional arguments but 3 were given`.
    pub fn too_many_positional(&self, given: usize) -> String {
        let (low, high) = (
            self.required + self.offset(),
            self.params.len() + self.offset(),
        );
        let given = given + self.offset();
        let was = if given == 1 { "was" } else { "were" };
        if low == high {
            let plural = if high == 1 { "" } else { "s" };
            format!(
                "{}() takes {high} positional argument{plural} but {given} {was} given",
                self.qualname
            )
        } else {
            format!(
                "{}() takes from {low} to {high} positional arguments but {given} {was} given",
                self.qualname
            )
        }
    }

    /// `f() missing 2 required positional arguments: 'a' and 'b'`.
    pub fn missing(&self, names: &[&str]) -> String {
        let plural = if names.len() == 1 { "" } else { "s" };
        let quoted: Vec<String> = names
            .iter()
            .filter(|n| !n.is_empty())
            .map(|n| format!("'{n}'"))
            .collect();
        let list = match quoted.as_slice() {
            [] => String::new(),
            [one] => format!(": {one}"),
            [first, second] => format!(": {first} and {second}"),
            [init @ .., last] => format!(": {}, and {last}", init.join(", ")),
        };
        format!(
            "{}() missing {} required positional argument{plural}{list}",
            self.qualname,
            names.len()
        )
    }

    /// `f() got an unexpected keyword argument 'x'`.
    pub fn unexpected_keyword(&self, name: &str) -> String {
        format!(
            "{}() got an unexpected keyword argument '{name}'",
            self.qualname
        )
    }

    /// `f() got multiple values for argument 'a'`.
    pub fn multiple_values(&self, name: &str) -> String {
        format!(
            "{}() got multiple values for argument '{name}'",
            self.qualname
        )
    }
}

#[cfg(test)]
mod tests {
    use super::Signature;

    fn kw(pairs: &[(&str, i32)]) -> Vec<(String, i32)> {
        pairs.iter().map(|(k, v)| ((*k).to_owned(), *v)).collect()
    }

    #[test]
    fn messages_match_cpython() {
        // Each message is what CPython 3.11 prints for the same call.
        let answer = Signature::method("MyService.exposed_get_answer", &[]);
        assert_eq!(
            answer.bind(vec![1], Vec::new()).unwrap_err(),
            "MyService.exposed_get_answer() takes 1 positional argument but 2 were given"
        );
        let add = Signature::method("MyService.exposed_add", &["a", "b"]).with_required(1);
        assert_eq!(
            add.bind(Vec::<i32>::new(), Vec::new()).unwrap_err(),
            "MyService.exposed_add() missing 1 required positional argument: 'a'"
        );
        assert_eq!(
            add.bind(vec![1, 2, 3], Vec::new()).unwrap_err(),
            "MyService.exposed_add() takes from 2 to 3 positional arguments but 4 were given"
        );
        assert_eq!(
            add.bind(vec![1], kw(&[("x", 2)])).unwrap_err(),
            "MyService.exposed_add() got an unexpected keyword argument 'x'"
        );
        assert_eq!(
            add.bind(vec![1], kw(&[("a", 2)])).unwrap_err(),
            "MyService.exposed_add() got multiple values for argument 'a'"
        );
        let f = Signature::function("f", &["a", "b"]).with_required(1);
        assert_eq!(
            f.bind(vec![1, 2, 3], kw(&[("x", 3)])).unwrap_err(),
            "f() got an unexpected keyword argument 'x'"
        );
        assert_eq!(
            f.bind(vec![1, 2, 3], kw(&[("a", 3)])).unwrap_err(),
            "f() got multiple values for argument 'a'"
        );
        assert_eq!(
            f.bind(Vec::new(), kw(&[("b", 1)])).unwrap_err(),
            "f() missing 1 required positional argument: 'a'"
        );
        let g = Signature::function("g", &["a", "b", "c"]);
        assert_eq!(
            g.bind(Vec::<i32>::new(), Vec::new()).unwrap_err(),
            "g() missing 3 required positional arguments: 'a', 'b', and 'c'"
        );
        assert_eq!(
            g.bind(vec![1], Vec::new()).unwrap_err(),
            "g() missing 2 required positional arguments: 'b' and 'c'"
        );
        let add = Signature::function("add", &["", ""]);
        assert_eq!(
            add.bind(vec![1, 2, 3], Vec::new()).unwrap_err(),
            "add() takes 2 positional arguments but 3 were given"
        );
        assert_eq!(
            add.bind(vec![1], Vec::new()).unwrap_err(),
            "add() missing 1 required positional argument"
        );
        assert_eq!(
            Signature::function("f", &[])
                .bind(vec![1], Vec::new())
                .unwrap_err(),
            "f() takes 0 positional arguments but 1 was given"
        );
    }
}
