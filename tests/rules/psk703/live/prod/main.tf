# A root module known by its lock file.
terraform {
  required_providers {
    aws = { # expect: PSK703
      source  = "hashicorp/aws"
      version = ">= 5.0"
    }
  }
}

module "network" {
  source = "../../modules/network"
}
