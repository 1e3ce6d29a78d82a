"""The ImageValidatingPolicy the Kyverno examples are built from."""

REF = "references/kyverno.md"

IVP = """\
apiVersion: policies.kyverno.io/v1
kind: ImageValidatingPolicy
metadata:
  name: require-signed-images
spec:
  validationActions: [Audit]
  matchConstraints:
    resourceRules:
      - apiGroups: [""]
        apiVersions: [v1]
        operations: [CREATE, UPDATE]
        resources: [pods]
  matchImageReferences:
    - glob: "ghcr.io/example-org/*"
  attestors:
    - name: github
      cosign:
        keyless:
          identities:
            - issuer: https://token.actions.githubusercontent.com
              subjectRegExp: ^https://github\\.com/example-org/[^/]+/\\.github/workflows/release\\.yml@refs/heads/main$
  validations:
    - expression: >-
        images.containers.map(image, verifyImageSignatures(image, [attestors.github])).all(e, e > 0)
"""
