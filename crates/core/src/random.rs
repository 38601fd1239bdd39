//! Seeded random numbers: the one home of every generator nedra draws from, so that a seed
//! means the same numbers in every crate, on any machine and thread count.
//!
//! - [`SplitMix64`] (Steele, Lea & Flood 2014): small and fast; the data-driven models and the
//!   synthetic demo draw from it. [`mix64`] is its output function on its own.
//! - [`Stream`]: xoshiro256** (Blackman & Vigna 2018) seeded through SplitMix64, with normal
//!   (Marsaglia polar method, Marsaglia & Bray 1964), gamma (Marsaglia & Tsang 2000) and beta
//!   deviates; the Monte Carlo of the assessments draws from it.
//! - Streams named by `(seed, index)`: [`stream_seed`] and [`derive_seed`] (two SplitMix64
//!   mixes over the pair), so parallel work (trees, bagged models, folds, tracts, prospects)
//!   draws numbers fixed by the pair alone, whatever the scheduling.

/// The SplitMix64 increment (the golden ratio in 64-bit fixed point).
const GOLDEN_GAMMA: u64 = 0x9E37_79B9_7F4A_7C15;

/// SplitMix64's output function (Stafford's "Mix13" variant of the MurmurHash3 finaliser): a
/// bijective mix of 64 bits.
pub fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// One step of SplitMix64: advances `state` and returns a well-mixed 64-bit value.
pub fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(GOLDEN_GAMMA);
    mix64(*state)
}

/// The seed of stream `index` of `master_seed`: two SplitMix64 mixes over the pair.
pub fn stream_seed(master_seed: u64, index: u64) -> u64 {
    let mut a = master_seed;
    let mixed_master = splitmix64(&mut a);
    let mut b = mixed_master ^ index.wrapping_mul(0xD1B5_4A32_D192_ED03);
    splitmix64(&mut b)
}

/// The seed of stream `index` of `seed` as the data-driven models derive it: [`stream_seed`]
/// of the seed xored with a fixed constant (the first word of SHA-256's initial hash).
pub fn derive_seed(seed: u64, index: u64) -> u64 {
    stream_seed(seed ^ 0x6A09_E667_F3BC_C909, index)
}

/// SplitMix64 (Steele, Lea & Flood 2014): a small, fast, seedable generator.
#[derive(Debug, Clone)]
pub struct SplitMix64(u64);

impl SplitMix64 {
    /// A generator started at `seed`.
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    /// A generator for stream `index` of `seed` (see [`derive_seed`]).
    pub fn stream(seed: u64, index: u64) -> Self {
        Self(derive_seed(seed, index))
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        splitmix64(&mut self.0)
    }

    /// Uniform in `0..n` by Lemire's multiply-shift.
    pub fn below(&mut self, n: usize) -> usize {
        ((u128::from(self.next_u64()) * n as u128) >> 64) as usize
    }

    /// Uniform in [0, 1) with 53 random bits.
    pub fn uniform(&mut self) -> f64 {
        unit_interval(self.next_u64())
    }

    /// Shuffles `items` in place (Fisher–Yates).
    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.below(i + 1);
            items.swap(i, j);
        }
    }
}

/// The top 53 bits of `bits` as a number in [0, 1).
fn unit_interval(bits: u64) -> f64 {
    (bits >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}

/// A xoshiro256** random stream (Blackman & Vigna 2018) with a cached normal deviate.
#[derive(Debug, Clone)]
pub struct Stream {
    state: [u64; 4],
    spare_normal: Option<f64>,
}

impl Stream {
    /// A stream seeded from one 64-bit seed (expanded by SplitMix64).
    pub fn from_seed(seed: u64) -> Self {
        let mut s = seed;
        let state = [
            splitmix64(&mut s),
            splitmix64(&mut s),
            splitmix64(&mut s),
            splitmix64(&mut s),
        ];
        Stream {
            state,
            spare_normal: None,
        }
    }

    /// Stream `index` of the master seed (see [`stream_seed`]).
    pub fn for_stream(master_seed: u64, index: u64) -> Self {
        Self::from_seed(stream_seed(master_seed, index))
    }

    /// Stream `(outer, inner)`, e.g. (tract, block of trials) — a nested derivation.
    pub fn for_substream(master_seed: u64, outer: u64, inner: u64) -> Self {
        Self::from_seed(stream_seed(stream_seed(master_seed, outer), inner))
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        let result = self.state[1].wrapping_mul(5).rotate_left(7).wrapping_mul(9);
        let t = self.state[1] << 17;
        self.state[2] ^= self.state[0];
        self.state[3] ^= self.state[1];
        self.state[1] ^= self.state[2];
        self.state[0] ^= self.state[3];
        self.state[2] ^= t;
        self.state[3] = self.state[3].rotate_left(45);
        result
    }

    /// A uniform deviate in [0, 1) with 53 random bits.
    pub fn uniform(&mut self) -> f64 {
        unit_interval(self.next_u64())
    }

    /// A uniform deviate in (0, 1) (never exactly zero).
    pub fn uniform_open(&mut self) -> f64 {
        ((self.next_u64() >> 11) as f64 + 0.5) * (1.0 / (1u64 << 53) as f64)
    }

    /// A standard normal deviate (Marsaglia polar method).
    pub fn normal(&mut self) -> f64 {
        if let Some(z) = self.spare_normal.take() {
            return z;
        }
        loop {
            let u = 2.0 * self.uniform() - 1.0;
            let v = 2.0 * self.uniform() - 1.0;
            let s = u * u + v * v;
            if s > 0.0 && s < 1.0 {
                let factor = (-2.0 * s.ln() / s).sqrt();
                self.spare_normal = Some(v * factor);
                return u * factor;
            }
        }
    }

    /// A gamma deviate with shape `shape` > 0 and unit scale (Marsaglia & Tsang 2000).
    pub fn gamma(&mut self, shape: f64) -> f64 {
        assert!(shape > 0.0, "gamma shape must be positive");
        if shape < 1.0 {
            // Boost: G(a) = G(a + 1) · U^{1/a}.
            let u = self.uniform_open();
            return self.gamma(shape + 1.0) * u.powf(1.0 / shape);
        }
        let d = shape - 1.0 / 3.0;
        let c = 1.0 / (9.0 * d).sqrt();
        loop {
            let x = self.normal();
            let v = 1.0 + c * x;
            if v <= 0.0 {
                continue;
            }
            let v = v * v * v;
            let u = self.uniform_open();
            if u < 1.0 - 0.0331 * x * x * x * x || u.ln() < 0.5 * x * x + d * (1.0 - v + v.ln()) {
                return d * v;
            }
        }
    }

    /// A beta deviate with shapes `a`, `b` > 0 (ratio of gamma deviates).
    pub fn beta(&mut self, a: f64, b: f64) -> f64 {
        let x = self.gamma(a);
        let y = self.gamma(b);
        x / (x + y)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_differ_and_repeat() {
        assert_eq!(derive_seed(1, 2), derive_seed(1, 2));
        assert_ne!(derive_seed(1, 2), derive_seed(1, 3));
        assert_ne!(derive_seed(1, 2), derive_seed(2, 2));
        let mut r = SplitMix64::new(7);
        for _ in 0..1000 {
            let u = r.uniform();
            assert!((0.0..1.0).contains(&u));
            assert!(r.below(5) < 5);
        }
    }

    #[test]
    fn same_seed_same_numbers_and_streams_differ() {
        let mut a = Stream::for_stream(42, 3);
        let mut b = Stream::for_stream(42, 3);
        let mut c = Stream::for_stream(42, 4);
        let xs: Vec<u64> = (0..8).map(|_| a.next_u64()).collect();
        let ys: Vec<u64> = (0..8).map(|_| b.next_u64()).collect();
        let zs: Vec<u64> = (0..8).map(|_| c.next_u64()).collect();
        assert_eq!(xs, ys);
        assert_ne!(xs, zs);
    }

    #[test]
    fn splitmix_reference_value() {
        // First output of SplitMix64 from state 0 (Vigna's reference implementation).
        let mut s = 0u64;
        assert_eq!(splitmix64(&mut s), 0xE220_A839_7B1D_CDAF);
        assert_eq!(SplitMix64::new(0).next_u64(), 0xE220_A839_7B1D_CDAF);
    }

    /// Outputs are part of nedra's results (same seed, same bytes): these values were produced
    /// by the generators before they moved here (models' `rng.rs`, assess's `random.rs`) and
    /// must never change.
    #[test]
    fn sequences_are_pinned() {
        let mut r = SplitMix64::new(2026);
        let firsts = [r.next_u64(), r.next_u64(), r.next_u64()];
        assert_eq!(
            firsts,
            [
                0xdb9c_5598_9194_8d23,
                0x78bc_927d_ed35_455d,
                0xaad7_1e75_cde2_b88e
            ]
        );
        assert_eq!(derive_seed(1, 2), 0x084e_1b30_a8fc_7e4a);
        let mut r = SplitMix64::stream(7, 3);
        assert_eq!(r.next_u64(), 0x004f_9ae9_0a36_b0bf);
        assert_eq!(r.below(1000), 660);
        assert_eq!(stream_seed(42, 3), 0xd2b8_7b4b_6561_bf17);
        let mut s = Stream::for_substream(2026, 1, 2);
        assert_eq!(s.next_u64(), 0xcc4f_0122_3327_6cf9);
        assert_eq!(s.normal().to_bits(), 13_799_666_782_588_425_272);
        assert_eq!(s.gamma(0.7).to_bits(), 4_588_087_650_177_600_986);
        assert_eq!(s.beta(2.0, 3.0).to_bits(), 4_603_048_086_277_620_593);
    }

    #[test]
    fn deviates_have_the_right_moments() {
        let mut rng = Stream::from_seed(7);
        let n = 200_000;
        let (mut s1, mut s2) = (0.0, 0.0);
        for _ in 0..n {
            let z = rng.normal();
            s1 += z;
            s2 += z * z;
        }
        let mean = s1 / n as f64;
        let var = s2 / n as f64 - mean * mean;
        assert!(mean.abs() < 4.0 / (n as f64).sqrt());
        assert!((var - 1.0).abs() < 4.0 * (2.0 / n as f64).sqrt());

        for shape in [0.5, 1.0, 3.7] {
            let mut s = 0.0;
            let mut s2 = 0.0;
            for _ in 0..n {
                let g = rng.gamma(shape);
                s += g;
                s2 += g * g;
            }
            let mean = s / n as f64;
            let var = s2 / n as f64 - mean * mean;
            // Gamma(k, 1): mean k, variance k; sd of the mean sqrt(k/n).
            assert!(
                (mean - shape).abs() < 4.0 * (shape / n as f64).sqrt(),
                "{shape} {mean}"
            );
            assert!((var - shape).abs() < 0.05 * shape + 0.02, "{shape} {var}");
        }
    }
}
