//! Small helpers shared by the repositories: paging and text matching.

use std::cmp::Ordering;

use reelbyte_core::Money;
use reelbyte_core::store::Page;
use reelbyte_core::text_search::TextQuery;

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
/// [`reelbyte_core::text_search`]'s rule; how they rank, the number of its
/// words in the title and in the description, as the PostgreSQL store ranks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Words {
    /// `None` when the text has words but none of letters or digits: it
    /// finds nothing, as in PostgreSQL.
    query: Option<TextQuery>,
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
    /// The words of `text`, or `None` when it has none (no text filter).
    pub(crate) fn parse(text: Option<&str>) -> Option<Self> {
        let text = text?;
        let words: Vec<String> = text.split_whitespace().map(str::to_lowercase).collect();
        (!words.is_empty()).then(|| Self {
            query: TextQuery::parse(text),
            words,
        })
    }

    /// How well `title`, `description` and `tags` (a gig's search tags, a
    /// job's required skills) match, or `None` when the row is not found.
    /// Words count towards the ranking where they appear as substrings,
    /// case-insensitively (`strpos` in the PostgreSQL store).
    pub(crate) fn score(
        &self,
        title: &str,
        description: &str,
        tags: &[String],
    ) -> Option<Relevance> {
        let texts = [title, description]
            .into_iter()
            .chain(tags.iter().map(String::as_str));
        if !self.query.as_ref()?.matches(texts) {
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
    fn every_word_must_appear_somewhere() {
        let words = Words::parse(Some("  Reel EDIT ")).expect("two words");
        let tags = vec!["Editing".to_string()];
        assert_eq!(
            words.score("Product reels", "Fast", &tags),
            Some(Relevance {
                title: 1,
                description: 0
            })
        );
        assert_eq!(words.score("Product reels", "Fast", &[]), None);
        assert_eq!(Words::parse(Some("   ")), None);
        assert_eq!(Words::parse(None), None);
    }

    #[test]
    fn text_without_letters_or_digits_finds_nothing() {
        let words = Words::parse(Some("-- !")).expect("a text filter");
        assert_eq!(words.score("-- ! reel", "", &[]), None);
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
