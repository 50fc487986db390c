//! Locking shared state: one helper every layer uses (the market model included), so none of
//! them reaches up into the server for it.

use std::sync::{Mutex, MutexGuard};

/// Locks a mutex, recovering the data if a holder panicked (the mock's mutexes hold plain data
/// that a panic cannot leave half-updated).
///
/// ```ignore
/// let m = std::sync::Mutex::new(1);
/// *lock(&m) += 1;
/// ```
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}
