//! The API surface of generated code: one line per operation with its HTTP
//! method and path, the Rust method, each parameter with its Rust type, and
//! the success and error types; then one line per type with its fields (or
//! variants).
//!
//! It is read back from the generated source itself (not from the spec), so
//! it shows exactly what users of the crate get, and a snapshot of it turns a
//! spec change into a diff a reviewer can read in seconds.
//!
//! It lives in the tests crate, not in the generator, because its only users
//! are here: the surface snapshot below and the wire test, which checks that
//! it calls every operation. Generating code does not need it, and
//! `cargo xtask` does not use it, so it stays out of the generator's API.

use std::collections::HashMap;

use quote::ToTokens;
use syn::{
    Expr, Fields, FnArg, GenericArgument, ImplItem, Item, Lit, Meta, PathArguments, ReturnType,
    Type,
};

use crate::common::{GENERATED, read};

/// Renders the API surface of `generated_source` (the output of
/// `github_packages_codegen::generate`); fails if the source does not parse
/// or does not have the shape progenitor's builder interface gives it.
///
/// A line reads:
/// `GET /orgs/{org}/packages  list_packages_for_organization(org: String, page?: i64) -> Vec<Package> | BasicError`,
/// where `?` marks an optional parameter.
pub(crate) fn api_surface(generated_source: &str) -> Result<String, String> {
    let file = syn::parse_file(generated_source).map_err(|e| format!("does not parse: {e}"))?;
    let builders = builder_structs(&file)?;
    let mut lines = Vec::new();
    for item in &file.items {
        let Item::Impl(block) = item else { continue };
        if block.trait_.is_some() || !is_type_named(&block.self_ty, "Client") {
            continue;
        }
        for member in &block.items {
            let ImplItem::Fn(method) = member else {
                continue;
            };
            let ReturnType::Type(_, returned) = &method.sig.output else {
                continue;
            };
            let Some(builder_name) = builder_name(returned) else {
                continue;
            };
            let takes_only_self = method
                .sig
                .inputs
                .iter()
                .all(|arg| matches!(arg, FnArg::Receiver(_)));
            if !takes_only_self {
                continue;
            }
            let builder = builders
                .get(&builder_name)
                .ok_or_else(|| format!("no builder struct `{builder_name}`"))?;
            let (http_method, path) = request_line(&method.attrs).ok_or_else(|| {
                format!(
                    "`{}` has no \"Sends a `METHOD` request to `PATH`\" doc line",
                    method.sig.ident
                )
            })?;
            lines.push(format!(
                "{http_method} {path}  {}({}) -> {} | {}",
                method.sig.ident,
                builder.parameters.join(", "),
                builder.success,
                builder.error
            ));
        }
    }
    if lines.is_empty() {
        return Err("no operations found on `Client`".to_string());
    }
    lines.push(String::new());
    lines.extend(type_lines(&file));
    lines.push(String::new());
    Ok(lines.join("\n"))
}

/// `struct Package { id: i64, owner?: SimpleUser, … }` and
/// `enum PackageVersionState { Active, Deleted }` for each type in `types`
/// (replaced types are hand-written and do not appear).
fn type_lines(file: &syn::File) -> Vec<String> {
    let types = file.items.iter().find_map(|item| match item {
        Item::Mod(module) if module.ident == "types" => module.content.as_ref(),
        _ => None,
    });
    let mut lines = Vec::new();
    for item in types.map(|(_, items)| items.as_slice()).unwrap_or_default() {
        match item {
            Item::Struct(structure) => {
                let fields: Vec<String> = match &structure.fields {
                    Fields::Named(named) => named
                        .named
                        .iter()
                        .map(|field| {
                            let name = field_name(field);
                            let inner = generic_args(&field.ty);
                            if last_ident(&field.ty) == "Option" && inner.len() == 1 {
                                format!("{name}?: {}", short_type(&inner[0]))
                            } else {
                                format!("{name}: {}", short_type(&field.ty))
                            }
                        })
                        .collect(),
                    Fields::Unnamed(unnamed) => unnamed
                        .unnamed
                        .iter()
                        .map(|field| short_type(&field.ty))
                        .collect(),
                    Fields::Unit => Vec::new(),
                };
                lines.push(format!(
                    "struct {} {{ {} }}",
                    structure.ident,
                    fields.join(", ")
                ));
            }
            Item::Enum(enumeration) => {
                let variants: Vec<String> = enumeration
                    .variants
                    .iter()
                    .map(|variant| variant.ident.to_string())
                    .collect();
                lines.push(format!(
                    "enum {} {{ {} }}",
                    enumeration.ident,
                    variants.join(", ")
                ));
            }
            _ => {}
        }
    }
    lines
}

struct Builder {
    parameters: Vec<String>,
    success: String,
    error: String,
}

fn builder_structs(file: &syn::File) -> Result<HashMap<String, Builder>, String> {
    let module = file
        .items
        .iter()
        .find_map(|item| match item {
            Item::Mod(module) if module.ident == "builder" => module.content.as_ref(),
            _ => None,
        })
        .ok_or("no `builder` module")?;
    let mut parameters: HashMap<String, Vec<String>> = HashMap::new();
    let mut outcomes: HashMap<String, (String, String)> = HashMap::new();
    for item in &module.1 {
        match item {
            Item::Struct(builder) => {
                let Fields::Named(fields) = &builder.fields else {
                    continue;
                };
                let rendered = fields
                    .named
                    .iter()
                    .filter(|field| field.ident.as_ref().is_some_and(|i| i != "client"))
                    .map(|field| {
                        let name = field_name(field);
                        // Fields are `Result<T, String>` holding the value or
                        // a conversion error; optional ones hold `Option<T>`.
                        let value = generic_args(&field.ty).into_iter().next();
                        match value.as_ref().map(|t| (t, generic_args(t))) {
                            Some((t, inner)) if last_ident(t) == "Option" && inner.len() == 1 => {
                                format!("{name}?: {}", short_type(&inner[0]))
                            }
                            Some((t, _)) => format!("{name}: {}", short_type(t)),
                            None => format!("{name}: {}", short_type(&field.ty)),
                        }
                    })
                    .collect();
                parameters.insert(builder.ident.to_string(), rendered);
            }
            Item::Impl(block) if block.trait_.is_none() => {
                let name = last_ident(&block.self_ty);
                for member in &block.items {
                    let ImplItem::Fn(method) = member else {
                        continue;
                    };
                    if method.sig.ident != "send" {
                        continue;
                    }
                    if let ReturnType::Type(_, returned) = &method.sig.output {
                        outcomes.insert(name.clone(), send_outcome(returned));
                    }
                }
            }
            _ => {}
        }
    }
    let mut builders = HashMap::new();
    for (name, parameters) in parameters {
        if let Some((success, error)) = outcomes.remove(&name) {
            builders.insert(
                name,
                Builder {
                    parameters,
                    success,
                    error,
                },
            );
        }
    }
    Ok(builders)
}

/// `Result<ResponseValue<T>, Error<E>>` -> (`T`, `E`), shortened.
fn send_outcome(returned: &Type) -> (String, String) {
    let args = generic_args(returned);
    let side = |index: usize| {
        args.get(index)
            .and_then(|wrapper| generic_args(wrapper).into_iter().next())
            .map(|inner| short_type(&inner))
            .unwrap_or_else(|| "()".to_string())
    };
    (side(0), side(1))
}

/// "Sends a `GET` request to `/path`" from the doc comment.
fn request_line(attrs: &[syn::Attribute]) -> Option<(String, String)> {
    attrs.iter().find_map(|attr| {
        let Meta::NameValue(pair) = &attr.meta else {
            return None;
        };
        if !pair.path.is_ident("doc") {
            return None;
        }
        let Expr::Lit(expr) = &pair.value else {
            return None;
        };
        let Lit::Str(text) = &expr.lit else {
            return None;
        };
        let text = text.value();
        let rest = &text[text.find("Sends a `")? + "Sends a `".len()..];
        let (method, rest) = rest.split_once('`')?;
        let rest = &rest[rest.find('`')? + 1..];
        let (path, _) = rest.split_once('`')?;
        Some((method.to_string(), path.to_string()))
    })
}

fn builder_name(returned: &Type) -> Option<String> {
    let Type::Path(path) = returned else {
        return None;
    };
    let segments: Vec<_> = path.path.segments.iter().collect();
    match segments.as_slice() {
        [module, name] if module.ident == "builder" => Some(name.ident.to_string()),
        _ => None,
    }
}

/// A named field's name; empty for a tuple field.
fn field_name(field: &syn::Field) -> String {
    field
        .ident
        .as_ref()
        .map(ToString::to_string)
        .unwrap_or_default()
}

fn is_type_named(ty: &Type, name: &str) -> bool {
    last_ident(ty) == name
}

fn last_ident(ty: &Type) -> String {
    match ty {
        Type::Path(path) => path
            .path
            .segments
            .last()
            .map(|s| s.ident.to_string())
            .unwrap_or_default(),
        _ => String::new(),
    }
}

fn generic_args(ty: &Type) -> Vec<Type> {
    let Type::Path(path) = ty else {
        return Vec::new();
    };
    let Some(last) = path.path.segments.last() else {
        return Vec::new();
    };
    let PathArguments::AngleBracketed(args) = &last.arguments else {
        return Vec::new();
    };
    args.args
        .iter()
        .filter_map(|arg| match arg {
            GenericArgument::Type(ty) => Some(ty.clone()),
            _ => None,
        })
        .collect()
}

/// A type without its module path: `::std::vec::Vec<types::Package>` is
/// `Vec<Package>`.
fn short_type(ty: &Type) -> String {
    match ty {
        Type::Path(_) => {
            let args = generic_args(ty);
            let name = last_ident(ty);
            if args.is_empty() {
                name
            } else {
                let inner: Vec<String> = args.iter().map(short_type).collect();
                format!("{name}<{}>", inner.join(", "))
            }
        }
        Type::Tuple(tuple) if tuple.elems.is_empty() => "()".to_string(),
        other => other.to_token_stream().to_string(),
    }
}

#[test]
fn api_surface_of_the_generated_client() {
    let surface = api_surface(&read(GENERATED)).expect("generated code has the builder shape");
    let operations = surface.lines().take_while(|line| !line.is_empty()).count();
    assert_eq!(operations, 27, "the spec covers the 27 packages operations");
    for name in ["Package", "PackageVersion", "SimpleUser", "BasicError"] {
        assert!(
            surface.contains(&format!("\nstruct {name} {{ ")),
            "the surface lists the type {name}"
        );
    }
    insta::assert_snapshot!("api_surface", surface);
}
