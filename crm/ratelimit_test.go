package crm

import "testing"

func TestRateLimitedErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		p             RatePolicy
		name          string
		limit         RatePolicy
		category, msg string
	}{
		{RateTenSecondly, "TEN_SECONDLY_ROLLING", RateTenSecondly, "", "You have reached your ten_secondly_rolling limit."},
		{RateDaily, "DAILY", RateDaily, "", "You have reached your daily limit."},
		{RateSecondly, "SECONDLY", RateSecondly, CategoryRateLimits, "You have reached your secondly limit."},
		{RateAllowed, "", RateTenSecondly, "", "You have reached your ten_secondly_rolling limit."},
	} {
		if got := tc.p.String(); got != tc.name {
			t.Errorf("policy %d is named %q, want %q", tc.p, got, tc.name)
		}
		if p, ok := RatePolicyNamed(tc.name); ok != (tc.name != "") || (ok && p != tc.p) {
			t.Errorf("RatePolicyNamed(%q) = %d %v", tc.name, p, ok)
		}
		e := wantError(t, RateLimited(tc.p), KindRateLimited, tc.category, tc.msg)
		if e.Limit != tc.limit {
			t.Errorf("policy %d: limit %d, want %d", tc.p, e.Limit, tc.limit)
		}
	}
	if _, ok := RatePolicyNamed("HOURLY"); ok {
		t.Error("an unknown policy name was found")
	}
}
