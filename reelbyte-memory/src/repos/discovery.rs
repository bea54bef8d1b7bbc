//! [`DiscoveryRepo`] over the in-memory maps.

use std::cmp::Reverse;
use std::collections::BTreeSet;
use std::iter::once;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use reelbyte_core::entities::{Favorite, Gig, GigView, Job, ProfileView, SavedSearch};
use reelbyte_core::enums::FavoritedType;
use reelbyte_core::error::Result;
use reelbyte_core::ids::{CreatorProfileId, GigId, SavedSearchId, UserId};
use reelbyte_core::spelling;
use reelbyte_core::store::DiscoveryRepo;
use uuid::Uuid;

use super::{owned, sorted};
use crate::MemStore;
use crate::index::{Idx, Parent};

/// Whether `at` lies in `[from, to)`.
fn within(at: DateTime<Utc>, from: DateTime<Utc>, to: DateTime<Utc>) -> bool {
    from <= at && at < to
}

#[async_trait]
impl DiscoveryRepo for MemStore {
    async fn list_favorites_by_user_id(
        &self,
        user_id: UserId,
        kind: Option<FavoritedType>,
    ) -> Result<Vec<Favorite>> {
        let db = self.read();
        let rows = db
            .children::<Favorite>(Idx::FavoritesByUser, Parent::id(user_id))
            .filter(|f| kind.is_none_or(|k| f.favorited_type == k));
        Ok(owned(sorted(rows, |f| Reverse((f.created_at, f.id)))))
    }

    async fn get_favorite(
        &self,
        user_id: UserId,
        kind: FavoritedType,
        target: Uuid,
    ) -> Result<Option<Favorite>> {
        let db = self.read();
        let found = db
            .children::<Favorite>(Idx::FavoritesByUser, Parent::id(user_id))
            .find(|f| f.favorited_type == kind && f.favorited_id == target)
            .cloned();
        Ok(found)
    }

    async fn get_saved_search_by_id(&self, id: SavedSearchId) -> Result<Option<SavedSearch>> {
        Ok(self.read().get_id(id))
    }

    async fn list_saved_searches_by_user_id(&self, user_id: UserId) -> Result<Vec<SavedSearch>> {
        let db = self.read();
        let rows = db.children::<SavedSearch>(Idx::SavedSearchesByUser, Parent::id(user_id));
        Ok(owned(sorted(rows, |s| (s.created_at, s.id))))
    }

    async fn list_alerting_saved_searches(&self) -> Result<Vec<SavedSearch>> {
        // A periodic job: a scan is fine here.
        let db = self.read();
        let rows = db.scan::<SavedSearch>().filter(|s| s.alert_enabled);
        Ok(owned(sorted(rows, |s| (s.created_at, s.id))))
    }

    async fn count_gig_views(
        &self,
        id: GigId,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<u64> {
        let db = self.read();
        let views = db
            .children::<GigView>(Idx::GigViewsByGig, Parent::id(id))
            .filter(|v| within(v.viewed_at, from, to))
            .count();
        Ok(views as u64)
    }

    async fn count_profile_views(
        &self,
        id: CreatorProfileId,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<u64> {
        let db = self.read();
        let views = db
            .children::<ProfileView>(Idx::ProfileViewsByProfile, Parent::id(id))
            .filter(|v| within(v.viewed_at, from, to))
            .count();
        Ok(views as u64)
    }

    async fn list_gig_views_by_viewer_user_id(&self, user_id: UserId) -> Result<Vec<GigView>> {
        let db = self.read();
        let rows = db.children::<GigView>(Idx::GigViewsByViewer, Parent::id(user_id));
        Ok(owned(sorted(rows, |v| (v.viewed_at, v.id))))
    }

    async fn list_profile_views_by_viewer_user_id(
        &self,
        user_id: UserId,
    ) -> Result<Vec<ProfileView>> {
        let db = self.read();
        let rows = db.children::<ProfileView>(Idx::ProfileViewsByViewer, Parent::id(user_id));
        Ok(owned(sorted(rows, |v| (v.viewed_at, v.id))))
    }

    async fn spelling_candidates(&self, keys: &[String]) -> Result<Vec<String>> {
        // The vocabulary is read from the rows: every gig and job, whatever
        // its status, as PostgreSQL's `search_words` learns them.
        let keys: BTreeSet<String> = keys.iter().cloned().collect();
        let db = self.read();
        let gigs = db.scan::<Gig>().flat_map(|g| {
            once(g.title.as_str()).chain(g.search_tags.iter().flatten().map(String::as_str))
        });
        let jobs = db.scan::<Job>().flat_map(|j| {
            once(j.title.as_str()).chain(j.required_skills.iter().flatten().map(String::as_str))
        });
        Ok(spelling::candidates(&keys, gigs.chain(jobs)))
    }
}
