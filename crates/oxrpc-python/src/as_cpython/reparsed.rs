//! A compiled source's syntax tree, parsed again at most once.
//!
//! RustPython's compiler keeps nothing of the tree it compiled. The mends
//! made to what it compiled (`written_docstrings`, `source_positions`)
//! each read the tree again; they share one parse, made only when one of
//! them needs it.

use rustpython_vm::compiler::ast::ModModule;
use rustpython_vm::compiler::parser::{self, Parsed};
use std::cell::OnceCell;

/// `source` and, once asked for, its tree.
pub(crate) struct Reparsed<'s> {
    source: &'s str,
    tree: OnceCell<Option<Parsed<ModModule>>>,
}

impl<'s> Reparsed<'s> {
    pub(crate) fn new(source: &'s str) -> Self {
        Self {
            source,
            tree: OnceCell::new(),
        }
    }

    pub(crate) fn source(&self) -> &'s str {
        self.source
    }

    /// The module's tree, or None when the source does not parse as one.
    pub(crate) fn tree(&self) -> Option<&Parsed<ModModule>> {
        self.tree
            .get_or_init(|| parser::parse_module(self.source).ok())
            .as_ref()
    }
}
