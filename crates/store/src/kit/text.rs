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
