//! Roles, permissions and data scope (domain §1).

use crate::region::RegionCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The five roles of domain §1, and the security auditor that 等保三级's separation of
/// duties (三权分立) sets beside the system administrator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// 系统管理员
    Admin,
    /// 安全审计员: reads the audit trail, administers nothing
    Auditor,
    /// 商务主管部门
    Bureau,
    /// 督导组成员
    Inspector,
    /// 责任单位 / 项目落户地
    Unit,
    /// 领导
    Leader,
}

/// What a role may do. Reading is always limited further by [`Scope`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Permission {
    /// 管理用户账号
    ManageUsers,
    /// 维护单位名录
    ManageUnits,
    /// 查看单位名录
    ReadUnits,
    /// 查看审计日志
    ReadAudit,
    /// 查看用户列表
    ReadUsers,
    /// 维护项目台账与签约活动
    ManageLedger,
    /// 填报资金到位
    EnterFunds,
    /// 审核确认下级填报的资金到位
    ReviewFunds,
    /// 修改台账规则（分类标准、分级责任）
    ManageRules,
    /// 填报月度调度进展
    ReportProgress,
    /// 组织月度调度、退回进展
    ManageDispatch,
    /// 组建督导组、分配督导片区
    ManageSupervision,
    /// 登记督导调研与回访、报送问题清单
    RecordVisits,
}

impl Role {
    pub const ALL: [Role; 6] = [
        Role::Admin,
        Role::Auditor,
        Role::Bureau,
        Role::Inspector,
        Role::Unit,
        Role::Leader,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Admin => "admin",
            Self::Auditor => "auditor",
            Self::Bureau => "bureau",
            Self::Inspector => "inspector",
            Self::Unit => "unit",
            Self::Leader => "leader",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// Parses either the code name or the Chinese name users see, as typed in a spreadsheet.
    pub fn parse_label(s: &str) -> Option<Self> {
        let s = s.trim();
        Self::parse(s).or_else(|| Self::ALL.into_iter().find(|r| r.label() == s))
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Admin => "系统管理员",
            Self::Auditor => "安全审计员",
            Self::Bureau => "商务主管部门",
            Self::Inspector => "督导组成员",
            Self::Unit => "责任单位",
            Self::Leader => "领导",
        }
    }

    pub fn description(self) -> &'static str {
        match self {
            Self::Admin => "管理本级及下级的用户、单位、区划与系统设置；不能查看审计日志",
            Self::Auditor => {
                "查看本级及下级的审计日志与用户列表，核查系统管理员等各类账号的操作；不能管理账号"
            }
            Self::Bureau => "负责本区域及下级的项目台账、调度、通报、专项行动与考核",
            Self::Inspector => "对督导组分片负责的区域开展督导、回访，登记问题清单",
            Self::Unit => "填报所负责项目的进展与资金到位，答复交办问题",
            Self::Leader => "查看本区域驾驶舱及牵头项目，批示、签发",
        }
    }

    /// Separation of duties (三权分立, 等保 8.1.4.2 d): whoever administers accounts does not
    /// read the trail of what administrators did, and whoever reads it administers nothing.
    pub fn permissions(self) -> &'static [Permission] {
        use Permission::*;
        match self {
            Self::Admin => &[ManageUsers, ReadUsers, ManageUnits, ReadUnits, ManageRules],
            Self::Auditor => &[ReadAudit, ReadUsers, ReadUnits],
            Self::Bureau => &[
                ReadUsers,
                ManageUnits,
                ReadUnits,
                ManageLedger,
                EnterFunds,
                ReviewFunds,
                ReportProgress,
                ManageDispatch,
                ManageSupervision,
            ],
            Self::Unit => &[ReadUnits, EnterFunds, ReportProgress],
            Self::Inspector => &[ReadUnits, RecordVisits],
            Self::Leader => &[ReadUnits],
        }
    }

    pub fn can(self, permission: Permission) -> bool {
        self.permissions().contains(&permission)
    }

    /// What the role may do at its place in the tree. Fund records are confirmed by the level
    /// above the county that entered them (domain §4), so a user whose scope is one county
    /// does not hold `ReviewFunds`: there is nothing below a county to review.
    pub fn permissions_at(self, scope: &Scope) -> Vec<Permission> {
        self.permissions()
            .iter()
            .copied()
            .filter(|p| Permission::refused_at(*p, scope).is_none())
            .collect()
    }

    pub fn can_at(self, permission: Permission, scope: &Scope) -> bool {
        self.permissions_at(scope).contains(&permission)
    }
}

impl Permission {
    /// Why a role that holds `self` may not use it at this level, if it may not: fund records
    /// are entered below and reviewed above (填报 → 上级审核), so a county reviews nothing and
    /// the top of the installation (a province or nationwide account) enters nothing, since
    /// nobody would stand above it to confirm.
    pub fn refused_at(self, scope: &Scope) -> Option<&'static str> {
        use crate::region::RegionLevel;
        let level = scope.root().map(RegionCode::level);
        match (self, level) {
            (Self::ReviewFunds, Some(RegionLevel::County)) => {
                Some("资金到位须由上级（市州、省）审核确认，县级不审核资金到位记录")
            }
            (Self::EnterFunds, None | Some(RegionLevel::Province)) => {
                Some("资金到位由县市区（或市州代县市区）填报、上级审核确认，省级只审核不填报")
            }
            _ => None,
        }
    }

    pub const ALL: [Permission; 13] = [
        Permission::ManageUsers,
        Permission::ManageUnits,
        Permission::ReadUnits,
        Permission::ReadAudit,
        Permission::ReadUsers,
        Permission::ManageLedger,
        Permission::EnterFunds,
        Permission::ReviewFunds,
        Permission::ManageRules,
        Permission::ReportProgress,
        Permission::ManageDispatch,
        Permission::ManageSupervision,
        Permission::RecordVisits,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Self::ManageUsers => "管理用户账号",
            Self::ManageUnits => "维护单位名录",
            Self::ReadUnits => "查看单位名录",
            Self::ReadAudit => "查看审计日志",
            Self::ReadUsers => "查看用户列表",
            Self::ManageLedger => "维护项目台账与签约活动",
            Self::EnterFunds => "填报资金到位",
            Self::ReviewFunds => "审核确认下级填报的资金到位",
            Self::ManageRules => "修改台账规则（分类标准、分级责任）",
            Self::ReportProgress => "填报月度调度进展",
            Self::ManageDispatch => "组织月度调度、退回进展",
            Self::ManageSupervision => "组建督导组、分配督导片区",
            Self::RecordVisits => "登记督导调研与回访、报送问题清单",
        }
    }
}

/// The slice of data a user may read or write.
///
/// Every account is scoped to a region subtree, but for a supervision group's member (督导组成员),
/// whose reach is the union of its groups' regions (分片负责、长期包干). A unit account's
/// narrower view (the projects of its unit) is a rule about projects, not regions, and is
/// applied by the store on top of this scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// A national deployment's administrators: no region restriction.
    Nationwide,
    /// A region and everything below it.
    Region(RegionCode),
    /// Several regions and everything below each (none nested in another, sorted; built by
    /// `supervision::reach`); no region at all reads nothing. It has no root: a member of a
    /// group stands at no level of the tree and administers, reviews and organises nothing.
    Regions(Vec<RegionCode>),
}

impl Scope {
    /// Whether a record located in `region` is visible in this scope.
    pub fn covers(&self, region: &RegionCode) -> bool {
        match self {
            Self::Nationwide => true,
            Self::Region(root) => root.contains(region),
            Self::Regions(roots) => roots.iter().any(|r| r.contains(region)),
        }
    }

    /// The half-open code ranges to filter on (one per region), or `None` when unrestricted.
    /// An empty list restricts to nothing.
    pub fn region_ranges(&self) -> Option<Vec<(String, String)>> {
        match self {
            Self::Nationwide => None,
            Self::Region(root) => Some(vec![root.subtree_range()]),
            Self::Regions(roots) => Some(roots.iter().map(RegionCode::subtree_range).collect()),
        }
    }

    /// The one region the scope stands at: `None` for a nationwide scope and for a group
    /// member's several regions, so callers that treat `None` as "the top" must check
    /// [`Scope::is_nationwide`] (or the role's permissions, which a member lacks) first.
    pub fn root(&self) -> Option<&RegionCode> {
        match self {
            Self::Region(root) => Some(root),
            Self::Nationwide | Self::Regions(_) => None,
        }
    }

    /// One code range for reference look-ups before a write (counties, zones, units): every
    /// code for a nationwide scope, the subtree of a region, and an empty range for a group
    /// member, who enters nothing into the ledger.
    pub fn entry_range(&self) -> (String, String) {
        match self {
            Self::Nationwide => ("0".into(), ":".into()),
            Self::Region(root) => root.subtree_range(),
            Self::Regions(_) => (String::new(), String::new()),
        }
    }

    pub fn is_nationwide(&self) -> bool {
        matches!(self, Self::Nationwide)
    }

    /// Whether this scope lies strictly above the level that entered a record: figures are
    /// "填报 → 上级审核", so a city reviews what its counties entered and the province what
    /// its cities entered, but nobody reviews entries of their own level. `entered_at` is the
    /// entering user's region (`None` for a nationwide account, which nobody stands above).
    pub fn stands_above(&self, entered_at: Option<&RegionCode>) -> bool {
        match (self, entered_at) {
            (_, None) | (Self::Regions(_), _) => false,
            (Self::Nationwide, Some(_)) => true,
            (Self::Region(root), Some(region)) => root != region && root.contains(region),
        }
    }

    /// How this scope may review a record entered at `entered_at`, whose directory parent is
    /// `entered_parent` (`None` for a province), under the installation's rule: directly (the
    /// level just above), by stepping in for the level between (said so and audited), or not
    /// at all.
    pub fn review_standing(
        &self,
        entered_at: Option<&RegionCode>,
        entered_parent: Option<&RegionCode>,
        rule: ReviewBy,
    ) -> Option<ReviewStanding> {
        if !self.stands_above(entered_at) {
            return None;
        }
        let direct = match self {
            Self::Nationwide => entered_parent.is_none(),
            Self::Region(root) => entered_parent == Some(root),
            Self::Regions(_) => return None,
        };
        match (direct, rule) {
            (true, _) | (false, ReviewBy::AnyAbove) => Some(ReviewStanding::Direct),
            (false, ReviewBy::Parent) => Some(ReviewStanding::StepIn),
            (false, ReviewBy::ParentOnly) => None,
        }
    }
}

/// Who confirms a fund record (资金到位审核): one setting for the whole installation.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReviewBy {
    /// 上一级审核: a county's records by its city, a city's by its province; a level higher up
    /// may step in for the level between, only when it says so, and the step is audited.
    #[default]
    Parent,
    /// 仅上一级审核: nobody but the level directly above.
    ParentOnly,
    /// 上级任一层级: any level above the one that entered the record.
    AnyAbove,
}

impl ReviewBy {
    pub const ALL: [Self; 3] = [Self::Parent, Self::ParentOnly, Self::AnyAbove];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Parent => "parent",
            Self::ParentOnly => "parent_only",
            Self::AnyAbove => "any_above",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Parent => "上一级审核确认，更高层级可注明后代为审核",
            Self::ParentOnly => "仅由上一级审核确认",
            Self::AnyAbove => "上级任一层级均可审核确认",
        }
    }
}

/// How a reviewer stands to a record it may review.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReviewStanding {
    /// The level directly above the one that entered it (or any level, by the rule).
    Direct,
    /// A level higher up, stepping in for the level between (代为审核).
    StepIn,
}

#[cfg(test)]
mod tests {
    #[test]
    fn only_levels_above_a_county_review_funds() {
        let at = |code: &str| Scope::Region(RegionCode::parse(code).unwrap());
        assert!(!Role::Bureau.can_at(Permission::ReviewFunds, &at("430921")));
        assert!(Role::Bureau.can_at(Permission::EnterFunds, &at("430921")));
        assert!(Role::Bureau.can_at(Permission::ReviewFunds, &at("430900")));
        assert!(Role::Bureau.can_at(Permission::ReviewFunds, &at("430000")));
        assert!(Role::Bureau.can_at(Permission::ReviewFunds, &Scope::Nationwide));
        assert!(!Role::Unit.can_at(Permission::ReviewFunds, &at("430900")));
        // Entering is for the counties and the cities; the top level only reviews.
        assert!(Role::Bureau.can_at(Permission::EnterFunds, &at("430900")));
        assert!(Role::Unit.can_at(Permission::EnterFunds, &at("430921")));
        assert!(!Role::Bureau.can_at(Permission::EnterFunds, &at("430000")));
        assert!(!Role::Admin.can_at(Permission::EnterFunds, &Scope::Nationwide));
        assert!(Permission::EnterFunds
            .refused_at(&at("430000"))
            .unwrap()
            .contains("省级只审核"));
    }

    #[test]
    fn reviewers_stand_strictly_above_the_entering_level() {
        let at = |code: &str| Scope::Region(RegionCode::parse(code).unwrap());
        let code = |c: &str| RegionCode::parse(c).unwrap();
        // 益阳市 reviews 南县's entries, the province reviews 益阳市's and 南县's.
        assert!(at("430900").stands_above(Some(&code("430921"))));
        assert!(at("430000").stands_above(Some(&code("430900"))));
        assert!(at("430000").stands_above(Some(&code("430921"))));
        // Nobody reviews their own level, a sibling or a level above.
        assert!(!at("430900").stands_above(Some(&code("430900"))));
        assert!(!at("430100").stands_above(Some(&code("430921"))));
        assert!(!at("430900").stands_above(Some(&code("430000"))));
        assert!(!at("430000").stands_above(Some(&code("430000"))));
        // A nationwide reviewer stands above every region, nobody above a nationwide entry.
        assert!(Scope::Nationwide.stands_above(Some(&code("430000"))));
        assert!(!Scope::Nationwide.stands_above(None));
        assert!(!at("430000").stands_above(None));
    }

    use super::*;

    #[test]
    fn the_level_directly_above_reviews_and_higher_levels_step_in_by_the_rule() {
        let at = |code: &str| Scope::Region(RegionCode::parse(code).unwrap());
        let code = |c: &str| RegionCode::parse(c).unwrap();
        let (province, city, county) = (code("430000"), code("430900"), code("430921"));
        use ReviewStanding::*;
        // 南县 entered it: 益阳市 is directly above; the province steps in, or may not.
        let county_entry = (Some(&county), Some(&city));
        let standing = |scope: &Scope,
                        (at, parent): (Option<&RegionCode>, Option<&RegionCode>),
                        rule| { scope.review_standing(at, parent, rule) };
        assert_eq!(
            standing(&at("430900"), county_entry, ReviewBy::Parent),
            Some(Direct)
        );
        assert_eq!(
            standing(&at("430000"), county_entry, ReviewBy::Parent),
            Some(StepIn)
        );
        assert_eq!(
            standing(&at("430000"), county_entry, ReviewBy::ParentOnly),
            None
        );
        assert_eq!(
            standing(&at("430000"), county_entry, ReviewBy::AnyAbove),
            Some(Direct)
        );
        assert_eq!(
            standing(&Scope::Nationwide, county_entry, ReviewBy::Parent),
            Some(StepIn)
        );
        // 益阳市 entered it: the province is directly above, the nation steps in.
        let city_entry = (Some(&city), Some(&province));
        assert_eq!(
            standing(&at("430000"), city_entry, ReviewBy::ParentOnly),
            Some(Direct)
        );
        assert_eq!(
            standing(&Scope::Nationwide, city_entry, ReviewBy::Parent),
            Some(StepIn)
        );
        // The province's own entries: the nation is directly above.
        let province_entry = (Some(&province), None);
        assert_eq!(
            standing(&Scope::Nationwide, province_entry, ReviewBy::ParentOnly),
            Some(Direct)
        );
        // Nobody reviews their own level, a sibling's or a level above, whatever the rule.
        for rule in ReviewBy::ALL {
            assert_eq!(standing(&at("430900"), city_entry, rule), None);
            assert_eq!(standing(&at("430100"), county_entry, rule), None);
            assert_eq!(standing(&at("430921"), county_entry, rule), None);
            assert_eq!(ReviewBy::parse(rule.as_str()), Some(rule));
        }
        // A 省直管县 has the province as its directory parent: the province is directly above.
        let direct_county = (Some(&county), Some(&province));
        assert_eq!(
            standing(&at("430000"), direct_county, ReviewBy::ParentOnly),
            Some(Direct)
        );
    }

    #[test]
    fn roles_round_trip_by_code_and_label() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Some(role));
            assert_eq!(Role::parse_label(role.label()), Some(role));
        }
        assert_eq!(Role::parse("root"), None);
    }

    #[test]
    fn administrators_manage_users_and_only_auditors_read_the_audit_trail() {
        let county = Scope::Region(RegionCode::parse("430921").unwrap());
        for scope in [Scope::Nationwide, county] {
            for role in Role::ALL {
                let can = |p| role.can_at(p, &scope);
                assert_eq!(can(Permission::ManageUsers), role == Role::Admin);
                assert_eq!(can(Permission::ReadAudit), role == Role::Auditor);
                // Nobody holds both sides of the separation.
                assert!(!(can(Permission::ManageUsers) && can(Permission::ReadAudit)));
                assert!(can(Permission::ReadUnits));
            }
        }
        assert!(Role::Auditor.permissions().iter().all(|p| matches!(
            p,
            Permission::ReadAudit | Permission::ReadUsers | Permission::ReadUnits
        )));
    }

    #[test]
    fn the_role_matrix() {
        use Permission::*;
        let matrix = |role: Role| -> Vec<Permission> {
            Permission::ALL
                .into_iter()
                .filter(|p| role.can(*p))
                .collect()
        };
        assert_eq!(
            matrix(Role::Admin),
            [ManageUsers, ManageUnits, ReadUnits, ReadUsers, ManageRules]
        );
        assert_eq!(matrix(Role::Auditor), [ReadUnits, ReadAudit, ReadUsers]);
        assert_eq!(
            matrix(Role::Bureau),
            [
                ManageUnits,
                ReadUnits,
                ReadUsers,
                ManageLedger,
                EnterFunds,
                ReviewFunds,
                ReportProgress,
                ManageDispatch,
                ManageSupervision
            ]
        );
        assert_eq!(matrix(Role::Unit), [ReadUnits, EnterFunds, ReportProgress]);
        assert_eq!(matrix(Role::Inspector), [ReadUnits, RecordVisits]);
        assert_eq!(matrix(Role::Leader), [ReadUnits]);
        // Every permission a role holds is listed in ALL, once, and every one has a label.
        for role in Role::ALL {
            assert_eq!(matrix(role).len(), role.permissions().len(), "{role:?}");
        }
        for (i, p) in Permission::ALL.iter().enumerate() {
            assert!(!Permission::ALL[..i].contains(p), "{p:?} listed twice");
            assert!(!p.label().is_empty());
        }
    }

    #[test]
    fn only_admins_change_the_ledger_rules() {
        for role in Role::ALL {
            assert_eq!(role.can(Permission::ManageRules), role == Role::Admin);
        }
    }

    #[test]
    fn scope_covers_its_subtree_only() {
        let yiyang = Scope::Region(RegionCode::parse("430900").unwrap());
        assert!(yiyang.covers(&RegionCode::parse("430921").unwrap()));
        assert!(!yiyang.covers(&RegionCode::parse("430121").unwrap()));
        assert!(Scope::Nationwide.covers(&RegionCode::parse("110101").unwrap()));
    }

    #[test]
    fn a_group_members_scope_covers_its_regions_only_and_stands_nowhere() {
        let code = |c: &str| RegionCode::parse(c).unwrap();
        let group = Scope::Regions(vec![code("430700"), code("430900")]);
        assert!(group.covers(&code("430921")));
        assert!(group.covers(&code("430700")));
        assert!(!group.covers(&code("430100")));
        assert!(!group.covers(&code("430000")));
        assert_eq!(group.root(), None);
        assert!(!group.is_nationwide());
        assert_eq!(group.region_ranges().unwrap().len(), 2);
        assert!(!group.stands_above(Some(&code("430921"))));
        assert_eq!(
            group.review_standing(
                Some(&code("430921")),
                Some(&code("430900")),
                ReviewBy::AnyAbove
            ),
            None
        );
        let none = Scope::Regions(Vec::new());
        assert!(!none.covers(&code("430921")));
        assert_eq!(none.region_ranges(), Some(Vec::new()));
    }
}
