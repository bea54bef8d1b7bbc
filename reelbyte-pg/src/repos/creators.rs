//! [`CreatorRepo`](reelbyte_core::store::CreatorRepo) over SQL.

use async_trait::async_trait;
use reelbyte_core::entities::{CreatorCategory, CreatorProfile, CreatorSkill, PortfolioItem};
use reelbyte_core::error::Result;
use reelbyte_core::ids::{CreatorProfileId, PortfolioItemId, UserId};
use reelbyte_core::store::{CreatorQuery, CreatorRepo};

use crate::PgStore;
use crate::query::Arg;

#[async_trait]
impl CreatorRepo for PgStore {
    async fn get_by_id(&self, id: CreatorProfileId) -> Result<Option<CreatorProfile>> {
        self.by_id(id).await
    }

    async fn get_by_ids(&self, ids: &[CreatorProfileId]) -> Result<Vec<CreatorProfile>> {
        self.by_ids(ids.iter().copied()).await
    }

    async fn get_by_user_id(&self, user_id: UserId) -> Result<Option<CreatorProfile>> {
        self.one("WHERE t.user_id = $1", vec![Arg::id(user_id)])
            .await
    }

    async fn list_skills_by_creator_profile_id(
        &self,
        id: CreatorProfileId,
    ) -> Result<Vec<CreatorSkill>> {
        self.list(
            concat!("WHERE t.creator_profile_id = $1 ORDER BY ", skills_order!()),
            vec![Arg::id(id)],
        )
        .await
    }

    async fn list_categories_by_creator_profile_id(
        &self,
        id: CreatorProfileId,
    ) -> Result<Vec<CreatorCategory>> {
        self.list(
            concat!(
                "WHERE t.creator_profile_id = $1 ORDER BY ",
                categories_order!()
            ),
            vec![Arg::id(id)],
        )
        .await
    }

    async fn get_portfolio_item_by_id(&self, id: PortfolioItemId) -> Result<Option<PortfolioItem>> {
        self.by_id(id).await
    }

    async fn list_portfolio_by_creator_profile_id(
        &self,
        id: CreatorProfileId,
    ) -> Result<Vec<PortfolioItem>> {
        self.list(
            concat!(
                "WHERE t.creator_profile_id = $1 ORDER BY ",
                portfolio_order!()
            ),
            vec![Arg::id(id)],
        )
        .await
    }

    async fn search(&self, query: &CreatorQuery) -> Result<Vec<CreatorProfile>> {
        self.search_creators(query).await
    }

    async fn list_after(
        &self,
        after: Option<CreatorProfileId>,
        limit: u32,
    ) -> Result<Vec<CreatorProfile>> {
        self.by_id_after("", after.map(Into::into), limit).await
    }
}
