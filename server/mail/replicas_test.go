package mail_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"zirkel/ent/member"
	"zirkel/server/apitest"
	"zirkel/server/app"
	"zirkel/server/config"
	"zirkel/server/mail"
	"zirkel/server/mail/mailtest"
	"zirkel/server/policy"
	"zirkel/server/store"
)

// childEnv marks a test binary started as a sending replica by TestTwoReplicasSendEachMailOnce.
const childEnv = "ZIRKEL_MAIL_TEST_REPLICA"

// TestMain runs the test binary as a replica when childEnv is set: a Zirkel built by app.New
// from the environment's configuration, sending mail until its standard input closes.
func TestMain(m *testing.M) {
	if name := os.Getenv(childEnv); name != "" {
		os.Exit(runReplica(name))
	}
	os.Exit(m.Run())
}

func runReplica(name string) int {
	cfg, err := config.Load(nil, os.Getenv)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	a, err := app.New(context.Background(), cfg, logger, app.WithMailOptions(func(o *mail.Options) {
		o.Poll, o.Batch, o.HELO = 20*time.Millisecond, 3, name
	}))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	fmt.Println("ready")
	_, _ = io.Copy(io.Discard, os.Stdin) // until the test closes it
	_ = a.Close()
	return 0
}

// TestTwoReplicasSendEachMailOnce: two OS processes (this test binary, started twice as
// replicas) send from one outbox in PostgreSQL; 50 mails reach the test SMTP server exactly
// once each, because a mail is sent only by the replica whose lease claimed it.
func TestTwoReplicasSendEachMailOnce(t *testing.T) {
	smtp := mailtest.Start(t, mailtest.Options{})
	smtp.Delay(10 * time.Millisecond) // sending takes a while, so that the replicas overlap
	dbURL := apitest.FreshPostgres(t)
	ctx := context.Background()
	st, err := store.Open(ctx, store.Options{DatabaseURL: dbURL})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var items []mail.Item
	want := map[string]bool{}
	for i := range 50 {
		email := fmt.Sprintf("replica%d@kreis.example", i)
		m, err := st.Client.Member.Create().SetDisplayName(fmt.Sprintf("Mitglied %d", i)).SetEmail(email).
			SetCommunityRole(member.CommunityRoleCDO).Save(policy.System(ctx))
		if err != nil {
			t.Fatal(err)
		}
		want[email] = true
		items = append(items, mail.Item{MemberID: m.ID, Kind: "MENTION", Title: fmt.Sprintf("Erwähnung %d", i), Link: "/discussions/dis_" + fmt.Sprint(i)})
	}
	for _, name := range []string{"replica-a", "replica-b"} {
		startReplica(t, name, dbURL, smtp.URL(false))
	}
	tx, err := st.Client.Tx(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := mail.Enqueue(ctx, tx.Client(), st.Dialect, items...); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	smtp.Wait(t, 50, 60*time.Second)
	time.Sleep(500 * time.Millisecond) // 25 polls of each replica: a second sending would show
	byReplica := map[string]int{}
	seen := map[string]int{}
	for _, m := range smtp.Messages() {
		byReplica[m.Helo]++
		seen[m.Header.Get("Message-Id")]++
		for _, to := range m.To {
			if !want[to] {
				t.Errorf("mail to unknown %s", to)
			}
			delete(want, to)
		}
	}
	for id, n := range seen {
		if n != 1 {
			t.Errorf("mail %s arrived %d times", id, n)
		}
	}
	if len(seen) != 50 || len(want) != 0 {
		t.Errorf("%d distinct mails arrived; members without mail: %d", len(seen), len(want))
	}
	t.Logf("mails sent per replica: %v", byReplica)
}

// startReplica starts the test binary as a replica and waits until it is ready; it stops
// when the test ends.
func startReplica(t *testing.T, name, dbURL, smtpURL string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"="+name, "DATABASE_URL="+dbURL, "ZIRKEL_SMTP_URL="+smtpURL,
		"ZIRKEL_DATA="+t.TempDir(), "ZIRKEL_MAIL_SECRET=replica-test-secret", "ZIRKEL_PUBLIC_URL="+publicURL)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = stdin.Close()
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
	})
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil || strings.TrimSpace(line) != "ready" {
		t.Fatalf("replica %s did not start: %q %v", name, line, err)
	}
}
