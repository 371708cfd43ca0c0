//! The Rust names progenitor and typify derive from spec names, computed the
//! same way (their `sanitize`), so collisions are found before they are
//! generated.

use heck::{ToPascalCase, ToSnakeCase};
use unicode_ident::{is_xid_continue, is_xid_start};

/// A type name (`simple-user` -> `SimpleUser`).
pub(crate) fn type_name(input: &str) -> String {
    sanitize(input, str::to_pascal_case)
}

/// A method, field or parameter name (`get-package` -> `get_package`).
pub(crate) fn member_name(input: &str) -> String {
    sanitize(input, str::to_snake_case)
}

fn sanitize(input: &str, to_case: fn(&str) -> String) -> String {
    let out = match input {
        "+1" => "plus1".to_string(),
        "-1" => "minus1".to_string(),
        _ => to_case(
            &input
                .replace('\'', "")
                .replace(|c: char| !is_xid_continue(c), "-"),
        ),
    };
    let out = match out.chars().next() {
        None => to_case("x"),
        Some(c) if is_xid_start(c) => out,
        Some(_) => format!("_{out}"),
    };
    if is_keyword(&out) {
        format!("{out}_")
    } else {
        out
    }
}

fn is_keyword(ident: &str) -> bool {
    matches!(
        ident,
        "_" | "abstract"
            | "as"
            | "async"
            | "await"
            | "become"
            | "box"
            | "break"
            | "const"
            | "continue"
            | "crate"
            | "do"
            | "dyn"
            | "else"
            | "enum"
            | "extern"
            | "false"
            | "final"
            | "fn"
            | "for"
            | "gen"
            | "if"
            | "impl"
            | "in"
            | "let"
            | "loop"
            | "macro"
            | "match"
            | "mod"
            | "move"
            | "mut"
            | "override"
            | "priv"
            | "pub"
            | "ref"
            | "return"
            | "Self"
            | "self"
            | "static"
            | "struct"
            | "super"
            | "trait"
            | "true"
            | "try"
            | "type"
            | "typeof"
            | "unsafe"
            | "unsized"
            | "use"
            | "virtual"
            | "where"
            | "while"
            | "yield"
    )
}

/// Methods progenitor puts on `Client` itself.
pub(crate) const RESERVED_CLIENT_METHODS: &[&str] = &["new", "new_with_client"];

/// Names imported into the generated `builder` module, where each operation
/// also gets a struct named after it.
pub(crate) const RESERVED_BUILDER_TYPES: &[&str] = &[
    "ByteStream",
    "ClientInfo",
    "ClientHooks",
    "Error",
    "OperationInfo",
    "RequestBuilderExt",
    "ResponseValue",
];

/// Members of every generated builder besides its parameters.
pub(crate) const RESERVED_PARAMETERS: &[&str] = &["new", "send", "client", "body"];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_progenitor() {
        assert_eq!(type_name("nullable-simple-user"), "NullableSimpleUser");
        assert_eq!(member_name("get-package-for-user"), "get_package_for_user");
        assert_eq!(member_name("getPackage"), "get_package");
        assert_eq!(member_name("type"), "type_");
        assert_eq!(type_name("2fa"), "_2fa");
        assert_eq!(member_name("it's"), "its");
    }
}
