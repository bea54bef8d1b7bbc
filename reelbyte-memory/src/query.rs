//! Small helpers shared by the repositories: paging and text matching.

use std::cmp::Ordering;

use reelbyte_core::Money;
use reelbyte_core::store::Page;
use reelbyte_core::text_search::TextQuery;
use uuid::Uuid;

use crate::terms::{Lookup, Terms};

/// The items of `page` from an already ordered sequence.
pub(crate) fn paginate<T>(items: impl IntoIterator<Item = T>, page: Page) -> Vec<T> {
    // `Page`'s fields are public, so the bound of `Page::new` is applied again.
    let limit = page.limit.min(Page::MAX_LIMIT);
    items
        .into_iter()
        .skip(page.offset as usize)
        .take(limit as usize)
        .collect()
}

/// The first `limit` items of an already ordered sequence.
pub(crate) fn first<T>(items: impl IntoIterator<Item = T>, limit: u32) -> Vec<T> {
    items.into_iter().take(limit as usize).collect()
}

/// Compares two amounts, or `None` when their currencies differ (filters on
/// price and budget only match amounts in the query's currency).
pub(crate) fn compare(a: &Money, b: &Money) -> Option<Ordering> {
    a.checked_cmp(b).ok()
}

/// A free-text query: which rows it finds is
/// [`reelbyte_core::text_search`]'s rule, answered from the store's
/// [`Terms`]; how they rank, the number of its words in the title and in the
/// description, as the PostgreSQL store ranks.
#[derive(Debug)]
pub(crate) struct Words {
    /// `None` when the text has words but none of letters or digits: it
    /// finds nothing, as in PostgreSQL.
    lookup: Option<Lookup>,
    /// The lowercase whitespace-separated words, for the ranking.
    words: Vec<String>,
}

/// How well a row matched a [`Words`] query: more words in the title first,
/// then more words in the description. Higher is better.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Relevance {
    /// Query words found in the title.
    pub(crate) title: usize,
    /// Query words found in the description.
    pub(crate) description: usize,
}

impl Words {
    /// The words of `text` resolved against `terms`, or `None` when it has
    /// none (no text filter).
    pub(crate) fn parse(text: Option<&str>, terms: &Terms) -> Option<Self> {
        let text = text?;
        let words: Vec<String> = text.split_whitespace().map(str::to_lowercase).collect();
        (!words.is_empty()).then(|| Self {
            lookup: TextQuery::parse(text).map(|query| terms.lookup(query)),
            words,
        })
    }

    /// How well row `id` (a gig or a job, its `title` and `description`)
    /// matches, or `None` when it is not found. Words count towards the
    /// ranking where they appear as substrings, case-insensitively (`strpos`
    /// in the PostgreSQL store).
    pub(crate) fn score(
        &self,
        terms: &Terms,
        id: Uuid,
        title: &str,
        description: &str,
    ) -> Option<Relevance> {
        if !terms.matches(self.lookup.as_ref()?, id) {
            return None;
        }
        let title = title.to_lowercase();
        let description = description.to_lowercase();
        let count = |text: &str| {
            self.words
                .iter()
                .filter(|w| text.contains(w.as_str()))
                .count()
        };
        Some(Relevance {
            title: count(&title),
            description: count(&description),
        })
    }
}

/// Case-insensitive equality.
pub(crate) fn same_text(a: &str, b: &str) -> bool {
    a.to_lowercase() == b.to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_without_letters_or_digits_find_nothing() {
        let terms = Terms::default();
        let words = Words::parse(Some("-- !"), &terms).expect("a text filter");
        assert_eq!(words.score(&terms, Uuid::nil(), "-- ! reel", ""), None);
        assert!(Words::parse(Some("   "), &terms).is_none());
        assert!(Words::parse(None, &terms).is_none());
    }

    #[test]
    fn pages_are_bounded() {
        let page = Page {
            limit: 1_000,
            offset: 2,
        };
        assert_eq!(paginate(0..500, page).len(), 100);
        assert_eq!(paginate(0..5, Page::new(2, 2)), vec![2, 3]);
        assert!(same_text("Beauty", "bEAUTY"));
    }
}
