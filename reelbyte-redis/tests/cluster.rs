//! Everything is written against `redis::aio::ConnectionLike`, and
//! multi-key operations keep their keys in one hash slot: a Redis Cluster
//! connection fits wherever a `ConnectionManager` does.

use std::sync::Arc;

use redis::cluster_async::ClusterConnection;
use reelbyte_core::store::Store;
use reelbyte_redis::{CacheConfig, CachedStore, RedisRealtime};

fn on_a_cluster(
    inner: Arc<dyn Store>,
    conn: ClusterConnection,
) -> (Arc<dyn Store>, RedisRealtime<ClusterConnection>) {
    let store: Arc<dyn Store> = Arc::new(CachedStore::new(
        inner,
        conn.clone(),
        CacheConfig::default(),
    ));
    (store, RedisRealtime::new(conn, "reelbyte"))
}

#[test]
fn cluster_connections_fit() {
    let build: fn(Arc<dyn Store>, ClusterConnection) -> _ = on_a_cluster;
    let _ = build;
}
