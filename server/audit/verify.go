package audit

import (
	"context"
	"fmt"

	"zirkel/ent"
	"zirkel/ent/auditentry"
	"zirkel/ent/schema/gid"
)

// Report is the outcome of Verify.
type Report struct {
	Entries int    // entries checked
	First   int64  // position of the oldest entry (0 for an empty log)
	Last    int64  // position of the newest entry
	Anchor  string // the oldest entry's previous hash, trusted as the start of the chain
	Broken  *Break // the first broken link, nil when the chain holds
}

// Break is a broken link of the chain.
type Break struct {
	Seq     int64  // position of the first entry that does not fit
	ID      gid.ID // its id
	Problem string // what does not fit
}

// String describes the break for the verify command.
func (b Break) String() string { return fmt.Sprintf("entry %d (%s): %s", b.Seq, b.ID, b.Problem) }

// verifyPage is how many entries Verify reads at a time.
const verifyPage = 1000

// Verify walks the chain from the oldest entry to the newest and reports the first broken
// link: an entry whose content does not match its hash (changed), whose previous hash is not
// its predecessor's hash, or whose position does not follow its predecessor's (an entry
// inserted or removed). The oldest entry's previous hash is trusted: purges remove entries
// from the start. Removing the newest entries cannot be seen from the chain alone; compare
// Last with an earlier report for that.
func Verify(ctx context.Context, client *ent.Client) (Report, error) {
	ctx = trusted(ctx)
	var (
		r    Report
		prev *ent.AuditEntry
	)
	for {
		q := client.AuditEntry.Query().Order(ent.Asc(auditentry.FieldSeq)).Limit(verifyPage)
		if prev != nil {
			q.Where(auditentry.SeqGT(prev.Seq))
		}
		page, err := q.All(ctx)
		if err != nil {
			return r, fmt.Errorf("reading the audit log: %w", err)
		}
		for _, e := range page {
			if prev == nil {
				r.First, r.Anchor = e.Seq, e.PrevHash
			}
			if b := check(prev, e); b != nil {
				r.Broken = b
				return r, nil
			}
			r.Entries++
			r.Last = e.Seq
			prev = e
		}
		if len(page) < verifyPage {
			return r, nil
		}
	}
}

// check tells how e does not follow prev (nil for the oldest entry), or nil when it does.
func check(prev, e *ent.AuditEntry) *Break {
	broken := func(format string, args ...any) *Break {
		return &Break{Seq: e.Seq, ID: e.ID, Problem: fmt.Sprintf(format, args...)}
	}
	switch {
	case Hash(e) != e.Hash:
		return broken("its content does not match its hash (changed after it was written)")
	case prev == nil:
		return nil
	case e.Seq != prev.Seq+1:
		return broken("follows entry %d: entries %d to %d are missing", prev.Seq, prev.Seq+1, e.Seq-1)
	case e.PrevHash != prev.Hash:
		return broken("its previous hash is not the hash of entry %d", prev.Seq)
	}
	return nil
}
