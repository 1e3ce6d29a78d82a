"""Benchmark: platform-skills against the parse floor, Python start-up and its peers.

Generates a realistic tree (workflows of about 45 lines; hardened Kubernetes workloads,
Kyverno, Flux and Argo CD documents; multi-stage Dockerfiles; Terraform files of about 60
lines), then times each command as the median of repeated fresh-process runs in this one
session, and prints each time with its ratio to its baseline:

- full scan        vs the parse floor (one process that only parses every file: YAML with
                   the C loader, Dockerfiles with BuildKit's parser, Terraform with hcl2)
- one-file run     vs ``python -c "import yaml"`` (the pre-commit case)
- Checkov, zizmor  vs the parse floor, when installed
- pin --diff       on 200 workflows naming 20 actions by tag, against local bare git
                   repositories: each repository is resolved once; reported as resolutions/s
- fleet            200 small repositories (one release workflow each) audited in parallel;
                   reported as repositories/s
- policy reports   ``audit --policy-reports`` on a ``kubectl get ... -o yaml`` List of 100,000
                   results (20,000 per-resource reports, five policies) vs the C parser's
                   event stream over that file (reading its YAML at all)

Usage: python scripts/bench.py [--workflows 1500] [--manifests 500] [--dockerfiles 300]
       [--terraform 100] [--reports 100000] [--runs 5] [--keep DIR]
"""

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

BIN = Path(sys.executable).parent
FLOOR = """\
import sys, yaml
from pathlib import Path
dockerfiles, terraform = [], []
for path in Path(sys.argv[1]).rglob("*"):
    if path.suffix in (".yml", ".yaml"):
        with open(path, "rb") as handle:
            for _ in yaml.compose_all(handle.read().decode("utf-8"), Loader=yaml.CSafeLoader):
                pass
    elif path.name == "Dockerfile" or path.name.endswith(".Dockerfile"):
        dockerfiles.append(path)
    elif path.suffix == ".tf":
        terraform.append(path)
if dockerfiles:
    import dockerfile
    for path in dockerfiles:
        with open(path, "rb") as handle:
            dockerfile.parse_string(handle.read().decode("utf-8"))
if terraform:
    import hcl2
    for path in terraform:
        hcl2.loads(path.read_text())
"""

WORKFLOW = """\
name: release-{i}
on:
  push:
    branches: [main]
  pull_request:
permissions:
  contents: read
env:
  IMAGE: ghcr.io/example-org/service-{i}
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2
      - uses: actions/setup-go@{setup_ref}
        with:
          go-version: "1.23"
      - run: |
          go vet ./...
          go test -race ./...
  release:
    needs: test
    runs-on: ubuntu-latest
    permissions:
      contents: read
      packages: write
      id-token: write
    steps:
      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2
      - uses: sigstore/cosign-installer@faadad0cce49287aee09b3a48701e75088a2c6ad # v4.0.0
      - id: build
        uses: docker/build-push-action@263435318d21b8e681c14492fe198d362a7d2c83 # v6.18.0
        with:
          push: ${{{{ github.event_name != 'pull_request' }}}}
          tags: ${{{{ env.IMAGE }}}}:${{{{ github.sha }}}}
      - uses: aquasecurity/trivy-action@57a97c7e7821a5776cebc9bb87c984fa69cba8f1 # v0.35.0
        with:
          image-ref: ${{{{ env.IMAGE }}}}@${{{{ steps.build.outputs.digest }}}}
          exit-code: "1"
          severity: {severity}
      - env:
          DIGEST: ${{{{ steps.build.outputs.digest }}}}
        run: |
          cosign sign --yes "${{IMAGE}}@${{DIGEST}}"
          echo "signed ${{IMAGE}}@${{DIGEST}}"
"""

MANIFESTS = ("""\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: service-{i}
spec:
  replicas: 2
  selector:
    matchLabels: {{app: service-{i}}}
  template:
    metadata:
      labels: {{app: service-{i}}}
    spec:
      automountServiceAccountToken: false
      securityContext:
        runAsNonRoot: true
        runAsUser: 65532
        seccompProfile:
          type: RuntimeDefault
      containers:
        - name: app
          image: ghcr.io/example-org/service-{i}:{tag}
          ports: [{{containerPort: 8080}}]
          securityContext:
            allowPrivilegeEscalation: {escalation}
            readOnlyRootFilesystem: true
            capabilities:
              drop: ["ALL"]
          resources:
            requests: {{cpu: 100m, memory: 128Mi}}
            limits: {{memory: 128Mi}}
          volumeMounts:
            - {{name: tmp, mountPath: /tmp}}
      volumes:
        - {{name: tmp, emptyDir: {{sizeLimit: 64Mi}}}}
---
apiVersion: v1
kind: Service
metadata:
  name: service-{i}
spec:
  selector: {{app: service-{i}}}
  ports: [{{port: 80, targetPort: 8080}}]
""", """\
apiVersion: policies.kyverno.io/v1
kind: ImageValidatingPolicy
metadata:
  name: verify-{i}
spec:
  validationActions: [Audit]
  matchImageReferences:
    - glob: "ghcr.io/example-org/*"
  attestors:
    - name: github
      cosign:
        keyless:
          identities:
            - issuer: https://token.actions.githubusercontent.com
              subjectRegExp: ^https://github\\.com/example-org/.+@refs/heads/main$
  validations:
    - expression: "images.containers.map(i, verifyImageSignatures(i, [attestors.github])).all(e, e > 0)"
""", """\
apiVersion: source.toolkit.fluxcd.io/v1
kind: OCIRepository
metadata:
  name: service-{i}
  namespace: flux-system
spec:
  interval: 10m
  url: oci://ghcr.io/example-org/manifests/service-{i}
  ref:
    semver: ">=1.0.0 <2.0.0"
  verify:
    provider: cosign
    matchOIDCIdentity:
      - issuer: ^https://token\\.actions\\.githubusercontent\\.com$
        subject: ^https://github\\.com/example-org/service-{i}/\\.github/workflows/release\\.yml@refs/tags/v.+$
---
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: service-{i}
  namespace: apps
spec:
  interval: 10m
  chartRef:
    kind: OCIRepository
    name: service-{i}
    namespace: flux-system
  values:
    image:
      tag: "{tag}"
---
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: service-{i}
  namespace: argocd
spec:
  project: apps
  source:
    repoURL: https://charts.example.com
    chart: service
    targetRevision: "1.{i}.x"
  destination:
    server: https://kubernetes.default.svc
    namespace: service-{i}
""")

TERRAFORM = """\
module "vpc_{i}" {{
  source  = "terraform-aws-modules/vpc/aws"
  version = "{module_version}"
  name    = "service-{i}"
  cidr    = "10.{octet}.0.0/16"
}}

resource "aws_ecr_repository" "service_{i}" {{
  name                 = "example-org/service-{i}"
  image_tag_mutability = "IMMUTABLE"
}}

resource "aws_iam_role" "deploy_{i}" {{
  name = "deploy-service-{i}"
  assume_role_policy = jsonencode({{
    Version = "2012-10-17"
    Statement = [{{
      Effect    = "Allow"
      Action    = "sts:AssumeRoleWithWebIdentity"
      Principal = {{ Federated = aws_iam_openid_connect_provider.github.arn }}
      Condition = {{
        StringEquals = {{
          "token.actions.githubusercontent.com:aud" = "sts.amazonaws.com"
          "token.actions.githubusercontent.com:sub" = "repo:example-org/service-{i}:environment:prod"
        }}
      }}
    }}]
  }})
}}

data "aws_iam_policy_document" "push_{i}" {{
  statement {{
    actions   = ["ecr:GetAuthorizationToken"]
    resources = ["*"]
  }}
  statement {{
    actions = [
      "ecr:BatchCheckLayerAvailability",
      "ecr:CompleteLayerUpload",
      "ecr:InitiateLayerUpload",
      "ecr:PutImage",
      "ecr:UploadLayerPart",
    ]
    resources = [aws_ecr_repository.service_{i}.arn]
  }}
}}

resource "aws_iam_role_policy" "push_{i}" {{
  role   = aws_iam_role.deploy_{i}.id
  policy = data.aws_iam_policy_document.push_{i}.json
}}
"""



DOCKERFILE = """\
# syntax=docker/dockerfile:1
ARG GO_IMAGE=golang:1.24-bookworm@sha256:{zeros}
FROM ${{GO_IMAGE}} AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod \\
    --mount=type=secret,id=netrc,target=/root/.netrc \\
    go mod download
COPY . .
RUN <<EOF
set -eu
curl -fsSLo /tmp/tool.tgz https://downloads.example.com/tool-{i}.tgz
echo "{zeros}  /tmp/tool.tgz" | sha256sum -c -
tar -xzf /tmp/tool.tgz -C /usr/local/bin
EOF
RUN CGO_ENABLED=0 go build -trimpath -o /out/service-{i} ./cmd/service-{i}

FROM gcr.io/distroless/static-debian12:nonroot{base_digest}
COPY --from=build /out/service-{i} /service
USER 65532:65532
ENTRYPOINT ["/service"]
"""


def generate(root, workflows, manifests, dockerfiles=0, terraform=0):
    wf_dir = root / ".github" / "workflows"
    wf_dir.mkdir(parents=True)
    for i in range(workflows):
        text = WORKFLOW.format(i=i, setup_ref="v5" if i % 7 == 0 else
                               "3041bf56c941b39c61721a86cd11f3bb1338122a # v5.2.0",
                               severity="CRITICAL" if i % 11 == 0 else "CRITICAL,HIGH")
        (wf_dir / f"release-{i}.yml").write_text(text)
    k8s = root / "deploy"
    k8s.mkdir()
    for i in range(manifests):
        template = MANIFESTS[i % len(MANIFESTS)]
        tag = "1.4.2" if i % 5 else "latest"
        escalation = "true" if i % 9 == 0 else "false"
        (k8s / f"doc-{i}.yaml").write_text(template.format(i=i, tag=tag, escalation=escalation))
    zeros = "0" * 64
    for i in range(dockerfiles):
        service = root / "services" / f"service-{i}"
        service.mkdir(parents=True)
        digest = "" if i % 6 == 0 else "@sha256:" + zeros
        (service / "Dockerfile").write_text(DOCKERFILE.format(i=i, zeros=zeros, base_digest=digest))
    infra = root / "infra"
    infra.mkdir()
    for i in range(terraform):
        version = "~> 5.0" if i % 9 == 0 else "5.21.0"  # a few findings, as in real trees
        (infra / f"service-{i}.tf").write_text(
            TERRAFORM.format(i=i, octet=i % 256, module_version=version))
    return wf_dir / "release-0.yml"


PIN_REPOS = 20
PIN_WORKFLOW = """\
on: push
permissions:
  contents: read
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
{steps}"""


def generate_pin(root, workflows=200):
    """Bare repositories ``<root>/remotes/bench/action-<n>`` with a tag, and workflows that
    name them by tag (three each), for ``pin --diff --github-url file://<root>/remotes``."""
    remotes = root / "remotes" / "bench"
    work = root / "work"
    work.mkdir(parents=True)
    git = ["git", "-c", "user.name=bench", "-c", "user.email=bench@example.invalid",
           "-c", "init.defaultBranch=main"]
    for n in range(PIN_REPOS):
        source = work / f"action-{n}"
        subprocess.run([*git, "init", "-q", str(source)], check=True)
        (source / "action.yml").write_text("runs:\n  using: composite\n  steps: []\n")
        subprocess.run([*git, "-C", str(source), "add", "."], check=True)
        subprocess.run([*git, "-C", str(source), "commit", "-qm", "release"], check=True)
        subprocess.run([*git, "-C", str(source), "tag", "v1.2.3"], check=True)
        subprocess.run([*git, "-C", str(source), "tag", "v1"], check=True)
        subprocess.run([*git, "clone", "-q", "--bare", str(source), str(remotes / f"action-{n}")],
                       check=True)
    flows = root / "repo" / ".github" / "workflows"
    flows.mkdir(parents=True)
    for i in range(workflows):
        steps = "".join(f"      - uses: bench/action-{(i + k) % PIN_REPOS}@v1\n" for k in range(3))
        (flows / f"ci-{i}.yml").write_text(PIN_WORKFLOW.format(steps=steps))
    return root / "remotes", root / "repo"


def generate_fleet(root, count=200):
    """``count`` repository folders under ``root``, one release workflow each."""
    for i in range(count):
        flows = root / f"repo-{i:03}" / ".github" / "workflows"
        flows.mkdir(parents=True)
        (flows / "release.yml").write_text(WORKFLOW.format(
            i=i, setup_ref="v5", severity="CRITICAL" if i % 3 else "CRITICAL,HIGH"))
    return sorted(p.name for p in root.iterdir())
REPORT_POLICIES = 5
REPORT_POLICY = """\
---
apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata:
  name: policy-{j}
spec:
  rules:
    - name: check
      match:
        any:
          - resources:
              kinds: [Pod]
      validate:
        failureAction: Audit
        pattern:
          metadata:
            labels:
              team: "?*"
"""
REPORT = """\
- apiVersion: wgpolicyk8s.io/v1alpha2
  kind: PolicyReport
  metadata:
    labels:
      app.kubernetes.io/managed-by: kyverno
    name: 5d0c{i:08x}-0000-4000-8000-000000000000
    namespace: team-{ns}
  results:
{results}  scope:
    apiVersion: apps/v1
    kind: Deployment
    name: service-{i}
    namespace: team-{ns}
    uid: 5d0c{i:08x}-0000-4000-8000-000000000000
  summary:
    error: 0
    fail: {fails}
    pass: {passes}
    skip: 0
    warn: 0
"""
REPORT_RESULT = """\
  - message: validation rule 'check' {outcome}.
    policy: policy-{j}
    properties:
      process: background scan
    result: {result}
    rule: autogen-check
    scored: true
    source: kyverno
    timestamp:
      nanos: 0
      seconds: 1765100000
"""
REPORT_FLOOR = """\
import sys, yaml
with open(sys.argv[1], "rb") as handle:
    for _ in yaml.parse(handle.read().decode("utf-8"), Loader=yaml.CSafeLoader):
        pass
"""


def generate_reports(root, results):
    """A policy repository and what ``kubectl get policyreports -A -o yaml`` prints for a
    cluster running it: one report per Deployment, one result per policy, 1 in 97 failing."""
    (root / "policies").mkdir(parents=True)
    (root / "policies" / "policies.yaml").write_text(
        "".join(REPORT_POLICY.format(j=j) for j in range(REPORT_POLICIES)))
    parts = ["apiVersion: v1\nitems:\n"]
    for i in range(results // REPORT_POLICIES):
        outcomes = ["fail" if (i * REPORT_POLICIES + j) % 97 == 0 else "pass"
                    for j in range(REPORT_POLICIES)]
        parts.append(REPORT.format(
            i=i, ns=i % 40, fails=outcomes.count("fail"), passes=outcomes.count("pass"),
            results="".join(REPORT_RESULT.format(j=j, result=o, outcome="failed" if o == "fail"
                                                 else "passed") for j, o in enumerate(outcomes))))
    parts.append("kind: List\nmetadata:\n  resourceVersion: \"\"\n")
    report = root / "reports.yaml"
    report.write_text("".join(parts))
    return root / "policies", report


# Bytecode caches on, as an install has them: with PYTHONDONTWRITEBYTECODE set (some CI
# images and sandboxes set it), every module edited since the last install would be compiled
# again in every measured run.
ENV = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}


def timed(cmd, cwd):
    """Wall time, the child's peak RSS (MiB) and its CPU time (user + system, every process
    it waited for) of one fresh-process run."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            env=ENV)
    _, _, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    return elapsed, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime


def measure(cmd, cwd, runs):
    timed(cmd, cwd)  # warm the file cache and the interpreter's bytecode
    samples = [timed(cmd, cwd) for _ in range(runs)]
    return statistics.median(s[0] for s in samples), max(s[1] for s in samples)


def paired(commands, cwd, runs):
    """``{name: (median wall time, least CPU time)}``, the commands run in turn in every
    round (after one warm-up round), so a slower moment of the machine weighs on all of them
    alike. On a shared machine the least CPU time is the steadier of the two: it counts the
    work a command did, not how long it waited for a core."""
    for cmd in commands.values():
        timed(cmd, cwd)
    samples = {name: [] for name in commands}
    for _ in range(runs):
        for name, cmd in commands.items():
            samples[name].append(timed(cmd, cwd))
    return {name: (statistics.median(s[0] for s in values), min(s[2] for s in values))
            for name, values in samples.items()}


# The speed goals of the workflow corpus (issue 25): command, baseline, highest ratio.
GOALS = (("scan", "floor", 1.0), ("serial", "floor", 1.5), ("single", "start", 1.5))


def corpus_ratios(title, root, one_file, psk, runs):
    """Rows for one homogeneous corpus: full scan on both cores and on one, and one file,
    each against its baseline and its goal, measured paired and alternating."""
    py = sys.executable
    times = paired({
        "floor": [py, "-c", FLOOR, "."],
        "scan": [psk, "check", ".", "--format", "json"],
        "serial": [psk, "check", ".", "--format", "json", "--jobs", "1"],
        "start": [py, "-c", "import yaml"],
        "single": [psk, "check", str(one_file.relative_to(root))],
    }, root, runs)
    labels = {"scan": "check, both cores", "serial": "check --jobs 1", "single": "check, one file"}
    rows = []
    for name, baseline, goal in GOALS:
        (wall, cpu), (base_wall, base_cpu) = times[name], times[baseline]
        ratio = wall / base_wall
        verdict = "meets" if ratio <= goal else "misses"
        rows.append(f"| {title}: {labels[name]} | {wall:.3f} | {ratio:.2f}x {baseline} | "
                    f"{cpu:.3f} | {cpu / base_cpu:.2f}x | ≤ {goal:.1f}x: {verdict} |")
    return rows


def goal_corpora(tmp, psk, runs):
    """Homogeneous corpora: workflows are the heaviest files real repositories hold, so the
    mixed tree understates what a scan of them costs."""
    rows = []
    for title, workflows, manifests in (("1,500 workflows", 1500, 0), ("1,500 manifest files", 0, 1500)):
        root = tmp / title.replace(" ", "-").replace(",", "")
        root.mkdir(parents=True)
        first = generate(root, workflows, manifests)
        if not workflows:
            first = root / "deploy" / "doc-0.yaml"
        rows += corpus_ratios(title, root, first, psk, runs)
    return rows


def print_goals(rows, runs):
    print(f"Paired, alternating, {runs} rounds, against the goals (wall: the median; CPU: the "
          "least, all processes):")
    print()
    print("| measure | wall (s) | ratio | CPU (s) | CPU ratio | goal (wall) |")
    print("|---|---:|---:|---:|---:|---|")
    print("\n".join(rows))


def tool(name):
    path = BIN / name
    return str(path) if path.exists() else shutil.which(name)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workflows", type=int, default=1500)
    parser.add_argument("--manifests", type=int, default=500)
    parser.add_argument("--dockerfiles", type=int, default=300)
    parser.add_argument("--terraform", type=int, default=100)
    parser.add_argument("--reports", type=int, default=100_000, metavar="RESULTS",
                        help="PolicyReport results for the evidence row (0: skip it)")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--keep", metavar="DIR", help="generate into DIR and keep it")
    parser.add_argument("--no-peers", action="store_true", help="skip Checkov and zizmor")
    parser.add_argument("--paired-runs", type=int, default=7,
                        help="rounds of the paired workflow and manifest corpus measures")
    parser.add_argument("--goals-only", action="store_true",
                        help="measure only the workflow and manifest corpora against their goals")
    args = parser.parse_args(argv)

    base = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="psk-bench-"))
    if args.keep:
        shutil.rmtree(base, ignore_errors=True)
        base.mkdir(parents=True)
    psk = tool("platform-skills")
    goal_rows = goal_corpora(base, psk, args.paired_runs)
    if args.goals_only:
        print_goals(goal_rows, args.paired_runs)
        if not args.keep:
            shutil.rmtree(base, ignore_errors=True)
        return 0
    tmp = base / "mixed"
    one_file = generate(tmp, args.workflows, args.manifests, args.dockerfiles, args.terraform)
    py = sys.executable
    rows = []
    floor, _ = measure([py, "-c", FLOOR, "."], tmp, args.runs)
    start, _ = measure([py, "-c", "import yaml"], tmp, args.runs)
    scan, scan_rss = measure([psk, "check", ".", "--format", "json"], tmp, args.runs)
    serial, serial_rss = measure([psk, "check", ".", "--format", "json", "--jobs", "1"], tmp, args.runs)
    single, _ = measure([psk, "check", str(one_file.relative_to(tmp))], tmp, args.runs)
    rows.append(("parse floor (every file: YAML C loader, BuildKit parser, hcl2)", floor,
                 "floor", 1.0))
    rows.append(("platform-skills check (full tree)", scan, "floor", scan / floor))
    rows.append(("platform-skills check --jobs 1 (one core)", serial, "floor", serial / floor))
    rows.append(('python -c "import yaml"', start, "start-up", 1.0))
    rows.append(("platform-skills check (one file)", single, "start-up", single / start))
    if not args.no_peers:
        checkov = tool("checkov")
        if checkov:
            checks_dir = subprocess.run([psk, "checkov-dir"], capture_output=True, text=True).stdout.strip()
            cmd = [checkov, "-d", ".", "--external-checks-dir", checks_dir, "--skip-download",
                   "--framework", "github_actions", "kubernetes", "yaml", "dockerfile", "terraform",
                   "--quiet",
                   "-o", "json"]
            seconds, _ = measure(cmd, tmp, max(1, min(args.runs, 2)))
            rows.append(("checkov + platform-skills checks", seconds, "floor", seconds / floor))
        zizmor = tool("zizmor")
        if zizmor:
            seconds, _ = measure([zizmor, "--offline", "--no-progress", "--format", "json", "."], tmp,
                                 args.runs)
            rows.append(("zizmor (workflows only)", seconds, "floor", seconds / floor))

    remotes, pin_repo = generate_pin(tmp / "pin")
    pin_seconds, _ = measure([psk, "pin", "--diff", "--github-url", f"file://{remotes}", "."],
                             pin_repo, args.runs)
    rows.append((f"platform-skills pin --diff (200 workflows, {PIN_REPOS} repositories; "
                 f"{PIN_REPOS / pin_seconds:.0f} resolutions/s)", pin_seconds, "start-up",
                 pin_seconds / start))

    fleet_root = tmp / "fleet"
    repos = generate_fleet(fleet_root)
    fleet_seconds, _ = measure([psk, "fleet", *repos, "--format", "json"], fleet_root, args.runs)
    rows.append((f"platform-skills fleet ({len(repos)} repositories, one workflow each; "
                 f"{len(repos) / fleet_seconds:.0f} repositories/s)", fleet_seconds, "start-up",
                 fleet_seconds / start))
    if args.reports:
        policies, report = generate_reports(tmp / "reports", args.reports)
        size = report.stat().st_size / (1 << 20)
        runs = max(1, min(args.runs, 3))  # seconds per run
        report_floor, _ = measure([py, "-c", REPORT_FLOOR, str(report)], tmp, runs)
        audit, audit_rss = measure([psk, "audit", str(policies), "--no-config", "--format", "json",
                                    "--policy-reports", str(report)], tmp, runs)
        rows.append((f"C parser's events over a PolicyReport List ({args.reports:,} results, "
                     f"{size:.0f} MiB YAML)", report_floor, "reports floor", 1.0))
        rows.append((f"platform-skills audit --policy-reports (same file; peak {audit_rss:.0f} MiB)",
                     audit, "reports floor", audit / report_floor))

    files = args.workflows + args.manifests + args.dockerfiles + args.terraform
    print(f"# platform-skills benchmark, {date.today().isoformat()}")
    print()
    print(f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"{platform.system()} {platform.release()}")
    print(f"Corpus: {args.workflows} workflows (~45 lines), {args.manifests} manifest files "
          f"(workloads, Kyverno, Flux, Argo CD), {args.dockerfiles} Dockerfiles and "
          f"{args.terraform} Terraform files (~60 lines) ({files} files); median of {args.runs} runs")
    print()
    print("| command | median (s) | ratio | baseline |")
    print("|---|---:|---:|---|")
    for name, seconds, baseline, ratio in rows:
        print(f"| {name} | {seconds:.3f} | {ratio:.2f}x | {baseline} |")
    print()
    print_goals(goal_rows, args.paired_runs)
    print()
    print(f"Peak memory of the full scan: {scan_rss:.0f} MiB in the largest process; "
          f"{serial_rss:.0f} MiB for the whole scan in one process (--jobs 1)")
    if not args.keep:
        shutil.rmtree(base, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
