// Command fanout is the live fan-out benchmark: it starts a Zirkel server (one process, the
// embedded database, in-process broker), subscribes N websocket clients from separate loadgen
// processes to one discussion, posts messages at a steady rate, and prints delivery latency
// (p50/p99/max from the message's creation, which precedes its commit, to receipt), server CPU
// per event, and server memory per idle subscriber.
//
//	go run ./bench/fanout -n 1000,5000,9000
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

const password = "Fanout-Benchmark-1"

func main() {
	sizes := flag.String("n", "1000,5000,9000", "subscriber counts")
	perProcess := flag.Int("per-process", 3000, "connections per loadgen process")
	messages := flag.Int("messages", 100, "messages to post per run (enough for garbage collections to fall into the run)")
	rate := flag.Float64("rate", 5, "messages per second")
	flag.Parse()

	dir, err := os.MkdirTemp("", "zirkel-fanout")
	check(err)
	defer os.RemoveAll(dir)
	server, loadgen := filepath.Join(dir, "zirkel"), filepath.Join(dir, "loadgen")
	build(server, "./server")
	build(loadgen, "./bench/fanout/loadgen")

	fmt.Printf("%-8s %-9s %-9s %-9s %-11s %-24s %-13s\n", "subs", "p50", "p99", "max", "cpu/event", "heap+stacks/idle sub", "rss/idle sub")
	for _, f := range strings.Split(*sizes, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		check(err)
		r := run(server, loadgen, filepath.Join(dir, fmt.Sprint(n)), n, *perProcess, *messages, *rate)
		fmt.Printf("%-8d %-9s %-9s %-9s %-11s %-24s %-13s\n", n, r.p50.Round(100*time.Microsecond), r.p99.Round(100*time.Microsecond),
			r.max.Round(100*time.Microsecond), r.cpuPerEvent.Round(100*time.Microsecond),
			fmt.Sprintf("%.1f (%.1f+%.1f) KiB", (r.heapPerSub+r.stacksPerSub)/1024, r.heapPerSub/1024, r.stacksPerSub/1024),
			fmt.Sprintf("%.1f KiB", r.memPerSub/1024))
	}
}

type result struct {
	p50, p99, max, cpuPerEvent time.Duration
	memPerSub                  float64 // RSS growth
	heapPerSub, stacksPerSub   float64 // heap in use and goroutine stacks after garbage collections
}

func run(server, loadgen, data string, n, perProcess, messages int, rate float64) result {
	port := 18900 + n%97
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	debugAddr := fmt.Sprintf("127.0.0.1:%d", port+1000)
	srv := exec.Command(server, "-addr", fmt.Sprintf("127.0.0.1:%d", port), "-data", data, "-demo", "-log-level", "error",
		"-ws-conns-per-member", "100000", "-debug-addr", debugAddr)
	srv.Env = append(os.Environ(), "ZIRKEL_DEMO_PASSWORD="+password)
	check(srv.Start())
	defer func() { _ = srv.Process.Kill(); _ = srv.Wait() }()
	waitReady(base)
	token := login(base)
	discussion := gql(base, token, `mutation { createDiscussion(input: {title: "Fan-out"}) { id } }`, nil)["createDiscussion"].(map[string]any)["id"].(string)
	time.Sleep(time.Second)
	rssBefore := rss(srv.Process.Pid)
	heapBefore, stacksBefore := liveMemory(debugAddr)

	var gens []*exec.Cmd
	var outs []io.ReadCloser
	var ins []io.WriteCloser
	for left := n; left > 0; left -= perProcess {
		c := exec.Command(loadgen, "-url", "ws"+strings.TrimPrefix(base, "http")+"/graphql", "-token", token,
			"-discussion", discussion, "-conns", fmt.Sprint(min(left, perProcess)), "-messages", fmt.Sprint(messages))
		c.Stderr = os.Stderr
		out, err := c.StdoutPipe()
		check(err)
		in, err := c.StdinPipe()
		check(err)
		check(c.Start())
		gens, outs, ins = append(gens, c), append(outs, out), append(ins, in)
	}
	readers := make([]*bufio.Reader, len(outs))
	for i, o := range outs {
		readers[i] = bufio.NewReader(o)
		line, err := readers[i].ReadString('\n')
		if err != nil || strings.TrimSpace(line) != "ready" {
			log.Fatalf("loadgen %d: %q %v", i, line, err)
		}
	}
	time.Sleep(3 * time.Second) // idle: let buffers and goroutines settle
	memPerSub := float64(rss(srv.Process.Pid)-rssBefore) / float64(n)
	heapAfter, stacksAfter := liveMemory(debugAddr)
	heapPerSub, stacksPerSub := float64(heapAfter-heapBefore)/float64(n), float64(stacksAfter-stacksBefore)/float64(n)

	for _, in := range ins {
		_, _ = in.Write([]byte("go\n"))
	}
	cpuBefore := cpu(srv.Process.Pid)
	tick := time.NewTicker(time.Duration(float64(time.Second) / rate))
	for i := range messages {
		<-tick.C
		gql(base, token, `mutation($d: ID!, $b: String!) { postMessage(input: {discussionID: $d, body: $b}) { id } }`,
			map[string]any{"d": discussion, "b": fmt.Sprintf("Nachricht %d an alle", i)})
	}
	tick.Stop()
	var all []int64
	for i, r := range readers {
		var lat []int64
		check(json.NewDecoder(r).Decode(&lat))
		_ = gens[i].Wait()
		all = append(all, lat...)
	}
	cpuUsed := cpu(srv.Process.Pid) - cpuBefore
	if len(all) < n*messages {
		log.Printf("warning: %d of %d deliveries arrived", len(all), n*messages)
	}
	slices.Sort(all)
	at := func(q float64) time.Duration {
		return time.Duration(all[int(q*float64(len(all)-1))]) * time.Microsecond
	}
	return result{p50: at(0.5), p99: at(0.99), max: at(1), cpuPerEvent: cpuUsed / time.Duration(messages), memPerSub: memPerSub, heapPerSub: heapPerSub, stacksPerSub: stacksPerSub}
}

func build(out, pkg string) {
	cmd := exec.Command("go", "build", "-o", out, pkg)
	cmd.Stderr = os.Stderr
	check(cmd.Run())
}

func waitReady(base string) {
	for range 600 {
		if res, err := http.Get(base + "/readyz"); err == nil {
			res.Body.Close()
			if res.StatusCode == 200 {
				return
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	log.Fatal("server not ready")
}

func login(base string) string {
	data := gql(base, "", `mutation($p: String!) { login(input: {directory: "local", username: "admin@zirkel.test", password: $p}) { token } }`, map[string]any{"p": password})
	return data["login"].(map[string]any)["token"].(string)
}

func gql(base, token, query string, vars map[string]any) map[string]any {
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, _ := http.NewRequest(http.MethodPost, base+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	check(err)
	defer res.Body.Close()
	var out struct {
		Data   map[string]any
		Errors []any
	}
	check(json.NewDecoder(res.Body).Decode(&out))
	if len(out.Errors) > 0 {
		log.Fatalf("%s: %v", query, out.Errors)
	}
	return out.Data
}

// rss is the resident memory of a process in bytes.
func rss(pid int) int64 {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	check(err)
	for _, line := range strings.Split(string(raw), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmRSS:" {
			kb, _ := strconv.ParseInt(f[1], 10, 64)
			return kb * 1024
		}
	}
	return 0
}

// liveMemory is the server's heap in use and its goroutine stacks after a few garbage
// collections (each may halve stacks that grew during a connection's start and now sit
// idle), read from its pprof endpoint: the memory its connections hold in the steady state.
func liveMemory(debugAddr string) (heap, stacks int64) {
	var raw []byte
	for range 4 {
		res, err := http.Get("http://" + debugAddr + "/debug/pprof/heap?debug=1&gc=1")
		check(err)
		raw, _ = io.ReadAll(res.Body)
		res.Body.Close()
	}
	// The text lists runtime.MemStats as "# HeapInuse = N" and the stacks as
	// "# Stack = StackInuse / StackSys".
	for _, line := range strings.Split(string(raw), "\n") {
		if v, ok := strings.CutPrefix(line, "# HeapInuse = "); ok {
			heap, _ = strconv.ParseInt(strings.TrimSpace(v), 10, 64)
		}
		if v, ok := strings.CutPrefix(line, "# Stack = "); ok {
			inuse, _, _ := strings.Cut(v, " / ")
			stacks, _ = strconv.ParseInt(strings.TrimSpace(inuse), 10, 64)
		}
	}
	if heap == 0 || stacks == 0 {
		log.Fatalf("no HeapInuse or Stack in the heap profile's text")
	}
	return heap, stacks
}

// cpu is the user plus system time a process has used.
func cpu(pid int) time.Duration {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	check(err)
	f := strings.Fields(string(raw[bytes.LastIndexByte(raw, ')')+2:]))
	utime, _ := strconv.ParseInt(f[11], 10, 64)
	stime, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(utime+stime) * time.Second / 100 // clock ticks of 1/100 s
}

func check(err error) {
	if err != nil {
		log.Fatal(err)
	}
}
