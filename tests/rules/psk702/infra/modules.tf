module "vpc" {
  source  = "terraform-aws-modules/vpc/aws"
  version = "5.21.0"
}

module "eks" {
  source  = "terraform-aws-modules/eks/aws"
  version = "= 20.37.1"
}

module "private" {
  source  = "app.terraform.io/example-org/network/aws"
  version = ">= 1.0" # expect: PSK702
}

module "iam" {
  source  = "terraform-aws-modules/iam/aws//modules/iam-github-oidc-role"
  version = "~> 5.0" # expect: PSK702
}

module "s3" {
  source = "terraform-aws-modules/s3-bucket/aws" # expect: PSK702
}

module "pinned_git" {
  source = "git::https://github.com/example-org/terraform-modules.git//network?ref=0123456789abcdef0123456789abcdef01234567" # v1.4.0
}

module "pinned_ssh" {
  source = "git@github.com:example-org/terraform-modules.git?ref=0123456789abcdef0123456789abcdef01234567"
}

module "tagged_git" {
  source = "git::https://github.com/example-org/terraform-modules.git?ref=v1.4.0" # expect: PSK702
}

module "short_sha" {
  source = "git::https://github.com/example-org/terraform-modules.git?depth=1&ref=0123456" # expect: PSK702
}

module "github_shorthand" {
  source = "github.com/example-org/terraform-modules" # expect: PSK702
}

module "local" {
  source = "./modules/service"
}

module "shared" {
  source = "../shared/tags"
}

module "archive" {
  source = "s3::https://s3-eu-west-1.amazonaws.com/example-org-modules/vpc.zip"
}
