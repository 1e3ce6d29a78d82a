"""The Terraform the AWS examples are built from (checked as ``main.tf``)."""

REF = "references/terraform-aws.md"

GITHUB_TRUST = """\
resource "aws_iam_role" "deploy" {
  name = "github-deploy"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRoleWithWebIdentity"
      Principal = { Federated = aws_iam_openid_connect_provider.github.arn }
      Condition = {
        StringEquals = {
          "token.actions.githubusercontent.com:aud" = "sts.amazonaws.com"
          "token.actions.githubusercontent.com:sub" = "repo:example-org/app:environment:production"
        }
      }
    }]
  })
}
"""

MODULE = """\
module "vpc" {
  source  = "terraform-aws-modules/vpc/aws"
  version = "5.21.0"

  name = "main"
  cidr = "10.0.0.0/16"
}
"""

PROVIDERS = """\
terraform {
  required_version = ">= 1.6"
  backend "s3" {
    bucket = "example-org-terraform-state"
    key    = "app/terraform.tfstate"
    region = "eu-west-1"
  }
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.0"
    }
  }
}
"""

ECR = """\
resource "aws_ecr_repository" "app" {
  name                 = "example-org/app"
  image_tag_mutability = "IMMUTABLE"

  image_scanning_configuration {
    scan_on_push = true
  }
}
"""

POLICY = """\
data "aws_iam_policy_document" "deploy" {
  statement {
    actions   = ["ecr:PutImage", "ecr:UploadLayerPart", "ecr:CompleteLayerUpload"]
    resources = [aws_ecr_repository.app.arn]
  }
}
"""
