resource "aws_ecr_repository" "app" {
  name                 = "example-org/app"
  image_tag_mutability = "IMMUTABLE"
}

resource "aws_ecr_repository" "dev" {
  name                 = "example-org/dev"
  image_tag_mutability = "IMMUTABLE_WITH_EXCLUSION"

  image_tag_mutability_exclusion_filter {
    filter      = "latest*"
    filter_type = "WILDCARD"
  }
}

resource "aws_ecr_repository" "legacy" { # expect: PSK704
  name = "example-org/legacy"
}

resource "aws_ecr_repository" "mutable" {
  name                 = "example-org/mutable"
  image_tag_mutability = "MUTABLE" # expect: PSK704
}

resource "aws_ecr_repository" "configured" {
  name                 = "example-org/configured"
  image_tag_mutability = var.tag_mutability
}

resource "aws_ecr_lifecycle_policy" "app" {
  repository = aws_ecr_repository.app.name
  policy     = file("${path.module}/lifecycle.json")
}
