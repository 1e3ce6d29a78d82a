"""Secrets committed in plain text (PSK330)."""

import re

from ... import nodes
from ...model import rule
from .examples import REF

# A value that is only a placeholder for a tool to fill in (envsubst, Flux post-build
# substitution, Helm or other templating) holds no secret.
_PLACEHOLDER = re.compile(r"^\s*(\$\{[^}]*\}|\$\([^)]*\)|\{\{.*\}\})\s*$")
_SECRET = """\
apiVersion: v1
kind: Secret
metadata:
  name: payments-db
type: Opaque
stringData:
  password: VALUE
"""


def _plain_values(mapping):
    """Values of a ``data``/``stringData`` mapping that are real, unencrypted content."""
    found = []
    for _, _, value in nodes.pairs(mapping):
        text = nodes.text(value, "")
        if text.strip() and not text.startswith("ENC[") and not _PLACEHOLDER.match(text):
            found.append(value)
    return found


@rule(
    id="PSK330", name="plain-secret-committed", severity="critical", domain="kubernetes",
    requires=("Secret", "secretGenerator"),
    targets=("manifest", "kustomization"), reference=REF + "#secrets", since="0.2.0",
    summary="A plain-text Secret or kustomize `secretGenerator` literal committed",
    rationale=(
        "A Secret in Git is plain text: `data` is base64, an encoding. Every clone, fork, CI "
        "cache and backup holds the credential, and deleting the file does not remove it from "
        "history."),
    fix=("Encrypt it with SOPS (`encrypted_regex: ^(data|stringData)$`), or keep the value in a "
         "secret manager and commit an External Secrets `ExternalSecret` instead. Rotate a "
         "credential that was ever pushed."),
    bad=_SECRET.replace("VALUE", "change-me"),
    good=_SECRET.replace("VALUE", "ENC[AES256_GCM,data:AAAA,iv:AAAA,tag:AAAA,type:str]") +
    "sops:\n  mac: ENC[AES256_GCM,data:AAAA,iv:AAAA,tag:AAAA,type:str]\n  version: 3.10.2\n",
    limits=(
        "A document with a top-level `sops:` key is taken as encrypted, and so is a value "
        "starting with SOPS's `ENC[`. Empty values and values that are only a placeholder "
        "(`${VAR}`, `$(VAR)`, `{{ … }}`) are not secrets. kustomize's `secretGenerator` is "
        "flagged for `literals`; its `files` and `envs` point at files this rule does not read. "
        "Sealed Secrets (`SealedSecret`) and External Secrets objects are not Secrets and pass. "
        "The rule cannot tell a password from configuration: a Secret that only carries a "
        "config file (kube-prometheus commits its Grafana and Alertmanager configuration that "
        "way) is flagged too; suppress it with the reason, or move secrets out of the file."),
    precision="very-high",
)
def plain_secret_committed(root):
    if nodes.get(root, "secretGenerator") is not None:
        for generator in nodes.items(nodes.get(root, "secretGenerator")):
            key, literals = nodes.get_pair(generator, "literals")
            if key is not None and nodes.items(literals):
                name = nodes.text(nodes.get(generator, "name"), "")
                yield key, f"secretGenerator '{name}' has literals: the values are committed in plain text"
        return
    if nodes.text(nodes.get(root, "kind")) != "Secret" or nodes.get(root, "sops") is not None:
        return
    for field, key, mapping in nodes.pairs(root):  # file order: the first such key
        if field in ("data", "stringData") and _plain_values(mapping):
            name = nodes.text(nodes.path(root, "metadata", "name"), "")
            yield key, f"Secret '{name}' holds {field} in plain text (no SOPS encryption)"
            return
