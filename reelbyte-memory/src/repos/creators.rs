//! [`CreatorRepo`] over the in-memory maps.

use std::cmp::Reverse;

use async_trait::async_trait;
use reelbyte_core::entities::{CreatorCategory, CreatorProfile, CreatorSkill, PortfolioItem};
use reelbyte_core::error::Result;
use reelbyte_core::ids::{CreatorProfileId, PortfolioItemId, UserId};
use reelbyte_core::store::{CreatorQuery, CreatorRepo, UniqueKey};

use super::{owned, sorted, unique};
use crate::MemStore;
use crate::index::{self, Idx, Parent};
use crate::query::{paginate, same_text};

#[async_trait]
impl CreatorRepo for MemStore {
    async fn get_by_id(&self, id: CreatorProfileId) -> Result<Option<CreatorProfile>> {
        Ok(self.read().get_id(id))
    }

    async fn get_by_user_id(&self, user_id: UserId) -> Result<Option<CreatorProfile>> {
        Ok(self
            .read()
            .get_unique(&UniqueKey::new(unique::CREATOR_PROFILES_USER_ID, user_id)))
    }

    async fn list_skills_by_creator_profile_id(
        &self,
        id: CreatorProfileId,
    ) -> Result<Vec<CreatorSkill>> {
        let db = self.read();
        let rows = db.children::<CreatorSkill>(Idx::SkillsByCreator, Parent::id(id));
        Ok(owned(sorted(rows, |s| {
            (s.skill_name.as_str().to_lowercase(), s.id)
        })))
    }

    async fn list_categories_by_creator_profile_id(
        &self,
        id: CreatorProfileId,
    ) -> Result<Vec<CreatorCategory>> {
        let db = self.read();
        let rows = db.children::<CreatorCategory>(Idx::CategoriesByCreator, Parent::id(id));
        Ok(owned(sorted(rows, |c| (!c.is_primary, c.created_at, c.id))))
    }

    async fn get_portfolio_item_by_id(&self, id: PortfolioItemId) -> Result<Option<PortfolioItem>> {
        Ok(self.read().get_id(id))
    }

    async fn list_portfolio_by_creator_profile_id(
        &self,
        id: CreatorProfileId,
    ) -> Result<Vec<PortfolioItem>> {
        let db = self.read();
        let rows = db.children::<PortfolioItem>(Idx::PortfolioByCreator, Parent::id(id));
        Ok(owned(sorted(rows, |p| {
            (!p.is_featured, p.display_order, p.created_at, p.id)
        })))
    }

    async fn search(&self, query: &CreatorQuery) -> Result<Vec<CreatorProfile>> {
        // Search may scan: it is not on the order path.
        let db = self.read();
        let has_skill = |id: CreatorProfileId, skill: &str| {
            db.children::<CreatorSkill>(Idx::SkillsByCreator, Parent::id(id))
                .any(|s| same_text(s.skill_name.as_str(), skill))
        };
        let has_category = |id: CreatorProfileId, category: &str| {
            db.children::<CreatorCategory>(Idx::CategoriesByCreator, Parent::id(id))
                .any(|c| same_text(c.category.as_str(), category))
        };
        let rows = db.scan::<CreatorProfile>().filter(|p| {
            query.skill.as_deref().is_none_or(|s| has_skill(p.id, s))
                && query
                    .category
                    .as_deref()
                    .is_none_or(|c| has_category(p.id, c))
                && query.min_rating.is_none_or(|min| p.average_rating >= min)
                && query
                    .availability
                    .is_none_or(|a| p.availability_status == a)
        });
        let ranked = sorted(rows, |p| (Reverse(p.average_rating), p.id));
        Ok(owned(paginate(ranked, query.page)))
    }

    async fn list_after(
        &self,
        after: Option<CreatorProfileId>,
        limit: u32,
    ) -> Result<Vec<CreatorProfile>> {
        let db = self.read();
        let every = Parent::Tag(index::EVERY);
        let rows = db.children_after(Idx::Creators, every, after.map(Into::into), limit);
        Ok(owned(rows))
    }
}
