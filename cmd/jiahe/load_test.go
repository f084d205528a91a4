package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/cookiejar"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jiahe-project/jiahe/internal/idcard"
	"github.com/jiahe-project/jiahe/internal/store"
	"github.com/jiahe-project/jiahe/internal/store/storetest"
)

// TestLoad serves a generated county and runs concurrent clients against
// it over HTTP for a while: 32 clients for 60 s, 5 % of their requests
// writes (registrations, changes of a person, disabilities), the rest
// look-ups by ID number and by name and reads of a person. It runs twice
// per engine: on its own, and with a 20,000-row roster import running and
// a user of another county making refused requests all along. Every
// answer must be below 500, and afterwards the audit chains must verify
// and the counts agree: every registration answered 201 is in the
// registry, and every person created has its audit entry.
//
// It takes minutes, so it runs only with JIAHE_LOAD=1 (scripts/load.sh).
// JIAHE_LOAD_CLIENTS, JIAHE_LOAD_SECONDS, JIAHE_LOAD_WRITES (a fraction)
// and JIAHE_LOAD_PERSONS change the load; JIAHE_TEST_ENGINES picks the
// engines.
func TestLoad(t *testing.T) {
	if os.Getenv("JIAHE_LOAD") == "" {
		t.Skip("set JIAHE_LOAD=1 to run the load test (scripts/load.sh)")
	}
	cfg := loadConfig{clients: envInt("JIAHE_LOAD_CLIENTS", 32), seconds: envInt("JIAHE_LOAD_SECONDS", 60),
		persons: envInt("JIAHE_LOAD_PERSONS", 100000), writes: 0.05}
	if s := os.Getenv("JIAHE_LOAD_WRITES"); s != "" {
		cfg.writes, _ = strconv.ParseFloat(s, 64)
	}
	for _, engine := range storetest.Engines(t) {
		for _, busy := range []bool{false, true} {
			name := string(engine) + "/plain"
			if busy {
				name = string(engine) + "/import+refusals"
			}
			t.Run(name, func(t *testing.T) {
				c := cfg
				c.busy = busy
				runLoad(t, engine, c)
			})
		}
	}
}

type loadConfig struct {
	clients, seconds, persons int
	writes                    float64
	busy                      bool
}

func envInt(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil && n > 0 {
		return n
	}
	return def
}

// tally counts the answers of one kind of request and their latencies.
type tally struct {
	mu     sync.Mutex
	status map[int]int
	lat    []time.Duration
	errs   int
}

func (t *tally) add(code int, d time.Duration) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.status == nil {
		t.status = map[int]int{}
	}
	t.status[code]++
	t.lat = append(t.lat, d)
}

func (t *tally) summary() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	slices.Sort(t.lat)
	pct := func(p float64) time.Duration {
		if len(t.lat) == 0 {
			return 0
		}
		return t.lat[min(len(t.lat)-1, int(p*float64(len(t.lat))))]
	}
	var codes []int
	for c := range t.status {
		codes = append(codes, c)
	}
	slices.Sort(codes)
	var parts []string
	for _, c := range codes {
		parts = append(parts, fmt.Sprintf("%d×%d", t.status[c], c))
	}
	return fmt.Sprintf("%6d requests, p50 %v, p99 %v, max %v; %s", len(t.lat), pct(0.5).Round(100*time.Microsecond),
		pct(0.99).Round(100*time.Microsecond), pct(1).Round(time.Millisecond), strings.Join(parts, " "))
}

func (t *tally) fivexx() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	n := t.errs
	for c, k := range t.status {
		if c >= 500 {
			n += k
		}
	}
	return n
}

// client is one signed-in HTTP client.
type client struct {
	base string
	http *http.Client
}

func newClient(t *testing.T, base, username, password string) *client {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &client{base: base, http: &http.Client{Jar: jar, Timeout: 120 * time.Second,
		Transport: &http.Transport{MaxIdleConnsPerHost: 4}}}
	body, _ := json.Marshal(map[string]string{"username": username, "password": password})
	code, _, err := c.do("POST", "/api/v1/login", "application/json", body)
	if err != nil || code != 200 {
		t.Fatalf("login %s: %d %v", username, code, err)
	}
	return c
}

// do sends a request and returns the status and the decoded JSON answer.
func (c *client) do(method, path, ctype string, body []byte) (int, map[string]any, error) {
	req, err := http.NewRequest(method, c.base+path, bytes.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	var m map[string]any
	json.NewDecoder(resp.Body).Decode(&m)
	return resp.StatusCode, m, nil
}

// loadVillages are villages of the county under load.
var loadVillages = []string{"341523100001", "341523100201", "341523101201", "341523100002"}

// freshID returns a valid ID number no generated person has: born in
// 2024–2025 with a sequence of 800 or more, counted up by n.
func freshID(n int64, sex string) (string, string) {
	day := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, int(n/100)%600)
	seq := 800 + int(n%100)*2
	if sex == "M" {
		seq++
	}
	return string(idcard.Make("341523", day, seq%1000)), day.Format("2006-01-02")
}

func runLoad(t *testing.T, engine store.Engine, cfg loadConfig) {
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	url := keyedURL(t, engine)
	runOK(t, "", "--db", url, "migrate")
	start := time.Now()
	runOK(t, "", "--db", url, "gen", "--county", "341523", "--persons", strconv.Itoa(cfg.persons), "--seed", "5")
	t.Logf("generated %d persons in %s", cfg.persons, time.Since(start).Round(time.Second))
	runOK(t, "", "--db", url, "user", "add", "--username", "county", "--name", "县", "--role", "county", "--region", "341523", "--password", "county12345")
	runOK(t, "", "--db", url, "user", "add", "--username", "outsider", "--name", "邻县村专干", "--role", "village", "--region", "341524100001", "--password", "outsider123")

	// The ID numbers the clients look up.
	export := filepath.Join(t.TempDir(), "persons.csv")
	runOK(t, "", "--db", url, "export", "persons", "--out", export)
	f, _ := os.Open(export)
	rows, err := csv.NewReader(bufio.NewReader(f)).ReadAll()
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	var ids, names []string
	for _, r := range rows[1:] {
		if r[0] != "" {
			ids = append(ids, r[0])
		}
		if len([]rune(r[1])) >= 2 {
			names = append(names, string([]rune(r[1])[:2]))
		}
	}

	// The roster the busy run imports: 20,000 new persons.
	var roster bytes.Buffer
	if cfg.busy {
		w := csv.NewWriter(&roster)
		w.Write(rows[0])
		for i := range int64(20000) {
			sex := []string{"F", "M"}[i%2]
			id, birth := freshID(1_000_000+i, sex)
			w.Write([]string{id, "导入" + strconv.FormatInt(i, 10), map[string]string{"F": "女", "M": "男"}[sex], birth,
				loadVillages[i%int64(len(loadVillages))], "农业", "无", "汉族", "", "", ""})
		}
		w.Flush()
	}

	before := countPersons(t, url)

	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"--db", url, "serve", "--addr", "127.0.0.1:0"}, strings.NewReader(""), lineWriter{pw}, io.Discard)
		pw.Close()
	}()
	lines := bufio.NewScanner(pr)
	var base string
	for lines.Scan() {
		if _, rest, ok := strings.Cut(lines.Text(), "serving on "); ok {
			base, _, _ = strings.Cut(rest, " ")
			break
		}
	}
	if base == "" {
		t.Fatalf("serve did not start: %v", <-done)
	}
	go io.Copy(io.Discard, pr)

	clients := make([]*client, cfg.clients)
	for i := range clients {
		clients[i] = newClient(t, base, "county", "county12345")
	}
	reads, registers, changes := &tally{}, &tally{}, &tally{}
	var created sync.Map // ID number → person key "county/id"
	var counter atomic.Int64
	deadline := time.Now().Add(time.Duration(cfg.seconds) * time.Second)
	var wg sync.WaitGroup
	for i, c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rnd := rand.New(rand.NewPCG(uint64(i), 7))
			var keys []string // persons this client has seen
			timed := func(tl *tally, method, path, ctype string, body []byte) (int, map[string]any) {
				t0 := time.Now()
				code, m, err := c.do(method, path, ctype, body)
				if err != nil {
					tl.mu.Lock()
					tl.errs++
					tl.mu.Unlock()
					return 0, nil
				}
				tl.add(code, time.Since(t0))
				return code, m
			}
			for time.Now().Before(deadline) {
				if rnd.Float64() < cfg.writes {
					if rnd.IntN(2) == 0 || len(keys) == 0 {
						sex := []string{"F", "M"}[rnd.IntN(2)]
						id, birth := freshID(counter.Add(1), sex)
						body, _ := json.Marshal(map[string]string{"id_number": id, "name": "负载" + strconv.Itoa(i), "sex": sex,
							"birth": birth, "region": loadVillages[rnd.IntN(len(loadVillages))], "hukou_type": "rural"})
						code, m := timed(registers, "POST", "/api/v1/persons", "application/json", body)
						if code == 201 {
							p := m["person"].(map[string]any)
							created.Store(id, fmt.Sprintf("%v/%v", p["county"], p["id"]))
						}
						continue
					}
					key := keys[rnd.IntN(len(keys))]
					if rnd.IntN(2) == 0 {
						body, _ := json.Marshal(map[string]any{"grade": 1 + rnd.IntN(4), "category": "limb", "from": "2024-03-01"})
						timed(changes, "POST", "/api/v1/persons/"+key+"/disabilities", "application/json", body)
						continue
					}
					code, m := timed(reads, "GET", "/api/v1/persons/"+key, "", nil)
					if code != 200 {
						continue
					}
					v := m["person"].(map[string]any)["version"]
					body, _ := json.Marshal(map[string]any{"version": v, "address": "负载测试路" + strconv.Itoa(rnd.IntN(1000)) + "号"})
					timed(changes, "PATCH", "/api/v1/persons/"+key, "application/json", body)
					continue
				}
				switch n := rnd.IntN(10); {
				case n < 4 || len(keys) == 0:
					code, m := timed(reads, "GET", "/api/v1/persons?id_number="+ids[rnd.IntN(len(ids))], "", nil)
					if code == 200 {
						for _, p := range m["persons"].([]any) {
							pm := p.(map[string]any)
							if len(keys) < 500 {
								keys = append(keys, fmt.Sprintf("%v/%v", pm["county"], pm["id"]))
							}
						}
					}
				case n < 7:
					timed(reads, "GET", "/api/v1/persons?region=341523&name="+names[rnd.IntN(len(names))], "", nil)
				default:
					timed(reads, "GET", "/api/v1/persons/"+keys[rnd.IntN(len(keys))], "", nil)
				}
			}
		}()
	}

	refusals := &tally{}
	importOK := 0
	var importTook time.Duration
	if cfg.busy {
		outsider := newClient(t, base, "outsider", "outsider123")
		wg.Add(2)
		go func() { // a user of another county, refused again and again
			defer wg.Done()
			rnd := rand.New(rand.NewPCG(99, 1))
			for time.Now().Before(deadline) {
				var code int
				t0 := time.Now()
				if rnd.IntN(2) == 0 {
					code, _, _ = outsider.do("GET", "/api/v1/persons?id_number="+ids[rnd.IntN(len(ids))]+"&region=341523", "", nil)
				} else {
					body, _ := json.Marshal(map[string]string{"id_number": ids[0], "name": "越权", "sex": "F", "birth": "1960-01-01",
						"region": "341523100001", "hukou_type": "rural"})
					code, _, _ = outsider.do("POST", "/api/v1/persons", "application/json", body)
				}
				refusals.add(code, time.Since(t0))
			}
		}()
		go func() { // the import, started once the load runs
			defer wg.Done()
			time.Sleep(5 * time.Second)
			importer := newClient(t, base, "county", "county12345")
			t0 := time.Now()
			code, m, err := importer.do("POST", "/api/v1/import/persons", "text/csv", roster.Bytes())
			importTook = time.Since(t0)
			if err != nil || code >= 300 {
				t.Errorf("the import answered %d %v %v", code, m, err)
				return
			}
			importOK = 20000
		}()
	}
	wg.Wait()
	cancel()
	if err := <-done; err != nil {
		t.Errorf("serve: %v", err)
	}

	total := 0
	for _, tl := range []*tally{reads, registers, changes, refusals} {
		total += len(tl.lat)
	}
	t.Logf("%s, %d clients, %d s, %.0f%% writes%s: %d requests, %.0f/s", engine, cfg.clients, cfg.seconds, 100*cfg.writes,
		map[bool]string{true: ", with the import and refusals"}[cfg.busy], total, float64(total)/float64(cfg.seconds))
	t.Logf("  reads         %s", reads.summary())
	t.Logf("  registrations %s", registers.summary())
	t.Logf("  changes       %s", changes.summary())
	if cfg.busy {
		t.Logf("  refusals      %s", refusals.summary())
		t.Logf("  import of 20,000 rows: %s", importTook.Round(10*time.Millisecond))
	}
	for name, tl := range map[string]*tally{"reads": reads, "registrations": registers, "changes": changes, "refusals": refusals} {
		if n := tl.fivexx(); n > 0 {
			t.Errorf("%s: %d answers 5xx or failed", name, n)
		}
	}
	if n := refusals.status[200] + refusals.status[201]; n > 0 {
		t.Errorf("the user of another county was served %d times", n)
	}

	// Consistency: the chains verify; every registration answered 201 is
	// there with its number; persons and their audit entries agree.
	if out := runOK(t, "", "--db", url, "audit", "verify"); !strings.Contains(out, "ok: every chain is intact") {
		t.Errorf("audit verify after the load:\n%s", out)
	}
	db, err := store.Open(context.Background(), url, store.WithKeys(storetest.Keys(t, url)))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var registered int
	created.Range(func(k, v any) bool {
		registered++
		var key string
		err := db.View(context.Background(), func(tx *store.Tx) error {
			p, err := tx.PersonByIDNumber(context.Background(), "", k.(string))
			if err == nil {
				key = fmt.Sprintf("%s/%d", p.County, p.ID)
			}
			return err
		})
		if err != nil || key != v.(string) {
			t.Errorf("registered %s as %s, found %q: %v", k, v, key, err)
			return false
		}
		return true
	})
	var persons, entries int
	err = db.View(context.Background(), func(tx *store.Tx) error {
		if err := tx.QueryRow(context.Background(), `SELECT COUNT(*) FROM persons WHERE county = '341523'`).Scan(&persons); err != nil {
			return err
		}
		return tx.QueryRow(context.Background(), `SELECT COUNT(*) FROM audit_log WHERE county = '341523' AND action = 'person.create'`).Scan(&entries)
	})
	if err != nil {
		t.Fatal(err)
	}
	if entries != registered+importOK {
		t.Errorf("%d person.create entries, want %d registrations + %d imported", entries, registered, importOK)
	}
	if persons != before+registered+importOK {
		t.Errorf("%d persons in the county, want %d generated + %d registered + %d imported", persons, before, registered, importOK)
	}
	t.Logf("  consistent: %d registrations and %d imported persons, each with its audit entry; audit verify ok", registered, importOK)
}

func countPersons(t *testing.T, url string) int {
	t.Helper()
	db, err := store.Open(context.Background(), url, store.WithKeys(storetest.Keys(t, url)))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	err = db.View(context.Background(), func(tx *store.Tx) error {
		return tx.QueryRow(context.Background(), `SELECT COUNT(*) FROM persons WHERE county = '341523'`).Scan(&n)
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}
