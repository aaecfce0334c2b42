//! Yes/no as users write it in any sheet: one rule for every yes/no column.

/// 是/否, Y/N, yes/no, 1/0, TRUE/FALSE (any case, full-width letters and digits too, and the
/// √/× marks people tick with); a blank cell is no.
pub fn parse_yes_no(s: &str) -> Result<bool, String> {
    let t = s.trim();
    // Full-width Ｙ, ｙｅｓ, １ as typed with a Chinese input method.
    let folded: String = t
        .chars()
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            c => c,
        })
        .collect::<String>()
        .to_lowercase();
    match folded.as_str() {
        "" | "否" | "n" | "no" | "0" | "false" | "×" | "x" => Ok(false),
        "是" | "y" | "yes" | "1" | "true" | "√" | "✓" => Ok(true),
        _ => Err(format!("应填“是”或“否”，实际为“{t}”")),
    }
}

#[cfg(test)]
mod tests {
    use super::parse_yes_no;

    #[test]
    fn every_written_form_of_yes_and_no() {
        for yes in [
            "是", "Y", "y", "YES", "Yes", "1", "TRUE", "true", "True", "√", "Ｙ", "１", " 是 ",
        ] {
            assert_eq!(parse_yes_no(yes), Ok(true), "{yes}");
        }
        for no in [
            "否", "N", "n", "NO", "no", "0", "FALSE", "false", "", "  ", "×", "Ｎ", "０",
        ] {
            assert_eq!(parse_yes_no(no), Ok(false), "{no}");
        }
        for bad in ["有", "2", "yes!", "对", "不是"] {
            let e = parse_yes_no(bad).unwrap_err();
            assert!(e.contains(bad), "{e}");
        }
    }
}
