//! Request-body checks: one media type, and one progenitor can generate.

use openapiv3::{Components, Operation};

use super::resolve;

/// Request body media types progenitor 0.15 can generate code for.
const REQUEST_MEDIA_TYPES: &[&str] = &[
    "application/json",
    "application/octet-stream",
    "application/x-www-form-urlencoded",
    "text/plain",
    "text/x-markdown",
];

pub(super) fn check_request_body(
    operation: &Operation,
    components: &Option<Components>,
    report: &mut impl FnMut(String),
) {
    let Some(body) = operation
        .request_body
        .as_ref()
        .and_then(|b| resolve(b, components, |c, n| c.request_bodies.get(n)))
    else {
        return;
    };
    if body.content.len() > 1 {
        let types: Vec<&str> = body.content.keys().map(String::as_str).collect();
        report(format!(
            "request body offers several media types ({}); progenitor generates exactly one",
            types.join(", ")
        ));
    }
    for (media_type, media) in &body.content {
        // progenitor matches the text before any `;` exactly, spaces included.
        let essence = media_type.split(';').next().unwrap_or_default();
        if !REQUEST_MEDIA_TYPES.contains(&essence) {
            report(format!(
                "request body media type `{media_type}` cannot be generated (supported: {})",
                REQUEST_MEDIA_TYPES.join(", ")
            ));
        }
        if !media.encoding.is_empty() {
            report(format!(
                "request body `{media_type}` uses `encoding`, which is not supported"
            ));
        }
    }
}
