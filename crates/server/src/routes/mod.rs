//! One module per business area, each exposing `router()`.

pub mod audit;
pub mod auth;
pub mod dashboard;
pub mod events;
pub mod fund_sheets;
pub mod health;
pub mod project_sheets;
pub mod projects;
pub mod rates;
pub mod regions;
pub mod rules;
pub mod units;
pub mod users;
