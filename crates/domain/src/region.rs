//! Administrative divisions (行政区划), GB/T 2260 six-digit codes.

use serde::{Deserialize, Serialize};
use std::fmt;
use utoipa::ToSchema;

/// Level of a region in the national tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RegionLevel {
    /// 省级
    Province,
    /// 地级（市州）
    Prefecture,
    /// 县级（县市区、统计用开发区）
    County,
}

impl RegionLevel {
    /// The level directly below, if any.
    pub fn child(self) -> Option<RegionLevel> {
        match self {
            Self::Province => Some(Self::Prefecture),
            Self::Prefecture => Some(Self::County),
            Self::County => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Province => "province",
            Self::Prefecture => "prefecture",
            Self::County => "county",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "province" => Some(Self::Province),
            "prefecture" => Some(Self::Prefecture),
            "county" => Some(Self::County),
            _ => None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Province => "省级",
            Self::Prefecture => "市州",
            Self::County => "县市区",
        }
    }
}

/// A six-digit region code such as `430921` (南县).
///
/// The level is implied by the trailing zeros: `43 00 00` is a province, `43 09 00` a
/// prefecture, anything else a county. A region's subtree is exactly the set of codes that
/// share its significant prefix, which is what makes "everything in 湖南" one index range scan.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct RegionCode(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("行政区划代码应为6位数字")]
pub struct InvalidRegionCode;

impl RegionCode {
    pub fn parse(s: &str) -> Result<Self, InvalidRegionCode> {
        let s = s.trim();
        if s.len() == 6 && s.bytes().all(|b| b.is_ascii_digit()) && &s[..2] != "00" {
            Ok(Self(s.to_owned()))
        } else {
            Err(InvalidRegionCode)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn level(&self) -> RegionLevel {
        if &self.0[2..] == "0000" {
            RegionLevel::Province
        } else if &self.0[4..] == "00" {
            RegionLevel::Prefecture
        } else {
            RegionLevel::County
        }
    }

    /// The digits that every code in this region's subtree starts with.
    pub fn prefix(&self) -> &str {
        match self.level() {
            RegionLevel::Province => &self.0[..2],
            RegionLevel::Prefecture => &self.0[..4],
            RegionLevel::County => &self.0,
        }
    }

    /// Half-open range `[lo, hi)` of codes (compared as text) inside this region's subtree.
    ///
    /// Used as `code >= lo AND code < hi`, which both SQLite and PostgreSQL answer with an index
    /// range scan, unlike `LIKE 'prefix%'` whose index use depends on collation settings.
    pub fn subtree_range(&self) -> (String, String) {
        let prefix = self.prefix();
        let lo = prefix.to_owned();
        // Incrementing the last digit of an all-digit prefix never carries past '9' + 1 = ':',
        // which sorts right after '9' in ASCII, so the bound stays correct without carrying.
        let mut hi = prefix.as_bytes().to_vec();
        *hi.last_mut().expect("prefix is never empty") += 1;
        let hi = String::from_utf8(hi).expect("ascii stays ascii");
        (lo, hi)
    }

    /// Whether `other` lies in this region's subtree (a region contains itself).
    pub fn contains(&self, other: &RegionCode) -> bool {
        other.0.starts_with(self.prefix())
    }

    /// Code of the parent region implied by the code itself (not for municipalities' special
    /// cases, which the stored tree answers).
    pub fn implied_parent(&self) -> Option<RegionCode> {
        match self.level() {
            RegionLevel::Province => None,
            RegionLevel::Prefecture => Some(Self(format!("{}0000", &self.0[..2]))),
            RegionLevel::County => Some(Self(format!("{}00", &self.0[..4]))),
        }
    }
}

impl RegionCode {
    /// The smallest region containing both (by their codes), or `None` across provinces.
    pub fn common_ancestor(&self, other: &RegionCode) -> Option<RegionCode> {
        let mut region = Some(self.clone());
        while let Some(r) = region {
            if r.contains(other) {
                return Some(r);
            }
            region = r.implied_parent();
        }
        None
    }
}

impl fmt::Display for RegionCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for RegionCode {
    type Error = InvalidRegionCode;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<RegionCode> for String {
    fn from(value: RegionCode) -> Self {
        value.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(s: &str) -> RegionCode {
        RegionCode::parse(s).unwrap()
    }

    #[test]
    fn the_common_ancestor_is_the_smallest_region_holding_both() {
        let ancestor = |a: &str, b: &str| code(a).common_ancestor(&code(b)).map(String::from);
        assert_eq!(ancestor("430921", "430921").as_deref(), Some("430921"));
        // 南县 and 沅江市 are both in 益阳市.
        assert_eq!(ancestor("430921", "430981").as_deref(), Some("430900"));
        assert_eq!(ancestor("430981", "430921").as_deref(), Some("430900"));
        // 南县 and 浏阳市 meet only in 湖南省.
        assert_eq!(ancestor("430921", "430181").as_deref(), Some("430000"));
        assert_eq!(ancestor("430900", "430921").as_deref(), Some("430900"));
        assert_eq!(ancestor("430921", "430900").as_deref(), Some("430900"));
        assert_eq!(ancestor("430921", "420102"), None);
    }

    #[test]
    fn levels_follow_trailing_zeros() {
        assert_eq!(code("430000").level(), RegionLevel::Province);
        assert_eq!(code("430900").level(), RegionLevel::Prefecture);
        assert_eq!(code("430921").level(), RegionLevel::County);
        assert_eq!(code("110101").level(), RegionLevel::County);
    }

    #[test]
    fn rejects_malformed_codes() {
        for bad in ["", "43092", "4309211", "43a921", "000000", "４３０９２１"] {
            assert!(RegionCode::parse(bad).is_err(), "{bad} should be rejected");
        }
        assert_eq!(code(" 430921 ").as_str(), "430921");
    }

    #[test]
    fn subtree_ranges_cover_exactly_the_subtree() {
        let hunan = code("430000");
        assert_eq!(hunan.subtree_range(), ("43".into(), "44".into()));
        let yiyang = code("430900");
        let (lo, hi) = yiyang.subtree_range();
        assert_eq!((lo.as_str(), hi.as_str()), ("4309", "430:"));
        for inside in ["430900", "430921", "430981", "430999"] {
            assert!(inside >= lo.as_str() && inside < hi.as_str(), "{inside}");
            assert!(yiyang.contains(&code(inside)));
        }
        for outside in ["430800", "431000", "440921", "430899"] {
            assert!(
                !(outside >= lo.as_str() && outside < hi.as_str()),
                "{outside}"
            );
            assert!(!yiyang.contains(&code(outside)));
        }
        let nan = code("430921");
        let (lo, hi) = nan.subtree_range();
        assert!("430921" >= lo.as_str() && "430921" < hi.as_str());
        assert!(!("430922" >= lo.as_str() && "430922" < hi.as_str()));
    }

    #[test]
    fn implied_parents() {
        assert_eq!(code("430921").implied_parent(), Some(code("430900")));
        assert_eq!(code("430900").implied_parent(), Some(code("430000")));
        assert_eq!(code("430000").implied_parent(), None);
    }
}
