//! Layout facts about realtime TRs (columns, encryption, availability per env) as a swappable seam.

/// What a session needs to know about realtime TRs to subscribe and split frames.
///
/// The session builds one from the generated code in [`crate::api`]; tests and
/// custom setups can supply their own functions.
#[derive(Clone, Copy)]
pub struct Catalog {
    /// Column wire names of a TR's record layout, or `None` for an unknown TR.
    pub columns: fn(&str) -> Option<&'static [&'static str]>,
    /// Whether a TR's frames are encrypted, or `None` for an unknown TR.
    pub is_encrypted: fn(&str) -> Option<bool>,
    /// Whether a TR exists on the given service (real or paper), or `None` when not known
    /// (then the subscription is sent and KIS decides).
    pub available_on: fn(&str, kis_client::endpoint::Env) -> Option<bool>,
}

impl std::fmt::Debug for Catalog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Catalog")
    }
}
