//! A hasher for keys that are already well-spread 64-bit patterns (scores' `f64` bits).
//!
//! The standard library's SipHash resists hash flooding, which a histogram of a map's own
//! scores does not need, and costs a large share of a per-cell pass. This hasher mixes the
//! key with the 64-bit finaliser of MurmurHash3 (Appleby, "fmix64"): every input bit affects
//! every output bit, so scores that differ only in their high bits (integers, round values)
//! spread over the table as well as scores that differ in their low mantissa bits.

use std::hash::{BuildHasherDefault, Hasher};

/// Hashes one `u64` (or bytes, folded eight at a time) with the fmix64 finaliser.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct BitsHasher(u64);

/// `HashMap<u64, V, BitsBuild>` hashes its keys with [`BitsHasher`].
pub(crate) type BitsBuild = BuildHasherDefault<BitsHasher>;

#[inline]
fn fmix64(mut k: u64) -> u64 {
    k ^= k >> 33;
    k = k.wrapping_mul(0xff51_afd7_ed55_8ccd);
    k ^= k >> 33;
    k = k.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    k ^ (k >> 33)
}

impl Hasher for BitsHasher {
    #[inline]
    fn finish(&self) -> u64 {
        fmix64(self.0)
    }

    #[inline]
    fn write_u64(&mut self, i: u64) {
        self.0 = fmix64(self.0 ^ i);
    }

    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut b = [0u8; 8];
            b[..chunk.len()].copy_from_slice(chunk);
            self.write_u64(u64::from_le_bytes(b));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;
    use std::hash::BuildHasher;

    /// Integer-valued scores (zero low bits) and nearby floats both fill the low bits the
    /// table indexes with: 4096 keys land in close to 4096 distinct buckets of 4096.
    #[test]
    fn round_and_dense_scores_spread_over_the_low_bits() {
        let build = BitsBuild::default();
        for keys in [
            (0..4096)
                .map(|i| f64::from(i).to_bits())
                .collect::<Vec<_>>(),
            (0..4096u64).map(|i| 0.5f64.to_bits() + i).collect(),
        ] {
            let buckets: HashSet<u64> = keys.iter().map(|k| build.hash_one(k) & 4095).collect();
            // A uniform hash fills 1 − 1/e ≈ 63 % of the buckets.
            assert!(buckets.len() > 2400, "{} buckets of 4096", buckets.len());
        }
    }

    #[test]
    fn fmix64_is_a_bijection_on_a_sample() {
        let out: HashSet<u64> = (0..100_000u64).map(fmix64).collect();
        assert_eq!(out.len(), 100_000);
    }
}
