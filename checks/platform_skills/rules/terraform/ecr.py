"""ECR repositories: immutable tags (PSK704)."""

from ...model import rule
from ...readers.terraform import is_expression
from .examples import ECR, REF

_IMMUTABLE = ("IMMUTABLE", "IMMUTABLE_WITH_EXCLUSION")


@rule(
    id="PSK704", name="ecr-mutable-tags", severity="medium", domain="terraform",
    targets=("terraform",), reference=REF + "#immutable-ecr-tags", example_name="main.tf",
    summary="ECR repository whose tags can be overwritten",
    rationale=(
        "With mutable tags, anyone who can push can point `app:1.4.2` at different bytes. "
        "Signing by digest protects what you verify; immutable tags make sure the tag people "
        "deploy and read in changelogs keeps meaning the image that was signed and scanned."),
    fix="Set `image_tag_mutability = \"IMMUTABLE\"` (or `IMMUTABLE_WITH_EXCLUSION` to keep a "
        "mutable `latest`-style tag for development).",
    bad=ECR.replace('  image_tag_mutability = "IMMUTABLE"\n', ""),
    good=ECR,
    since="0.2.0",
    limits=(
        "A value set from a variable is not judged. Checkov's CKV_AWS_51 reports the same "
        "gap, and also reports `IMMUTABLE_WITH_EXCLUSION`, which this rule accepts: the "
        "exclusion filters name the only tags that may move."),
    precision="high",
)
def ecr_mutable_tags(tf):
    for block in tf.of("resource", "aws_ecr_repository"):
        setting = block.attr("image_tag_mutability")
        if setting is None:
            yield (block.start, f"{block.name} has no image_tag_mutability, so tags default "
                   "to MUTABLE")
        elif isinstance(setting, str) and not is_expression(setting) and \
                setting.strip().upper() not in _IMMUTABLE:
            yield (block.line("image_tag_mutability"), f"{block.name} image_tag_mutability is "
                   f"'{setting.strip()}': tags can be re-pointed at other images")
