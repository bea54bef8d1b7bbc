//! Section 11 of the plan, analytics: `gig_views` and `profile_views`.
//!
//! Both are append-only logs: rows are inserted, never updated.

use std::net::IpAddr;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::ids::{CreatorProfileId, GigId, GigViewId, ProfileViewId, UserId};

/// A row of `gig_views`: one view of a gig's page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GigView {
    /// Primary key.
    pub id: GigViewId,
    /// The gig viewed.
    pub gig_id: GigId,
    /// The viewer, when logged in.
    pub viewer_user_id: Option<UserId>,
    /// The viewer's address.
    pub ip_address: Option<IpAddr>,
    /// The viewer's `User-Agent` header.
    pub user_agent: Option<String>,
    /// The `Referer` header, as sent (not necessarily a valid URL).
    pub referrer: Option<String>,
    /// When the view happened.
    #[serde(with = "crate::timestamp")]
    pub viewed_at: DateTime<Utc>,
}

/// A row of `profile_views`: one view of a creator's profile.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProfileView {
    /// Primary key.
    pub id: ProfileViewId,
    /// The profile viewed.
    pub creator_profile_id: CreatorProfileId,
    /// The viewer, when logged in.
    pub viewer_user_id: Option<UserId>,
    /// The viewer's address.
    pub ip_address: Option<IpAddr>,
    /// The viewer's `User-Agent` header.
    pub user_agent: Option<String>,
    /// The `Referer` header, as sent (not necessarily a valid URL).
    pub referrer: Option<String>,
    /// When the view happened.
    #[serde(with = "crate::timestamp")]
    pub viewed_at: DateTime<Utc>,
}
