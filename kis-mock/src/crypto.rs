//! AES-256-CBC with PKCS7 padding and base64, as KIS encrypts execution notices.

use aes::Aes256;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use cbc::cipher::block_padding::Pkcs7;
use cbc::cipher::{BlockEncryptMut, KeyIvInit};

/// Encrypts `plain` with a 32-byte key and 16-byte iv (the ack's `key`/`iv` as UTF-8 bytes) and
/// returns base64; `None` when key or iv have the wrong length.
pub fn encrypt(key: &str, iv: &str, plain: &str) -> Option<String> {
    let cipher = cbc::Encryptor::<Aes256>::new_from_slices(key.as_bytes(), iv.as_bytes()).ok()?;
    Some(STANDARD.encode(cipher.encrypt_padded_vec_mut::<Pkcs7>(plain.as_bytes())))
}

#[cfg(test)]
mod tests {
    use super::*;
    use cbc::cipher::BlockDecryptMut;

    #[test]
    fn round_trip() {
        let key = "0123456789abcdef0123456789abcdef";
        let iv = "fedcba9876543210";
        let text = "mockuser^1234567801^0000000001^^02";
        let b64 = encrypt(key, iv, text).unwrap();
        let raw = STANDARD.decode(b64).unwrap();
        assert_eq!(raw.len() % 16, 0);
        let plain = cbc::Decryptor::<Aes256>::new_from_slices(key.as_bytes(), iv.as_bytes())
            .unwrap()
            .decrypt_padded_vec_mut::<Pkcs7>(&raw)
            .unwrap();
        assert_eq!(plain, text.as_bytes());
        assert!(encrypt("short", iv, text).is_none());
    }
}
