// Package anonymity holds Zirkel's one rule for publishing aggregates: a figure about people or
// organisations is shown only when it stands for at least K of them, and a table never shows
// so much that a hidden figure can be worked out from the shown ones and the total.
//
// Every aggregate of the product uses it: survey results, benchmarks, the software landscape
// and competency gaps.
package anonymity

import (
	"cmp"
	"slices"
)

// K is the smallest group an aggregate may describe.
const K = 5

// Enough reports whether a group of n (respondents, peers, organisations) may be described at
// all.
func Enough(n int) bool { return n >= K }

// Small reports whether a count points at fewer than K but at least one: such a cell is never
// shown. Zero is shown: "nobody" describes no one.
func Small(n int) bool { return n > 0 && n < K }

// Hide decides which cells of one table (the counts of one question, one breakdown) are hidden.
// The table's total is published; the cells may or may not add up to it (single-choice
// questions do, multiple-choice ones need not).
//
// The rule, in three steps:
//  1. primary suppression: every cell of 1 to K-1 is hidden;
//  2. complementary suppression: while some cell is hidden and either only one is hidden or
//     the hidden cells add up to fewer than K, the smallest shown cell that is not 0 (the
//     first of equals) is hidden too (a 0 would add nobody to the hidden group);
//  3. when no such cell is left, every cell that is not 0 is hidden: where the cells add up
//     to the total, the hidden ones then add up to the total, itself at least K (see Enough).
//
// So whenever anything is hidden, at least two cells are hidden and together they stand for at
// least K: from the total and the shown cells one learns only their sum (a group of at least
// K), never a single hidden cell.
func Hide(counts []int) []bool {
	hidden := make([]bool, len(counts))
	n, sum := 0, 0
	for i, c := range counts {
		if Small(c) {
			hidden[i] = true
			n++
			sum += c
		}
	}
	if n == 0 {
		return hidden
	}
	order := make([]int, len(counts))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(counts[a], counts[b]) })
	for _, i := range order {
		if n >= 2 && sum >= K {
			break
		}
		if !hidden[i] && counts[i] > 0 {
			hidden[i] = true
			n++
			sum += counts[i]
		}
	}
	return hidden
}

// Quartile places a value among published quartiles (lower, median, upper): 0 up to the lower
// quartile, 1 up to the median, 2 up to the upper quartile, 3 above it. Comparisons of the
// viewer with others go by quartile, never by exact values: the viewer can change their own
// value at will, and comparing it with another's exact value would bisect that value.
func Quartile(value, lower, median, upper float64) int {
	q := 0
	for _, bound := range []float64{lower, median, upper} {
		if value > bound {
			q++
		}
	}
	return q
}
