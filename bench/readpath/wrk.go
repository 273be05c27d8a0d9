package main

import (
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// script POSTs the page query and counts every response that is not the checked answer, byte
// for byte (LuaJIT interns strings, so the comparison costs next to nothing).
const script = `
local function slurp(path)
  local f = assert(io.open(path, "rb"))
  local s = f:read("*a")
  f:close()
  return s
end
wrk.method = "POST"
wrk.body = slurp(os.getenv("READPATH_BODY"))
wrk.headers["Content-Type"] = "application/json"
local token = os.getenv("READPATH_TOKEN")
if token ~= nil and token ~= "" then
  wrk.headers["Authorization"] = "Bearer " .. token
end
local expected = slurp(os.getenv("READPATH_ANSWER"))
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) bad = 0; first_bad = "" end
function response(status, headers, body)
  if status ~= 200 or body ~= expected then
    bad = bad + 1
    if first_bad == "" then first_bad = status .. " " .. string.sub(body, 1, 400) end
  end
end
function done(summary, latency, requests)
  local total = 0
  for _, t in ipairs(threads) do
    total = total + t:get("bad")
    local first = t:get("first_bad")
    if first ~= "" then io.write("readpath-first-wrong " .. first .. "\n") end
  end
  io.write(string.format("readpath-bad %d\n", total))
end
`

// result is one measured case.
type result struct {
	rps           float64
	requests      int
	p50, p99      time.Duration
	cpuPerRequest time.Duration
	wrong         int // answers that are not the checked one (or not 200)
	failed        int // socket errors and timeouts (no answer within wrk's timeout)
}

// measure warms up, then runs wrk for the measured duration and reads the server's CPU time
// around it.
func measure(s *server, c loadCase, conns int, o options, name string) (result, error) {
	dir, err := os.MkdirTemp("", "readpath-wrk")
	if err != nil {
		return result{}, err
	}
	defer os.RemoveAll(dir)
	files := map[string][]byte{"script.lua": []byte(script), "answer.json": c.answer}
	if files["body.json"], err = json.Marshal(map[string]string{"query": pageQuery}); err != nil {
		return result{}, err
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), content, 0o600); err != nil {
			return result{}, err
		}
	}
	run := func(d time.Duration) (string, error) {
		// A long timeout: wrk leaves requests that time out out of its latencies.
		cmd := exec.Command("wrk", "-t", strconv.Itoa(o.threads), "-c", strconv.Itoa(conns),
			"-d", fmt.Sprintf("%ds", int(d.Seconds())), "--timeout", "10s", "--latency", "-s", filepath.Join(dir, "script.lua"), s.base+"/graphql")
		cmd.Env = append(os.Environ(), "READPATH_BODY="+filepath.Join(dir, "body.json"),
			"READPATH_ANSWER="+filepath.Join(dir, "answer.json"), "READPATH_TOKEN="+c.token)
		out, err := cmd.CombinedOutput()
		if err != nil {
			return "", fmt.Errorf("wrk: %w\n%s", err, out)
		}
		return string(out), nil
	}
	if o.warmup > 0 {
		if _, err := run(o.warmup); err != nil {
			return result{}, err
		}
	}
	before, err := s.cpu()
	if err != nil {
		return result{}, err
	}
	profiled := make(chan error, 1)
	if o.profileDir != "" {
		go func() {
			profiled <- profile(o.debugAddr, o.duration-time.Second, filepath.Join(o.profileDir, name+".pprof"))
		}()
	} else {
		profiled <- nil
	}
	out, err := run(o.duration)
	if err != nil {
		return result{}, err
	}
	after, err := s.cpu()
	if err != nil {
		return result{}, err
	}
	if err := <-profiled; err != nil {
		return result{}, err
	}
	r, err := parseWrk(out)
	if err != nil {
		return result{}, fmt.Errorf("%w\n%s", err, out)
	}
	if m := reFirstWrong.FindStringSubmatch(out); m != nil {
		log.Printf("%s: first wrong answer (status, start of body): %s", name, m[1])
	}
	if r.requests > 0 {
		r.cpuPerRequest = (after - before) / time.Duration(r.requests)
	}
	return r, nil
}

var (
	reRequests   = regexp.MustCompile(`(\d+) requests in`)
	reRPS        = regexp.MustCompile(`Requests/sec:\s+([\d.]+)`)
	rePercent    = regexp.MustCompile(`(?m)^\s+(50|99)%\s+([\d.]+)(us|ms|s|m)\s*$`)
	reBad        = regexp.MustCompile(`readpath-bad (\d+)`)
	reFirstWrong = regexp.MustCompile(`readpath-first-wrong (.*)`)
	reSocket     = regexp.MustCompile(`Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)`)
)

// parseWrk reads wrk's summary with --latency and the script's count of wrong answers.
func parseWrk(out string) (result, error) {
	var r result
	m := reRequests.FindStringSubmatch(out)
	rps := reRPS.FindStringSubmatch(out)
	bad := reBad.FindStringSubmatch(out)
	if m == nil || rps == nil || bad == nil {
		return r, fmt.Errorf("reading wrk's output")
	}
	r.requests, _ = strconv.Atoi(m[1])
	r.rps, _ = strconv.ParseFloat(rps[1], 64)
	r.wrong, _ = strconv.Atoi(bad[1])
	for _, p := range rePercent.FindAllStringSubmatch(out, -1) {
		v, _ := strconv.ParseFloat(p[2], 64)
		unit := map[string]time.Duration{"us": time.Microsecond, "ms": time.Millisecond, "s": time.Second, "m": time.Minute}[p[3]]
		d := time.Duration(v * float64(unit))
		if p[1] == "50" {
			r.p50 = d
		} else {
			r.p99 = d
		}
	}
	if s := reSocket.FindStringSubmatch(out); s != nil {
		for _, n := range s[1:] {
			k, _ := strconv.Atoi(n)
			r.failed += k
		}
	}
	if r.p50 == 0 || r.p99 == 0 || strings.TrimSpace(out) == "" {
		return r, fmt.Errorf("reading wrk's latency distribution")
	}
	return r, nil
}

// profile saves a CPU profile of the server taken over the given time.
func profile(debugAddr string, d time.Duration, path string) error {
	res, err := http.Get(fmt.Sprintf("http://%s/debug/pprof/profile?seconds=%d", debugAddr, max(1, int(d.Seconds()))))
	if err != nil {
		return fmt.Errorf("profiling: %w", err)
	}
	defer res.Body.Close()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = io.Copy(f, res.Body)
	return err
}
