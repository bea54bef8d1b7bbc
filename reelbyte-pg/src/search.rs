//! Browse and search: gigs and jobs by full text (weighted search vectors,
//! every word matched stemmed or as a word prefix through the GIN index, then
//! ranked by words in the title, in the description and `ts_rank`),
//! creators by skill, category, rating and availability. These reads may use
//! a lagging replica. The typo fallback is the service's
//! (`Marketplace::browse_gigs`); this store answers its vocabulary lookup
//! (`DiscoveryRepo::spelling_candidates`, [`crate::spelling::LOOKUP`]).

use reelbyte_core::entities::{CreatorProfile, Gig, Job};
use reelbyte_core::error::{Error, Result};
use reelbyte_core::store::{CreatorQuery, Entity, GigQuery, JobQuery, Page};
use reelbyte_core::text_search::TextQuery;
use serde::de::DeserializeOwned;
use sqlx::{Postgres, QueryBuilder};

use crate::{PgStore, codec, error};

/// The lowercase words of a free-text query.
fn words(text: Option<&str>) -> Vec<String> {
    text.map(|t| t.split_whitespace().map(str::to_lowercase).collect())
        .unwrap_or_default()
}

/// Pushes `LIMIT`/`OFFSET` of `page`.
fn push_page(qb: &mut QueryBuilder<Postgres>, page: Page) {
    qb.push(" LIMIT ")
        .push_bind(i64::from(page.limit.clamp(1, Page::MAX_LIMIT)))
        .push(" OFFSET ")
        .push_bind(i64::from(page.offset));
}

/// Pushes ` AND` the search vector matches every word, stemmed (`english`)
/// or as a word prefix (`simple`): both forms are answered by the GIN index
/// on `search_vector`, so a search never scans every row. The words are the
/// core's ([`TextQuery::words`], [`TextQuery::prefixes`]), so both stores
/// split a query into the same words.
fn push_text_match(qb: &mut QueryBuilder<Postgres>, text: &str) {
    let Some(query) = TextQuery::parse(text) else {
        // Nothing to search by: no row matches, as in the core's rule.
        qb.push(" AND FALSE");
        return;
    };
    qb.push(" AND t.search_vector @@ (");
    if !query.words().is_empty() {
        qb.push("plainto_tsquery('english', ")
            .push_bind(english_text(text))
            .push(") || ");
    }
    qb.push("to_tsquery('simple', ")
        .push_bind(prefix_query(&query))
        .push("))");
}

/// The text of the `english` query: the core's words of `text`, joined by
/// spaces ([`TextQuery::words`]).
fn english_text(text: &str) -> String {
    TextQuery::parse(text)
        .map(|query| query.words().join(" "))
        .unwrap_or_default()
}

/// The `simple`-configuration prefix query (`word:* & word:*`) of the
/// query's words as the core's rule reads them (letters and digits only, so
/// that no input can break the tsquery syntax).
fn prefix_query(query: &TextQuery) -> String {
    let parts: Vec<String> = query.prefixes().iter().map(|w| format!("{w}:*")).collect();
    parts.join(" & ")
}

/// Pushes how many words appear in `column`.
fn push_hits(qb: &mut QueryBuilder<Postgres>, words: &[String], column: &str) {
    qb.push("(0");
    for word in words {
        qb.push(format!(" + (strpos(lower({column}), "))
            .push_bind(word.clone())
            .push(") > 0)::int");
    }
    qb.push(")");
}

impl PgStore {
    async fn fetch<E: Entity + DeserializeOwned>(
        &self,
        mut qb: QueryBuilder<Postgres>,
    ) -> Result<Vec<E>> {
        let timed_out = |e: sqlx::Error| match error::map(Some(E::TABLE), e) {
            Error::TimedOut { .. } => Error::TimedOut { what: "search" },
            other => other,
        };
        let rows: Vec<String> = match self.search_timeout {
            None => qb
                .build_query_scalar()
                .fetch_all(self.reader())
                .await
                .map_err(timed_out)?,
            Some(limit) => {
                let mut tx = self.reader().begin().await.map_err(timed_out)?;
                // `SET LOCAL` takes no parameter; `set_config(.., true)` is
                // the same for this transaction only.
                sqlx::query("SELECT set_config('statement_timeout', $1, true)")
                    // PostgreSQL takes 1 ms to i32::MAX ms.
                    .bind(limit.as_millis().clamp(1, i32::MAX as u128).to_string())
                    .execute(&mut *tx)
                    .await
                    .map_err(timed_out)?;
                let rows = qb
                    .build_query_scalar()
                    .fetch_all(&mut *tx)
                    .await
                    .map_err(timed_out)?;
                tx.commit().await.map_err(timed_out)?;
                rows
            }
        };
        rows.iter()
            .map(|row| codec::decode::<E>(E::TABLE, row))
            .collect()
    }

    /// [`GigRepo::search`](reelbyte_core::store::GigRepo::search).
    pub(crate) async fn search_gigs(&self, query: &GigQuery) -> Result<Vec<Gig>> {
        self.gigs_matching(query, &words(query.text.as_deref()))
            .await
    }

    async fn gigs_matching(&self, query: &GigQuery, words: &[String]) -> Result<Vec<Gig>> {
        let text = words.join(" ");
        let mut qb = QueryBuilder::<Postgres>::new(
            "SELECT row_to_json(t.*)::text FROM gigs t WHERE t.status = 'active'",
        );
        if let Some(category) = &query.category {
            qb.push(" AND lower(t.category) = lower(")
                .push_bind(category.clone())
                .push(")");
        }
        if let Some(min) = query.min_price {
            qb.push(" AND t.basic_price_currency = ")
                .push_bind(min.currency().code().to_string())
                .push(" AND t.basic_price >= ")
                .push_bind(min.amount());
        }
        if let Some(max) = query.max_price {
            qb.push(" AND t.basic_price_currency = ")
                .push_bind(max.currency().code().to_string())
                .push(" AND t.basic_price <= ")
                .push_bind(max.amount());
        }
        if let Some(days) = query.max_delivery_days {
            qb.push(" AND t.basic_delivery_days <= ").push_bind(days);
        }
        if words.is_empty() {
            qb.push(" ORDER BY t.published_at DESC NULLS LAST, t.created_at DESC, t.id DESC");
        } else {
            push_text_match(&mut qb, &text);
            // Words in the title first, then in the description (as the
            // memory store ranks), then the weighted full-text rank.
            qb.push(" ORDER BY ");
            push_hits(&mut qb, words, "t.title");
            qb.push(" DESC, ");
            push_hits(&mut qb, words, "t.description");
            qb.push(" DESC, ts_rank(t.search_vector, plainto_tsquery('english', ")
                .push_bind(english_text(&text))
                .push(")) DESC, t.published_at DESC NULLS LAST, t.created_at DESC, t.id DESC");
        }
        push_page(&mut qb, query.page);
        self.fetch(qb).await
    }

    /// [`JobRepo::search`](reelbyte_core::store::JobRepo::search).
    pub(crate) async fn search_jobs(&self, query: &JobQuery) -> Result<Vec<Job>> {
        self.jobs_matching(query, &words(query.text.as_deref()))
            .await
    }

    async fn jobs_matching(&self, query: &JobQuery, words: &[String]) -> Result<Vec<Job>> {
        let text = words.join(" ");
        let mut qb = QueryBuilder::<Postgres>::new(
            "SELECT row_to_json(t.*)::text FROM jobs t WHERE t.status = 'open'",
        );
        if let Some(category) = &query.category {
            qb.push(" AND lower(t.category) = lower(")
                .push_bind(category.clone())
                .push(")");
        }
        if !query.skills.is_empty() {
            let skills: Vec<String> = query.skills.iter().map(|s| s.to_lowercase()).collect();
            qb.push(" AND EXISTS (SELECT 1 FROM unnest(t.required_skills) r WHERE lower(r) = ANY(")
                .push_bind(skills)
                .push("))");
        }
        // A bound the job leaves open does not exclude it; one in another
        // currency does.
        if let Some(min) = query.min_budget {
            qb.push(" AND (t.budget_max IS NULL OR (t.budget_max_currency = ")
                .push_bind(min.currency().code().to_string())
                .push(" AND t.budget_max >= ")
                .push_bind(min.amount())
                .push("))");
        }
        if let Some(max) = query.max_budget {
            qb.push(" AND (t.budget_min IS NULL OR (t.budget_min_currency = ")
                .push_bind(max.currency().code().to_string())
                .push(" AND t.budget_min <= ")
                .push_bind(max.amount())
                .push("))");
        }
        if !words.is_empty() {
            push_text_match(&mut qb, &text);
        }
        qb.push(" ORDER BY t.published_at DESC NULLS LAST, t.created_at DESC, t.id DESC");
        push_page(&mut qb, query.page);
        self.fetch(qb).await
    }

    /// [`CreatorRepo::search`](reelbyte_core::store::CreatorRepo::search).
    pub(crate) async fn search_creators(
        &self,
        query: &CreatorQuery,
    ) -> Result<Vec<CreatorProfile>> {
        let mut qb = QueryBuilder::<Postgres>::new(
            "SELECT row_to_json(t.*)::text FROM creator_profiles t WHERE TRUE",
        );
        if let Some(skill) = &query.skill {
            qb.push(
                " AND EXISTS (SELECT 1 FROM creator_skills s \
                 WHERE s.creator_profile_id = t.id AND lower(s.skill_name) = lower(",
            )
            .push_bind(skill.clone())
            .push("))");
        }
        if let Some(category) = &query.category {
            qb.push(
                " AND EXISTS (SELECT 1 FROM creator_categories c \
                 WHERE c.creator_profile_id = t.id AND lower(c.category) = lower(",
            )
            .push_bind(category.clone())
            .push("))");
        }
        if let Some(min) = query.min_rating {
            qb.push(" AND t.average_rating >= ").push_bind(min);
        }
        if let Some(availability) = query.availability {
            qb.push(" AND t.availability_status = ")
                .push_bind(availability.as_str().to_string());
        }
        qb.push(" ORDER BY t.average_rating DESC, t.id");
        push_page(&mut qb, query.page);
        self.fetch(qb).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefix_queries_cannot_break_the_tsquery_syntax() {
        let prefixes = |text: &str| TextQuery::parse(text).map(|q| prefix_query(&q));
        assert_eq!(
            prefixes("Video editor").as_deref(),
            Some("video:* & editor:*")
        );
        assert_eq!(prefixes("a&b !|( ':*").as_deref(), Some("ab:*"));
        assert_eq!(prefixes("&& ()"), None);
    }

    #[test]
    fn the_stemmed_query_gets_the_core_words_split_at_hyphens() {
        let query = TextQuery::parse("Behind-the-scenes E-commerce").expect("words");
        assert_eq!(query.words(), ["behind", "scenes", "e", "commerce"]);
    }
}
