package auth_test

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/region"
)

func TestPasswordHashAndVerify(t *testing.T) {
	enc, err := auth.HashPassword("secret123", auth.TestParams)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(enc, "$argon2id$v=19$m=64,t=1,p=1$") {
		t.Errorf("hash = %q, want a PHC argon2id string with its parameters", enc)
	}
	again, _ := auth.HashPassword("secret123", auth.TestParams)
	if again == enc {
		t.Error("two hashes of one password are equal: salt not random")
	}
	tests := []struct {
		encoded, password string
		want, wantErr     bool
	}{
		{enc, "secret123", true, false},
		{enc, "secret124", false, false},
		{enc, "", false, false},
		{"$argon2i$v=19$m=64,t=1,p=1$AAAA$AAAA", "secret123", false, true},
		{"plain", "plain", false, true},
		{strings.Replace(enc, "t=1", "t=x", 1), "secret123", false, true},
	}
	for _, tt := range tests {
		got, err := auth.VerifyPassword(tt.encoded, tt.password)
		if got != tt.want || (err != nil) != tt.wantErr {
			t.Errorf("VerifyPassword(%q, %q) = %v, %v; want %v, error %v", tt.encoded, tt.password, got, err, tt.want, tt.wantErr)
		}
	}
}

func TestCheckPassword(t *testing.T) {
	tests := []struct {
		pw string
		ok bool
	}{
		{"abc12345", true},
		{"密码密码密码12", true},
		{"abc1234", false},
		{"abcdefgh", false},
		{"12345678", false},
		{"", false},
	}
	for _, tt := range tests {
		err := auth.CheckPassword(tt.pw)
		if (err == nil) != tt.ok {
			t.Errorf("CheckPassword(%q) = %v, want ok %v", tt.pw, err, tt.ok)
		}
		if err != nil {
			if e, ok := apperr.As(err); !ok || e.Kind != apperr.Invalid || e.Field != "password" || e.ZH == "" {
				t.Errorf("CheckPassword(%q) error = %#v, want Invalid on field password with a Chinese message", tt.pw, err)
			}
		}
	}
}

func TestValidateScope(t *testing.T) {
	tree := region.Default()
	tests := []struct {
		role auth.Role
		code region.Code
		want region.Code
		ok   bool
	}{
		{auth.RoleVillage, "341523100001", "341523100001", true},
		{auth.RoleVillage, "341523100000", "", false}, // a township
		{auth.RoleVillage, "341523100999", "", false}, // no such village
		{auth.RoleTownship, "341523100000", "341523100000", true},
		{auth.RoleTownship, "341523100", "341523100000", true},
		{auth.RoleTownship, "341523", "", false},
		{auth.RoleCounty, "341523", "341523", true},
		{auth.RoleFinance, "341523", "341523", true},
		{auth.RoleFinance, "341500", "", false},
		{auth.RoleCounty, "349999", "", false},
		{auth.RoleSupervisor, "341523", "341523", true},
		{auth.RoleSupervisor, "340000", "340000", true},
		{auth.RoleSupervisor, "", "", true},
		{auth.RoleSupervisor, "341523100000", "", false},
		{auth.RoleCity, "341500", "341500", true},
		{auth.RoleCity, "340000", "", false},
		{auth.RoleProvince, "34", "340000", true},
		{auth.RoleProvince, "341500", "", false},
		{auth.RoleAdmin, "", "", true},
		{auth.RoleAdmin, "000000", "", true},
		{auth.RoleAdmin, "341523100001", "341523100001", true},
		{auth.RoleAdmin, "34x", "", false},
		{auth.RoleCitizen, "341523100001", "341523100001", true},
		{auth.RoleCitizen, "340000", "", false},
		{auth.Role("mayor"), "341523", "", false},
	}
	for _, tt := range tests {
		got, err := auth.ValidateScope(tt.role, tt.code, tree)
		if got != tt.want || (err == nil) != tt.ok {
			t.Errorf("ValidateScope(%s, %q) = %q, %v; want %q, ok %v", tt.role, tt.code, got, err, tt.want, tt.ok)
		}
		if err != nil && apperr.KindOf(err) != apperr.Invalid {
			t.Errorf("ValidateScope(%s, %q) error kind = %v, want invalid", tt.role, tt.code, apperr.KindOf(err))
		}
	}
}

func TestValidateUsername(t *testing.T) {
	tests := []struct {
		in string
		ok bool
	}{
		{"zhang.san", true}, {"ab", false}, {"_abc", false}, {"a b c", false}, {"张三abc", false},
		{strings.Repeat("a", 32), true}, {strings.Repeat("a", 33), false},
	}
	for _, tt := range tests {
		if err := auth.ValidateUsername(tt.in); (err == nil) != tt.ok {
			t.Errorf("ValidateUsername(%q) = %v, want ok %v", tt.in, err, tt.ok)
		}
	}
}

func TestPermissions(t *testing.T) {
	actor := func(r auth.Role) auth.Actor { return auth.Actor{UserID: 7, Username: "u", Role: r, Scope: "341523"} }
	tests := []struct {
		role auth.Role
		perm auth.Permission
		want bool
	}{
		{auth.RoleVillage, auth.PermRegistryWrite, true},
		{auth.RoleVillage, auth.PermCaseApprove, false},
		{auth.RoleCounty, auth.PermCaseApprove, true},
		{auth.RoleCounty, auth.PermPaymentManage, false}, // eligibility roles cannot release money
		{auth.RoleTownship, auth.PermPaymentManage, false},
		{auth.RoleFinance, auth.PermPaymentManage, true},
		{auth.RoleFinance, auth.PermEligibility, false}, // finance cannot confirm eligibility
		{auth.RoleFinance, auth.PermCaseApprove, false},
		{auth.RoleFinance, auth.PermCaseRead, false},
		{auth.RoleSupervisor, auth.PermCaseRead, true},
		{auth.RoleSupervisor, auth.PermCaseReview, false},
		{auth.RoleSupervisor, auth.PermRegistryRead, true},
		{auth.RoleSupervisor, auth.PermRegistryWrite, false}, // supervisors change nothing
		{auth.RoleSupervisor, auth.PermAuditVerify, true},
		{auth.RoleCity, auth.PermRegistryWrite, false},
		{auth.RoleProvince, auth.PermPaymentManage, false},
		{auth.RoleAdmin, auth.PermUsersManage, true},
		{auth.RoleAdmin, auth.PermPaymentManage, false},
		{auth.RoleCounty, auth.PermUsersManage, false},
		{auth.RoleCitizen, auth.PermRegistryRead, false},
		{auth.Role(""), auth.PermRegistryRead, false},
	}
	for _, tt := range tests {
		if got := auth.Can(actor(tt.role), tt.perm); got != tt.want {
			t.Errorf("Can(%s, %s) = %v, want %v", tt.role, tt.perm, got, tt.want)
		}
		err := auth.Require(actor(tt.role), tt.perm)
		if (err == nil) != tt.want || (err != nil && apperr.KindOf(err) != apperr.Forbidden) {
			t.Errorf("Require(%s, %s) = %v, want allowed %v or Forbidden", tt.role, tt.perm, err, tt.want)
		}
	}
	if !auth.Can(auth.System, auth.PermPaymentManage) {
		t.Error("the system actor must be allowed everything")
	}
	// No role that confirms eligibility may also release money.
	for _, r := range auth.Roles {
		a := actor(r)
		if auth.Can(a, auth.PermPaymentManage) && (auth.Can(a, auth.PermEligibility) || auth.Can(a, auth.PermCaseApprove) ||
			auth.Can(a, auth.PermCaseReview) || auth.Can(a, auth.PermCaseApply)) {
			t.Errorf("role %s may both decide eligibility and release money", r)
		}
		if a.ReadOnly() && (auth.Can(a, auth.PermRegistryWrite) || auth.Can(a, auth.PermPaymentManage) || auth.Can(a, auth.PermCaseApprove)) {
			t.Errorf("read-only role %s may change data", r)
		}
	}
}

func TestSessionPolicy(t *testing.T) {
	p := auth.SessionPolicy{Absolute: 8 * time.Hour, Idle: 30 * time.Minute}
	t0 := time.Date(2024, 5, 1, 8, 0, 0, 0, time.UTC)
	s := auth.Session{CreatedAt: t0, ExpiresAt: p.Expiry(t0, t0)}
	tests := []struct {
		name  string
		at    time.Time
		valid bool
	}{
		{"fresh", t0.Add(time.Minute), true},
		{"idle", t0.Add(31 * time.Minute), false},
	}
	for _, tt := range tests {
		if got := p.Valid(s, tt.at); got != tt.valid {
			t.Errorf("%s: Valid at %v = %v, want %v", tt.name, tt.at, got, tt.valid)
		}
	}
	// Kept alive by use, the session still ends at the absolute deadline.
	for at := t0; at.Before(t0.Add(9 * time.Hour)); at = at.Add(20 * time.Minute) {
		if !p.Valid(s, at) {
			if at.Before(t0.Add(8 * time.Hour)) {
				t.Fatalf("session in use died at %v, before the absolute deadline", at)
			}
			break
		}
		if p.NeedsTouch(s, at) {
			s.ExpiresAt = p.Expiry(s.CreatedAt, at)
		}
	}
	if p.Valid(s, t0.Add(8*time.Hour)) {
		t.Error("session outlived its absolute deadline")
	}
	if p.NeedsTouch(auth.Session{CreatedAt: t0, ExpiresAt: p.Expiry(t0, t0)}, t0.Add(time.Second)) {
		t.Error("NeedsTouch one second after sign-in: want false")
	}
}

func TestSessionToken(t *testing.T) {
	tok, hash, err := auth.NewSessionToken()
	if err != nil {
		t.Fatal(err)
	}
	tok2, _, _ := auth.NewSessionToken()
	if len(tok) != 43 || tok == tok2 {
		t.Errorf("tokens %q, %q: want two different 43-character tokens", tok, tok2)
	}
	if hash != auth.HashToken(tok) || len(hash) != 64 || strings.Contains(hash, tok) {
		t.Errorf("hash %q of token %q: want its hex SHA-256", hash, tok)
	}
}

func TestThrottle(t *testing.T) {
	th := auth.NewThrottle()
	now := time.Date(2024, 5, 1, 8, 0, 0, 0, time.UTC)
	var locks []time.Duration
	for i := 0; i < 17; i++ {
		if w := th.Wait("u:zhang", now); w > 0 {
			now = now.Add(w)
		}
		locks = append(locks, th.Fail("u:zhang", now))
	}
	want := []time.Duration{0, 0, 0, 0, 0, time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second,
		16 * time.Second, 32 * time.Second, 64 * time.Second, 128 * time.Second, 256 * time.Second, 512 * time.Second,
		15 * time.Minute, 15 * time.Minute}
	for i := range want {
		if locks[i] != want[i] {
			t.Errorf("lock after failure %d = %v, want %v", i+1, locks[i], want[i])
		}
	}
	if w := th.Wait("u:zhang", now); w != 15*time.Minute {
		t.Errorf("Wait right after the 17th failure = %v, want 15m", w)
	}
	if w := th.Wait("u:li", now); w != 0 {
		t.Errorf("Wait for another key = %v, want 0", w)
	}
	th.Succeed("u:zhang")
	if w := th.Wait("u:zhang", now); w != 0 {
		t.Errorf("Wait after success = %v, want 0", w)
	}
}

// TestThrottleAttempt counts attempts when they start: of many at once,
// no more start than could fail before the lock.
func TestThrottleAttempt(t *testing.T) {
	th := auth.NewThrottle()
	now := time.Date(2024, 5, 1, 8, 0, 0, 0, time.UTC)
	keys := []string{"u:zhang", "ip:10.0.0.1"}
	var started, refused int
	for range 20 {
		switch w := th.Attempt(now, keys...); w {
		case 0:
			started++
		case time.Second:
			refused++
		default:
			t.Fatalf("Attempt waits %v", w)
		}
	}
	if started != th.FreeFailures+1 || refused != 20-started {
		t.Fatalf("%d attempts started at once and %d refused, want %d and the rest", started, refused, th.FreeFailures+1)
	}
	th.Release("ip:10.0.0.1") // one attempt was never checked
	for range started - 1 {
		th.Fail("u:zhang", now)
		th.Fail("ip:10.0.0.1", now)
	}
	th.Release("u:zhang")
	if w := th.Attempt(now, keys...); w != 0 {
		t.Errorf("after 5 failures and a released attempt: wait %v, want none", w)
	}
	if lock := th.Fail("u:zhang", now); lock != time.Second {
		t.Errorf("sixth failure locks for %v, want 1s", lock)
	}
	th.Fail("ip:10.0.0.1", now)
	if w := th.Attempt(now.Add(500*time.Millisecond), keys...); w != 500*time.Millisecond {
		t.Errorf("while locked: wait %v, want 500ms", w)
	}
	later := now.Add(2 * time.Second)
	if w := th.Attempt(later, keys...); w != 0 {
		t.Errorf("after the lock: wait %v, want none", w)
	}
	if w := th.Attempt(later, keys...); w != time.Second {
		t.Errorf("a second attempt past the free failures: wait %v, want 1s (one at a time)", w)
	}
	th.Succeed("u:zhang")
	th.Release("ip:10.0.0.1")
	if w := th.Attempt(later, "u:zhang"); w != 0 {
		t.Errorf("after success: wait %v, want none", w)
	}
	th.Release("u:zhang")
	if w := th.Attempt(later.Add(2*time.Hour), keys...); w != 0 {
		t.Errorf("failures two hours old: wait %v, want none", w)
	}
}

func TestActorContext(t *testing.T) {
	if _, ok := auth.ActorFrom(t.Context()); ok {
		t.Error("ActorFrom(empty context) ok, want false")
	}
	a := auth.Actor{UserID: 3, Role: auth.RoleCounty, Scope: "341523"}
	got, ok := auth.ActorFrom(auth.WithActor(t.Context(), a))
	if !ok || got != a {
		t.Errorf("ActorFrom = %+v, %v; want %+v", got, ok, a)
	}
}

// TestRefusalsSpeakWords checks that a refusal names what was refused in
// words: every permission has a Chinese and an English name, and neither
// a refusal of a permission nor one of a region shows a code.
func TestRefusalsSpeakWords(t *testing.T) {
	code := regexp.MustCompile(`[a-z]+\.[a-z]+|\d{6}`)
	for _, p := range auth.Permissions {
		zh, en := p.Names()
		if zh == string(p) || en == string(p) || zh == "" || en == "" {
			t.Errorf("%s has no names: %q, %q", p, zh, en)
		}
		village := auth.Actor{Role: auth.RoleVillage, Scope: "341523100231"}
		err := auth.Require(auth.Actor{Role: auth.RolePartner, Scope: "341523"}, p)
		if p == auth.PermFamilyCheck {
			err = auth.Require(village, p)
		}
		e, ok := apperr.As(err)
		if !ok {
			t.Fatalf("%s: refusal %v", p, err)
		}
		if !strings.Contains(e.ZH, zh) || !strings.Contains(e.EN, en) || code.MatchString(e.ZH) || code.MatchString(e.EN) {
			t.Errorf("%s: refused with %q / %q", p, e.ZH, e.EN)
		}
	}
	e, _ := apperr.As(auth.Actor{Role: auth.RoleVillage, Scope: "341523100231"}.CheckScope("341523101001"))
	if e == nil || code.MatchString(e.ZH) || !strings.Contains(e.ZH, "舒城县城关镇石桥村委会") || !strings.Contains(e.ZH, "不在您的管辖范围") {
		t.Errorf("a region outside the scope refused with %v", e)
	}
}
