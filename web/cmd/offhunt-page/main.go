// Command offhunt-page builds and serves offhunt's web page.
//
// Usage:
//
//	offhunt-page build [-dist DIR]          # dist/web/ and dist/offhunt.html
//	offhunt-page serve [-dist DIR] [PORT]   # build dist/web/, serve it on 127.0.0.1
//
// scripts/build and scripts/serve run it; it works from anywhere inside
// the repository.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"time"

	"offhunt/web/page"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "offhunt-page:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	if len(args) == 0 {
		return errors.New("usage: offhunt-page build [-dist DIR] | serve [-dist DIR] [PORT]")
	}
	fs := flag.NewFlagSet(args[0], flag.ContinueOnError)
	dist := fs.String("dist", "", "output folder (default: dist at the repository root)")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	root, err := page.FindRoot(".")
	if err != nil {
		return err
	}
	switch args[0] {
	case "build":
		_, err := page.Build(page.Options{Root: root, Dist: *dist, Offline: true, Log: os.Stdout})
		return err
	case "serve":
		port := 8080
		if fs.NArg() > 0 {
			port, err = strconv.Atoi(fs.Arg(0))
			if err != nil || port < 0 || port > 65535 {
				return fmt.Errorf("PORT must be a number from 0 to 65535, got %q", fs.Arg(0))
			}
		}
		res, err := page.Build(page.Options{Root: root, Dist: *dist, Log: os.Stdout})
		if err != nil {
			return err
		}
		return serve(res.WebDir, port)
	}
	return fmt.Errorf("unknown command %q: use build or serve", args[0])
}

// serve serves dir on 127.0.0.1 only, until interrupted.
func serve(dir string, port int) error {
	ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
	if err != nil {
		return err
	}
	srv := &http.Server{
		Handler:           &page.Server{Dir: dir},
		ReadHeaderTimeout: 10 * time.Second,
	}
	fmt.Printf("offhunt: serving the page at http://%s/ (Ctrl+C stops)\n", ln.Addr())
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	go func() {
		<-ctx.Done()
		shut, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		defer cancel()
		srv.Shutdown(shut)
	}()
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
