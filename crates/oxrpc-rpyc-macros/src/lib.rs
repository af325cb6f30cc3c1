//! `#[service]`: turns a plain `impl` block into an RPyC service.
//!
//! Methods marked `#[exposed]` become callable by the peer (as
//! `conn.root.name(...)`, or `conn.root.exposed_name(...)` as rpyc also
//! allows); `#[exposed(attribute)]` on a `&self` method with no arguments
//! exposes its result as an attribute. Everything else stays private and the
//! peer gets the `AttributeError` rpyc gives for it — except `pub` methods
//! when the connection's `allow_public_attrs` is on, as in rpyc. Methods named
//! `on_connect` / `on_disconnect` taking `(&self, &Connection)` become the
//! lifecycle hooks. Arguments (positional, or keyword by parameter name, as
//! in Python) convert with `FromValue`, results with
//! `IntoValue` (or a `Result<_, RemoteException>`); `async fn` methods may
//! await calls back into the peer; a `&Context` parameter gives the calling
//! connection. (The example runs as a doc-test of `oxrpc_rpyc::service`,
//! where the generated code's paths resolve.)
//!
//! ```text
//! struct MyService;
//!
//! #[oxrpc_rpyc::service(name = "rpyc_base.MyService")]
//! impl MyService {
//!     #[exposed]
//!     fn get_answer(&self) -> i64 { 42 }
//!     #[exposed(attribute)]
//!     fn the_real_answer_though(&self) -> i64 { 43 }
//!     fn get_question(&self) -> &'static str { "not exposed" }
//! }
//! ```

use proc_macro::TokenStream;
use proc_macro2::TokenStream as Tokens;
use quote::{format_ident, quote};
use syn::parse::Parser;
use syn::{
    parse_macro_input, Attribute, Expr, FnArg, ImplItem, ImplItemFn, ItemImpl, Lit, Meta, Pat,
    Path, Type,
};

struct Exposed {
    name: String,
    method: ImplItemFn,
    attribute: bool,
    /// Not marked, but `pub`: reachable only when the connection's
    /// `allow_public_attrs` is on (rpyc's policy switch).
    public: bool,
}

fn doc_of(attrs: &[Attribute]) -> String {
    attrs
        .iter()
        .filter(|a| a.path().is_ident("doc"))
        .filter_map(|a| match &a.meta {
            Meta::NameValue(nv) => match &nv.value {
                Expr::Lit(l) => match &l.lit {
                    Lit::Str(s) => Some(s.value().trim().to_owned()),
                    _ => None,
                },
                _ => None,
            },
            _ => None,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn is_context(ty: &Type) -> bool {
    match ty {
        Type::Reference(r) => match &*r.elem {
            Type::Path(p) => p.path.segments.last().is_some_and(|s| s.ident == "Context"),
            _ => false,
        },
        _ => false,
    }
}

/// Marks an `impl` block as an RPyC service. See the crate docs.
#[proc_macro_attribute]
pub fn service(args: TokenStream, input: TokenStream) -> TokenStream {
    let mut item = parse_macro_input!(input as ItemImpl);
    let mut krate: Path = syn::parse_quote!(::oxrpc_rpyc);
    let mut type_name: Option<String> = None;
    let parser = syn::meta::parser(|meta| {
        if meta.path.is_ident("crate") {
            krate = meta.value()?.parse()?;
            Ok(())
        } else if meta.path.is_ident("name") {
            let lit: syn::LitStr = meta.value()?.parse()?;
            type_name = Some(lit.value());
            Ok(())
        } else {
            Err(meta.error("expected `name = \"module.Class\"` or `crate = path`"))
        }
    });
    if let Err(e) = parser.parse(args) {
        return e.to_compile_error().into();
    }
    let self_ty = item.self_ty.clone();
    let short_name = match &*self_ty {
        Type::Path(p) => p
            .path
            .segments
            .last()
            .map(|s| s.ident.to_string())
            .unwrap_or_default(),
        _ => "Service".to_owned(),
    };
    let type_name = type_name.unwrap_or_else(|| format!("oxrpc.service.{short_name}"));
    // Python names the class by the last part of its dotted name, in
    // error messages (`MyService.exposed_x()`) and service aliases alike.
    let short_name = type_name
        .rsplit('.')
        .next()
        .map_or(short_name, str::to_owned);

    // The class docstring Python's `__doc__` gives: the doc comment on the
    // `impl` block, or None.
    let class_doc = doc_of(&item.attrs);
    let class_doc = if class_doc.is_empty() {
        quote! { #krate::Value::NONE }
    } else {
        quote! { #krate::Value::string(#class_doc) }
    };
    let mut exposed = Vec::new();
    // Every function of the block, as Python's `dir()` of the service
    // class would list it (exposed ones under their `exposed_` name).
    let mut dir_names = Vec::new();
    // The routines among them, with their docs, as rpyc's `HANDLE_INSPECT`
    // lists a class's methods (the hooks are in rpyc.Service's list).
    let mut inspect_methods = Vec::new();
    let mut has_on_connect = false;
    let mut has_on_disconnect = false;
    for impl_item in &mut item.items {
        let ImplItem::Fn(method) = impl_item else {
            continue;
        };
        match method.sig.ident.to_string().as_str() {
            "on_connect" => has_on_connect = true,
            "on_disconnect" => has_on_disconnect = true,
            _ => {}
        }
        let mut found = None;
        method.attrs.retain(|attr| {
            if attr.path().is_ident("exposed") {
                let attribute = match &attr.meta {
                    Meta::List(list) => list.tokens.to_string().trim() == "attribute",
                    _ => false,
                };
                found = Some(attribute);
                false
            } else {
                true
            }
        });
        let takes_self =
            matches!(method.sig.inputs.first(), Some(FnArg::Receiver(r)) if r.reference.is_some());
        let hook = matches!(
            method.sig.ident.to_string().as_str(),
            "on_connect" | "on_disconnect"
        );
        let ident = method.sig.ident.to_string();
        let dir_name = match (&found, ident.starts_with("exposed_")) {
            (Some(_), false) => format!("exposed_{ident}"),
            _ => ident.clone(),
        };
        if found != Some(true) && !hook {
            // A doc comment is a docstring for Python on `#[exposed]`
            // methods only; the others' docs are Rust's.
            let doc = if found.is_some() {
                doc_of(&method.attrs)
            } else {
                String::new()
            };
            inspect_methods.push(quote! { (#dir_name, #doc) });
        }
        dir_names.push(dir_name);
        if let Some(attribute) = found {
            let name = method.sig.ident.to_string();
            let name = name.strip_prefix("exposed_").unwrap_or(&name).to_owned();
            exposed.push(Exposed {
                name,
                method: method.clone(),
                attribute,
                public: false,
            });
        } else if matches!(method.vis, syn::Visibility::Public(_)) && takes_self && !hook {
            exposed.push(Exposed {
                name: method.sig.ident.to_string(),
                method: method.clone(),
                attribute: false,
                public: true,
            });
        }
    }

    let mut getattr_arms = Vec::new();
    let mut call_arms = Vec::new();
    for e in &exposed {
        let name = &e.name;
        let ident = &e.method.sig.ident;
        let guard = if e.public {
            quote! { if cx.connection().config().allow_public_attrs }
        } else {
            quote! {}
        };
        if e.attribute {
            getattr_arms.push(quote! {
                #name => #krate::Reply::Ready(#krate::__private::into_result(this.#ident())),
            });
            continue;
        }
        getattr_arms.push(quote! {
            #name #guard => #krate::Reply::Ready(::std::result::Result::Ok(#krate::Value::Object(
                ::std::sync::Arc::new(#krate::BoundMethod { target: this, name: ::std::string::String::from(#name) })
            ))),
        });
        // Argument glue.
        let mut extracts = Vec::new();
        let mut call_args = Vec::new();
        let mut param_names = Vec::new();
        let mut value_params = 0usize;
        for input in e.method.sig.inputs.iter() {
            let FnArg::Typed(pat) = input else { continue };
            if is_context(&pat.ty) {
                call_args.push(quote! { &cx });
                continue;
            }
            let (var, param_name) = match &*pat.pat {
                Pat::Ident(p) => (format_ident!("arg_{}", p.ident), p.ident.to_string()),
                _ => (
                    format_ident!("arg_{}", value_params),
                    format!("arg{value_params}"),
                ),
            };
            param_names.push(param_name);
            let ty = &pat.ty;
            let index = value_params;
            extracts.push(quote! {
                let #var: #ty = match #krate::__private::argument(#short_name, #name, #index, args.next()) {
                    ::std::result::Result::Ok(v) => v,
                    ::std::result::Result::Err(e) => return #krate::Reply::Ready(::std::result::Result::Err(e)),
                };
            });
            call_args.push(quote! { #var });
            value_params += 1;
        }
        let invoke = if e.method.sig.asyncness.is_some() {
            quote! {
                #krate::Reply::pending(async move {
                    let cx = cx;
                    #krate::__private::into_result(this.#ident(#(#call_args),*).await)
                })
            }
        } else {
            quote! { #krate::__private::into_reply(this.#ident(#(#call_args),*)) }
        };
        call_arms.push(quote! {
            #name #guard => {
                // Keyword arguments bind to parameters by name, as in Python.
                let args = match #krate::__private::bind_arguments(#short_name, #name, &[#(#param_names),*], args, kwargs) {
                    ::std::result::Result::Ok(args) => args,
                    ::std::result::Result::Err(e) => return #krate::Reply::Ready(::std::result::Result::Err(e)),
                };
                let cx = cx.clone();
                let mut args = args.into_iter();
                #(#extracts)*
                let _ = &cx;
                #invoke
            }
        });
    }
    let on_connect = if has_on_connect {
        quote! { fn on_connect(&self, connection: &#krate::Connection) { <#self_ty>::on_connect(self, connection) } }
    } else {
        quote! {}
    };
    let on_disconnect = if has_on_disconnect {
        quote! { fn on_disconnect(&self, connection: &#krate::Connection) { <#self_ty>::on_disconnect(self, connection) } }
    } else {
        quote! {}
    };

    let generated: Tokens = quote! {
        #item

        impl #krate::RpcObject for #self_ty {
            fn type_name(&self) -> &str {
                #type_name
            }

            #[allow(unused_variables)]
            fn getattr(self: ::std::sync::Arc<Self>, cx: &#krate::Context, name: &str) -> #krate::Reply {
                let this = self;
                let plain = name.strip_prefix("exposed_").unwrap_or(name);
                match plain {
                    #(#getattr_arms)*
                    "__doc__" => #krate::Reply::Ready(::std::result::Result::Ok(#class_doc)),
                    "get_service_aliases" | "get_service_name" => #krate::Reply::Ready(::std::result::Result::Ok(#krate::Value::Object(
                        ::std::sync::Arc::new(#krate::BoundMethod { target: this, name: ::std::string::String::from(plain) })
                    ))),
                    _ => #krate::__private::object_attribute(this, #short_name, name),
                }
            }

            fn callattr(
                self: ::std::sync::Arc<Self>,
                cx: &#krate::Context,
                name: &str,
                args: ::std::vec::Vec<#krate::Value>,
                kwargs: ::std::vec::Vec<(::std::string::String, #krate::Value)>,
            ) -> #krate::Reply {
                let this = self;
                let plain = name.strip_prefix("exposed_").unwrap_or(name);
                match plain {
                    #(#call_arms)*
                    "get_service_aliases" | "get_service_name" => #krate::__private::service_classmethod(#short_name, plain, args, kwargs),
                    _ => {
                        let attribute = <Self as #krate::RpcObject>::getattr(this, cx, name);
                        #krate::__private::call_attribute(cx, attribute, args, kwargs)
                    }
                }
            }

            fn setattr(self: ::std::sync::Arc<Self>, _cx: &#krate::Context, _name: &str, _value: #krate::Value) -> #krate::Reply {
                #krate::Reply::Ready(::std::result::Result::Err(#krate::__private::access_denied()))
            }

            fn delattr(self: ::std::sync::Arc<Self>, _cx: &#krate::Context, _name: &str) -> #krate::Reply {
                #krate::Reply::Ready(::std::result::Result::Err(#krate::__private::access_denied()))
            }

            fn dir(&self) -> ::std::vec::Vec<::std::string::String> {
                #krate::__private::service_dir(&[#(#dir_names),*])
            }

            fn methods(&self) -> ::std::vec::Vec<(::std::string::String, ::std::string::String)> {
                #krate::__private::service_methods(&[#(#inspect_methods),*])
            }
        }

        impl #krate::Service for #self_ty {
            #on_connect
            #on_disconnect
        }
    };
    generated.into()
}
