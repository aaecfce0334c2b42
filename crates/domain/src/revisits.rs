//! The revisit registration form (回访登记表, seed [002] "大回访", domain §9): per project, six
//! sections — 政策落实, 承诺兑现, 要素保障, 投资环境, 服务水平, 存在的困难和问题 — the first five
//! each with the company's satisfaction and what was found, the last the difficulties raised.
//! Required for large projects by the tier rule (`tiers::Obligation::RevisitForm`).

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A section of the form, in the form's order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RevisitSection {
    /// 政策落实
    Policy,
    /// 承诺兑现
    Commitments,
    /// 要素保障
    Factors,
    /// 投资环境
    Environment,
    /// 服务水平
    Service,
    /// 存在的困难和问题
    Difficulties,
}

impl RevisitSection {
    pub const ALL: [Self; 6] = [
        Self::Policy,
        Self::Commitments,
        Self::Factors,
        Self::Environment,
        Self::Service,
        Self::Difficulties,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Policy => "policy",
            Self::Commitments => "commitments",
            Self::Factors => "factors",
            Self::Environment => "environment",
            Self::Service => "service",
            Self::Difficulties => "difficulties",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Policy => "政策落实",
            Self::Commitments => "承诺兑现",
            Self::Factors => "要素保障",
            Self::Environment => "投资环境",
            Self::Service => "服务水平",
            Self::Difficulties => "存在的困难和问题",
        }
    }

    /// Whether the company rates the section (all but the difficulties).
    pub fn rated(self) -> bool {
        self != Self::Difficulties
    }
}

/// The company's satisfaction with a section.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Satisfaction {
    /// 满意
    Satisfied,
    /// 基本满意
    Fair,
    /// 不满意
    Unsatisfied,
}

impl Satisfaction {
    pub fn label(self) -> &'static str {
        match self {
            Self::Satisfied => "满意",
            Self::Fair => "基本满意",
            Self::Unsatisfied => "不满意",
        }
    }
}

/// One section as filled in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct SectionEntry {
    pub section: RevisitSection,
    /// The company's satisfaction (the five rated sections).
    pub rating: Option<Satisfaction>,
    /// What was found (情况说明).
    pub content: String,
}

/// Longest text of one section.
pub const MAX_SECTION_CHARS: usize = 2000;

/// Checks the six sections: each once, in any order, with its text, and a rating where the form
/// asks one. Answers them in the form's order, or every fault as `(field, message)` with the
/// field named `sections.<section>`.
pub fn check_sections(
    entries: &[SectionEntry],
) -> Result<Vec<SectionEntry>, Vec<(String, String)>> {
    let mut errors = Vec::new();
    let mut out = Vec::new();
    for section in RevisitSection::ALL {
        let field = format!("sections.{}", section.as_str());
        let found: Vec<&SectionEntry> = entries.iter().filter(|e| e.section == section).collect();
        match found.as_slice() {
            [] => errors.push((field, format!("请填写“{}”", section.label()))),
            [e] => {
                let content = e.content.trim();
                if content.is_empty() {
                    errors.push((field.clone(), format!("请填写“{}”的情况", section.label())));
                } else if content.chars().count() > MAX_SECTION_CHARS {
                    errors.push((
                        field.clone(),
                        format!("“{}”不超过{MAX_SECTION_CHARS}个字", section.label()),
                    ));
                }
                if section.rated() && e.rating.is_none() {
                    errors.push((
                        field.clone(),
                        format!("请选择企业对“{}”的评价", section.label()),
                    ));
                }
                out.push(SectionEntry {
                    section,
                    rating: e.rating.filter(|_| section.rated()),
                    content: content.to_owned(),
                });
            }
            _ => errors.push((field, format!("“{}”填写了多次", section.label()))),
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(section: RevisitSection, rating: Option<Satisfaction>, content: &str) -> SectionEntry {
        SectionEntry {
            section,
            rating,
            content: content.into(),
        }
    }

    fn full() -> Vec<SectionEntry> {
        RevisitSection::ALL
            .into_iter()
            .rev()
            .map(|s| {
                entry(
                    s,
                    s.rated().then_some(Satisfaction::Satisfied),
                    &format!(" {} 情况 ", s.label()),
                )
            })
            .collect()
    }

    #[test]
    fn six_sections_in_the_forms_order_with_their_labels() {
        let labels: Vec<&str> = RevisitSection::ALL.iter().map(|s| s.label()).collect();
        assert_eq!(
            labels,
            [
                "政策落实",
                "承诺兑现",
                "要素保障",
                "投资环境",
                "服务水平",
                "存在的困难和问题"
            ]
        );
        let checked = check_sections(&full()).unwrap();
        assert_eq!(checked[0].section, RevisitSection::Policy);
        assert_eq!(checked[0].content, "政策落实 情况");
        assert_eq!(checked[5].section, RevisitSection::Difficulties);
        assert_eq!(checked[5].rating, None);
    }

    #[test]
    fn every_missing_unrated_blank_or_repeated_section_is_named() {
        let mut entries = full();
        entries.retain(|e| e.section != RevisitSection::Factors);
        entries[0].content = "  ".into();
        let service = entries
            .iter_mut()
            .find(|e| e.section == RevisitSection::Service)
            .unwrap();
        service.rating = None;
        entries.push(entry(RevisitSection::Policy, None, "again"));
        let errors = check_sections(&entries).unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|(f, _)| f.as_str()).collect();
        assert!(fields.contains(&"sections.factors"), "{errors:?}");
        assert!(fields.contains(&"sections.difficulties"), "{errors:?}");
        assert!(fields.contains(&"sections.service"), "{errors:?}");
        assert!(fields.contains(&"sections.policy"), "{errors:?}");
        // The difficulties need no rating; a rating given there is not kept.
        let mut entries = full();
        entries[0].rating = Some(Satisfaction::Unsatisfied);
        let checked = check_sections(&entries).unwrap();
        assert_eq!(checked[5].rating, None);
    }
}
