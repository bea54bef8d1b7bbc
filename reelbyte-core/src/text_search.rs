//! Which rows a free-text search finds: the rule behind
//! [`GigRepo::search`](crate::store::GigRepo::search) and
//! [`JobRepo::search`](crate::store::JobRepo::search) on every store.
//!
//! A row's searchable text (a gig's title, description and search tags; a
//! job's title, description and required skills) becomes its *terms*: its
//! lowercase words of letters and digits, English stop words left out, each
//! reduced to its Snowball English (Porter 2) stem unless it holds a digit.
//! A query finds the row when either
//!
//! - every query word that is not a stop word has its stem among the terms,
//!   and there is at least one such word (`editors` finds "Video editor"), or
//! - every query word, its letters and digits only, begins some term (`vid`
//!   finds "Video editor"; `edit` does not find "Credit union").
//!
//! This is what PostgreSQL answers with its `english` configuration:
//! `search_vector @@ (plainto_tsquery('english', q) || to_tsquery('simple',
//! 'w1:* & w2:*'))` over the vectors of migration 0010, given the query's
//! [`TextQuery::words`] rather than its raw text: PostgreSQL's parser keeps a
//! hyphenated query word whole (`e-commerce` would then need the compound
//! in the row), where this rule splits it. The known difference left is in
//! the rows: PostgreSQL files an email address or a URL as one token, so
//! `studio` finds "studio@example.com" here and not there.
//!
//! ```
//! use reelbyte_core::text_search::TextQuery;
//!
//! let query = TextQuery::parse("the editors").expect("has words");
//! assert!(query.matches(["Video editor for reels", ""]));
//! assert!(!query.matches(["Credit union explainer", ""]));
//! assert!(TextQuery::parse("vid").expect("a word").matches(["Video editor"]));
//! assert!(!TextQuery::parse("edit").expect("a word").matches(["Credit union"]));
//! ```

use std::collections::BTreeSet;

use rust_stemmers::{Algorithm, Stemmer};

use crate::entities::{Gig, Job};

/// The English stop words of PostgreSQL's `english` configuration (the
/// Snowball list): words too common to search by.
const STOP_WORDS: [&str; 127] = [
    "a",
    "about",
    "above",
    "after",
    "again",
    "against",
    "all",
    "am",
    "an",
    "and",
    "any",
    "are",
    "as",
    "at",
    "be",
    "because",
    "been",
    "before",
    "being",
    "below",
    "between",
    "both",
    "but",
    "by",
    "can",
    "did",
    "do",
    "does",
    "doing",
    "don",
    "down",
    "during",
    "each",
    "few",
    "for",
    "from",
    "further",
    "had",
    "has",
    "have",
    "having",
    "he",
    "her",
    "here",
    "hers",
    "herself",
    "him",
    "himself",
    "his",
    "how",
    "i",
    "if",
    "in",
    "into",
    "is",
    "it",
    "its",
    "itself",
    "just",
    "me",
    "more",
    "most",
    "my",
    "myself",
    "no",
    "nor",
    "not",
    "now",
    "of",
    "off",
    "on",
    "once",
    "only",
    "or",
    "other",
    "our",
    "ours",
    "ourselves",
    "out",
    "over",
    "own",
    "s",
    "same",
    "she",
    "should",
    "so",
    "some",
    "such",
    "t",
    "than",
    "that",
    "the",
    "their",
    "theirs",
    "them",
    "themselves",
    "then",
    "there",
    "these",
    "they",
    "this",
    "those",
    "through",
    "to",
    "too",
    "under",
    "until",
    "up",
    "very",
    "was",
    "we",
    "were",
    "what",
    "when",
    "where",
    "which",
    "while",
    "who",
    "whom",
    "why",
    "will",
    "with",
    "you",
    "your",
    "yours",
    "yourself",
    "yourselves",
];

fn is_stop_word(word: &str) -> bool {
    STOP_WORDS.binary_search(&word).is_ok()
}

/// The lowercase runs of letters and digits of `text`.
fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
}

/// The term a word of a row or a query stands for: its stem, or the word
/// itself when it holds a digit (PostgreSQL files such words through its
/// `simple` dictionary, unstemmed).
fn term(stemmer: &Stemmer, word: &str) -> String {
    if word.chars().any(|c| c.is_numeric()) {
        word.to_string()
    } else {
        stemmer.stem(word).into_owned()
    }
}

/// A parsed free-text query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextQuery {
    /// The words that are not stop words.
    words: Vec<String>,
    /// Their stems.
    stems: Vec<String>,
    /// Every word, letters and digits only, as a term prefix.
    prefixes: Vec<String>,
}

impl TextQuery {
    /// The query of `text`, or `None` when it has no word to search by.
    pub fn parse(text: &str) -> Option<Self> {
        let stemmer = Stemmer::create(Algorithm::English);
        let words: Vec<String> = words(text).filter(|w| !is_stop_word(w)).collect();
        let stems = words.iter().map(|w| term(&stemmer, w)).collect();
        let prefixes: Vec<String> = text
            .split_whitespace()
            .map(|w| {
                w.chars()
                    .filter(|c| c.is_alphanumeric())
                    .collect::<String>()
                    .to_lowercase()
            })
            .filter(|w| !w.is_empty())
            .collect();
        (!prefixes.is_empty()).then_some(Self {
            words,
            stems,
            prefixes,
        })
    }

    /// The query's words as term prefixes: each whitespace-separated word,
    /// lowercase, with everything but letters and digits removed (never
    /// empty). The PostgreSQL store sends them as its `simple` prefix query.
    pub fn prefixes(&self) -> &[String] {
        &self.prefixes
    }

    /// The words the stems come from: the query's lowercase runs of letters
    /// and digits, stop words left out, in order (`e-commerce` is `e` and
    /// `commerce`). The PostgreSQL store sends them, joined by spaces, as
    /// its `english` query, so that it splits words where this rule does.
    pub fn words(&self) -> &[String] {
        &self.words
    }

    /// The stems the query looks for (its words that are not stop words);
    /// empty when every word is a stop word.
    pub fn stems(&self) -> &[String] {
        &self.stems
    }

    /// Whether a row whose searchable texts are `texts` matches.
    pub fn matches<'a>(&self, texts: impl IntoIterator<Item = &'a str>) -> bool {
        let terms = terms(texts);
        self.matches_terms(
            |stem| terms.contains(stem),
            |prefix| terms.iter().any(|t| t.starts_with(prefix)),
        )
    }

    /// Whether a row matches, for a store that keeps each row's [`terms`]
    /// in a structure of its own: `has_term(stem)` says whether the row has
    /// that term, `has_term_starting_with(prefix)` whether one of its terms
    /// begins with `prefix`.
    pub fn matches_terms(
        &self,
        has_term: impl Fn(&str) -> bool,
        has_term_starting_with: impl Fn(&str) -> bool,
    ) -> bool {
        let stemmed = !self.stems.is_empty() && self.stems.iter().all(|s| has_term(s));
        stemmed || self.prefixes.iter().all(|p| has_term_starting_with(p))
    }
}

/// The texts a gig is searched by: its title, description and search tags
/// (the `search_vector` of migration 0010).
pub fn gig_texts(gig: &Gig) -> impl Iterator<Item = &str> {
    [gig.title.as_str(), gig.description.as_str()]
        .into_iter()
        .chain(gig.search_tags.iter().flatten().map(String::as_str))
}

/// The texts a job is searched by: its title, description and required
/// skills (the `search_vector` of migration 0010).
pub fn job_texts(job: &Job) -> impl Iterator<Item = &str> {
    [job.title.as_str(), job.description.as_str()]
        .into_iter()
        .chain(job.required_skills.iter().flatten().map(String::as_str))
}

/// The terms of a row whose searchable texts are `texts`.
pub fn terms<'a>(texts: impl IntoIterator<Item = &'a str>) -> BTreeSet<String> {
    let stemmer = Stemmer::create(Algorithm::English);
    texts
        .into_iter()
        .flat_map(words)
        .filter(|w| !is_stop_word(w))
        .map(|w| term(&stemmer, &w))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finds(query: &str, text: &str) -> bool {
        TextQuery::parse(query).is_some_and(|q| q.matches([text]))
    }

    #[test]
    fn stop_words_are_sorted_for_the_lookup() {
        assert!(STOP_WORDS.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn words_match_by_stem() {
        assert!(finds("editors", "Video editor for reels"));
        assert!(finds("EDITING", "We edit your footage"));
        assert!(finds("the reels", "Product reel"));
    }

    #[test]
    fn words_match_as_the_start_of_a_term() {
        assert!(finds("vid edi", "Video editor"));
        assert!(!finds("edit", "Credit union explainer"));
        assert!(!finds("deo", "Video"));
    }

    #[test]
    fn every_word_must_match_the_same_way() {
        // "editors" matches by stem only, "vid" as a prefix only.
        assert!(!finds("editors vid", "Video editor"));
        assert!(finds("editor vid", "Video editor"));
    }

    #[test]
    fn stop_words_alone_match_as_prefixes_only() {
        assert!(finds("the", "Theme park reel"));
        assert!(!finds("the", "A reel"));
    }

    #[test]
    fn words_with_digits_are_not_stemmed() {
        assert!(finds("4k", "Edited in 4K"));
        assert!(!finds("4ks", "Edited in 4K"));
    }

    #[test]
    fn a_query_without_words_is_none() {
        assert_eq!(TextQuery::parse("  -- "), None);
        assert_eq!(TextQuery::parse(""), None);
    }
}
