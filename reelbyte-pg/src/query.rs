//! Reading entities: `SELECT row_to_json(t.*)` with bound arguments, decoded
//! by the [codec](crate::codec).

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use reelbyte_core::error::Result;
use reelbyte_core::store::{Entity, Page, RowKey};
use serde::de::DeserializeOwned;
use sqlx::postgres::PgArguments;
use sqlx::query::QueryScalar;
use sqlx::{AssertSqlSafe, Postgres};
use uuid::Uuid;

use crate::lease::Lease;
use crate::{PgStore, codec, error};

/// An argument of a read query.
#[derive(Debug, Clone)]
pub(crate) enum Arg {
    Uuid(Uuid),
    Uuids(Vec<Uuid>),
    Text(String),
    Time(DateTime<Utc>),
    Int(i64),
}

impl Arg {
    /// A typed id as a UUID argument.
    pub(crate) fn id(id: impl Into<Uuid>) -> Self {
        Self::Uuid(id.into())
    }

    /// A text argument.
    pub(crate) fn text(text: impl Into<String>) -> Self {
        Self::Text(text.into())
    }
}

fn bind<'q, O>(
    mut query: QueryScalar<'q, Postgres, O, PgArguments>,
    args: Vec<Arg>,
) -> QueryScalar<'q, Postgres, O, PgArguments> {
    for arg in args {
        query = match arg {
            Arg::Uuid(v) => query.bind(v),
            Arg::Uuids(v) => query.bind(v),
            Arg::Text(v) => query.bind(v),
            Arg::Time(v) => query.bind(v),
            Arg::Int(v) => query.bind(v),
        };
    }
    query
}

/// `LIMIT`/`OFFSET` of a page (limits bounded again: `Page`'s fields are public).
pub(crate) fn page_clause(page: Page) -> String {
    format!(
        " LIMIT {} OFFSET {}",
        page.limit.clamp(1, Page::MAX_LIMIT),
        page.offset
    )
}

/// ` LIMIT n` for a sweep.
pub(crate) fn limit_clause(limit: u32) -> String {
    format!(" LIMIT {limit}")
}

impl PgStore {
    /// The rows of `E`'s table (aliased `t`) matching `tail` (`WHERE ...
    /// ORDER BY ...`).
    pub(crate) async fn list<E: Entity + DeserializeOwned>(
        &self,
        tail: &str,
        args: Vec<Arg>,
    ) -> Result<Vec<E>> {
        list_on(&self.lease, tail, args).await
    }

    /// The one row of `E`'s table matching `tail`, if any.
    pub(crate) async fn one<E: Entity + DeserializeOwned>(
        &self,
        tail: &str,
        args: Vec<Arg>,
    ) -> Result<Option<E>> {
        Ok(self.list(tail, args).await?.into_iter().next())
    }

    /// A page of a sweep of `E`'s table (aliased `t`) in id order: the
    /// first `limit` rows whose id is greater than `after` (from the first
    /// when `None`) among those `filter` keeps (` AND ...`, or empty). The
    /// primary key's index serves it, so every page costs the same.
    pub(crate) async fn by_id_after<E: Entity + DeserializeOwned>(
        &self,
        filter: &str,
        after: Option<Uuid>,
        limit: u32,
    ) -> Result<Vec<E>> {
        if limit == 0 {
            return Ok(Vec::new());
        }
        let order = format!(" ORDER BY t.id{}", limit_clause(limit));
        match after {
            Some(after) => {
                self.list(
                    &format!("WHERE t.id > $1{filter}{order}"),
                    vec![Arg::Uuid(after)],
                )
                .await
            }
            None => {
                self.list(&format!("WHERE TRUE{filter}{order}"), vec![])
                    .await
            }
        }
    }

    /// The row of `E`'s table with primary key `id`.
    pub(crate) async fn by_id<E: Entity + DeserializeOwned>(
        &self,
        id: impl Into<Uuid>,
    ) -> Result<Option<E>> {
        self.one("WHERE t.id = $1", vec![Arg::id(id)]).await
    }

    /// The rows of `E`'s table with primary keys `ids`, in the order of
    /// `ids` (repeated ids repeat; missing ones are left out), in one
    /// statement.
    pub(crate) async fn by_ids<E: Entity + DeserializeOwned>(
        &self,
        ids: impl IntoIterator<Item = impl Into<Uuid>>,
    ) -> Result<Vec<E>> {
        let ids: Vec<Uuid> = ids.into_iter().map(Into::into).collect();
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let rows: Vec<E> = self
            .list("WHERE t.id = ANY($1)", vec![Arg::Uuids(ids.clone())])
            .await?;
        let found: HashMap<Uuid, E> = rows
            .into_iter()
            .filter_map(|row| match row.row_key() {
                RowKey::Id(id) => Some((id, row)),
                RowKey::Name(_) => None,
            })
            .collect();
        Ok(ids.iter().filter_map(|id| found.get(id).cloned()).collect())
    }

    /// The values of a one-column query, in its order.
    async fn scalars<O>(&self, sql: &str, args: Vec<Arg>) -> Result<Vec<O>>
    where
        O: Send + Unpin,
        (O,): for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow>,
    {
        let query = sqlx::query_scalar::<_, O>(AssertSqlSafe(sql.to_string()));
        let mut conn = self.lease.take().await.map_err(|e| error::map(None, e))?;
        let values = bind(query, args)
            .fetch_all(&mut *conn)
            .await
            .map_err(|e| error::map(None, e))?;
        conn.keep();
        Ok(values)
    }

    /// The UUIDs a one-column query returns (NULLs left out).
    pub(crate) async fn ids(&self, sql: &str, args: Vec<Arg>) -> Result<Vec<Uuid>> {
        let ids: Vec<Option<Uuid>> = self.scalars(sql, args).await?;
        Ok(ids.into_iter().flatten().collect())
    }

    /// A count of rows (`SELECT count(*) FROM ...`, one row).
    pub(crate) async fn count(&self, sql: &str, args: Vec<Arg>) -> Result<u64> {
        let counts: Vec<i64> = self.scalars(sql, args).await?;
        Ok(counts.first().map_or(0, |&n| u64::try_from(n).unwrap_or(0)))
    }
}

async fn list_on<E: Entity + DeserializeOwned>(
    lease: &Lease,
    tail: &str,
    args: Vec<Arg>,
) -> Result<Vec<E>> {
    let table = E::TABLE;
    let sql = format!(
        "SELECT row_to_json(t.*)::text FROM {} t {tail}",
        table.name()
    );
    let query = sqlx::query_scalar::<_, String>(AssertSqlSafe(sql));
    let mut conn = lease.take().await.map_err(|e| error::map(Some(table), e))?;
    let rows = bind(query, args)
        .fetch_all(&mut *conn)
        .await
        .map_err(|e| error::map(Some(table), e))?;
    conn.keep();
    rows.iter()
        .map(|row| codec::decode::<E>(table, row))
        .collect()
}
