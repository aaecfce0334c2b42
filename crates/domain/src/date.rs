//! Dates as users type them in forms and sheets.

/// Parses a calendar date as users type it (2026-03-05, 2026/3/5) within 2000–2100.
pub fn parse_date(s: &str) -> Result<time::Date, String> {
    let t = s.trim();
    let parts: Vec<&str> = t.split(['-', '/', '.']).collect();
    let bad = || format!("日期应为“YYYY-MM-DD”格式（2000年至2100年），实际为“{t}”");
    if parts.len() != 3 {
        return Err(bad());
    }
    let year: i32 = parts[0].parse().map_err(|_| bad())?;
    let month: u8 = parts[1].parse().map_err(|_| bad())?;
    let day: u8 = parts[2].parse().map_err(|_| bad())?;
    if !(2000..=2100).contains(&year) {
        return Err(bad());
    }
    let month = time::Month::try_from(month).map_err(|_| bad())?;
    time::Date::from_calendar_date(year, month, day).map_err(|_| bad())
}

#[cfg(test)]
mod tests {
    use super::parse_date;

    #[test]
    fn dates_as_users_type_them() {
        assert_eq!(parse_date("2019-11-28").unwrap().to_string(), "2019-11-28");
        assert_eq!(parse_date("2019/5/8").unwrap().to_string(), "2019-05-08");
        for bad in [
            "2019-02-30",
            "1999-01-01",
            "2101-01-01",
            "2019-13-01",
            "昨天",
            "2019-1",
        ] {
            assert!(parse_date(bad).is_err(), "{bad}");
        }
    }
}
