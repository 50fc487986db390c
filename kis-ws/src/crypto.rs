//! AES-256-CBC (PKCS7) decryption of encrypted realtime payloads with a TR's key and iv.

use aes::cipher::{BlockDecryptMut, BlockEncryptMut, KeyIvInit, block_padding::Pkcs7};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use crate::error::FrameError;

type Dec = cbc::Decryptor<aes::Aes256>;
type Enc = cbc::Encryptor<aes::Aes256>;

/// The AES-256-CBC key and iv KIS sends in a TR's `SUBSCRIBE SUCCESS` ack.
///
/// `Debug` does not show the key material.
#[derive(Clone, PartialEq, Eq)]
pub struct Cipher {
    key: [u8; 32],
    iv: [u8; 16],
}

impl std::fmt::Debug for Cipher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Cipher(<redacted>)")
    }
}

impl Cipher {
    /// Builds a cipher from the ack's `key` (32 characters) and `iv` (16 characters), used as
    /// their UTF-8 bytes.
    pub fn new(key: &str, iv: &str) -> Result<Self, FrameError> {
        let key: [u8; 32] = key.as_bytes().try_into().map_err(|_| FrameError::BadKey {
            reason: format!("key is {} bytes, expected 32", key.len()),
        })?;
        let iv: [u8; 16] = iv.as_bytes().try_into().map_err(|_| FrameError::BadKey {
            reason: format!("iv is {} bytes, expected 16", iv.len()),
        })?;
        Ok(Cipher { key, iv })
    }

    /// Decrypts a base64 payload into its UTF-8 plaintext.
    pub fn decrypt(&self, tr_id: &str, base64_payload: &str) -> Result<String, FrameError> {
        let bad = |reason: &str| FrameError::BadCiphertext {
            tr_id: tr_id.to_owned(),
            reason: reason.to_owned(),
        };
        let mut buf = STANDARD
            .decode(base64_payload.trim())
            .map_err(|_| bad("payload is not base64"))?;
        let len = Dec::new(&self.key.into(), &self.iv.into())
            .decrypt_padded_mut::<Pkcs7>(&mut buf)
            .map_err(|_| bad("wrong key, iv or padding"))?
            .len();
        buf.truncate(len);
        String::from_utf8(buf).map_err(|_| bad("plaintext is not UTF-8"))
    }

    /// Encrypts `plaintext` the way KIS does (PKCS7, base64). Used by tests, benches and
    /// simulators.
    pub fn encrypt(&self, plaintext: &str) -> String {
        let ct = Enc::new(&self.key.into(), &self.iv.into())
            .encrypt_padded_vec_mut::<Pkcs7>(plaintext.as_bytes());
        STANDARD.encode(ct)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cipher() -> Cipher {
        Cipher::new("abcdefghijklmnopqrstuvwxyz123456", "0123456789abcdef").unwrap()
    }

    #[test]
    fn round_trip() {
        let c = cipher();
        let pt = "hts1^0000012345^^01^체결^005930";
        let ct = c.encrypt(pt);
        assert_eq!(c.decrypt("H0STCNI0", &ct).unwrap(), pt);
    }

    #[test]
    fn known_vector() {
        // openssl enc -aes-256-cbc -K <hex of key> -iv <hex of iv> -base64 <<< -n "hello"
        let c = cipher();
        let ct = c.encrypt("hello");
        assert_eq!(ct.len(), 24); // one 16-byte block, base64
        assert_ne!(ct, "hello");
    }

    #[test]
    fn rejects_wrong_lengths() {
        assert!(Cipher::new("short", "0123456789abcdef").is_err());
        assert!(Cipher::new("abcdefghijklmnopqrstuvwxyz123456", "short").is_err());
    }

    #[test]
    fn bad_ciphertext_is_an_error() {
        let c = cipher();
        assert!(c.decrypt("T", "not base64!").is_err());
        assert!(c.decrypt("T", "aGVsbG8=").is_err()); // 5 bytes: not a block
        let other = Cipher::new("ABCDEFGHIJKLMNOPQRSTUVWXYZ123456", "0123456789abcdef").unwrap();
        let ct = other.encrypt("some plaintext that spans blocks");
        // A wrong key almost always breaks the padding or UTF-8; it must never panic.
        let _ = c.decrypt("T", &ct);
    }

    #[test]
    fn debug_redacts() {
        assert_eq!(format!("{:?}", cipher()), "Cipher(<redacted>)");
    }
}
