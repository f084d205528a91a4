package auth

import "github.com/jiahe-project/jiahe/internal/apperr"

// Permission names something a role may do. The table below is the one
// place that says which role may do what; handlers and services ask Can or
// Require, never the role itself.
type Permission string

// The permissions.
const (
	PermRegistryRead  Permission = "registry.read"  // read persons and families in scope
	PermRegistryWrite Permission = "registry.write" // register persons and life events
	PermCaseRead      Permission = "case.read"      // read cases, their documents and the recipient roll in scope
	PermCaseApply     Permission = "case.apply"     // take applications, surveys, village reviews and notices
	PermCaseReview    Permission = "case.review"    // township review and notices, annual review
	PermCaseApprove   Permission = "case.approve"   // county approval and the roll
	PermEligibility   Permission = "eligibility.confirm"
	PermPaymentRead   Permission = "payment.read"
	PermPaymentManage Permission = "payment.manage" // payment cycles, bank files, reconciliation
	PermRulesManage   Permission = "rules.manage"   // rules and local programs for the actor's level
	PermReportRead    Permission = "report.read"
	PermAuditRead     Permission = "audit.read"
	PermAuditVerify   Permission = "audit.verify"
	PermUsersManage   Permission = "users.manage"
	PermSelfService   Permission = "self.service" // a citizen's own applications and complaints
	PermSelfApply     Permission = "self.apply"   // a citizen submits an application for themselves

	// PermChildcareManage files childcare institutions (the county) and
	// records their inspections (the county and the township).
	PermChildcareManage Permission = "childcare.manage"

	// PermPaymentApprove releases a payment batch made by another finance
	// officer (maker–checker: the maker of a batch cannot approve it).
	PermPaymentApprove Permission = "payment.approve"

	// PermSpecialCare reads and keeps the files of special families (计生
	// 特殊家庭): the county and the township within their scope; at the
	// village level only a family's own contacts (package special checks
	// it). No other role sees these files.
	PermSpecialCare Permission = "special.care"

	// PermFamilyCheck asks whether an ID number is in a family-planning
	// category on a day, and learns nothing else: the partner departments'
	// accounts only.
	PermFamilyCheck Permission = "family.check"
	// PermReportApprove submits the monthly report of the actor's own
	// region and approves, returns or unlocks those of the level below.
	PermReportApprove Permission = "report.approve"

	// PermCheckRecord draws the samples of the checks after approval and
	// records their findings: the county's re-check of its new
	// recipients, the city's and the province's spot-checks (三榜四级).
	// For the city and the province it is the one thing they record.
	PermCheckRecord Permission = "check.record"

	// PermComplaintHandle records complaints, enquiries and petitions
	// (投诉、咨询、信访) taken by phone, at the office or by letter, and
	// assigns, answers and closes them within the actor's scope: the
	// village, the township and the county. Reading the register needs
	// case.read (the supervisor, the city and the province read it too).
	PermComplaintHandle Permission = "complaint.handle"
	// PermDivisionsManage records the changes of the divisions of the
	// actor's county (renamed, merged, moved, split: docs/regions.md): the
	// county and the province.
	PermDivisionsManage Permission = "divisions.manage"
	// PermChargeAssign puts recipients and open cases in the charge of
	// named cadres (三级干部分包对象): the township those of its villages
	// and its own, the county those of all three levels (package charge).
	PermChargeAssign Permission = "charge.assign"

	// PermPensionList downloads the county-paid pension contributions
	// list (养老保险代缴) for the social-insurance office, the one file
	// with full ID numbers: the county only.
	PermPensionList Permission = "pension.list"
	// PermTransfer starts the transfer of a person to another county
	// (迁移) and accepts or refuses one coming in: the county only.
	PermTransfer Permission = "person.transfer"
)

// Permissions lists every permission, in the order of the table.
var Permissions = []Permission{
	PermRegistryRead, PermRegistryWrite, PermCaseRead, PermCaseApply, PermCaseReview, PermCaseApprove, PermEligibility,
	PermPaymentRead, PermPaymentManage, PermPaymentApprove, PermRulesManage, PermReportRead, PermAuditRead, PermAuditVerify,
	PermUsersManage, PermSelfService, PermSelfApply, PermChildcareManage, PermSpecialCare, PermFamilyCheck, PermReportApprove, PermCheckRecord, PermComplaintHandle,
	PermDivisionsManage,
	PermChargeAssign, PermPensionList,
	PermTransfer,
}

// grants is the permission table. Separation of duties (四权分离): the
// roles that confirm eligibility (village, township, county) cannot release
// money, the finance officer cannot confirm eligibility, supervisors, cities
// and provinces only read (rules for their own level aside), and the
// administrator manages users but neither decides nor pays.
var grants = map[Role][]Permission{
	RoleVillage:    {PermRegistryRead, PermRegistryWrite, PermCaseRead, PermCaseApply, PermReportRead, PermSpecialCare, PermReportApprove, PermComplaintHandle},
	RoleTownship:   {PermRegistryRead, PermRegistryWrite, PermCaseRead, PermCaseReview, PermEligibility, PermReportRead, PermChildcareManage, PermSpecialCare, PermReportApprove, PermComplaintHandle, PermChargeAssign},
	RoleCounty:     {PermRegistryRead, PermRegistryWrite, PermCaseRead, PermCaseApprove, PermEligibility, PermPaymentRead, PermRulesManage, PermReportRead, PermAuditRead, PermChildcareManage, PermSpecialCare, PermReportApprove, PermCheckRecord, PermComplaintHandle, PermDivisionsManage, PermChargeAssign, PermPensionList, PermTransfer},
	RoleFinance:    {PermRegistryRead, PermPaymentRead, PermPaymentManage, PermPaymentApprove, PermReportRead},
	RoleSupervisor: {PermRegistryRead, PermCaseRead, PermPaymentRead, PermReportRead, PermAuditRead, PermAuditVerify},
	RoleCity:       {PermRegistryRead, PermCaseRead, PermPaymentRead, PermRulesManage, PermReportRead, PermAuditRead, PermReportApprove, PermCheckRecord},
	RoleProvince:   {PermRegistryRead, PermCaseRead, PermPaymentRead, PermRulesManage, PermReportRead, PermAuditRead, PermReportApprove, PermCheckRecord, PermDivisionsManage},
	RoleAdmin:      {PermUsersManage, PermAuditRead, PermAuditVerify, PermReportRead},
	RoleCitizen:    {PermSelfService, PermSelfApply},
	RolePartner:    {PermFamilyCheck},
}

var grantSet = func() map[Role]map[Permission]bool {
	m := map[Role]map[Permission]bool{}
	for role, ps := range grants {
		m[role] = map[Permission]bool{}
		for _, p := range ps {
			m[role][p] = true
		}
	}
	return m
}()

// Can reports whether a may do p. The system actor may do everything.
func Can(a Actor, p Permission) bool {
	if a.UserID == 0 && a.Username == System.Username {
		return true
	}
	return grantSet[a.Role][p]
}

// Require returns a Forbidden error unless a may do p. It names the role
// and what p allows in words, not codes.
func Require(a Actor, p Permission) error {
	if Can(a, p) {
		return nil
	}
	zh, en := p.Names()
	return apperr.Forbiddenf("您的角色（%[1]s）无权%[2]s", "your role (%[1]s) may not %[3]s", a.Role.Chinese(), zh, en)
}

// Names returns what p allows, in Chinese and in English, as the rest of a
// sentence ("无权……", "may not …"); an unknown permission is named by
// itself.
func (p Permission) Names() (zh, en string) {
	if n, ok := permissionNames[p]; ok {
		return n[0], n[1]
	}
	return string(p), string(p)
}

// permissionNames are what each permission allows, in words.
var permissionNames = map[Permission][2]string{
	PermRegistryRead:    {"查看人口信息", "read the population registry"},
	PermRegistryWrite:   {"登记和修改人口信息", "register persons and their life events"},
	PermCaseRead:        {"查看申报、材料和对象名册", "read cases, their documents and the roll"},
	PermCaseApply:       {"受理申报、入户调查、村评议和村级公示", "take applications, surveys, village reviews and notices"},
	PermCaseReview:      {"乡镇审核、乡级公示和年审", "carry out township reviews, notices and the annual review"},
	PermCaseApprove:     {"县级审批和管理对象名册", "approve cases and keep the roll"},
	PermEligibility:     {"确认资格测算", "confirm eligibility"},
	PermPaymentRead:     {"查看资金发放", "read payments"},
	PermPaymentManage:   {"办理资金发放、银行文件和对账", "run payment cycles, bank files and reconciliation"},
	PermPaymentApprove:  {"复核放行发放批次", "release payment batches"},
	PermRulesManage:     {"管理政策规则和地方项目", "manage the rules and local programs"},
	PermReportRead:      {"查看统计报表", "read reports"},
	PermAuditRead:       {"查看审计日志", "read the audit trail"},
	PermAuditVerify:     {"校验审计日志", "verify the audit trail"},
	PermUsersManage:     {"管理用户账号", "manage user accounts"},
	PermSelfService:     {"办理本人事项", "use a citizen's own services"},
	PermSelfApply:       {"以本人名义申请", "apply for oneself"},
	PermChildcareManage: {"管理托育机构和检查记录", "keep childcare institutions and their inspections"},
	PermSpecialCare:     {"查看和维护计生特殊家庭档案", "read and keep the files of special families"},
	PermFamilyCheck:     {"查询计生家庭身份", "check a person's family-planning category"},
	PermReportApprove:   {"报送和审核统计报表", "submit and approve reports"},
	PermCheckRecord:     {"抽查复核", "record checks after approval"},
	PermComplaintHandle: {"办理投诉、咨询和信访", "handle complaints, enquiries and petitions"},
	PermDivisionsManage: {"维护行政区划变更", "record changes of divisions"},
	PermChargeAssign:    {"分配包户负责人", "put persons in the charge of cadres"},
	PermPensionList:     {"下载养老保险代缴名单", "download the pension contributions list"},
	PermTransfer:        {"办理跨县迁移", "transfer persons between counties"},
}
