//! Platform administration, staff only: settings (JSON values by key), the
//! effective-dated fee structure, staff membership, and the audit log.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::entities::{AuditLog, FeeTier, PlatformSetting, User};
use crate::error::{Error, Result};
use crate::fees::FeeSchedule;
use crate::ids::{FeeTierId, UserId};
use crate::money::Money;
use crate::service::{Ctx, Marketplace, command};
use crate::store::ChangeSet;
use crate::value::{Percentage, Text};

/// The setting whose version serialises changes to the fee structure: two
/// staff members adding overlapping tiers at once cannot both succeed.
pub const FEE_STRUCTURE_REVISION_KEY: &str = "fee_structure.revision";
/// The largest setting value, serialised, in bytes.
pub const MAX_SETTING_BYTES: usize = 64 * 1024;

/// A fee tier to add.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FeeTierInput {
    /// A name, e.g. `standard`.
    pub tier_name: Text<50>,
    /// The smallest contract total the tier covers (inclusive).
    pub min_amount: Money,
    /// The largest contract total it covers (exclusive); `None`: no limit.
    pub max_amount: Option<Money>,
    /// The platform's commission.
    pub platform_fee_percentage: Percentage,
    /// The payment processor's percentage, out of the commission.
    pub processing_fee_percentage: Percentage,
    /// The payment processor's fixed fee, out of the commission.
    pub fixed_fee: Money,
    /// When the tier starts to apply to new contracts.
    #[serde(with = "crate::timestamp")]
    pub effective_from: DateTime<Utc>,
    /// When it stops (exclusive); `None`: until ended.
    #[serde(default, with = "crate::timestamp::option")]
    pub effective_until: Option<DateTime<Utc>>,
}

impl Marketplace {
    /// A platform setting (staff only).
    pub async fn get_setting(&self, ctx: &Ctx, key: &str) -> Result<PlatformSetting> {
        self.acting_staff(ctx).await?;
        self.store()
            .admin()
            .get_setting(key)
            .await?
            .ok_or(Error::not_found("platform_setting"))
    }

    /// Every platform setting (staff only).
    pub async fn list_settings(&self, ctx: &Ctx) -> Result<Vec<PlatformSetting>> {
        self.acting_staff(ctx).await?;
        self.store().admin().list_settings().await
    }

    /// Creates or replaces a setting (staff only).
    pub async fn put_setting(
        &self,
        ctx: &Ctx,
        key: &str,
        value: serde_json::Value,
        description: Option<String>,
    ) -> Result<PlatformSetting> {
        let key: Text<100> = Text::parse_field("key", key)?;
        if key.as_str() == FEE_STRUCTURE_REVISION_KEY {
            return Err(Error::validation("key", "reserved for the fee structure"));
        }
        let size = serde_json::to_vec(&value)
            .map_err(|e| Error::validation("value", e))?
            .len();
        if size > MAX_SETTING_BYTES {
            return Err(Error::validation(
                "value",
                format!("must serialise to at most {MAX_SETTING_BYTES} bytes"),
            ));
        }
        command!(self, async {
            self.acting_staff(ctx).await?;
            let stored = self.store().admin().get_setting(key.as_str()).await?;
            let mut setting = stored.clone().unwrap_or(PlatformSetting {
                key: key.clone(),
                value: serde_json::Value::Null,
                description: None,
                updated_at: self.now(),
                version: 1,
            });
            setting.value = value.clone();
            if description.is_some() {
                setting.description = description.clone();
            }
            setting.updated_at = self.now();
            let mut changes = ChangeSet::new();
            if stored.is_some() {
                changes.update(&setting);
                setting.version += 1;
            } else {
                changes.insert(setting.clone());
            }
            changes.insert(self.audit(
                ctx,
                "platform_setting",
                Uuid::nil(),
                "put",
                stored.as_ref(),
                Some(&setting),
            )?);
            Ok((changes, setting))
        })
    }

    /// The fee structure: every tier, past, present and future.
    pub async fn list_fee_tiers(&self) -> Result<Vec<FeeTier>> {
        self.store().admin().list_fee_tiers().await
    }

    /// Bumps the fee-structure revision in `changes`, so that concurrent
    /// changes to the structure conflict instead of both passing the
    /// overlap check.
    async fn bump_fee_revision(&self, changes: &mut ChangeSet) -> Result<()> {
        let now = self.now();
        match self
            .store()
            .admin()
            .get_setting(FEE_STRUCTURE_REVISION_KEY)
            .await?
        {
            Some(mut revision) => {
                let n = revision.value.as_i64().unwrap_or(0);
                revision.value = serde_json::json!(n + 1);
                revision.updated_at = now;
                changes.update(&revision);
            }
            None => {
                changes.insert(PlatformSetting {
                    key: Text::parse(FEE_STRUCTURE_REVISION_KEY)?,
                    value: serde_json::json!(1),
                    description: Some("changes with every change to fee_structure".into()),
                    updated_at: now,
                    version: 1,
                });
            }
        }
        Ok(())
    }

    /// Adds a fee tier (staff only). Tiers of one currency may not overlap
    /// in both amount range and effective period. Contracts already made keep
    /// the fees they were quoted.
    pub async fn add_fee_tier(&self, ctx: &Ctx, input: FeeTierInput) -> Result<FeeTier> {
        let attempt = || async {
            command!(self, async {
                self.acting_staff(ctx).await?;
                let tier = FeeTier {
                    id: FeeTierId::new(),
                    tier_name: input.tier_name.clone(),
                    min_amount: input.min_amount,
                    max_amount: input.max_amount,
                    platform_fee_percentage: input.platform_fee_percentage,
                    processing_fee_percentage: input.processing_fee_percentage,
                    fixed_fee: input.fixed_fee,
                    effective_from: input.effective_from,
                    effective_until: input.effective_until,
                    created_at: self.now(),
                    version: 1,
                };
                if let Some(until) = tier.effective_until
                    && until <= tier.effective_from
                {
                    return Err(Error::validation(
                        "effective_until",
                        "must be after effective_from",
                    ));
                }
                let existing = self.store().admin().list_fee_tiers().await?;
                FeeSchedule::new(existing)?.with_tier(tier.clone())?;
                let mut changes = ChangeSet::new();
                changes.insert(tier.clone());
                self.bump_fee_revision(&mut changes).await?;
                changes.insert(self.audit(
                    ctx,
                    "fee_structure",
                    tier.id.as_uuid(),
                    "create",
                    None::<&()>,
                    Some(&tier),
                )?);
                Ok((changes, tier))
            })
        };
        match attempt().await {
            // Two first-ever changes raced to create the revision row: the
            // loser re-checks against the winner's tier.
            Err(Error::AlreadyExists { .. }) => attempt().await,
            other => other,
        }
    }

    /// Ends a fee tier at `until` (staff only); it no longer applies to
    /// contracts made from then on.
    pub async fn end_fee_tier(
        &self,
        ctx: &Ctx,
        id: FeeTierId,
        until: DateTime<Utc>,
    ) -> Result<FeeTier> {
        command!(self, async {
            self.acting_staff(ctx).await?;
            let tiers = self.store().admin().list_fee_tiers().await?;
            let mut tier = tiers
                .iter()
                .find(|t| t.id == id)
                .cloned()
                .ok_or(Error::not_found("fee_tier"))?;
            if until <= tier.effective_from {
                return Err(Error::validation(
                    "effective_until",
                    "must be after effective_from",
                ));
            }
            if tier.effective_until.is_some_and(|u| u <= until) {
                return Err(Error::rule(
                    "fee_tier_ends_earlier",
                    "a tier's end can only be brought forward",
                ));
            }
            let old = tier.clone();
            tier.effective_until = Some(until);
            let mut changes = ChangeSet::new();
            changes.update(&tier);
            self.bump_fee_revision(&mut changes).await?;
            changes.insert(self.audit_update(
                ctx,
                "fee_structure",
                id.as_uuid(),
                "end",
                &old,
                &tier,
            )?);
            tier.version += 1;
            Ok((changes, tier))
        })
    }

    /// Grants or revokes staff rights (staff only; nobody revokes their own).
    pub async fn set_staff(&self, ctx: &Ctx, user: UserId, is_staff: bool) -> Result<User> {
        command!(self, async {
            let actor = self.acting_staff(ctx).await?;
            if actor.id == user && !is_staff {
                return Err(Error::rule(
                    "cannot_revoke_self",
                    "another staff member must revoke your rights",
                ));
            }
            let mut target = self
                .store()
                .users()
                .get_by_id(user)
                .await?
                .ok_or(Error::not_found("user"))?;
            let old = target.clone();
            target.is_staff = is_staff;
            target.updated_at = self.now();
            let mut changes = ChangeSet::new();
            if old.is_staff != is_staff {
                changes.update(&target);
                changes.insert(self.audit_update(
                    ctx,
                    "user",
                    user.as_uuid(),
                    if is_staff {
                        "grant_staff"
                    } else {
                        "revoke_staff"
                    },
                    &old,
                    &target,
                )?);
                target.version += 1;
            }
            Ok((changes, target))
        })
    }

    /// Staff run the due work now (see [`Marketplace::run_due`]), for an
    /// operator's "run now" button; schedulers call `run_due` directly.
    pub async fn run_due_as_staff(&self, ctx: &Ctx) -> Result<crate::service::DueReport> {
        self.acting_staff(ctx).await?;
        self.run_due(self.now()).await
    }

    /// Staff send one pending transaction to the payment provider now (see
    /// [`Marketplace::execute_pending`]).
    pub async fn execute_pending_as_staff(
        &self,
        ctx: &Ctx,
        id: crate::ids::TransactionId,
    ) -> Result<crate::entities::Transaction> {
        self.acting_staff(ctx).await?;
        self.execute_pending(id).await
    }

    /// The audit trail of one entity, oldest first (staff only).
    pub async fn audit_trail(
        &self,
        ctx: &Ctx,
        entity_type: &str,
        entity_id: Uuid,
    ) -> Result<Vec<AuditLog>> {
        self.acting_staff(ctx).await?;
        self.store()
            .admin()
            .list_audit_by_entity(entity_type, entity_id)
            .await
    }

    /// Everything one user did, oldest first (staff only).
    pub async fn audit_by_user(&self, ctx: &Ctx, user: UserId) -> Result<Vec<AuditLog>> {
        self.acting_staff(ctx).await?;
        self.store().admin().list_audit_by_user_id(user).await
    }
}
