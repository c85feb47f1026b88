//go:build unix

package provider_test

import "syscall"

// mkfifo makes a named pipe: a file that blocks whoever reads it until a writer comes.
func mkfifo(path string) error { return syscall.Mkfifo(path, 0o600) }
