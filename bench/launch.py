"""Launch cost of a provider, measured the way Terraform launches it.

1. Time to handshake: the binary is started with go-plugin's environment (magic cookie, protocol
   versions, and a P-521 client certificate so AutoMTLS is on, as Terraform does) and the clock
   stops when its first stdout line arrives. Median and p90 over N launches.
2. Peak RSS of a launch that serves GetProviderSchema: `terraform providers schema -json` runs the
   provider through a filesystem mirror whose entry is a wrapper that records the provider
   process's peak RSS with GNU time. Median over the launches of R runs.

Usage: launch.py NAME=BINARY:PROTOCOL:SOURCE:VERSION ... [--runs N]
"""

import json
import os
import select
import statistics
import subprocess
import sys
import tempfile
import time

COOKIE = "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2"
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TERRAFORM = os.path.join(ROOT, "tools", "bin", "terraform")


def client_cert(workdir):
    key, cert = os.path.join(workdir, "client.key"), os.path.join(workdir, "client.pem")
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-521", "-nodes",
         "-keyout", key, "-out", cert, "-days", "1", "-subj", "/CN=localhost/O=HashiCorp",
         "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "subjectAltName=DNS:localhost"],
        check=True, capture_output=True)
    with open(cert) as f:
        return f.read()


def handshake_ms(binary, protocol, cert):
    env = dict(os.environ, TF_PLUGIN_MAGIC_COOKIE=COOKIE, PLUGIN_PROTOCOL_VERSIONS=str(protocol),
               PLUGIN_MIN_PORT="10000", PLUGIN_MAX_PORT="25000", PLUGIN_CLIENT_CERT=cert)
    start = time.perf_counter()
    proc = subprocess.Popen([binary], env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    ready, _, _ = select.select([proc.stdout], [], [], 10)
    line = proc.stdout.readline() if ready else b""
    elapsed = (time.perf_counter() - start) * 1000
    proc.kill()
    proc.wait()
    if not line.startswith(b"1|"):
        raise RuntimeError(f"{binary}: no handshake line (got {line!r})")
    return elapsed


def schema_rss_kib(name, binary, source, version, runs, workdir):
    """Peak RSS of each provider launch during `terraform providers schema -json`."""
    host, namespace, ptype = source.split("/")
    name = "".join(c if c.isalnum() else "-" for c in name)
    mirror = os.path.join(workdir, f"mirror-{name}")
    platform = "linux_amd64"
    target = os.path.join(mirror, host, namespace, ptype, version, platform)
    os.makedirs(target, exist_ok=True)
    rss_file = os.path.join(workdir, f"rss-{name}.txt")
    wrapper = os.path.join(target, f"terraform-provider-{ptype}_v{version}")
    with open(wrapper, "w") as f:
        f.write(f'#!/bin/sh\nexec /usr/bin/time -a -o "{rss_file}" -f %M "{binary}" "$@"\n')
    os.chmod(wrapper, 0o755)
    rc = os.path.join(workdir, f"rc-{name}")
    with open(rc, "w") as f:
        f.write(f'provider_installation {{\n  filesystem_mirror {{\n    path = "{mirror}"\n  }}\n}}\n')
    config_dir = os.path.join(workdir, f"cfg-{name}")
    os.makedirs(config_dir, exist_ok=True)
    with open(os.path.join(config_dir, "main.tf"), "w") as f:
        f.write(f'terraform {{\n  required_providers {{\n    p = {{\n      source  = "{source}"\n'
                f'      version = "{version}"\n    }}\n  }}\n}}\n')
    env = dict(os.environ, TF_CLI_CONFIG_FILE=rc, CHECKPOINT_DISABLE="1", TF_IN_AUTOMATION="1")
    subprocess.run([TERRAFORM, f"-chdir={config_dir}", "init", "-input=false", "-no-color"], env=env,
                   check=True, capture_output=True)
    open(rss_file, "w").close()
    for _ in range(runs):
        subprocess.run([TERRAFORM, f"-chdir={config_dir}", "providers", "schema", "-json"], env=env,
                       check=True, capture_output=True)
    with open(rss_file) as f:
        values = [int(l) for l in f.read().split() if l.strip().isdigit()]
    return values


def main():
    args = sys.argv[1:]
    runs = 20
    if "--runs" in args:
        i = args.index("--runs")
        runs = int(args[i + 1])
        del args[i:i + 2]
    rows = []
    with tempfile.TemporaryDirectory() as workdir:
        cert = client_cert(workdir)
        for spec in args:
            name, rest = spec.split("=", 1)
            binary, protocol, source, version = rest.split(":")
            handshake_ms(binary, int(protocol), cert)  # warm the page cache
            times = sorted(handshake_ms(binary, int(protocol), cert) for _ in range(runs))
            rss = schema_rss_kib(name, binary, source, version, max(3, runs // 4), workdir)
            rows.append({
                "provider": name,
                "size_mb": round(os.path.getsize(binary) / 1e6, 2),
                "handshake_ms_median": round(statistics.median(times), 2),
                "handshake_ms_p90": round(times[int(len(times) * 0.9) - 1 if len(times) > 1 else 0], 2),
                "schema_launch_peak_rss_mib_median": round(statistics.median(rss) / 1024, 1),
                "launches": len(times),
            })
    print(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
