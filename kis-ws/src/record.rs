//! The contract every generated realtime record implements.

/// A typed record of one realtime TR, decoded from the `^`-separated fields of a data frame.
///
/// Implemented by generated code (`src/api/`) only.
pub trait Record: Sized {
    /// The TR IDs whose records have this layout (real and paper variants, e.g.
    /// `["H0STCNI0", "H0STCNI9"]`).
    const TR_IDS: &'static [&'static str];
    /// Column wire names in layout order.
    const COLUMNS: &'static [&'static str];
    /// Whether frames of this TR are AES-256-CBC encrypted.
    const ENCRYPTED: bool;

    /// Decodes one record from its text (`^`-separated fields in layout order, as received),
    /// in one pass with [`crate::frame::Fields`]. Never fails: a value that does not parse keeps
    /// its raw text and is reported by the value type; missing trailing fields are
    /// [`Val::Missing`](kis_client::value::Val::Missing); extra trailing fields (KIS adds
    /// columns over time) are ignored.
    fn parse(record: &str) -> Self;
}
