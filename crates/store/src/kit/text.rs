//! Text as users type it.

/// A trimmed text field, or `None` when it is blank.
pub fn opt(s: &Option<String>) -> Option<String> {
    s.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

/// What a name with hidden characters is told.
pub const HIDDEN_CHARS: &str = "不能含有控制字符或文字方向控制符";

/// Whether `s` holds control characters or bidirectional overrides, which make a name read
/// differently from what it is.
pub fn has_hidden_chars(s: &str) -> bool {
    s.chars().any(|c| {
        c.is_control()
            || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
            || matches!(c, '\u{200E}' | '\u{200F}' | '\u{061C}')
    })
}

/// A phone number with its middle hidden: the first three and last four characters of a
/// number of eight or more (`13812345678` → `138****5678`, `0737-5221234` → `073****1234`),
/// the last two of a shorter one, nothing of four characters or fewer.
pub fn mask_phone(phone: &str) -> String {
    let chars: Vec<char> = phone.trim().chars().collect();
    let n = chars.len();
    if n >= 8 {
        let head: String = chars[..3].iter().collect();
        let tail: String = chars[n - 4..].iter().collect();
        format!("{head}****{tail}")
    } else if n > 4 {
        let tail: String = chars[n - 2..].iter().collect();
        format!("****{tail}")
    } else {
        "****".to_owned()
    }
}
