//! A reason is a sentence, not a character: one rule for every reason a user gives to pass a
//! check — a fund record's 超常说明 and a signed project's 无统一社会信用代码的原因 are judged
//! alike, with the rule settings' one minimum (`FundChecks::reason_min_chars`).

/// Whether `reason` says something: at least `min_chars` letters or characters (digits and
/// punctuation do not count), and not one or two characters repeated.
pub fn says_something(reason: &str, min_chars: i64) -> bool {
    let words: Vec<char> = reason.chars().filter(|c| c.is_alphabetic()).collect();
    let mut distinct = words.clone();
    distinct.sort_unstable();
    distinct.dedup();
    let min = usize::try_from(min_chars).unwrap_or(usize::MAX);
    words.len() >= min && distinct.len() * 2 >= min.min(words.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reason_is_a_sentence_not_a_character() {
        for bad in [
            "",
            "1",
            ".",
            "。。。。。。。。",
            "12345678901",
            "好好好好好好好好",
            "无",
        ] {
            assert!(!says_something(bad, 8), "{bad}");
        }
        for good in ["境外投资者无统一社会信用代码", "Equipment paid in full"] {
            assert!(says_something(good, 8), "{good}");
        }
        assert!(
            !says_something("投资主体未注册", 8),
            "7 characters, one short"
        );
        assert!(says_something("投资主体尚未注册", 8), "exactly 8");
        assert!(says_something("无", 1), "the minimum is the setting's");
    }
}
