//! 统一社会信用代码 (unified social credit code), GB 32100-2015.

use serde::{Deserialize, Serialize};
use std::fmt;

/// The 31 characters the standard allows; I, O, S, V and Z are excluded.
const CHARSET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
/// Weight of each of the first 17 positions: 3^i mod 31.
const WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];

/// An 18-character unified social credit code whose check character is valid.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CreditCode(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvalidCreditCode {
    #[error("统一社会信用代码应为18位，实际为{0}位")]
    Length(usize),
    #[error("统一社会信用代码第{position}位“{found}”不是允许的字符（数字或除I、O、S、V、Z外的大写字母）")]
    Character { position: usize, found: char },
    #[error("统一社会信用代码校验位错误：应为“{expected}”，实际为“{found}”")]
    Checksum { expected: char, found: char },
}

fn value_of(c: u8) -> Option<u32> {
    CHARSET.iter().position(|&x| x == c).map(|p| p as u32)
}

impl CreditCode {
    /// Parses a code, accepting lower-case letters and surrounding spaces as typed by users.
    pub fn parse(input: &str) -> Result<Self, InvalidCreditCode> {
        let normalized = input.trim().to_ascii_uppercase();
        let chars: Vec<char> = normalized.chars().collect();
        if chars.len() != 18 {
            return Err(InvalidCreditCode::Length(chars.len()));
        }
        let mut values = [0u32; 18];
        for (i, &c) in chars.iter().enumerate() {
            values[i] =
                u8::try_from(c)
                    .ok()
                    .and_then(value_of)
                    .ok_or(InvalidCreditCode::Character {
                        position: i + 1,
                        found: c,
                    })?;
        }
        let sum: u32 = WEIGHTS.iter().zip(&values).map(|(w, v)| w * v).sum();
        let check = (31 - sum % 31) % 31;
        if values[17] != check {
            return Err(InvalidCreditCode::Checksum {
                expected: CHARSET[check as usize] as char,
                found: chars[17],
            });
        }
        Ok(Self(normalized))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Completes 17 valid characters with their check character (for generated test data).
    pub fn with_check(first17: &str) -> Option<Self> {
        let values: Option<Vec<u32>> = first17.bytes().map(value_of).collect();
        let values = values.filter(|v| v.len() == 17)?;
        let sum: u32 = WEIGHTS.iter().zip(&values).map(|(w, v)| w * v).sum();
        let check = CHARSET[((31 - sum % 31) % 31) as usize] as char;
        Self::parse(&format!("{first17}{check}")).ok()
    }
}

impl fmt::Display for CreditCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for CreditCode {
    type Error = InvalidCreditCode;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<CreditCode> for String {
    fn from(value: CreditCode) -> Self {
        value.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_published_codes() {
        // Codes printed on public business licences.
        for code in [
            "914403001922038216",
            "91110000100017643K",
            "911100007109288314",
        ] {
            assert!(CreditCode::parse(code).is_ok(), "{code}");
        }
        assert_eq!(
            CreditCode::parse(" 91110000100017643k ").unwrap().as_str(),
            "91110000100017643K"
        );
    }

    #[test]
    fn completes_a_code_with_its_check_character() {
        assert_eq!(
            CreditCode::with_check("91440300192203821")
                .unwrap()
                .as_str(),
            "914403001922038216"
        );
        assert!(CreditCode::with_check("9144").is_none());
    }

    #[test]
    fn rejects_a_wrong_check_character() {
        assert_eq!(
            CreditCode::parse("914403001922038217"),
            Err(InvalidCreditCode::Checksum {
                expected: '6',
                found: '7'
            })
        );
    }

    #[test]
    fn rejects_bad_length_and_characters() {
        assert_eq!(
            CreditCode::parse("91440300192203821"),
            Err(InvalidCreditCode::Length(17))
        );
        assert!(matches!(
            CreditCode::parse("91440300I922038216"),
            Err(InvalidCreditCode::Character { position: 9, .. })
        ));
        assert!(CreditCode::parse("9144030019220382１6").is_err());
    }
}
