package ldaptest

import (
	"fmt"
	"net"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/go-ldap/ldap/v3"
)

const (
	// readyTimeout bounds the wait for slapd to accept its first bind.
	readyTimeout = 15 * time.Second
	// maxOpenFiles caps slapd's descriptor limit: slapd sizes its
	// connection tables by RLIMIT_NOFILE, which is huge in some containers.
	maxOpenFiles = 1024
	// startAttempts bounds the retries of startSlapd.
	startAttempts = 5
)

// process is one running slapd.
type process struct {
	cmd           *exec.Cmd
	url, ldapsURL string
	ports         [2]int
	out           *tailBuffer
	done          chan struct{} // closed when slapd has exited
	stopOnce      sync.Once
}

// slapadd loads ldifPath into the (empty) database of conf.
func slapadd(conf, ldifPath string) error {
	out, err := exec.Command(slapaddPath, "-q", "-f", conf, "-l", ldifPath).CombinedOutput()
	if err != nil {
		return fmt.Errorf("slapadd: %v\n%s", err, out)
	}
	return nil
}

// startSlapd launches slapd for conf on free ports, choosing new ones when
// another process took a port between choosing it and slapd binding it.
func startSlapd(conf, adminDN, adminPassword string) (*process, error) {
	var err error
	for attempt := 1; attempt <= startAttempts; attempt++ {
		var ports [2]int
		if ports, err = freePorts(); err != nil {
			return nil, err
		}
		var p *process
		p, err = launch(conf, ports, adminDN, adminPassword)
		switch {
		case err == nil:
			return p, nil
		case p == nil || !p.portClash():
			return nil, err
		}
	}
	return nil, fmt.Errorf("%d attempts, last: %w", startAttempts, err)
}

// launch starts slapd for conf on the loopback ports (ldap, ldaps) and
// waits until the admin can bind. On failure after slapd was started it
// returns the stopped process too, so the caller can inspect it.
func launch(conf string, ports [2]int, adminDN, adminPassword string) (*process, error) {
	p := &process{
		url:      "ldap://127.0.0.1:" + strconv.Itoa(ports[0]),
		ldapsURL: "ldaps://127.0.0.1:" + strconv.Itoa(ports[1]),
		ports:    ports,
		out:      &tailBuffer{max: 64 << 10},
		done:     make(chan struct{}),
	}
	// sh lowers the descriptor limit and then becomes slapd (exec), so the
	// process we kill is slapd itself. "-d none" keeps slapd in the
	// foreground and prints only messages logged at any level (errors such
	// as a failed bind of a port); "-d 0" would print nothing at all.
	p.cmd = exec.Command("/bin/sh", "-c",
		`ulimit -n `+strconv.Itoa(maxOpenFiles)+` 2>/dev/null; exec "$0" "$@"`,
		slapdPath, "-d", "none", "-h", p.url+"/ "+p.ldapsURL+"/", "-f", conf)
	p.cmd.Stdout, p.cmd.Stderr = p.out, p.out
	p.cmd.SysProcAttr = &syscall.SysProcAttr{
		Setpgid:   true,            // own process group: Stop kills it whole
		Pdeathsig: syscall.SIGKILL, // no orphaned slapd if the test binary dies
	}
	if err := startOnLockedThread(p.cmd); err != nil {
		return nil, fmt.Errorf("start %s: %w", slapdPath, err)
	}
	go func() {
		_ = p.cmd.Wait()
		close(p.done)
	}()
	if err := p.waitReady(adminDN, adminPassword); err != nil {
		p.stop()
		return p, fmt.Errorf("%w\nslapd output:\n%s", err, p.out.String())
	}
	return p, nil
}

// spawnJobs feeds the goroutine that starts every slapd; see startOnLockedThread.
var (
	spawnJobs    = make(chan spawnJob)
	spawnerStart sync.Once
)

type spawnJob struct {
	cmd  *exec.Cmd
	errc chan error
}

// startOnLockedThread starts cmd from a goroutine locked to its OS thread
// for the life of the test binary. Pdeathsig fires when the *thread* that
// forked the child exits, and the Go runtime ends threads whose locked
// goroutine returns; starting slapd from a thread that never ends means it
// is killed only when the test binary itself dies.
func startOnLockedThread(cmd *exec.Cmd) error {
	spawnerStart.Do(func() {
		go func() {
			runtime.LockOSThread() // never unlocked: the thread lives as long as the process
			for job := range spawnJobs {
				job.errc <- job.cmd.Start()
			}
		}()
	})
	errc := make(chan error, 1)
	spawnJobs <- spawnJob{cmd: cmd, errc: errc}
	return <-errc
}

// waitReady polls until a simple bind as the admin succeeds on p.url.
func (p *process) waitReady(adminDN, adminPassword string) error {
	deadline := time.Now().Add(readyTimeout)
	var lastErr error
	for time.Now().Before(deadline) {
		select {
		case <-p.done:
			return fmt.Errorf("slapd exited early: %v", p.cmd.ProcessState)
		default:
		}
		if lastErr = tryBind(p.url, adminDN, adminPassword); lastErr == nil {
			return nil
		}
		time.Sleep(5 * time.Millisecond)
	}
	return fmt.Errorf("slapd not ready after %v: %v", readyTimeout, lastErr)
}

func tryBind(url, dn, password string) error {
	conn, err := ldap.DialURL(url, ldap.DialWithDialer(&net.Dialer{Timeout: time.Second}))
	if err != nil {
		return err
	}
	defer conn.Close()
	conn.SetTimeout(2 * time.Second)
	return conn.Bind(dn, password)
}

// portClash reports whether slapd died because one of its ports was taken.
func (p *process) portClash() bool {
	select {
	case <-p.done:
	default:
		return false
	}
	if strings.Contains(p.out.String(), "Address already in use") {
		return true
	}
	for _, port := range p.ports {
		l, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(port))
		if err != nil {
			return true
		}
		_ = l.Close()
	}
	return false
}

// stop kills slapd's process group and waits for slapd to exit.
func (p *process) stop() {
	p.stopOnce.Do(func() {
		if p.cmd.Process != nil {
			_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
		}
		<-p.done
	})
}

// freePorts returns two distinct ports on 127.0.0.1 that were free a moment ago.
func freePorts() ([2]int, error) {
	var ports [2]int
	var listeners []net.Listener
	defer func() {
		for _, l := range listeners {
			_ = l.Close()
		}
	}()
	for i := range ports {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return ports, fmt.Errorf("find a free port: %w", err)
		}
		listeners = append(listeners, l)
		ports[i] = l.Addr().(*net.TCPAddr).Port
	}
	return ports, nil
}

// tailBuffer keeps the last max bytes written to it; safe for concurrent use.
type tailBuffer struct {
	mu  sync.Mutex
	max int
	buf []byte
}

// Write appends b, dropping the oldest bytes beyond max.
func (b *tailBuffer) Write(data []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf = append(b.buf, data...)
	if over := len(b.buf) - b.max; over > 0 {
		b.buf = append(b.buf[:0], b.buf[over:]...)
	}
	return len(data), nil
}

// String returns what is kept.
func (b *tailBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return string(b.buf)
}
