package anonymity_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"zirkel/server/anonymity"
)

// TestHideExamples: the cases the rule was written for.
func TestHideExamples(t *testing.T) {
	for _, tc := range []struct {
		name   string
		counts []int
		want   []bool
	}{
		{"nothing small: all shown", []int{7, 0, 12}, []bool{false, false, false}},
		{"9 respondents, A=7, C=0: B=2 needs a partner", []int{7, 2, 0}, []bool{true, true, false}},
		{"two small cells that make a group", []int{2, 3, 20}, []bool{true, true, false}},
		{"one small cell hides the next smallest", []int{1, 5, 6, 30}, []bool{true, true, false, false}},
		{"zeros add nobody to the hidden group", []int{1, 0, 0, 30, 40}, []bool{true, false, false, true, false}},
		{"small cells that stay small together take a large one", []int{1, 1, 0, 8}, []bool{true, true, false, true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := anonymity.Hide(tc.counts); !slices.Equal(got, tc.want) {
				t.Fatalf("Hide(%v) = %v, want %v", tc.counts, got, tc.want)
			}
		})
	}
}

// TestNoHiddenCellIsDerivable draws many random tables whose cells add up to their published
// total (a single-choice question with its "no answer" cell) and checks what one can compute
// from the total and the shown cells (the linear relations: hidden cells are non-negative and
// add up to the total minus the shown cells):
//   - no shown cell is 1 to K-1;
//   - whenever a cell is hidden, at least two are, so each hidden cell can be anything from 0
//     to that difference: none is determined;
//   - and the difference, the only figure about the hidden cells one learns, is itself a
//     group of at least K.
func TestNoHiddenCellIsDerivable(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for range 20000 {
		counts := make([]int, 2+rng.IntN(8))
		total := 0
		for i := range counts {
			switch rng.IntN(3) {
			case 0:
				counts[i] = rng.IntN(anonymity.K)
			case 1:
				counts[i] = rng.IntN(3 * anonymity.K)
			default:
				counts[i] = rng.IntN(200)
			}
			total += counts[i]
		}
		if !anonymity.Enough(total) {
			continue
		}
		if err := checkTable(counts, total); err != nil {
			t.Fatalf("%v: %v", counts, err)
		}
	}
}

// checkTable bounds every hidden cell by the linear relations and fails when one is fixed.
func checkTable(counts []int, total int) error {
	hidden := anonymity.Hide(counts)
	rest, nHidden := total, 0
	for i, h := range hidden {
		switch {
		case h:
			nHidden++
		case anonymity.Small(counts[i]):
			return fmt.Errorf("shown cell %d is %d", i, counts[i])
		default:
			rest -= counts[i]
		}
	}
	if nHidden == 0 {
		return nil
	}
	for i, h := range hidden {
		if !h {
			continue
		}
		// The others can take everything (lowest value 0) or nothing (highest value rest).
		lowest, highest := 0, rest
		if nHidden == 1 {
			lowest = rest
		}
		if lowest == highest {
			return fmt.Errorf("hidden cell %d is determined: %d", i, rest)
		}
	}
	if rest < anonymity.K {
		return fmt.Errorf("the hidden cells add up to %d, fewer than %d", rest, anonymity.K)
	}
	return nil
}

// FuzzHide checks the same properties as TestNoHiddenCellIsDerivable on tables the fuzzer
// makes: each byte is one cell.
func FuzzHide(f *testing.F) {
	f.Add([]byte{7, 2, 0})
	f.Add([]byte{1, 0, 0, 30, 40})
	f.Add([]byte{4, 4, 0, 1})
	f.Fuzz(func(t *testing.T, cells []byte) {
		if len(cells) > 30 {
			return
		}
		counts, total := make([]int, len(cells)), 0
		for i, c := range cells {
			counts[i] = int(c)
			total += int(c)
		}
		if !anonymity.Enough(total) {
			return
		}
		if err := checkTable(counts, total); err != nil {
			t.Fatalf("%v: %v", counts, err)
		}
	})
}

func TestQuartile(t *testing.T) {
	for _, tc := range []struct {
		value float64
		want  int
	}{{-1, 0}, {22.5, 0}, {22.6, 1}, {35, 1}, {36, 2}, {47.5, 2}, {47.6, 3}, {1e9, 3}} {
		if got := anonymity.Quartile(tc.value, 22.5, 35, 47.5); got != tc.want {
			t.Errorf("Quartile(%v) = %d, want %d", tc.value, got, tc.want)
		}
	}
}
