package search

import (
	"github.com/blevesearch/snowballstem"
	"github.com/blevesearch/snowballstem/german"
)

// Stem reduces a lower-case German word to its stem with the Snowball German algorithm
// (snowballstem.org/algorithms/german, generated from the Snowball sources, the same as
// PostgreSQL's 'german' configuration uses): "prozesse" and "prozess" both become "prozess".
func Stem(word string) string {
	env := snowballstem.NewEnv(word)
	german.Stem(env)
	return env.Current()
}
