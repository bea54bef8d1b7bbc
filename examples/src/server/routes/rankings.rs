//! Leaderboards and trending lists (the Redis sorted sets of the plan), and
//! their rebuild from the store (staff).

use chrono::Datelike;
use reelbyte_core::ids::GigId;
use reelbyte_core::realtime::Board;

use super::prelude::*;

pub fn register(router: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    router
        .routes(routes!(top_gigs))
        .routes(routes!(top_creators))
        .routes(routes!(recent_jobs))
        .routes(routes!(rebuild_rankings))
        .routes(routes!(feature_gig, unfeature_gig))
}

/// A board of gigs, as named in the path.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "kebab-case")]
enum GigBoard {
    Trending,
    Popular,
    Featured,
}

/// A board of creators, as named in the path.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "kebab-case")]
enum CreatorBoard {
    Rating,
    JobsCompleted,
    Earners,
}

/// How many rows.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TopQuery {
    /// Rows, 1 to 100 (default 20). Members no longer shown publicly are
    /// skipped, so fewer may come back.
    #[param(minimum = 1, maximum = 100)]
    limit: Option<u32>,
    /// For `earners`: the calendar month, `YYYY-MM` (default: this month).
    month: Option<String>,
}

impl TopQuery {
    fn limit(&self) -> usize {
        self.limit.map_or(20, |n| n as usize)
    }
}

/// `YYYY-MM` as a year and a month.
fn parse_month(text: &str) -> Result<(i32, u32), reelbyte_core::Error> {
    let invalid = || reelbyte_core::Error::validation("month", "expected YYYY-MM");
    let (year, month) = text.split_once('-').ok_or_else(invalid)?;
    if year.len() != 4 || month.len() != 2 {
        return Err(invalid());
    }
    let year: i32 = year.parse().map_err(|_| invalid())?;
    let month: u32 = month.parse().map_err(|_| invalid())?;
    if (1..=12).contains(&month) {
        Ok((year, month))
    } else {
        Err(invalid())
    }
}

/// The best active gigs of a board: `trending` (time-decayed views),
/// `popular` (orders) or `featured`, best first, each with its score.
#[utoipa::path(get, path = "/api/v1/rankings/gigs/{board}", tag = "rankings",
    params(("board" = String, Path, description = "trending, popular or featured"), TopQuery),
    responses((status = 200, body = [Object]), Problems))]
async fn top_gigs(
    State(s): State<AppState>,
    ApiPath(board): ApiPath<GigBoard>,
    ApiQuery(query): ApiQuery<TopQuery>,
) -> ApiResult {
    let board = match board {
        GigBoard::Trending => Board::TrendingGigs,
        GigBoard::Popular => Board::PopularGigs,
        GigBoard::Featured => Board::FeaturedGigs,
    };
    ok(&s.market.top_gigs(board, query.limit()).await?)
}

/// The best creators of a board: `rating` (average rating), `jobs-completed`
/// or `earners` (payouts of one calendar month), best first, each with its
/// score.
#[utoipa::path(get, path = "/api/v1/rankings/creators/{board}", tag = "rankings",
    params(("board" = String, Path, description = "rating, jobs-completed or earners"), TopQuery),
    responses((status = 200, body = [Object]), Problems))]
async fn top_creators(
    State(s): State<AppState>,
    ApiPath(board): ApiPath<CreatorBoard>,
    ApiQuery(query): ApiQuery<TopQuery>,
) -> ApiResult {
    let board = match board {
        CreatorBoard::Rating => Board::CreatorsByRating,
        CreatorBoard::JobsCompleted => Board::CreatorsByJobsCompleted,
        CreatorBoard::Earners => {
            let (year, month) = match &query.month {
                Some(text) => parse_month(text)?,
                None => {
                    let now = s.market.now();
                    (now.year(), now.month())
                }
            };
            Board::EarnersOfMonth { year, month }
        }
    };
    ok(&s.market.top_creators(board, query.limit()).await?)
}

/// The most recently published open jobs, newest first (score: publication
/// time in seconds since the epoch).
#[utoipa::path(get, path = "/api/v1/rankings/jobs/recent", tag = "rankings",
    params(TopQuery), responses((status = 200, body = [Object]), Problems))]
async fn recent_jobs(State(s): State<AppState>, ApiQuery(query): ApiQuery<TopQuery>) -> ApiResult {
    ok(&s.market.recent_jobs(query.limit()).await?)
}

/// Sets the creator boards and recent jobs again from the store, and removes
/// members it no longer ranks (staff).
#[utoipa::path(post, path = "/api/v1/admin/rankings/rebuild", tag = "admin", security(("bearer" = [])),
    responses((status = 200, body = Object), Problems))]
async fn rebuild_rankings(State(s): State<AppState>, auth: Auth) -> ApiResult {
    ok(&s.market.rebuild_rankings(&auth.ctx).await?)
}

/// An editorial score.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FeatureBody {
    /// Higher shows first.
    score: f64,
}

/// Features an active gig with an editorial score, or replaces its score
/// (staff, audited).
#[utoipa::path(put, path = "/api/v1/admin/featured-gigs/{gig}", tag = "admin", security(("bearer" = [])),
    params(("gig" = Uuid, Path, description = "gig id")),
    request_body = FeatureBody, responses((status = 204, description = "featured"), Problems))]
async fn feature_gig(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(gig): ApiPath<GigId>,
    ApiJson(body): ApiJson<FeatureBody>,
) -> ApiResult {
    s.market.feature_gig(&auth.ctx, gig, body.score).await?;
    no_content()
}

/// Takes a gig off the featured list (staff, audited).
#[utoipa::path(delete, path = "/api/v1/admin/featured-gigs/{gig}", tag = "admin", security(("bearer" = [])),
    params(("gig" = Uuid, Path, description = "gig id")),
    responses((status = 204, description = "no longer featured"), Problems))]
async fn unfeature_gig(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(gig): ApiPath<GigId>,
) -> ApiResult {
    s.market.unfeature_gig(&auth.ctx, gig).await?;
    no_content()
}

#[cfg(test)]
mod tests {
    use super::parse_month;

    #[test]
    fn months_are_four_digit_years_and_two_digit_months() {
        assert_eq!(parse_month("2026-12").ok(), Some((2026, 12)));
        for bad in [
            "2026-13", "2026-00", "26-12", "2026-1", "2026/12", "", "-2026-12",
        ] {
            assert!(parse_month(bad).is_err(), "{bad}");
        }
    }
}
