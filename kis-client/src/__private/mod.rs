//! Helpers that exist only for generated code (`src/api/`). Not part of the public API: no
//! stability promise, hidden from the docs.

mod codes;
mod request;
mod wire;

pub use codes::{CodeList, UnknownCode, debug_code, parse as parse_code, to_wire as code_to_wire};
pub use request::{FieldKind, FieldMeta, code, date, decimal, flag, int, time};

pub use crate::code_list_impls;

pub use crate::secret::{Masked, MaskedMap};
pub use wire::{WireField, serialize_fields};

pub use crate::value::decode::{
    Fields, Match, NO_FIELDS, Record, Rows, Slot, Spellings, decode_map, deserialize_into, report,
    serialize_record, to_map,
};
