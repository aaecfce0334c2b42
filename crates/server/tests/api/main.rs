//! Black-box HTTP tests: each test starts the real application on port 0 against a fresh
//! database (SQLite by default, PostgreSQL when LUODI_TEST_DATABASE_URL is set) loaded with
//! the demo data, and drives it with a real HTTP client as a user of some role.
//!
//! All modules compile into this one test binary, which keeps link time down on two cores.

mod helpers;

mod assistance;
mod audit;
mod auth;
mod auth_hardening;
mod bulletins;
mod campaigns;
mod channels;
mod channels_robots;
mod compression;
mod data_handling;
mod dispatch;
mod dispatch_sheet;
mod duplicates;
mod e2e_fixtures;
mod errors;
mod events;
mod funds;
mod funds_review;
mod funds_sheet;
mod ledger;
mod ledger_credit_code;
mod ledger_dates;
mod ledger_edit;
mod ledger_sheet;
mod map;
mod meetings;
mod problems;
mod rates;
mod regions;
mod revisits;
mod rules;
mod schema;
mod scope;
mod sign_in;
mod supervision;
mod two_factor;
mod unit_scope;
mod units;
mod uploads;
mod users;
