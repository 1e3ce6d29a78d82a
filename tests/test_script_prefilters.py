"""The quick script tests (``relevant``, ``mentions``) answer exactly as the regular
expressions they stand in for, which stay the definition."""

import random
import re
from pathlib import Path

import yaml

from platform_skills.readers.downloads import MENTIONS, mentions
from platform_skills.readers.workflow import RELEVANT, relevant

ROOT = Path(__file__).resolve().parent.parent

# Words either expression looks for, near misses of the word-bounded ones, and characters
# that case-blind matching folds onto ASCII letters (long s, Kelvin sign, dotless i).
PIECES = ("ko", "bom", "make", "gh", "cosign", "trivy", "docker", ".sh", ".bash", "npm",
          "GITHUB_ENV", "curl", "WGET", "Trusted-Host", "allow_un", "allowun", "force-yes",
          "--nosignature", "--NoGpgCheck", "--nodigest", "strict-ssl", "sslVerify",
          "git_ssl_no_verify", "NODE_TLS_REJECT_UNAUTHORIZED", "PythonHttpsVerify",
          "kotlin", "remake", "ghost", "boma", "_ko", "ko_", "k8s", "sh", "bash",
          "ſtrict.ſſl", "\u212aO", "Kelvin\u212a", "ı", "é", "ü", "日本", " ", "\n", "-", ".",
          "/", "_", "=", "$", "x", "1", "\t")


def _run_scripts():
    """Every ``run:`` script of the repository's workflows, examples and fixtures."""
    found = []
    for path in sorted(ROOT.glob("**/*.y*ml")):
        if ".venv" in path.parts or "node_modules" in path.parts:
            continue
        try:
            docs = list(yaml.safe_load_all(path.read_text(encoding="utf-8")))
        except (yaml.YAMLError, UnicodeDecodeError, ValueError):
            continue
        stack = list(docs)
        while stack:
            item = stack.pop()
            if isinstance(item, dict):
                for key, value in item.items():
                    if key == "run" and isinstance(value, str):
                        found.append(value)
                    else:
                        stack.append(value)
            elif isinstance(item, list):
                stack.extend(item)
    return found


def test_relevant_and_mentions_agree_with_their_expressions_on_real_scripts():
    scripts = _run_scripts()
    assert len(scripts) > 100  # the repository's own workflows and fixtures
    assert any(relevant(s) for s in scripts) and not all(relevant(s) for s in scripts)
    for script in scripts:
        assert relevant(script) == bool(re.search(RELEVANT, script)), script
        assert mentions(script) == bool(re.search(MENTIONS, script, re.I)), script


def test_relevant_and_mentions_agree_with_their_expressions_on_generated_text():
    rng = random.Random(25)
    hits = 0
    for _ in range(20000):
        text = "".join(rng.choice(PIECES) for _ in range(rng.randint(1, 6)))
        expected = bool(re.search(RELEVANT, text))
        hits += expected
        assert relevant(text) == expected, repr(text)
        assert mentions(text) == bool(re.search(MENTIONS, text, re.I)), repr(text)
    assert 2000 < hits < 18000  # both answers were exercised


def test_word_bounded_tools_need_a_word_of_their_own():
    assert relevant("ko build ./cmd") and relevant("run: make release") and relevant("x;gh pr")
    assert not relevant("kotlin remake ghost bombs") and not relevant("echo ok_ko")
    assert mentions("STRICT-SSL false") and mentions("ſtrict-ſsl") and not mentions("strict ok")
