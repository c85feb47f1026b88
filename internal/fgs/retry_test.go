package fgs

import (
	"net/http"
	"testing"
	"time"
	"unicode/utf8"
)

func TestBackoffGrowsWithJitterAndHonoursRetryAfter(t *testing.T) {
	t.Parallel()
	p := RetryPolicy{MaxRetries: 5, BaseDelay: 100 * time.Millisecond, MaxDelay: time.Second}
	for n, want := range map[int]time.Duration{1: 100 * time.Millisecond, 2: 200 * time.Millisecond, 3: 400 * time.Millisecond, 5: time.Second, 9: time.Second} {
		for range 50 {
			got := p.backoff(n, 0)
			if got < want/2 || got > want {
				t.Fatalf("backoff(%d) = %s, want within [%s, %s]", n, got, want/2, want)
			}
		}
	}
	if got := p.backoff(1, 3*time.Second); got != 3*time.Second {
		t.Fatalf("backoff with Retry-After 3s = %s, want 3s", got)
	}
}

func TestParseRetryAfter(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	tests := []struct {
		in     string
		want   time.Duration
		wantOK bool
	}{
		{"", 0, false},
		{"2", 2 * time.Second, true},
		{"0", 0, true},
		{"-1", 0, false},
		{"soon", 0, false},
		{now.Add(7 * time.Second).Format(http.TimeFormat), 7 * time.Second, true},
		{now.Add(-time.Minute).Format(http.TimeFormat), 0, true},
		{"99999999999", 10 * maxRetryAfter, true},
	}
	for _, tt := range tests {
		got, ok := parseRetryAfter(tt.in, now)
		if got != tt.want || ok != tt.wantOK {
			t.Errorf("parseRetryAfter(%q) = %s, %v; want %s, %v", tt.in, got, ok, tt.want, tt.wantOK)
		}
	}
}

func TestPrintable(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"plain message", "plain message"},
		{"line\nbreak\ttab", "line\nbreak\ttab"},
		{"bad \xff\xfe utf8", "bad \uFFFD utf8"},
		{"escape \x1b[31mred\x1b[0m", "escape \uFFFD[31mred\uFFFD[0m"},
		{"c1 \u009b control", "c1 \uFFFD control"},
		{"ünïcödé kept", "ünïcödé kept"},
	}
	for _, tt := range tests {
		if got := printable(tt.in, 100); got != tt.want {
			t.Errorf("printable(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	if got := printable("ééééé", 5); got != "éé…" || !utf8.ValidString(got) {
		t.Errorf("cut mid-rune: %q", got)
	}
}
