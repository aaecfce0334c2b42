//! Luodi's domain vocabulary: the types that carry the rules of `shared/domain.md`.
//!
//! Nothing here performs I/O or knows about a database; every value is built through a
//! `parse`-style constructor so that an invalid one cannot exist past the edge of the system.
#![forbid(unsafe_code)]

pub mod access;
pub mod assistance;
pub mod bulletins;
pub mod campaigns;
pub mod credit_code;
pub mod date;
pub mod deadlines;
pub mod duplicates;
pub mod funds;
pub mod ledger;
pub mod meetings;
pub mod money;
pub mod password;
pub mod problems;
pub mod rates;
pub mod reason;
pub mod region;
pub mod revisits;
pub mod rules;
pub mod supervision;
pub mod targets;
pub mod tiers;
pub mod unit;
pub mod yes_no;

pub use access::{Permission, ReviewBy, ReviewStanding, Role, Scope};
pub use credit_code::CreditCode;
pub use date::{parse_date, DateLimit};
pub use money::{Fen, UsdCents};
pub use password::PasswordPolicy;
pub use rates::{Classification, Rate, Thresholds};
pub use region::{RegionCode, RegionLevel};
pub use unit::{UnitCategory, UnitSubcategory};
pub use yes_no::parse_yes_no;

/// The Chinese name of a code of one of the domain's enumerations (stages, origins, fund
/// kinds, statuses, currencies, decisions), for messages that list the allowed values.
pub fn code_label(code: &str) -> Option<&'static str> {
    use funds::{Currency, FundKind, FundStatus, ReviewDecision};
    use ledger::{DuplicateVerdict, Stage};
    use tiers::Origin;
    let named = [
        (ReviewDecision::Confirm.as_str(), "确认"),
        (ReviewDecision::Return.as_str(), "退回"),
        (DuplicateVerdict::Duplicate.as_str(), "确认重复"),
        (DuplicateVerdict::NotDuplicate.as_str(), "不是重复"),
        (Currency::Cny.as_str(), Currency::Cny.label()),
        (Currency::Usd.as_str(), Currency::Usd.label()),
    ];
    Stage::ALL
        .into_iter()
        .map(|s| (s.as_str(), s.label()))
        .chain(Origin::ALL.into_iter().map(|o| (o.as_str(), o.label())))
        .chain(FundKind::ALL.into_iter().map(|k| (k.as_str(), k.label())))
        .chain(FundStatus::ALL.into_iter().map(|s| (s.as_str(), s.label())))
        .chain(named)
        .find(|(c, _)| *c == code)
        .map(|(_, label)| label)
}
