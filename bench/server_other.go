//go:build !linux

package main

import (
	"errors"
	"syscall"
	"time"
)

// serverSysProcAttr has no portable parent-death signal outside Linux; the
// deferred Stop is the only cleanup there.
func serverSysProcAttr() *syscall.SysProcAttr {
	return nil
}

// readRSS needs /proc; elsewhere the RSS column reads n/a.
func readRSS(int) (int64, error) {
	return 0, errors.New("server RSS is read from /proc, which only Linux has")
}

// raiseFileLimit is left to the user outside Linux (ulimit -n).
func raiseFileLimit() (uint64, error) {
	return 0, errors.New("raise the open-file limit with ulimit -n")
}

// readCPU needs /proc; elsewhere the CPU column reads n/a.
func readCPU(int) (time.Duration, error) {
	return 0, errors.New("server CPU time is read from /proc, which only Linux has")
}

// loadAverage needs /proc.
func loadAverage() string {
	return "n/a"
}
