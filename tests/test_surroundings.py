"""What views ask of the rest of the tree: a file checked on its own (pre-commit's case) still
sees the tree's Skaffold configurations, found by name in the folders a walk enters."""

from support import run_json, write_tree

_SKAFFOLD = """\
apiVersion: skaffold/v4beta11
kind: Config
build:
  artifacts:
    - image: {name}
"""
_DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: shop
spec:
  selector:
    matchLabels: {app: shop}
  template:
    metadata:
      labels: {app: shop}
    spec:
      containers:
        - name: web
          image: frontend
        - name: cart
          image: cart
"""


def test_a_file_checked_alone_sees_the_skaffold_artifacts_of_its_tree(tmp_path):
    write_tree(tmp_path, {
        "deploy/skaffold.yaml": _SKAFFOLD.format(name="frontend"),  # not above the manifest
        "k8s/app/deployment.yaml": _DEPLOYMENT,
        # Folders a walk never enters hold no configuration of this tree.
        "node_modules/pkg/skaffold.yaml": _SKAFFOLD.format(name="cart"),
        ".git/skaffold.yaml": _SKAFFOLD.format(name="cart"),
    })
    _, data = run_json("check", "k8s/app/deployment.yaml", "--select", "PSK301", "--no-config",
                       cwd=tmp_path, in_process=True)
    assert [f["message"] for f in data["findings"]] == [
        "image 'cart' has no tag and no digest"]
