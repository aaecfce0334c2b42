//! One module per business area, each exposing `router()`.

pub mod assistance;
pub mod audit;
pub mod auth;
pub mod bulletins;
pub mod campaigns;
pub mod channels;
pub mod dashboard;
pub mod dispatch;
pub mod duplicates;
pub mod events;
pub mod funds;
pub mod health;
pub mod ledger;
pub mod map;
pub mod meetings;
pub mod problems;
pub mod rates;
pub mod regions;
pub mod revisits;
pub mod rules;
pub mod supervision;
pub mod targets;
pub mod tasks;
pub mod two_factor;
pub mod units;
pub mod users;
