//! stub
use super::prelude::*;
pub fn register(router: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    router
}
