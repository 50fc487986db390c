//! Serialization plumbing of generated code: request bodies.

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
