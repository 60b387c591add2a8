package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"
)

var healthCommand = command{
	synopsis: "spoke health [--addr HOST:PORT] [--timeout D]",
	about: `Asks a running spoke serve whether it is healthy (GET /_spoke/health: the server
answers and reaches its database) and exits 0 if so, 1 if not. It needs no shell
or curl, so the container image uses it as its HEALTHCHECK. --addr is read like
serve's (SPOKE_ADDR too); a host of 0.0.0.0, :: or none is asked on 127.0.0.1.`,
	env: []string{"addr"},
}

// health runs spoke health.
func health(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("health", healthCommand, stdout)
	addr := fs.String("addr", DefaultAddr, "`HOST:PORT` where the server listens")
	var timeout time.Duration
	durationFlag(fs, &timeout, "timeout", 5*time.Second, "how long to wait for the answer")
	if err := applyEnv(fs, "addr"); err != nil {
		return err
	}
	rest, err := parseArgs(fs, args, true)
	if err != nil {
		return err
	}
	if err := extra(rest); err != nil {
		return err
	}
	url, err := healthURL(*addr)
	if err != nil {
		return err
	}
	if timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, timeout)
		defer cancel()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	// No proxy from the environment: the server is reached directly.
	client := &http.Client{Transport: &http.Transport{}}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("not healthy: %v", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1024))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("not healthy: %s answered %s %s", url, resp.Status, body)
	}
	fmt.Fprintf(stdout, "healthy: %s answered %s\n", url, body)
	return nil
}

// healthURL is the health endpoint of a server listening on addr.
func healthURL(addr string) (string, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", fmt.Errorf("--addr %q: %v (use host:port, e.g. 127.0.0.1:8080)", addr, err)
	}
	if port == "" || port == "0" {
		return "", fmt.Errorf("--addr %q: give the port the server listens on", addr)
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, port) + "/_spoke/health", nil
}
