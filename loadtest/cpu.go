package loadtest

import (
	"bufio"
	"os"
	"strconv"
	"strings"
	"time"
)

// cpuTimes is the machine's CPU time since boot by state, summed over all CPUs, as Linux
// reports it in /proc/stat. A run's difference tells what a request cost the whole
// machine — server, database and this tool together — which varies far less from run to
// run than the throughput of a closed loop on a shared host, and the steal tells when the
// host took CPU away.
type cpuTimes struct {
	busy, idle, steal time.Duration
}

// userHZ is the unit of /proc/stat: USER_HZ is 100 on every Linux architecture Go runs on.
const userHZ = 100

// readCPU reads /proc/stat; ok is false where there is none (not Linux).
func readCPU() (t cpuTimes, ok bool) {
	f, err := os.Open("/proc/stat")
	if err != nil {
		return t, false
	}
	defer f.Close()
	line, err := bufio.NewReader(f).ReadString('\n')
	if err != nil {
		return t, false
	}
	return parseCPU(line)
}

// parseCPU reads the "cpu" line: user nice system idle iowait irq softirq steal ….
func parseCPU(line string) (t cpuTimes, ok bool) {
	f := strings.Fields(line)
	if len(f) < 9 || f[0] != "cpu" {
		return t, false
	}
	var v [8]time.Duration
	for i := range v {
		n, err := strconv.ParseInt(f[i+1], 10, 64)
		if err != nil || n < 0 {
			return t, false
		}
		v[i] = time.Duration(n) * time.Second / userHZ
	}
	user, nice, system, idle, iowait, irq, softirq, steal := v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7]
	return cpuTimes{busy: user + nice + system + irq + softirq, idle: idle + iowait, steal: steal}, true
}

func (t cpuTimes) sub(u cpuTimes) cpuTimes {
	return cpuTimes{busy: t.busy - u.busy, idle: t.idle - u.idle, steal: t.steal - u.steal}
}
