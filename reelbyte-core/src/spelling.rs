//! Spelling correction for the search fallback of gigs and jobs.
//!
//! When the words of a query match nothing, `Marketplace::browse_gigs` and
//! `browse_jobs` replace each misspelt word by the nearest word of the
//! store's vocabulary (every word of gig titles and tags and of job titles
//! and skills) and run the word search again with the corrections. This
//! module is the rule: which words the vocabulary holds
//! ([`vocabulary_words`]) and under which keys it files them
//! ([`filed_under`]), which keys a query looks up ([`lookup_keys`]), which
//! vocabulary words are candidates ([`candidates`]) and which candidate
//! wins ([`correct`]). Stores only keep the vocabulary and answer
//! `DiscoveryRepo::spelling_candidates`: PostgreSQL from the `search_words`
//! table (migration 0018, filled by triggers, one indexed lookup), the
//! memory store by reading its rows.
//!
//! The vocabulary files every word under its own spelling and under each
//! spelling with one character deleted; a query word is looked up under its
//! spelling and those with one or two characters deleted. A shared key
//! exists for every word one insertion, deletion, substitution or
//! transposition away, and for many two away, so candidates are found with
//! exact-key lookups only. They are then ranked by their true edit
//! distance.
//!
//! ```
//! use std::collections::BTreeSet;
//! use reelbyte_core::spelling::{candidates, correct, lookup_keys};
//!
//! let words = vec!["viedo".to_string(), "editor".to_string()];
//! let keys: BTreeSet<String> = lookup_keys(&words).into_iter().collect();
//! let found = candidates(&keys, ["Video editor for reels", "Logo animation"]);
//! assert_eq!(found, ["editor", "video"]);
//! assert_eq!(
//!     correct(&words, &found),
//!     Some(vec!["video".to_string(), "editor".to_string()])
//! );
//! ```

use std::collections::BTreeSet;

/// Shorter words are not corrected (nor learned): too many words lie one
/// edit away from them.
pub const MIN_WORD_CHARS: usize = 3;

/// Longer words are neither corrected nor learned.
pub const MAX_WORD_CHARS: usize = 30;

/// Only the first words of a query are corrected, which bounds the lookup.
pub const MAX_CORRECTED_WORDS: usize = 8;

/// The most candidate words one lookup returns.
pub const MAX_CANDIDATES: i64 = 2_000;

/// `word` as the vocabulary files it: lowercase letters and digits only.
pub fn normalise(word: &str) -> String {
    word.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// Whether a normalised word is long enough, and short enough, to be
/// corrected (and learned).
fn correctable(word: &str) -> bool {
    (MIN_WORD_CHARS..=MAX_WORD_CHARS).contains(&word.chars().count())
}

/// The vocabulary words of `text` (a title, a tag, a skill): its runs of
/// letters and digits, lowercase, of [`MIN_WORD_CHARS`] to
/// [`MAX_WORD_CHARS`] characters. Migration 0018's `search_words_learn`
/// splits text the same way.
pub fn vocabulary_words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphanumeric())
        .map(str::to_lowercase)
        .filter(|w| correctable(w))
}

/// The keys the vocabulary files `word` under: its own spelling and each
/// spelling with one character deleted.
pub fn filed_under(word: &str) -> BTreeSet<String> {
    let chars: Vec<char> = word.chars().collect();
    let mut keys: BTreeSet<String> = (0..chars.len())
        .map(|i| without(&chars, i).into_iter().collect())
        .collect();
    keys.insert(word.to_string());
    keys
}

/// The words of `vocabulary` filed under one of `keys` (from
/// [`lookup_keys`]): what a store's lookup returns, sorted, without
/// repeats, at most [`MAX_CANDIDATES`] of them.
pub fn candidates<'a>(
    keys: &BTreeSet<String>,
    vocabulary: impl IntoIterator<Item = &'a str>,
) -> Vec<String> {
    // Distinct words first: a word used by many titles is checked once.
    let words: BTreeSet<String> = vocabulary.into_iter().flat_map(vocabulary_words).collect();
    let cap = usize::try_from(MAX_CANDIDATES).unwrap_or(usize::MAX);
    words
        .into_iter()
        .filter(|w| !filed_under(w).is_disjoint(keys))
        .take(cap)
        .collect()
}

/// `chars` without the character at `at`.
fn without(chars: &[char], at: usize) -> Vec<char> {
    let mut out = chars.to_vec();
    out.remove(at);
    out
}

/// The vocabulary keys under which a correction of one of `words` can be
/// filed: each correctable word's own spelling and its spellings with one or
/// two characters deleted. Sorted, without repeats.
pub fn lookup_keys(words: &[String]) -> Vec<String> {
    let mut keys = BTreeSet::new();
    for word in words.iter().take(MAX_CORRECTED_WORDS) {
        let word = normalise(word);
        if !correctable(&word) {
            continue;
        }
        let chars: Vec<char> = word.chars().collect();
        for i in 0..chars.len() {
            let once = without(&chars, i);
            for j in 0..once.len() {
                keys.insert(without(&once, j).into_iter().collect::<String>());
            }
            keys.insert(once.into_iter().collect::<String>());
        }
        keys.insert(word);
    }
    keys.into_iter().collect()
}

/// The optimal-string-alignment distance between `a` and `b`: insertions,
/// deletions, substitutions and transpositions of adjacent characters each
/// count one.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    // Three rows of the dynamic-programming table: two back, one back, now.
    let mut before: Vec<usize> = vec![0; b.len() + 1];
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    let mut current: Vec<usize> = vec![0; b.len() + 1];
    for i in 1..=a.len() {
        current[0] = i;
        for j in 1..=b.len() {
            let substitution = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (previous[j] + 1)
                .min(current[j - 1] + 1)
                .min(previous[j - 1] + substitution);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(before[j - 2] + 1);
            }
            current[j] = best;
        }
        std::mem::swap(&mut before, &mut previous);
        std::mem::swap(&mut previous, &mut current);
    }
    previous[b.len()]
}

/// The largest edit distance accepted for a word of `chars` characters: one
/// for short words, two from six characters on.
fn tolerance(chars: usize) -> usize {
    if chars >= 6 { 2 } else { 1 }
}

/// The query with each misspelt word replaced by its nearest `candidates`
/// word, or `None` when no word changes. A word is kept as it is when the
/// vocabulary has it, when it is too short or too long to correct, or when
/// no candidate lies within its tolerance. Among candidates the smallest
/// edit distance wins, then one with the same first character, then the
/// closest length, then the alphabetical first, so the choice does not
/// depend on the order of `candidates`.
pub fn correct(words: &[String], candidates: &[String]) -> Option<Vec<String>> {
    let mut changed = false;
    let corrected = words
        .iter()
        .enumerate()
        .map(|(n, original)| {
            let word = normalise(original);
            if n >= MAX_CORRECTED_WORDS || !correctable(&word) {
                return original.clone();
            }
            let chars = word.chars().count();
            let first = word.chars().next();
            let best = candidates
                .iter()
                .map(|c| (edit_distance(&word, c), c))
                .filter(|(distance, _)| *distance <= tolerance(chars))
                .min_by_key(|(distance, c)| {
                    (
                        *distance,
                        c.chars().next() != first,
                        c.chars().count().abs_diff(chars),
                        c.as_str(),
                    )
                });
            match best {
                Some((0, _)) | None => original.clone(),
                Some((_, c)) => {
                    changed = true;
                    c.clone()
                }
            }
        })
        .collect();
    changed.then_some(corrected)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(words: &[&str]) -> Vec<String> {
        words.iter().map(|w| (*w).to_string()).collect()
    }

    #[test]
    fn the_vocabulary_is_the_runs_of_letters_and_digits() {
        let words: Vec<String> = vocabulary_words("UGC: Skin-care reels, 4K! a an").collect();
        assert_eq!(words, strings(&["ugc", "skin", "care", "reels"]));
        let keys: BTreeSet<String> = lookup_keys(&strings(&["skincre", "reals"]))
            .into_iter()
            .collect();
        assert_eq!(
            candidates(&keys, ["Skincare for brands", "UGC reels", "Motion"]),
            strings(&["reels", "skincare"])
        );
    }

    #[test]
    fn distances_count_each_edit_once() {
        assert_eq!(edit_distance("video", "video"), 0);
        assert_eq!(edit_distance("viedo", "video"), 1); // transposition
        assert_eq!(edit_distance("vidoe", "video"), 1);
        assert_eq!(edit_distance("edtor", "editor"), 1); // deletion
        assert_eq!(edit_distance("editorr", "editor"), 1); // insertion
        assert_eq!(edit_distance("vudeo", "video"), 1); // substitution
        assert_eq!(edit_distance("restorants", "restaurants"), 2);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("abc", ""), 3);
    }

    #[test]
    fn one_edit_always_shares_a_key() {
        let typos = [
            ("viedo", "video"),
            ("edtor", "editor"),
            ("skincre", "skincare"),
            ("motoin", "motion"),
            ("desiner", "designer"),
            ("vvideo", "video"),
            ("vudeo", "video"),
        ];
        for (typo, word) in typos {
            let keys: BTreeSet<String> = lookup_keys(&strings(&[typo])).into_iter().collect();
            assert!(
                !keys.is_disjoint(&filed_under(word)),
                "{typo} shares no key with {word}"
            );
        }
    }

    #[test]
    fn misspelt_words_take_the_nearest_candidate() {
        let candidates = strings(&["video", "view", "views", "editor", "edit"]);
        assert_eq!(
            correct(&strings(&["viedo", "editor"]), &candidates),
            Some(strings(&["video", "editor"]))
        );
        // Spelled right, or nothing near: no correction at all.
        assert_eq!(correct(&strings(&["video", "editor"]), &candidates), None);
        assert_eq!(correct(&strings(&["zzzzqqq"]), &candidates), None);
        // Too short to correct.
        assert_eq!(correct(&strings(&["vd"]), &candidates), None);
    }

    #[test]
    fn ties_do_not_depend_on_the_candidates_order() {
        let words = strings(&["cat"]);
        let one = correct(&words, &strings(&["bat", "cut", "car"]));
        let other = correct(&words, &strings(&["car", "cut", "bat"]));
        assert_eq!(one, other);
        // Same first letter first, then the alphabet.
        assert_eq!(one, Some(strings(&["car"])));
    }

    #[test]
    fn keys_are_bounded() {
        let long: Vec<String> = (0..50).map(|_| "abcdefghij".repeat(3)).collect();
        let keys = lookup_keys(&long);
        // One distinct 30-character word: itself, 30 one-deletion and at
        // most 435 two-deletion spellings.
        assert!(keys.len() <= 1 + 30 + 435);
        assert!(lookup_keys(&strings(&["ab", &"x".repeat(31)])).is_empty());
    }

    proptest::proptest! {
        /// Every word one edit away from a vocabulary word shares a key
        /// with it, so the lookup never misses a single typo.
        #[test]
        fn a_single_edit_is_always_found(
            word in "[a-z]{4,12}",
            at in 0usize..12,
            letter in proptest::char::range('a', 'z'),
            kind in 0u8..4,
        ) {
            let chars: Vec<char> = word.chars().collect();
            let at = at % chars.len();
            let mut typo = chars.clone();
            match kind {
                0 => { typo.remove(at); }
                1 => typo.insert(at, letter),
                2 => typo[at] = letter,
                _ => if at + 1 < typo.len() { typo.swap(at, at + 1); },
            }
            let typo: String = typo.into_iter().collect();
            proptest::prop_assume!(correctable(&typo));
            proptest::prop_assert!(edit_distance(&typo, &word) <= 1);
            let keys: BTreeSet<String> = lookup_keys(std::slice::from_ref(&typo)).into_iter().collect();
            proptest::prop_assert!(!keys.is_disjoint(&filed_under(&word)));
        }
    }
}
