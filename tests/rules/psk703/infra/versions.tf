terraform {
  required_version = ">= 1.6"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.0"
    }
    kubernetes = {
      source  = "hashicorp/kubernetes"
      version = ">= 2.20, < 3.0"
    }
    null = {
      source  = "hashicorp/null"
      version = "3.2.3"
    }
    random = { # expect: PSK703
      source = "hashicorp/random"
    }
    tls = { # expect: PSK703
      source  = "hashicorp/tls"
      version = ">= 4.0"
    }
    helm = { source = "hashicorp/helm", version = "> 2.0, != 2.5.0" } # expect: PSK703
    google = ">= 5.0" # expect: PSK703
  }
}
