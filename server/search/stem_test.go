package search

import "testing"

// Expected stems from the Snowball German reference vocabulary (and PostgreSQL's 'german').
func TestStem(t *testing.T) {
	for word, want := range map[string]string{
		"prozesse": "prozess", "prozess": "prozess", "prozessen": "prozess",
		"verwaltungen": "verwalt", "verwaltung": "verwalt", "digitalisierung": "digitalisier",
		"straße": "strass", "häuser": "haus", "bürgerservice": "burgerservic",
		"aufeinanderfolgenden": "aufeinanderfolg", "kategorischer": "kategor",
		"schönheit": "schonheit", "prozessmanagement": "prozessmanagement", "freundlichkeit": "freundlich",
		"bürgerbüro": "burgerburo", "bürger": "burg", "digitalisieren": "digitalisi", "burgenlandkreis": "burgenlandkreis",
	} {
		if got := Stem(word); got != want {
			t.Errorf("Stem(%q) = %q, want %q", word, got, want)
		}
	}
}
