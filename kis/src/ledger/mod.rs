//! The order ledger: an I/O-free state machine over order events, and the journal that
//! persists every event before it is applied.
