//! [`GigRepo`](reelbyte_core::store::GigRepo) over SQL.

use async_trait::async_trait;
use reelbyte_core::entities::Gig;
use reelbyte_core::error::Result;
use reelbyte_core::ids::{CreatorProfileId, GigId};
use reelbyte_core::store::{GigQuery, GigRepo};

use crate::PgStore;
use crate::query::Arg;

#[async_trait]
impl GigRepo for PgStore {
    async fn get_by_id(&self, id: GigId) -> Result<Option<Gig>> {
        self.by_id(id).await
    }

    async fn get_by_ids(&self, ids: &[GigId]) -> Result<Vec<Gig>> {
        self.by_ids(ids.iter().copied()).await
    }

    async fn get_by_slug(&self, slug: &str) -> Result<Option<Gig>> {
        self.one("WHERE t.slug = $1", vec![Arg::text(slug)]).await
    }

    async fn list_by_creator_profile_id(&self, id: CreatorProfileId) -> Result<Vec<Gig>> {
        self.list(
            "WHERE t.creator_profile_id = $1 AND t.status <> 'deleted' \
             ORDER BY t.created_at DESC, t.id DESC",
            vec![Arg::id(id)],
        )
        .await
    }

    async fn search(&self, query: &GigQuery) -> Result<Vec<Gig>> {
        self.search_gigs(query).await
    }
}
