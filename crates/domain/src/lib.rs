//! Luodi's domain vocabulary: the types that carry the rules of `shared/domain.md`.
//!
//! Nothing here performs I/O or knows about a database; every value is built through a
//! `parse`-style constructor so that an invalid one cannot exist past the edge of the system.
#![forbid(unsafe_code)]

pub mod access;
pub mod credit_code;
pub mod date;
pub mod funds;
pub mod ledger;
pub mod money;
pub mod password;
pub mod rates;
pub mod region;
pub mod rules;
pub mod targets;
pub mod tiers;
pub mod unit;

pub use access::{Permission, Role, Scope};
pub use credit_code::CreditCode;
pub use date::parse_date;
pub use money::{Fen, UsdCents};
pub use password::PasswordPolicy;
pub use rates::{Classification, Rate, Thresholds};
pub use region::{RegionCode, RegionLevel};
pub use unit::{UnitCategory, UnitSubcategory};
