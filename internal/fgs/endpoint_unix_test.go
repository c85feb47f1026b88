//go:build unix

package fgs_test

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/fgs-tools/terraform-provider-huaweicloud/internal/fgs"
)

// Only a small regular file is read: a FIFO, a directory or a device is
// refused at once, never waited on.
func TestReadSmallFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skip("no FIFOs here:", err)
	}
	big := filepath.Join(dir, "big")
	if err := os.WriteFile(big, make([]byte, 2<<20+1), 0o600); err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]string{fifo: "not a regular file", dir: "not a regular file", "/dev/zero": "not a regular file", big: "larger than 2 MiB"} {
		if _, err := fgs.ReadSmallFile(path, 2<<20); err == nil || !strings.Contains(err.Error(), want) {
			t.Fatalf("%s: got %v, want %q", path, err, want)
		}
	}
}
