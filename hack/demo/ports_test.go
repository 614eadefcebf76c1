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

package main

import (
	"net"
	"strings"
	"testing"
)

func listen(t *testing.T) net.Listener {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = l.Close() })
	return l
}

func TestChoosePorts(t *testing.T) {
	taken := listen(t).Addr().String()
	tests := []struct {
		name                 string
		metrics, probe       string
		wantErr              string // a substring; "" for none
		keepMetrics, keepPrb bool
	}{
		{name: "defaults pick free ports", metrics: "127.0.0.1:0", probe: "127.0.0.1:0"},
		{name: "metrics off", metrics: "0", probe: "127.0.0.1:0", keepMetrics: true},
		{name: "an explicit port that is taken", metrics: taken, probe: "127.0.0.1:0",
			wantErr: "-metrics-bind-address=127.0.0.1:0"},
		{name: "probes cannot be off: the demo polls them", metrics: "127.0.0.1:0", probe: "0",
			wantErr: "-health-probe-bind-address"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := &demo{opts: options{metricsAddr: tt.metrics, probeAddr: tt.probe,
				portalAddr: "127.0.0.1:0", portalProbeAddr: "127.0.0.1:0"}}
			err := d.choosePorts()
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one naming %s", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			for _, a := range []string{d.opts.portalAddr, d.opts.portalProbeAddr} {
				if _, port, _ := net.SplitHostPort(a); port == "0" || port == "" {
					t.Errorf("portal address %q has no real port", a)
				}
			}
			if tt.keepMetrics {
				if d.opts.metricsAddr != tt.metrics {
					t.Errorf("metrics address changed to %s", d.opts.metricsAddr)
				}
			} else if _, port, _ := net.SplitHostPort(d.opts.metricsAddr); port == "0" || port == "" {
				t.Errorf("metrics address %q has no real port", d.opts.metricsAddr)
			}
			if _, port, _ := net.SplitHostPort(d.opts.probeAddr); port == "0" || port == "" {
				t.Errorf("probe address %q has no real port", d.opts.probeAddr)
			}
			if d.opts.metricsAddr == d.opts.probeAddr {
				t.Errorf("metrics and probes share %s", d.opts.probeAddr)
			}
		})
	}
}

func TestHoldDefaultPorts(t *testing.T) {
	// Two ports that are free now stand in for 8080 and 8081.
	a, b := listen(t), listen(t)
	_, portA, _ := net.SplitHostPort(a.Addr().String())
	_, portB, _ := net.SplitHostPort(b.Addr().String())
	_ = a.Close()
	_ = b.Close()
	saved := defaultManagerPorts
	defaultManagerPorts = []string{portA, portB}
	t.Cleanup(func() { defaultManagerPorts = saved })

	// The demo was asked for portB itself: that one stays free for it.
	release := holdDefaultPorts("127.0.0.1:0", "127.0.0.1:"+portB)
	if l, err := net.Listen("tcp", "127.0.0.1:"+portA); err == nil {
		_ = l.Close()
		t.Errorf("port %s is free during the check", portA)
	}
	l, err := net.Listen("tcp", "127.0.0.1:"+portB)
	if err != nil {
		t.Errorf("port %s, which the demo was asked to use, is held: %v", portB, err)
	} else {
		_ = l.Close()
	}
	release()
	if l, err := net.Listen("tcp", "127.0.0.1:"+portA); err != nil {
		t.Errorf("port %s is still held after release: %v", portA, err)
	} else {
		_ = l.Close()
	}
}
