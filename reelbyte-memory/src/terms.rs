//! The search terms of gigs and jobs, kept as their rows change: what the
//! `search_vector` column and its trigger are to the PostgreSQL store.
//!
//! Which terms a row has is the core's rule
//! ([`reelbyte_core::text_search::terms`]); stemming every word of every
//! row on each search cost about 7 µs a gig (67 ms a search over 10,000
//! gigs). Terms are interned: a row keeps the sorted ids of its terms.

use foldhash::HashMap;
use reelbyte_core::store::Record;
use reelbyte_core::text_search::{self, TextQuery};
use uuid::Uuid;

/// Every gig's and job's terms.
#[derive(Debug, Default)]
pub(crate) struct Terms {
    /// Term → its id.
    ids: HashMap<Box<str>, u32>,
    /// Id → its term.
    words: Vec<Box<str>>,
    /// Row → the sorted ids of its terms.
    rows: HashMap<Uuid, Box<[u32]>>,
}

/// The texts row `record` is searched by ([`text_search::gig_texts`],
/// [`text_search::job_texts`]); `None` for rows of other tables.
fn searchable(record: &Record) -> Option<Vec<&str>> {
    match record {
        Record::Gig(g) => Some(text_search::gig_texts(g).collect()),
        Record::Job(j) => Some(text_search::job_texts(j).collect()),
        _ => None,
    }
}

impl Terms {
    /// Moves row `id` from the terms of `old` to those of `new`; the terms
    /// are computed again only when the searchable texts changed.
    pub(crate) fn reindex(&mut self, id: Uuid, old: Option<&Record>, new: Option<&Record>) {
        let Some(texts) = new.and_then(searchable) else {
            self.rows.remove(&id);
            return;
        };
        if old.and_then(searchable).as_ref() == Some(&texts) && self.rows.contains_key(&id) {
            return;
        }
        let mut ids: Vec<u32> = text_search::terms(texts)
            .into_iter()
            .map(|term| self.intern(term))
            .collect();
        ids.sort_unstable();
        self.rows.insert(id, ids.into_boxed_slice());
    }

    fn intern(&mut self, term: String) -> u32 {
        if let Some(id) = self.ids.get(term.as_str()) {
            return *id;
        }
        // More than four billion distinct terms would exhaust memory first.
        let id = u32::try_from(self.words.len()).unwrap_or(u32::MAX);
        let term: Box<str> = term.into_boxed_str();
        self.words.push(term.clone());
        self.ids.insert(term, id);
        id
    }

    /// What `query` needs to test rows: the ids of its stems and of the
    /// terms each of its prefixes begins.
    pub(crate) fn lookup(&self, query: TextQuery) -> Lookup {
        let prefixed = query
            .prefixes()
            .iter()
            .map(|prefix| {
                let mut ids: Vec<u32> = self
                    .words
                    .iter()
                    .zip(0u32..)
                    .filter(|(word, _)| word.starts_with(prefix.as_str()))
                    .map(|(_, id)| id)
                    .collect();
                ids.sort_unstable();
                (prefix.clone(), ids)
            })
            .collect();
        let stems = query
            .stems()
            .iter()
            .map(|stem| (stem.clone(), self.ids.get(stem.as_str()).copied()))
            .collect();
        Lookup {
            query,
            stems,
            prefixed,
        }
    }

    /// Whether row `id` matches.
    pub(crate) fn matches(&self, lookup: &Lookup, id: Uuid) -> bool {
        let terms = self.rows.get(&id).map_or(&[][..], |t| &t[..]);
        lookup.query.matches_terms(
            |stem| {
                lookup
                    .stems
                    .get(stem)
                    .copied()
                    .flatten()
                    .is_some_and(|t| terms.binary_search(&t).is_ok())
            },
            |prefix| {
                lookup
                    .prefixed
                    .get(prefix)
                    .is_some_and(|ids| terms.iter().any(|t| ids.binary_search(t).is_ok()))
            },
        )
    }
}

/// A query resolved against the interned terms (see [`Terms::lookup`]).
#[derive(Debug)]
pub(crate) struct Lookup {
    query: TextQuery,
    /// Stem → its term id, `None` when no row has it.
    stems: HashMap<String, Option<u32>>,
    /// Prefix → the sorted ids of the terms it begins.
    prefixed: HashMap<String, Vec<u32>>,
}

#[cfg(test)]
impl Terms {
    /// Checks that every gig and job of `records`, and nothing else, has
    /// exactly the core's terms of its texts.
    pub(crate) fn assert_consistent<'a>(&self, records: impl Iterator<Item = &'a Record>) {
        let mut searchable_rows = 0;
        for record in records {
            let Some(texts) = searchable(record) else {
                continue;
            };
            searchable_rows += 1;
            let id = match record.row_key() {
                reelbyte_core::store::RowKey::Id(id) => id,
                other => panic!("a gig or job keyed by {other:?}"),
            };
            let kept: std::collections::BTreeSet<String> = self.rows[&id]
                .iter()
                .map(|t| self.words[*t as usize].to_string())
                .collect();
            assert_eq!(kept, text_search::terms(texts), "terms of {id}");
        }
        assert_eq!(self.rows.len(), searchable_rows, "terms of deleted rows");
    }
}
