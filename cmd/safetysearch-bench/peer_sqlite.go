package main

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/safetysearch/safetysearch/indexer/article"

	_ "modernc.org/sqlite" // pure-Go SQLite with FTS5

	"github.com/safetysearch/safetysearch/indexer"
)

// sqlitePeer is SQLite FTS5 done the straightforward way: one FTS5 table
// ranked by bm25() with safetysearch's field weights; per request the match
// set is materialised once in a TEMP table (rowid, score, date, id and one
// flag per filter), the total, the page and each disjunctive facet are read
// from it, and snippets are computed for the page's rows only.
type sqlitePeer struct {
	db   *sql.DB
	docs int64 // articles in the database, to pick the facet counting plan
}

func (p *sqlitePeer) name() string { return "sqlite-fts5" }

// The FTS5 columns and their bm25 weights, in the same order; the weights
// are safetysearch's field boosts (indexer/engine/plan.go).
const (
	sqliteColumns = "title, summary, tags, body, author, comments"
	sqliteWeights = "1.5, 1.2, 1.2, 1.0, 0.8, 0.5"
	colTitle      = 0
	colBody       = 3
	colComments   = 5
)

func (p *sqlitePeer) build(ctx context.Context, dir string, src indexer.Source) (buildStats, error) {
	start := time.Now()
	db, err := sql.Open("sqlite", filepath.Join(dir, "fts.db"))
	if err != nil {
		return buildStats{}, err
	}
	defer db.Close()
	for _, s := range []string{
		`PRAGMA journal_mode=WAL`,
		`PRAGMA synchronous=NORMAL`,
		`CREATE TABLE meta(rowid INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, published INTEGER NOT NULL)`,
		`CREATE TABLE tags(rowid INTEGER NOT NULL, facet TEXT NOT NULL, value TEXT NOT NULL)`,
		`CREATE VIRTUAL TABLE fts USING fts5(` + sqliteColumns + `, tokenize='porter unicode61 remove_diacritics 2')`,
	} {
		if _, err := db.ExecContext(ctx, s); err != nil {
			return buildStats{}, fmt.Errorf("sqlite: %s: %w", s, err)
		}
	}
	var st buildStats
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return st, err
	}
	insMeta, _ := tx.Prepare(`INSERT INTO meta(rowid, id, published) VALUES (?, ?, ?)`)
	insTag, _ := tx.Prepare(`INSERT INTO tags(rowid, facet, value) VALUES (?, ?, ?)`)
	insFTS, _ := tx.Prepare(`INSERT INTO fts(rowid, ` + sqliteColumns + `) VALUES (?, ?, ?, ?, ?, ?, ?)`)
	err = src.Each(ctx, func(a article.Article) error {
		st.Docs++
		row := st.Docs
		st.TextBytes += articleText(a)
		if _, err := insMeta.Exec(row, a.ID, a.Published.Unix()); err != nil {
			return err
		}
		for facet, vals := range facetValues(a) {
			for _, v := range vals {
				if _, err := insTag.Exec(row, facet, v); err != nil {
					return err
				}
			}
		}
		_, err := insFTS.Exec(row, a.Title, a.Summary, strings.Join(a.Tags, "\n"), a.Body, a.Author, commentText(a))
		return err
	})
	if err != nil {
		_ = tx.Rollback() // the load error is the one to report
		return st, fmt.Errorf("sqlite: load: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return st, err
	}
	for _, s := range []string{
		// Filters look rows up by (facet, value); facet counts read the
		// values of each matching row from the covering (rowid, facet, value).
		`CREATE INDEX tags_fv ON tags(facet, value, rowid)`,
		`CREATE INDEX tags_row ON tags(rowid, facet, value)`,
		`INSERT INTO fts(fts) VALUES('optimize')`,
		`ANALYZE`,
		`PRAGMA wal_checkpoint(TRUNCATE)`,
	} {
		if _, err := db.ExecContext(ctx, s); err != nil {
			return st, fmt.Errorf("sqlite: %s: %w", s, err)
		}
	}
	st.Seconds = since(start)
	st.DiskBytes = dirSize(dir)
	return st, nil
}

func (p *sqlitePeer) open(ctx context.Context, dir string) error {
	// The TEMP match tables live in memory, per connection.
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, "fts.db")+"?mode=ro&_pragma=temp_store(MEMORY)")
	if err != nil {
		return err
	}
	db.SetMaxOpenConns(4)
	p.db = db
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM meta`).Scan(&p.docs); err != nil {
		return fmt.Errorf("sqlite: open: %w", err)
	}
	return nil
}

func (p *sqlitePeer) close() error {
	if p.db == nil {
		return nil
	}
	return p.db.Close()
}

// sqliteMatch is the FTS5 MATCH expression of a query, "" for a browse.
func sqliteMatch(q benchQuery) string {
	quote := func(w string) string { return `"` + strings.ReplaceAll(w, `"`, `""`) + `"` }
	switch {
	case q.Abbrev != "":
		return quote(strings.ToLower(q.Abbrev)) + " OR " + quote(q.Expanded)
	case len(q.Phrase) > 0:
		return quote(strings.Join(q.Phrase, " "))
	case q.Prefix != "":
		return quote(q.Prefix) + "*"
	}
	parts := make([]string, len(q.Words))
	for i, w := range q.Words {
		parts[i] = quote(w)
	}
	return strings.Join(parts, " AND ")
}

// sqliteFilter is one disjunctive filter: a facet and its selected values
// (OR within a facet, AND across facets).
type sqliteFilter struct {
	facet string
	vals  []string
}

func sqliteFilters(q benchQuery) []sqliteFilter {
	var fs []sqliteFilter
	for _, f := range []sqliteFilter{{"region", q.Regions}, {"audience", q.Audience}} {
		if len(f.vals) > 0 {
			fs = append(fs, f)
		}
	}
	return fs
}

// materialiseSQL fills the TEMP table m with the match set: rowid r, bm25
// score s (lower is better), published date, article id, and a flag fN per
// filter telling whether the row passes it. bm25 is computed inside a
// materialised CTE so the MATCH runs once, not once per joined row.
func materialiseSQL(match string, filters []sqliteFilter) (string, []any) {
	var args []any
	var b strings.Builder
	if match != "" {
		b.WriteString(`WITH x AS MATERIALIZED (SELECT rowid AS r, bm25(fts, ` + sqliteWeights + `) AS s FROM fts WHERE fts MATCH ?) `)
		args = append(args, match)
	} else {
		b.WriteString(`WITH x AS (SELECT rowid AS r, 0.0 AS s FROM meta) `)
	}
	b.WriteString(`INSERT INTO m SELECT x.r, x.s, meta.published, meta.id`)
	for _, f := range filters {
		b.WriteString(`, x.r IN (SELECT rowid FROM tags WHERE facet = ? AND value IN (` + placeholders(len(f.vals)) + `))`)
		args = append(args, f.facet)
		for _, v := range f.vals {
			args = append(args, v)
		}
	}
	b.WriteString(` FROM x JOIN meta ON meta.rowid = x.r`)
	return b.String(), args
}

// createTempSQL is the TEMP table materialiseSQL fills, with n filter flags.
func createTempSQL(n int) string {
	var b strings.Builder
	b.WriteString(`CREATE TEMP TABLE m(r INTEGER PRIMARY KEY, s REAL, pub INTEGER, id TEXT`)
	for i := range n {
		fmt.Fprintf(&b, ", f%d INTEGER", i)
	}
	b.WriteString(")")
	return b.String()
}

// flagsWhere is the WHERE clause keeping rows that pass every filter but
// the one on facet skip ("" keeps all): the disjunctive facet semantics.
func flagsWhere(filters []sqliteFilter, skip string) string {
	return " WHERE " + flagsCond(filters, skip)
}

// flagsCond is the condition of flagsWhere.
func flagsCond(filters []sqliteFilter, skip string) string {
	conds := []string{"1"}
	for i, f := range filters {
		if f.facet != skip {
			conds = append(conds, fmt.Sprintf("f%d", i))
		}
	}
	return "(" + strings.Join(conds, " AND ") + ")"
}

// pageSQL takes the page from m, ordered like safetysearch: score then id,
// or newest first then id.
func pageSQL(filters []sqliteFilter, sort string) string {
	order := "s, id"
	if sort == "newest" {
		order = "pub DESC, id"
	}
	return `SELECT r, id, s, pub FROM m` + flagsWhere(filters, "") + ` ORDER BY ` + order + ` LIMIT ? OFFSET ?`
}

// facetsSQL counts every facet's values over m in one pass over their
// tags: a row counts for a facet's value when it passes every filter but
// the one on that facet (disjunctive facets).
// A small match set drives the join (CROSS JOIN keeps m outside, seeking
// each row's tags); a large one is better served by one ordered scan of
// the tags index probing m, which SQLite picks by itself.
func facetsSQL(filters []sqliteFilter, small bool) string {
	join := "JOIN"
	if small {
		join = "CROSS JOIN"
	}
	// Without filters every matching row counts (and CASE needs a WHEN).
	count := `count(*)`
	if len(filters) > 0 {
		var c strings.Builder
		c.WriteString(`sum(CASE t.facet`)
		for _, f := range filters {
			fmt.Fprintf(&c, ` WHEN '%s' THEN %s`, f.facet, flagsCond(filters, f.facet))
		}
		c.WriteString(` ELSE ` + flagsCond(filters, "") + ` END)`)
		count = c.String()
	}
	return `SELECT t.facet, t.value, ` + count + ` AS n FROM m ` + join + ` tags t ON t.rowid = m.r GROUP BY t.facet, t.value`
}

func placeholders(n int) string { return strings.TrimSuffix(strings.Repeat("?,", n), ",") }

// facetCount is one value of a facet and its count.
type facetCount struct {
	Value string
	N     int
}

// sqliteAnswer is everything one request reads: the in-process bench keeps
// only the page and the total, the HTTP peer serves all of it.
type sqliteAnswer struct {
	res    queryResult
	hits   []indexer.Hit // the page, with highlights when asked for
	facets map[string][]facetCount
}

func (p *sqlitePeer) query(ctx context.Context, q benchQuery) (queryResult, error) {
	a, err := p.answer(ctx, q)
	return a.res, err
}

// answer runs q on one pinned connection, whose TEMP table holds the match set.
func (p *sqlitePeer) answer(ctx context.Context, q benchQuery) (ans sqliteAnswer, err error) {
	conn, err := p.db.Conn(ctx)
	if err != nil {
		return ans, fmt.Errorf("sqlite: conn: %w", err)
	}
	defer conn.Close()
	match := sqliteMatch(q)
	filters := sqliteFilters(q)
	if _, err := conn.ExecContext(ctx, `DROP TABLE IF EXISTS temp.m`); err != nil {
		return ans, fmt.Errorf("sqlite: temp: %w", err)
	}
	if _, err := conn.ExecContext(ctx, createTempSQL(len(filters))); err != nil {
		return ans, fmt.Errorf("sqlite: temp: %w", err)
	}
	// The table is dropped here too so an idle connection holds no memory.
	defer func() {
		if _, derr := conn.ExecContext(context.WithoutCancel(ctx), `DROP TABLE IF EXISTS temp.m`); derr != nil && err == nil {
			err = fmt.Errorf("sqlite: temp: %w", derr)
		}
	}()
	ins, args := materialiseSQL(match, filters)
	inserted, err := conn.ExecContext(ctx, ins, args...)
	if err != nil {
		return ans, fmt.Errorf("sqlite: match: %w", err)
	}
	matched, err := inserted.RowsAffected()
	if err != nil {
		return ans, fmt.Errorf("sqlite: match: %w", err)
	}
	if err := conn.QueryRowContext(ctx, `SELECT count(*) FROM m`+flagsWhere(filters, "")).Scan(&ans.res.Total); err != nil {
		return ans, fmt.Errorf("sqlite: count: %w", err)
	}
	rowids, err := p.page(ctx, conn, q, filters, &ans)
	if err != nil {
		return ans, err
	}
	if len(rowids) > 0 {
		if err := titlesAndSnippets(ctx, conn, match, q.Snippets, rowids, ans.hits); err != nil {
			return ans, err
		}
	}
	if q.Facets {
		if ans.facets, err = facetCounts(ctx, conn, filters, matched < p.docs/4); err != nil {
			return ans, err
		}
	}
	return ans, nil
}

func (p *sqlitePeer) page(ctx context.Context, conn *sql.Conn, q benchQuery, filters []sqliteFilter, ans *sqliteAnswer) ([]any, error) {
	rows, err := conn.QueryContext(ctx, pageSQL(filters, q.Sort), q.Size, max(0, q.Page-1)*q.Size)
	if err != nil {
		return nil, fmt.Errorf("sqlite: page: %w", err)
	}
	defer rows.Close()
	var rowids []any
	for rows.Next() {
		var r, pub int64
		var id string
		var score float64
		if err := rows.Scan(&r, &id, &score, &pub); err != nil {
			return nil, fmt.Errorf("sqlite: page: %w", err)
		}
		rowids = append(rowids, r)
		ans.res.IDs = append(ans.res.IDs, id)
		// bm25() is lower for better matches; the API's score is higher.
		ans.hits = append(ans.hits, indexer.Hit{ID: id, Score: -score, Published: time.Unix(pub, 0).UTC(),
			Regions: []string{}, Audiences: []string{}, Topics: []string{}, Tags: []string{},
			Highlights: indexer.Highlights{Title: []string{}, Body: []string{}, Comments: []string{}}})
	}
	return rowids, rows.Err()
}

// titlesAndSnippets fills the page's titles and, for a text query with
// snippets, highlights the title and cuts body and comment snippets, for
// the page's rows only. hits are in the order of rowids.
func titlesAndSnippets(ctx context.Context, conn *sql.Conn, match string, snip bool, rowids []any, hits []indexer.Hit) error {
	at := make(map[int64]int, len(rowids))
	for i, r := range rowids {
		at[r.(int64)] = i
	}
	query := `SELECT rowid, title, '', '' FROM fts WHERE rowid IN (` + placeholders(len(rowids)) + `)`
	args := rowids
	if snip && match != "" {
		query = fmt.Sprintf(`SELECT rowid, highlight(fts, %d, '<mark>', '</mark>'), snippet(fts, %d, '<mark>', '</mark>', '…', 24), snippet(fts, %d, '<mark>', '</mark>', '…', 24)
		FROM fts WHERE fts MATCH ? AND rowid IN (%s)`, colTitle, colBody, colComments, placeholders(len(rowids)))
		args = append([]any{match}, rowids...)
	}
	rows, err := conn.QueryContext(ctx, query, args...)
	if err != nil {
		return fmt.Errorf("sqlite: snippets: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var r int64
		var t, b, c sql.NullString
		if err := rows.Scan(&r, &t, &b, &c); err != nil {
			return fmt.Errorf("sqlite: snippets: %w", err)
		}
		i, ok := at[r]
		if !ok {
			continue
		}
		h := &hits[i]
		h.Title = t.String
		if snip && match != "" {
			h.Highlights.Title = []string{t.String}
			if b.String != "" {
				h.Highlights.Body = []string{b.String}
			}
			if strings.Contains(c.String, "<mark>") {
				h.Highlights.Comments = []string{c.String}
			}
		}
	}
	return rows.Err()
}

// facetCounts reads every facet's counts and keeps the top ten values of
// each (most frequent, then by value), as a page shows them.
func facetCounts(ctx context.Context, conn *sql.Conn, filters []sqliteFilter, small bool) (map[string][]facetCount, error) {
	rows, err := conn.QueryContext(ctx, facetsSQL(filters, small))
	if err != nil {
		return nil, fmt.Errorf("sqlite: facets: %w", err)
	}
	defer rows.Close()
	out := map[string][]facetCount{}
	for rows.Next() {
		var facet string
		var c facetCount
		if err := rows.Scan(&facet, &c.Value, &c.N); err != nil {
			return nil, fmt.Errorf("sqlite: facets: %w", err)
		}
		if c.N > 0 {
			out[facet] = append(out[facet], c)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: facets: %w", err)
	}
	for facet, cs := range out {
		slices.SortFunc(cs, func(a, b facetCount) int {
			if a.N != b.N {
				return b.N - a.N
			}
			return strings.Compare(a.Value, b.Value)
		})
		out[facet] = cs[:min(len(cs), 10)]
	}
	return out, nil
}

func (p *sqlitePeer) rank(ctx context.Context, text string, k int) ([]string, error) {
	words := tokens(text)
	if len(words) == 0 {
		return nil, nil
	}
	for i, w := range words {
		words[i] = `"` + w + `"`
	}
	rows, err := p.db.QueryContext(ctx, `SELECT meta.id FROM (SELECT rowid AS r, bm25(fts, `+sqliteWeights+`) AS s FROM fts WHERE fts MATCH ? ORDER BY s, rowid LIMIT ?) x
		JOIN meta ON meta.rowid = x.r ORDER BY x.s, meta.id`, strings.Join(words, " OR "), k)
	if err != nil {
		return nil, fmt.Errorf("sqlite: rank: %w", err)
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// facetValues are the facet values every peer counts for one article.
func facetValues(a article.Article) map[string][]string {
	m := map[string][]string{
		"region":   a.Regions,
		"audience": a.Audiences,
		"topic":    a.Topics,
	}
	if a.ContentType != "" {
		m["type"] = []string{a.ContentType}
	}
	if !a.Published.IsZero() {
		m["year"] = []string{itoa(a.Published.Year())}
	}
	return m
}

func commentText(a article.Article) string {
	var b strings.Builder
	for _, c := range a.Comments {
		b.WriteString(c.Body)
		b.WriteByte('\n')
	}
	return b.String()
}
