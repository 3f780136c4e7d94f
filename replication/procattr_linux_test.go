//go:build linux

package replication_test

import "syscall"

// childProcAttr kills a child when the test process dies, so that a
// failed or interrupted test leaves no server behind.
func childProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
