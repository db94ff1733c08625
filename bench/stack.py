"""Plan, apply, refresh and destroy of N resources, ours next to N `terraform_data` (the floor of
Terraform itself), against `local-aws --latency-ms L`.

For each N: N `terraform_data` (the floor), N `ecs_secret` (Parameter Store, not paced), and N/2
`ecs_secret` with N/2 `ecs_service` (spread over clusters of at most 50 services, one task
definition per cluster). Every operation records wall time, CPU
(Terraform and provider processes), the provider's peak RSS (VmHWM of every provider process,
sampled), and AWS calls per resource (from the endpoint's statistics). The refresh is measured a
second time with request coalescing switched off (ECS_PROVIDER_COALESCE=0). Deployments reach
steady state and deleted services finish draining at once (`--steady-seconds 0 --drain-seconds 0`),
so wall times show the provider's own cost and the API round trips.

With `--aws-provider BIN` the ECS stack is run a second time, written with `aws_ecs_*` and
`aws_ssm_parameter` resources for hashicorp/aws (built by `tools/setup-go-peers aws`), against the
same endpoint: both providers are measured in one run.

Usage: stack.py --provider-dir DIR --local-aws BIN --moto BIN [--sizes 10,100,500] [--latency-ms 20]
                [--aws-provider BIN]
"""

import argparse
import json
import math
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TERRAFORM = os.path.join(ROOT, "tools", "bin", "terraform")
PARALLELISM = 10


def services_stack(n, header, prefix, cluster_attr, parameter):
    """N/2 services (clusters of at most 50, one task definition per cluster) and N/2 parameters,
    for a provider whose ECS resources are named `{prefix}cluster` etc.; `parameter(p)` writes
    one parameter resource."""
    services, secrets = n // 2, n - n // 2
    clusters = max(1, math.ceil(services / 50))
    out = [header]
    for c in range(clusters):
        out.append(f'resource "{prefix}cluster" "c{c}" {{\n  name = "bench-{c}"\n}}\n')
        out.append(
            f'resource "{prefix}task_definition" "t{c}" {{\n  family = "bench-{c}"\n'
            f'  container_definitions = jsonencode([{{ name = "app", image = "nginx:1", memory = 64 }}])\n}}\n')
    for s in range(services):
        c = s % clusters
        out.append(
            f'resource "{prefix}service" "s{s}" {{\n  name = "s{s}"\n  cluster = {prefix}cluster.c{c}.{cluster_attr}\n'
            f'  task_definition = {prefix}task_definition.t{c}.arn\n  desired_count = 1\n}}\n')
    out.extend(parameter(p) for p in range(secrets))
    return "\n".join(out), services + secrets


def ecs_config(n):
    header = 'terraform {\n  required_providers {\n    ecs = { source = "ecsrs/ecs" }\n  }\n}\n'
    return services_stack(n, header, "ecs_", "name", lambda p: (
        f'resource "ecs_secret" "p{p}" {{\n  name = "/bench/p{p}"\n  value = "value-{p}"\n}}\n'))


def aws_config(n, url):
    """The same stack as ecs_config, written for hashicorp/aws against the same endpoint."""
    header = ('terraform {\n  required_providers {\n    aws = { source = "hashicorp/aws" }\n  }\n}\n\n'
              'provider "aws" {\n  region = "us-east-1"\n  skip_credentials_validation = true\n'
              '  skip_requesting_account_id = true\n  skip_metadata_api_check = true\n'
              f'  endpoints {{\n    ecs = "{url}"\n    ssm = "{url}"\n    sts = "{url}"\n  }}\n}}\n')
    return services_stack(n, header, "aws_ecs_", "id", lambda p: (
        f'resource "aws_ssm_parameter" "p{p}" {{\n  name = "/bench/p{p}"\n  type = "SecureString"\n'
        f'  value = "value-{p}"\n}}\n'))


def secrets_config(n):
    out = ['terraform {\n  required_providers {\n    ecs = { source = "ecsrs/ecs" }\n  }\n}\n']
    for p in range(n):
        out.append(f'resource "ecs_secret" "p{p}" {{\n  name = "/bench/only/p{p}"\n  value = "value-{p}"\n}}\n')
    return "\n".join(out), n


def floor_config(n):
    return "\n".join(f'resource "terraform_data" "d{i}" {{\n  input = "v{i}"\n}}\n' for i in range(n)), n


class ProviderPeak:
    """Samples VmHWM of every provider process while an operation runs."""

    def __init__(self):
        self.peak_kib = 0
        self.running = True
        self.thread = threading.Thread(target=self.sample, daemon=True)
        self.thread.start()

    def sample(self):
        while self.running:
            for pid in os.listdir("/proc"):
                if not pid.isdigit():
                    continue
                try:
                    with open(f"/proc/{pid}/comm") as f:
                        if not f.read().startswith("terraform-provi"):
                            continue
                    with open(f"/proc/{pid}/status") as f:
                        for line in f:
                            if line.startswith("VmHWM:"):
                                self.peak_kib = max(self.peak_kib, int(line.split()[1]))
                except OSError:
                    pass
            time.sleep(0.02)

    def stop(self):
        self.running = False
        self.thread.join()
        return self.peak_kib / 1024


def local_api(url, path, method="GET"):
    req = urllib.request.Request(url + path, method=method)
    with urllib.request.urlopen(req) as resp:
        return json.loads(resp.read() or b"{}")


def run_op(workdir, env, args, url):
    if url:
        local_api(url, "/_local/stats/reset", "POST")
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    peak = ProviderPeak()
    start = time.perf_counter()
    proc = subprocess.run([TERRAFORM, *args], cwd=workdir, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - start
    provider_mib = peak.stop()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode not in (0, 2):
        sys.exit(f"terraform {' '.join(args)} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    stats = local_api(url, "/_local/stats") if url else {}
    calls = sum(v for k, v in stats.items() if not k.startswith("throttled:"))
    throttled = sum(v for k, v in stats.items() if k.startswith("throttled:"))
    return wall, cpu, provider_mib, calls, throttled


def start_local_aws(binary, moto, latency, throttle):
    # Deployments and draining complete at once: the benchmark measures the provider and the API
    # round trips, not the minutes real ECS takes to start and stop tasks.
    flags = ["--steady-seconds", "0", "--drain-seconds", "0"] + (["--throttle"] if throttle else [])
    proc = subprocess.Popen([binary, "--moto", moto, "--latency-ms", str(latency), *flags],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    line = proc.stdout.readline().strip()
    if not line.startswith("AWS_ENDPOINT_URL="):
        sys.exit(f"local-aws did not start: {line!r}")
    url = line.split("=", 1)[1]
    for _ in range(100):  # moto's ECS backend loads lazily: one warm-up call
        try:
            local_api(url, "/_local/stats")
            break
        except OSError:
            time.sleep(0.1)
    return proc, url


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--provider-dir", required=True)
    ap.add_argument("--local-aws", required=True)
    ap.add_argument("--moto", required=True)
    ap.add_argument("--sizes", default="10,100,500")
    ap.add_argument("--latency-ms", type=int, default=20)
    ap.add_argument("--throttle", action="store_true", help="local-aws enforces ECS's token buckets")
    ap.add_argument("--aws-provider", help="hashicorp/aws binary: run the ECS stack with it as well")
    args = ap.parse_args()
    kinds = ("terraform_data", "secrets", "ecs") + (("aws",) if args.aws_provider else ())

    print("| N | config | operation | wall s | CPU s | provider peak RSS MiB | AWS calls | calls per resource | API floor s | throttled |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for n in [int(s) for s in args.sizes.split(",")]:
        for kind in kinds:
            work = tempfile.mkdtemp(prefix=f"bench-{kind}-{n}-")
            cli = os.path.join(work, "cli.tfrc")
            source, provider_dir = "ecsrs/ecs", os.path.abspath(args.provider_dir)
            if kind == "aws":
                source, provider_dir = "hashicorp/aws", os.path.dirname(os.path.abspath(args.aws_provider))
            with open(cli, "w") as f:
                f.write('provider_installation {\n  dev_overrides {\n    "%s" = "%s"\n  }\n  direct {}\n}\n'
                        % (source, provider_dir))
            env = dict(os.environ, TF_CLI_CONFIG_FILE=cli, CHECKPOINT_DISABLE="1", TF_IN_AUTOMATION="1")
            endpoint, url = None, None
            if kind != "terraform_data":
                endpoint, url = start_local_aws(args.local_aws, args.moto, args.latency_ms, args.throttle)
                env.update(AWS_ENDPOINT_URL=url, AWS_REGION="us-east-1", AWS_ACCESS_KEY_ID="bench",
                           AWS_SECRET_ACCESS_KEY="bench", AWS_EC2_METADATA_DISABLED="true")
                if kind == "aws":
                    text, counted = aws_config(n, url)
                else:
                    text, counted = ecs_config(n) if kind == "ecs" else secrets_config(n)
            else:
                text, counted = floor_config(n)
            with open(os.path.join(work, "main.tf"), "w") as f:
                f.write(text)
            ops = [
                ("plan (create)", ["plan", "-input=false", "-no-color"], {}),
                ("apply", ["apply", "-auto-approve", "-input=false", "-no-color"], {}),
                ("plan (no change)", ["plan", "-input=false", "-no-color", "-detailed-exitcode"], {}),
                ("refresh-only plan", ["plan", "-refresh-only", "-input=false", "-no-color"], {}),
                ("refresh-only, no coalescing", ["plan", "-refresh-only", "-input=false", "-no-color"],
                 {"ECS_PROVIDER_COALESCE": "0"}),
                ("destroy", ["destroy", "-auto-approve", "-input=false", "-no-color"], {}),
            ]
            try:
                for name, op_args, extra in ops:
                    if kind in ("terraform_data", "aws") and "coalescing" in name:
                        continue
                    wall, cpu, mib, calls, throttled = run_op(work, dict(env, **extra), op_args, url)
                    per = f"{calls / counted:.2f}" if url else "–"
                    floor = f"{calls * args.latency_ms / 1000 / PARALLELISM:.1f}" if url else "–"
                    rss = f"{mib:.1f}" if url else "–"
                    label = {
                        "ecs": f"{n // 2} services + {n - n // 2} secrets",
                        "aws": f"hashicorp/aws: {n // 2} aws_ecs_service + {n - n // 2} aws_ssm_parameter",
                        "secrets": f"{n} secrets",
                    }.get(kind, f"{n} terraform_data")
                    refused = throttled if url else "–"
                    print(f"| {n} | {label} | {name} | {wall:.2f} | {cpu:.2f} | {rss} | {calls if url else '–'} | {per} | {floor} | {refused} |",
                          flush=True)
            finally:
                if endpoint:
                    endpoint.terminate()
                    endpoint.wait()
                shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
