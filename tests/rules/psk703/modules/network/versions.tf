# A reusable module (no backend, no provider block, no lock file): minimum versions only,
# as HashiCorp advises; the root module that calls it sets the upper bound.
terraform {
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.0"
    }
    random = { # expect: PSK703
      source = "hashicorp/random"
    }
  }
}
