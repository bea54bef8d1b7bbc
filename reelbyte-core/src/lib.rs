#![doc = include_str!("../README.md")]
#![deny(missing_docs)]

pub mod auth;
pub mod clock;
pub mod entities;
pub mod enums;
pub mod error;
pub mod fees;
pub mod gateway;
pub mod idempotency;
pub mod ids;
pub mod ledger;
pub mod money;
pub mod notify;
pub mod policy;
pub mod realtime;
pub mod service;
pub mod spelling;
pub mod state;
pub mod store;
#[cfg(feature = "proptest")]
pub mod strategies;
#[cfg(feature = "testing")]
pub mod testing;
pub mod text_search;
pub mod timestamp;
pub mod value;

pub use error::{Error, Result};
pub use money::{Currency, Money};
pub use service::{Ctx, Marketplace};
