//! Fair duplicate candidates (重复签约, domain §14, issue 19): names are normalised the same
//! way wherever they were entered — traditional characters to simplified, full width to half
//! width, the entering place's name in front and company forms taken off — and compared with a
//! similarity in which rare characters weigh more than 产业园 / 智能制造 / 项目. Phase (一期 /
//! 二期), capacity (年产10万吨) and site are not deleted but kept as facts: facts that differ
//! lower the score and are shown as reasons. Investors are the same through the credit code,
//! or through their normalised names (one within the other). Pure rules, no I/O.

use std::collections::HashSet;

/// Score (0–100) from which a pair goes to the review pool.
pub const PAIR_FROM: u32 = 60;

/// The place names of the region directory, each also without its level word (益阳市 → 益阳)
/// when what is left has two characters or more. Kept as a set and looked up by the
/// substrings of a name (a name is short, the directory is not), so that profiling a name
/// costs the same for a province of 1,500 places as for a county.
#[derive(Debug, Clone, Default)]
pub struct Places {
    names: HashSet<String>,
    /// The longest name, in characters.
    longest: usize,
}

impl Places {
    pub fn new<'a>(names: impl IntoIterator<Item = &'a str>) -> Self {
        const LEVELS: [&str; 9] = [
            "土家族苗族自治州",
            "苗族侗族自治县",
            "自治州",
            "自治县",
            "省",
            "市",
            "县",
            "区",
            "州",
        ];
        let mut all = HashSet::new();
        for name in names {
            let name = simplify(name);
            if name.chars().count() < 2 {
                continue;
            }
            for level in LEVELS {
                if let Some(short) = name.strip_suffix(level) {
                    if short.chars().count() >= 2 {
                        all.insert(short.to_owned());
                    }
                    break;
                }
            }
            all.insert(name);
        }
        let longest = all.iter().map(|p| p.chars().count()).max().unwrap_or(0);
        Self {
            names: all,
            longest,
        }
    }

    /// The longest place name starting at byte `at` of `s`: its end.
    fn at(&self, s: &str, at: usize) -> Option<usize> {
        let ends: Vec<usize> = s[at..]
            .char_indices()
            .skip(1)
            .map(|(i, _)| at + i)
            .chain(std::iter::once(s.len()))
            .take(self.longest)
            .collect();
        ends.into_iter()
            .skip(1)
            .rev()
            .find(|&end| self.names.contains(&s[at..end]))
    }

    /// The place name `s` starts with, longest first.
    fn prefix_of<'s>(&self, s: &'s str) -> Option<&'s str> {
        self.at(s, 0).map(|end| &s[..end])
    }

    /// The place name `s` is, exactly.
    fn is_place(&self, s: &str) -> bool {
        self.names.contains(s)
    }

    /// The first place name inside `s` (not at its start): its byte range.
    fn inside(&self, s: &str) -> Option<(usize, usize)> {
        s.char_indices()
            .skip(1)
            .find_map(|(i, _)| self.at(s, i).map(|end| (i, end)))
    }
}

/// Traditional → simplified, full width → half width, lower case.
pub fn simplify(s: &str) -> String {
    let half: String = s
        .chars()
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            '\u{3000}' => ' ',
            _ => c,
        })
        .collect();
    hanconv::t2s(half).to_lowercase()
}

/// Company forms taken off names (longest first).
const COMPANY_FORMS: [&str; 12] = [
    "股份有限公司",
    "有限责任公司",
    "有限公司",
    "控股集团",
    "集团",
    "控股",
    "股份",
    "分公司",
    "公司",
    "(中国)",
    "中国",
    "有限",
];

/// Words every other project name holds: their characters weigh little.
const GENERIC: [&str; 40] = [
    "产业园",
    "智能制造",
    "项目",
    "基地",
    "生产",
    "建设",
    "科技",
    "新材料",
    "工业",
    "园区",
    "制造",
    "加工",
    "中心",
    "电子",
    "设备",
    "产业",
    "技术",
    "发展",
    "开发",
    "投资",
    "新能源",
    "配套",
    "扩建",
    "新建",
    "改造",
    "升级",
    "工程",
    "物流",
    "综合",
    "研发",
    "智能",
    "装备",
    "材料",
    "食品",
    "农业",
    "医药",
    "年产",
    "总部",
    "生态",
    "产品",
];

fn generic_char(c: char) -> bool {
    // The words' characters, sorted once: asked for every character of every pair compared
    // (20 million pairs in a 100,000-row import), where searching the words took most of it.
    static CHARS: std::sync::OnceLock<Vec<char>> = std::sync::OnceLock::new();
    CHARS
        .get_or_init(|| {
            let mut v: Vec<char> = GENERIC.iter().flat_map(|w| w.chars()).collect();
            v.sort_unstable();
            v.dedup();
            v
        })
        .binary_search(&c)
        .is_ok()
}

/// A character's weight: 1 for a rare one, a quarter for one of the generic words.
fn weight(c: char) -> u32 {
    if generic_char(c) {
        1
    } else {
        4
    }
}

/// What a project name says once normalised: its core (the characters compared) and the facts
/// taken out of it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NameProfile {
    pub core: String,
    /// 1 for 一期 or no phase named, 2 for 二期, …
    pub phase: u32,
    /// Capacities named, normalised (10万吨).
    pub capacity: Option<String>,
    /// Sites named: a place inside the name, or a remark in brackets that is no place, phase
    /// or company form (东区, 二号厂区).
    pub site: Option<String>,
}

fn numeral(c: char) -> Option<u32> {
    "〇一二三四五六七八九"
        .chars()
        .position(|d| d == c)
        .map(|p| p as u32)
        .or(match c {
            '零' => Some(0),
            '两' => Some(2),
            _ => None,
        })
}

/// A phase word (一期, 第二期, 2期, 三期工程) in `s`: its number and byte range.
fn find_phase(s: &str) -> Option<(u32, usize, usize)> {
    let at = s.find('期')?;
    let before = &s[..at];
    let mut start = at;
    let mut digits = String::new();
    for (i, c) in before.char_indices().rev() {
        if c.is_ascii_digit() || numeral(c).is_some() || c == '十' {
            digits.insert(0, c);
            start = i;
        } else {
            break;
        }
    }
    if digits.is_empty() {
        return find_phase(&s[at + '期'.len_utf8()..]).map(|(n, a, b)| (n, a + at + 3, b + at + 3));
    }
    if before[..start].ends_with('第') {
        start -= '第'.len_utf8();
    }
    let n = parse_small(&digits)?;
    Some((n, start, at + '期'.len_utf8()))
}

/// 0–99 written in digits or Chinese numerals.
fn parse_small(s: &str) -> Option<u32> {
    if let Ok(n) = s.parse() {
        return Some(n);
    }
    let chars: Vec<char> = s.chars().collect();
    match chars.as_slice() {
        ['十'] => Some(10),
        [d] => numeral(*d),
        ['十', d] => numeral(*d).map(|d| 10 + d),
        [t, '十'] => numeral(*t).map(|t| t * 10),
        [t, '十', d] => Some(numeral(*t)? * 10 + numeral(*d)?),
        _ => None,
    }
}

/// Units a capacity is counted in.
const UNITS: [&str; 16] = [
    "万吨",
    "吨",
    "万台",
    "台",
    "万套",
    "套",
    "万件",
    "件",
    "万辆",
    "辆",
    "万片",
    "片",
    "gwh",
    "mw",
    "万平方米",
    "万只",
];

/// A capacity (年产10万吨, 5gwh) in `s`: normalised and its byte range.
fn find_capacity(s: &str) -> Option<(String, usize, usize)> {
    let chars: Vec<(usize, char)> = s.char_indices().collect();
    let mut i = 0;
    while i < chars.len() {
        let (at, c) = chars[i];
        if c.is_ascii_digit() || numeral(c).is_some() || c == '十' {
            let mut j = i;
            let mut raw = String::new();
            while j < chars.len() {
                let c = chars[j].1;
                if c.is_ascii_digit() || c == '.' || numeral(c).is_some() || c == '十' {
                    raw.push(c);
                } else {
                    break;
                }
                j += 1;
            }
            let end = chars.get(j).map_or(s.len(), |c| c.0);
            let rest = &s[end..];
            if let Some(unit) = UNITS.iter().find(|u| rest.starts_with(*u)) {
                let number = if raw.chars().all(|c| c.is_ascii_digit() || c == '.') {
                    raw.trim_start_matches('0').to_owned()
                } else {
                    parse_small(&raw).map_or(raw.clone(), |n| n.to_string())
                };
                let mut start = at;
                if s[..at].ends_with("年产") {
                    start -= "年产".len();
                }
                return Some((format!("{number}{unit}"), start, end + unit.len()));
            }
            i = j.max(i + 1);
        } else {
            i += 1;
        }
    }
    None
}

/// Normalises a project name: see the module's notes.
pub fn profile_name(name: &str, places: &Places) -> NameProfile {
    let s = simplify(name);
    let mut out = NameProfile {
        phase: 1,
        ..NameProfile::default()
    };
    // Bracketed remarks: a phase, a place, a company form or a site.
    let mut outside = String::with_capacity(s.len());
    let mut remarks = Vec::new();
    let mut depth = 0usize;
    let mut current = String::new();
    for c in s.chars() {
        match c {
            '(' | '[' | '【' | '《' | '〔' | '（' => {
                depth += 1;
                if depth == 1 {
                    current.clear();
                }
            }
            ')' | ']' | '】' | '》' | '〕' | '）' => {
                if depth == 1 {
                    remarks.push(std::mem::take(&mut current));
                }
                depth = depth.saturating_sub(1);
            }
            _ if depth == 0 => outside.push(c),
            _ => current.push(c),
        }
    }
    for remark in remarks {
        let remark: String = remark.chars().filter(|c| c.is_alphanumeric()).collect();
        if let Some((n, ..)) = find_phase(&remark) {
            out.phase = n;
        } else if let Some((cap, ..)) = find_capacity(&remark) {
            out.capacity = Some(cap);
        } else if remark.is_empty()
            || places.is_place(&remark)
            || COMPANY_FORMS.contains(&remark.as_str())
        {
        } else {
            out.site = Some(remark);
        }
    }
    let mut s: String = outside.chars().filter(|c| c.is_alphanumeric()).collect();
    if let Some((n, a, b)) = find_phase(&s) {
        out.phase = n;
        s.replace_range(a..b, "");
    }
    if let Some((cap, a, b)) = find_capacity(&s) {
        out.capacity = Some(cap);
        s.replace_range(a..b, "");
    }
    // The entering place's name in front (湖南省益阳市南县…) is no part of the project.
    while let Some(p) = places.prefix_of(&s) {
        s = s[p.len()..].to_owned();
    }
    for form in COMPANY_FORMS {
        if s.contains(form) {
            s = s.replace(form, "");
        }
    }
    // A place inside the name is where the project stands.
    if let Some((a, b)) = places.inside(&s) {
        out.site.get_or_insert_with(|| s[a..b].to_owned());
        s.replace_range(a..b, "");
    }
    // Words for the act of building say nothing of what is built: 新建 / 投资建设 / 引进 in
    // front, 项目 / 工程 / 建设 / 产业化 at the end (…基地建设项目 → …基地).
    while let Some(rest) = LEADING_WORDS.iter().find_map(|w| s.strip_prefix(w)) {
        if rest.chars().count() < 2 {
            break;
        }
        s = rest.to_owned();
    }
    while let Some(rest) = TRAILING_WORDS.iter().find_map(|w| s.strip_suffix(w)) {
        if rest.chars().count() < 2 {
            break;
        }
        s = rest.to_owned();
    }
    out.core = s;
    out
}

/// Words in front of a name that only say a project is being built (longest first).
const LEADING_WORDS: [&str; 6] = ["投资建设", "投资兴建", "新建", "引进", "建设", "兴建"];
/// Words at the end of a name that only say it is a project (longest first).
const TRAILING_WORDS: [&str; 5] = ["建设项目", "产业化", "项目", "工程", "建设"];

/// Words of a company form in a name written in Latin letters (Co., Ltd., GmbH…).
const LATIN_FORMS: [&str; 20] = [
    "co",
    "ltd",
    "limited",
    "company",
    "inc",
    "incorporated",
    "corp",
    "corporation",
    "group",
    "holding",
    "holdings",
    "gmbh",
    "ag",
    "sa",
    "llc",
    "plc",
    "pte",
    "bv",
    "nv",
    "kk",
];

fn is_han(c: char) -> bool {
    ('\u{4E00}'..='\u{9FFF}').contains(&c) || ('\u{3400}'..='\u{4DBF}').contains(&c)
}

/// Whether a name is written without Chinese characters (an investor's English name).
pub fn is_latin(core: &str) -> bool {
    !core.is_empty() && !core.chars().any(is_han)
}

/// An investor's name without places, brackets and company forms (湖南中联重科股份有限公司 →
/// 中联重科; Bosch Automotive Parts (Yiyang) Co., Ltd. → boschautomotiveparts).
pub fn investor_core(name: &str, places: &Places) -> String {
    let s = simplify(name);
    if !s.chars().any(is_han) {
        let mut depth = 0usize;
        let outside: String = s
            .chars()
            .filter(|&c| match c {
                '(' | '[' => {
                    depth += 1;
                    false
                }
                ')' | ']' => {
                    depth = depth.saturating_sub(1);
                    false
                }
                _ => depth == 0,
            })
            .collect();
        return outside
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty() && !LATIN_FORMS.contains(w))
            .collect();
    }
    let mut outside = String::new();
    let mut depth = 0usize;
    for c in s.chars() {
        match c {
            '(' | '（' | '[' | '【' => depth += 1,
            ')' | '）' | ']' | '】' => depth = depth.saturating_sub(1),
            _ if depth == 0 => outside.push(c),
            _ => {}
        }
    }
    let mut s: String = outside.chars().filter(|c| c.is_alphanumeric()).collect();
    while let Some(p) = places.prefix_of(&s) {
        s = s[p.len()..].to_owned();
    }
    for form in COMPANY_FORMS {
        if s.contains(form) {
            s = s.replace(form, "");
        }
    }
    s
}

/// The same investor by name: the cores are equal, or the shorter (two characters or more) is
/// the start of the longer one (中联重科 in 中联重科建机).
pub fn same_investor_name(a: &str, b: &str) -> bool {
    let (short, long) = if a.chars().count() <= b.chars().count() {
        (a, b)
    } else {
        (b, a)
    };
    short.chars().count() >= 2
        && (long.starts_with(short) || long.contains(short) && short.chars().count() >= 3)
}

/// A core's character bigrams (a single character stands alone), deduplicated.
pub fn grams(core: &str) -> Vec<String> {
    let chars: Vec<char> = core.chars().collect();
    let mut v: Vec<String> = if chars.len() < 2 {
        chars.iter().map(|c| c.to_string()).collect()
    } else {
        chars.windows(2).map(|w| w.iter().collect()).collect()
    };
    v.sort_unstable();
    v.dedup();
    v
}

/// Whether a bigram is made of generic characters only (产业, 项目): such grams find every
/// other project and are not looked up when the name has rarer ones.
pub fn generic_gram(gram: &str) -> bool {
    gram.chars().all(generic_char)
}

/// Grams looked up for a new project at least, however many projects they index: fewer
/// shared grams would not tell a copy from a chance resemblance.
pub const LOOKED_UP_AT_LEAST: usize = 3;
/// How many index entries the looked-up grams may lead to together, beyond the
/// [`LOOKED_UP_AT_LEAST`] rarest: a gram shared by thousands of projects (基地, 智能) adds work and
/// little evidence once rarer grams have found the candidates.
pub const LOOKED_UP_ENTRIES: i64 = 4_000;

/// The grams to look up, given how many projects each indexes: the rarest first, as long as
/// they lead to at most [`LOOKED_UP_ENTRIES`] entries together, and never fewer than
/// [`LOOKED_UP_AT_LEAST`] (nor grams no project has, which find nothing). Ties are broken by
/// the gram, so the same name always looks up the same grams.
pub fn rarest_grams(mut counted: Vec<(String, i64)>) -> Vec<String> {
    counted.retain(|(_, n)| *n > 0);
    counted.sort_by(|a, b| a.1.cmp(&b.1).then_with(|| a.0.cmp(&b.0)));
    let mut entries = 0;
    let mut chosen = Vec::new();
    for (gram, n) in counted {
        if chosen.len() >= LOOKED_UP_AT_LEAST && entries + n > LOOKED_UP_ENTRIES {
            break;
        }
        entries += n;
        chosen.push(gram);
    }
    chosen
}

/// A core's character bigrams (a single character stands alone, paired with itself), sorted,
/// and their total weight: what [`weighted_similarity`] compares. Worked out once per project
/// where many pairs are compared (a 100,000-row import compares millions), and kept inline
/// for names of up to 14 bigrams, so that comparing a pair follows no pointer.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Bigrams {
    /// Each bigram as first character << 26 | second character << 5 | weight: ordered as the
    /// characters are (the weight follows from them); a bigram that occurs twice is there
    /// twice.
    grams: smallvec::SmallVec<[u64; 14]>,
    total: u32,
}

impl Bigrams {
    pub fn of(core: &str) -> Self {
        let c: Vec<char> = core.chars().collect();
        let pair = |x: char, y: char| {
            (u64::from(x) << 26) | (u64::from(y) << 5) | u64::from(weight(x) + weight(y))
        };
        let mut grams: smallvec::SmallVec<[u64; 14]> = if c.len() < 2 {
            c.iter().map(|&x| pair(x, x)).collect()
        } else {
            c.windows(2).map(|w| pair(w[0], w[1])).collect()
        };
        grams.sort_unstable();
        let total = grams.iter().map(|&g| Self::weight(g)).sum();
        Self { grams, total }
    }

    fn weight(g: u64) -> u32 {
        (g & 0x1F) as u32
    }

    /// Weighted similarity, 0–100: a Dice coefficient over the bigrams in which a bigram
    /// weighs what its characters weigh, so shared rare characters count more.
    pub fn similarity(&self, other: &Self) -> u32 {
        let total = self.total + other.total;
        if total == 0 {
            return 0;
        }
        let (x, y) = (&self.grams, &other.grams);
        let (mut i, mut j, mut shared) = (0, 0, 0);
        while i < x.len() && j < y.len() {
            match x[i].cmp(&y[j]) {
                std::cmp::Ordering::Less => i += 1,
                std::cmp::Ordering::Greater => j += 1,
                std::cmp::Ordering::Equal => {
                    shared += Self::weight(x[i]);
                    i += 1;
                    j += 1;
                }
            }
        }
        200 * shared / total
    }
}

/// Weighted similarity of two cores, 0–100 (see [`Bigrams::similarity`]).
pub fn weighted_similarity(a: &str, b: &str) -> u32 {
    Bigrams::of(a).similarity(&Bigrams::of(b))
}

/// What is compared of a project.
#[derive(Debug, Clone, Default)]
pub struct Candidate {
    pub name: NameProfile,
    pub investor: String,
    pub credit_code: Option<String>,
    pub industry_code: Option<String>,
    /// 合同引资 in 分.
    pub contract_fen: i64,
    /// 合同外资 in US cents.
    pub contract_cents: i64,
    /// Signing date, YYYY-MM-DD.
    pub signed_on: Option<String>,
}

/// A pair's score (0–100) and reasons, in Chinese.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assessment {
    pub score: u32,
    pub reasons: Vec<String>,
}

impl Assessment {
    pub fn is_pair(&self) -> bool {
        self.score >= PAIR_FROM
    }
}

fn day_number(date: &str) -> Option<i64> {
    let d = time::Date::parse(
        date.get(..10)?,
        time::macros::format_description!("[year]-[month]-[day]"),
    )
    .ok()?;
    Some(i64::from(d.to_julian_day()))
}

fn phase_label(n: u32) -> String {
    const CN: [&str; 10] = ["〇", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    match n {
        0..=9 => format!("{}期", CN[n as usize]),
        _ => format!("{n}期"),
    }
}

/// A candidate with what comparing it needs worked out once: its name's bigrams, its signing
/// day and whether its investor is named in Latin letters.
#[derive(Debug, Clone, Default)]
pub struct Prepared {
    /// Private, so that it cannot change apart from what was worked out from it.
    candidate: Candidate,
    bigrams: Bigrams,
    day: Option<i64>,
    latin: bool,
    investor_chars: usize,
    /// A bit for each character of the investor's core (by its code modulo 64): a core whose
    /// bits are not all in another's cannot lie within it.
    investor_bits: u64,
    /// The investor core's first 16 bytes: whether one core starts with another is told from
    /// these when the shorter fits in them.
    investor_head: u128,
    /// A hash of the credit code: unequal hashes are unequal codes, so most pairs are told
    /// apart without reading the codes.
    code_hash: u64,
    /// The industry code as a number (codes are at most 5 characters), or its hash for a
    /// longer text, which is then compared too.
    industry_key: u64,
}

/// A text's first 16 bytes, as a number (zero after its end).
fn head(s: &str) -> u128 {
    let mut bytes = [0u8; 16];
    let n = s.len().min(16);
    bytes[..n].copy_from_slice(&s.as_bytes()[..n]);
    u128::from_be_bytes(bytes)
}

impl Prepared {
    pub fn new(candidate: Candidate) -> Self {
        let hash = |s: &Option<String>| {
            use std::hash::{BuildHasher, BuildHasherDefault};
            BuildHasherDefault::<std::collections::hash_map::DefaultHasher>::default().hash_one(s)
        };
        let industry_key = match &candidate.industry_code {
            // exact: a mark, the length and the (at most 7) bytes
            Some(code) if code.len() < 8 => {
                1 << 63 | (code.len() as u64) << 56 | (head(code) >> 72) as u64
            }
            other => hash(other) & !(1 << 63),
        };
        Self {
            bigrams: Bigrams::of(&candidate.name.core),
            day: candidate.signed_on.as_deref().and_then(day_number),
            latin: is_latin(&candidate.investor),
            investor_chars: candidate.investor.chars().count(),
            investor_bits: candidate
                .investor
                .chars()
                .fold(0, |bits, c| bits | 1 << (u32::from(c) % 64)),
            investor_head: head(&candidate.investor),
            code_hash: hash(&candidate.credit_code),
            industry_key,
            candidate,
        }
    }

    pub fn candidate(&self) -> &Candidate {
        &self.candidate
    }

    /// [`same_investor_name`] of the two cores, without comparing texts that cannot match.
    fn same_investor(&self, other: &Self) -> bool {
        let (short, long) = if self.investor_chars <= other.investor_chars {
            (self, other)
        } else {
            (other, self)
        };
        let (s, l) = (&short.candidate.investor, &long.candidate.investor);
        if short.investor_chars < 2 || short.investor_bits & !long.investor_bits != 0 {
            return false;
        }
        let starts = if s.len() <= 16 {
            let mask = !u128::MAX.checked_shr(8 * s.len() as u32).unwrap_or(0);
            long.investor_head & mask == short.investor_head
        } else {
            short.investor_head == long.investor_head && l.starts_with(s.as_str())
        };
        starts || short.investor_chars >= 3 && l.contains(s.as_str())
    }
}

/// Where [`judge`] puts its reasons: a list, or nowhere when only the score is wanted (most
/// pairs compared are not pairs, and their reasons would be written for nothing).
trait Reasons {
    fn add(&mut self, reason: impl FnOnce() -> String);
}

impl Reasons for Vec<String> {
    fn add(&mut self, reason: impl FnOnce() -> String) {
        self.push(reason());
    }
}

struct ScoreOnly;

impl Reasons for ScoreOnly {
    fn add(&mut self, _: impl FnOnce() -> String) {}
}

/// Compares two projects: name similarity (60 % of the score), the investor's identity, and the
/// same industry, amount and signing window strengthen; a differing phase, capacity or site,
/// or investors that are plainly different, lower it. Each step is a reason.
pub fn assess(a: &Candidate, b: &Candidate) -> Assessment {
    let (a, b) = (Prepared::new(a.clone()), Prepared::new(b.clone()));
    let mut reasons = Vec::new();
    let score = judge(&a, &b, &mut reasons);
    Assessment { score, reasons }
}

/// [`assess`] of prepared candidates, when they are a pair (score [`PAIR_FROM`] or more): the
/// score is worked out first, the reasons only for a pair.
pub fn assess_prepared(a: &Prepared, b: &Prepared) -> Option<Assessment> {
    if judge(a, b, &mut ScoreOnly) < PAIR_FROM {
        return None;
    }
    let mut reasons = Vec::new();
    let score = judge(a, b, &mut reasons);
    Some(Assessment { score, reasons })
}

/// The score of [`assess`], giving its reasons to `reasons`.
fn judge(pa: &Prepared, pb: &Prepared, reasons: &mut impl Reasons) -> u32 {
    let (a, b) = (&pa.candidate, &pb.candidate);
    let similarity = if a.name.core.is_empty() || b.name.core.is_empty() {
        0
    } else {
        pa.bigrams.similarity(&pb.bigrams)
    };
    let mut score = (similarity * 6 / 10) as i64;
    if similarity >= 50 {
        reasons.add(|| format!("项目名称相似度{similarity}%"));
    }
    let same_code =
        a.credit_code.is_some() && pa.code_hash == pb.code_hash && a.credit_code == b.credit_code;
    let same_name =
        !same_code && !a.investor.is_empty() && !b.investor.is_empty() && pa.same_investor(pb);
    if same_code {
        score += 30;
        reasons.add(|| "同一投资方统一社会信用代码".to_owned());
    } else if same_name {
        score += 25;
        reasons.add(|| {
            if a.investor == b.investor {
                "投资方名称相同".to_owned()
            } else {
                "投资方简称与全称一致".to_owned()
            }
        });
    } else if pa.latin != pb.latin && !a.investor.is_empty() && !b.investor.is_empty() {
        // A foreign investor's English name against its Chinese one: nothing tells whether
        // they are one company, so the names neither lower the score nor raise it; industry,
        // amount and signing window decide.
        reasons.add(|| "投资方一为中文名称、一为外文名称，未能比对".to_owned());
    } else if !a.investor.is_empty() && !b.investor.is_empty() {
        score -= 10;
        reasons.add(|| "投资方不同".to_owned());
    }
    if a.industry_code.is_some()
        && pa.industry_key == pb.industry_key
        && (pa.industry_key >> 63 == 1 || a.industry_code == b.industry_code)
    {
        score += 5;
        reasons.add(|| "同一行业".to_owned());
    }
    if (a.contract_fen > 0 || a.contract_cents > 0)
        && (a.contract_fen, a.contract_cents) == (b.contract_fen, b.contract_cents)
    {
        score += 5;
        reasons.add(|| "合同引资金额相同".to_owned());
    }
    if let (Some(x), Some(y)) = (pa.day, pb.day) {
        if (x - y).abs() <= 90 {
            score += 5;
            reasons.add(|| "签约时间相近（90天内）".to_owned());
        }
    }
    if a.name.phase != b.name.phase {
        score -= 50;
        reasons.add(|| {
            format!(
                "期次不同：{} / {}",
                phase_label(a.name.phase),
                phase_label(b.name.phase)
            )
        });
    }
    match (&a.name.capacity, &b.name.capacity) {
        (Some(x), Some(y)) if x != y => {
            score -= 45;
            reasons.add(|| format!("产能不同：年产{x} / 年产{y}"));
        }
        (Some(x), Some(_)) => {
            score += 5;
            reasons.add(|| format!("产能相同：年产{x}"));
        }
        _ => {}
    }
    if let (Some(x), Some(y)) = (&a.name.site, &b.name.site) {
        if x != y {
            score -= 45;
            reasons.add(|| format!("地点不同：{x} / {y}"));
        }
    }
    score.clamp(0, 100) as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rarest_grams_are_looked_up_within_the_entry_budget_and_never_fewer_than_three() {
        let counted = |v: &[(&str, i64)]| -> Vec<(String, i64)> {
            v.iter().map(|(g, n)| ((*g).to_owned(), *n)).collect()
        };
        // 比亚迪新型建材产业园 in a province: two rare grams, then common ones
        let chosen = rarest_grams(counted(&[
            ("业园", 8_854),
            ("迪新", 90),
            ("比亚", 1_117),
            ("@迪新", 91),
            ("建材", 2_123),
            ("材产", 288),
            ("亚迪", 1_117),
            ("缺失", 0),
        ]));
        // 90 + 91 + 288 + 1,117 + 1,117 = 2,703; adding 建材 would pass 4,000
        assert_eq!(chosen, ["迪新", "@迪新", "材产", "亚迪", "比亚"]);
        // every gram common: the three rarest all the same
        let chosen = rarest_grams(counted(&[
            ("基地", 14_214),
            ("智能", 8_897),
            ("中心", 8_891),
            ("加工", 8_308),
        ]));
        assert_eq!(chosen, ["加工", "中心", "智能"]);
        // a small installation: everything fits
        let chosen = rarest_grams(counted(&[
            ("甲乙", 3),
            ("乙丙", 2),
            ("丙丁", 1),
            ("丁戊", 1),
        ]));
        assert_eq!(chosen, ["丁戊", "丙丁", "乙丙", "甲乙"]);
        assert!(rarest_grams(counted(&[("无此", 0)])).is_empty());
    }

    fn places() -> Places {
        Places::new([
            "湖南省",
            "益阳市",
            "南县",
            "沅江市",
            "桃江县",
            "赫山区",
            "长沙市",
            "岳阳市",
            "华容县",
        ])
    }

    fn candidate(name: &str, investor: &str, code: Option<&str>) -> Candidate {
        let p = places();
        Candidate {
            name: profile_name(name, &p),
            investor: investor_core(investor, &p),
            credit_code: code.map(str::to_owned),
            industry_code: Some("C38".to_owned()),
            contract_fen: 5_000_000_000,
            contract_cents: 0,
            signed_on: Some("2026-03-10".to_owned()),
        }
    }

    fn original() -> Candidate {
        candidate(
            "华湘锂电新材料产业园项目",
            "湖南华湘锂电科技股份有限公司",
            Some("91430900MA4L0XXXX1"),
        )
    }

    #[test]
    fn names_are_normalised_across_scripts_widths_places_and_company_forms() {
        let p = places();
        let a = profile_name("湖南省益阳市南县華湘鋰電新材料產業園項目", &p);
        let b = profile_name("华湘锂电新材料产业园", &p);
        assert_eq!(a.core, b.core);
        assert_eq!(a.core, "华湘锂电新材料产业园");
        let c = profile_name("ＡＢＣ华湘锂电有限公司（一期）", &p);
        assert_eq!((c.core.as_str(), c.phase), ("abc华湘锂电", 1));
        assert_eq!(
            investor_core("湖南华湘锂电科技股份有限公司", &p),
            "华湘锂电科技"
        );
        assert_eq!(investor_core("華湘鋰電（中國）集團", &p), "华湘锂电");
    }

    #[test]
    fn words_for_building_are_not_part_of_the_name() {
        let p = places();
        for name in [
            "米其林高性能轮胎项目",
            "投资建设米其林高性能轮胎项目",
            "新建米其林高性能轮胎产业化项目",
            "引进米其林高性能轮胎建设项目",
        ] {
            assert_eq!(profile_name(name, &p).core, "米其林高性能轮胎", "{name}");
        }
        assert_eq!(
            profile_name("华湘锂电正极材料基地建设项目", &p).core,
            "华湘锂电正极材料基地"
        );
        // A name that is nothing but such words keeps them.
        assert_eq!(profile_name("新建项目", &p).core, "项目");
    }

    #[test]
    fn facts_are_kept_not_deleted() {
        let p = places();
        let a = profile_name("华湘锂电年产10万吨正极材料项目（二期）", &p);
        assert_eq!(a.phase, 2);
        assert_eq!(a.capacity.as_deref(), Some("10万吨"));
        assert_eq!(a.core, "华湘锂电正极材料");
        let b = profile_name("华湘锂电第三期年产二十万吨正极材料", &p);
        assert_eq!((b.phase, b.capacity.as_deref()), (3, Some("20万吨")));
        let c = profile_name("华湘锂电正极材料（东区）", &p);
        assert_eq!(c.site.as_deref(), Some("东区"));
        let d = profile_name("华湘锂电沅江正极材料", &p);
        assert_eq!(
            (d.site.as_deref(), d.core.as_str()),
            (Some("沅江"), "华湘锂电正极材料")
        );
    }

    #[test]
    fn rare_characters_weigh_more_than_generic_words() {
        // Sharing only 智能制造产业园 is little; sharing the rare name is much.
        let generic = weighted_similarity("华湘智能制造产业园", "楚天智能制造产业园");
        let rare = weighted_similarity("华湘锂电智能制造产业园", "华湘锂电产业基地");
        assert!(generic < 50, "{generic}");
        assert!(rare > generic, "{rare} vs {generic}");
        assert_eq!(weighted_similarity("华湘锂电", "华湘锂电"), 100);
    }

    #[test]
    fn the_issue_s_copies_are_caught() {
        let o = original();
        let variants = [
            // the county's name put in front, traditional characters, no credit code
            candidate(
                "南县華湘鋰電新材料產業園項目",
                "華湘鋰電科技股份有限公司",
                None,
            ),
            // reworded, short investor name, a subsidiary's code
            candidate(
                "华湘锂电新材料生产基地建设项目",
                "华湘锂电",
                Some("91430921MA4L0YYYY2"),
            ),
            // company form in the name, full-width, same code
            candidate(
                "湖南华湘锂电有限公司新材料产业园（一期）",
                "湖南华湘锂电科技股份有限公司",
                Some("91430900MA4L0XXXX1"),
            ),
            // the investor's full name vs short, credit code blank
            candidate("益阳华湘锂电新材料产业园", "华湘锂电科技", None),
        ];
        for v in &variants {
            let a = assess(v, &o);
            assert!(a.is_pair(), "{:?} {a:?}", v.name);
        }
    }

    #[test]
    fn genuine_look_alikes_are_not_paired_and_say_why() {
        let o = original();
        let second = candidate(
            "华湘锂电新材料产业园二期项目",
            "湖南华湘锂电科技股份有限公司",
            Some("91430900MA4L0XXXX1"),
        );
        let a = assess(&second, &o);
        assert!(!a.is_pair(), "{a:?}");
        assert!(
            a.reasons.contains(&"期次不同：二期 / 一期".to_owned()),
            "{a:?}"
        );
        assert!(a.score < assess(&o, &o).score);

        let cap = |n: &str| {
            candidate(
                &format!("华湘锂电年产{n}万吨新材料产业园"),
                "华湘锂电科技",
                None,
            )
        };
        let a = assess(&cap("20"), &cap("10"));
        assert_eq!(cap("十").name.capacity.as_deref(), Some("10万吨"));
        assert!(!a.is_pair(), "{a:?}");
        assert!(a
            .reasons
            .contains(&"产能不同：年产20万吨 / 年产10万吨".to_owned()));
        assert!(assess(&cap("10"), &cap("十")).is_pair());

        let site = |s: &str| candidate(&format!("华湘锂电新材料产业园（{s}）"), "华湘锂电", None);
        let a = assess(&site("东区"), &site("西区"));
        assert!(!a.is_pair() && a.reasons.contains(&"地点不同：东区 / 西区".to_owned()));

        // another investor's project with a similar generic name
        let other = candidate("华兴电子新材料产业园", "华兴电子有限公司", None);
        assert!(!assess(&other, &o).is_pair());
    }

    #[test]
    fn the_score_alone_decides_a_pair_as_the_full_assessment_does() {
        let names = [
            ("华湘锂电新材料产业园项目", "湖南华湘锂电科技股份有限公司"),
            ("南县華湘鋰電新材料產業園項目", "華湘鋰電科技股份有限公司"),
            ("华湘锂电新材料产业园二期项目", "华湘锂电"),
            ("华湘锂电年产20万吨新材料产业园", "华湘锂电科技"),
            ("华湘锂电年产10万吨新材料产业园", "华湘锂电科技"),
            ("华湘锂电新材料产业园（东区）", "华湘锂电"),
            ("华兴电子新材料产业园", "华兴电子有限公司"),
            (
                "博世汽车电子零部件产业化项目",
                "Bosch Automotive Parts Co., Ltd.",
            ),
            (
                "博世汽车电子零部件生产基地项目",
                "博世汽车部件（益阳）有限公司",
            ),
            ("园", ""),
            ("", "华湘锂电"),
        ];
        let all: Vec<Candidate> = names
            .iter()
            .enumerate()
            .flat_map(|(i, (n, inv))| {
                let mut c = candidate(n, inv, None);
                // every other one on another day, amount and code, so both ways are compared
                if i % 2 == 1 {
                    c.signed_on = Some("2025-01-02".to_owned());
                    c.contract_fen += 1;
                    c.credit_code = Some("91430900MA4L0XXXX1".to_owned());
                }
                [
                    c.clone(),
                    Candidate {
                        signed_on: None,
                        industry_code: None,
                        ..c
                    },
                ]
            })
            .collect();
        let mut pairs = 0;
        for a in &all {
            for b in &all {
                let full = assess(a, b);
                let quick = assess_prepared(&Prepared::new(a.clone()), &Prepared::new(b.clone()));
                assert_eq!(
                    quick.as_ref(),
                    full.is_pair().then_some(&full),
                    "{a:?} {b:?}"
                );
                pairs += usize::from(full.is_pair());
            }
        }
        // both outcomes are met
        assert!(
            pairs > all.len() && pairs < all.len() * all.len(),
            "{pairs}"
        );
        assert_eq!(
            Bigrams::of("华湘锂电").similarity(&Bigrams::of("华湘锂电")),
            100
        );
        assert_eq!(Bigrams::of("").similarity(&Bigrams::of("")), 0);
    }

    #[test]
    fn industries_are_the_same_only_when_their_codes_are() {
        let with = |code: Option<&str>| {
            Prepared::new(Candidate {
                industry_code: code.map(str::to_owned),
                ..Candidate::default()
            })
        };
        let codes = [
            None,
            Some("C38"),
            Some("C381"),
            Some("C3841"),
            Some("C384"),
            Some("c38"),
            Some("制造业"),
            Some("制造业其他"),
            Some("ABCDEFGHIJ"),
            Some("ABCDEFGHIK"),
        ];
        for a in codes {
            for b in codes {
                let (pa, pb) = (with(a), with(b));
                let mut reasons = Vec::new();
                judge(&pa, &pb, &mut reasons);
                assert_eq!(
                    reasons.contains(&"同一行业".to_owned()),
                    a.is_some() && a == b,
                    "{a:?} / {b:?}"
                );
            }
        }
    }

    #[test]
    fn investors_meet_by_core_or_short_name_within_full() {
        assert!(same_investor_name("中联重科", "中联重科建机"));
        assert!(same_investor_name("华湘锂电", "华湘锂电"));
        assert!(!same_investor_name("华", "华湘锂电"));
        assert!(!same_investor_name("中联重科", "三一重工"));
        // the prepared look-up agrees with the rule, both ways round
        let cores = [
            "中联重科",
            "中联重科建机",
            "湖南中联重科",
            "联重科",
            "联重",
            "华",
            "华湘锂电",
            "三一重工",
            "boschautomotiveparts",
            "boschautomotivepartsyiyang",
            "bosch",
            "湖南华湘锂电新材料科技",
            "湖南华湘锂电新材料科技发展",
            "湖南华湘锂电新材料",
            "",
        ];
        let prepared = |core: &str| {
            Prepared::new(Candidate {
                investor: core.to_owned(),
                ..Candidate::default()
            })
        };
        for a in cores {
            for b in cores {
                assert_eq!(
                    prepared(a).same_investor(&prepared(b)),
                    same_investor_name(a, b),
                    "{a} / {b}"
                );
            }
        }
    }

    #[test]
    fn an_english_name_is_not_counted_against_a_chinese_one() {
        let p = places();
        assert_eq!(
            investor_core("Bosch Automotive Parts (Yiyang) Co., Ltd.", &p),
            "boschautomotiveparts"
        );
        assert_eq!(
            investor_core("BOSCH AUTOMOTIVE PARTS GMBH", &p),
            "boschautomotiveparts"
        );
        let original = Candidate {
            name: profile_name("博世汽车电子零部件生产基地项目", &p),
            investor: investor_core("博世汽车部件（益阳）有限公司", &p),
            credit_code: Some("91430900MA4L0XXXX1".to_owned()),
            industry_code: Some("36".to_owned()),
            contract_fen: 0,
            contract_cents: 300_000_000,
            signed_on: Some("2026-03-10".to_owned()),
        };
        let copy = Candidate {
            name: profile_name("博世汽车电子零部件产业化项目", &p),
            investor: investor_core("Bosch Automotive Parts (Yiyang) Co., Ltd.", &p),
            credit_code: None,
            ..original.clone()
        };
        let a = assess(&copy, &original);
        assert!(a.is_pair(), "{a:?}");
        assert!(a
            .reasons
            .contains(&"投资方一为中文名称、一为外文名称，未能比对".to_owned()));
        assert!(!a.reasons.contains(&"投资方不同".to_owned()));
        // Two English names are compared as names are: different companies stay different.
        let other = Candidate {
            investor: investor_core("Siemens Electric Co., Ltd.", &p),
            ..copy.clone()
        };
        assert!(assess(&other, &copy)
            .reasons
            .contains(&"投资方不同".to_owned()));
    }

    #[test]
    fn phases_parse() {
        assert_eq!(find_phase("abc第十二期").map(|p| p.0), Some(12));
        assert_eq!(find_phase("期货二期").map(|p| p.0), Some(2));
        assert_eq!(find_phase("周期"), None);
    }
}
