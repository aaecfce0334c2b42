//! Units (单位) and their categories (domain §2, seed 004 annex).

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum UnitCategory {
    /// 责任招商单位
    Investment,
    /// 项目落户地
    Landing,
    /// 鼓励招商单位
    Encouraged,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum UnitSubcategory {
    /// 综合协调单位
    Coordinating,
    /// 产业招商单位
    Industry,
}

impl UnitCategory {
    pub const ALL: [UnitCategory; 3] = [Self::Investment, Self::Landing, Self::Encouraged];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Investment => "investment",
            Self::Landing => "landing",
            Self::Encouraged => "encouraged",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Investment => "责任招商单位",
            Self::Landing => "项目落户地",
            Self::Encouraged => "鼓励招商单位",
        }
    }

    /// Accepts the code name or the Chinese label.
    pub fn parse(s: &str) -> Option<Self> {
        let s = s.trim();
        Self::ALL
            .into_iter()
            .find(|c| c.as_str() == s || c.label() == s)
    }
}

impl UnitSubcategory {
    pub const ALL: [UnitSubcategory; 2] = [Self::Coordinating, Self::Industry];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Coordinating => "coordinating",
            Self::Industry => "industry",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Coordinating => "综合协调单位",
            Self::Industry => "产业招商单位",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        let s = s.trim();
        Self::ALL
            .into_iter()
            .find(|c| c.as_str() == s || c.label() == s)
    }
}

/// Only 责任招商单位 are split into 综合协调 / 产业招商; other categories carry no subcategory.
pub fn check_subcategory(
    category: UnitCategory,
    subcategory: Option<UnitSubcategory>,
) -> Result<(), &'static str> {
    match (category, subcategory) {
        (UnitCategory::Investment, None) => {
            Err("责任招商单位须注明子类别（综合协调单位或产业招商单位）")
        }
        (UnitCategory::Investment, Some(_)) | (_, None) => Ok(()),
        (_, Some(_)) => Err("只有责任招商单位才区分综合协调单位与产业招商单位"),
    }
}

/// Unit names as users type them: trimmed, inner whitespace collapsed, full-width
/// parentheses kept (they are part of official names).
pub fn normalize_name(name: &str) -> String {
    name.split_whitespace().collect::<Vec<_>>().join("")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_labels_and_codes() {
        assert_eq!(
            UnitCategory::parse("项目落户地"),
            Some(UnitCategory::Landing)
        );
        assert_eq!(
            UnitCategory::parse(" investment "),
            Some(UnitCategory::Investment)
        );
        assert_eq!(UnitCategory::parse("其他"), None);
        assert_eq!(
            UnitSubcategory::parse("产业招商单位"),
            Some(UnitSubcategory::Industry)
        );
    }

    #[test]
    fn subcategory_only_for_investment_units() {
        use UnitCategory::*;
        assert!(check_subcategory(Investment, Some(UnitSubcategory::Industry)).is_ok());
        assert!(check_subcategory(Investment, None).is_err());
        assert!(check_subcategory(Landing, None).is_ok());
        assert!(check_subcategory(Encouraged, Some(UnitSubcategory::Coordinating)).is_err());
    }

    #[test]
    fn names_lose_stray_spaces() {
        assert_eq!(normalize_name(" 南县 商务局 "), "南县商务局");
    }
}
