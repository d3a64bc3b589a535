package main

import (
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"sync"
	"time"
)

// sizeUnits are the binary units humanSize and parseSize use.
var sizeUnits = []string{"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"}

// humanSize formats n bytes as "512 B", "1.5 KiB", "8.0 MiB": one decimal
// from KiB up, the unit chosen so that the number is below 1024 after
// rounding (1023.96 KiB is "1.0 MiB", not "1024.0 KiB").
func humanSize(n int64) string {
	if n < 1024 {
		return fmt.Sprintf("%d B", n)
	}
	v := float64(n)
	i := 0
	for i < len(sizeUnits)-1 && math.Round(v*10)/10 >= 1024 {
		v /= 1024
		i++
	}
	return fmt.Sprintf("%.1f %s", v, sizeUnits[i])
}

// parseSize parses a byte count for flags: "8388608", "8MiB", "8M",
// "16 MiB", "1.5GiB". K, M, G, T are binary (as in KiB), as storage tools
// mean them for part sizes.
func parseSize(s string) (int64, error) {
	t := strings.TrimSpace(s)
	i := strings.IndexFunc(t, func(r rune) bool { return (r < '0' || r > '9') && r != '.' })
	num, unit := t, ""
	if i >= 0 {
		num, unit = t[:i], strings.TrimSpace(t[i:])
	}
	v, err := strconv.ParseFloat(num, 64)
	if err != nil || num == "" || v < 0 {
		return 0, fmt.Errorf("%q is not a size (want e.g. 8MiB, 16M or a number of bytes)", s)
	}
	shifts := map[string]uint{"": 0, "B": 0, "K": 10, "KB": 10, "KIB": 10, "M": 20, "MB": 20, "MIB": 20,
		"G": 30, "GB": 30, "GIB": 30, "T": 40, "TB": 40, "TIB": 40}
	shift, ok := shifts[strings.ToUpper(unit)]
	if !ok {
		return 0, fmt.Errorf("%q: unknown unit %q (use B, KiB, MiB, GiB or TiB)", s, unit)
	}
	n := v * float64(int64(1)<<shift)
	if n > math.MaxInt64/2 {
		return 0, fmt.Errorf("%q is too large", s)
	}
	return int64(n), nil
}

// formatETA formats a remaining duration compactly: "7s", "3m05s",
// "2h14m".
func formatETA(d time.Duration) string {
	s := int64(d.Round(time.Second) / time.Second)
	switch {
	case s < 60:
		return fmt.Sprintf("%ds", s)
	case s < 3600:
		return fmt.Sprintf("%dm%02ds", s/60, s%60)
	default:
		return fmt.Sprintf("%dh%02dm", s/3600, (s%3600)/60)
	}
}

// rate is bytes per second over elapsed, 0 before any time has passed.
func rate(bytes int64, elapsed time.Duration) float64 {
	if elapsed <= 0 {
		return 0
	}
	return float64(bytes) / elapsed.Seconds()
}

// renderBar draws the progress line of a copy: bar, percentage, bytes
// done of total, rate, time left and files done. A total below 0 means
// unknown (a copy from stdin): no bar, percentage or ETA then.
func renderBar(done, total int64, elapsed time.Duration, filesDone, files int) string {
	const width = 24
	r := rate(done, elapsed)
	var b strings.Builder
	if total >= 0 {
		done = min(done, total) // retried requests count twice on the wire
		frac := 1.0
		if total > 0 {
			frac = float64(done) / float64(total)
		}
		filled := int(frac * width)
		b.WriteString("[" + strings.Repeat("=", filled))
		if filled < width {
			b.WriteString(">" + strings.Repeat(" ", width-filled-1))
		}
		fmt.Fprintf(&b, "] %3.0f%%  %s / %s", frac*100, humanSize(done), humanSize(total))
	} else {
		b.WriteString(humanSize(done))
	}
	fmt.Fprintf(&b, "  %s/s", humanSize(int64(r)))
	if total >= 0 {
		if left := total - done; left == 0 {
			b.WriteString("  ETA 0s")
		} else if r > 0 {
			b.WriteString("  ETA " + formatETA(time.Duration(float64(left)/r*float64(time.Second))))
		} else {
			b.WriteString("  ETA ?")
		}
	}
	if files > 1 {
		fmt.Fprintf(&b, "  %d/%d files", filesDone, files)
	}
	return b.String()
}

// copyDisplay reports a copy as it runs. On a terminal it keeps one
// self-overwriting progress line at the bottom, redrawn five times a
// second, and prints a line per finished file above it; elsewhere (a
// pipe, a file, a test) it prints only the lines, one per file. Its
// methods are safe for concurrent use by the transfer workers.
type copyDisplay struct {
	w     io.Writer
	bar   bool // draw the progress line (w is a terminal)
	quiet bool // print nothing but errors
	m     *meter
	start time.Time

	mu        sync.Mutex // guards the fields below and writes to w
	total     int64
	files     int
	filesDone int
	drawn     bool // a progress line is on screen
	stop      chan struct{}
	stopped   chan struct{}
}

func newCopyDisplay(w io.Writer, bar, quiet bool, m *meter) *copyDisplay {
	return &copyDisplay{w: w, bar: bar && !quiet, quiet: quiet, m: m, start: time.Now()}
}

// begin sets what the copy will transfer (total < 0: unknown) and starts
// the progress line's redraws.
func (d *copyDisplay) begin(total int64, files int) {
	d.mu.Lock()
	d.total, d.files, d.start = total, files, time.Now()
	d.mu.Unlock()
	if !d.bar {
		return
	}
	d.stop, d.stopped = make(chan struct{}), make(chan struct{})
	go func() {
		defer close(d.stopped)
		t := time.NewTicker(200 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-d.stop:
				return
			case <-t.C:
				d.mu.Lock()
				d.drawLocked()
				d.mu.Unlock()
			}
		}
	}()
}

func (d *copyDisplay) drawLocked() {
	fmt.Fprint(d.w, "\r"+renderBar(d.m.n.Load(), d.total, time.Since(d.start), d.filesDone, d.files)+"\033[K")
	d.drawn = true
}

func (d *copyDisplay) clearLocked() {
	if d.drawn {
		fmt.Fprint(d.w, "\r\033[K")
		d.drawn = false
	}
}

// fileDone prints one finished file's line (above the progress line).
func (d *copyDisplay) fileDone(line string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.filesDone++
	if d.quiet {
		return
	}
	d.clearLocked()
	fmt.Fprintln(d.w, line)
	if d.bar {
		d.drawLocked()
	}
}

// fileFailed prints a failed file's line to w (stderr), clearing the
// progress line first so the two do not run together.
func (d *copyDisplay) fileFailed(w io.Writer, line string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.clearLocked()
	fmt.Fprintln(w, line)
}

// end stops the progress line and removes it.
func (d *copyDisplay) end() {
	if d.stop != nil {
		close(d.stop)
		<-d.stopped
		d.stop = nil
	}
	d.mu.Lock()
	d.clearLocked()
	d.mu.Unlock()
}

// summary is the last line of a copy: "copied 3 files, 12.0 MiB in
// 0.84 s (14.3 MiB/s)".
func copySummary(files int, bytes int64, elapsed time.Duration) string {
	return fmt.Sprintf("copied %d file%s, %s in %.2f s (%s/s)", files, plural(files), humanSize(bytes),
		elapsed.Seconds(), humanSize(int64(rate(bytes, elapsed))))
}
