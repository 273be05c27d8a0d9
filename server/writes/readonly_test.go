package writes

import "testing"

func TestReadOnlyStatements(t *testing.T) {
	for query, want := range map[string]bool{
		"SELECT `id` FROM `topics`": true,
		" (select 1)":               true,
		"WITH `src_query` AS (SELECT `t1`.`practice_id`, `topics`.`updated_at` FROM `topics`), `limited_query` AS (SELECT *, (ROW_NUMBER() OVER (PARTITION BY `practice_id` ORDER BY `id` ASC)) AS `row_number` FROM `src_query`) SELECT * FROM `limited_query`": true,
		"WITH moved AS (UPDATE topics SET name = name RETURNING id) SELECT count(*) FROM moved": false,
		"with gone as (delete from sessions returning id) select 1":                             false,
		"WITH n AS (SELECT 1) INSERT INTO topics (slug, name) SELECT 'a', 'A' FROM n":           false,
		`INSERT INTO "topics" ("slug") VALUES ($1) RETURNING "id"`:                              false,
		`UPDATE "sessions" SET "last_used_at" = $1`:                                             false,
		"DELETE FROM `sessions`": false,
		"SAVEPOINT x":            false,
		"":                       false,
	} {
		if got := readOnly(query); got != want {
			t.Errorf("readOnly(%q) = %v, want %v", query, got, want)
		}
	}
}
