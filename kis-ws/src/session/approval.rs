//! Where a session gets its approval key.

use futures::future::BoxFuture;

use crate::error::Error;

/// Where the session gets its approval key (`POST /oauth2/Approval`).
pub trait ApprovalKeySource: Send + Sync + 'static {
    /// Returns an approval key; `fresh` asks for a newly issued one because KIS refused the
    /// previous key.
    fn approval_key(&self, fresh: bool) -> BoxFuture<'_, Result<String, Error>>;

    /// How far the server's clock is ahead of this machine's, if the source has heard from
    /// it (the REST client learns it from every answer's `Date` header). The session uses it
    /// until the websocket tells its own.
    fn server_offset(&self) -> Option<chrono::TimeDelta> {
        None
    }
}

/// A fixed approval key (for tests and tools that obtained one elsewhere). `Debug` hides it.
#[derive(Clone)]
pub struct StaticApprovalKey(pub String);

impl std::fmt::Debug for StaticApprovalKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("StaticApprovalKey(<redacted>)")
    }
}

impl ApprovalKeySource for StaticApprovalKey {
    fn approval_key(&self, _fresh: bool) -> BoxFuture<'_, Result<String, Error>> {
        let key = self.0.clone();
        Box::pin(async move { Ok(key) })
    }
}

/// Approval keys issued (and cached) by the REST client; a refused key is renewed.
impl ApprovalKeySource for kis_client::Client {
    fn approval_key(&self, fresh: bool) -> BoxFuture<'_, Result<String, Error>> {
        Box::pin(async move {
            let key = if fresh {
                self.renew_approval_key().await
            } else {
                kis_client::Client::approval_key(self).await
            };
            key.map(|k| k.expose().to_owned())
                .map_err(|e| Error::ApprovalKey(Box::new(e)))
        })
    }

    fn server_offset(&self) -> Option<chrono::TimeDelta> {
        kis_client::Client::server_offset(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn static_key_debug_redacts() {
        assert!(!format!("{:?}", StaticApprovalKey("secret".into())).contains("secret"));
    }
}
