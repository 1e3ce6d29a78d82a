"""The Terraform reader: what hcl2 hands back, the lines found inside blocks, lazy imports,
and the version-constraint readers shared by the GitOps and Terraform rules."""

import subprocess
import sys

import pytest

from platform_skills.readers.hcl import outline
from platform_skills.readers.versions import semver_floats, terraform_exact, terraform_lower_only
from support import ROOT, write_tree


def test_hcl2_shapes_the_iam_reader_relies_on():
    """bc-python-hcl2 (Checkov's fork): attributes are one-item lists, jsonencode() comes back
    as text whose argument is a Python literal, heredocs as their body (``<<-`` trimmed)."""
    import hcl2

    data = hcl2.loads('resource "aws_iam_policy" "p" {\n'
                      '  name = "p"\n'
                      '  policy = jsonencode({ Statement = [{ Effect = "Allow", Action = "*" }], '
                      'Ref = aws_s3_bucket.b.arn })\n'
                      '  doc = <<-EOF\n    {"a": 1}\n  EOF\n}\n')
    body = data["resource"][0]["aws_iam_policy"]["p"]
    assert body["name"] == ["p"]
    assert (body["__start_line__"], body["__end_line__"]) == (1, 7)
    assert body["policy"] == ["${jsonencode({'Statement': [{'Effect': 'Allow', 'Action': '*'}], "
                              "'Ref': '${aws_s3_bucket.b.arn}'})}"]
    assert body["doc"] == ['{"a": 1}']


SOURCE = '''\
resource "aws_iam_role" "r" {
  name = "x-${var.env}-{not-a-block}"   # a comment with { braces
  /* a block comment
     spanning = lines { */
  assume_role_policy = jsonencode({
    Statement = [
      { Effect = "Allow" },
      {
        "Effect" : "Deny"
        Condition = { StringLike = { "a:sub" = ["one", "two"] } }
      },
    ]
  })
  tags = { for k, v in var.tags : k => v }
  inline_policy {
    policy = <<-EOF
      {
        "Statement": [
          {"Action": "*", "Resource": "${var.arn}"}
        ]
      }
    EOF
  }
  inline_policy {
    name = "second" // trailing
  }
}
'''


def test_outline_finds_lines_inside_a_block():
    lines = outline(SOURCE.split("\n"), 1, 27)
    assert lines[("name",)] == 2
    assert lines[("assume_role_policy",)] == 5
    assert lines[("assume_role_policy", "Statement", 0)] == 7
    assert lines[("assume_role_policy", "Statement", 1)] == 8
    assert lines[("assume_role_policy", "Statement", 1, "Effect")] == 9
    assert lines[("assume_role_policy", "Statement", 1, "Condition", "StringLike", "a:sub", 1)] == 10
    assert lines[("tags",)] == 14
    assert lines[("inline_policy", 0)] == 15
    assert lines[("inline_policy", 0, "policy", "Statement", 0, "Action")] == 19
    assert lines[("inline_policy", 1, "name")] == 25
    assert ("spanning",) not in lines


def test_outline_counts_crlf_lines_and_survives_unbalanced_text():
    crlf = SOURCE.replace("\n", "\r\n").split("\n")
    assert outline(crlf, 1, 27)[("inline_policy", 1, "name")] == 25
    assert outline(['resource "x" "y" {', '  a = [1, 2', '  b = {', '  c = "unclosed'], 1, 4)[("a",)] == 2


@pytest.mark.parametrize("constraint, floats", [
    ("*", True), ("x", True), ("", True), (">=1.0", True), (">1", True), (">= 1.2.0", True),
    ("*-0", True), (">=0.0.0-0", True), ("1.x || >=2.0.0", True),
    ("1.2.3", False), ("v1.2.3", False), ("1.x", False), ("1.2.*", False), ("~1.2.0", False),
    ("^2", False), (">=1.2.0 <2.0.0", False), (">= 1.2.0, < 2.0.0", False), ("1.2 - 1.4.5", False),
    ("=1.2.3", False), ("~> 5.0", False),
    ("latest", None), ("${VERSION}", None), ("HEAD", None),
])
def test_semver_constraints(constraint, floats):
    assert semver_floats(constraint) is floats


@pytest.mark.parametrize("constraint, exact, lower_only", [
    ("5.21.0", True, False), ("= 5.21.0", True, False), ("~> 5.0", False, False),
    (">= 5.0", False, True), ("> 2.0, != 2.5.0", False, True), (">= 4.0, < 6.0", False, False),
    ("1.2.0-beta1", True, False), ("latest", False, False),
])
def test_terraform_constraints(constraint, exact, lower_only):
    assert terraform_exact(constraint) is exact
    assert terraform_lower_only(constraint) is lower_only


def _imported_after(args, cwd):
    code = ("import sys; from platform_skills.cli import main; main(" + repr(args) + "); "
            "print(sorted({m.split('.')[0] for m in sys.modules} & {'hcl2', 'lark'}))")
    proc = subprocess.run([sys.executable, "-c", code], cwd=cwd, capture_output=True, text=True,
                          timeout=120)
    return proc.stdout.strip().splitlines()[-1]


def test_hcl_parser_is_imported_only_for_terraform_files(tmp_path):
    write_tree(tmp_path, {".github/workflows/ci.yml": "on: push\npermissions: {}\njobs:\n"
                          "  t:\n    runs-on: ubuntu-latest\n    steps:\n      - run: make\n",
                          "infra/main.tf": 'resource "aws_ecr_repository" "a" {\n  name = "a"\n}\n'})
    assert _imported_after(["check", ".github/workflows/ci.yml"], tmp_path) == "[]"
    assert _imported_after(["check", str(ROOT / "tests" / "rules" / "psk501")], tmp_path) == "[]"
    assert _imported_after(["check", "infra/main.tf"], tmp_path) == "['hcl2', 'lark']"
