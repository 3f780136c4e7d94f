// Command bench is studyhall's realtime load tool. With one command it
// builds studyhall, starts it on a loopback port with a temporary data
// directory, drives it over real HTTP and SSE as many users at once, prints
// the results as markdown tables and stops the server again.
//
//	go run ./bench                      # every default: -scenario fanout -n 100,1000
//	go run ./bench -n 100 -messages 5   # a quick check
//
// Each scenario is one file registering itself in scenarios (see
// fanout.go); see README.md in this directory for the protocol notes and
// the last results.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"studyhall/collections"
)

// The superuser the bench creates in its temporary data directory.
const (
	superuserEmail    = "bench@studyhall.test"
	superuserPassword = "bench-superuser-1234"
)

// benchPasswordCost is the bcrypt cost of bench users' passwords (see
// Client.SetPasswordCost).
const benchPasswordCost = 4

// Scenario is one load test. Run gets a server with the rate limiter off
// and an authenticated superuser client, and returns the tables to print;
// a correctness failure (a lost or duplicated delivery) is reported with
// Env.Fail, not as an error, so that the measured numbers are still shown.
type Scenario struct {
	Name string
	// Summary is one line for -help.
	Summary string
	Run     func(ctx context.Context, env *Env) ([]*Table, error)
}

// scenarios is the registry, filled by each scenario file's init.
var scenarios = map[string]Scenario{}

func registerScenario(s Scenario) {
	if _, dup := scenarios[s.Name]; dup {
		panic("bench: scenario registered twice: " + s.Name)
	}
	scenarios[s.Name] = s
}

// Config holds the flags every scenario reads.
type Config struct {
	// Ns are the numbers of concurrent users (realtime connections) to
	// measure, in order.
	Ns []int
	// Messages is how many records (messages, events) each measurement
	// sends.
	Messages int
	// Interval spaces those sends.
	Interval time.Duration
	// Workers bounds the concurrency of setup work (user creation,
	// connecting and subscribing).
	Workers int
	// Drain is how long to wait for outstanding deliveries after the last
	// send before counting them as missing.
	Drain time.Duration
	// DialTimeout bounds one realtime handshake (GET until PB_CONNECT).
	DialTimeout time.Duration
}

// MaxN is the largest of Ns.
func (c Config) MaxN() int {
	return slices.Max(c.Ns)
}

// Env is what a scenario runs against.
type Env struct {
	Config Config
	Server *Server
	Client *Client

	users    []User
	failures []string
}

// Users returns n bench users with tokens, creating those that do not
// exist yet, so that scenarios and measurements share one growing pool.
func (env *Env) Users(ctx context.Context, n int) ([]User, error) {
	if missing := n - len(env.users); missing > 0 {
		start := time.Now()
		created, err := env.Client.CreateUsers(ctx, len(env.users), missing, env.Config.Workers)
		if err != nil {
			return nil, err
		}
		env.users = append(env.users, created...)
		log.Printf("created %d users with tokens in %s", missing, time.Since(start).Round(time.Millisecond))
	}
	return env.users[:n], nil
}

// Fail records a correctness failure: it is printed after the tables and
// makes the run exit with status 1.
func (env *Env) Fail(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	log.Print("FAIL: " + msg)
	env.failures = append(env.failures, msg)
}

func main() {
	os.Exit(run())
}

func run() int {
	log.SetFlags(log.Ltime | log.Lmicroseconds)
	log.SetPrefix("bench ")

	var (
		nFlag        = flag.String("n", "100,1000", "comma-separated `counts` of concurrent users (realtime connections)")
		messages     = flag.Int("messages", 20, "records (messages) sent per measurement")
		interval     = flag.Duration("interval", 250*time.Millisecond, "pause between two sends")
		scenarioFlag = flag.String("scenario", "fanout", "comma-separated `names` of the scenarios to run")
		workers      = flag.Int("workers", 32, "concurrent workers for setup (users, connections)")
		drain        = flag.Duration("drain", 10*time.Second, "wait this long after the last send for late deliveries")
		timeout      = flag.Duration("timeout", 15*time.Minute, "bound of the whole run, build included")
		keep         = flag.Bool("keep", false, "keep the server running after the run until Ctrl-C, for inspection")
	)
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), "usage: go run ./bench [flags]\n\nscenarios:\n")
		names := scenarioNames()
		for _, name := range names {
			fmt.Fprintf(flag.CommandLine.Output(), "  %-12s %s\n", name, scenarios[name].Summary)
		}
		fmt.Fprintln(flag.CommandLine.Output(), "\nflags:")
		flag.PrintDefaults()
	}
	flag.Parse()

	ns, err := parseCounts(*nFlag)
	if err != nil {
		log.Printf("-n: %v", err)
		return 2
	}
	var selected []Scenario
	for name := range strings.SplitSeq(*scenarioFlag, ",") {
		s, ok := scenarios[strings.TrimSpace(name)]
		if !ok {
			log.Printf("-scenario: unknown %q (have %s)", name, strings.Join(scenarioNames(), ", "))
			return 2
		}
		selected = append(selected, s)
	}
	if *messages < 1 || *workers < 1 {
		log.Print("-messages and -workers must be at least 1")
		return 2
	}

	cfg := Config{
		Ns:          ns,
		Messages:    *messages,
		Interval:    *interval,
		Workers:     *workers,
		Drain:       *drain,
		DialTimeout: 30 * time.Second,
	}

	// Ctrl-C and SIGTERM cancel the run; the deferred Stop then ends the
	// server and removes its data
	sigCtx, stopSignals := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stopSignals()
	ctx, cancel := context.WithTimeout(sigCtx, *timeout)
	defer cancel()

	if limit, err := raiseFileLimit(); err != nil {
		log.Printf("warning: open-file limit not raised: %v", err)
	} else if need := uint64(2*cfg.MaxN() + 256); limit < need {
		// both ends of every connection live on this machine
		log.Printf("warning: open-file limit %d is below the ~%d this run needs", limit, need)
	}

	env, err := setUp(ctx, cfg)
	if env != nil && env.Server != nil {
		defer func() {
			if err := env.Server.Stop(); err != nil {
				log.Printf("stop server: %v", err)
			}
		}()
	}
	if err != nil {
		log.Printf("set up: %v", err)
		return 1
	}

	fmt.Printf("## studyhall bench — %s\n\n", time.Now().UTC().Format("2006-01-02 15:04 MST"))
	fmt.Printf("%d CPUs (GOMAXPROCS %d), %s %s/%s; scenarios: %s; N = %s; %d messages %s apart\n\n",
		runtime.NumCPU(), runtime.GOMAXPROCS(0), runtime.Version(), runtime.GOOS, runtime.GOARCH,
		*scenarioFlag, *nFlag, cfg.Messages, cfg.Interval)
	fmt.Printf("Load average (1, 5, 15 min) at the start: %s\n\n", loadAverage())

	for _, s := range selected {
		log.Printf("scenario %s", s.Name)
		start := time.Now()
		tables, err := s.Run(ctx, env)
		for _, t := range tables {
			fmt.Println(t.Markdown())
		}
		fmt.Printf("Scenario %s took %s; load average (1, 5, 15 min) after it: %s\n\n",
			s.Name, time.Since(start).Round(time.Second), loadAverage())
		if err != nil {
			log.Printf("scenario %s: %v", s.Name, err)
			if !env.Server.Running() {
				log.Printf("server exited; last lines of its log:\n%s", env.Server.LogTail(20))
			}
			return 1
		}
	}

	if len(env.failures) > 0 {
		fmt.Println("**Correctness check FAILED:**")
		fmt.Println()
		for _, f := range env.failures {
			fmt.Println("- " + f)
		}
		return 1
	}
	fmt.Println("Correctness check passed: nothing lost, nothing duplicated.")

	if *keep {
		log.Printf("-keep: server at %s (superuser %s / %s, data in %s); Ctrl-C to stop",
			env.Server.URL, superuserEmail, superuserPassword, env.Server.Root)
		<-sigCtx.Done()
	}
	return 0
}

// setUp starts the server and prepares what every scenario needs: the
// superuser session, the rate limiter off, cheap password hashing.
func setUp(ctx context.Context, cfg Config) (*Env, error) {
	root, err := FindRepoRoot(ctx)
	if err != nil {
		return nil, err
	}
	start := time.Now()
	log.Printf("building and starting studyhall from %s", root)
	server, err := StartServer(ctx, ServerOptions{
		RepoRoot:          root,
		SuperuserEmail:    superuserEmail,
		SuperuserPassword: superuserPassword,
		Env:               serverEnv(),
	})
	if err != nil {
		return nil, err
	}
	env := &Env{Config: cfg, Server: server, Client: NewClient(server.URL)}
	log.Printf("studyhall pid %d healthy at %s after %s", server.Pid(), server.URL, time.Since(start).Round(time.Millisecond))

	if err := env.Client.AuthSuperuser(ctx, superuserEmail, superuserPassword); err != nil {
		return env, fmt.Errorf("superuser auth: %w", err)
	}
	if err := env.Client.DisableRateLimits(ctx); err != nil {
		return env, fmt.Errorf("disable rate limits: %w", err)
	}
	if err := env.Client.SetPasswordCost(ctx, collections.Users, benchPasswordCost); err != nil {
		return env, fmt.Errorf("lower password cost: %w", err)
	}
	return env, nil
}

func parseCounts(s string) ([]int, error) {
	var ns []int
	for part := range strings.SplitSeq(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(part))
		if err != nil || n < 1 {
			return nil, fmt.Errorf("%q is not a positive count", part)
		}
		ns = append(ns, n)
	}
	if len(ns) == 0 {
		return nil, errors.New("no counts")
	}
	return ns, nil
}

func scenarioNames() []string {
	names := make([]string, 0, len(scenarios))
	for name := range scenarios {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}
