package loadgen

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// cpuClock reads the CPU time (user + system) of the generator itself and,
// when a server process id is given, of the server (from /proc, so Linux
// only), so each phase can report what it cost on each side: on a small
// machine the two compete for the same cores.
type cpuClock struct {
	serverPID int
}

type cpuSample struct {
	self, server time.Duration
	serverOK     bool
}

func (c cpuClock) now() cpuSample {
	var s cpuSample
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) == nil {
		s.self = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	if c.serverPID > 0 {
		s.server, s.serverOK = procCPU(c.serverPID)
	}
	return s
}

// procCPU reads utime + stime of a process from /proc/<pid>/stat.
func procCPU(pid int) (time.Duration, bool) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, false
	}
	// The command name (field 2) may hold spaces; fields after it follow
	// the last ')'. utime and stime are fields 14 and 15 overall.
	i := strings.LastIndexByte(string(b), ')')
	if i < 0 {
		return 0, false
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 13 {
		return 0, false
	}
	ut, err1 := strconv.ParseInt(f[11], 10, 64)
	st, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, false
	}
	const ticksPerSecond = 100 // USER_HZ on every Linux ABI Go supports
	return time.Duration(ut+st) * time.Second / ticksPerSecond, true
}

// fill sets p's CPU fields for the interval from a to b.
func (p *Phase) fillCPU(a, b cpuSample) {
	p.GeneratorCPUSeconds = (b.self - a.self).Seconds()
	if a.serverOK && b.serverOK {
		s := (b.server - a.server).Seconds()
		p.ServerCPUSeconds = &s
	}
}
