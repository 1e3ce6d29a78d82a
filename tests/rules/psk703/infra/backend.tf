# A backend makes this folder a root module: its providers need upper bounds (versions.tf).
terraform {
  backend "s3" {
    bucket = "example-org-terraform-state"
    key    = "infra/terraform.tfstate"
    region = "eu-west-1"
  }
}
