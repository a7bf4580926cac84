//! Seeds and the random generator of property scenarios.
//!
//! A property scenario draws its messages, sizes, counts and piece
//! boundaries from a seed, so that a program cannot pass by printing
//! what it guesses the scenario expects, and so that a failure can be
//! replayed exactly: the same seed gives the same inputs, on every machine,
//! with any version of this workspace's dependencies.
//!
//! The seed comes from the environment variable [`SEED_ENV`]
//! (`cargo xtask check-lab 5 --seed 1234` sets it); when it is not set, the
//! test process picks a fresh one and every property of that process uses
//! it. Each scenario mixes its own name into the seed, so two scenarios do
//! not draw the same numbers.
//!
//! # Why a generator of our own
//!
//! [`Rng`] is SplitMix64 (Steele, Lea and Flood, "Fast splittable
//! pseudorandom number generators", OOPSLA 2014; the reference code is
//! Vigna's public-domain `splitmix64.c`): six lines, no dependency, and its
//! output for a seed is fixed by the published algorithm, which a test
//! below checks against the reference values. A crate such as `fastrand`
//! would do as well today, but it does not promise that a seed gives the
//! same numbers after an upgrade, and a seed is written into a class's
//! `grades.json` to be replayed later. Quality needs are modest (inputs for
//! tests, not statistics); SplitMix64 passes BigCrush.

use std::ops::RangeInclusive;
use std::sync::OnceLock;

/// The environment variable that holds the seed of the property scenarios
/// (a whole number).
pub const SEED_ENV: &str = "SOCKET_LABS_SEED";

/// Fresh seeds are below this, so that they are short to type.
const FRESH_SEED_LIMIT: u64 = 1_000_000;

/// The seed of this test process: [`SEED_ENV`] if set, else a fresh one
/// chosen once per process.
///
/// # Errors
///
/// [`SEED_ENV`] is set but is not a whole number; the message says so.
pub fn seed() -> Result<u64, String> {
    static SEED: OnceLock<Result<u64, String>> = OnceLock::new();
    SEED.get_or_init(|| match std::env::var(SEED_ENV) {
        Ok(text) => parse_seed(&text),
        Err(_) => Ok(fresh_seed()),
    })
    .clone()
}

/// Reads a seed as a user typed it.
///
/// # Errors
///
/// Not a whole number from 0 to 18446744073709551615.
pub fn parse_seed(text: &str) -> Result<u64, String> {
    text.trim()
        .parse::<u64>()
        .map_err(|_| format!("{SEED_ENV} must be a whole number such as 1234, not `{text}`"))
}

/// A seed that differs from run to run: the clock and the process id,
/// mixed.
pub fn fresh_seed() -> u64 {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let mixed = (nanos as u64) ^ (u64::from(std::process::id()) << 32);
    Rng::new(mixed).next_u64() % FRESH_SEED_LIMIT
}

/// SplitMix64: a small, fast generator whose output for a seed is fixed
/// by its published definition (see the module documentation).
#[derive(Clone, Debug)]
pub struct Rng {
    state: u64,
}

impl Rng {
    /// The generator for `seed`.
    pub fn new(seed: u64) -> Rng {
        Rng { state: seed }
    }

    /// The generator of the scenario `name` for the run's `seed`: the seed
    /// with the name's FNV-1a hash mixed in (FNV-1a, not std's hasher,
    /// whose output may change between Rust versions).
    pub fn for_scenario(seed: u64, name: &str) -> Rng {
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        for byte in name.bytes() {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        }
        Rng::new(seed ^ hash)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n` > 0), by Lemire's multiply-and-shift: the
    /// bias is below n / 2^64, nothing a test can see.
    pub fn below(&mut self, n: usize) -> usize {
        assert!(n > 0, "Rng::below(0)");
        ((u128::from(self.next_u64()) * n as u128) >> 64) as usize
    }

    /// A number in `range`.
    pub fn range(&mut self, range: RangeInclusive<usize>) -> usize {
        let (low, high) = range.into_inner();
        assert!(low <= high, "empty range {low}..={high}");
        low + self.below(high - low + 1)
    }

    /// True `percent` times in a hundred.
    pub fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }

    /// One of `items` (not empty).
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    /// `len` arbitrary bytes.
    pub fn bytes(&mut self, len: usize) -> Vec<u8> {
        let mut out = Vec::with_capacity(len + 8);
        while out.len() < len {
            out.extend_from_slice(&self.next_u64().to_le_bytes());
        }
        out.truncate(len);
        out
    }

    /// One printable character: mostly ASCII (space included), some
    /// Chinese (3 bytes in UTF-8), Latin letters with accents (2 bytes)
    /// and emoji (4 bytes). Never a control character, so never a line
    /// break.
    pub fn char(&mut self) -> char {
        let (low, high) = match self.below(10) {
            0..=5 => (0x20, 0x7e),
            6 | 7 => (0x4e00, 0x9fa5),
            8 => (0xc0, 0xff),
            _ => (0x1f600, 0x1f64f),
        };
        char::from_u32(self.range(low..=high) as u32).unwrap_or('?')
    }

    /// Printable text (see [`Self::char`]) of a byte length drawn from
    /// `bytes`; at least one character when the range allows it.
    pub fn text(&mut self, bytes: RangeInclusive<usize>) -> String {
        let target = self.range(bytes);
        let mut text = String::new();
        loop {
            let c = self.char();
            if text.len() + c.len_utf8() > target {
                // Try one ASCII character before giving up, so the length
                // comes close to the target.
                if text.len() < target {
                    text.push(char::from(self.range(0x21..=0x7e) as u8));
                    continue;
                }
                return text;
            }
            text.push(c);
        }
    }

    /// Lines as a person types them: a count drawn from `count`, each empty
    /// with `empty_percent` chance, else text (see [`Self::text`]) of a
    /// byte length drawn from `bytes`.
    pub fn lines(
        &mut self,
        count: RangeInclusive<usize>,
        empty_percent: usize,
        bytes: RangeInclusive<usize>,
    ) -> Vec<String> {
        (0..self.range(count))
            .map(|_| {
                if self.chance(empty_percent) {
                    String::new()
                } else {
                    self.text(bytes.clone())
                }
            })
            .collect()
    }

    /// A message as a person or a program might send it: printable text of
    /// a byte length drawn from `bytes`, sometimes with bytes that are not
    /// UTF-8 mixed in (never `\n` or another control byte, so a server
    /// prints it on one line).
    pub fn message(&mut self, bytes: RangeInclusive<usize>) -> Vec<u8> {
        let mut message = self.text(bytes).into_bytes();
        if !message.is_empty() && self.chance(25) {
            for _ in 0..self.range(1..=3) {
                let at = self.below(message.len());
                message[at] = self.range(0x80..=0xff) as u8;
            }
        }
        message
    }

    /// Where to cut `len` bytes into a number of pieces drawn from
    /// `pieces` (fewer when two cuts fall together): the sorted, distinct
    /// offsets strictly inside `0..len`.
    pub fn cuts(&mut self, len: usize, pieces: RangeInclusive<usize>) -> Vec<usize> {
        let pieces = self.range(pieces);
        if len < 2 || pieces < 2 {
            return Vec::new();
        }
        let mut cuts: Vec<usize> = (0..pieces - 1).map(|_| self.range(1..=len - 1)).collect();
        cuts.sort_unstable();
        cuts.dedup();
        cuts
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;

    #[test]
    fn splitmix64_gives_the_reference_values() {
        // The first outputs of Vigna's splitmix64.c seeded with 1234567.
        let mut rng = Rng::new(1_234_567);
        let got: Vec<u64> = (0..5).map(|_| rng.next_u64()).collect();
        assert_eq!(
            got,
            [
                6_457_827_717_110_365_317,
                3_203_168_211_198_807_973,
                9_817_491_932_198_370_423,
                4_593_380_528_125_082_431,
                16_408_922_859_458_223_821,
            ]
        );
    }

    #[test]
    fn the_same_seed_and_name_give_the_same_inputs() {
        let draw = |seed, name| {
            let mut rng = Rng::for_scenario(seed, name);
            (
                rng.message(0..=300),
                rng.cuts(1000, 1..=8),
                rng.range(1..=9),
            )
        };
        assert_eq!(draw(42, "a"), draw(42, "a"));
        assert_ne!(draw(42, "a"), draw(42, "b"));
        assert_ne!(draw(42, "a"), draw(43, "a"));
    }

    #[test]
    fn text_is_printable_and_as_long_as_drawn() {
        let mut rng = Rng::new(7);
        for _ in 0..200 {
            let text = rng.text(1..=64);
            assert!((1..=64).contains(&text.len()), "{text:?}");
            assert!(!text.chars().any(char::is_control), "{text:?}");
        }
        assert_eq!(rng.text(0..=0), "");
    }

    #[test]
    fn cuts_are_inside_sorted_and_distinct() {
        let mut rng = Rng::new(9);
        for _ in 0..200 {
            let cuts = rng.cuts(10, 1..=6);
            assert!(cuts.len() <= 5);
            assert!(cuts.windows(2).all(|w| w[0] < w[1]), "{cuts:?}");
            assert!(cuts.iter().all(|c| (1..10).contains(c)), "{cuts:?}");
        }
        assert!(rng.cuts(1, 5..=5).is_empty());
    }

    #[test]
    fn seeds_are_read_as_whole_numbers() {
        assert_eq!(parse_seed(" 1234 "), Ok(1234));
        assert!(parse_seed("abc").unwrap_err().contains(SEED_ENV));
        assert!(fresh_seed() < FRESH_SEED_LIMIT);
    }
}
