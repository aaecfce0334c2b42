//! The project ledger's rules (domain §3): stages, the "四即" chain, duplicate detection keys.

use serde::{Deserialize, Serialize};

/// Default stages of a project; the dictionary is editable, these are the codes the rules use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    Lead,
    Intent,
    Negotiating,
    Signed,
    LandSupplied,
    Started,
    Completed,
    Producing,
    Terminated,
    Defaulted,
}

impl Stage {
    pub const ALL: [Stage; 10] = [
        Stage::Lead,
        Stage::Intent,
        Stage::Negotiating,
        Stage::Signed,
        Stage::LandSupplied,
        Stage::Started,
        Stage::Completed,
        Stage::Producing,
        Stage::Terminated,
        Stage::Defaulted,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Lead => "lead",
            Self::Intent => "intent",
            Self::Negotiating => "negotiating",
            Self::Signed => "signed",
            Self::LandSupplied => "land_supplied",
            Self::Started => "started",
            Self::Completed => "completed",
            Self::Producing => "producing",
            Self::Terminated => "terminated",
            Self::Defaulted => "defaulted",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Lead => "线索",
            Self::Intent => "意向",
            Self::Negotiating => "在谈",
            Self::Signed => "已签约",
            Self::LandSupplied => "已供地",
            Self::Started => "已开工",
            Self::Completed => "已竣工",
            Self::Producing => "已投产",
            Self::Terminated => "终止",
            Self::Defaulted => "未履约",
        }
    }

    /// Accepts the code or the Chinese label.
    pub fn parse(s: &str) -> Option<Self> {
        let s = s.trim();
        Self::ALL
            .into_iter()
            .find(|x| x.as_str() == s || x.label() == s)
    }

    /// Whether the project has been signed (counts in the 三率 denominators).
    pub fn is_signed(self) -> bool {
        matches!(
            self,
            Self::Signed
                | Self::LandSupplied
                | Self::Started
                | Self::Completed
                | Self::Producing
                | Self::Defaulted
        )
    }

    /// Side exits end the main line.
    pub fn is_exit(self) -> bool {
        matches!(self, Self::Terminated | Self::Defaulted)
    }
}

/// Normalises a project or company name for duplicate detection: the same project entered
/// as "湖南某某科技有限公司年产10万吨项目（一期）" and "某某科技年产10万吨" should meet.
pub fn name_key(name: &str) -> String {
    const NOISE: [&str; 14] = [
        "股份有限公司",
        "有限责任公司",
        "有限公司",
        "集团",
        "股份",
        "公司",
        "建设项目",
        "项目",
        "工程",
        "一期",
        "二期",
        "三期",
        "湖南省",
        "湖南",
    ];
    let mut s: String = name
        .chars()
        .map(|c| match c {
            // full-width ASCII → half-width
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            _ => c,
        })
        .collect::<String>()
        .to_lowercase();
    // drop bracketed remarks: (一期) 【】 《》 etc.
    let mut out = String::with_capacity(s.len());
    let mut depth = 0usize;
    for c in s.chars() {
        match c {
            '(' | '[' | '【' | '《' | '〔' => depth += 1,
            ')' | ']' | '】' | '》' | '〕' => depth = depth.saturating_sub(1),
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    s = out;
    for noise in NOISE {
        s = s.replace(noise, "");
    }
    s.chars().filter(|c| c.is_alphanumeric()).collect()
}

/// A name key's character bigrams, sorted, so one name can be compared with many without
/// recomputing them (imports compare each new name with its neighbours).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Bigrams(Vec<(char, char)>);

impl Bigrams {
    pub fn of(key: &str) -> Self {
        let chars: Vec<char> = key.chars().collect();
        let mut grams: Vec<(char, char)> = if chars.len() < 2 {
            chars.iter().map(|&c| (c, ' ')).collect()
        } else {
            chars.windows(2).map(|w| (w[0], w[1])).collect()
        };
        grams.sort_unstable();
        Self(grams)
    }

    /// Similarity 0–100: twice the bigrams the two have in common (as multisets) over the
    /// bigrams of both (Dice coefficient).
    pub fn similarity(&self, other: &Self) -> u32 {
        let (x, y) = (&self.0, &other.0);
        if x.is_empty() || y.is_empty() {
            return 0;
        }
        let (mut i, mut j, mut shared) = (0, 0, 0);
        while i < x.len() && j < y.len() {
            match x[i].cmp(&y[j]) {
                std::cmp::Ordering::Less => i += 1,
                std::cmp::Ordering::Greater => j += 1,
                std::cmp::Ordering::Equal => {
                    shared += 1;
                    i += 1;
                    j += 1;
                }
            }
        }
        (200 * shared / (x.len() + y.len())) as u32
    }
}

/// Similarity of two name keys, 0–100: the share of character bigrams they have in common
/// (Dice coefficient), which tolerates reordering and small edits in Chinese names.
pub fn name_similarity(a: &str, b: &str) -> u32 {
    Bigrams::of(a).similarity(&Bigrams::of(b))
}

/// Days between two steps of the "四即" chain (签约即供地、交地即交证、拿证即开工、竣工即投产).
pub fn days_between(from: time::Date, to: time::Date) -> i64 {
    (to - from).whole_days()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stages_parse_from_code_or_label() {
        assert_eq!(Stage::parse("已开工"), Some(Stage::Started));
        assert_eq!(Stage::parse("land_supplied"), Some(Stage::LandSupplied));
        assert_eq!(Stage::parse("开工"), None);
        assert!(Stage::Producing.is_signed() && !Stage::Negotiating.is_signed());
        assert!(
            !Stage::Terminated.is_signed(),
            "a terminated project left the signed count"
        );
    }

    #[test]
    fn name_keys_strip_company_forms_and_brackets() {
        assert_eq!(
            name_key("湖南某某科技有限公司年产10万吨项目（一期）"),
            name_key("某某科技年产１０万吨")
        );
        assert_eq!(name_key("中联重科（益阳）产业园项目"), "中联重科产业园");
    }

    #[test]
    fn similarity_scores() {
        assert_eq!(name_similarity("中联重科产业园", "中联重科产业园"), 100);
        assert!(name_similarity("中联重科产业园", "中联重科智能产业园") >= 70);
        assert!(name_similarity("中联重科产业园", "比亚迪电池") < 20);
        assert_eq!(name_similarity("", "x"), 0);
        assert_eq!(name_similarity("x", "x"), 100);
    }

    #[test]
    fn repeated_bigrams_count_once_per_occurrence() {
        // "哈哈哈" has the bigram 哈哈 twice; "哈哈" once: one shared of three in all.
        assert_eq!(name_similarity("哈哈哈", "哈哈"), 66);
        assert_eq!(name_similarity("哈哈哈", "哈哈哈"), 100);
        let a = Bigrams::of("中联重科产业园");
        assert_eq!(a.similarity(&Bigrams::of("中联重科产业园")), 100);
        assert_eq!(
            a.similarity(&Bigrams::of("中联重科智能产业园")),
            name_similarity("中联重科产业园", "中联重科智能产业园")
        );
    }

    #[test]
    fn four_immediate_chain_days() {
        use time::macros::date;
        assert_eq!(
            days_between(date!(2026 - 01 - 10), date!(2026 - 03 - 01)),
            50
        );
    }
}
