//! [`GigRepo`] over the in-memory maps.

use std::cmp::{Ordering, Reverse};

use async_trait::async_trait;
use reelbyte_core::entities::Gig;
use reelbyte_core::enums::GigStatus;
use reelbyte_core::error::Result;
use reelbyte_core::ids::{CreatorProfileId, GigId};
use reelbyte_core::store::{GigQuery, GigRepo, UniqueKey};

use super::{owned, sorted, unique};
use crate::MemStore;
use crate::index::{Idx, Parent};
use crate::query::{Words, compare, paginate, same_text};

/// Whether `gig` passes the filters of `query` other than text. Prices
/// match only in the filter's currency.
fn matches(gig: &Gig, query: &GigQuery) -> bool {
    let price = gig.basic_price;
    query
        .category
        .as_deref()
        .is_none_or(|c| same_text(gig.category.as_str(), c))
        && query
            .min_price
            .is_none_or(|min| compare(&price, &min).is_some_and(Ordering::is_ge))
        && query
            .max_price
            .is_none_or(|max| compare(&price, &max).is_some_and(Ordering::is_le))
        && query
            .max_delivery_days
            .is_none_or(|days| gig.basic_delivery_days <= days)
}

#[async_trait]
impl GigRepo for MemStore {
    async fn get_by_id(&self, id: GigId) -> Result<Option<Gig>> {
        Ok(self.read().get_id(id))
    }

    async fn get_by_slug(&self, slug: &str) -> Result<Option<Gig>> {
        Ok(self
            .read()
            .get_unique(&UniqueKey::new(unique::GIGS_SLUG, slug)))
    }

    async fn list_by_creator_profile_id(&self, id: CreatorProfileId) -> Result<Vec<Gig>> {
        let db = self.read();
        let rows = db
            .children::<Gig>(Idx::GigsByCreator, Parent::id(id))
            .filter(|g| g.status != GigStatus::Deleted);
        Ok(owned(sorted(rows, |g| Reverse((g.created_at, g.id)))))
    }

    async fn search(&self, query: &GigQuery) -> Result<Vec<Gig>> {
        let db = self.read();
        let words = Words::parse(query.text.as_deref(), db.terms());
        let active = Parent::Tag(GigStatus::Active.as_str());
        let mut hits: Vec<_> = db
            .children::<Gig>(Idx::GigsByStatus, active)
            .filter(|g| matches(g, query))
            .filter_map(|g| match &words {
                None => Some((None, g)),
                Some(words) => {
                    let relevance = words.score(
                        db.terms(),
                        g.id.as_uuid(),
                        g.title.as_str(),
                        &g.description,
                    )?;
                    Some((Some(relevance), g))
                }
            })
            .collect();
        // Most relevant first (all equal without text), then newest published.
        hits.sort_by_key(|(relevance, g)| {
            (
                Reverse(*relevance),
                Reverse((g.published_at, g.created_at, g.id)),
            )
        });
        Ok(paginate(hits, query.page)
            .into_iter()
            .map(|(_, g)| g.clone())
            .collect())
    }
}
