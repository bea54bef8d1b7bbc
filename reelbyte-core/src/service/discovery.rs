//! Discovery and analytics: creator search, favorites, saved searches with
//! alerts, and view records with counts over a time range.

use std::collections::HashSet;

use chrono::{DateTime, Duration, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::entities::{CreatorProfile, Favorite, ProfileView, SavedSearch};
use crate::enums::{AlertFrequency, FavoritedType, GigStatus, SearchType};
use crate::error::{Error, Result};
use crate::ids::{CreatorProfileId, FavoriteId, GigId, JobId, ProfileViewId, SavedSearchId};
use crate::service::gigs::{check_page, query_category};
use crate::service::notifications::{Notice, NotificationKind};
use crate::service::{Ctx, Marketplace, command};
use crate::store::{ChangeSet, Counter, CreatorQuery, GigQuery, JobQuery, Page};
use crate::value::Text;

/// The most saved searches one user keeps.
pub const MAX_SAVED_SEARCHES: usize = 50;
/// The longest referrer or user agent recorded with a view.
pub const MAX_VIEW_HEADER_CHARS: usize = 1_000;
/// The notification type of a saved-search alert.
const MATCH: NotificationKind = NotificationKind::SavedSearchMatch;

/// A search to save.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SaveSearchInput {
    /// A name for the search.
    pub name: Text<100>,
    /// What is searched.
    pub search_type: SearchType,
    /// The query: a [`GigQuery`], [`JobQuery`] or [`CreatorQuery`] as JSON,
    /// according to `search_type`.
    pub search_params: serde_json::Value,
    /// Whether new matches raise alerts.
    #[serde(default)]
    pub alert_enabled: bool,
    /// How often alerts are evaluated; required when alerts are on.
    #[serde(default)]
    pub alert_frequency: Option<AlertFrequency>,
}

/// Changes to a saved search; `None` keeps a field.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UpdateSavedSearchInput {
    /// A new name.
    pub name: Option<Text<100>>,
    /// Alerts on or off.
    pub alert_enabled: Option<bool>,
    /// A new frequency.
    pub alert_frequency: Option<AlertFrequency>,
}

/// A parsed saved query.
#[derive(Debug, Clone, PartialEq)]
enum SavedQuery {
    Gigs(GigQuery),
    Jobs(JobQuery),
    Creators(CreatorQuery),
}

fn parse_query(kind: SearchType, params: &serde_json::Value) -> Result<SavedQuery> {
    fn decode<T: serde::de::DeserializeOwned>(params: &serde_json::Value) -> Result<T> {
        serde_json::from_value(params.clone()).map_err(|e| Error::validation("search_params", e))
    }
    Ok(match kind {
        SearchType::Gigs => SavedQuery::Gigs(decode(params)?),
        SearchType::Jobs => SavedQuery::Jobs(decode(params)?),
        SearchType::Creators => SavedQuery::Creators(decode(params)?),
    })
}

fn check_alert(enabled: bool, frequency: Option<AlertFrequency>) -> Result<()> {
    if enabled && frequency.is_none() {
        return Err(Error::validation(
            "alert_frequency",
            "required when alerts are enabled",
        ));
    }
    Ok(())
}

pub(crate) fn view_header(field: &'static str, value: Option<&str>) -> Result<Option<String>> {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(v) if v.chars().count() > MAX_VIEW_HEADER_CHARS => Err(Error::validation(
            field,
            format!("must have at most {MAX_VIEW_HEADER_CHARS} characters"),
        )),
        Some(v) => Ok(Some(v.to_string())),
    }
}

/// The period between evaluations of a saved search's alerts.
fn alert_period(frequency: AlertFrequency) -> Duration {
    match frequency {
        AlertFrequency::Immediate => Duration::zero(),
        AlertFrequency::Daily => Duration::days(1),
        AlertFrequency::Weekly => Duration::weeks(1),
    }
}

impl Marketplace {
    /// Finds creators by skill, category, minimum rating and availability,
    /// best rated first.
    pub async fn find_creators(&self, query: &CreatorQuery) -> Result<Vec<CreatorProfile>> {
        check_page(&query.page)?;
        if let Some(rating) = query.min_rating
            && (rating < Decimal::ZERO || rating > Decimal::from(5))
        {
            return Err(Error::validation("min_rating", "must be 0 to 5"));
        }
        let query = CreatorQuery {
            skill: query_category(query.skill.as_deref())?,
            category: query_category(query.category.as_deref())?,
            ..query.clone()
        };
        self.store().creators().search(&query).await
    }

    /// Whether the favorite's target exists and may be favorited.
    async fn favorite_target_exists(&self, kind: FavoritedType, target: Uuid) -> Result<bool> {
        Ok(match kind {
            FavoritedType::Gig => self
                .store()
                .gigs()
                .get_by_id(GigId::from_uuid(target))
                .await?
                .is_some_and(|g| g.status == GigStatus::Active),
            FavoritedType::Creator => self
                .store()
                .creators()
                .get_by_id(CreatorProfileId::from_uuid(target))
                .await?
                .is_some(),
            FavoritedType::Job => self
                .store()
                .jobs()
                .get_by_id(JobId::from_uuid(target))
                .await?
                .is_some(),
        })
    }

    /// Adds a gig, creator or job to the actor's favorites (once per
    /// target); a gig's favorite count goes up in the same step.
    pub async fn add_favorite(
        &self,
        ctx: &Ctx,
        kind: FavoritedType,
        target: Uuid,
    ) -> Result<Favorite> {
        command!(self, async {
            let user = self.acting_user(ctx).await?;
            if !self.favorite_target_exists(kind, target).await? {
                return Err(Error::not_found(kind.as_str()));
            }
            if self
                .store()
                .discovery()
                .get_favorite(user.id, kind, target)
                .await?
                .is_some()
            {
                return Err(Error::AlreadyExists {
                    entity: "favorite",
                    key: "user_id, favorited_type, favorited_id".into(),
                });
            }
            let favorite = Favorite {
                id: FavoriteId::new(),
                user_id: user.id,
                favorited_type: kind,
                favorited_id: target,
                created_at: self.now(),
            };
            let mut changes = ChangeSet::new();
            changes.insert(favorite.clone());
            changes.insert(self.audit(
                ctx,
                "favorite",
                favorite.id.as_uuid(),
                "create",
                None::<&()>,
                Some(&favorite),
            )?);
            if kind == FavoritedType::Gig {
                changes.count(Counter::GigFavorites(GigId::from_uuid(target)), 1);
            }
            Ok((changes, favorite))
        })
    }

    /// Removes a favorite of the actor.
    pub async fn remove_favorite(
        &self,
        ctx: &Ctx,
        kind: FavoritedType,
        target: Uuid,
    ) -> Result<()> {
        command!(self, async {
            let user = self.acting_user(ctx).await?;
            let favorite = self
                .store()
                .discovery()
                .get_favorite(user.id, kind, target)
                .await?
                .ok_or(Error::not_found("favorite"))?;
            let mut changes = ChangeSet::new();
            // Remembered so that the favorites sets find whose favorite left
            // (`realtime::favorites::favorite_changes`).
            changes.remember(&favorite);
            changes.delete(&favorite);
            changes.insert(self.audit(
                ctx,
                "favorite",
                favorite.id.as_uuid(),
                "delete",
                Some(&favorite),
                None::<&()>,
            )?);
            if kind == FavoritedType::Gig
                && self
                    .store()
                    .gigs()
                    .get_by_id(GigId::from_uuid(target))
                    .await?
                    .is_some()
            {
                changes.count(Counter::GigFavorites(GigId::from_uuid(target)), -1);
            }
            Ok((changes, ()))
        })
    }

    /// The actor's favorites, of one kind or all, newest first.
    pub async fn list_favorites(
        &self,
        ctx: &Ctx,
        kind: Option<FavoritedType>,
    ) -> Result<Vec<Favorite>> {
        let user = self.acting_user(ctx).await?;
        self.store()
            .discovery()
            .list_favorites_by_user_id(user.id, kind)
            .await
    }

    /// Saves a search; its parameters must parse as the query of its type.
    pub async fn save_search(&self, ctx: &Ctx, input: SaveSearchInput) -> Result<SavedSearch> {
        parse_query(input.search_type, &input.search_params)?;
        check_alert(input.alert_enabled, input.alert_frequency)?;
        command!(self, async {
            let user = self.acting_user(ctx).await?;
            let existing = self
                .store()
                .discovery()
                .list_saved_searches_by_user_id(user.id)
                .await?;
            if existing.len() >= MAX_SAVED_SEARCHES {
                return Err(Error::rule(
                    "too_many_saved_searches",
                    format!("at most {MAX_SAVED_SEARCHES} saved searches"),
                ));
            }
            let now = self.now();
            let search = SavedSearch {
                id: SavedSearchId::new(),
                user_id: user.id,
                search_type: Some(input.search_type),
                name: input.name.clone(),
                search_params: input.search_params.clone(),
                alert_enabled: input.alert_enabled,
                alert_frequency: input.alert_frequency,
                created_at: now,
                updated_at: now,
                version: 1,
            };
            let mut changes = ChangeSet::new();
            changes.insert(search.clone());
            changes.insert(self.audit(
                ctx,
                "saved_search",
                search.id.as_uuid(),
                "create",
                None::<&()>,
                Some(&search),
            )?);
            Ok((changes, search))
        })
    }

    async fn own_saved_search(
        &self,
        user: crate::ids::UserId,
        id: SavedSearchId,
    ) -> Result<SavedSearch> {
        self.store()
            .discovery()
            .get_saved_search_by_id(id)
            .await?
            .filter(|s| s.user_id == user)
            .ok_or(Error::not_found("saved_search"))
    }

    /// Renames a saved search or changes its alerts.
    pub async fn update_saved_search(
        &self,
        ctx: &Ctx,
        id: SavedSearchId,
        input: UpdateSavedSearchInput,
    ) -> Result<SavedSearch> {
        command!(self, async {
            let user = self.acting_user(ctx).await?;
            let mut search = self.own_saved_search(user.id, id).await?;
            let old = search.clone();
            if let Some(name) = &input.name {
                search.name = name.clone();
            }
            if let Some(enabled) = input.alert_enabled {
                search.alert_enabled = enabled;
            }
            if let Some(frequency) = input.alert_frequency {
                search.alert_frequency = Some(frequency);
            }
            check_alert(search.alert_enabled, search.alert_frequency)?;
            search.updated_at = self.now();
            let mut changes = ChangeSet::new();
            changes.update(&search);
            changes.insert(self.audit_update(
                ctx,
                "saved_search",
                id.as_uuid(),
                "update",
                &old,
                &search,
            )?);
            search.version += 1;
            Ok((changes, search))
        })
    }

    /// Deletes a saved search.
    pub async fn delete_saved_search(&self, ctx: &Ctx, id: SavedSearchId) -> Result<()> {
        command!(self, async {
            let user = self.acting_user(ctx).await?;
            let search = self.own_saved_search(user.id, id).await?;
            let mut changes = ChangeSet::new();
            changes.delete(&search);
            changes.insert(self.audit(
                ctx,
                "saved_search",
                id.as_uuid(),
                "delete",
                Some(&search),
                None::<&()>,
            )?);
            Ok((changes, ()))
        })
    }

    /// The actor's saved searches.
    pub async fn list_saved_searches(&self, ctx: &Ctx) -> Result<Vec<SavedSearch>> {
        let user = self.acting_user(ctx).await?;
        self.store()
            .discovery()
            .list_saved_searches_by_user_id(user.id)
            .await
    }

    /// Runs a saved search now, for its owner.
    pub async fn run_saved_search(
        &self,
        ctx: &Ctx,
        id: SavedSearchId,
        page: Page,
    ) -> Result<serde_json::Value> {
        let user = self.acting_user(ctx).await?;
        let search = self.own_saved_search(user.id, id).await?;
        let kind = search.search_type.unwrap_or(SearchType::Gigs);
        let encode = |v: Result<serde_json::Value, serde_json::Error>| {
            v.map_err(|e| Error::backend("saved_search", e))
        };
        match parse_query(kind, &search.search_params)? {
            SavedQuery::Gigs(q) => encode(serde_json::to_value(
                self.browse_gigs(&GigQuery { page, ..q }).await?,
            )),
            SavedQuery::Jobs(q) => encode(serde_json::to_value(
                self.browse_jobs(&JobQuery { page, ..q }).await?,
            )),
            SavedQuery::Creators(q) => encode(serde_json::to_value(
                self.find_creators(&CreatorQuery { page, ..q }).await?,
            )),
        }
    }

    /// The matches of a saved search created after the search was saved:
    /// (entity type, id, title).
    async fn fresh_matches(
        &self,
        search: &SavedSearch,
    ) -> Result<Vec<(&'static str, Uuid, String)>> {
        let kind = search.search_type.unwrap_or(SearchType::Gigs);
        let first = Page::new(Page::MAX_LIMIT, 0);
        let after = search.created_at;
        Ok(match parse_query(kind, &search.search_params)? {
            SavedQuery::Gigs(q) => self
                .browse_gigs(&GigQuery { page: first, ..q })
                .await?
                .into_iter()
                .filter(|g| g.created_at > after)
                .map(|g| ("gig", g.id.as_uuid(), g.title.as_str().to_string()))
                .collect(),
            SavedQuery::Jobs(q) => self
                .browse_jobs(&JobQuery { page: first, ..q })
                .await?
                .into_iter()
                .filter(|j| j.created_at > after)
                .map(|j| ("job", j.id.as_uuid(), j.title.as_str().to_string()))
                .collect(),
            SavedQuery::Creators(q) => self
                .find_creators(&CreatorQuery { page: first, ..q })
                .await?
                .into_iter()
                .filter(|c| c.created_at > after)
                .map(|c| {
                    (
                        "creator_profile",
                        c.id.as_uuid(),
                        c.display_name.as_str().to_string(),
                    )
                })
                .collect(),
        })
    }

    /// Evaluates one due saved search: notifies its owner once for each new
    /// match. The saved search's `updated_at` records the evaluation, and its
    /// version check makes two concurrent evaluations announce nothing twice.
    async fn evaluate_alert(&self, id: SavedSearchId, now: DateTime<Utc>) -> Result<usize> {
        let system = Ctx::anonymous();
        command!(self, async {
            let Some(mut search) = self.store().discovery().get_saved_search_by_id(id).await?
            else {
                return Ok((ChangeSet::new(), 0));
            };
            let Some(frequency) = search.alert_frequency.filter(|_| search.alert_enabled) else {
                return Ok((ChangeSet::new(), 0));
            };
            if now - search.updated_at < alert_period(frequency) {
                return Ok((ChangeSet::new(), 0));
            }
            let matches = self.fresh_matches(&search).await?;
            let ids: Vec<Uuid> = matches.iter().map(|(_, id, _)| *id).collect();
            // Matches an alert announced before (this search's or another
            // of the user's): asked of the store for these ids only, not
            // by reading every notification the user has.
            let announced: HashSet<Uuid> = self
                .store()
                .notifications()
                .list_related_ids_by_user_id(search.user_id, MATCH.as_str(), &ids)
                .await?
                .into_iter()
                .collect();
            let fresh: Vec<_> = matches
                .into_iter()
                .filter(|(_, id, _)| !announced.contains(id))
                .collect();
            let mut changes = ChangeSet::new();
            if fresh.is_empty() && frequency == AlertFrequency::Immediate {
                return Ok((changes, 0));
            }
            for (entity, target, title) in &fresh {
                self.plan_notice(
                    &system,
                    &mut changes,
                    Notice::new(
                        search.user_id,
                        MATCH,
                        format!("New match for \"{}\"", search.name.as_str()),
                        title.clone(),
                    )
                    .about(entity, *target),
                )
                .await?;
            }
            search.updated_at = now;
            changes.update(&search);
            Ok((changes, fresh.len()))
        })
    }

    /// Evaluates every due saved-search alert; returns how many matches
    /// were announced.
    pub(crate) async fn run_saved_search_alerts(&self, now: DateTime<Utc>) -> Result<usize> {
        let mut announced = 0;
        for search in self
            .store()
            .discovery()
            .list_alerting_saved_searches()
            .await?
        {
            match self.evaluate_alert(search.id, now).await {
                Ok(n) => announced += n,
                // Someone changed or deleted it meanwhile: next run.
                Err(e) if e.is_retryable() || matches!(e, Error::NotFound { .. }) => {}
                // A saved query that no longer parses announces nothing.
                Err(Error::Validation { .. }) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(announced)
    }

    /// Records that whoever `ctx` names (possibly nobody) viewed a creator
    /// profile, with the address, user agent and referrer `ctx` carries.
    /// Like a gig view it is analytics: no version, no audit entry. Returns
    /// `None` when the owner looks at their own profile (not counted).
    pub async fn record_profile_view(
        &self,
        ctx: &Ctx,
        profile: CreatorProfileId,
    ) -> Result<Option<ProfileView>> {
        let referrer = view_header("referrer", ctx.referrer.as_deref())?;
        let user_agent = view_header("user_agent", ctx.user_agent.as_deref())?;
        command!(self, async {
            let row = self
                .store()
                .creators()
                .get_by_id(profile)
                .await?
                .ok_or(Error::not_found("creator_profile"))?;
            if ctx.actor == Some(row.user_id) {
                return Ok((ChangeSet::new(), None));
            }
            let view = ProfileView {
                id: ProfileViewId::new(),
                creator_profile_id: profile,
                viewer_user_id: ctx.actor,
                ip_address: ctx.ip_address,
                user_agent: user_agent.clone(),
                referrer: referrer.clone(),
                viewed_at: self.now(),
            };
            let mut changes = ChangeSet::new();
            changes.insert(view.clone());
            Ok((changes, Some(view)))
        })
    }

    /// Views of a gig in `[from, to)`, for its creator or staff.
    pub async fn gig_view_count(
        &self,
        ctx: &Ctx,
        gig: GigId,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<u64> {
        check_range(from, to)?;
        let user = self.acting_user(ctx).await?;
        let row = self
            .store()
            .gigs()
            .get_by_id(gig)
            .await?
            .ok_or(Error::not_found("gig"))?;
        if !user.is_staff {
            let mine = self
                .store()
                .creators()
                .get_by_user_id(user.id)
                .await?
                .is_some_and(|c| c.id == row.creator_profile_id);
            if !mine {
                return Err(Error::not_found("gig"));
            }
        }
        self.store()
            .discovery()
            .count_gig_views(gig, from, to)
            .await
    }

    /// Views of a creator profile in `[from, to)`, for its owner or staff.
    pub async fn profile_view_count(
        &self,
        ctx: &Ctx,
        profile: CreatorProfileId,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<u64> {
        check_range(from, to)?;
        let user = self.acting_user(ctx).await?;
        let row = self
            .store()
            .creators()
            .get_by_id(profile)
            .await?
            .ok_or(Error::not_found("creator_profile"))?;
        if !user.is_staff && row.user_id != user.id {
            return Err(Error::not_found("creator_profile"));
        }
        self.store()
            .discovery()
            .count_profile_views(profile, from, to)
            .await
    }
}

fn check_range(from: DateTime<Utc>, to: DateTime<Utc>) -> Result<()> {
    if from >= to {
        return Err(Error::validation("from", "must be before `to`"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn saved_params_must_parse_as_their_type() {
        let ok = serde_json::json!({ "text": "video", "page": { "limit": 20, "offset": 0 } });
        assert!(parse_query(SearchType::Gigs, &ok).is_ok());
        let bad = serde_json::json!({ "text": 5 });
        assert!(parse_query(SearchType::Jobs, &bad).is_err());
    }

    #[test]
    fn alerts_need_a_frequency() {
        assert!(check_alert(true, None).is_err());
        assert!(check_alert(false, None).is_ok());
        assert!(check_alert(true, Some(AlertFrequency::Daily)).is_ok());
    }
}
