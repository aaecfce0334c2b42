//! `luodi bench --only fraud`: the planted-fraud benchmark (issue 19). Over the county demo
//! data set, county accounts enter what a county under pressure would — projects it already
//! has, entered again so that they look new, and padded fund figures — beside at least as many
//! genuine look-alikes and normal entries, all through the HTTP API and the Excel imports, as
//! a clerk would. It then counts, per variant, how many planted cases the system caught
//! (a pair in the duplicate pool, a fund entry warned or refused) and how many genuine ones it
//! flagged. The cases are drawn from name lists with a seeded generator, so a run is
//! repeatable and another seed gives other names.

use crate::bench::Client;
use anyhow::{bail, Context};
use luodi_domain::CreditCode;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// The county accounts of 益阳市 that plant the cases: (account, county code, county name).
const COUNTIES: [(&str, &str, &str); 4] = [
    ("nx_bureau", "430921", "南县"),
    ("yyx_bureau", "430981", "沅江市"),
    ("tj_bureau", "430922", "桃江县"),
    ("ah_bureau", "430923", "安化县"),
];

/// Brand syllables: two make a brand (金瑞, 宏泰…); each case gets brands of its own.
const FIRST: [&str; 24] = [
    "金", "宏", "鼎", "博", "恒", "嘉", "瑞", "德", "盛", "泰", "祥", "隆", "凯", "信", "诚", "辉",
    "腾", "旭", "森", "源", "天", "宇", "中", "永",
];
const SECOND: [&str; 18] = [
    "瑞", "泰", "丰", "鑫", "润", "昌", "峰", "洲", "澜", "驰", "晟", "翔", "达", "邦", "禾", "川",
    "茂", "湘",
];

/// Business lines: (product, GB/T 4754 division, the investor's trade word, capacity unit).
const LINES: [(&str, &str, &str, Option<&str>); 20] = [
    ("锂电池正极材料", "38", "锂电", Some("万吨")),
    ("动力电池", "38", "新能源", Some("GWh")),
    ("数控机床", "34", "智能装备", Some("台")),
    ("工程机械零部件", "35", "机械", Some("万件")),
    ("电子元器件", "39", "电子", Some("万片")),
    ("液晶显示模组", "39", "光电", Some("万片")),
    ("装配式建筑构件", "30", "建材", Some("万平方米")),
    ("稻虾米精深加工", "13", "农业", Some("万吨")),
    ("休闲食品", "14", "食品", Some("万吨")),
    ("羽绒服装", "18", "服饰", Some("万件")),
    ("中药饮片", "27", "药业", Some("吨")),
    ("医用敷料", "35", "医疗", Some("万件")),
    ("汽车线束", "36", "汽车部件", Some("万套")),
    ("铜铝精深加工", "32", "有色", Some("万吨")),
    ("云计算数据中心", "65", "数据", None),
    ("农产品冷链物流", "59", "物流", None),
    ("光伏组件", "38", "光伏", Some("MW")),
    ("竹木家具", "21", "家居", Some("万件")),
    ("安化黑茶加工", "15", "茶业", Some("吨")),
    ("生物饲料", "13", "饲料", Some("万吨")),
];

const SUFFIXES: [&str; 6] = [
    "项目",
    "建设项目",
    "生产基地项目",
    "产业园项目",
    "生产线项目",
    "基地",
];

/// Where out-of-province and in-province investors come from: (name prefix, home, origin).
const HOMES: [(&str, &str, &str); 8] = [
    ("广东", "广东省", "out_of_province"),
    ("深圳", "广东省", "out_of_province"),
    ("浙江", "浙江省", "out_of_province"),
    ("江苏", "江苏省", "out_of_province"),
    ("上海", "上海市", "out_of_province"),
    ("福建", "福建省", "out_of_province"),
    ("湖南", "湖南省", "in_province"),
    ("长沙", "湖南省", "in_province"),
];

const FORMS: [&str; 4] = [
    "科技股份有限公司",
    "有限公司",
    "集团有限公司",
    "科技有限公司",
];

/// Foreign investors: (Chinese name, English name, Chinese trade, English trade, home,
/// product, division).
const FOREIGN: [(&str, &str, &str, &str, &str, &str, &str); 26] = [
    (
        "博世",
        "Bosch",
        "汽车部件",
        "Automotive Parts",
        "德国",
        "汽车电子零部件",
        "36",
    ),
    (
        "巴斯夫",
        "BASF",
        "化工",
        "Chemicals",
        "德国",
        "电池材料",
        "26",
    ),
    (
        "西门子",
        "Siemens",
        "电气",
        "Electric",
        "德国",
        "智能配电设备",
        "38",
    ),
    (
        "松下",
        "Panasonic",
        "电器",
        "Appliances",
        "日本",
        "家用电器零部件",
        "38",
    ),
    (
        "大金",
        "Daikin",
        "空调",
        "Air Conditioning",
        "日本",
        "空调压缩机",
        "34",
    ),
    (
        "普利司通",
        "Bridgestone",
        "轮胎",
        "Tires",
        "日本",
        "子午线轮胎",
        "29",
    ),
    (
        "三星",
        "Samsung",
        "电子",
        "Electronics",
        "韩国",
        "电子元器件",
        "39",
    ),
    (
        "施耐德",
        "Schneider",
        "电气",
        "Electric",
        "法国",
        "低压电器",
        "38",
    ),
    (
        "达能",
        "Danone",
        "食品",
        "Foods",
        "法国",
        "乳制品加工",
        "14",
    ),
    (
        "雀巢",
        "Nestle",
        "食品",
        "Foods",
        "瑞士",
        "咖啡精深加工",
        "14",
    ),
    (
        "嘉吉",
        "Cargill",
        "饲料",
        "Feed",
        "美国",
        "动物营养饲料",
        "13",
    ),
    (
        "丰益",
        "Wilmar",
        "粮油",
        "Oils and Grains",
        "新加坡",
        "粮油精深加工",
        "13",
    ),
    (
        "霍尼韦尔",
        "Honeywell",
        "科技",
        "Technologies",
        "美国",
        "智能传感器",
        "40",
    ),
    (
        "正大",
        "Charoen Pokphand",
        "饲料",
        "Feed",
        "泰国",
        "生猪全产业链",
        "03",
    ),
    (
        "飞利浦",
        "Philips",
        "照明",
        "Lighting",
        "荷兰",
        "LED照明灯具",
        "38",
    ),
    (
        "联合利华",
        "Unilever",
        "日化",
        "Home Care",
        "英国",
        "洗涤日化用品",
        "26",
    ),
    (
        "百事",
        "PepsiCo",
        "食品",
        "Foods",
        "美国",
        "薯类休闲食品",
        "14",
    ),
    (
        "卡特彼勒",
        "Caterpillar",
        "机械",
        "Machinery",
        "美国",
        "液压元件",
        "35",
    ),
    (
        "康明斯",
        "Cummins",
        "动力",
        "Power",
        "美国",
        "发动机零部件",
        "34",
    ),
    (
        "米其林",
        "Michelin",
        "轮胎",
        "Tires",
        "法国",
        "高性能轮胎",
        "29",
    ),
    (
        "法雷奥",
        "Valeo",
        "汽车部件",
        "Automotive Systems",
        "法国",
        "汽车照明系统",
        "36",
    ),
    (
        "电装",
        "Denso",
        "汽车部件",
        "Automotive Components",
        "日本",
        "汽车空调部件",
        "36",
    ),
    (
        "村田",
        "Murata",
        "电子",
        "Electronics",
        "日本",
        "片式电容器",
        "39",
    ),
    ("乐天", "Lotte", "食品", "Foods", "韩国", "糖果巧克力", "14"),
    (
        "迪卡侬",
        "Decathlon",
        "体育用品",
        "Sporting Goods",
        "法国",
        "运动器材",
        "24",
    ),
    (
        "利乐",
        "Tetra Pak",
        "包装",
        "Packaging",
        "瑞典",
        "无菌包装材料",
        "22",
    ),
];

/// Sites a project names in brackets: a park's district, a plant, a town.
const SITES: [&str; 10] = [
    "东区",
    "西区",
    "北区",
    "一号厂区",
    "二号厂区",
    "南洲镇",
    "茅草街镇",
    "草尾镇",
    "高新区",
    "经开区",
];

/// Generic park words two different investors' projects share.
const PARKS: [(&str, &str); 5] = [
    ("智能制造产业园", "34"),
    ("电子信息产业园", "39"),
    ("新材料产业园", "30"),
    ("食品加工产业园", "14"),
    ("现代物流园", "59"),
];

/// A sentence a county under pressure writes to push a warned figure through.
const EXCUSES: [&str; 3] = [
    "设备款按合同约定一次性支付，附银行回单",
    "投资方集中拨付注册资本金，已到账",
    "厂房主体完工，结算工程款集中支付",
];

const WAN: i64 = 10_000 * 100;

/// A planted case's outcome, counted per variant.
#[derive(Default)]
struct Tally {
    planted: usize,
    caught: usize,
}

/// An investor as the generator knows it.
#[derive(Clone)]
struct Investor {
    full: String,
    short: String,
    english: Option<String>,
    home: String,
    origin: &'static str,
    code: String,
}

/// A project as entered: the fields the benchmark varies, the rest left as a clerk leaves them.
#[derive(Clone)]
struct Planned {
    name: String,
    investor: String,
    code: Option<String>,
    home: String,
    origin: &'static str,
    industry: String,
    contract_fen: i64,
    contract_cents: i64,
    signed_on: time::Date,
    account: usize,
}

impl Planned {
    /// Why the code is blank, as a county under pressure writes it: a signed project must
    /// give its investor's credit code or a reason, and a copy entered to pad the figures
    /// leaves the code out with the handiest one.
    fn missing_reason(&self) -> Option<&'static str> {
        self.code.is_none().then_some(if self.origin == "foreign" {
            "境外投资者无统一社会信用代码"
        } else {
            "企业尚未注册，注册后补填代码"
        })
    }

    fn json(&self) -> Value {
        json!({
            "name": self.name,
            "investor_name": self.investor,
            "investor_credit_code": self.code,
            "credit_code_missing_reason": self.missing_reason(),
            "investor_home": self.home,
            "origin": self.origin,
            "industry_code": self.industry,
            "contract_fen": self.contract_fen,
            "contract_cents": self.contract_cents,
            "total_investment_fen": self.contract_fen.max(self.contract_cents * 7) * 6 / 5,
            "signed_on": self.signed_on.to_string(),
            "region_code": COUNTIES[self.account].1,
            "stage": "signed",
        })
    }

    /// The row of the ledger sheet (see `LEDGER_HEADER`).
    fn row(&self) -> Vec<String> {
        let wan = |v: i64| {
            if v == 0 {
                String::new()
            } else {
                format!("{}", v / WAN)
            }
        };
        let origin = match self.origin {
            "foreign" => "境外",
            "in_province" => "省内",
            _ => "省外境内",
        };
        vec![
            self.name.clone(),
            self.investor.clone(),
            self.code.clone().unwrap_or_default(),
            self.missing_reason().unwrap_or_default().to_owned(),
            self.home.clone(),
            origin.to_owned(),
            self.industry.clone(),
            wan(self.contract_fen),
            wan(self.contract_cents),
            self.signed_on.to_string(),
            COUNTIES[self.account].2.to_owned(),
            "已签约".to_owned(),
        ]
    }
}

const LEDGER_HEADER: [&str; 12] = [
    "项目名称",
    "投资方",
    "统一社会信用代码",
    "无代码原因",
    "投资方来源地",
    "资金来源",
    "行业代码",
    "合同资金（万元）",
    "合同外资（万美元）",
    "签约日期",
    "落户地",
    "项目阶段",
];

/// One planted pair: the project first entered and the later one, and whether the later one
/// is a copy (to be caught) or a genuinely different project (to be left alone).
struct PlantedPair {
    variant: &'static str,
    copy: bool,
    /// What the credit code of the later entry is: blank, a subsidiary's, the same.
    code_note: &'static str,
    first: Planned,
    later: Planned,
    /// Entered through the ledger sheet rather than the form.
    by_sheet: bool,
}

struct Generator {
    rng: StdRng,
    brands: Vec<String>,
    foreign: Vec<usize>,
    today: time::Date,
}

impl Generator {
    fn new(seed: u64, today: time::Date) -> Self {
        let mut rng = StdRng::seed_from_u64(seed);
        let mut brands: Vec<String> = FIRST
            .iter()
            .flat_map(|a| SECOND.iter().map(move |b| format!("{a}{b}")))
            .filter(|b| b.chars().next() != b.chars().nth(1))
            .collect();
        brands.shuffle(&mut rng);
        let mut foreign: Vec<usize> = (0..FOREIGN.len()).collect();
        foreign.shuffle(&mut rng);
        Self {
            rng,
            brands,
            foreign,
            today,
        }
    }

    fn brand(&mut self) -> anyhow::Result<String> {
        self.brands.pop().context("out of brand names")
    }

    fn code(&mut self, region: &str) -> String {
        loop {
            let body: String = (0..9)
                .map(|_| b"0123456789ABCDEFGHJKLMNPQRTUWXY"[self.rng.gen_range(0..31)] as char)
                .collect();
            if let Some(c) = CreditCode::with_check(&format!("91{region}{body}")) {
                return c.to_string();
            }
        }
    }

    fn investor(&mut self, brand: &str, trade: &str) -> Investor {
        let (prefix, home, origin) = HOMES[self.rng.gen_range(0..HOMES.len())];
        let form = FORMS[self.rng.gen_range(0..FORMS.len())];
        let code_region = match origin {
            "in_province" => "430100",
            _ => "440300",
        };
        Investor {
            full: format!("{prefix}{brand}{trade}{form}"),
            short: format!("{brand}{trade}"),
            english: None,
            home: home.to_owned(),
            origin,
            code: self.code(code_region),
        }
    }

    /// A foreign investor: the investor, its Chinese brand, a product and its division.
    fn foreign_investor(
        &mut self,
    ) -> anyhow::Result<(Investor, &'static str, &'static str, &'static str)> {
        let i = self.foreign.pop().context("out of foreign investors")?;
        let (cn, en, trade, en_trade, home, product, division) = FOREIGN[i];
        Ok((
            Investor {
                full: format!("{cn}{trade}（益阳）有限公司"),
                short: format!("{cn}{trade}"),
                english: Some(format!("{en} {en_trade} (Yiyang) Co., Ltd.")),
                home: home.to_owned(),
                origin: "foreign",
                code: self.code("430900"),
            },
            cn,
            product,
            division,
        ))
    }

    fn date(&mut self) -> time::Date {
        let start = time::macros::date!(2025 - 01 - 01);
        let span = (self.today - start).whole_days() - 200;
        start + time::Duration::days(self.rng.gen_range(0..span.max(1)))
    }

    /// A later signing: within 0–150 days (a re-signing at the next event), not after today.
    fn later(&mut self, d: time::Date) -> time::Date {
        (d + time::Duration::days(self.rng.gen_range(0..=150))).min(self.today)
    }

    fn contract(&mut self) -> i64 {
        self.rng.gen_range(30..=400) * 100 * WAN
    }

    fn capacity(&mut self, unit: &str) -> (u32, String) {
        let n = [2, 3, 5, 6, 8, 10, 12, 15, 20, 30][self.rng.gen_range(0..10)];
        (n, format!("年产{n}{unit}"))
    }

    /// An original project of a domestic investor, with its line.
    fn original(&mut self, account: usize) -> anyhow::Result<(Planned, Investor, usize)> {
        let brand = self.brand()?;
        let line = self.rng.gen_range(0..LINES.len());
        let (product, division, trade, unit) = LINES[line];
        let investor = self.investor(&brand, trade);
        let capacity = match unit {
            Some(u) if self.rng.gen_bool(0.5) => self.capacity(u).1,
            _ => String::new(),
        };
        let suffix = SUFFIXES[self.rng.gen_range(0..SUFFIXES.len())];
        // Most clerks write the brand, some the investor's short name, in front.
        let name = if self.rng.gen_bool(0.7) {
            format!("{brand}{capacity}{product}{suffix}")
        } else {
            format!("{brand}{trade}{capacity}{product}{suffix}")
        };
        let contract = self.contract();
        let signed_on = self.date();
        Ok((
            Planned {
                name,
                investor: investor.full.clone(),
                code: Some(investor.code.clone()),
                home: investor.home.clone(),
                origin: investor.origin,
                industry: division.to_owned(),
                contract_fen: contract,
                contract_cents: 0,
                signed_on,
                account,
            },
            investor,
            line,
        ))
    }

    /// The name said in other words, as a second clerk would write it.
    fn reword(&mut self, name: &str) -> String {
        let mut core = name.to_owned();
        for s in [
            "生产基地项目",
            "产业园项目",
            "生产线项目",
            "建设项目",
            "项目",
            "基地",
        ] {
            if let Some(rest) = core.strip_suffix(s) {
                core = rest.to_owned();
                break;
            }
        }
        // Words that change nothing of what is built (no 扩能, 二期: those are other projects).
        let suffixes = [
            "生产基地",
            "产业化项目",
            "产业基地",
            "基地建设项目",
            "厂房建设项目",
        ];
        let suffix = suffixes[self.rng.gen_range(0..suffixes.len())];
        let lead = ["", "新建", "投资建设", "引进"][self.rng.gen_range(0..4)];
        format!("{lead}{core}{suffix}")
    }

    /// The later entry's credit code: blank or a subsidiary's, half and half.
    fn copy_code(&mut self, account: usize) -> (Option<String>, &'static str) {
        if self.rng.gen_bool(0.5) {
            (None, "信用代码空白")
        } else {
            (Some(self.code(COUNTIES[account].1)), "子公司信用代码")
        }
    }

    /// Money and date of a copy: mostly the same contract, sometimes restated.
    fn copy_terms(&mut self, first: &Planned, later: &mut Planned) {
        later.signed_on = self.later(first.signed_on);
        if self.rng.gen_bool(0.3) {
            later.contract_fen = first.contract_fen * self.rng.gen_range(12..=20) / 10;
            later.contract_cents = first.contract_cents * self.rng.gen_range(12..=20) / 10;
        }
    }

    fn duplicates(&mut self, per_variant: usize) -> anyhow::Result<Vec<PlantedPair>> {
        let mut out = Vec::new();
        for variant in [
            "改写名称",
            "名称前加县名",
            "繁体字",
            "外资英文名称",
            "投资方简称与全称",
            "同市另一县重复录入",
        ] {
            for k in 0..per_variant {
                let account = self.rng.gen_range(0..COUNTIES.len());
                let (mut first, investor, _) = if variant == "外资英文名称" {
                    let (inv, brand, product, division) = self.foreign_investor()?;
                    let suffix = SUFFIXES[self.rng.gen_range(0..SUFFIXES.len())];
                    let cents = self.rng.gen_range(5..=80) * 100 * WAN;
                    let p = Planned {
                        name: format!("{brand}{product}{suffix}"),
                        investor: inv.full.clone(),
                        code: Some(inv.code.clone()),
                        home: inv.home.clone(),
                        origin: "foreign",
                        industry: division.to_owned(),
                        contract_fen: 0,
                        contract_cents: cents,
                        signed_on: self.date(),
                        account,
                    };
                    (p, inv, 0)
                } else {
                    self.original(account)?
                };
                first.account = account;
                let mut later = first.clone();
                let (code, code_note) = self.copy_code(account);
                later.code = code;
                self.copy_terms(&first, &mut later);
                match variant {
                    "改写名称" => later.name = self.reword(&first.name),
                    "名称前加县名" => {
                        let county = COUNTIES[account].2;
                        let front = ["", "益阳市", "湖南省益阳市"][self.rng.gen_range(0..3)];
                        later.name = format!("{front}{county}{}", first.name);
                    }
                    "繁体字" => {
                        later.name = hanconv::s2t(&first.name);
                        later.investor = hanconv::s2t(&first.investor);
                    }
                    "外资英文名称" => {
                        later.investor = investor.english.clone().unwrap_or_default();
                        if self.rng.gen_bool(0.5) {
                            later.name = self.reword(&first.name);
                        }
                    }
                    "投资方简称与全称" => {
                        later.investor = investor.short.clone();
                        if self.rng.gen_bool(0.5) {
                            later.name = self.reword(&first.name);
                        }
                    }
                    _ => {
                        let other = (account + 1 + self.rng.gen_range(0..3)) % COUNTIES.len();
                        later.account = other;
                        let (code, _) = self.copy_code(other);
                        later.code = code;
                        later.name = if self.rng.gen_bool(0.5) {
                            format!("{}{}", COUNTIES[other].2, first.name)
                        } else {
                            self.reword(&first.name)
                        };
                    }
                }
                out.push(PlantedPair {
                    variant,
                    copy: true,
                    code_note,
                    first,
                    later,
                    by_sheet: k % 2 == 1,
                });
            }
        }
        Ok(out)
    }

    fn look_alikes(&mut self, per_variant: usize) -> anyhow::Result<Vec<PlantedPair>> {
        let mut out = Vec::new();
        for variant in [
            "真实二期",
            "另一厂址",
            "另一产能",
            "同园区通用名称",
            "同一投资方的另一项目",
        ] {
            for k in 0..per_variant {
                let account = self.rng.gen_range(0..COUNTIES.len());
                let (mut first, investor, line) = self.original(account)?;
                let mut later = first.clone();
                // A genuinely new project is signed later, for its own amount.
                later.signed_on = (first.signed_on
                    + time::Duration::days(self.rng.gen_range(30..=400)))
                .min(self.today);
                later.contract_fen = self.contract();
                let (product, _, trade, unit) = LINES[line];
                let brand = investor.short.trim_end_matches(trade).to_owned();
                match variant {
                    "真实二期" => {
                        if self.rng.gen_bool(0.5) {
                            first.name = format!("{}（一期）", first.name);
                        }
                        let base = first.name.trim_end_matches("（一期）").to_owned();
                        later.name = match self.rng.gen_range(0..3) {
                            0 => format!("{base}（二期）"),
                            1 => format!("{base}二期"),
                            _ => format!("{brand}{product}二期{}", SUFFIXES[0]),
                        };
                    }
                    "另一厂址" => {
                        let mut sites = SITES.to_vec();
                        sites.shuffle(&mut self.rng);
                        first.name = format!("{}（{}）", first.name, sites[0]);
                        later.name = format!("{brand}{product}{}（{}）", SUFFIXES[2], sites[1]);
                        if self.rng.gen_bool(0.5) {
                            later.account = (account + 1) % COUNTIES.len();
                        }
                    }
                    "另一产能" => {
                        let u = unit.unwrap_or("万吨");
                        let (a, ca) = self.capacity(u);
                        let mut cb;
                        loop {
                            let (b, c) = self.capacity(u);
                            cb = c;
                            if b != a {
                                break;
                            }
                        }
                        first.name = format!("{brand}{ca}{product}{}", SUFFIXES[1]);
                        later.name = format!("{brand}{cb}{product}扩能项目");
                    }
                    "同园区通用名称" => {
                        let (park, division) = PARKS[self.rng.gen_range(0..PARKS.len())];
                        let other = self.brand()?;
                        let trade2 = ["科技", "实业", "产业"][self.rng.gen_range(0..3)];
                        let inv2 = self.investor(&other, trade2);
                        first.name = format!("{brand}{park}项目");
                        first.industry = division.to_owned();
                        later.name = format!("{other}{park}项目");
                        later.investor = inv2.full;
                        later.code = Some(inv2.code);
                        later.home = inv2.home;
                        later.origin = inv2.origin;
                        later.industry = division.to_owned();
                        if self.rng.gen_bool(0.3) {
                            later.contract_fen = first.contract_fen;
                        }
                    }
                    _ => {
                        // Another line of the same trade, or any other line.
                        let same_trade: Vec<usize> = (0..LINES.len())
                            .filter(|&i| i != line && LINES[i].2 == trade)
                            .collect();
                        let other = match same_trade.choose(&mut self.rng) {
                            Some(&i) => i,
                            None => {
                                (line + 1 + self.rng.gen_range(0..LINES.len() - 1)) % LINES.len()
                            }
                        };
                        let (p2, d2, _, _) = LINES[other];
                        later.name = format!(
                            "{brand}{p2}{}",
                            SUFFIXES[self.rng.gen_range(0..SUFFIXES.len())]
                        );
                        later.industry = d2.to_owned();
                    }
                }
                out.push(PlantedPair {
                    variant,
                    copy: false,
                    code_note: "",
                    first,
                    later,
                    by_sheet: k % 2 == 1,
                });
            }
        }
        Ok(out)
    }
}

/// The ledger sheet of some projects, as a county fills in the template.
fn ledger_sheet(rows: &[&Planned]) -> anyhow::Result<Vec<u8>> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    for (c, h) in LEDGER_HEADER.iter().enumerate() {
        ws.write_string(0, c as u16, *h)?;
    }
    for (r, p) in rows.iter().enumerate() {
        for (c, v) in p.row().iter().enumerate() {
            if !v.is_empty() {
                ws.write_string(r as u32 + 1, c as u16, v)?;
            }
        }
    }
    Ok(wb.save_to_buffer()?)
}

async fn create(client: &Client, tokens: &[String], p: &Planned) -> anyhow::Result<i64> {
    let (status, body) = client
        .post("/api/projects", &tokens[p.account], p.json())
        .await?;
    if status != 201 {
        bail!("POST /api/projects {}: {status} {body}", p.name);
    }
    body["project"]["id"].as_i64().context("project id")
}

async fn id_of(raw: &mut sqlx::AnyConnection, p: &Planned) -> anyhow::Result<i64> {
    sqlx::query_scalar(
        "SELECT id FROM projects WHERE name = $1 AND region_code = $2 ORDER BY id DESC",
    )
    .bind(&p.name)
    .bind(COUNTIES[p.account].1)
    .fetch_optional(&mut *raw)
    .await?
    .with_context(|| format!("imported project {} not found", p.name))
}

async fn paired(raw: &mut sqlx::AnyConnection, a: i64, b: i64) -> anyhow::Result<bool> {
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM duplicate_candidates WHERE (project_id = $1 AND other_project_id = $2) \
         OR (project_id = $2 AND other_project_id = $1)",
    )
    .bind(a)
    .bind(b)
    .fetch_one(&mut *raw)
    .await?;
    Ok(n > 0)
}

fn rate(part: usize, whole: usize) -> String {
    if whole == 0 {
        "—".to_owned()
    } else {
        format!("{:.1} %", part as f64 * 100.0 / whole as f64)
    }
}

/// Plants the look-alike projects and reports recall and false alarms per variant.
async fn duplicates(
    client: &Client,
    raw: &mut sqlx::AnyConnection,
    tokens: &[String],
    generator: &mut Generator,
    per_variant: usize,
) -> anyhow::Result<(Tally, Tally)> {
    let mut pairs = generator.duplicates(per_variant)?;
    pairs.extend(generator.look_alikes(per_variant + per_variant / 4 + 1)?);
    // Every first entry through the form, as the county entered it months ago.
    let mut firsts = Vec::with_capacity(pairs.len());
    for p in &pairs {
        firsts.push(create(client, tokens, &p.first).await?);
    }
    // The later entries: through the form one by one, or each county's in one ledger sheet.
    let mut laters = vec![0i64; pairs.len()];
    for (i, p) in pairs.iter().enumerate() {
        if !p.by_sheet {
            laters[i] = create(client, tokens, &p.later).await?;
        }
    }
    for (account, token) in tokens.iter().enumerate() {
        let rows: Vec<&Planned> = pairs
            .iter()
            .filter(|p| p.by_sheet && p.later.account == account)
            .map(|p| &p.later)
            .collect();
        if rows.is_empty() {
            continue;
        }
        let file = ledger_sheet(&rows)?;
        let (status, body) = client
            .upload("/api/projects/import/commit", token, file, "台账导入.xlsx")
            .await?;
        if status != 200 {
            bail!("ledger sheet of {}: {status} {body}", COUNTIES[account].0);
        }
    }
    for (i, p) in pairs.iter().enumerate() {
        if p.by_sheet {
            laters[i] = id_of(raw, &p.later).await?;
        }
    }
    let mut by_variant: BTreeMap<(bool, &str, &str), Tally> = BTreeMap::new();
    let (mut copies, mut genuine) = (Tally::default(), Tally::default());
    let mut missed = Vec::new();
    for (i, p) in pairs.iter().enumerate() {
        let hit = paired(raw, firsts[i], laters[i]).await?;
        let channel = if p.by_sheet { "导入" } else { "表单" };
        for key in [
            (p.copy, p.variant, channel),
            (p.copy, p.variant, "合计"),
            (p.copy, p.code_note, "合计"),
        ] {
            if key.1.is_empty() {
                continue;
            }
            let t = by_variant.entry(key).or_default();
            t.planted += 1;
            t.caught += usize::from(hit);
        }
        let t = if p.copy { &mut copies } else { &mut genuine };
        t.planted += 1;
        t.caught += usize::from(hit);
        if hit != p.copy {
            missed.push(format!(
                "{}{}：{}（{}）↔ {}（{}）",
                if p.copy { "漏报 " } else { "误报 " },
                p.variant,
                p.first.name,
                p.first.investor,
                p.later.name,
                p.later.investor
            ));
        }
    }
    println!("\n| 重复录入变体 | 渠道 | 植入 | 识别 | 召回率 |\n|---|---|---:|---:|---:|");
    for ((_, variant, channel), t) in by_variant.iter().filter(|(k, _)| k.0) {
        println!(
            "| {variant} | {channel} | {} | {} | {} |",
            t.planted,
            t.caught,
            rate(t.caught, t.planted)
        );
    }
    println!(
        "| **全部重复录入** | | {} | {} | **{}** |",
        copies.planted,
        copies.caught,
        rate(copies.caught, copies.planted)
    );
    println!("\n| 真实相似项目 | 渠道 | 数量 | 误报 | 误报率 |\n|---|---|---:|---:|---:|");
    for ((_, variant, channel), t) in by_variant.iter().filter(|(k, _)| !k.0) {
        println!(
            "| {variant} | {channel} | {} | {} | {} |",
            t.planted,
            t.caught,
            rate(t.caught, t.planted)
        );
    }
    println!(
        "| **全部真实相似项目** | | {} | {} | **{}** |",
        genuine.planted,
        genuine.caught,
        rate(genuine.caught, genuine.planted)
    );
    for m in &missed {
        println!("- {m}");
    }
    Ok((copies, genuine))
}

/// One fund record as planted: its period, currency, amount, and whether it is padding.
#[derive(Clone)]
struct Record {
    period: String,
    usd: bool,
    amount: i64,
    padded: bool,
}

/// A project with a run of fund records: a padding variant (its padded records to be caught)
/// or a normal project (none to be flagged).
struct FundCase {
    variant: &'static str,
    /// The contract: (元 in 分, US cents).
    contract: (i64, i64),
    records: Vec<Record>,
    /// The reason the county gives when a record is warned.
    reason: &'static str,
    /// The padding is caught when the county's reason is refused (the "1" / "." reasons).
    caught_by_refusal: bool,
    by_sheet: bool,
    account: usize,
}

fn months(start: (i32, u32), n: usize) -> Vec<String> {
    (0..n)
        .map(|i| {
            let m = start.0 * 12 + start.1 as i32 - 1 + i as i32;
            format!("{}-{:02}", m / 12, m % 12 + 1)
        })
        .collect()
}

impl Generator {
    /// Normal months around a base amount (0.6–1.8×), quarter ends a little higher as real
    /// ones are (up to 2.4×).
    fn normal_run(&mut self, periods: &[String], base: i64, usd: bool) -> Vec<Record> {
        periods
            .iter()
            .map(|p| {
                let quarter_end = p.ends_with("-03")
                    || p.ends_with("-06")
                    || p.ends_with("-09")
                    || p.ends_with("-12");
                let f = if quarter_end {
                    self.rng.gen_range(10..=24)
                } else {
                    self.rng.gen_range(6..=18)
                };
                Record {
                    period: p.clone(),
                    usd,
                    amount: base * f / 10,
                    padded: false,
                }
            })
            .collect()
    }

    fn fund_cases(&mut self, per_variant: usize) -> Vec<FundCase> {
        let mut out = Vec::new();
        let variants: [&str; 9] = [
            "一个月20倍拆成5笔4倍",
            "每月4.9倍爬升至44倍",
            "首笔即占合同95%",
            "超出合同部分改记美元（人民币合同）",
            "超出部分改记人民币（美元合同）",
            "季末突击（非最后5天录入）",
            "季末突击（季度结束后补录）",
            "超常说明“1”",
            "超常说明“.”",
        ];
        for variant in variants {
            for k in 0..per_variant {
                let account = self.rng.gen_range(0..COUNTIES.len());
                // A month's usual arrival 50–300万元, the contract far above what is entered.
                let base = self.rng.gen_range(50..=300) * WAN;
                let contract = base * self.rng.gen_range(150..=400);
                let mut case = FundCase {
                    variant,
                    contract: (contract, 0),
                    records: Vec::new(),
                    reason: EXCUSES[k % EXCUSES.len()],
                    caught_by_refusal: false,
                    by_sheet: k % 2 == 1,
                    account,
                };
                let n = self.rng.gen_range(3..=6);
                let pad = |period: &str, usd: bool, amount: i64| Record {
                    period: period.to_owned(),
                    usd,
                    amount,
                    padded: true,
                };
                match variant {
                    "一个月20倍拆成5笔4倍" => {
                        let ps = months((2026, 1), n + 1);
                        case.records = self.normal_run(&ps[..n], base, false);
                        for _ in 0..5 {
                            case.records.push(pad(&ps[n], false, base * 4));
                        }
                    }
                    "每月4.9倍爬升至44倍" => {
                        let ps = months((2026, 1), n + 3);
                        case.records = self.normal_run(&ps[..n], base, false);
                        for (i, f) in [49, 240, 440].into_iter().enumerate() {
                            case.records.push(pad(&ps[n + i], false, base * f / 10));
                        }
                    }
                    "首笔即占合同95%" => {
                        let c = base * self.rng.gen_range(3..=30);
                        case.contract = (c, 0);
                        case.records.push(pad("2026-05", false, c * 95 / 100));
                    }
                    "超出合同部分改记美元（人民币合同）" => {
                        let ps = months((2026, 1), n + 1);
                        case.records = self.normal_run(&ps[..n], base, false);
                        let sum: i64 = case.records.iter().map(|r| r.amount).sum();
                        case.contract = (sum + base / 2, 0);
                        case.records.push(pad(&ps[n], true, base / 7));
                    }
                    "超出部分改记人民币（美元合同）" => {
                        let ps = months((2026, 1), n + 1);
                        let usd_base = base / 7;
                        case.records = self.normal_run(&ps[..n], usd_base, true);
                        let sum: i64 = case.records.iter().map(|r| r.amount).sum();
                        case.contract = (0, sum + usd_base / 2);
                        case.records.push(pad(&ps[n], false, base));
                    }
                    "季末突击（非最后5天录入）" | "季末突击（季度结束后补录）" =>
                    {
                        // The quarter's first two months, or one month, then its last month.
                        let end = if variant.contains("补录") {
                            [3, 6, 9][self.rng.gen_range(0..3)]
                        } else {
                            12
                        };
                        let before = self.rng.gen_range(1..=2);
                        let ps = months((2026, end - before as u32), before + 1);
                        case.records = self.normal_run(&ps[..before], base, false);
                        // Above everything before it, and 3.2–4.9 times the project's usual
                        // month (below the 5× of a plain jump).
                        let sum: i64 = case.records.iter().map(|r| r.amount).sum();
                        let usual = sum / before as i64;
                        let burst = (sum + usual).max(usual * self.rng.gen_range(32..=49) / 10);
                        case.records.push(pad(&ps[before], false, burst));
                    }
                    _ => {
                        // A jump pushed through with a reason that says nothing.
                        let ps = months((2026, 1), n + 1);
                        case.records = self.normal_run(&ps[..n], base, false);
                        case.records.push(pad(&ps[n], false, base * 12));
                        case.reason = if variant.contains('1') { "1" } else { "." };
                        case.caught_by_refusal = true;
                    }
                }
                out.push(case);
            }
        }
        // Normal projects: a year of ordinary months, first entries a small share of the
        // contract; a fifth of them foreign projects paid in dollars.
        for k in 0..per_variant * variants.len() {
            let account = self.rng.gen_range(0..COUNTIES.len());
            let usd = k % 5 == 4;
            let base = self.rng.gen_range(50..=300) * WAN / if usd { 7 } else { 1 };
            let contract = base * self.rng.gen_range(20..=120);
            let n = self.rng.gen_range(3..=11);
            let ps = months((2026, 1), n);
            let records = self.normal_run(&ps, base, usd);
            out.push(FundCase {
                variant: if usd {
                    "正常到位（美元合同）"
                } else {
                    "正常到位（人民币合同）"
                },
                contract: if usd { (0, contract) } else { (contract, 0) },
                records,
                reason: EXCUSES[0],
                caught_by_refusal: false,
                by_sheet: k % 2 == 1,
                account,
            });
        }
        out
    }
}

/// What became of a fund case: for padding, whether it was caught; for every normal record,
/// whether it was flagged.
struct FundOutcome {
    caught: bool,
    normal: usize,
    flagged: usize,
}

fn field_errors(body: &Value, field: &str) -> bool {
    body["errors"][field]
        .as_array()
        .is_some_and(|a| !a.is_empty())
}

async fn enter_by_form(
    client: &Client,
    token: &str,
    project: i64,
    case: &FundCase,
) -> anyhow::Result<FundOutcome> {
    let mut out = FundOutcome {
        caught: false,
        normal: 0,
        flagged: 0,
    };
    let path = format!("/api/projects/{project}/funds");
    for r in &case.records {
        let input = json!({
            "period": r.period,
            "amount": r.amount,
            "currency": if r.usd { "USD" } else { "CNY" },
            "kind": "fixed_asset",
        });
        let (status, body) = client.post(&path, token, input.clone()).await?;
        let warned = status == 422 && field_errors(&body, "override_reason");
        if status != 201 && !warned {
            bail!("POST {path}: {status} {body}");
        }
        if r.padded {
            out.caught |= warned && !case.caught_by_refusal;
        } else {
            out.normal += 1;
            out.flagged += usize::from(warned);
        }
        if warned {
            // The county answers the warning with its reason and tries again.
            let mut again = input;
            again["override_reason"] = json!(case.reason);
            let (status, body) = client.post(&path, token, again).await?;
            let refused = status == 422 && field_errors(&body, "override_reason");
            if status != 201 && !refused {
                bail!("POST {path} with a reason: {status} {body}");
            }
            if r.padded && case.caught_by_refusal {
                out.caught |= refused;
            }
        }
    }
    Ok(out)
}

fn fund_sheet(
    project: i64,
    records: &[Record],
    reasons: &[Option<&str>],
) -> anyhow::Result<Vec<u8>> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    let header = [
        "项目编号",
        "到位月份",
        "币种",
        "本次到位金额（万元/万美元）",
        "资金类型",
        "超常说明",
    ];
    for (c, h) in header.iter().enumerate() {
        ws.write_string(0, c as u16, *h)?;
    }
    for (i, r) in records.iter().enumerate() {
        let row = i as u32 + 1;
        ws.write_number(row, 0, project as f64)?;
        ws.write_string(row, 1, &r.period)?;
        ws.write_string(row, 2, if r.usd { "美元" } else { "人民币" })?;
        // 万 with up to six decimals, as the template takes them.
        ws.write_string(row, 3, format!("{}.{:06}", r.amount / WAN, r.amount % WAN))?;
        ws.write_string(row, 4, "固定资产投资")?;
        if let Some(reason) = reasons[i] {
            ws.write_string(row, 5, reason)?;
        }
    }
    Ok(wb.save_to_buffer()?)
}

async fn enter_by_sheet(
    client: &Client,
    token: &str,
    project: i64,
    case: &FundCase,
) -> anyhow::Result<FundOutcome> {
    let mut reasons: Vec<Option<&str>> = vec![None; case.records.len()];
    let file = fund_sheet(project, &case.records, &reasons)?;
    let (status, preview) = client
        .upload("/api/funds/import/preview", token, file, "资金到位.xlsx")
        .await?;
    if status != 200 {
        bail!("fund sheet preview: {status} {preview}");
    }
    let warned_rows: Vec<usize> = preview["errors"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|e| e["field"] == "override_reason")
        .filter_map(|e| e["row"].as_u64().map(|r| r as usize - 2))
        .collect();
    let other_errors = preview["errors"]
        .as_array()
        .into_iter()
        .flatten()
        .any(|e| e["field"] != "override_reason");
    if other_errors {
        bail!("fund sheet preview: {preview}");
    }
    let mut out = FundOutcome {
        caught: false,
        normal: 0,
        flagged: 0,
    };
    // A row is checked against the rows above it as entered; once a warned row is answered
    // the rows below may be judged anew, so the county answers until nothing is asked.
    let mut warned = vec![false; case.records.len()];
    let mut asked = warned_rows;
    for _ in 0..case.records.len() {
        if asked.is_empty() {
            break;
        }
        for &i in &asked {
            warned[i] = true;
            reasons[i] = Some(case.reason);
        }
        let file = fund_sheet(project, &case.records, &reasons)?;
        let (_, preview) = client
            .upload("/api/funds/import/preview", token, file, "资金到位.xlsx")
            .await?;
        let errors: Vec<&Value> = preview["errors"].as_array().into_iter().flatten().collect();
        let row_of = |e: &&Value| e["row"].as_u64().map(|r| r as usize - 2);
        if case.caught_by_refusal && !errors.is_empty() {
            // The reason "1" or "." is refused: the sheet cannot go in with it.
            out.caught = errors
                .iter()
                .filter_map(row_of)
                .any(|i| case.records[i].padded);
            break;
        }
        asked = errors
            .iter()
            .filter(|e| e["field"] == "override_reason")
            .filter_map(row_of)
            .filter(|i| !warned[*i])
            .collect();
    }
    for (i, r) in case.records.iter().enumerate() {
        if r.padded {
            out.caught |= warned[i] && !case.caught_by_refusal;
        } else {
            out.normal += 1;
            out.flagged += usize::from(warned[i]);
        }
    }
    if !out.caught || !case.caught_by_refusal {
        let file = fund_sheet(project, &case.records, &reasons)?;
        let (status, body) = client
            .upload("/api/funds/import/commit", token, file, "资金到位.xlsx")
            .await?;
        if status != 200 && !case.caught_by_refusal {
            bail!("fund sheet commit: {status} {body}");
        }
    }
    Ok(out)
}

async fn funds(
    client: &Client,
    tokens: &[String],
    generator: &mut Generator,
    per_variant: usize,
) -> anyhow::Result<(Tally, Tally)> {
    let cases = generator.fund_cases(per_variant);
    let mut by_variant: BTreeMap<(bool, &str, &str), Tally> = BTreeMap::new();
    let (mut padded, mut normal) = (Tally::default(), Tally::default());
    let mut missed = Vec::new();
    for (k, case) in cases.iter().enumerate() {
        let brand = generator.brand().unwrap_or_else(|_| format!("测{k}"));
        let (line, division, trade, _) = LINES[k % LINES.len()];
        let investor = generator.investor(&brand, trade);
        let foreign = case.contract.0 == 0;
        let project = Planned {
            name: format!("{brand}{line}资金核查{k}号项目"),
            investor: investor.full,
            code: Some(investor.code),
            home: if foreign {
                "新加坡".into()
            } else {
                investor.home
            },
            origin: if foreign { "foreign" } else { investor.origin },
            industry: division.to_owned(),
            contract_fen: case.contract.0,
            contract_cents: case.contract.1,
            signed_on: time::macros::date!(2025 - 11 - 20),
            account: case.account,
        };
        let id = create(client, tokens, &project).await?;
        let token = &tokens[case.account];
        let outcome = if case.by_sheet {
            enter_by_sheet(client, token, id, case).await?
        } else {
            enter_by_form(client, token, id, case).await?
        };
        let is_padding = case.records.iter().any(|r| r.padded);
        let channel = if case.by_sheet { "导入" } else { "表单" };
        if is_padding {
            for key in [(true, case.variant, channel), (true, case.variant, "合计")] {
                let t = by_variant.entry(key).or_default();
                t.planted += 1;
                t.caught += usize::from(outcome.caught);
            }
            padded.planted += 1;
            padded.caught += usize::from(outcome.caught);
            if !outcome.caught {
                let amounts: Vec<String> = case
                    .records
                    .iter()
                    .map(|r| {
                        format!(
                            "{}:{}{}",
                            r.period,
                            r.amount / WAN,
                            if r.usd { "$" } else { "" }
                        )
                    })
                    .collect();
                missed.push(format!(
                    "漏报 {}（{channel}，合同{}/{}$）：{}",
                    case.variant,
                    case.contract.0 / WAN,
                    case.contract.1 / WAN,
                    amounts.join(" ")
                ));
            }
        }
        let kind = if is_padding {
            "植入前的正常月份"
        } else {
            case.variant
        };
        for key in [(false, kind, channel), (false, kind, "合计")] {
            let t = by_variant.entry(key).or_default();
            t.planted += outcome.normal;
            t.caught += outcome.flagged;
        }
        normal.planted += outcome.normal;
        normal.caught += outcome.flagged;
        if outcome.flagged > 0 {
            let amounts: Vec<String> = case
                .records
                .iter()
                .map(|r| format!("{}:{}", r.period, r.amount / WAN))
                .collect();
            missed.push(format!(
                "误报 {kind}（{channel}，{}笔）：{}",
                outcome.flagged,
                amounts.join(" ")
            ));
        }
    }
    println!("\n| 资金注水变体 | 渠道 | 植入 | 识别 | 召回率 |\n|---|---|---:|---:|---:|");
    for ((_, variant, channel), t) in by_variant.iter().filter(|(k, _)| k.0) {
        println!(
            "| {variant} | {channel} | {} | {} | {} |",
            t.planted,
            t.caught,
            rate(t.caught, t.planted)
        );
    }
    println!(
        "| **全部注水** | | {} | {} | **{}** |",
        padded.planted,
        padded.caught,
        rate(padded.caught, padded.planted)
    );
    println!("\n| 正常到位记录 | 渠道 | 笔数 | 误报 | 误报率 |\n|---|---|---:|---:|---:|");
    for ((_, variant, channel), t) in by_variant.iter().filter(|(k, _)| !k.0) {
        println!(
            "| {variant} | {channel} | {} | {} | {} |",
            t.planted,
            t.caught,
            rate(t.caught, t.planted)
        );
    }
    println!(
        "| **全部正常记录** | | {} | {} | **{}** |",
        normal.planted,
        normal.caught,
        rate(normal.caught, normal.planted)
    );
    for m in &missed {
        println!("- {m}");
    }
    Ok((padded, normal))
}

/// Runs the benchmark with `per_variant` planted cases of each variant; `seed` picks the names.
pub async fn run(
    client: &Client,
    raw: &mut sqlx::AnyConnection,
    seed: u64,
    per_variant: usize,
) -> anyhow::Result<()> {
    let mut tokens = Vec::new();
    for (account, ..) in COUNTIES {
        tokens.push(client.login(account).await?);
    }
    let today = (time::OffsetDateTime::now_utc() + time::Duration::hours(8)).date();
    let mut generator = Generator::new(seed, today);
    let projects: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM projects")
        .fetch_one(&mut *raw)
        .await?;
    println!("\nplanted-fraud benchmark, seed {seed}, {per_variant} cases per variant, over {projects} demo projects");
    let (copies, genuine) = duplicates(client, raw, &tokens, &mut generator, per_variant).await?;
    let (padded, normal) = funds(client, &tokens, &mut generator, per_variant).await?;
    println!(
        "\n| 合计 | 植入/正常 | 识别/误报 | 率 |\n|---|---:|---:|---:|\n\
         | 重复录入召回 | {} | {} | {} |\n| 真实相似项目误报 | {} | {} | {} |\n\
         | 资金注水召回 | {} | {} | {} |\n| 正常到位记录误报 | {} | {} | {} |",
        copies.planted,
        copies.caught,
        rate(copies.caught, copies.planted),
        genuine.planted,
        genuine.caught,
        rate(genuine.caught, genuine.planted),
        padded.planted,
        padded.caught,
        rate(padded.caught, padded.planted),
        normal.planted,
        normal.caught,
        rate(normal.caught, normal.planted),
    );
    Ok(())
}

/// How long duplicate detection takes against the province (issue 19's target: p95 < 20 ms
/// for matching a new project against 50,000): a county enters `iterations` projects through
/// the form, each a reworded copy of a project drawn from anywhere in the province, so every
/// entry is looked up in the gram index and scored against its candidates. Timed: the whole
/// create request (matching is one part of it), and the candidate look-up as raw SQL — the
/// grouped gram read and the rows it returns.
pub async fn matching(
    client: &Client,
    raw: &mut sqlx::AnyConnection,
    iterations: usize,
) -> anyhow::Result<()> {
    use luodi_domain::duplicates::{
        generic_gram, grams, investor_core, profile_name, rarest_grams, Places,
    };
    use std::time::Instant;
    let token = client.login("nx_bureau").await?;
    let names: Vec<String> =
        sqlx::query_scalar("SELECT name FROM regions WHERE code >= '43' AND code < '44'")
            .fetch_all(&mut *raw)
            .await?;
    let places = Places::new(names.iter().map(String::as_str));
    let total: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM projects")
        .fetch_one(&mut *raw)
        .await?;
    let pairs_before: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM duplicate_candidates")
        .fetch_one(&mut *raw)
        .await?;
    let mut rng = StdRng::seed_from_u64(19);
    let mut generator = Generator::new(19, time::macros::date!(2026 - 11 - 30));
    let (mut api, mut sql, mut cold) = (Vec::new(), Vec::new(), Vec::new());
    let (mut grams_offered, mut grams_looked_up, mut found) = (0, 0, 0);
    let (mut in_rarest, mut in_all) = (0, 0);
    for i in 0..iterations + 10 {
        let offset = rng.gen_range(0..total);
        let (original, name, investor, industry, contract): (
            i64,
            String,
            String,
            Option<String>,
            i64,
        ) = sqlx::query_as(
            "SELECT id, name, investor_name, industry_code, contract_fen FROM projects \
                 ORDER BY id LIMIT 1 OFFSET $1",
        )
        .bind(offset)
        .fetch_one(&mut *raw)
        .await?;
        let copy = Planned {
            name: generator.reword(&name),
            investor: investor.clone(),
            code: None,
            home: "广东省".into(),
            origin: "out_of_province",
            industry: industry.unwrap_or_else(|| "39".into()),
            contract_fen: contract.max(WAN),
            contract_cents: 0,
            signed_on: time::macros::date!(2026 - 06 - 01),
            account: 0,
        };
        let t = Instant::now();
        let id = create(client, std::slice::from_ref(&token), &copy).await?;
        let api_elapsed = t.elapsed();
        if i >= 10 {
            found += usize::from(paired(raw, id, original).await?);
        }
        // The same look-up as raw SQL: the rarer grams, grouped, and the candidates' rows.
        let profile = profile_name(&copy.name, &places);
        let mut all = grams(&profile.core);
        all.extend(
            grams(&investor_core(&copy.investor, &places))
                .into_iter()
                .map(|g| format!("@{g}")),
        );
        all.sort_unstable();
        all.dedup();
        let rare: Vec<String> = all
            .iter()
            .filter(|g| !generic_gram(g.trim_start_matches('@')))
            .cloned()
            .collect();
        let looked_up = if rare.len() >= 3 { rare } else { all };
        let list = |grams: &[String]| -> String {
            grams
                .iter()
                .map(|g| format!("'{}'", g.replace('\'', "''")))
                .collect::<Vec<_>>()
                .join(", ")
        };
        // the 200 projects sharing most of `grams`, as the server asks
        let sharing = |grams: &[String]| {
            format!(
                "SELECT project_id FROM project_name_grams WHERE gram IN ({}) GROUP BY project_id \
                 ORDER BY COUNT(*) DESC, project_id DESC LIMIT 200",
                list(grams)
            )
        };
        // The server keeps each gram's count for an hour; counting them here every time is its
        // worst case, timed apart.
        let t = Instant::now();
        let counted: Vec<(String, i64)> = sqlx::query_as(&format!(
            "SELECT gram, CAST(COUNT(*) AS BIGINT) FROM project_name_grams WHERE gram IN ({}) \
             GROUP BY gram",
            list(&looked_up)
        ))
        .fetch_all(&mut *raw)
        .await?;
        let count_elapsed = t.elapsed();
        let rarest = rarest_grams(counted);
        grams_looked_up += rarest.len();
        grams_offered += looked_up.len();
        let t = Instant::now();
        let ids: Vec<i64> = sqlx::query_scalar(&sharing(&rarest))
            .fetch_all(&mut *raw)
            .await?;
        if !ids.is_empty() {
            let ids: Vec<String> = ids.iter().map(i64::to_string).collect();
            sqlx::query(&format!(
                "SELECT id, name, name_key, investor_name, investor_credit_code, region_code, \
                 zone_id, event_id, industry_code, contract_fen, signed_on FROM projects WHERE id IN ({})",
                ids.join(", ")
            ))
            .fetch_all(&mut *raw)
            .await?;
        }
        let sql_elapsed = t.elapsed();
        // Whether the project copied is among the candidates, found through the rarest grams
        // and (untimed) through every gram the look-up may use: what choosing grams costs.
        if i >= 10 {
            let all_ids: Vec<i64> = sqlx::query_scalar(&sharing(&looked_up))
                .fetch_all(&mut *raw)
                .await?;
            in_rarest += usize::from(ids.contains(&original));
            in_all += usize::from(all_ids.contains(&original));
            api.push(api_elapsed);
            sql.push(sql_elapsed);
            cold.push(count_elapsed + sql_elapsed);
        }
    }
    let pairs_after: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM duplicate_candidates")
        .fetch_one(&mut *raw)
        .await?;
    let ms = |v: &mut Vec<std::time::Duration>, p: f64| {
        v.sort();
        let i = ((v.len() as f64 - 1.0) * p).round() as usize;
        v[i].as_secs_f64() * 1000.0
    };
    println!(
        "\n{total} projects; {iterations} reworded copies entered by 南县, {} pairs raised; \
         {found} of the {iterations} copies paired with the project they copy\n",
        pairs_after - pairs_before
    );
    println!("| 新项目查重 | p50 (ms) | p95 (ms) |\n|---|---:|---:|");
    println!(
        "| 录入一个项目（含查重），API | {:.2} | {:.2} |",
        ms(&mut api, 0.5),
        ms(&mut api, 0.95)
    );
    println!(
        "| 候选查找（最稀有的字对倒排分组 + 取候选行，字频已知），原始 SQL | {:.2} | {:.2} |",
        ms(&mut sql, 0.5),
        ms(&mut sql, 0.95)
    );
    println!(
        "| 候选查找（先统计各字对频次，服务器每小时至多一次），原始 SQL | {:.2} | {:.2} |",
        ms(&mut cold, 0.5),
        ms(&mut cold, 0.95)
    );
    println!(
        "\n被复制的原项目在候选之中：按最稀有的字对 {in_rarest} / {iterations}，按全部可查字对 {in_all} / {iterations}"
    );
    println!(
        "\n查找的字对：平均 {:.1} 个（可查 {:.1} 个中最稀有的）",
        grams_looked_up as f64 / (iterations + 10) as f64,
        grams_offered as f64 / (iterations + 10) as f64
    );
    Ok(())
}
