"""CVE scan gates in workflows: a scan that can fail, on the right threshold (PSK110, PSK111)."""

from ...model import AnyCase, rule
from ...readers import scans
from .examples import REF

# What the text of a file with a scan holds: the scanners' names, in actions and commands.
SCANNERS = AnyCase("trivy", "grype", "anchore")

GATE_FIX = {
    "trivy": "Set `exit-code: \"1\"` (action) or `--exit-code 1` (CLI), with `severity: CRITICAL,HIGH`.",
    "grype": "Set `fail-build: true` with `severity-cutoff: high` (action) or `--fail-on high` (CLI).",
}
THRESHOLD_FIX = {
    "trivy": "Gate on `severity: CRITICAL,HIGH` (`--severity CRITICAL,HIGH`); handle noise with "
             "`ignore-unfixed` or a reviewed `.trivyignore` with expiry dates.",
    "grype": "Gate on `severity-cutoff: high` (`--fail-on high`); handle noise with a reviewed "
             "ignore list in `.grype.yaml`, not a higher threshold.",
}


@rule(
    id="PSK110", name="scan-not-gating", severity="high", domain="supply-chain",
    requires=SCANNERS,
    targets=("workflow", "action"), reference=REF + "#cve-gates",
    summary="CVE scan that cannot fail the build",
    rationale=(
        "A scan that always exits 0 is a report nobody reads on the day it matters. Trivy "
        "exits 0 by default whatever it finds; Grype only fails with `--fail-on`; "
        "`anchore/scan-action` with `fail-build: false` never fails. A gate whose failure is "
        "swallowed, by `continue-on-error: true` on the step or job or by `|| true` after "
        "the command, cannot fail the build either."),
    fix=(
        "Trivy: `exit-code: \"1\"` (action) or `--exit-code 1` (CLI), with "
        "`severity: CRITICAL,HIGH`. Grype: `fail-build: true` and `severity-cutoff: high` "
        "(action) or `--fail-on high` (CLI). Keep a non-gating SARIF run as well if you upload "
        "results, but make one run gate."),
    bad="""\
on: push
permissions:
  contents: read
jobs:
  scan:
    runs-on: ubuntu-latest
    steps:
      - uses: aquasecurity/trivy-action@57a97c7e7821a5776cebc9bb87c984fa69cba8f1 # v0.35.0
        with:
          image-ref: ghcr.io/example-org/app:${{ github.sha }}
          severity: CRITICAL,HIGH
""",
    good="""\
on: push
permissions:
  contents: read
jobs:
  scan:
    runs-on: ubuntu-latest
    steps:
      - uses: aquasecurity/trivy-action@57a97c7e7821a5776cebc9bb87c984fa69cba8f1 # v0.35.0
        with:
          image-ref: ghcr.io/example-org/app:${{ github.sha }}
          severity: CRITICAL,HIGH
          exit-code: "1"
""",
    limits=(
        "A setting the command line and the environment (`TRIVY_EXIT_CODE`, "
        "`GRYPE_FAIL_ON_SEVERITY`) leave unset is read from the scanner's config file, as the "
        "scanner does: trivy `--config FILE` (`-c`, `TRIVY_CONFIG`) or `trivy.yaml` in the "
        "step's working directory (`exit-code` other than 0); grype `-c FILE` or "
        "`.grype.yaml` (or `.grype/config.yaml`) there (`fail-on-severity`); "
        "`trivy-action`'s `trivy-config:`, else `trivy.yaml` at the repository root, where "
        "the action runs trivy. The working directory is the step's `working-directory` (or "
        "`defaults.run`) below the repository holding the workflow. A config path or working "
        "directory computed by an expression, or a named config file that is not in the "
        "checked tree, is not judged; config files in the runner's home directory are not "
        "seen. A shell `|| exit 1` after trivy does not make it gate: trivy exits 0 on "
        "vulnerabilities unless an exit code is set."),
    precision="high",
)
def scan_not_gating(wf):
    for scan in scans.scans(wf):
        if not scan.gating:
            yield scan.line, f"{scan.tool} scan does not gate: {scan.why}", (), GATE_FIX[scan.tool]


@rule(
    id="PSK111", name="severity-gate-critical-only", severity="high", domain="supply-chain",
    requires=SCANNERS,
    targets=("workflow", "action"), reference=REF + "#cve-gates",
    summary="CVE gate that lets HIGH findings through",
    rationale=(
        "Most exploited vulnerabilities are rated HIGH, not CRITICAL. A gate on CRITICAL alone "
        "passes images with remotely exploitable HIGH findings. CRITICAL,HIGH is the baseline; "
        "regulated environments add MEDIUM."),
    fix=(
        "Trivy: `severity: CRITICAL,HIGH`. Grype: `severity-cutoff: high` or `--fail-on high`. "
        "Use `ignore-unfixed` or a reviewed ignore file with expiry dates for noise, not a "
        "higher threshold."),
    bad="""\
on: push
permissions:
  contents: read
jobs:
  scan:
    runs-on: ubuntu-latest
    steps:
      - run: grype ghcr.io/example-org/app:1.0 --fail-on critical
""",
    good="""\
on: push
permissions:
  contents: read
jobs:
  scan:
    runs-on: ubuntu-latest
    steps:
      - run: grype ghcr.io/example-org/app:1.0 --fail-on high
""",
    precision="high",
    limits=("Judges the severity threshold of gating Trivy and Grype scans as PSK110 finds "
            "them (command line, environment, action inputs and the scanner's config file "
            "beside the step); a threshold the reader cannot locate is not judged."),
)
def severity_gate_critical_only(wf):
    for scan in scans.scans(wf):
        if scan.gating and scans.lets_high_through(scan):
            yield scan.severity_line, (f"{scan.tool} gate threshold '{scan.severity}' lets HIGH "
                                       "vulnerabilities through; gate on CRITICAL,HIGH"), (), \
                THRESHOLD_FIX[scan.tool]
