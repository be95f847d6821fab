// tomldecode decodes TOML the way the runtimes do, for rclint's tests.
//
//	tomldecode crio FILE...        CRI-O: each file decoded in turn over the same struct with
//	                               BurntSushi/toml (UpdateFromDropInFile); prints the handlers as JSON
//	tomldecode containerd FILE     containerd 2.x: the CRI runtime table and each runc options table
//	                               decoded with go-toml v2 into typed structs; prints JSON or the error
//
// The structs hold the fields rclint's tests need, with the runtimes' TOML tags.
package main

import (
	"encoding/json"
	"fmt"
	"os"

	bs "github.com/BurntSushi/toml"
	v2 "github.com/pelletier/go-toml/v2"
)

type crioHandler struct {
	RuntimePath                  string   `toml:"runtime_path" json:"runtime_path,omitempty"`
	RuntimeType                  string   `toml:"runtime_type" json:"runtime_type,omitempty"`
	RuntimeRoot                  string   `toml:"runtime_root" json:"runtime_root,omitempty"`
	RuntimeConfigPath            string   `toml:"runtime_config_path" json:"runtime_config_path,omitempty"`
	PrivilegedWithoutHostDevices bool     `toml:"privileged_without_host_devices" json:"privileged_without_host_devices,omitempty"`
	MonitorPath                  string   `toml:"monitor_path" json:"monitor_path,omitempty"`
	MonitorCgroup                string   `toml:"monitor_cgroup" json:"monitor_cgroup,omitempty"`
	AllowedAnnotations           []string `toml:"allowed_annotations" json:"allowed_annotations,omitempty"`
}

type crioConfig struct {
	Crio struct {
		Runtime struct {
			DefaultRuntime string                  `toml:"default_runtime"`
			CgroupManager  string                  `toml:"cgroup_manager"`
			ConmonCgroup   string                  `toml:"conmon_cgroup"`
			Runtimes       map[string]*crioHandler `toml:"runtimes"`
		} `toml:"runtime"`
	} `toml:"crio"`
}

type runcOptions struct {
	NoPivotRoot   bool
	NoNewKeyring  bool
	ShimCgroup    string
	IoUid         uint32
	IoGid         uint32
	BinaryName    string
	Root          string
	SystemdCgroup bool
}

type ctdRuntime struct {
	Type                         string                 `toml:"runtime_type"`
	Path                         string                 `toml:"runtime_path"`
	PodAnnotations               []string               `toml:"pod_annotations"`
	PrivilegedWithoutHostDevices bool                   `toml:"privileged_without_host_devices"`
	Options                      map[string]interface{} `toml:"options"`
}

type ctdConfig struct {
	Containerd struct {
		DefaultRuntimeName string                `toml:"default_runtime_name"`
		Runtimes           map[string]ctdRuntime `toml:"runtimes"`
	} `toml:"containerd"`
}

func fail(err error) {
	fmt.Println(string(mustJSON(map[string]string{"error": err.Error()})))
	os.Exit(0)
}

func mustJSON(v interface{}) []byte {
	out, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return out
}

func main() {
	switch os.Args[1] {
	case "crio":
		var cfg crioConfig
		for _, path := range os.Args[2:] {
			data, err := os.ReadFile(path)
			if err != nil {
				fail(err)
			}
			if _, err := bs.Decode(string(data), &cfg); err != nil {
				fail(err)
			}
		}
		fmt.Println(string(mustJSON(cfg.Crio.Runtime.Runtimes)))
	case "containerd":
		data, err := os.ReadFile(os.Args[2])
		if err != nil {
			fail(err)
		}
		var cfg ctdConfig
		if err := v2.Unmarshal(data, &cfg); err != nil {
			fail(err)
		}
		out := map[string]interface{}{}
		for name, r := range cfg.Containerd.Runtimes {
			var opts runcOptions
			raw, err := v2.Marshal(r.Options)
			if err == nil {
				err = v2.Unmarshal(raw, &opts)
			}
			if err != nil {
				fail(fmt.Errorf("failed to generate runtime options: %s: %w", name, err))
			}
			out[name] = r
		}
		fmt.Println(string(mustJSON(out)))
	}
}
