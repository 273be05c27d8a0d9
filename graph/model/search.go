package model

import "zirkel/server/search"

// SearchResults is a page of search hits; it keeps the search's query and filter so that the
// total is counted only when a client selects it.
type SearchResults struct {
	Hits        []*SearchHit `json:"hits"`
	HasNextPage bool         `json:"hasNextPage"`
	EndCursor   *string      `json:"endCursor,omitempty"`
	// Query and Filter are the search's, for counting the total.
	Query  string        `json:"-"`
	Filter search.Filter `json:"-"`
}
