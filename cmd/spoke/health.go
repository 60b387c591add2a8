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
	synopsis: "spoke health [--addr HOST:PORT] [--timeout D] [--wait D]",
	about: `Asks a running spoke serve whether it is healthy (GET /_spoke/health: the server
answers and reaches its database) and exits 0 if so, 1 if not. It needs no shell
or curl, so the container image uses it as its HEALTHCHECK. --addr is read like
serve's (SPOKE_ADDR too); a host of 0.0.0.0, :: or none is asked on 127.0.0.1.
--wait keeps asking until the server is healthy, for scripts that have just
started one (spoke serve & spoke health --wait 30s).`,
	env: []string{"addr"},
}

// healthRetry is how often --wait asks again.
const healthRetry = 200 * time.Millisecond

// health runs spoke health.
func health(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("health", healthCommand, stdout)
	addr := fs.String("addr", DefaultAddr, "`HOST:PORT` where the server listens")
	var timeout, wait time.Duration
	durationFlag(fs, &timeout, "timeout", 5*time.Second, "how long to wait for each answer")
	durationFlag(fs, &wait, "wait", 0, "keep asking until the server is healthy, for at most this long")
	rest, err := parseWithEnv(fs, args, true, "addr")
	if err != nil {
		return err
	}
	if err := extra(rest); err != nil {
		return err
	}
	url, err := healthURL(*addr)
	if err != nil {
		return usage(err)
	}
	// No proxy from the environment: the server is reached directly.
	client := &http.Client{Transport: &http.Transport{}, Timeout: timeout}
	deadline := time.Now().Add(wait)
	for {
		body, err := askHealth(ctx, client, url)
		if err == nil {
			fmt.Fprintf(stdout, "healthy: %s answered %s\n", url, body)
			return nil
		}
		if wait == 0 || time.Now().After(deadline) {
			return fmt.Errorf("not healthy: %v", err)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("not healthy: %v", err)
		case <-time.After(healthRetry):
		}
	}
}

// askHealth asks url once and returns the body of a 200 answer.
func askHealth(ctx context.Context, client *http.Client, url string) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return "", err
	}
	resp, err := client.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1024))
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("%s answered %s %s", url, resp.Status, body)
	}
	return string(body), nil
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
