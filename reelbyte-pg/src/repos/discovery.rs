//! [`DiscoveryRepo`](reelbyte_core::store::DiscoveryRepo) over SQL.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use reelbyte_core::entities::{Favorite, GigView, ProfileView, SavedSearch};
use reelbyte_core::enums::FavoritedType;
use reelbyte_core::error::Result;
use reelbyte_core::ids::{CreatorProfileId, GigId, SavedSearchId, UserId};
use reelbyte_core::store::DiscoveryRepo;
use uuid::Uuid;

use crate::query::Arg;
use crate::{PgStore, error, spelling};

#[async_trait]
impl DiscoveryRepo for PgStore {
    async fn list_favorites_by_user_id(
        &self,
        user_id: UserId,
        kind: Option<FavoritedType>,
    ) -> Result<Vec<Favorite>> {
        match kind {
            Some(kind) => {
                self.list(
                    "WHERE t.user_id = $1 AND t.favorited_type = $2 \
                     ORDER BY t.created_at DESC, t.id DESC",
                    vec![Arg::id(user_id), Arg::text(kind.as_str())],
                )
                .await
            }
            None => {
                self.list(
                    "WHERE t.user_id = $1 ORDER BY t.created_at DESC, t.id DESC",
                    vec![Arg::id(user_id)],
                )
                .await
            }
        }
    }

    async fn get_favorite(
        &self,
        user_id: UserId,
        kind: FavoritedType,
        target: Uuid,
    ) -> Result<Option<Favorite>> {
        self.one(
            "WHERE t.user_id = $1 AND t.favorited_type = $2 AND t.favorited_id = $3",
            vec![
                Arg::id(user_id),
                Arg::text(kind.as_str()),
                Arg::Uuid(target),
            ],
        )
        .await
    }

    async fn get_saved_search_by_id(&self, id: SavedSearchId) -> Result<Option<SavedSearch>> {
        self.by_id(id).await
    }

    async fn list_saved_searches_by_user_id(&self, user_id: UserId) -> Result<Vec<SavedSearch>> {
        self.list(
            "WHERE t.user_id = $1 ORDER BY t.created_at, t.id",
            vec![Arg::id(user_id)],
        )
        .await
    }

    async fn list_alerting_saved_searches(&self) -> Result<Vec<SavedSearch>> {
        self.list(
            "WHERE t.alert_enabled = TRUE ORDER BY t.created_at, t.id",
            vec![],
        )
        .await
    }

    async fn count_gig_views(
        &self,
        id: GigId,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<u64> {
        self.count(
            "SELECT count(*) FROM gig_views WHERE gig_id = $1 AND viewed_at >= $2 AND viewed_at < $3",
            vec![Arg::id(id), Arg::Time(from), Arg::Time(to)],
        )
        .await
    }

    async fn count_profile_views(
        &self,
        id: CreatorProfileId,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<u64> {
        self.count(
            "SELECT count(*) FROM profile_views \
             WHERE creator_profile_id = $1 AND viewed_at >= $2 AND viewed_at < $3",
            vec![Arg::id(id), Arg::Time(from), Arg::Time(to)],
        )
        .await
    }

    async fn list_gig_views_by_viewer_user_id(&self, user_id: UserId) -> Result<Vec<GigView>> {
        self.list(
            "WHERE t.viewer_user_id = $1 ORDER BY t.viewed_at, t.id",
            vec![Arg::id(user_id)],
        )
        .await
    }

    async fn list_profile_views_by_viewer_user_id(
        &self,
        user_id: UserId,
    ) -> Result<Vec<ProfileView>> {
        self.list(
            "WHERE t.viewer_user_id = $1 ORDER BY t.viewed_at, t.id",
            vec![Arg::id(user_id)],
        )
        .await
    }

    async fn spelling_candidates(&self, keys: &[String]) -> Result<Vec<String>> {
        if keys.is_empty() {
            return Ok(Vec::new());
        }
        sqlx::query_scalar(spelling::LOOKUP)
            .bind(keys)
            .bind(spelling::MAX_CANDIDATES)
            .fetch_all(self.reader())
            .await
            .map_err(|e| error::map(None, e))
    }
}
