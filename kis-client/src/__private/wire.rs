//! Serialization plumbing of generated code: request bodies and realtime record fields.

use crate::value::{Val, Wire};

/// One request field value for [`serialize_fields`].
#[derive(Debug, Clone, Copy)]
pub enum WireField<'a> {
    /// A string value (every scalar request field).
    Str(&'a str),
    /// A nested JSON value (request arrays and objects).
    Json(&'a serde_json::Value),
}

/// Serializes a request as a map of wire name to value, in the given order. Shared by every
/// generated request, so the serializer code is instantiated once per serializer, not once per
/// endpoint.
pub fn serialize_fields<S: serde::Serializer>(
    s: S,
    fields: &[(&str, WireField<'_>)],
) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeMap;
    let mut m = s.serialize_map(Some(fields.len()))?;
    for (k, v) in fields {
        match v {
            WireField::Str(x) => m.serialize_entry(k, x)?,
            WireField::Json(x) => m.serialize_entry(k, x)?,
        }
    }
    m.end()
}

/// Reads field `i` of a realtime record (`Missing` beyond the end).
#[inline]
pub fn field<T: Wire>(fields: &[&str], i: usize) -> Val<T> {
    match fields.get(i) {
        Some(s) => Val::parse(s),
        None => Val::Missing,
    }
}
