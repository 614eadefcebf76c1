/*
Copyright 2026.

Licensed under the Apache License, Version 2.0 (the "License");
you may not use this file except in compliance with the License.
You may obtain a copy of the License at

    http://www.apache.org/licenses/LICENSE-2.0

Unless required by applicable law or agreed to in writing, software
distributed under the License is distributed on an "AS IS" BASIS,
WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
See the License for the specific language governing permissions and
limitations under the License.
*/

package managerproc

import (
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// fakeManagerEnv makes the test binary act as a manager: it takes the
// manager's flags, serves /readyz on the probe address, or exits at once
// with "exit", and stops on SIGTERM.
const fakeManagerEnv = "MANAGERPROC_FAKE_MANAGER"

func TestMain(m *testing.M) {
	if mode := os.Getenv(fakeManagerEnv); mode != "" {
		os.Exit(fakeManager(mode))
	}
	os.Exit(m.Run())
}

func fakeManager(mode string) int {
	fs := flag.NewFlagSet("manager", flag.ContinueOnError)
	probe := fs.String("health-probe-bind-address", "", "")
	fs.String("metrics-bind-address", "", "")
	fs.String("kubeconfig", "", "")
	fs.Bool("metrics-secure", true, "")
	if err := fs.Parse(os.Args[1:]); err != nil {
		return 2
	}
	fmt.Println("fake manager starting with", strings.Join(os.Args[1:], " "))
	if mode == "exit" {
		fmt.Println("fake manager: cannot reach the API server")
		return 1
	}
	l, err := net.Listen("tcp", *probe)
	if err != nil {
		fmt.Println(err)
		return 1
	}
	go func() {
		_ = http.Serve(l, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			w.WriteHeader(http.StatusOK)
		}))
	}()
	term := make(chan os.Signal, 1)
	signal.Notify(term, syscall.SIGTERM)
	<-term
	fmt.Println("fake manager stopped by SIGTERM")
	return 0
}

func startFake(t *testing.T, mode string) *Process {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	metrics, err := FreeAddress("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	probe, err := FreeAddress("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p, err := Start(Config{Bin: self, Kubeconfig: "/nonexistent/kubeconfig", MetricsAddr: metrics, ProbeAddr: probe,
		Env: []string{fakeManagerEnv + "=" + mode}, LogPath: filepath.Join(t.TempDir(), "manager.log"),
		SysProcAttr: &syscall.SysProcAttr{Setpgid: true}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = p.Stop(10 * time.Second) })
	return p
}

func TestReadyThenStopped(t *testing.T) {
	p := startFake(t, "serve")
	if err := p.WaitReady(t.Context(), time.Minute); err != nil {
		t.Fatal(err)
	}
	if err := p.Stop(time.Minute); err != nil {
		t.Fatal(err)
	}
	<-p.Exited()
	log, err := os.ReadFile(p.LogPath())
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"--kubeconfig=/nonexistent/kubeconfig", "--metrics-secure=false",
		"--health-probe-bind-address=" + p.config.ProbeAddr, "stopped by SIGTERM"} {
		if !strings.Contains(string(log), want) {
			t.Errorf("the log lacks %q:\n%s", want, log)
		}
	}
}

func TestExitBeforeReady(t *testing.T) {
	p := startFake(t, "exit")
	err := p.WaitReady(t.Context(), time.Minute)
	if !errors.Is(err, ErrExited) {
		t.Fatalf("err = %v, want ErrExited", err)
	}
	if !strings.Contains(err.Error(), "cannot reach the API server") {
		t.Errorf("the error does not show the end of the log: %v", err)
	}
}

func TestStartRefusesAnAddressWithoutPort(t *testing.T) {
	if _, err := Start(Config{Bin: "/bin/true", ProbeAddr: "0", LogPath: filepath.Join(t.TempDir(), "log")}); err == nil {
		t.Error("a probe address without a port was accepted: WaitReady would have nowhere to ask")
	}
}

func TestFreeAddress(t *testing.T) {
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = taken.Close() }()

	got, err := FreeAddress("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	host, port, err := net.SplitHostPort(got)
	if err != nil || host != "127.0.0.1" || port == "0" {
		t.Fatalf("FreeAddress(127.0.0.1:0) = %q, want 127.0.0.1:<port>", got)
	}
	if got == taken.Addr().String() {
		t.Errorf("FreeAddress returned a port in use: %s", got)
	}
	l, err := net.Listen("tcp", got)
	if err != nil {
		t.Errorf("the port FreeAddress returned cannot be bound: %v", err)
	} else {
		_ = l.Close()
	}

	// An explicit port is the caller's choice, taken or not.
	if got, err := FreeAddress(taken.Addr().String()); err != nil || got != taken.Addr().String() {
		t.Errorf("FreeAddress(%s) = %q, %v; want it unchanged", taken.Addr(), got, err)
	}
	if _, err := FreeAddress("8080"); err == nil {
		t.Error("an address without a host:port form was accepted")
	}
}
