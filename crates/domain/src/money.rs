//! Money as integer minor units. 元 and US dollars are different types, so they cannot be
//! added together by mistake.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::iter::Sum;
use std::ops::{Add, Sub};

/// An amount in 分 (1/100 元).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Fen(pub i64);

/// An amount in US cents.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct UsdCents(pub i64);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvalidAmount {
    #[error("金额不能为空")]
    Empty,
    #[error("金额“{0}”不是有效的数字")]
    NotANumber(String),
    #[error("金额最多保留两位小数（到分）")]
    TooPrecise,
    #[error("金额不能为负数")]
    Negative,
    #[error("金额过大")]
    TooLarge,
}

/// Parses a decimal amount in the given unit (1 = 元 or dollars, 10_000 = 万元) into minor
/// units, exactly: "1.5" 万元 is 1_500_000 分, and no float is involved.
fn parse_minor(input: &str, unit_in_major: i64) -> Result<i64, InvalidAmount> {
    let s: String = input
        .trim()
        .chars()
        .filter(|c| *c != ',' && *c != '，')
        .collect();
    if s.is_empty() {
        return Err(InvalidAmount::Empty);
    }
    if s.starts_with('-') {
        return Err(InvalidAmount::Negative);
    }
    let (whole, frac) = s.split_once('.').unwrap_or((&s, ""));
    let digits_ok = |p: &str| p.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() && frac.is_empty() || !digits_ok(whole) || !digits_ok(frac) {
        return Err(InvalidAmount::NotANumber(input.trim().to_owned()));
    }
    // minor units per one unit of input: 100 × unit; the fraction may use as many digits as
    // that scale allows (2 for 元, 6 for 万元).
    let scale = 100i128 * unit_in_major as i128;
    let allowed = scale.to_string().len() - 1;
    let frac = frac.trim_end_matches('0');
    if frac.len() > allowed {
        return Err(InvalidAmount::TooPrecise);
    }
    let whole: i128 = if whole.is_empty() {
        0
    } else {
        whole.parse().map_err(|_| InvalidAmount::TooLarge)?
    };
    let frac_value: i128 = if frac.is_empty() {
        0
    } else {
        frac.parse::<i128>().map_err(|_| InvalidAmount::TooLarge)?
            * 10i128.pow((allowed - frac.len()) as u32)
    };
    let total = whole
        .checked_mul(scale)
        .and_then(|w| w.checked_add(frac_value))
        .ok_or(InvalidAmount::TooLarge)?;
    i64::try_from(total).map_err(|_| InvalidAmount::TooLarge)
}

/// Formats minor units in a unit of `unit_in_major` major units with `decimals` places,
/// rounding half away from zero (display only).
fn format_minor(minor: i64, unit_in_major: i64, decimals: u32) -> String {
    let scale = 100i128 * unit_in_major as i128;
    let shown = 10i128.pow(decimals);
    let value = minor as i128 * shown;
    let rounded = (value.abs() + scale / 2) / scale * value.signum();
    let whole = rounded / shown;
    let frac = (rounded % shown).abs();
    let whole = group_thousands(whole);
    if decimals == 0 {
        whole
    } else {
        format!("{whole}.{frac:0width$}", width = decimals as usize)
    }
}

fn exact_minor(minor: i64, unit_in_major: i64) -> String {
    let scale = 100i128 * unit_in_major as i128;
    let digits = scale.to_string().len() - 1;
    let v = minor as i128;
    let whole = v.abs() / scale;
    let frac = format!("{:0width$}", v.abs() % scale, width = digits);
    let frac = frac.trim_end_matches('0');
    let sign = if v < 0 { "-" } else { "" };
    if frac.is_empty() {
        format!("{sign}{whole}")
    } else {
        format!("{sign}{whole}.{frac}")
    }
}

fn group_thousands(n: i128) -> String {
    let digits = n.abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 {
        format!("-{out}")
    } else {
        out
    }
}

impl Fen {
    pub fn parse_yuan(s: &str) -> Result<Self, InvalidAmount> {
        parse_minor(s, 1).map(Fen)
    }

    pub fn parse_wan_yuan(s: &str) -> Result<Self, InvalidAmount> {
        parse_minor(s, 10_000).map(Fen)
    }

    pub fn from_wan_yuan(wan: i64) -> Self {
        Fen(wan * 10_000 * 100)
    }

    pub fn from_yi_yuan(yi: i64) -> Self {
        Fen(yi * 100_000_000 * 100)
    }

    /// The exact amount in 万元 without grouping or trailing zeros ("20000", "1.5",
    /// "0.000001"), as written into spreadsheets so that a round trip loses nothing.
    pub fn exact_wan_yuan(self) -> String {
        exact_minor(self.0, 10_000)
    }

    /// The exact amount in 亿元 ("1", "0.5"), for rules stated in 亿元.
    pub fn exact_yi_yuan(self) -> String {
        exact_minor(self.0, 100_000_000)
    }

    /// "1,234.57" 万元.
    pub fn display_wan_yuan(self) -> String {
        format_minor(self.0, 10_000, 2)
    }

    /// "12.35" 亿元.
    pub fn display_yi_yuan(self) -> String {
        format_minor(self.0, 100_000_000, 2)
    }
}

impl UsdCents {
    pub fn parse_usd(s: &str) -> Result<Self, InvalidAmount> {
        parse_minor(s, 1).map(UsdCents)
    }

    pub fn parse_wan_usd(s: &str) -> Result<Self, InvalidAmount> {
        parse_minor(s, 10_000).map(UsdCents)
    }

    pub fn from_wan_usd(wan: i64) -> Self {
        UsdCents(wan * 10_000 * 100)
    }

    /// The exact amount in 万美元, as [`Fen::exact_wan_yuan`].
    pub fn exact_wan_usd(self) -> String {
        exact_minor(self.0, 10_000)
    }

    /// "1,000.00" 万美元.
    pub fn display_wan_usd(self) -> String {
        format_minor(self.0, 10_000, 2)
    }
}

macro_rules! arithmetic {
    ($t:ident) => {
        impl Add for $t {
            type Output = $t;
            fn add(self, rhs: $t) -> $t {
                $t(self.0 + rhs.0)
            }
        }
        impl Sub for $t {
            type Output = $t;
            fn sub(self, rhs: $t) -> $t {
                $t(self.0 - rhs.0)
            }
        }
        impl Sum for $t {
            fn sum<I: Iterator<Item = $t>>(iter: I) -> $t {
                $t(iter.map(|x| x.0).sum())
            }
        }
    };
}
arithmetic!(Fen);
arithmetic!(UsdCents);

impl fmt::Display for Fen {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}万元", self.display_wan_yuan())
    }
}

impl fmt::Display for UsdCents {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}万美元", self.display_wan_usd())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_exactly_without_floats() {
        assert_eq!(Fen::parse_yuan("1234.56"), Ok(Fen(123_456)));
        assert_eq!(Fen::parse_yuan("1,234"), Ok(Fen(123_400)));
        assert_eq!(Fen::parse_yuan("0.1"), Ok(Fen(10)));
        assert_eq!(Fen::parse_wan_yuan("1.5"), Ok(Fen(1_500_000)));
        assert_eq!(Fen::parse_wan_yuan("0.000001"), Ok(Fen(1)));
        assert_eq!(Fen::parse_wan_yuan("10000"), Ok(Fen::from_yi_yuan(1)));
        assert_eq!(
            UsdCents::parse_wan_usd("1000"),
            Ok(UsdCents::from_wan_usd(1000))
        );
    }

    #[test]
    fn rejects_bad_amounts() {
        assert_eq!(Fen::parse_yuan(""), Err(InvalidAmount::Empty));
        assert_eq!(Fen::parse_yuan("-5"), Err(InvalidAmount::Negative));
        assert_eq!(Fen::parse_yuan("1.234"), Err(InvalidAmount::TooPrecise));
        assert!(matches!(
            Fen::parse_yuan("十万"),
            Err(InvalidAmount::NotANumber(_))
        ));
        assert!(matches!(
            Fen::parse_yuan("1e5"),
            Err(InvalidAmount::NotANumber(_))
        ));
        assert!(matches!(
            Fen::parse_yuan("."),
            Err(InvalidAmount::NotANumber(_))
        ));
        assert_eq!(
            Fen::parse_yuan("99999999999999999999"),
            Err(InvalidAmount::TooLarge)
        );
    }

    #[test]
    fn displays_in_wan_and_yi_with_grouping() {
        assert_eq!(
            Fen::parse_yuan("123456789.99").unwrap().display_wan_yuan(),
            "12,345.68"
        );
        assert_eq!(Fen::from_yi_yuan(5).display_yi_yuan(), "5.00");
        assert_eq!(Fen(0).display_wan_yuan(), "0.00");
        assert_eq!(Fen::from_wan_yuan(3).to_string(), "3.00万元");
        assert_eq!(UsdCents::from_wan_usd(1000).to_string(), "1,000.00万美元");
    }

    #[test]
    fn exact_wan_round_trips() {
        for s in ["20000", "1.5", "0.000001", "0", "123.45"] {
            assert_eq!(Fen::parse_wan_yuan(s).unwrap().exact_wan_yuan(), s);
        }
        assert_eq!(
            UsdCents::parse_wan_usd("1000.25").unwrap().exact_wan_usd(),
            "1000.25"
        );
    }
}
