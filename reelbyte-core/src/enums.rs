//! Every CHECK list of the plan as a Rust enum whose string forms are exactly
//! the plan's, round-tripping through serde, `FromStr` and `Display`.

/// A closed set of values with fixed string forms (implemented by
/// [`string_enum!`](crate::string_enum)).
pub trait EnumStr:
    Copy + Eq + std::hash::Hash + std::fmt::Debug + std::fmt::Display + std::str::FromStr + 'static
{
    /// Every value, in declaration order.
    const VALUES: &'static [Self];
    /// The exact string form.
    fn as_str(&self) -> &'static str;
}

/// Declares a closed set of string values (a SQL `CHECK (x IN (...))` list).
///
/// Generates `as_str`, `ALL`, `Display`, `FromStr` (refusing unknown values
/// with [`crate::Error::Validation`]) and serde impls that use the same strings.
#[macro_export]
macro_rules! string_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident : $field:literal {
            $( $(#[$vmeta:meta])* $variant:ident => $text:literal ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        $vis enum $name {
            $( #[doc = concat!("`", $text, "`")] $(#[$vmeta])* $variant, )+
        }

        impl $name {
            /// Every value, in the plan's order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The exact string the plan uses for this value.
            pub const fn as_str(&self) -> &'static str {
                match self {
                    $( $name::$variant => $text, )+
                }
            }
        }

        impl $crate::enums::EnumStr for $name {
            const VALUES: &'static [$name] = $name::ALL;
            fn as_str(&self) -> &'static str {
                $name::as_str(self)
            }
        }

        impl ::std::fmt::Debug for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = $crate::Error;
            fn from_str(s: &str) -> ::std::result::Result<Self, $crate::Error> {
                match s {
                    $( $text => Ok($name::$variant), )+
                    other => Err($crate::Error::validation(
                        $field,
                        format!("unknown value {other:?}"),
                    )),
                }
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, s: S) -> ::std::result::Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(d: D) -> ::std::result::Result<Self, D::Error> {
                let s = <::std::borrow::Cow<'de, str> as ::serde::Deserialize>::deserialize(d)?;
                s.parse().map_err(::serde::de::Error::custom)
            }
        }
    };
}

string_enum! {
    /// `users.user_type`.
    pub enum UserType: "user_type" { Creator => "creator", Client => "client", Both => "both" }
}
string_enum! {
    /// `users.status`.
    pub enum UserStatus: "status" {
        Active => "active", Suspended => "suspended", Deleted => "deleted",
        PendingVerification => "pending_verification",
    }
}
string_enum! {
    /// `creator_profiles.availability_status`.
    pub enum AvailabilityStatus: "availability_status" {
        Available => "available", Busy => "busy", Unavailable => "unavailable",
    }
}
string_enum! {
    /// `creator_profiles.verification_level`.
    pub enum VerificationLevel: "verification_level" {
        None => "none", Basic => "basic", Pro => "pro", Elite => "elite",
    }
}
string_enum! {
    /// `creator_skills.proficiency_level`.
    pub enum ProficiencyLevel: "proficiency_level" {
        Beginner => "beginner", Intermediate => "intermediate", Expert => "expert",
    }
}
string_enum! {
    /// `client_profiles.company_size`.
    pub enum CompanySize: "company_size" {
        S1To10 => "1-10", S11To50 => "11-50", S51To200 => "51-200", S201To500 => "201-500",
        S501To1000 => "501-1000", S1000Plus => "1000+",
    }
}
string_enum! {
    /// `gigs.status`.
    pub enum GigStatus: "status" { Draft => "draft", Active => "active", Paused => "paused", Deleted => "deleted" }
}
string_enum! {
    /// The three pricing tiers of a gig (`basic_*`, `standard_*`, `premium_*` columns).
    pub enum GigTier: "tier" { Basic => "basic", Standard => "standard", Premium => "premium" }
}
string_enum! {
    /// `jobs.budget_type`.
    pub enum BudgetType: "budget_type" { Fixed => "fixed", Hourly => "hourly", Range => "range" }
}
string_enum! {
    /// `jobs.experience_level`.
    pub enum ExperienceLevel: "experience_level" {
        Entry => "entry", Intermediate => "intermediate", Expert => "expert", Any => "any",
    }
}
string_enum! {
    /// `jobs.status`.
    pub enum JobStatus: "status" {
        Draft => "draft", Open => "open", InProgress => "in_progress", Completed => "completed",
        Cancelled => "cancelled", Closed => "closed",
    }
}
string_enum! {
    /// `proposals.status`.
    pub enum ProposalStatus: "status" {
        Pending => "pending", Shortlisted => "shortlisted", Accepted => "accepted",
        Rejected => "rejected", Withdrawn => "withdrawn",
    }
}
string_enum! {
    /// `contracts.status`.
    pub enum ContractStatus: "status" {
        PendingAcceptance => "pending_acceptance", Active => "active", InReview => "in_review",
        RevisionRequested => "revision_requested", Completed => "completed",
        Cancelled => "cancelled", Disputed => "disputed",
    }
}
string_enum! {
    /// `deliverables.status`.
    pub enum DeliverableStatus: "status" {
        Submitted => "submitted", UnderReview => "under_review", Approved => "approved",
        RevisionRequested => "revision_requested", Rejected => "rejected",
    }
}
string_enum! {
    /// `milestones.status`.
    pub enum MilestoneStatus: "status" {
        Pending => "pending", InProgress => "in_progress", Submitted => "submitted",
        Approved => "approved", Paid => "paid",
    }
}
string_enum! {
    /// `payment_methods.type`.
    pub enum PaymentMethodType: "type" {
        Card => "card", BankAccount => "bank_account", Paypal => "paypal", Crypto => "crypto",
    }
}
string_enum! {
    /// `payout_methods.type`.
    pub enum PayoutMethodType: "type" {
        BankTransfer => "bank_transfer", Paypal => "paypal", Stripe => "stripe", Crypto => "crypto",
    }
}
string_enum! {
    /// `transactions.transaction_type`.
    pub enum TransactionType: "transaction_type" {
        Payment => "payment", Refund => "refund", Payout => "payout", EscrowHold => "escrow_hold",
        EscrowRelease => "escrow_release", PlatformFee => "platform_fee", Tip => "tip",
        Adjustment => "adjustment",
    }
}
string_enum! {
    /// `transactions.status`.
    pub enum TransactionStatus: "status" {
        Pending => "pending", Processing => "processing", Completed => "completed",
        Failed => "failed", Refunded => "refunded", Cancelled => "cancelled",
    }
}
string_enum! {
    /// `escrow_accounts.status`.
    pub enum EscrowStatus: "status" {
        Active => "active", Releasing => "releasing", Released => "released",
        Refunding => "refunding", Refunded => "refunded",
    }
}
string_enum! {
    /// `reviews.reviewer_type`.
    pub enum ReviewerType: "reviewer_type" { Client => "client", Creator => "creator" }
}
string_enum! {
    /// `conversations.conversation_type`.
    pub enum ConversationType: "conversation_type" {
        Direct => "direct", JobInquiry => "job_inquiry", ContractDiscussion => "contract_discussion",
    }
}
string_enum! {
    /// `messages.message_type`.
    pub enum MessageType: "message_type" {
        Text => "text", File => "file", Video => "video", Image => "image", System => "system",
    }
}
string_enum! {
    /// `saved_searches.search_type`.
    pub enum SearchType: "search_type" { Gigs => "gigs", Jobs => "jobs", Creators => "creators" }
}
string_enum! {
    /// `saved_searches.alert_frequency`.
    pub enum AlertFrequency: "alert_frequency" {
        Immediate => "immediate", Daily => "daily", Weekly => "weekly",
    }
}
string_enum! {
    /// `favorites.favorited_type`.
    pub enum FavoritedType: "favorited_type" { Gig => "gig", Creator => "creator", Job => "job" }
}
string_enum! {
    /// `disputes.dispute_type`.
    pub enum DisputeType: "dispute_type" {
        Quality => "quality", Payment => "payment", Timeline => "timeline", Scope => "scope",
        Other => "other",
    }
}
string_enum! {
    /// `disputes.status`.
    pub enum DisputeStatus: "status" {
        Open => "open", UnderReview => "under_review", Resolved => "resolved",
        Escalated => "escalated", Closed => "closed",
    }
}
string_enum! {
    /// `support_tickets.priority`.
    pub enum TicketPriority: "priority" { Low => "low", Normal => "normal", High => "high", Urgent => "urgent" }
}
string_enum! {
    /// `support_tickets.status`.
    pub enum TicketStatus: "status" {
        Open => "open", InProgress => "in_progress", WaitingOnCustomer => "waiting_on_customer",
        Resolved => "resolved", Closed => "closed",
    }
}
