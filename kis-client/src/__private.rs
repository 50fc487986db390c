//! Helpers the generated code calls. Not part of the public API: names and signatures change
//! with the code generator.

pub use crate::value::decode::{
    Fields, Match, NO_FIELDS, Record, Rows, Slot, Spellings, decode_map, deserialize_into, report,
    serialize_record, to_map,
};
