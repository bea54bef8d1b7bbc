//! The repository traits of `reelbyte-core` over SQL, one file per trait,
//! in the orders the traits document (ties broken by id, as the memory store
//! does).

mod admin;
mod clients;
mod contracts;
mod creators;
mod discovery;
mod gigs;
mod jobs;
mod ledger;
mod messaging;
mod notifications;
mod payment_methods;
mod reviews;
mod sessions;
mod support;
mod users;
