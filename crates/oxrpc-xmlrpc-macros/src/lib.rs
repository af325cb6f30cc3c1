//! `#[oxrpc_xmlrpc::method]`: a plain function as an XML-RPC method.
//!
//! CPython's `register_function` takes the method's name, its parameters'
//! names and its help text from the Python function itself. This attribute
//! does the same for a Rust function: the name is the function's (or
//! `name = "math.add"`), the parameters' names are its arguments' (they
//! appear in argument-count faults and on the documentation page), the
//! faults name the function as CPython's name the Python function, and the
//! help text (`system.methodHelp`) is its doc comment.
//!
//! The function becomes a unit value of the same name that registers
//! itself, as route attributes of web frameworks do:
//! `server.add_method(add)`. Arguments that are request context rather
//! than XML-RPC parameters (`ClientAddr`, `AuthUser`, `Headers`, `Peer`,
//! `RequestContext`, or any argument marked `#[context]`) are left out of
//! the parameter names.

use proc_macro::TokenStream;
use quote::quote;
use syn::{parse_macro_input, Attribute, Expr, FnArg, ItemFn, Lit, LitStr, Meta, Pat, Path, Type};

/// Types the server fills in from the request, never from the call's
/// parameters.
const CONTEXT_TYPES: &[&str] = &[
    "ClientAddr",
    "AuthUser",
    "Headers",
    "Peer",
    "RequestContext",
];

/// Turns a function into an XML-RPC method that registers itself with
/// `Server::add_method` or `Registry::add_method`.
///
/// Options: `name = "dotted.name"` (default: the function's name) and
/// `crate = path` (default: `::oxrpc_xmlrpc`; `oxrpc::xmlrpc` through the
/// facade). See the example on `oxrpc_xmlrpc::method`.
#[proc_macro_attribute]
pub fn method(attr: TokenStream, item: TokenStream) -> TokenStream {
    let mut name: Option<LitStr> = None;
    let mut krate: Path = syn::parse_quote!(::oxrpc_xmlrpc);
    let options = syn::meta::parser(|meta| {
        if meta.path.is_ident("name") {
            name = Some(meta.value()?.parse()?);
            Ok(())
        } else if meta.path.is_ident("crate") {
            krate = meta.value()?.parse()?;
            Ok(())
        } else {
            Err(meta.error("expected `name = \"method.name\"` or `crate = path`"))
        }
    });
    parse_macro_input!(attr with options);
    let mut function = parse_macro_input!(item as ItemFn);
    match expand(&mut function, name, &krate) {
        Ok(tokens) => tokens.into(),
        Err(e) => e.to_compile_error().into(),
    }
}

fn expand(
    function: &mut ItemFn,
    name: Option<LitStr>,
    krate: &Path,
) -> syn::Result<proc_macro2::TokenStream> {
    let ident = function.sig.ident.clone();
    let name = name.unwrap_or_else(|| LitStr::new(&ident.to_string(), ident.span()));
    if !function.sig.generics.params.is_empty() {
        return Err(syn::Error::new_spanned(
            &function.sig.generics,
            "an XML-RPC method cannot be generic",
        ));
    }
    let help = doc_text(&function.attrs);
    let docs: Vec<Attribute> = function
        .attrs
        .iter()
        .filter(|a| a.path().is_ident("doc"))
        .cloned()
        .collect();
    let mut params = Vec::new();
    for input in &mut function.sig.inputs {
        let FnArg::Typed(arg) = input else {
            return Err(syn::Error::new_spanned(
                input,
                "an XML-RPC method is a plain function, without `self`",
            ));
        };
        let marked = arg.attrs.iter().any(|a| a.path().is_ident("context"));
        arg.attrs.retain(|a| !a.path().is_ident("context"));
        if marked || is_context_type(&arg.ty) {
            continue;
        }
        match &*arg.pat {
            Pat::Ident(pat) => params.push(pat.ident.to_string()),
            other => {
                return Err(syn::Error::new_spanned(
                    other,
                    "name the parameter (its name is what faults and the docs show)",
                ))
            }
        }
    }
    let function_name = ident.to_string();
    let vis = function.vis.clone();
    let register = if function.sig.asyncness.is_some() {
        quote!(register_async)
    } else {
        quote!(register)
    };
    Ok(quote! {
        #(#docs)*
        #[allow(non_camel_case_types)]
        #[derive(Debug, Clone, Copy)]
        #vis struct #ident;

        impl #krate::MethodFn for #ident {
            fn register(self, registry: &mut #krate::Registry) -> &mut #krate::Method {
                #function
                registry
                    .#register(#name, #ident)
                    .function_name(#function_name)
                    .params(&[#(#params),*])
                    .help(#help)
            }
        }
    })
}

/// The doc comment as one text, each line without the space `///` leaves.
fn doc_text(attrs: &[Attribute]) -> String {
    let lines: Vec<String> = attrs
        .iter()
        .filter_map(|attr| match &attr.meta {
            Meta::NameValue(nv) if nv.path.is_ident("doc") => match &nv.value {
                Expr::Lit(expr) => match &expr.lit {
                    Lit::Str(text) => Some(text.value()),
                    _ => None,
                },
                _ => None,
            },
            _ => None,
        })
        .map(|line| line.strip_prefix(' ').unwrap_or(&line).to_owned())
        .collect();
    lines.join("\n").trim().to_owned()
}

fn is_context_type(ty: &Type) -> bool {
    match ty {
        Type::Path(path) => path
            .path
            .segments
            .last()
            .is_some_and(|last| CONTEXT_TYPES.iter().any(|t| last.ident == t)),
        Type::Reference(reference) => is_context_type(&reference.elem),
        _ => false,
    }
}
