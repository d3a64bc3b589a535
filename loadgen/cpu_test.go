package loadgen

import (
	"os"
	"testing"
	"time"
)

func TestCPUClock(t *testing.T) {
	// Reading our own process through /proc stands in for a server.
	c := cpuClock{serverPID: os.Getpid()}
	a := c.now()
	for start := time.Now(); time.Since(start) < 100*time.Millisecond; {
	}
	b := c.now()
	if !a.serverOK || !b.serverOK {
		t.Fatal("could not read /proc/<pid>/stat of this process")
	}
	if b.self <= a.self || b.server < a.server {
		t.Fatalf("CPU went backwards or did not move: self %v → %v, /proc %v → %v", a.self, b.self, a.server, b.server)
	}
	var p Phase
	p.fillCPU(a, b)
	if p.GeneratorCPUSeconds <= 0 || p.ServerCPUSeconds == nil {
		t.Fatalf("phase CPU = %v, %v", p.GeneratorCPUSeconds, p.ServerCPUSeconds)
	}
	if _, ok := procCPU(-1); ok {
		t.Fatal("procCPU of a process that cannot exist reported ok")
	}
	// Without a server pid only the generator is measured.
	var q Phase
	q.fillCPU(cpuClock{}.now(), cpuClock{}.now())
	if q.ServerCPUSeconds != nil {
		t.Fatal("server CPU reported without a server pid")
	}
}
