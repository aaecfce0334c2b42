//! Password complexity rules for accounts (configurable defaults).

use serde::{Deserialize, Serialize};

/// How strong a password must be. The defaults follow common 等保 practice:
/// at least 8 characters drawing on at least 3 of the 4 character classes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PasswordPolicy {
    pub min_length: usize,
    /// How many of: lower-case, upper-case, digit, other symbol.
    pub min_classes: usize,
}

impl Default for PasswordPolicy {
    fn default() -> Self {
        Self {
            min_length: 8,
            min_classes: 3,
        }
    }
}

impl PasswordPolicy {
    /// Checks a new password; the error is the Chinese message shown next to the field.
    pub fn check(&self, password: &str, username: &str) -> Result<(), String> {
        let length = password.chars().count();
        if length < self.min_length {
            return Err(format!("密码至少需要{}个字符", self.min_length));
        }
        if length > 128 {
            return Err("密码不能超过128个字符".into());
        }
        let classes = [
            password.chars().any(|c| c.is_ascii_lowercase()),
            password.chars().any(|c| c.is_ascii_uppercase()),
            password.chars().any(|c| c.is_ascii_digit()),
            password.chars().any(|c| !c.is_ascii_alphanumeric()),
        ]
        .into_iter()
        .filter(|&present| present)
        .count();
        if classes < self.min_classes {
            return Err(format!(
                "密码须包含小写字母、大写字母、数字、符号中的至少{}类",
                self.min_classes
            ));
        }
        if !username.is_empty() && password.to_lowercase().contains(&username.to_lowercase()) {
            return Err("密码不能包含用户名".into());
        }
        if is_common(password) {
            return Err("该密码过于常见，极易被猜中，请换一个".into());
        }
        Ok(())
    }
}

/// The bundled list of common passwords (`data/common_passwords.txt`), lower-cased.
const COMMON: &str = include_str!("../data/common_passwords.txt");

/// Whether `password` is on the list of common passwords, case aside.
pub fn is_common(password: &str) -> bool {
    let lower = password.to_lowercase();
    COMMON
        .lines()
        .filter(|l| !l.starts_with('#'))
        .any(|l| l == lower)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_policy() {
        let p = PasswordPolicy::default();
        assert!(p.check("Luodi@2026", "nx_bureau").is_ok());
        assert!(p
            .check("short1A", "x")
            .unwrap_err()
            .contains("至少需要8个字符"));
        assert!(p
            .check("alllowercase1", "x")
            .unwrap_err()
            .contains("至少3类"));
        assert!(p
            .check("Nx_Bureau#1", "nx_bureau")
            .unwrap_err()
            .contains("用户名"));
        assert!(p.check("密码密码Abc1", "x").is_ok());
    }

    #[test]
    fn common_passwords_are_refused_even_when_complex() {
        let p = PasswordPolicy::default();
        for common in [
            "P@ssw0rd",
            "Admin@123",
            "Woaini@1314",
            "1qaz@WSX",
            "Huawei12#$",
        ] {
            assert!(
                p.check(common, "nobody").unwrap_err().contains("过于常见"),
                "{common}"
            );
        }
        let lenient = PasswordPolicy {
            min_length: 6,
            min_classes: 1,
        };
        assert!(lenient.check("woaini1314", "nobody").is_err());
        assert!(lenient.check("5201314", "nobody").is_err());
        assert!(p.check("Luodi@2026", "nx_bureau").is_ok());
    }

    #[test]
    fn configurable() {
        let p = PasswordPolicy {
            min_length: 12,
            min_classes: 4,
        };
        assert!(p.check("Luodi@2026", "x").is_err());
        assert!(p.check("Luodi@2026ab", "x").is_ok());
    }
}
