package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// procStatus is what /proc/<pid>/status says about a process's memory.
type procStatus struct {
	peakRSS int64 // VmHWM, bytes
	rss     int64 // VmRSS, bytes
}

func readProcStatus(pid int) (procStatus, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return procStatus{}, err
	}
	return parseProcStatus(b)
}

func parseProcStatus(b []byte) (procStatus, error) {
	var s procStatus
	var found bool
	for _, line := range bytes.Split(b, []byte("\n")) {
		key, val, ok := bytes.Cut(line, []byte(":"))
		if !ok {
			continue
		}
		var dst *int64
		switch string(key) {
		case "VmHWM":
			dst, found = &s.peakRSS, true
		case "VmRSS":
			dst = &s.rss
		default:
			continue
		}
		f := strings.Fields(string(val)) // "12345 kB"
		if len(f) != 2 || f[1] != "kB" {
			return procStatus{}, fmt.Errorf("unexpected %s line %q", key, line)
		}
		kb, err := strconv.ParseInt(f[0], 10, 64)
		if err != nil {
			return procStatus{}, err
		}
		*dst = kb << 10
	}
	if !found {
		return procStatus{}, fmt.Errorf("no VmHWM in /proc status (a kernel without it, or a zombie)")
	}
	return s, nil
}

// clockTicks is USER_HZ, which Linux fixes at 100 for /proc on every
// architecture Go runs on; reading sysconf would need cgo.
const clockTicks = 100

// readProcCPU is the user+system CPU time a process has used so far.
func readProcCPU(pid int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	return parseProcStatCPU(b)
}

func parseProcStatCPU(b []byte) (time.Duration, error) {
	// The command name is in parentheses and may hold spaces; fields resume after the last ')'.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, fmt.Errorf("malformed /proc stat")
	}
	f := strings.Fields(string(b[i+1:]))
	// After the name: state(3) ... utime(14) stime(15), so indexes 11 and 12 here.
	if len(f) < 13 {
		return 0, fmt.Errorf("malformed /proc stat: %d fields", len(f))
	}
	utime, err1 := strconv.ParseInt(f[11], 10, 64)
	stime, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("malformed /proc stat times %q %q", f[11], f[12])
	}
	return time.Duration(utime+stime) * time.Second / clockTicks, nil
}

// childPIDs lists the direct children of a process, from every thread's
// children file (a child belongs to the thread that forked it).
func childPIDs(pid int) []int {
	tasks, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/children", pid))
	var out []int
	for _, t := range tasks {
		b, err := os.ReadFile(t)
		if err != nil {
			continue
		}
		for _, f := range strings.Fields(string(b)) {
			if n, err := strconv.Atoi(f); err == nil {
				out = append(out, n)
			}
		}
	}
	return out
}

// providerWatch polls Terraform's children for the provider binary and
// keeps each instance's last memory high-water mark and CPU time. VmHWM is
// itself a peak, so polling misses only growth in an instance's last tick.
type providerWatch struct {
	exe  string
	stop chan struct{}
	done chan struct{}

	mu        sync.Mutex
	instances map[int]*providerInstance
}

type providerInstance struct {
	peakRSS int64
	cpu     time.Duration
}

// watchProvider starts polling the children of parent every interval for
// processes running exe.
func watchProvider(parent int, exe string, interval time.Duration) *providerWatch {
	w := &providerWatch{exe: exe, stop: make(chan struct{}), done: make(chan struct{}), instances: map[int]*providerInstance{}}
	go func() {
		defer close(w.done)
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			w.poll(parent)
			select {
			case <-w.stop:
				return
			case <-t.C:
			}
		}
	}()
	return w
}

func (w *providerWatch) poll(parent int) {
	for _, pid := range childPIDs(parent) {
		if exe, err := os.Readlink(fmt.Sprintf("/proc/%d/exe", pid)); err != nil || exe != w.exe {
			continue
		}
		st, err := readProcStatus(pid)
		if err != nil {
			continue // it exited between the listing and the read
		}
		cpu, _ := readProcCPU(pid)
		w.mu.Lock()
		inst := w.instances[pid]
		if inst == nil {
			inst = &providerInstance{}
			w.instances[pid] = inst
		}
		inst.peakRSS = max(inst.peakRSS, st.peakRSS)
		inst.cpu = max(inst.cpu, cpu)
		w.mu.Unlock()
	}
}

// finish stops polling and returns the largest peak of any instance, the
// CPU time of all instances together and how many were seen.
func (w *providerWatch) finish() (peakRSS int64, cpu time.Duration, instances int) {
	close(w.stop)
	<-w.done
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, inst := range w.instances {
		peakRSS = max(peakRSS, inst.peakRSS)
		cpu += inst.cpu
	}
	return peakRSS, cpu, len(w.instances)
}
