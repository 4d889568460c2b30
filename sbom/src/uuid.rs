//! Name-based UUIDs (RFC 9562 version 5: SHA-1), for content-derived serial numbers. Ten lines
//! over the `sha1` crate the workspace already builds, rather than the `uuid` crate for one
//! function.

use sha1::{Digest, Sha1};

/// The version-5 UUID of `name` in `namespace`, lower-case and hyphenated.
pub fn uuid_v5(namespace: &[u8; 16], name: &[u8]) -> String {
    let mut h = hasher(namespace);
    h.update(name);
    finish(h)
}

/// A SHA-1 already fed `namespace`: feed it the name in pieces, then [`finish`] it.
pub fn hasher(namespace: &[u8; 16]) -> Sha1 {
    let mut h = Sha1::new();
    h.update(namespace);
    h
}

/// The version-5 UUID of what `h` was fed (see [`hasher`]).
pub fn finish(h: Sha1) -> String {
    let d = h.finalize();
    let mut b = [0u8; 16];
    b.copy_from_slice(&d[..16]);
    b[6] = (b[6] & 0x0f) | 0x50;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex = tollgate_verifier::package::encode_hex(&b);
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

#[cfg(test)]
mod tests {
    use super::uuid_v5;

    /// RFC 9562 appendix A.4: "www.example.com" in the DNS namespace.
    #[test]
    fn matches_the_rfc_example() {
        let dns = [
            0x6b, 0xa7, 0xb8, 0x10, 0x9d, 0xad, 0x11, 0xd1, 0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4,
            0x30, 0xc8,
        ];
        assert_eq!(
            uuid_v5(&dns, b"www.example.com"),
            "2ed6657d-e927-568b-95e1-2665a8aea6a2"
        );
    }
}
