//! Search latency on PostgreSQL: `GigRepo::search` of the library against
//! the same SQL sent by hand with sqlx, over generated gigs.
//!
//! The hand-written side sends the statement text the library builds (the
//! word query and, when it finds nothing, the vocabulary lookup of the typo
//! fallback and the word query with the corrected words), so the
//! ratio is the library's own overhead: building the query and decoding the
//! rows into `Gig`s. Before timing, both sides must return the same gigs in
//! the same order for every query, or the section fails.

use reelbyte_pg::spelling;

use super::*;

/// The latencies of one kind of query at one scale.
#[derive(Debug, Clone)]
pub(crate) struct SearchResult {
    /// Gigs in the database.
    pub(crate) gigs: usize,
    /// "full text + filters" or "typo fallback".
    pub(crate) kind: &'static str,
    /// Library p50 / p99, ms.
    pub(crate) library: (f64, f64),
    /// Hand-written p50 / p99, ms.
    pub(crate) raw: (f64, f64),
    /// Results per query (mean).
    pub(crate) hits: usize,
    /// Gigs matching the filters and the words (the corrected words, for the
    /// typo fallback) per query, mean: the rows the ranking must look at before
    /// it can return the first page.
    pub(crate) matching: usize,
}

/// The queries of the search section: full text with filters, and typos
/// that match nothing by words (so the library corrects them from the
/// vocabulary).
pub(crate) fn search_queries() -> Vec<(&'static str, GigQuery)> {
    let usd = |minor: i64| Money::from_minor(minor, Currency::USD).ok();
    let texts = [
        "cinematic reel editor",
        "ugc skincare",
        "motion designer saas",
        "playful animator restaurants",
        "video editor tiktok",
    ];
    let typos = [
        "cinematc reel edtor",
        "ugc creatr skincre",
        "motoin desiner",
        "animatr for restorants",
        "vidoe editr",
    ];
    let mut out = Vec::new();
    for (n, text) in texts.iter().enumerate() {
        out.push((
            "full text + filters",
            GigQuery {
                text: Some((*text).into()),
                category: if n % 2 == 0 {
                    Some("editing".into())
                } else {
                    None
                },
                min_price: None,
                max_price: usd(30_000),
                max_delivery_days: Some(5),
                page: Page::new(20, 0),
            },
        ));
    }
    for text in typos {
        out.push((
            "typo fallback",
            GigQuery {
                text: Some(text.into()),
                category: None,
                min_price: None,
                max_price: None,
                max_delivery_days: None,
                page: Page::new(20, 0),
            },
        ));
    }
    out
}

/// The words of a query as the library splits them.
fn words(q: &GigQuery) -> Vec<String> {
    q.text
        .as_deref()
        .map(|t| t.split_whitespace().map(str::to_lowercase).collect())
        .unwrap_or_default()
}

/// `q` with its misspelt words corrected as the library corrects them: the
/// same vocabulary lookup, the same choice (`reelbyte_pg::spelling`). `None`
/// when no word changes.
async fn corrected(pool: &PgPool, q: &GigQuery) -> Outcome<Option<GigQuery>> {
    let words = words(q);
    let keys = spelling::lookup_keys(&words);
    if keys.is_empty() {
        return Ok(None);
    }
    let candidates: Vec<String> = sqlx::query_scalar(spelling::LOOKUP)
        .bind(keys)
        .bind(spelling::MAX_CANDIDATES)
        .fetch_all(pool)
        .await?;
    Ok(
        spelling::correct(&words, &candidates).map(|fixed| GigQuery {
            text: Some(fixed.join(" ")),
            ..q.clone()
        }),
    )
}

/// `text` split at everything but letters and digits, as the `english`
/// query gets it (PostgreSQL drops the stop words itself).
fn english_text(text: &str) -> String {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// `word:* & word:*` over the letters and digits of `words`.
fn prefixes(words: &[String]) -> String {
    words
        .iter()
        .map(|w| {
            w.chars()
                .filter(|c| c.is_alphanumeric())
                .collect::<String>()
        })
        .filter(|w| !w.is_empty())
        .map(|w| format!("{w}:*"))
        .collect::<Vec<_>>()
        .join(" & ")
}

/// `(0 + (strpos(lower(column), $n) > 0)::int + ...)`, one term per word,
/// numbering parameters from `first`.
fn hits(column: &str, words: &[String], first: usize) -> String {
    let mut s = String::from("(0");
    for n in 0..words.len() {
        let _ = write!(s, " + (strpos(lower({column}), ${}) > 0)::int", first + n);
    }
    s.push(')');
    s
}

/// Appends `p` to `params` and returns its placeholder number.
fn param(params: &mut Vec<Param>, p: Param) -> usize {
    params.push(p);
    params.len()
}

/// `FROM gigs t WHERE ...`: the active gigs matching `q`'s filters and words.
fn from_where(q: &GigQuery, params: &mut Vec<Param>) -> String {
    let words = words(q);
    let text = words.join(" ");
    let mut sql = String::from(" FROM gigs t WHERE t.status = 'active'");
    if let Some(category) = &q.category {
        let n = param(params, Param::Text(category.clone()));
        let _ = write!(sql, " AND lower(t.category) = lower(${n})");
    }
    for (bound, op) in [(q.min_price, ">="), (q.max_price, "<=")] {
        if let Some(money) = bound {
            let c = param(params, Param::Text(money.currency().code().to_string()));
            let a = param(params, Param::Amount(money.amount()));
            let _ = write!(
                sql,
                " AND t.basic_price_currency = ${c} AND t.basic_price {op} ${a}"
            );
        }
    }
    if let Some(days) = q.max_delivery_days {
        let n = param(params, Param::Int(days));
        let _ = write!(sql, " AND t.basic_delivery_days <= ${n}");
    }
    let t = param(params, Param::Text(english_text(&text)));
    let p = param(params, Param::Text(prefixes(&words)));
    let _ = write!(
        sql,
        " AND t.search_vector @@ (plainto_tsquery('english', ${t}) || to_tsquery('simple', ${p}))"
    );
    sql
}

/// The word query as SQL text with its parameters in order.
fn raw_statement(q: &GigQuery) -> (String, Vec<Param>) {
    let words = words(q);
    let text = words.join(" ");
    let mut params = Vec::new();
    let mut sql = String::from("SELECT row_to_json(t.*)::text");
    sql.push_str(&from_where(q, &mut params));
    let first = params.len() + 1;
    params.extend(words.iter().cloned().map(Param::Text));
    let title = hits("t.title", &words, first);
    let first = params.len() + 1;
    params.extend(words.iter().cloned().map(Param::Text));
    let description = hits("t.description", &words, first);
    let r = param(&mut params, Param::Text(english_text(&text)));
    let order = format!(
        "{title} DESC, {description} DESC, \
         ts_rank(t.search_vector, plainto_tsquery('english', ${r})) DESC"
    );
    let l = param(&mut params, Param::Big(i64::from(q.page.limit)));
    let o = param(&mut params, Param::Big(i64::from(q.page.offset)));
    let _ = write!(
        sql,
        " ORDER BY {order}, t.published_at DESC NULLS LAST, t.created_at DESC, t.id DESC \
         LIMIT ${l} OFFSET ${o}"
    );
    (sql, params)
}

/// A parameter of a hand-written statement.
#[derive(Debug, Clone)]
enum Param {
    Text(String),
    Amount(Decimal),
    Int(i32),
    Big(i64),
}

/// Sends one hand-written statement; the rows as the JSON text PostgreSQL
/// produced.
async fn raw_fetch(pool: &PgPool, sql: &str, params: &[Param]) -> Outcome<Vec<String>> {
    let mut query = sqlx::query_scalar::<_, String>(sqlx::AssertSqlSafe(sql.to_string()));
    for p in params {
        query = match p {
            Param::Text(v) => query.bind(v.clone()),
            Param::Amount(v) => query.bind(*v),
            Param::Int(v) => query.bind(*v),
            Param::Big(v) => query.bind(*v),
        };
    }
    Ok(query.fetch_all(pool).await?)
}

/// The search written by hand: the word query, then, when the words match
/// nothing, the vocabulary lookup and the word query with the corrections
/// (as the library does).
async fn raw_search(pool: &PgPool, q: &GigQuery) -> Outcome<Vec<String>> {
    let (sql, params) = raw_statement(q);
    let rows = raw_fetch(pool, &sql, &params).await?;
    if !rows.is_empty() || words(q).is_empty() {
        return Ok(rows);
    }
    match corrected(pool, q).await? {
        Some(fixed) => {
            let (sql, params) = raw_statement(&fixed);
            raw_fetch(pool, &sql, &params).await
        }
        None => Ok(rows),
    }
}

/// The ids of hand-written result rows.
fn ids(rows: &[String]) -> Outcome<Vec<Uuid>> {
    rows.iter()
        .map(|row| {
            let value: serde_json::Value = serde_json::from_str(row)?;
            let id = value
                .get("id")
                .and_then(|v| v.as_str())
                .ok_or("a row without an id")?;
            Ok(Uuid::parse_str(id)?)
        })
        .collect()
}

/// How many active gigs match `q`'s filters and its words (for a typo, its
/// corrected words): the rows the query must rank before it can return its
/// first page.
async fn matching(pool: &PgPool, q: &GigQuery, typo: bool) -> Outcome<usize> {
    let fixed = if typo {
        corrected(pool, q).await?
    } else {
        None
    };
    let q = fixed.as_ref().unwrap_or(q);
    let mut params = Vec::new();
    let sql = format!("SELECT count(*)::text{}", from_where(q, &mut params));
    let rows = raw_fetch(pool, &sql, &params).await?;
    Ok(rows.first().and_then(|n| n.parse().ok()).unwrap_or(0))
}

pub(crate) async fn search_section(
    admin: &str,
    gigs: usize,
    queries: usize,
) -> Outcome<Vec<SearchResult>> {
    let name = format!("reelbyte_bench_search_{gigs}");
    // The generated data are reproducible (seed 42): reuse a database that a
    // previous run filled completely.
    let url = match open_database(admin, &name).await? {
        Some(url) if count_gigs(&url).await? == gigs => {
            eprintln!("search: reusing {name} ({gigs} gigs)");
            url
        }
        _ => {
            let url = fresh_database(admin, &name).await?;
            let store = reelbyte_pg::PgStore::connect(&url, 4).await?;
            store.migrate().await?;
            let store: Arc<dyn Store> = Arc::new(store);
            let started = Instant::now();
            let scale = Scale {
                creators: (gigs / 10).max(1),
                clients: 10,
                gigs,
                jobs: 0,
                messages: 0,
            };
            generate(&store, scale, 42, 2_000, &|section, done, total| {
                if section == "gigs" && done % 20_000 < 2_000 {
                    eprintln!("search: {done}/{total} gigs");
                }
            })
            .await?;
            eprintln!(
                "search: generated {gigs} gigs in {:.0} s",
                started.elapsed().as_secs_f64()
            );
            url
        }
    };
    let store = reelbyte_pg::PgStore::connect(&url, 2).await?;
    // A freshly loaded table has its GIN pending list and visibility map
    // still to be settled by autovacuum; settle them now, as a database in
    // service would have, so the first queries do not pay for it.
    sqlx::query("VACUUM ANALYZE gigs")
        .execute(store.pool())
        .await?;
    let pool = store.pool().clone();
    // The library's search is the service's: the store's word search, and
    // the typo fallback when it finds nothing.
    let market = Marketplace::new(Arc::new(store), Arc::new(SimulatedGateway::new()));
    let all = search_queries();
    let mut out = Vec::new();
    for kind in ["full text + filters", "typo fallback"] {
        let mine: Vec<&GigQuery> = all
            .iter()
            .filter(|(k, _)| *k == kind)
            .map(|(_, q)| q)
            .collect();
        // Both sides must answer alike before either is timed (this also
        // warms the caches once).
        let mut matches = 0;
        for q in &mine {
            let library: Vec<Uuid> = market
                .browse_gigs(q)
                .await?
                .iter()
                .map(|g| g.id.into())
                .collect();
            let raw = ids(&raw_search(&pool, q).await?)?;
            if library != raw {
                return Err(format!(
                    "search {:?}: the library returned {library:?}, the hand-written SQL {raw:?}",
                    q.text
                )
                .into());
            }
            matches += matching(&pool, q, kind == "typo fallback").await?;
        }
        let (mut lib, mut raw, mut hits) = (Vec::new(), Vec::new(), 0);
        for n in 0..queries {
            let q = mine[n % mine.len()];
            let started = Instant::now();
            hits += market.browse_gigs(q).await?.len();
            lib.push(started.elapsed());
            let started = Instant::now();
            raw_search(&pool, q).await?;
            raw.push(started.elapsed());
        }
        lib.sort();
        raw.sort();
        out.push(SearchResult {
            gigs,
            kind,
            library: (ms(quantile(&lib, 0.5)), ms(quantile(&lib, 0.99))),
            raw: (ms(quantile(&raw, 0.5)), ms(quantile(&raw, 0.99))),
            hits: hits / queries.max(1),
            matching: matches / mine.len().max(1),
        });
    }
    Ok(out)
}

/// How many gigs the database at `url` holds (0 when it has no schema yet).
pub(crate) async fn count_gigs(url: &str) -> Outcome<usize> {
    let pool = PgPoolOptions::new().max_connections(1).connect(url).await?;
    let n: Option<i64> = sqlx::query_scalar("SELECT count(*) FROM gigs")
        .fetch_one(&pool)
        .await
        .ok();
    pool.close().await;
    Ok(n.unwrap_or(0) as usize)
}
